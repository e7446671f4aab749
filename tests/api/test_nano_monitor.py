"""Nano monitor channels on the test driver (issue 7): every refusal, without a real console.
The RFB greeting through a channel is test_qemu_e2e.py's (it needs QEMU's VNC server).

POST /monitor_channels/ refuses unknown, someone else's, stopped and display-less guests;
wss://…/monitor_channels/<id> refuses unknown, used, expired and stale ids (nginx's
auth_request to the workers), and anything that is not a WebSocket upgrade."""
import json
import os
import urllib.parse
import uuid

import pytest
import requests

from conftest import (BASE_URL, GIB, MIB, SIM_POOL, NanoSession, nano_data, run_psql,
                      sql_literal, unique_name, wait_for)
from wsclient import Refused, WebSocket

TIMEOUT = 60


def make_guest(s):
    r = s.post("/guests/", {"name": unique_name("mon"), "pool": SIM_POOL, "cores": 1,
                            "memory": 64 * MIB, "disks": [GIB], "template": "linux-default"})
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    wait_for(lambda: s.get("/guests/%s" % gid).status_code == 200, TIMEOUT, interval=0.2,
             what="guest %s created" % gid)
    return gid


@pytest.fixture(scope="module")
def guest(s):
    """A created, stopped guest on the test driver (the simulated pool; real consoles are
    test_qemu_e2e.py's, on cell0)."""
    gid = make_guest(s)
    yield gid
    s.delete("/guests/%s" % gid, {"force": True})


def channel_rows(gid):
    return run_psql("SELECT id FROM monitor_channels WHERE guest_id = %s" % sql_literal(gid))


def port():
    return urllib.parse.urlsplit(BASE_URL).port or 443


def refused(path):
    """The Nano message of a refused WebSocket upgrade on path."""
    with pytest.raises(Refused) as e:
        WebSocket("127.0.0.1", port(), path).close()
    assert e.value.status == 200, e.value
    doc = json.loads(e.value.body)
    assert doc["error_code"] == 500 and doc["data"] == "", doc
    return doc["message"]


def test_unknown_or_malformed_guest_is_not_found(s):
    for gid in (str(uuid.uuid4()), "not-a-uuid"):
        assert s.fail("POST", "/monitor_channels/", {"guest": gid}) == "guest %s not found" % gid


def test_the_guest_is_required(s):
    assert "guest" in s.fail("POST", "/monitor_channels/", {})
    assert "guest" in s.fail("POST", "/monitor_channels/", {"guest": 7})


def test_a_stopped_guest_gets_no_channel(s, guest):
    assert nano_data(s.get("/instances/%s" % guest))["running"] is False
    msg = s.fail("POST", "/monitor_channels/", {"guest": guest})
    assert "is not running" in msg
    assert channel_rows(guest) == []


def test_someone_elses_guest_is_not_found(s, guest, scratch):
    group = scratch.group(roles=[scratch.role(menu=["instance"])])
    other = NanoSession(*scratch.user(group=group))
    assert other.fail("POST", "/monitor_channels/", {"guest": guest}) == \
        "guest %s not found" % guest
    assert channel_rows(guest) == []


def test_a_running_guest_without_a_display_gets_no_channel(s):
    """The test driver's domains have no VNC server: no display address, no channel."""
    gid = make_guest(s)
    try:
        nano_data(s.post("/instances/%s" % gid, {}))
        wait_for(lambda: nano_data(s.get("/instances/%s" % gid))["running"], TIMEOUT,
                 interval=0.2, what="running")
        d = nano_data(s.get("/instances/%s" % gid))
        if d["internal"]["display_address"]:
            pytest.skip("this host driver reports a display: covered by test_qemu_e2e.py")
        assert "has no display address" in s.fail("POST", "/monitor_channels/", {"guest": gid})
        assert channel_rows(gid) == []
    finally:
        s.delete("/guests/%s" % gid, {"force": True})


def test_unauthenticated_requests_are_refused():
    r = requests.post(BASE_URL + "/api/v1/monitor_channels/", json={"guest": str(uuid.uuid4())},
                      verify=False, timeout=30)
    assert r.status_code == 200 and r.json()["error_code"] == 500, r.text


def insert_channel(gid, *, used=False, expired=False, address="127.0.0.1:5999"):
    cid = uuid.uuid4().hex
    run_psql("INSERT INTO monitor_channels (id, guest_id, owner_id, address, expires_at, used_at)"
             " SELECT %s, %s, owner_id, %s, now() + interval '%s', %s FROM guests WHERE id = %s"
             % (sql_literal(cid), sql_literal(gid), sql_literal(address),
                "-1 second" if expired else "1 minute", "now()" if used else "NULL",
                sql_literal(gid)))
    return cid


def unused(cid):
    return run_psql("SELECT used_at IS NULL FROM monitor_channels WHERE id = %s"
                    % sql_literal(cid)) == [["t"]]


def test_unknown_channel_ids_are_refused():
    cid = uuid.uuid4().hex
    assert refused("/monitor_channels/%s" % cid) == "monitor channel %s not found" % cid
    assert refused("/monitor_channels/not-a-channel") == "monitor channel not found"


def test_used_and_expired_channels_are_refused(guest):
    used = insert_channel(guest, used=True)
    assert refused("/monitor_channels/%s" % used) == "monitor channel %s was already used" % used
    expired = insert_channel(guest, expired=True)
    assert refused("/monitor_channels/%s" % expired) == "monitor channel %s has expired" % expired
    assert unused(expired)


def test_a_channel_whose_guest_stopped_is_refused_and_stays_unused(guest):
    """Bound to the display address: a stopped guest (or one whose display moved) refuses."""
    cid = insert_channel(guest)
    msg = refused("/monitor_channels/%s" % cid)
    assert msg == "monitor channel %s is stale: the guest stopped or its display moved" % cid
    assert unused(cid)


def test_only_websocket_upgrades_are_taken(guest):
    cid = insert_channel(guest)
    r = requests.get(BASE_URL + "/monitor_channels/%s" % cid, verify=False, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"error_code": 500, "data": "",
                        "message": "monitor channels take WebSocket connections only"}
    assert unused(cid)


def test_the_consume_check_is_internal_to_nginx():
    for path in ("/_nimbus/monitor_auth", "//_nimbus/monitor_auth"):
        r = requests.get(BASE_URL + path, verify=False, timeout=30,
                         headers={"Nimbus-Monitor-Auth": "1"})
        assert r.status_code == 404, r.text


def test_novnc_page_is_served():
    if not os.path.isdir("/usr/share/novnc"):
        pytest.skip("noVNC is not installed (Debian package novnc)")
    r = requests.get(BASE_URL + "/novnc/vnc.html", verify=False, timeout=30)
    assert r.status_code == 200 and "noVNC" in r.text
