"""Nano guests end to end on the simulated pool (sim0, libvirt's test driver): the API writes
desired state and an operation, the reconciler carries it out on libvirt, and the API shows
what the host reports (issue 6). A disk resize, which the test driver cannot do, runs on the
QEMU cell0 of pool default (issue 15)."""
import re
import uuid

import pytest

from conftest import (GIB, HOST_CELL, HOST_POOL, MIB, SIM_CELL, SIM_POOL, NanoSession, nano_data,
                      needs_qemu, run_psql, sql_literal, unique_name, wait_for)

CREATE_TIMEOUT = 60


def spec(**over):
    body = {"name": unique_name("vm"), "pool": SIM_POOL, "cores": 1, "memory": 64 * MIB,
            "disks": [GIB], "template": "linux-default", "auto_start": False}
    body.update(over)
    return body


def guest_rows(name):
    return run_psql("SELECT id FROM guests WHERE name = %s" % sql_literal(name))


def wait_created(s, gid):
    def created():
        r = s.get("/guests/%s" % gid)
        body = r.json()
        assert body["error_code"] == 0, r.text
        return r.status_code == 200 and body["data"]
    return wait_for(created, CREATE_TIMEOUT, interval=0.2, what="guest %s created" % gid)


def wait_running(s, gid, running):
    return wait_for(lambda: (lambda d: d["running"] is running and d)(
        nano_data(s.get("/instances/%s" % gid))), CREATE_TIMEOUT, interval=0.2,
        what="guest %s running=%s" % (gid, running))


def wait_gone(s, gid):
    wait_for(lambda: not run_psql("SELECT 1 FROM guests WHERE id = %s" % sql_literal(gid)),
             CREATE_TIMEOUT, interval=0.2, what="guest %s deleted" % gid)


@pytest.fixture(scope="module")
def guest(s):
    """A created, stopped guest shared by the read-only tests of this module."""
    r = s.post("/guests/", spec())
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    wait_created(s, gid)
    yield gid
    s.delete("/guests/%s" % gid, {"force": True})


def test_create_answers_202_with_an_id_then_201_while_creating_then_200(s):
    body = spec(cores=2, memory=128 * MIB, disks=[2 * GIB, GIB],
                qos={"cpu_priority": "high", "write_speed": MIB})
    r = s.post("/guests/", body)
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    assert re.match(r"^[0-9a-f-]{36}$", gid)
    first = s.get("/guests/%s" % gid)
    assert first.status_code in (200, 201)
    if first.status_code == 201:
        d = first.json()["data"]
        assert d["name"] == body["name"] and d["created"] is False and 0 <= d["progress"] <= 100
    d = wait_created(s, gid)
    assert d["id"] == gid and d["name"] == body["name"]
    assert d["created"] is True and d["running"] is False
    assert d["cores"] == 2 and d["memory"] == 128 * MIB
    assert d["disks"] == [2 * GIB, GIB] and d["total_disk"] == 3 * GIB
    assert d["owner"] == "admin" and d["pool"] == SIM_POOL and d["cell"] == SIM_CELL
    assert re.match(r"^52:54:00(:[0-9a-f]{2}){3}$", d["ethernet_address"])
    assert d["qos"]["cpu_priority"] == "high" and d["qos"]["write_speed"] == MIB
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", d["create_time"])
    s.delete("/guests/%s" % gid, {"force": True})
    wait_gone(s, gid)


