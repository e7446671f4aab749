"""Who wrote each audit entry, and what a delete removed (issue 13, item 7).

Nano's POST /logs/ lets any member add text to the audit log (the real frontend's web portal
posts a line after each action its user takes); reading and removing need the "log" tag. Each
entry records its author and whether the system wrote it; GET /logs/ shows both ("user",
"source") and names the author of posted text in its content, so that a posted line never
reads as a record of a change. DELETE /logs/ writes one entry, as the deleter, naming the
entries it removed: ids, times and authors."""
import pytest

from conftest import (ADMIN_USER, NanoSession, audit_mark, nano_data, run_psql, sql_literal,
                      unique_name)


@pytest.fixture
def writer(scratch):
    """A non-admin whose role grants only the dashboard and the "log" menu tag."""
    return NanoSession(*scratch.user(scratch.group([scratch.role(["dashboard", "log"])])))


def rows_since(mark):
    """[id, entry] of every audit row written after mark, oldest first."""
    return run_psql("SELECT id::text, entry FROM audit_log WHERE id > %d ORDER BY id" % mark)


def stored(row_id):
    """[author, source] of one audit row as stored."""
    return run_psql("SELECT coalesce(author, '-'), source FROM audit_log WHERE id = %s" % row_id)[0]


def shown(session, ids):
    """GET /logs/ as session: the entries with these ids, by id."""
    logs = nano_data(session.get("/logs/", params={"limit": 1000}))["logs"]
    return {e["id"]: e for e in logs if e["id"] in ids}


def post(session, text):
    """POST text as session; return the id of the one row it wrote."""
    mark = audit_mark()
    assert nano_data(session.post("/logs/", {"format": "string", "content": text})) == ""
    rows = rows_since(mark)
    assert [r[1:] for r in rows] == [[text]]
    return rows[0][0]


def test_posted_text_shows_its_author_and_never_reads_as_a_system_record(writer, nano_admin):
    forged = "%s deletes guest %s" % (ADMIN_USER, unique_name("vm"))
    posted = post(writer, forged)
    entry = shown(nano_admin, [posted])[posted]
    assert entry == {"id": posted, "time": entry["time"], "user": writer.user, "source": "user",
                     "content": "%s writes: %s" % (writer.user, forged)}
    assert entry["content"] != forged
    assert stored(posted) == [writer.user, "user"]
    # The same user's own log-in is a record the system wrote for them.
    login = run_psql("SELECT id::text FROM audit_log WHERE entry = %s"
                     % sql_literal("%s logs in via nano" % writer.user))
    assert len(login) == 1
    entry = shown(nano_admin, login[0])[login[0][0]]
    assert (entry.get("user"), entry.get("source"), entry["content"]) == \
        (writer.user, "system", "%s logs in via nano" % writer.user)
    assert stored(login[0][0]) == [writer.user, "system"]


def test_a_member_without_the_log_tag_posts_with_its_author_but_cannot_read_or_remove(
        scratch, nano_admin):
    """What the portal does after a user's action ("group.user(address): create instance x"):
    allowed to a user whose role grants only "instance", recorded as that user's text."""
    member = NanoSession(*scratch.user(scratch.group([scratch.role(["instance"])])))
    text = "%s: create instance %s" % (member.user, unique_name("vm"))
    posted = post(member, text)
    assert stored(posted) == [member.user, "user"]
    assert shown(nano_admin, [posted])[posted]["content"] == "%s writes: %s" % (member.user, text)
    mark = audit_mark()
    assert member.get("/logs/").json()["error_code"] != 0
    assert member.delete("/logs/", {"entries": [posted]}).json()["error_code"] != 0
    assert rows_since(mark) == []
    assert run_psql("SELECT count(*) FROM audit_log WHERE id = %s" % posted) == [["1"]]


def test_a_change_is_recorded_as_the_systems_with_its_author(writer, scratch, nano_admin):
    mark = audit_mark()
    role = scratch.role(["dashboard"])
    rows = rows_since(mark)
    assert [r[1:] for r in rows] == [["%s creates role %s" % (ADMIN_USER, role)]]
    entry = shown(writer, [rows[0][0]])[rows[0][0]]
    assert (entry.get("user"), entry.get("source"), entry["content"]) == \
        (ADMIN_USER, "system", "%s creates role %s" % (ADMIN_USER, role))
    assert stored(rows[0][0]) == [ADMIN_USER, "system"]


def test_the_author_outlives_the_user(writer, scratch, nano_admin):
    posted = post(writer, "written before leaving " + unique_name("x"))
    nano_data(nano_admin.delete("/users/%s" % writer.user))
    entry = shown(nano_admin, [posted])[posted]
    assert entry.get("user") == writer.user
    assert entry["content"].startswith(writer.user + " writes: ")
    assert run_psql("SELECT user_id IS NULL FROM audit_log WHERE id = %s" % posted) == [["t"]]
    assert stored(posted) == [writer.user, "user"]


def test_a_delete_records_which_entries_it_removed_and_who_removed_them(writer, nano_admin):
    mine = post(writer, "first " + unique_name("x"))
    theirs = post(nano_admin, "second " + unique_name("x"))
    kept = post(writer, "third " + unique_name("x"))
    before = shown(nano_admin, [mine, theirs, kept])
    author = {mine: writer.user, theirs: ADMIN_USER}
    mark = audit_mark()
    # Listing an entry twice removes it once.
    nano_data(writer.delete("/logs/", {"entries": [theirs, mine, theirs]}))
    record = "%s deletes 2 log entries: %s" % (writer.user, ", ".join(
        "%s at %s by %s" % (i, before[i]["time"], author[i]) for i in sorted(author, key=int)))
    rows = rows_since(mark)
    assert [r[1:] for r in rows] == [[record]]
    now = shown(nano_admin, [mine, theirs, kept, rows[0][0]])
    assert set(now) == {kept, rows[0][0]} and now[kept] == before[kept]
    assert (now[rows[0][0]].get("user"), now[rows[0][0]].get("source"),
            now[rows[0][0]]["content"]) == (writer.user, "system", record)
    assert stored(rows[0][0]) == [writer.user, "system"]


def test_a_refused_delete_removes_and_records_nothing(writer):
    posted = post(writer, "stays " + unique_name("x"))
    unknown = str(int(run_psql("SELECT max(id) FROM audit_log")[0][0]) + 1000000)
    mark = audit_mark()
    r = writer.delete("/logs/", {"entries": [posted, unknown]})
    assert r.json()["message"] == "log entry %s not found" % unknown
    assert rows_since(mark) == []
    assert run_psql("SELECT count(*) FROM audit_log WHERE id = %s" % posted) == [["1"]]
