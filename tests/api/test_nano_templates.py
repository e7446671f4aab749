"""Nano system templates (issue 5): GET /templates/, POST /templates/,
GET|PUT|DELETE /templates/{id}; built-in templates come from the resources migration."""
import re
import time

import pytest

from conftest import (ADMIN_USER, NANO_REFUSED, NanoSession, audit_mark, audit_since, nano_data,
                      psql_scalar, run_psql, sql_literal, unique_name)

TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FIELDS = ["name", "admin", "operating_system", "disk", "network", "display", "control", "usb",
          "tablet"]
FULL = {"admin": "Administrator", "operating_system": "windows", "disk": "sata",
        "network": "e1000", "display": "cirrus", "control": "spice", "usb": "nec-xhci",
        "tablet": "usb"}


def template_row(tid):
    """The stored TemplateConfigure fields of a template, or None."""
    rows = run_psql("SELECT '=' || %s FROM templates WHERE id::text = %s"
                    % (" || '|' || ".join(FIELDS), sql_literal(tid)))
    return dict(zip(FIELDS, rows[0][0][1:].split("|"))) if rows else None


def template_count():
    return int(psql_scalar("SELECT count(*) FROM templates"))


@pytest.fixture
def templates(nano_admin):
    """Creates uniquely named templates through the API; deletes them (and guests made for
    them) from the database when the test ends."""
    made, guests = [], []

    class Templates:
        def make(self, **fields):
            body = dict({"name": unique_name("Tpl ")}, **fields)
            tid = nano_data(nano_admin.post("/templates/", body))["id"]
            made.append(tid)
            return tid

        def adopt(self, tid):
            made.append(tid)

        def guest(self, tid):
            g = psql_scalar(
                "INSERT INTO guests (name, owner_id, pool_id, cores, memory, disks, template_id)"
                " VALUES (%s, (SELECT id FROM users WHERE name = %s),"
                " (SELECT id FROM compute_pools WHERE name = 'default'), 1, 1073741824,"
                " '{1073741824}', %s) RETURNING id"
                % (sql_literal(unique_name("g")), sql_literal(ADMIN_USER), sql_literal(tid)))
            guests.append(g)
            return g

    yield Templates()
    ids = ",".join(sql_literal(t) for t in made) or "NULL"
    gids = ",".join(sql_literal(g) for g in guests) or "NULL"
    run_psql("BEGIN; DELETE FROM guests WHERE id::text IN (%s);"
             " DELETE FROM templates WHERE id::text IN (%s); COMMIT;" % (gids, ids))


# ------------------------------------------------------------------ reading

def test_template_list_shows_the_builtin_templates_as_briefs(nano_admin):
    data = nano_data(nano_admin.get("/templates/"))
    by_name = {t["name"]: t for t in data}
    assert {"linux-default", "windows-default", "linux-legacy"} <= set(by_name)
    for t in data:
        assert sorted(t) == ["created_time", "id", "modified_time", "name", "operating_system"]
        assert UUID.match(t["id"]) and TIME.match(t["created_time"])
        assert TIME.match(t["modified_time"])
    assert by_name["windows-default"]["operating_system"] == "windows"
    assert by_name["linux-default"]["operating_system"] == "linux"


def test_template_get_shows_every_field_of_a_builtin(nano_admin):
    tid = psql_scalar("SELECT id FROM templates WHERE name = 'windows-default'")
    data = nano_data(nano_admin.get("/templates/%s" % tid))
    assert sorted(data) == sorted(FIELDS + ["id", "created_time", "modified_time"])
    assert data["id"] == tid and data["name"] == "windows-default"
    assert {k: data[k] for k in FULL if k not in ("display", "control", "network")} == {
        "admin": "Administrator", "operating_system": "windows", "disk": "sata",
        "usb": "nec-xhci", "tablet": "usb"}
    assert TIME.match(data["created_time"]) and TIME.match(data["modified_time"])