@pytest.mark.parametrize("over, words", [
    ({"template": "no-such-template"}, "template no-such-template not found"),
    ({"pool": "no-such-pool"}, "compute pool no-such-pool not found"),
    ({"cores": 0}, "cores"),
    ({"cores": 1000}, "cores"),
    ({"memory": 0}, "memory"),
    ({"memory": 1 << 50}, "memory"),
    ({"disks": []}, "disks"),
    ({"disks": [-1]}, "disks"),
    ({"disks": ["x"]}, "disks"),
    ({"ethernet_address": "not-a-mac"}, "invalid MAC address"),
    ({"network_address": "300.1.1.1"}, "invalid IPv4 address"),
    ({"from_image": str(uuid.uuid4())}, "not found"),
    ({"security_policy_group": str(uuid.uuid4())}, "not found"),
    ({"modules": ["bogus"]}, "unknown module"),
    ({"qos": {"cpu_priority": "urgent"}}, "cpu_priority"),
    ({"qos": {"write_speed": -5}}, "write_speed"),
    ({"cores": "two"}, "cores"),
    ({"bogus": 1}, "bogus"),
    ({"name": "bad name"}, "guest name"),
])
def test_create_with_bad_input_is_refused_and_creates_nothing(s, over, words):
    body = spec(**over)
    msg = s.fail("POST", "/guests/", body)
    assert words in msg
    assert guest_rows(body["name"]) == []


def test_create_with_duplicate_name_in_the_pool_is_refused(s, guest):
    name = nano_data(s.get("/guests/%s" % guest))["name"]
    assert "already exists" in s.fail("POST", "/guests/", spec(name=name))
    assert len(guest_rows(name)) == 1


def test_unknown_or_malformed_guest_ids_are_not_found(s):
    for gid in (str(uuid.uuid4()), "not-a-uuid"):
        assert s.fail("GET", "/guests/%s" % gid) == "guest %s not found" % gid
        assert s.fail("GET", "/instances/%s" % gid) == "guest %s not found" % gid
        assert s.fail("DELETE", "/guests/%s" % gid) == "guest %s not found" % gid


def test_start_stop_are_observed_from_the_host(s, guest):
    assert nano_data(s.get("/instances/%s" % guest))["running"] is False
    assert "is not running" in s.fail("DELETE", "/instances/%s" % guest, {"reboot": False})
    assert "booting from the network is not supported" in s.fail(
        "POST", "/instances/%s" % guest, {"from_network": True})
    assert nano_data(s.get("/instances/%s" % guest))["running"] is False
    nano_data(s.post("/instances/%s" % guest, {}))
    d = nano_data(s.get("/instances/%s" % guest))
    assert d["running"] is True
    for key in ("cpu_usage", "memory_available", "disk_available", "bytes_read",
                "bytes_written", "bytes_received", "bytes_sent"):
        assert key in d
    assert "already running" in s.fail("POST", "/instances/%s" % guest, {})
    assert "only while it is stopped" in s.fail("PUT", "/guests/%s/memory" % guest,
                                                {"memory": 32 * MIB})
    assert "snapshots only while it is stopped" in s.fail(
        "POST", "/instances/%s/snapshots/" % guest, {"name": "s1"})
    assert "stop it first or delete with force" in s.fail("DELETE", "/guests/%s" % guest, {})
    assert nano_data(s.get("/guests/%s" % guest))["created"] is True
    nano_data(s.delete("/instances/%s" % guest, {"reboot": False, "force": True}))
    assert nano_data(s.get("/instances/%s" % guest))["running"] is False


def test_modify_cores_memory_name_and_qos_while_stopped(s, guest):
    nano_data(s.put("/guests/%s/cores" % guest, {"cores": 2}))
    nano_data(s.put("/guests/%s/memory" % guest, {"memory": 96 * MIB}))
    name = unique_name("renamed")
    nano_data(s.put("/guests/%s/name/" % guest, {"name": name}))
    nano_data(s.put("/guests/%s/qos/cpu/" % guest, {"priority": "low"}))
    nano_data(s.put("/guests/%s/qos/disk/" % guest, {"read_iops": 100, "write_iops": 50}))
    nano_data(s.put("/guests/%s/qos/network/" % guest, {"receive_speed": MIB, "send_speed": MIB}))
    nano_data(s.put("/guests/%s/auto_start" % guest, {"enable": True}))
    d = nano_data(s.get("/guests/%s" % guest))
    assert (d["cores"], d["memory"], d["name"], d["auto_start"]) == (2, 96 * MIB, name, True)
    assert d["qos"]["cpu_priority"] == "low" and d["qos"]["read_iops"] == 100
    assert d["qos"]["send_speed"] == MIB
    # Each call answered once the host had it: nothing is left open, nothing failed.
    assert run_psql("SELECT count(*) FROM operations WHERE guest_id = %s AND"
                    " status IN ('pending', 'running')" % sql_literal(guest))[0][0] == "0"
    assert run_psql("SELECT count(*) FROM operations WHERE guest_id = %s AND status = 'failed'"
                    " AND kind = 'sync_guest'" % sql_literal(guest))[0][0] == "0"


