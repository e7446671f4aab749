"""Nano resource visibility of the caller's group, and the log API over the audit log (issue 4)."""
import random
import re
import uuid

import pytest

from conftest import (ADMIN_USER, NanoSession, audit_mark, audit_since, nano_data, nano_message,
                      psql_scalar, run_psql, sql_literal, unique_name)

FLAGS = ("instance_visible", "media_image_visible", "disk_image_visible")


def stored_flags(group):
    rows = run_psql("SELECT instance_visible, media_image_visible, disk_image_visible"
                    " FROM user_groups WHERE name = %s" % sql_literal(group))
    assert len(rows) == 1
    return {f: v == "t" for f, v in zip(FLAGS, rows[0])}


@pytest.fixture
def vis_group(scratch):
    """A fresh group whose role grants "visibility", and a logged-in member of it."""
    group = scratch.group([scratch.role(["dashboard", "visibility"])])
    user, password = scratch.user(group)
    return group, NanoSession(user, password)


# ------------------------------------------------------------------ resource visibility

def test_visibility_get_shows_the_callers_group_flags(vis_group):
    group, s = vis_group
    data = nano_data(s.get("/resource_visibilities/"))
    assert set(data) == set(FLAGS)
    assert all(isinstance(v, bool) for v in data.values())
    assert data == stored_flags(group)


def test_visibility_get_for_admin_shows_admin_group(nano_admin):
    assert nano_data(nano_admin.get("/resource_visibilities/")) == stored_flags("admin")


def test_visibility_put_sets_flags_of_callers_group_and_writes_one_audit_row(vis_group, scratch):
    group, s = vis_group
    other = scratch.group()
    other_before = stored_flags(other)
    admin_before = stored_flags("admin")
    mark = audit_mark()
    nano_data(s.put("/resource_visibilities/", {"instance_visible": True,
                                                "media_image_visible": True,
                                                "disk_image_visible": False}))
    assert audit_since(mark) == ["%s changes the resource visibility of its group" % s.user]
    want = {"instance_visible": True, "media_image_visible": True, "disk_image_visible": False}
    assert nano_data(s.get("/resource_visibilities/")) == want
    assert stored_flags(group) == want
    assert stored_flags(other) == other_before
    assert stored_flags("admin") == admin_before


def test_visibility_put_keeps_absent_flags(vis_group):
    group, s = vis_group
    nano_data(s.put("/resource_visibilities/", {"instance_visible": True,
                                                "media_image_visible": False,
                                                "disk_image_visible": True}))
    nano_data(s.put("/resource_visibilities/", {"media_image_visible": True}))
    assert nano_data(s.get("/resource_visibilities/")) == {
        "instance_visible": True, "media_image_visible": True, "disk_image_visible": True}
    nano_data(s.put("/resource_visibilities/", {"instance_visible": False}))
    assert nano_data(s.get("/resource_visibilities/")) == {
        "instance_visible": False, "media_image_visible": True, "disk_image_visible": True}
    nano_data(s.put("/resource_visibilities/", {}))
    assert stored_flags(group) == {
        "instance_visible": False, "media_image_visible": True, "disk_image_visible": True}


def test_visibility_routes_answer_without_trailing_slash(vis_group):
    group, s = vis_group
    nano_data(s.put("/resource_visibilities", {"disk_image_visible": True}))
    assert nano_data(s.get("/resource_visibilities"))["disk_image_visible"] is True
    assert stored_flags(group)["disk_image_visible"] is True


def test_visibility_of_two_groups_is_independent(scratch, vis_group):
    group_a, a = vis_group
    group_b = scratch.group([scratch.role(["visibility"])])
    b = NanoSession(*scratch.user(group_b))
    nano_data(a.put("/resource_visibilities/", {"instance_visible": True,
                                                "media_image_visible": False,
                                                "disk_image_visible": False}))
    nano_data(b.put("/resource_visibilities/", {"instance_visible": False,
                                                "media_image_visible": False,
                                                "disk_image_visible": True}))
    assert nano_data(a.get("/resource_visibilities/"))["instance_visible"] is True
    assert nano_data(a.get("/resource_visibilities/"))["disk_image_visible"] is False
    assert nano_data(b.get("/resource_visibilities/"))["instance_visible"] is False
    assert nano_data(b.get("/resource_visibilities/"))["disk_image_visible"] is True


