"""What a cell's driver can do (issue 15): the reconciler records each cell's libvirt driver and
what it lacks when it connects (cells.driver, cells.lacks); a call whose operation the guest's
cell cannot carry out (a security policy without nwfilter, a volume resize, a disk image from
a guest, a system reset from an image on libvirt's test driver) is refused at once with the
cell and what it lacks named, and nothing changes. Credentials set on a stopped guest are
stored at once and set through the guest agent when it next runs. Guests here live on the
simulated pool (sim0, the test driver); cell0's features are used by test_qemu_e2e.py."""
import uuid

import pytest

from conftest import (GIB, MIB, SIM_CELL, SIM_POOL, cell0_is_qemu, nano_data, run_psql,
                      sql_literal, unique_name, wait_for)
from test_nano_images import create, make_qcow2, upload_ok

WAIT = 60
TEST_LACKS = ["nwfilter", "volume resize", "volume download", "volume upload", "device update"]


def lacks(feature):
    return "cell %s lacks %s (libvirt driver TEST)" % (SIM_CELL, feature)


def spec(**over):
    body = {"name": unique_name("cf"), "pool": SIM_POOL, "cores": 1, "memory": 64 * MIB,
            "disks": [GIB], "template": "linux-default", "auto_start": False}
    body.update(over)
    return body


def guest_row(gid):
    """What the refused calls must leave as it was: the row and its operations."""
    return run_psql("SELECT name, disks::text, policy_default, policy_rules::text, from_image,"
                    " admin_name, admin_secret, auth_pending, monitor_secret,"
                    " (SELECT count(*) FROM operations WHERE guest_id = g.id)"
                    " FROM guests g WHERE id = %s" % sql_literal(gid))


def by_name(name):
    return run_psql("SELECT id FROM guests WHERE name = %s" % sql_literal(name))


@pytest.fixture(scope="module")
def guest(s):
    """A created, stopped guest on sim0."""
    r = s.post("/guests/", spec())
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    wait_for(lambda: s.get("/guests/%s" % gid).status_code == 200, WAIT, interval=0.2,
             what="guest %s created" % gid)
    yield gid
    s.delete("/guests/%s" % gid, {"force": True})


def test_the_reconciler_records_each_cells_driver_and_what_it_lacks():
    def sim():
        rows = run_psql("SELECT driver, array_to_string(lacks, ',') FROM cells WHERE name = %s"
                        % sql_literal(SIM_CELL))
        return rows and rows[0][0] and rows[0]
    driver, missing = wait_for(sim, WAIT, interval=0.2, what="sim0's driver recorded")
    assert driver == "TEST" and missing.split(",") == TEST_LACKS
    if cell0_is_qemu():
        assert wait_for(lambda: run_psql("SELECT driver, lacks::text FROM cells WHERE name ="
                                         " 'cell0' AND driver <> ''"), WAIT,
                        what="cell0's driver recorded") == [["QEMU", "{}"]]


def test_a_disk_resize_on_a_cell_without_it_is_refused_and_changes_nothing(s, guest):
    before = guest_row(guest)
    size = nano_data(s.get("/guests/%s" % guest))["disks"][0]
    assert s.fail("PUT", "/guests/%s/disks/resize/0" % guest, {"size": size + GIB}) == \
        lacks("volume resize")
    assert guest_row(guest) == before
    assert nano_data(s.get("/guests/%s" % guest))["disks"][0] == size


def test_a_monitor_secret_reset_on_a_cell_without_device_update_is_refused(s, guest):
    """A new console password reaches a running domain through virDomainUpdateDeviceFlags,
    which the test driver lacks: refused at once, as Nano's portal sends it (an empty body),
    and the guest keeps its secret."""
    before = guest_row(guest)
    secret = nano_data(s.get("/guests/%s" % guest))["monitor_secret"]
    assert s.fail("PUT", "/guests/%s/monitor/secret" % guest, raw="") == lacks("device update")
    assert guest_row(guest) == before
    assert nano_data(s.get("/guests/%s" % guest))["monitor_secret"] == secret


def test_a_disk_image_from_a_guest_on_a_cell_without_download_is_refused(s, guest):
    name = unique_name("clone")
    before = guest_row(guest)
    assert s.fail("POST", "/disk_images/", {"name": name, "guest": guest}) == \
        lacks("volume download")
    assert run_psql("SELECT 1 FROM images WHERE name = %s" % sql_literal(name)) == []
    assert guest_row(guest) == before