@pytest.mark.parametrize("path, body, words", [
    ("/cores", {"cores": 0}, "cores"),
    ("/cores", {"cores": 1000}, "cores"),
    ("/memory", {"memory": 0}, "memory"),
    ("/qos/cpu/", {"priority": "turbo"}, "cpu_priority"),
    ("/qos/disk/", {"read_iops": -1}, "read_iops"),
    ("/name/", {"name": "no spaces allowed"}, "guest name"),
    ("/disks/resize/0", {"size": 1}, "must grow"),
    ("/disks/resize/7", {"size": 10 * GIB}, "has no disk 7"),
])
def test_bad_modifications_change_nothing(s, guest, path, body, words):
    before = nano_data(s.get("/guests/%s" % guest))
    assert words in s.fail("PUT", "/guests/%s%s" % (guest, path), body)
    after = nano_data(s.get("/guests/%s" % guest))
    assert after == before


@needs_qemu
def test_disk_resize_follows_the_host(s):
    """The row grows only when the host grew the volume: on the QEMU cell0, whose driver can
    (on the test driver the call is refused: test_nano_cell_features.py)."""
    r = s.post("/guests/", spec(pool=HOST_POOL, disks=[64 * MIB]))
    assert r.status_code == 202, r.text
    guest = r.json()["data"]["id"]
    try:
        resize_follows_the_host(s, guest)
    finally:
        s.delete("/guests/%s" % guest, {"force": True})


def resize_follows_the_host(s, guest):
    d = wait_created(s, guest)
    assert d["cell"] == HOST_CELL
    nano_data(s.put("/guests/%s/disks/resize/0" % guest, {"size": d["disks"][0] + 64 * MIB}))
    # The call answered once the host had grown the volume: the row reads it back at once.
    assert nano_data(s.get("/guests/%s" % guest))["disks"][0] == d["disks"][0] + 64 * MIB


def test_disk_shrink_is_carried_out_only_where_the_file_is_reachable(s, guest):
    """Shrinking rewrites the qcow2 file with qemu-img, which needs the file on the
    reconciler's host: on the test driver's cell the call fails and says why."""
    assert "has no disk 9" in s.fail("PUT", "/guests/%s/disks/shrink/9" % guest, {})
    assert "this reconciler's host" in s.fail("PUT", "/guests/%s/disks/shrink/0" % guest,
                                              {"immediate": False})


@needs_qemu
def test_disk_shrink_is_carried_out_on_the_qemu_cell(s, host_guest):
    """cell0's volumes live in a directory the reconciler sees too (app/stack.sh registers it
    with --storage), so qemu-img can rewrite them."""
    nano_data(s.put("/guests/%s/disks/shrink/0" % host_guest, {"immediate": False}))
    # The call answered once the host was through: its operation is done already.
    assert run_psql("SELECT status FROM operations WHERE guest_id = %s AND kind = 'shrink_disk'"
                    " ORDER BY created_at DESC LIMIT 1" % sql_literal(host_guest)) == [["done"]]