@pytest.mark.parametrize("body, words", [
    ({"instance_visible": "yes"}, ["instance_visible", "boolean"]),
    ({"media_image_visible": 1}, ["media_image_visible", "boolean"]),
    ({"disk_image_visible": [True]}, ["disk_image_visible", "boolean"]),
    ({"instance_visible": True, "volume_visible": True}, ["volume_visible", "not accepted"]),
], ids=["string", "number", "array", "unknown-field"])
def test_visibility_put_with_bad_body_changes_nothing(vis_group, body, words):
    group, s = vis_group
    before = stored_flags(group)
    mark = audit_mark()
    msg = nano_message(s.put("/resource_visibilities/", body))
    for w in words:
        assert w in msg, msg
    assert stored_flags(group) == before
    assert audit_since(mark) == []


@pytest.mark.parametrize("raw", ['{"instance_visible": true', '{"instance_visible": yes}',
                                 'true'])
def test_visibility_put_with_malformed_json_changes_nothing(vis_group, raw):
    group, s = vis_group
    before = stored_flags(group)
    mark = audit_mark()
    nano_message(s.put("/resource_visibilities/", raw=raw))
    assert stored_flags(group) == before
    assert audit_since(mark) == []


# ------------------------------------------------------------------ logs

TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def log_count():
    return int(psql_scalar("SELECT count(*) FROM audit_log"))


def log_ids(contents):
    """The ids of the audit rows with these entries."""
    rows = run_psql("SELECT id::text FROM audit_log WHERE entry IN (%s) ORDER BY id"
                    % ",".join(sql_literal(c) for c in contents))
    return [r[0] for r in rows]


def posted(c):
    """How GET /logs/ shows text the admin posted: with its author (issue 13, item 7)."""
    return "%s writes: %s" % (ADMIN_USER, c)


def add_logs(admin, n):
    """POST n uniquely worded entries; return their contents, oldest first."""
    tag = uuid.uuid4().hex[:10]
    contents = ["test entry %s #%d" % (tag, i) for i in range(n)]
    for c in contents:
        nano_data(admin.post("/logs/", {"format": "string", "content": c}))
    return contents


def test_logs_get_returns_entries_newest_first_with_total(nano_admin):
    add_logs(nano_admin, 2)
    data = nano_data(nano_admin.get("/logs/", params={"limit": 50}))
    assert set(data) == {"logs", "total"}
    assert data["total"] == log_count()
    logs = data["logs"]
    assert 2 <= len(logs) <= 50
    for e in logs:
        assert set(e) == {"id", "time", "content", "user", "source"}
        assert isinstance(e["id"], str) and e["id"]
        assert TIME.match(e["time"]), e
    times = [e["time"] for e in logs]
    assert times == sorted(times, reverse=True)
    newest = run_psql("SELECT id::text, entry, author, source FROM audit_log"
                      " ORDER BY at DESC, id DESC LIMIT 1")[0]
    assert [logs[0]["id"], logs[0]["content"], logs[0]["user"], logs[0]["source"]] == \
        [newest[0], posted(newest[1]), ADMIN_USER, "user"]


def test_logs_post_adds_exactly_one_entry_with_the_content(nano_admin):
    content = "somebody creates a new instance " + uuid.uuid4().hex
    mark = audit_mark()
    assert nano_data(nano_admin.post("/logs/", {"format": "string", "content": content})) == ""
    assert audit_since(mark) == [content]
    top = nano_data(nano_admin.get("/logs/", params={"limit": 1}))["logs"]
    assert [e["content"] for e in top] == [posted(content)]


def test_logs_post_without_format_is_accepted(nano_admin):
    content = "no format " + uuid.uuid4().hex
    mark = audit_mark()
    nano_data(nano_admin.post("/logs", {"content": content}))
    assert audit_since(mark) == [content]


