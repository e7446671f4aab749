"""Nano calls that the real server answers after the host's work (start, stop, resize, cores,
snapshots, …) answer only once their operation has ended: the effect reads back at once, a
host's error comes back on the call with the guest unchanged, and past NIMBUS_OP_WAIT (or a
shorter X-Nimbus-Op-Wait) the call names the operation, which goes on. Waiting calls have a
pool of their own, so reads are served while they wait (issue 15)."""
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import (GIB, MIB, nano_data, request, run_psql, sql_literal, unique_name,
                      wait_for)
from nimbus_test.pools import needs_qemu
from nimbus_test.stack import reconciler_stopped as stopped_reconciler

CREATE_TIMEOUT = 60
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def open_ops(gid):
    return int(run_psql("SELECT count(*) FROM operations WHERE guest_id = %s AND status IN"
                        " ('pending', 'running')" % sql_literal(gid))[0][0])


def pool_on_test_driver():
    """A compute pool whose cell runs on libvirt's test driver (no volume resize, no
    nwfilter), or None."""
    rows = run_psql("SELECT p.name FROM cells c JOIN compute_pools p ON p.id = c.pool_id"
                    " WHERE c.uri ~ '^test(\\+[a-z]+)?:' AND c.alive ORDER BY c.id LIMIT 1")
    return rows[0][0] if rows else None


def make_guest(s, pool="default"):
    body = {"name": unique_name("wait"), "pool": pool, "cores": 1, "memory": 64 * MIB,
            "disks": [GIB], "template": "linux-default", "auto_start": False}
    r = s.post("/guests/", body)
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    wait_for(lambda: s.get("/guests/%s" % gid).status_code == 200, CREATE_TIMEOUT,
             interval=0.2, what="guest %s created" % gid)
    return gid


@pytest.fixture
def guest(s):
    gid = make_guest(s)
    yield gid
    s.delete("/guests/%s" % gid, {"force": True})


def test_stop_then_get_shows_it_stopped_and_a_snapshot_made_at_once_is_listed(s, guest):
    nano_data(s.post("/instances/%s" % guest, {}))
    assert nano_data(s.get("/instances/%s" % guest))["running"] is True
    nano_data(s.delete("/instances/%s" % guest, {"reboot": False, "force": True}))
    assert nano_data(s.get("/instances/%s" % guest))["running"] is False
    nano_data(s.post("/instances/%s/snapshots/" % guest, {"name": "after-stop"}))
    assert "after-stop" in nano_data(s.get("/instances/%s/snapshots/" % guest))
    nano_data(s.put("/instances/%s/snapshots/" % guest, {"target": "after-stop"}))
    assert nano_data(s.get("/instances/%s/snapshots/" % guest))["after-stop"]["is_current"]
    nano_data(s.delete("/instances/%s/snapshots/after-stop" % guest))
    assert nano_data(s.get("/instances/%s/snapshots/" % guest)) == {}
    assert open_ops(guest) == 0


def test_reboot_answers_with_the_guest_running(s, guest):
    nano_data(s.post("/instances/%s" % guest, {}))
    nano_data(s.delete("/instances/%s" % guest, {"reboot": True, "force": True}))
    assert nano_data(s.get("/instances/%s" % guest))["running"] is True
    assert open_ops(guest) == 0


def test_name_cores_memory_qos_and_auto_start_read_back_at_once(s, guest):
    name = unique_name("renamed")
    for path, body, check in [
            ("/name/", {"name": name}, lambda d: d["name"] == name),
            ("/cores", {"cores": 2}, lambda d: d["cores"] == 2),
            ("/memory", {"memory": 96 * MIB}, lambda d: d["memory"] == 96 * MIB),
            ("/qos/cpu/", {"priority": "high"}, lambda d: d["qos"]["cpu_priority"] == "high"),
            ("/qos/disk/", {"read_speed": MIB}, lambda d: d["qos"]["read_speed"] == MIB),
            ("/qos/network/", {"send_speed": MIB}, lambda d: d["qos"]["send_speed"] == MIB),
            ("/auto_start", {"enable": True}, lambda d: d["auto_start"] is True)]:
        nano_data(s.put("/guests/%s%s" % (guest, path), body))
        d = nano_data(s.get("/guests/%s" % guest))
        assert check(d), (path, d)
        assert open_ops(guest) == 0, path


def test_a_deleted_guest_is_gone_when_the_delete_answers(s):
    """As the real core's delete waits for its cell: once DELETE /guests/{id} answers, the
    guest reads as not found and nothing of it is queued."""
    gid = make_guest(s)
    nano_data(s.delete("/guests/%s" % gid, {"force": True}))
    assert s.fail("GET", "/guests/%s" % gid) == "guest %s not found" % gid
    assert open_ops(gid) == 0


def test_a_monitor_channel_opens_right_after_the_start(s, guest):
    """The start operation records the display address as it finishes. The test driver's
    domains have no console, so this needs a cell with a real hypervisor."""
    if run_psql("SELECT c.uri ~ '^test(\\+[a-z]+)?:' FROM guests g JOIN cells c"
                " ON c.id = g.cell_id WHERE g.id = %s" % sql_literal(guest)) == [["t"]]:
        pytest.skip("the default pool's cell is libvirt's test driver: its domains have no "
                    "display (test_qemu_e2e.py covers a QEMU cell)")
    nano_data(s.post("/instances/%s" % guest, {}))
    channel = nano_data(s.post("/monitor_channels/", {"guest": guest}))
    assert re.fullmatch(r"[0-9a-f]{32}", channel["id"]), channel