def test_a_security_policy_on_a_cell_without_nwfilter_is_refused_and_changes_nothing(s, guest):
    p = "/guests/%s/security_policy" % guest
    before, policy = guest_row(guest), nano_data(s.get(p + "/"))
    assert s.fail("POST", p + "/rules/", {"action": "accept", "to_port": 22,
                                          "protocol": "tcp"}) == lacks("nwfilter")
    assert s.fail("PUT", p + "/default_action", {"action": "reject"}) == lacks("nwfilter")
    assert guest_row(guest) == before and nano_data(s.get(p + "/")) == policy


def test_a_guest_with_a_security_group_on_a_cell_without_nwfilter_is_not_created(s):
    group = nano_data(s.post("/security_policy_groups/", {"name": unique_name("sg")}))["id"]
    try:
        nano_data(s.post("/security_policy_groups/%s/rules/" % group,
                         {"action": "accept", "to_port": 22, "protocol": "tcp"}))
        body = spec(security_policy_group=group)
        assert s.fail("POST", "/guests/", body) == lacks("nwfilter")
        assert by_name(body["name"]) == []
        # An empty policy needs no filter: the same cell takes the guest.
        empty = nano_data(s.post("/security_policy_groups/", {"name": unique_name("sg")}))["id"]
        body = spec(security_policy_group=empty)
        r = s.post("/guests/", body)
        assert r.status_code == 202, r.text
        s.delete("/guests/%s" % r.json()["data"]["id"], {"force": True})
        wait_for(lambda: by_name(body["name"]) == [], WAIT, interval=0.2, what="guest deleted")
        s.delete("/security_policy_groups/%s" % empty)
    finally:
        s.delete("/security_policy_groups/%s" % group)


def test_a_guest_from_an_image_on_a_cell_without_upload_is_not_created(s, tmp_path):
    image = create(s, "disk")
    try:
        upload_ok(s, "disk", image, make_qcow2(tmp_path))
        body = spec(from_image=image)
        assert s.fail("POST", "/guests/", body) == lacks("volume upload")
        assert by_name(body["name"]) == []
    finally:
        s.delete("/disk_images/%s" % image)


def test_credentials_set_on_a_stopped_guest_read_back_at_once_and_reach_it_when_it_runs(s):
    r = s.post("/guests/", spec())
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    p = "/guests/%s/auth" % gid
    try:
        wait_for(lambda: s.get("/guests/%s" % gid).status_code == 200, WAIT, interval=0.2,
                 what="guest created")
        ops = int(run_psql("SELECT count(*) FROM operations WHERE guest_id = %s"
                           % sql_literal(gid))[0][0])
        assert nano_data(s.put(p, {"password": "st0pped-pw", "user": "admin2"})) == \
            {"password": "st0pped-pw", "user": "admin2"}
        assert nano_data(s.get(p)) == {"password": "st0pped-pw", "user": "admin2"}
        # Stored, not queued: nothing runs on the stopped guest; the next boot takes them.
        assert run_psql("SELECT auth_pending, (SELECT count(*) FROM operations WHERE"
                        " guest_id = g.id) FROM guests g WHERE id = %s"
                        % sql_literal(gid)) == [["t", str(ops)]]
        generated = nano_data(s.put(p, {}))
        assert generated["user"] == "admin2" and len(generated["password"]) >= 8
        assert nano_data(s.get(p)) == generated
        # Bad input changes nothing.
        assert "password" in s.fail("PUT", p, {"password": ""})
        assert nano_data(s.get(p)) == generated
        nano_data(s.post("/instances/%s" % gid, {}))
        wait_for(lambda: run_psql("SELECT 1 FROM guests WHERE id = %s AND running AND NOT"
                                  " auth_pending" % sql_literal(gid)), WAIT, interval=0.2,
                 what="the credentials set through the guest agent once it runs")
        assert nano_data(s.get(p)) == generated
    finally:
        s.delete("/guests/%s" % gid, {"force": True})


def test_an_unknown_guests_credentials_are_not_found(s):
    gid = str(uuid.uuid4())
    assert "not found" in s.fail("PUT", "/guests/%s/auth" % gid, {"password": "x1234567"})