def test_logs_limit_and_start_page_through_newest_first(nano_admin):
    a, b, c = add_logs(nano_admin, 3)
    page = nano_data(nano_admin.get("/logs/", params={"limit": 3}))
    assert [e["content"] for e in page["logs"]] == [posted(x) for x in (c, b, a)]
    assert page["total"] == log_count()
    page = nano_data(nano_admin.get("/logs/", params={"limit": 2, "start": 1}))
    assert [e["content"] for e in page["logs"]] == [posted(b), posted(a)]
    assert page["total"] == log_count()
    page = nano_data(nano_admin.get("/logs/", params={"limit": 1, "start": 2}))
    assert [e["content"] for e in page["logs"]] == [posted(a)]
    assert nano_data(nano_admin.get("/logs/", params={"limit": 0}))["logs"] == []


def test_logs_start_beyond_total_is_empty_but_keeps_total(nano_admin):
    total = log_count()
    data = nano_data(nano_admin.get("/logs/", params={"limit": 5, "start": total + 10}))
    assert data["logs"] == [] and data["total"] == total


@pytest.mark.parametrize("query, message", [
    ("limit=x", "limit: This field must be an integer."),
    ("limit=1001", "limit: must be an integer from 0 to 1000"),
    ("limit=-1", "limit: must be an integer from 0 to 1000"),
    ("start=1e3", "start: This field must be an integer."),
    ("start=1000000001", "start: must be an integer from 0 to 1000000000"),
    ("after=yesterday", "after: must be a time as 'YYYY-MM-DD HH:MI:SS'"),
    ("limit=1&limit=2", "limit: This parameter may be given only once."),
])
def test_logs_bad_query_values_are_refused_in_nanos_shape(nano_admin, query, message):
    mark = audit_mark()
    r = nano_admin.get("/logs/?" + query)
    assert r.status_code == 200 and r.json()["error_code"] == 500, r.text
    assert nano_message(r) == message
    assert audit_since(mark) == []


@pytest.fixture
def dated_logs(nano_admin):
    """Three entries moved to a day of their own in the 1990s: 08:00, 12:00 and 16:00 UTC.
    Removed again afterwards."""
    day = "199%d-0%d-1%d" % (random.randint(0, 9), random.randint(1, 9), random.randint(0, 9))
    contents = add_logs(nano_admin, 3)
    for c, hour in zip(contents, ("08", "12", "16")):
        run_psql("UPDATE audit_log SET at = %s::timestamptz WHERE entry = %s"
                 % (sql_literal("%s %s:00:00+00" % (day, hour)), sql_literal(c)))
    yield day, contents
    run_psql("DELETE FROM audit_log WHERE entry IN (%s)"
             % ",".join(sql_literal(c) for c in contents))


def shift_day(day, n):
    import datetime
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=n)).isoformat()


def test_logs_after_and_before_select_a_time_window(nano_admin, dated_logs):
    day, (a, b, c) = dated_logs
    params = {"limit": 100, "after": shift_day(day, -1), "before": shift_day(day, 2)}
    data = nano_data(nano_admin.get("/logs/", params=params))
    assert [e["content"] for e in data["logs"]] == [posted(x) for x in (c, b, a)]
    assert data["total"] == 3
    assert all(e["time"].startswith(day) or e["time"].startswith(shift_day(day, -1)) or
               e["time"].startswith(shift_day(day, 1)) for e in data["logs"])


def test_logs_after_with_time_of_day_narrows_the_window(nano_admin, dated_logs):
    day, (a, b, c) = dated_logs
    # The server's time zone is unknown; 08:00 and 16:00 UTC are 8 hours apart, so a window
    # around 12:00 in any zone within +-3 h of UTC holds only b.
    tz = psql_scalar("SELECT extract(timezone FROM now())::int / 3600")
    if abs(int(tz)) > 3:
        pytest.skip("database time zone far from UTC")
    params = {"limit": 100, "after": "%s 09:00:00" % day, "before": "%s 15:00:00" % day}
    data = nano_data(nano_admin.get("/logs/", params=params))
    assert [e["content"] for e in data["logs"]] == [posted(b)]
    assert data["total"] == 1


def test_logs_after_the_future_is_empty(nano_admin):
    data = nano_data(nano_admin.get("/logs/", params={"after": "2999-01-01 00:00:00"}))
    assert data == {"logs": [], "total": 0}


def test_logs_before_long_ago_is_empty(nano_admin):
    data = nano_data(nano_admin.get("/logs/", params={"before": "1971-01-01"}))
    assert data == {"logs": [], "total": 0}


