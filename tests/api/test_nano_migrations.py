"""Nano migrations on the test driver: guests move between two cells that are separate
in-process hosts (file-backed test:///…/nodeA.xml and nodeB.xml URIs), carried out by the
reconciler holding the source cell as migrate_guest operations grouped by the migration id
(issue 6, docs/operations.md). The test driver keeps no volume data and has no live migration:
cold migration moves the definition and empty volumes, running guests are refused."""
import json
import os
import subprocess
import uuid

import pytest

from conftest import (DB, GIB, MIB, NanoSession, build_dir, nano_data, psql_scalar, run_psql,
                      sql_literal, unique_name, wait_for)

TIMEOUT = 60

NODE = """<node>
  <cpu><mode>32</mode><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>2</threads>
       <active>8</active><mhz>2000</mhz><model>i686</model></cpu>
  <memory>8388608</memory>
  <pool type='dir'>
    <name>pool-%(tag)s</name>
    <uuid>%(uuid)s</uuid>
    <capacity>107374182400</capacity><allocation>0</allocation><available>107374182400</available>
    <source/>
    <target><path>%(dir)s/images-%(tag)s</path></target>
  </pool>
</node>
"""


def register(name, uri, pool):
    p = subprocess.run([os.path.join(build_dir(), "nimbusctl"), "cell", "add", name, "--uri", uri,
                        "--pool", pool], env=dict(os.environ, NIMBUS_DB=DB), capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, "nimbusctl cell add: %s%s" % (p.stdout, p.stderr)


def cell_alive(name):
    return psql_scalar("SELECT alive AND observed_at IS NOT NULL FROM cells WHERE name = %s"
                       % sql_literal(name)) == "t"


@pytest.fixture(scope="module")
def site(s, tmp_path_factory):
    """A compute pool with two cells, each its own test-driver host: {pool, a, b}."""
    d = tmp_path_factory.mktemp("migrate")
    pool = unique_name("p")
    s.ok("POST", "/compute_pools/%s" % pool, {})
    cells = {}
    for tag in ("a", "b"):
        path = d / ("node%s.xml" % tag.upper())
        path.write_text(NODE % {"tag": tag, "uuid": str(uuid.uuid4()), "dir": d})
        cells[tag] = unique_name("c" + tag)
        register(cells[tag], "test://%s" % path, pool)
    for name in cells.values():
        wait_for(lambda: cell_alive(name), 30, interval=0.2, what="cell %s alive" % name)
    yield {"pool": pool, **cells}
    for gid, in run_psql("SELECT id FROM guests WHERE pool_id = (SELECT id FROM compute_pools"
                         " WHERE name = %s)" % sql_literal(pool)):
        s.delete("/guests/%s" % gid, {"force": True})
    wait_for(lambda: not run_psql("SELECT 1 FROM guests g JOIN compute_pools p ON p.id = g.pool_id"
                                  " WHERE p.name = %s" % sql_literal(pool)),
             TIMEOUT, interval=0.2, what="guests of %s deleted" % pool)
    run_psql("BEGIN; DELETE FROM operations WHERE cell_id IN (SELECT id FROM cells WHERE name IN"
             " (%s, %s)); DELETE FROM cells WHERE name IN (%s, %s);"
             " DELETE FROM compute_pools WHERE name = %s; COMMIT;"
             % (sql_literal(cells["a"]), sql_literal(cells["b"]), sql_literal(cells["a"]),
                sql_literal(cells["b"]), sql_literal(pool)))


def create_guest(s, pool):
    r = s.post("/guests/", {"name": unique_name("vm"), "pool": pool, "cores": 1,
                            "memory": 64 * MIB, "disks": [GIB, 2 * GIB],
                            "template": "linux-default"})
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    wait_for(lambda: s.get("/guests/%s" % gid).status_code == 200, TIMEOUT, interval=0.2,
             what="guest %s created" % gid)
    return gid


@pytest.fixture(scope="module")
def guest(s, site):
    """A created, stopped guest of the site's pool."""
    return create_guest(s, site["pool"])


def guest_data(s, gid):
    return nano_data(s.get("/guests/%s" % gid))


def other(site, cell):
    return site["b"] if cell == site["a"] else site["a"]


def start(s, body):
    """POST /migrations/ → the migration id (202, data a list of one {id})."""
    r = s.post("/migrations/", body)
    assert r.status_code == 202, r.text
    data = r.json()["data"]
    assert r.json()["error_code"] == 0 and isinstance(data, list) and len(data) == 1, r.text
    return data[0]["id"]


def status(s, mid):
    r = s.get("/migrations/%s" % mid)
    return r.status_code, r.json()


def finished(s, mid):
    """Polls the migration until it answers 200 (or an error); every 201 on the way carries
    finished false and a progress of 0-100."""
    seen = []

    def done():
        code, body = status(s, mid)
        seen.append(code)
        if code == 201:
            assert body["error_code"] == 0 and body["data"]["finished"] is False, body
            assert 0 <= body["data"]["progress"] <= 100, body
            return False
        return body
    return wait_for(done, TIMEOUT, interval=0.1, what="migration %s" % mid), seen


def migrations_of(gid):
    return int(psql_scalar("SELECT count(*) FROM operations WHERE kind = 'migrate_guest'"
                           " AND guest_id = %s" % sql_literal(gid)))


def lost_after_observation(gid):
    """The guest's lost flag once the guests of its cell have been observed after now."""
    mark = psql_scalar("SELECT now()")
    wait_for(lambda: psql_scalar("SELECT coalesce(c.guests_observed_at > %s, false) FROM guests g"
                                 " JOIN cells c ON c.id = g.cell_id WHERE g.id = %s"
                                 % (sql_literal(mark), sql_literal(gid))) == "t",
             TIMEOUT, interval=0.2, what="guest %s observed" % gid)
    return psql_scalar("SELECT lost FROM guests WHERE id = %s" % sql_literal(gid)) == "t"


def test_cold_migration_moves_a_stopped_guest_to_the_target_cell(s, site, guest):
    source = guest_data(s, guest)["cell"]
    target = other(site, source)
    mid = start(s, {"source_pool": site["pool"], "source_cell": source,
                    "target_pool": site["pool"], "target_cell": target, "instances": [guest]})
    body, seen = finished(s, mid)
    assert body == {"error_code": 0, "message": "", "data": {"finished": True}}, (body, seen)
    assert set(seen) <= {200, 201}
    d = guest_data(s, guest)
    assert d["cell"] == target and d["migrating"] is False and d["created"] is True
    result = json.loads(psql_scalar("SELECT result::text FROM operations WHERE batch_id = %s"
                                    % sql_literal(mid)))
    # The test driver streams no volume content: the result says so rather than pretend.
    assert result["mode"] == "cold" and result["volumes"] == 2
    assert result["source_cell"] == source and result["target_cell"] == target
    assert result["content_copied"] is False and "empty volumes" in result["note"]
    # The target's host has the domain: observing it there, the guest is not lost ...
    assert lost_after_observation(guest) is False
    # ... and the source's host has it no more: a row pointing back there is reported lost.
    run_psql("UPDATE guests SET cell_id = (SELECT id FROM cells WHERE name = %s) WHERE id = %s"
             % (sql_literal(source), sql_literal(guest)))
    try:
        assert lost_after_observation(guest) is True
    finally:
        run_psql("UPDATE guests SET cell_id = (SELECT id FROM cells WHERE name = %s) WHERE id = %s"
                 % (sql_literal(target), sql_literal(guest)))
    assert lost_after_observation(guest) is False
    # The moved domain works on its new host.
    nano_data(s.post("/instances/%s" % guest, {}))
    wait_for(lambda: nano_data(s.get("/instances/%s" % guest))["running"] is True, TIMEOUT,
             interval=0.2, what="guest running on the target")
    nano_data(s.delete("/instances/%s" % guest, {"force": True}))
    wait_for(lambda: nano_data(s.get("/instances/%s" % guest))["running"] is False, TIMEOUT,
             interval=0.2, what="guest stopped on the target")


def test_a_rerun_after_a_crash_finishes_the_move(s, site, guest):
    """A reconciler that died after moving the domain but before recording it: the row still
    names the old cell and the operation is still open. Run again, it finds the domain on the
    target, cleans up the source and moves the row, once."""
    target = guest_data(s, guest)["cell"]
    source = other(site, target)
    run_psql("UPDATE guests SET cell_id = (SELECT id FROM cells WHERE name = %s), migrating = true"
             " WHERE id = %s" % (sql_literal(source), sql_literal(guest)))
    mid = str(uuid.uuid4())
    run_psql("INSERT INTO operations (kind, guest_id, cell_id, batch_id, owner_id, params, status,"
             "                        attempts)"
             " SELECT 'migrate_guest', %s, (SELECT id FROM cells WHERE name = %s), %s, id,"
             " jsonb_build_object('target_cell', (SELECT id FROM cells WHERE name = %s)),"
             " 'running', 1 FROM users WHERE name = 'admin'"
             % (sql_literal(guest), sql_literal(source), sql_literal(mid), sql_literal(target)))
    body, _ = finished(s, mid)
    assert body["data"] == {"finished": True}, body
    row = run_psql("SELECT attempts, result->>'mode' FROM operations WHERE batch_id = %s"
                   % sql_literal(mid))
    assert row == [["2", "resumed"]]
    d = guest_data(s, guest)
    assert d["cell"] == target and d["migrating"] is False
    assert lost_after_observation(guest) is False


def test_default_target_and_instances_move_every_guest_of_the_source_cell(s, site, guest):
    second = create_guest(s, site["pool"])
    # Gather both guests on one cell first, then move that cell's guests with no target named.
    source = guest_data(s, guest)["cell"]
    if guest_data(s, second)["cell"] != source:
        body, _ = finished(s, start(s, {"source_pool": site["pool"],
                                        "source_cell": guest_data(s, second)["cell"],
                                        "target_cell": source, "instances": [second]}))
        assert body["data"] == {"finished": True}, body
    before = migrations_of(guest), migrations_of(second)
    mid = start(s, {"source_pool": site["pool"], "source_cell": source})
    body, _ = finished(s, mid)
    assert body["data"] == {"finished": True}, body
    assert (migrations_of(guest), migrations_of(second)) == (before[0] + 1, before[1] + 1)
    assert guest_data(s, guest)["cell"] == other(site, source)
    assert guest_data(s, second)["cell"] == other(site, source)
    listed = {m["id"]: m for m in nano_data(s.get("/migrations/"))}
    assert listed[mid] == {"id": mid, "finished": True}
    s.delete("/guests/%s" % second, {"force": True})


def test_list_shows_open_migrations_with_progress(s, site, guest):
    """An operation no reconciler can take (no cell) stays open: 201 and listed unfinished."""
    mid = str(uuid.uuid4())
    run_psql("INSERT INTO operations (kind, guest_id, batch_id, owner_id, params, progress)"
             " SELECT 'migrate_guest', %s, %s, id, '{}', 40 FROM users WHERE name = 'admin'"
             % (sql_literal(guest), sql_literal(mid)))
    try:
        code, body = status(s, mid)
        assert code == 201 and body["data"] == {"finished": False, "progress": 40}, body
        listed = {m["id"]: m for m in nano_data(s.get("/migrations/"))}
        assert listed[mid] == {"id": mid, "finished": False, "progress": 40}
    finally:
        run_psql("DELETE FROM operations WHERE batch_id = %s" % sql_literal(mid))


def test_a_failed_migration_answers_its_error_and_leaves_the_guest(s, site, guest):
    cell = guest_data(s, guest)["cell"]
    mid = str(uuid.uuid4())
    run_psql("UPDATE guests SET migrating = true WHERE id = %s" % sql_literal(guest))
    run_psql("INSERT INTO operations (kind, guest_id, cell_id, batch_id, owner_id, params)"
             " SELECT 'migrate_guest', %s, (SELECT id FROM cells WHERE name = %s), %s, id,"
             " '{\"target_cell\": 999999999}' FROM users WHERE name = 'admin'"
             % (sql_literal(guest), sql_literal(cell), sql_literal(mid)))
    body, _ = finished(s, mid)
    assert body["error_code"] == 500 and body["data"] == "", body
    assert "target cell 999999999 not found" in body["message"]
    d = guest_data(s, guest)
    assert d["cell"] == cell and d["migrating"] is False
    listed = {m["id"]: m for m in nano_data(s.get("/migrations/"))}
    assert listed[mid]["finished"] is True and "not found" in listed[mid]["error"]


def refused(s, body, words, gid):
    """The migration is refused with words in its message and nothing is written."""
    before = migrations_of(gid), guest_data(s, gid)
    r = s.post("/migrations/", body)
    assert r.status_code == 200 and r.json()["error_code"] == 500, r.text
    assert words in r.json()["message"], r.text
    after = guest_data(s, gid)
    assert migrations_of(gid) == before[0]
    assert (after["cell"], after["migrating"]) == (before[1]["cell"], False)


def test_bad_input_is_refused_and_changes_nothing(s, site, guest):
    pool = site["pool"]
    here = guest_data(s, guest)["cell"]
    there = other(site, here)
    base = {"source_pool": pool, "source_cell": here, "target_cell": there,
            "instances": [guest]}
    ghost = unique_name("x")
    for over, words in [
        ({"source_pool": ghost}, "compute pool %s not found" % ghost),
        ({"source_cell": ghost}, "cell %s not found" % ghost),
        ({"target_pool": ghost}, "compute pool %s not found" % ghost),
        ({"target_cell": ghost}, "cell %s not found" % ghost),
        ({"target_cell": here}, "target cell must differ from the source cell"),
        ({"source_pool": "default"}, "cell %s is not in compute pool default" % here),
        ({"target_pool": "default"}, "cell %s is not in compute pool default" % there),
        ({"source_cell": there, "target_cell": here}, "is not on cell %s" % there),
        ({"instances": [1]}, "guest ids"),
        ({"instances": []}, "must list 1 to"),
        ({"instances": [guest, guest]}, "listed twice"),
        ({"instances": [str(uuid.uuid4())]}, "not found"),
        ({"bogus": 1}, "bogus"),
    ]:
        refused(s, dict(base, **over), words, guest)
    assert s.get("/migrations/%s" % uuid.uuid4()).json()["message"].endswith("not found")
    assert s.get("/migrations/not-a-uuid").json()["message"] == "migration not-a-uuid not found"


def test_a_disabled_target_cell_is_refused(s, site, guest):
    here = guest_data(s, guest)["cell"]
    there = other(site, here)
    run_psql("UPDATE cells SET enabled = false WHERE name = %s" % sql_literal(there))
    try:
        refused(s, {"source_pool": site["pool"], "source_cell": here, "target_cell": there,
                    "instances": [guest]}, "cell %s is disabled" % there, guest)
        refused(s, {"source_pool": site["pool"], "source_cell": here, "instances": [guest]},
                "no other cell in compute pool", guest)
    finally:
        run_psql("UPDATE cells SET enabled = true WHERE name = %s" % sql_literal(there))


def test_a_running_guest_is_refused_where_live_migration_is_impossible(s, site, guest):
    here = guest_data(s, guest)["cell"]
    nano_data(s.post("/instances/%s" % guest, {}))
    wait_for(lambda: nano_data(s.get("/instances/%s" % guest))["running"] is True, TIMEOUT,
             interval=0.2, what="guest running")
    try:
        refused(s, {"source_pool": site["pool"], "source_cell": here, "instances": [guest]},
                "cannot migrate live", guest)
    finally:
        nano_data(s.delete("/instances/%s" % guest, {"force": True}))
        wait_for(lambda: nano_data(s.get("/instances/%s" % guest))["running"] is False, TIMEOUT,
                 interval=0.2, what="guest stopped")


def test_a_guest_with_an_open_operation_is_refused(s, site, guest):
    here = guest_data(s, guest)["cell"]
    # No cell: no reconciler takes it, so it stays open for the test.
    oid = psql_scalar("INSERT INTO operations (kind, guest_id) VALUES ('sync_guest', %s)"
                      " RETURNING id" % sql_literal(guest))
    try:
        refused(s, {"source_pool": site["pool"], "source_cell": here, "instances": [guest]},
                "is busy (sync_guest in progress)", guest)
    finally:
        run_psql("DELETE FROM operations WHERE id = %s" % sql_literal(oid))


def test_someone_elses_guest_is_not_found(s, site, guest, scratch):
    group = scratch.group(roles=[scratch.role(menu=["instance"])])
    user, password = scratch.user(group=group)
    them = NanoSession(user, password)
    here = guest_data(s, guest)["cell"]
    before = migrations_of(guest)
    assert them.fail("POST", "/migrations/", {"source_pool": site["pool"], "source_cell": here,
                                              "instances": [guest]}) == \
        "guest %s not found" % guest
    # Without instances, the cell's guests they see: none.
    assert "has no guests to migrate" in them.fail(
        "POST", "/migrations/", {"source_pool": site["pool"], "source_cell": here})
    assert migrations_of(guest) == before
    mine = [m["id"] for m in nano_data(s.get("/migrations/"))]
    assert mine and not [m for m in nano_data(them.get("/migrations/")) if m["id"] in mine]
    assert them.fail("GET", "/migrations/%s" % mine[0]) == "migration %s not found" % mine[0]
