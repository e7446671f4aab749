"""Placement counts what a cell has promised: the memory of all its guests and the disks of the
guests still being created (issue 6; kept on the cell since migrations/013). A guest that does
not fit is refused and changes nothing; deleting a guest gives its room back. On the simulated
pool (sim0, test driver): filling a cell takes fake guests only."""
import pytest

from conftest import (ADMIN_USER, GIB, MIB, SIM_CELL, SIM_POOL, nano_data, nano_message, run_psql,
                      sql_literal, unique_name, wait_for)

TIMEOUT = 60


@pytest.fixture(autouse=True, scope="module")
def admin_quota_out_of_the_way():
    """Placement is under test, not quotas: the admin's base project grants more than sim0 has
    for the module (a cell-filling guest is larger than the default base limits), then what it
    granted before."""
    where = (" WHERE project_id = (SELECT uuid FROM users WHERE name = %s)"
             % sql_literal(ADMIN_USER))
    saved = run_psql("SELECT resource_id, project_capacity, member_capacity"
                     " FROM project_resources" + where)
    run_psql("UPDATE project_resources SET project_capacity = 1::bigint << 60,"
             " member_capacity = 1::bigint << 60" + where)
    yield
    for resource, project_capacity, member_capacity in saved:
        run_psql("UPDATE project_resources SET project_capacity = %s, member_capacity = %s"
                 "%s AND resource_id = %s" % (project_capacity, member_capacity, where, resource))



def spec(memory, disk=GIB):
    return {"name": unique_name("pl"), "pool": SIM_POOL, "cores": 1, "memory": memory,
            "disks": [disk], "template": "linux-default", "auto_start": False}


def free_memory():
    """sim0's memory less the memory of its guests, summed from the guests themselves."""
    return int(run_psql("SELECT c.memory - (SELECT coalesce(sum(g.memory), 0) FROM guests g"
                        " WHERE g.cell_id = c.id) FROM cells c WHERE c.name = %s"
                        % sql_literal(SIM_CELL))[0][0])


def loads_agree():
    """Every cell's kept load equals the load summed from its guests."""
    return run_psql(
        "SELECT c.name FROM cells c WHERE c.memory_committed <> (SELECT coalesce(sum(memory), 0)"
        " FROM guests WHERE cell_id = c.id) OR c.disk_pending <>"
        " (SELECT coalesce(sum(guest_pending_disk(created, disks)), 0) FROM guests"
        " WHERE cell_id = c.id)") == []


def guest_count():
    return int(run_psql("SELECT count(*) FROM guests")[0][0])


def create(s, body):
    r = s.post("/guests/", body)
    assert r.status_code == 202, r.text
    return r.json()["data"]["id"]


def delete_and_wait(s, gid):
    nano_data(s.delete("/guests/%s" % gid, {"force": True}))
    wait_for(lambda: not run_psql("SELECT 1 FROM guests WHERE id = %s" % sql_literal(gid)),
             TIMEOUT, interval=0.2, what="guest %s deleted" % gid)


def test_a_guest_larger_than_the_room_left_is_refused_and_deleting_gives_room_back(s):
    free = free_memory()
    assert free > 4 * MIB, "sim0 is already full"
    big = create(s, spec(free - MIB))          # fills the cell but for 1 MiB
    try:
        before = guest_count()
        assert "no cell in pool sim has room" in nano_message(s.post("/guests/",
                                                                          spec(2 * MIB)))
        assert guest_count() == before
        small = create(s, spec(MIB))           # exactly the rest
        assert "no cell in pool sim has room" in nano_message(s.post("/guests/", spec(MIB)))
        assert guest_count() == before + 1
        delete_and_wait(s, small)
        again = create(s, spec(MIB))           # the deleted guest's room is free again
        delete_and_wait(s, again)
    finally:
        delete_and_wait(s, big)
    assert free_memory() == free


def test_disks_of_guests_being_created_count_until_they_are_created(s):
    disk_free = int(run_psql("SELECT disk_available - disk_pending FROM cells"
                             " WHERE name = %s" % sql_literal(SIM_CELL))[0][0])
    assert "no cell in pool sim has room" in nano_message(
        s.post("/guests/", spec(MIB, disk=disk_free + GIB)))


def test_kept_loads_follow_batches_resizes_and_deletes(s):
    r = s.post("/batch/create_guest/", {"name_prefix": unique_name("pb"), "count": 5,
                                        "pool": SIM_POOL, "cores": 1, "memory": 8 * MIB,
                                        "disks": [GIB], "template": "linux-default"})
    assert r.status_code == 202, r.text
    assert loads_agree()
    ids = [row[0] for row in run_psql(
        "SELECT g.id FROM guests g JOIN operations o ON o.guest_id = g.id"
        " WHERE o.batch_id = %s" % sql_literal(r.json()["data"]["id"]))]
    assert len(ids) == 5

    def created():
        return all(s.get("/guests/%s" % i).status_code == 200 for i in ids)
    wait_for(created, TIMEOUT, interval=0.2, what="the batch's guests created")
    assert loads_agree()
    nano_data(s.put("/guests/%s/memory" % ids[0], {"memory": 16 * MIB}))
    assert loads_agree()
    for i in ids:
        delete_and_wait(s, i)
    assert loads_agree()