@pytest.mark.parametrize("tid", ["nope", "00000000-0000-0000-0000-000000000000", "'; --"])
def test_unknown_template_is_not_found_everywhere(nano_admin, tid):
    expect = "template %s not found" % tid
    assert nano_admin.fail("GET", "/templates/%s" % tid) == expect
    assert nano_admin.fail("PUT", "/templates/%s" % tid, {"admin": "root"}) == expect
    assert nano_admin.fail("DELETE", "/templates/%s" % tid) == expect


# ------------------------------------------------------------------ creating

def test_template_create_answers_its_id_and_stores_every_field(nano_admin, templates):
    name = unique_name("CentOS 7 ")
    mark = audit_mark()
    data = nano_data(nano_admin.post("/templates/", dict(FULL, name=name)))
    assert list(data) == ["id"] and UUID.match(data["id"])
    templates.adopt(data["id"])
    assert audit_since(mark) == ["%s creates a system template" % ADMIN_USER]
    assert template_row(data["id"]) == dict(FULL, name=name)
    got = nano_data(nano_admin.get("/templates/%s" % data["id"]))
    assert got == dict(FULL, name=name, id=data["id"], created_time=got["created_time"],
                       modified_time=got["created_time"])
    assert TIME.match(got["created_time"])
    assert {"id": data["id"], "name": name, "operating_system": "windows",
            "created_time": got["created_time"], "modified_time": got["modified_time"]} in \
        nano_data(nano_admin.get("/templates/"))


def test_template_create_with_only_a_name_takes_the_documented_defaults(nano_admin, templates):
    tid = templates.make()
    row = template_row(tid)
    assert {k: row[k] for k in FIELDS[1:]} == {
        "admin": "root", "operating_system": "linux", "disk": "scsi", "network": "virtio",
        "display": "vga", "control": "vnc", "usb": "", "tablet": ""}


@pytest.mark.parametrize("body, words", [
    ({}, "name"),
    ({"name": ""}, "name: must have 1 to 64 characters"),
    ({"name": "x" * 65}, "name"),
    ({"name": " lead"}, "name: must not start or end with a space"),
    ({"name": "tab\there"}, "name: must not hold control characters"),
    ({"name": 7}, "name"),
    ({"name": "N", "operating_system": "bsd"},
     "operating_system: must be one of 'linux', 'windows'"),
    ({"name": "N", "disk": "virtio"}, "disk: must be one of 'scsi', 'sata', 'ide'"),
    ({"name": "N", "network": "vmxnet3"}, "network: must be one of 'virtio', 'e1000', 'rtl8139'"),
    ({"name": "N", "display": "qxl"}, "display: must be one of 'vga', 'cirrus'"),
    ({"name": "N", "control": "rdp"}, "control: must be one of 'vnc', 'spice'"),
    ({"name": "N", "usb": "none"}, "usb: must be one of '', 'nec-xhci'"),
    ({"name": "N", "tablet": "none"}, "tablet: must be one of '', 'usb'"),
    ({"name": "N", "admin": ""}, "admin name must have 1 to 64 characters"),
    ({"name": "N", "admin": "two words"}, "admin name may only hold"),
    ({"name": "N", "cores": 4}, "cores"),
])
def test_template_create_with_bad_input_is_refused_and_creates_nothing(nano_admin, body, words):
    body = dict(body)
    if body.get("name") == "N":
        body["name"] = unique_name("Tpl ")
    before = template_count()
    mark = audit_mark()
    assert words in nano_admin.fail("POST", "/templates/", body)
    assert template_count() == before
    assert audit_since(mark) == []


def test_template_create_with_a_taken_name_is_refused(nano_admin, templates):
    before = template_count()
    msg = nano_admin.fail("POST", "/templates/", {"name": "linux-default"})
    assert msg.startswith("template name 'linux-default' is already used by template ")
    tid = templates.make()
    name = template_row(tid)["name"]
    assert "already used" in nano_admin.fail("POST", "/templates/", {"name": name,
                                                                     "disk": "ide"})
    assert template_count() == before + 1
    assert template_row(tid)["disk"] == "scsi"


# ------------------------------------------------------------------ modifying