def test_snapshots_tree_create_restore_delete(s, guest):
    assert nano_data(s.get("/instances/%s/snapshots/" % guest)) == {}
    nano_data(s.post("/instances/%s/snapshots/" % guest, {"name": "base", "description": "first"}))
    assert "base" in nano_data(s.get("/instances/%s/snapshots/" % guest))
    nano_data(s.post("/instances/%s/snapshots/" % guest, {"name": "next"}))
    tree = nano_data(s.get("/instances/%s/snapshots/" % guest))
    assert tree["base"].get("is_root") is True
    assert tree["next"]["backing"] == "base" and tree["next"].get("is_current") is True
    info = nano_data(s.get("/instances/%s/snapshots/base" % guest))
    assert info["description"] == "first" and info["running"] is False
    assert "already exists" in s.fail("POST", "/instances/%s/snapshots/" % guest, {"name": "base"})
    assert "snapshot nope not found" == s.fail("PUT", "/instances/%s/snapshots/" % guest,
                                               {"target": "nope"})
    nano_data(s.put("/instances/%s/snapshots/" % guest, {"target": "base"}))
    assert nano_data(s.get("/instances/%s/snapshots/" % guest))["base"].get("is_current")
    nano_data(s.delete("/instances/%s/snapshots/next" % guest))
    assert "next" not in nano_data(s.get("/instances/%s/snapshots/" % guest))
    assert s.fail("DELETE", "/instances/%s/snapshots/next" % guest) == "snapshot next not found"


@pytest.fixture
def host_guest(s):
    """A created, stopped guest on the QEMU cell0 (a security policy becomes its nwfilter)."""
    r = s.post("/guests/", spec(pool=HOST_POOL, disks=[64 * MIB]))
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    wait_created(s, gid)
    yield gid
    s.delete("/guests/%s" % gid, {"force": True})


@needs_qemu
def test_security_policy_rules_append_modify_order_remove(s, host_guest):
    guest = host_guest
    p = "/guests/%s/security_policy" % guest
    assert nano_data(s.get(p + "/")) == {"default_action": "accept", "rules": []}
    rule = {"action": "accept", "to_port": 22, "protocol": "tcp"}
    nano_data(s.post(p + "/rules/", rule))
    nano_data(s.post(p + "/rules/", {"action": "reject", "to_port": 80, "protocol": "tcp",
                                     "from_address": "10.0.0.1"}))
    nano_data(s.put(p + "/rules/1/order", {"direction": "up"}))
    rules = nano_data(s.get(p + "/"))["rules"]
    assert [x["to_port"] for x in rules] == [80, 22]
    nano_data(s.put(p + "/rules/0", {"action": "accept", "to_port": 443, "protocol": "tcp"}))
    nano_data(s.put(p + "/default_action", {"action": "reject"}))
    nano_data(s.delete(p + "/rules/1"))
    assert nano_data(s.get(p + "/")) == {
        "default_action": "reject", "rules": [{"action": "accept", "to_port": 443, "protocol": "tcp"}]}
    before = nano_data(s.get(p + "/"))
    for method, path, body, words in [
            ("POST", "/rules/", {"action": "accept", "to_port": 70000, "protocol": "tcp"}, "to_port"),
            ("POST", "/rules/", {"action": "maybe", "to_port": 1, "protocol": "tcp"}, "action"),
            ("POST", "/rules/", {"action": "accept", "to_port": 1, "protocol": "sctp"}, "protocol"),
            ("POST", "/rules/", {"action": "accept", "to_port": 1, "protocol": "tcp",
                                 "from_address": "1.2.3"}, "from_address"),
            ("PUT", "/rules/5", {"action": "accept", "to_port": 1, "protocol": "tcp"}, "no security policy rule 5"),
            ("PUT", "/rules/0/order", {"direction": "up"}, "cannot move up"),
            ("DELETE", "/rules/9", None, "no security policy rule 9"),
            ("PUT", "/default_action", {"action": "drop"}, "action")]:
        assert words in s.fail(method, p + path, body)
    assert nano_data(s.get(p + "/")) == before