def test_logs_delete_removes_entries_and_writes_one_audit_row(nano_admin):
    contents = add_logs(nano_admin, 3)
    ids = log_ids(contents)
    assert len(ids) == 3
    total = log_count()
    mark = audit_mark()
    nano_data(nano_admin.delete("/logs/", {"entries": ids[:2]}))
    [entry] = audit_since(mark)
    # The record names what went (tests/api/test_audit_log.py checks it in full).
    assert entry.startswith("%s deletes 2 log entries: %s at " % (ADMIN_USER, ids[0]))
    assert ", %s at " % ids[1] in entry
    assert log_ids(contents) == ids[2:]
    assert log_count() == total - 2 + 1
    listed = [e["id"] for e in nano_data(nano_admin.get("/logs/", params={"limit": 10}))["logs"]]
    assert ids[0] not in listed and ids[1] not in listed and ids[2] in listed


def test_logs_delete_without_trailing_slash(nano_admin):
    contents = add_logs(nano_admin, 1)
    nano_data(nano_admin.delete("/logs", {"entries": log_ids(contents)}))
    assert log_ids(contents) == []


def test_logs_delete_with_unknown_id_deletes_nothing(nano_admin):
    contents = add_logs(nano_admin, 2)
    ids = log_ids(contents)
    unknown = str(int(psql_scalar("SELECT max(id) FROM audit_log")) + 1000000)
    total = log_count()
    mark = audit_mark()
    msg = nano_message(nano_admin.delete("/logs/", {"entries": [ids[0], unknown, ids[1]]}))
    assert "not found" in msg and unknown in msg
    assert log_ids(contents) == ids
    assert log_count() == total
    assert audit_since(mark) == []


@pytest.mark.parametrize("entries", [["abc"], ["-1"], ["1e3"], [""]])
def test_logs_delete_with_malformed_id_deletes_nothing(nano_admin, entries):
    total = log_count()
    mark = audit_mark()
    nano_message(nano_admin.delete("/logs/", {"entries": entries}))
    assert log_count() == total
    assert audit_since(mark) == []


@pytest.mark.parametrize("body, words", [
    ({"entries": "1"}, ["entries", "array"]),
    ({"entries": [1]}, ["entries", "string"]),
    ({}, ["entries", "required"]),
    ({"entries": [], "all": True}, ["all", "not accepted"]),
], ids=["string", "numbers", "missing", "unknown-field"])
def test_logs_delete_with_bad_body_deletes_nothing(nano_admin, body, words):
    total = log_count()
    mark = audit_mark()
    msg = nano_message(nano_admin.delete("/logs/", body))
    for w in words:
        assert w in msg, msg
    assert log_count() == total
    assert audit_since(mark) == []


@pytest.mark.parametrize("body, words", [
    ({"format": "string", "content": ""}, ["content"]),
    ({"format": "string"}, ["content", "required"]),
    ({"content": 5}, ["content", "string"]),
    ({"content": None}, ["content"]),
    ({"format": 1, "content": "x"}, ["format", "string"]),
    ({"content": "x", "level": "info"}, ["level", "not accepted"]),
], ids=["blank", "missing", "number", "null", "format-number", "unknown-field"])
def test_logs_post_with_bad_body_adds_nothing(nano_admin, body, words):
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/logs/", body))
    for w in words:
        assert w in msg, msg
    assert audit_since(mark) == []


def test_logs_post_with_malformed_json_adds_nothing(nano_admin):
    mark = audit_mark()
    nano_message(nano_admin.post("/logs/", raw='{"content": "x"'))
    assert audit_since(mark) == []


@pytest.mark.parametrize("params, name", [
    ({"limit": "-1"}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"limit": "5x"}, "limit"),
    ({"start": "-1"}, "start"),
    ({"start": "one"}, "start"),
    ({"after": "garbage"}, "after"),
    ({"after": "2020-13-45"}, "after"),
    ({"before": "yesterday"}, "before"),
    ({"before": "2020-01-01T00:00:00Z junk"}, "before"),
])
def test_logs_get_with_invalid_query_is_refused(nano_admin, params, name):
    msg = nano_message(nano_admin.get("/logs/", params=params))
    assert name in msg, msg