def test_template_modify_changes_given_fields_and_keeps_the_others(nano_admin, templates):
    tid = templates.make(**FULL)
    before = nano_data(nano_admin.get("/templates/%s" % tid))
    time.sleep(1.1)  # modified_time has one-second resolution
    mark = audit_mark()
    nano_data(nano_admin.put("/templates/%s" % tid, {"network": "rtl8139", "usb": ""}))
    assert audit_since(mark) == ["%s modifies system template %s" % (ADMIN_USER, tid)]
    after = nano_data(nano_admin.get("/templates/%s/" % tid))
    assert after == dict(before, network="rtl8139", usb="", modified_time=after["modified_time"])
    assert after["modified_time"] > before["modified_time"]
    assert after["created_time"] == before["created_time"]
    new_name = unique_name("Renamed ")
    nano_data(nano_admin.put("/templates/%s" % tid, dict(FULL, name=new_name)))
    assert template_row(tid) == dict(FULL, name=new_name)


def test_template_modify_may_keep_its_own_name(nano_admin, templates):
    tid = templates.make()
    name = template_row(tid)["name"]
    nano_data(nano_admin.put("/templates/%s" % tid, {"name": name, "control": "spice"}))
    assert template_row(tid)["control"] == "spice"


@pytest.mark.parametrize("body, words", [
    ({"name": "linux-default"}, "already used by template"),
    ({"name": ""}, "name"),
    ({"operating_system": "macos"}, "operating_system: must be one of"),
    ({"disk": "nvme", "network": "e1000"}, "disk: must be one of"),
    ({"admin": "a;b"}, "admin name"),
    ({"id": "x"}, "id"),
])
def test_template_modify_with_bad_input_is_refused_and_changes_nothing(nano_admin, templates,
                                                                       body, words):
    tid = templates.make()
    before = template_row(tid)
    modified = psql_scalar("SELECT modified_at FROM templates WHERE id = '%s'" % tid)
    mark = audit_mark()
    assert words in nano_admin.fail("PUT", "/templates/%s" % tid, body)
    assert template_row(tid) == before
    assert psql_scalar("SELECT modified_at FROM templates WHERE id = '%s'" % tid) == modified
    assert audit_since(mark) == []


# ------------------------------------------------------------------ deleting

def test_template_delete_removes_it(nano_admin, templates):
    tid = templates.make()
    mark = audit_mark()
    nano_data(nano_admin.delete("/templates/%s" % tid))
    assert audit_since(mark) == ["%s deletes system template %s" % (ADMIN_USER, tid)]
    assert template_row(tid) is None
    assert tid not in [t["id"] for t in nano_data(nano_admin.get("/templates"))]


def test_template_delete_used_by_a_guest_is_refused(nano_admin, templates):
    tid = templates.make()
    templates.guest(tid)
    name = template_row(tid)["name"]
    msg = nano_admin.fail("DELETE", "/templates/%s" % tid)
    assert msg == "template %s is used by 1 guest(s)" % name
    assert template_row(tid) is not None


# ------------------------------------------------------------------ permissions

def test_templates_are_readable_by_any_user_and_writable_with_the_tag(nano_admin, scratch,
                                                                      templates):
    tid = templates.make()
    before = template_row(tid)
    count = template_count()
    reader = NanoSession(*scratch.user(scratch.group([scratch.role(["instance"])])))
    assert tid in [t["id"] for t in nano_data(reader.get("/templates/"))]
    assert nano_data(reader.get("/templates/%s" % tid))["name"] == before["name"]
    mark = audit_mark()
    assert reader.fail("POST", "/templates/", {"name": unique_name("T")}) == NANO_REFUSED
    assert reader.fail("PUT", "/templates/%s" % tid, {"disk": "ide"}) == NANO_REFUSED
    assert reader.fail("DELETE", "/templates/%s" % tid) == NANO_REFUSED
    assert audit_since(mark) == []
    assert template_row(tid) == before and template_count() == count
    writer = NanoSession(*scratch.user(scratch.group([scratch.role(["templates"])])))
    nano_data(writer.put("/templates/%s" % tid, {"disk": "ide"}))
    assert template_row(tid)["disk"] == "ide"
    templates.adopt(nano_data(writer.post("/templates/", {"name": unique_name("W")}))["id"])
    nano_data(writer.delete("/templates/%s" % tid))
    assert template_row(tid) is None