def test_guest_search_filters_and_keyword_search(s, guest):
    d = nano_data(s.get("/guests/%s" % guest))
    found = nano_data(s.get("/guest_search/?pool=sim&created=true"))
    assert guest in [g["id"] for g in found]
    assert guest not in [g["id"] for g in nano_data(s.get("/guest_search/?pool=sim&status=1"))]
    assert nano_data(s.get("/guest_search/?pool=no-such-pool")) == []
    assert "status" in s.fail("GET", "/guest_search/?status=maybe")
    res = nano_data(s.post("/search/guests/", {"limit": 10, "keyword": d["name"]}))
    assert [g["id"] for g in res["result"]] == [guest]
    assert res["total"] == 1 and res["limit"] == 10 and res["offset"] == 0
    assert "limit" in s.fail("POST", "/search/guests/", {"limit": 0})


def test_guest_search_pages_by_key(s):
    ids = []
    for _ in range(3):
        r = s.post("/guests/", spec())
        assert r.status_code == 202, r.text
        ids.append(r.json()["data"]["id"])
    try:
        seen, after = [], None
        while True:
            q = "/guest_search/?limit=2" + ("&after=%s" % after if after else "")
            page = nano_data(s.get(q))
            if not page:
                break
            seen += [g["id"] for g in page]
            after = page[-1]["id"]
        assert all(i in seen for i in ids) and len(seen) == len(set(seen))
    finally:
        for i in ids:
            wait_created(s, i)
            s.delete("/guests/%s" % i, {"force": True})


def test_another_user_cannot_see_or_touch_the_admins_guest(s, guest, scratch):
    group = scratch.group(roles=[scratch.role(menu=["instance"])])
    user, password = scratch.user(group=group)
    other = NanoSession(user, password)
    for method, path, body in [("GET", "/guests/%s", None), ("GET", "/instances/%s", None),
                               ("DELETE", "/guests/%s", {"force": True}),
                               ("POST", "/instances/%s", {}),
                               ("PUT", "/guests/%s/cores", {"cores": 1}),
                               ("GET", "/guests/%s/security_policy/", None)]:
        assert other.fail(method, path % guest, body) == "guest %s not found" % guest
    assert guest not in [g["id"] for g in nano_data(other.get("/guest_search/"))]
    assert nano_data(s.get("/guests/%s" % guest))["created"] is True


def test_batch_create_stop_and_delete(s):
    prefix = unique_name("b")
    body = {k: v for k, v in spec().items() if k != "name"}
    body.update(name_rule="order", name_prefix=prefix, count=3)
    r = s.post("/batch/create_guest/", body)
    assert r.status_code == 202, r.text
    batch = r.json()["data"]["id"]

    def done():
        st = s.get("/batch/create_guest/%s" % batch)
        assert st.json()["error_code"] == 0, st.text
        return st.status_code == 200 and st.json()["data"]
    rows = wait_for(done, CREATE_TIMEOUT, interval=0.3, what="batch created")
    assert sorted(x["name"] for x in rows) == ["%s_%d" % (prefix, i) for i in range(3)]
    assert all(x["status"] == "created" for x in rows)
    ids = [x["id"] for x in rows]
    for i in ids:
        nano_data(s.post("/instances/%s" % i, {}))
    for i in ids:
        wait_running(s, i, True)
    r = s.post("/batch/stop_guest/", {"guests": ids})
    assert r.status_code == 202, r.text
    stop = r.json()["data"]["id"]
    wait_for(lambda: s.get("/batch/stop_guest/%s" % stop).status_code == 200, CREATE_TIMEOUT,
             what="batch stopped")
    assert all(x["status"] == "stopped" for x in nano_data(s.get("/batch/stop_guest/%s" % stop)))
    unknown = str(uuid.uuid4())
    assert s.fail("POST", "/batch/delete_guest/", {"guest": ids + [unknown]}) == \
        "guest %s not found" % unknown
    assert len(run_psql("SELECT 1 FROM guests WHERE name LIKE %s" % sql_literal(prefix + "_%"))) == 3
    r = s.post("/batch/delete_guest/", {"guest": ids})
    assert r.status_code == 202, r.text
    delete = r.json()["data"]["id"]
    wait_for(lambda: s.get("/batch/delete_guest/%s" % delete).status_code == 200, CREATE_TIMEOUT,
             what="batch deleted")
    assert all(x["status"] == "deleted" for x in nano_data(s.get("/batch/delete_guest/%s" % delete)))
    assert run_psql("SELECT 1 FROM guests WHERE name LIKE %s" % sql_literal(prefix + "_%")) == []
    assert s.fail("GET", "/batch/create_guest/%s" % uuid.uuid4()).endswith("not found")