def test_a_host_error_comes_back_on_the_call_and_changes_nothing(s):
    """On a test-driver cell a volume resize and an nwfilter fail on the host (or are refused
    before anything is queued): the call says so, and the guest reads as before."""
    pool = pool_on_test_driver()
    if pool is None:
        pytest.skip("no compute pool has a test-driver cell")
    gid = make_guest(s, pool)
    try:
        before = nano_data(s.get("/guests/%s" % gid))
        message = s.fail("PUT", "/guests/%s/disks/resize/0" % gid,
                         {"size": before["disks"][0] + GIB})
        assert "resiz" in message.lower() or "support" in message, message
        policy = nano_data(s.get("/guests/%s/security_policy/" % gid))
        message = s.fail("POST", "/guests/%s/security_policy/rules/" % gid,
                         {"action": "reject", "to_port": 22, "protocol": "tcp"})
        assert "nwfilter" in message.lower(), message
        assert nano_data(s.get("/guests/%s/security_policy/" % gid)) == policy
        assert nano_data(s.get("/guests/%s" % gid)) == before
        assert open_ops(gid) == 0
    finally:
        s.delete("/guests/%s" % gid, {"force": True})


# ------------------------------------------------ with the reconciler stopped

@pytest.fixture
def reconciler_stopped():
    """The stack's reconciler stopped for the test, then started again."""
    with stopped_reconciler():
        yield


def test_past_the_wait_the_call_names_its_operation_which_goes_on(s, guest, reconciler_stopped):
    started = time.monotonic()
    message = s.fail("PUT", "/guests/%s/cores" % guest, {"cores": 2},
                     headers={"X-Nimbus-Op-Wait": "1"})
    took = time.monotonic() - started
    m = re.fullmatch(r"operation (%s) \(sync_guest\) is still in progress after 1 s; it goes on"
                     % UUID, message)
    assert m, message
    assert 1 <= took < 10, took
    # Not applied yet: the row keeps the old value while the operation waits for its host.
    assert nano_data(s.get("/guests/%s" % guest))["cores"] == 1
    assert run_psql("SELECT status FROM operations WHERE id = %s"
                    % sql_literal(m.group(1))) == [["pending"]]
    assert "is still in progress after 0 s" in s.fail(
        "PUT", "/guests/%s/qos/cpu/" % guest, {"priority": "low"},
        headers={"X-Nimbus-Op-Wait": "0"})


def test_the_operation_goes_on_once_the_reconciler_is_back(s, guest):
    r = s.put("/guests/%s/cores" % guest, {"cores": 2}, headers={"X-Nimbus-Op-Wait": "0"})
    if r.json()["error_code"] != 0:  # answered before the reconciler took it
        assert "it goes on" in r.json()["message"], r.text
        wait_for(lambda: open_ops(guest) == 0, CREATE_TIMEOUT, what="sync_guest done")
    assert nano_data(s.get("/guests/%s" % guest))["cores"] == 2


def test_waiting_calls_leave_reads_served(s, guest, reconciler_stopped):
    """More waiting calls than the API pool has workers, all asleep on their operations: a
    read of the guest is still answered at once (the waits are in their own pool)."""
    waiting = 12

    def wait_call(i):  # a connection of its own per call
        return request("PUT", "/api/v1/guests/%s/qos/disk/" % guest, json={"read_iops": 100 + i},
                       headers={"Nano-Session": s.token, "X-Nimbus-Op-Wait": "4"})

    with ThreadPoolExecutor(max_workers=waiting) as pool:
        calls = [pool.submit(wait_call, i) for i in range(waiting)]
        time.sleep(1)
        for _ in range(5):
            started = time.monotonic()
            nano_data(s.get("/guests/%s" % guest))
            assert time.monotonic() - started < 1.0
        answers = [c.result() for c in calls]
    assert all("it goes on" in a.json()["message"] for a in answers), [a.text for a in answers]


@needs_qemu
def test_rule_edits_queued_behind_one_another_all_hold(s, guest):
    """Two rules added and one moved while the reconciler is stopped (each call answers that its
    operation goes on): every edit starts from the rules the guest will have once what is queued
    before it has run, so all three edits hold once the operations are through. (Started from
    the guest row, each replaced the list with its own edit of the empty list.)"""
    policy = "/guests/%s/security_policy/" % guest
    wait0 = {"X-Nimbus-Op-Wait": "0"}
    with stopped_reconciler():
        for port in (22, 80):
            message = s.fail("POST", policy + "rules/",
                             {"action": "accept", "to_port": port, "protocol": "tcp"},
                             headers=wait0)
            assert "it goes on" in message, message
        message = s.fail("PUT", policy + "rules/1/order", {"direction": "up"}, headers=wait0)
        assert "it goes on" in message, message
        assert nano_data(s.get(policy))["rules"] == []
    wait_for(lambda: open_ops(guest) == 0, CREATE_TIMEOUT, interval=0.2, what="edits done")
    assert [rule["to_port"] for rule in nano_data(s.get(policy))["rules"]] == [80, 22]