def test_delete_running_needs_force_then_releases_everything(s):
    r = s.post("/guests/", spec())
    gid = r.json()["data"]["id"]
    wait_created(s, gid)
    nano_data(s.post("/instances/%s" % gid, {}))
    wait_running(s, gid, True)
    assert "delete with force" in s.fail("DELETE", "/guests/%s" % gid, {"force": False})
    nano_data(s.delete("/guests/%s" % gid, {"force": True}))
    wait_gone(s, gid)
    assert s.fail("GET", "/guests/%s" % gid) == "guest %s not found" % gid


def test_guests_get_addresses_from_their_pools_address_pool(s):
    import os
    import subprocess
    from conftest import DB, build_dir
    cell, ap, cp = unique_name("c"), unique_name("ap"), unique_name("cp")
    ctl = [os.path.join(build_dir(), "nimbusctl")]
    env = dict(os.environ, NIMBUS_DB=DB)
    assert subprocess.run(ctl + ["cell", "add", cell, "--uri", "test:///default"], env=env,
                          capture_output=True).returncode == 0
    made = []
    try:
        nano_data(s.post("/address_pools/%s" % ap, {"gateway": "10.9.0.1"}))
        nano_data(s.post("/address_pools/%s/internal/ranges/10.9.0.10" % ap,
                         {"end": "10.9.0.20", "netmask": "255.255.255.0"}))
        nano_data(s.post("/compute_pools/%s" % cp, {"network": ap}))
        nano_data(s.post("/compute_pool_cells/%s/%s" % (cp, cell)))
        wait_for(lambda: run_psql("SELECT alive FROM cells WHERE name = %s" % sql_literal(cell))
                 == [["t"]], 30, what="cell alive")
        for want in (None, None, "10.9.0.15"):
            body = spec(pool=cp, **({"network_address": want} if want else {}))
            r = s.post("/guests/", body)
            assert r.status_code == 202, r.text
            made.append(r.json()["data"]["id"])
        got = [wait_created(s, g)["internal"]["allocated_address"] for g in made]
        assert got == ["10.9.0.10", "10.9.0.11", "10.9.0.15"]
        before = len(run_psql("SELECT 1 FROM guests"))
        for want in ("10.9.0.11", "192.168.7.7"):
            s.fail("POST", "/guests/", spec(pool=cp, network_address=want))
        assert len(run_psql("SELECT 1 FROM guests")) == before
        pool = nano_data(s.get("/address_pools/%s" % ap))
        assert sorted(a["address"] for a in pool["allocated"]) == sorted(got)
    finally:
        for g in made:
            wait_created(s, g)
            s.delete("/guests/%s" % g, {"force": True})
        for g in made:
            wait_gone(s, g)
        assert nano_data(s.get("/address_pools/%s" % ap))["allocated"] in ([], None)
        s.delete("/compute_pool_cells/%s/%s" % (cp, cell))
        s.delete("/compute_pools/%s" % cp)
        s.delete("/address_pools/%s" % ap)
        subprocess.run(ctl + ["cell", "remove", cell], env=env, capture_output=True)
