"""Nano status and statistics (issue 5): GET /compute_zone_status/, /compute_pool_status/,
/compute_pool_status/{pool}, /compute_cell_status/{pool}/, /compute_cell_status/{pool}/{cell},
GET|PUT /compute_cell_status/{pool}/{cell}/storages/, /instance_status/{pool}/ and
/instance_status/{pool}/{cell}/. Capacity is compared with what libvirt's test driver reports;
usage and instance counts with guest rows placed in the pool."""
import pytest

from conftest import (ADMIN_USER, NANO_REFUSED, NanoSession, audit_mark, audit_since, nano_data,
                      nano_message, psql_scalar, run_psql, sql_literal, unique_name, wait_for)
from nano_pools_lib import (DEAD_URI, TEST_CORES, TEST_DISK, TEST_MEMORY, TEST_URI,  # noqa: F401
                            cell_row, outsider, res)

FIGURES = ("cpu_usage", "max_cpu", "available_memory", "max_memory", "available_disk",
           "max_disk", "read_speed", "write_speed", "receive_speed", "send_speed")


def driver_free_memory():
    """Free memory as the test driver reports it (what the reconciler stored for a live cell
    on test:///default, as the tests' cells are)."""
    return int(psql_scalar("SELECT memory_available FROM cells WHERE uri = %s AND alive"
                           " AND memory_available > 0 LIMIT 1" % sql_literal(TEST_URI)))


def figures(d):
    return {k: d[k] for k in FIGURES}


def expected_capacity(alive_cells, memory_available):
    return {"max_cpu": TEST_CORES * alive_cells, "max_memory": TEST_MEMORY * alive_cells,
            "available_memory": memory_available * alive_cells,
            "max_disk": TEST_DISK * alive_cells, "available_disk": TEST_DISK * alive_cells}


def place_guests(res, pool, cell):
    """Guests in every state on cell: 1 stopped, 2 running, 1 lost, 1 migrating."""
    res.guest(pool, cell, cpu_usage=0.0)
    res.guest(pool, cell, running=True, cpu_usage=12.5, read_speed=100, write_speed=200,
              receive_speed=300, send_speed=400)
    res.guest(pool, cell, running=True, cpu_usage=30.25, read_speed=1, write_speed=2,
              receive_speed=3, send_speed=4)
    res.guest(pool, cell, lost=True)
    res.guest(pool, cell, running=True, migrating=True, cpu_usage=1.0)


GUEST_USAGE = {"cpu_usage": 43.75, "read_speed": 101, "write_speed": 202, "receive_speed": 303,
               "send_speed": 404}
GUEST_STATES = [1, 2, 1, 1]


# ------------------------------------------------------------------ zone

ZONE_SQL = """
SELECT (SELECT count(*) FILTER (WHERE NOT enabled) FROM compute_pools),
       (SELECT count(*) FILTER (WHERE enabled) FROM compute_pools),
       count(*) FILTER (WHERE NOT alive), count(*) FILTER (WHERE alive),
       coalesce(sum(cores) FILTER (WHERE alive), 0), coalesce(sum(memory) FILTER (WHERE alive), 0),
       coalesce(sum(memory_available) FILTER (WHERE alive), 0),
       coalesce(sum(disk) FILTER (WHERE alive), 0),
       coalesce(sum(disk_available) FILTER (WHERE alive), 0),
       (SELECT count(*) FROM guests WHERE NOT running AND NOT lost AND NOT migrating),
       (SELECT count(*) FROM guests WHERE running AND NOT lost AND NOT migrating),
       (SELECT count(*) FROM guests WHERE lost),
       (SELECT count(*) FROM guests WHERE migrating AND NOT lost),
       (SELECT to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') FROM zone)
  FROM cells WHERE pool_id IS NOT NULL
"""


def zone_from_db():
    v = run_psql(ZONE_SQL)[0]
    n = [int(x) for x in v[:13]]
    return {"pools": n[0:2], "cells": n[2:4], "max_cpu": n[4], "max_memory": n[5],
            "available_memory": n[6], "max_disk": n[7], "available_disk": n[8],
            "instances": n[9:13], "start_time": v[13]}


def test_zone_status_adds_up_pools_cells_and_guests(nano_admin, res):
    pool = res.compute_pool()
    res.cell(pool=pool)
    res.cell(pool=pool, uri=DEAD_URI, alive=False)
    res.cell()  # unallocated: not part of the zone
    disabled = res.compute_pool()
    run_psql("UPDATE compute_pools SET enabled = false WHERE name = '%s'" % disabled)
    place_guests(res, pool, None)

    def matches():
        data = nano_data(nano_admin.get("/compute_zone_status/"))
        want = zone_from_db()
        return data if {k: data[k] for k in want} == want else None
    data = wait_for(matches, 10, interval=0.3, what="zone status to match the database")
    assert data["name"] == "default"
    assert data["pools"][0] >= 1 and data["cells"][0] >= 1 and data["cells"][1] >= 2
    # Besides the test-driver cells made here, the stack's cell0 (the real host) and sim0.
    assert data["max_cpu"] >= 2 * TEST_CORES
    assert data["instances"][0] >= 1 and data["instances"][1] >= 2
    assert data["cpu_usage"] >= GUEST_USAGE["cpu_usage"]
    assert set(data) == set(FIGURES) | {"name", "pools", "cells", "instances", "start_time"}
    assert isinstance(data["cpu_usage"], float)


# ------------------------------------------------------------------ pools

def test_pool_status_reports_test_driver_capacity_and_guest_usage(nano_admin, res):
    pool = res.compute_pool()
    a = res.cell(pool=pool)
    res.cell(pool=pool)
    res.cell(pool=pool, uri=DEAD_URI, alive=False)
    place_guests(res, pool, a)
    data = nano_data(nano_admin.get("/compute_pool_status/%s" % pool))
    want = {"name": pool, "enabled": True, "cells": [1, 2], "instances": GUEST_STATES}
    want.update(expected_capacity(2, driver_free_memory()))
    want.update(GUEST_USAGE)
    assert data == want
    assert nano_data(nano_admin.get("/compute_pool_status/%s/" % pool)) == data


def test_pool_status_of_an_empty_pool_is_all_zero(nano_admin, res):
    pool = res.compute_pool()
    data = nano_data(nano_admin.get("/compute_pool_status/%s" % pool))
    assert data == dict({"name": pool, "enabled": True, "cells": [0, 0],
                         "instances": [0, 0, 0, 0]}, **{k: 0 for k in FIGURES})


def test_pool_status_list_has_every_pool_as_the_single_view_shows_it(nano_admin, res):
    pool = res.compute_pool()
    res.cell(pool=pool)
    data = nano_data(nano_admin.get("/compute_pool_status/"))
    assert [p["name"] for p in data] == [r[0] for r in run_psql(
        "SELECT name FROM compute_pools ORDER BY name")]
    mine = [p for p in data if p["name"] == pool][0]
    assert mine == nano_data(nano_admin.get("/compute_pool_status/%s" % pool))
    assert mine["max_cpu"] == TEST_CORES and mine["cells"] == [0, 1]


def test_pool_status_of_unknown_pool_is_refused(nano_admin):
    name = unique_name("p")
    assert nano_message(nano_admin.get("/compute_pool_status/%s" % name)) == \
        "compute pool %s not found" % name


# ------------------------------------------------------------------ cells

def test_cell_status_reports_the_test_driver_node(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    place_guests(res, pool, cell)
    data = nano_data(nano_admin.get("/compute_cell_status/%s/%s" % (pool, cell)))
    want = {"name": cell, "address": "localhost", "enabled": True, "alive": True,
            "instances": GUEST_STATES}
    want.update(expected_capacity(1, driver_free_memory()))
    want.update(GUEST_USAGE)
    assert data == want


def test_cell_status_list_shows_each_cell_with_its_own_figures(nano_admin, res):
    pool = res.compute_pool()
    busy = res.cell(pool=pool)
    idle = res.cell(pool=pool)
    dead = res.cell(pool=pool, uri=DEAD_URI, alive=False)
    place_guests(res, pool, busy)
    run_psql("UPDATE cells SET enabled = false WHERE name = '%s'" % idle)
    data = nano_data(nano_admin.get("/compute_cell_status/%s/" % pool))
    assert [c["name"] for c in data] == sorted([busy, idle, dead])
    by = {c["name"]: c for c in data}
    assert by[busy]["instances"] == GUEST_STATES and by[busy]["cpu_usage"] == 43.75
    assert by[idle]["instances"] == [0, 0, 0, 0] and by[idle]["enabled"] is False
    assert by[idle]["max_cpu"] == TEST_CORES and by[idle]["max_memory"] == TEST_MEMORY
    assert by[dead]["alive"] is False
    assert figures(by[dead]) == {k: 0 for k in FIGURES}
    for name in (busy, idle, dead):
        assert by[name] == nano_data(nano_admin.get("/compute_cell_status/%s/%s" % (pool, name)))


def test_cell_status_of_unknown_pool_or_foreign_cell_is_refused(nano_admin, res):
    pool = res.compute_pool()
    other = res.compute_pool()
    cell = res.cell(pool=other)
    unknown = unique_name("p")
    assert nano_message(nano_admin.get("/compute_cell_status/%s/" % unknown)) == \
        "compute pool %s not found" % unknown
    assert nano_message(nano_admin.get("/compute_cell_status/%s/%s" % (unknown, cell))) == \
        "compute pool %s not found" % unknown
    assert nano_message(nano_admin.get("/compute_cell_status/%s/%s" % (pool, cell))) == \
        "cell %s is not in compute pool %s" % (cell, pool)
    assert nano_data(nano_admin.get("/compute_cell_status/%s/" % pool)) == []


# ------------------------------------------------------------------ cell storages

def test_cell_storages_show_local_paths(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    assert nano_data(nano_admin.get("/compute_cell_status/%s/%s/storages/" % (pool, cell))) == \
        {"mode": "local", "system": ["/var/lib/libvirt/images"],
         "data": ["/var/lib/libvirt/images"]}


def test_cell_storages_put_default_sets_system_and_data_paths(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    path = "/compute_cell_status/%s/%s/storages/" % (pool, cell)
    mark = audit_mark()
    assert nano_data(nano_admin.put(path, {"default": "/srv/nimbus/images/"})) == ""
    assert audit_since(mark) == ["%s changes the storage paths of cell %s in compute pool %s"
                                 % (ADMIN_USER, cell, pool)]
    row = cell_row(cell)
    assert row["system"] == ["/srv/nimbus/images/"] and row["data"] == ["/srv/nimbus/images/"]
    assert nano_data(nano_admin.get(path)) == {"mode": "local", "system": ["/srv/nimbus/images/"],
                                               "data": ["/srv/nimbus/images/"]}


@pytest.mark.parametrize("body, message", [
    ({"default": "relative/dir"}, "default: must be an absolute path"),
    ({"default": ""}, "default: must be an absolute path"),
    ({"default": "/a/../etc"}, "default: must not hold . or .. segments"),
    ({"default": "/a\nb"}, "default: must not hold control characters"),
    ({"default": 7}, "default: This field must be a string."),
    ({}, "default: This field is required."),
    ({"default": "/x", "system": ["/y"]}, "system: This field is not accepted."),
])
def test_cell_storages_put_bad_path_changes_nothing(nano_admin, res, body, message):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    before = cell_row(cell)
    path = "/compute_cell_status/%s/%s/storages/" % (pool, cell)
    assert nano_message(nano_admin.put(path, body)) == message
    assert cell_row(cell) == before


def test_cell_storages_of_a_cell_outside_the_pool_are_refused(nano_admin, res):
    pool, other = res.compute_pool(), res.compute_pool()
    cell = res.cell(pool=other)
    before = cell_row(cell)
    path = "/compute_cell_status/%s/%s/storages/" % (pool, cell)
    expected = "cell %s is not in compute pool %s" % (cell, pool)
    assert nano_message(nano_admin.get(path)) == expected
    assert nano_message(nano_admin.put(path, {"default": "/srv/x"})) == expected
    assert cell_row(cell) == before


# ------------------------------------------------------------------ instances

def test_instance_status_lists_the_pools_guests(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    gid, gname = res.guest(pool, cell, running=True, cores=4, memory=5 << 30,
                           disks=(10 << 30, 2 << 30), cpu_usage=12.5, name="alpha")
    unplaced, _ = res.guest(pool, None, created=False, name="beta")
    data = nano_data(nano_admin.get("/instance_status/%s/" % pool))
    assert sorted(g["name"] for g in data) == ["alpha", "beta"]
    data.sort(key=lambda g: g["name"])
    alpha = data[0]
    group = psql_scalar("SELECT coalesce(g.name, '') FROM users u LEFT JOIN user_groups g"
                        " ON g.id = u.group_id WHERE u.name = '%s'" % ADMIN_USER)
    created = psql_scalar("SELECT to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') FROM guests"
                          " WHERE id = '%s'" % gid)
    expected = {"id": gid, "name": "alpha", "owner": ADMIN_USER, "group": group,
                "pool": pool, "cell": cell, "host": "localhost", "created": True,
                "running": True, "lost": False, "cores": 4, "memory": 5 << 30,
                "disks": [10 << 30, 2 << 30], "total_disk": 12 << 30,
                "create_time": created, "template": "", "cpu_usage": 12.5}
    # InstanceStatus: the guest's full document, these fields among them.
    assert {k: alpha.get(k) for k in expected} == expected
    for k in ("memory_available", "disk_available", "bytes_read", "bytes_written",
              "bytes_received", "bytes_sent", "media_attached", "internal", "qos"):
        assert k in alpha
    assert data[1]["id"] == unplaced and data[1]["cell"] == "" and data[1]["created"] is False


def test_instance_status_of_a_cell_lists_only_its_guests(nano_admin, res):
    pool = res.compute_pool()
    a, b = res.cell(pool=pool), res.cell(pool=pool)
    ga, _ = res.guest(pool, a)
    res.guest(pool, b)
    data = nano_data(nano_admin.get("/instance_status/%s/%s/" % (pool, a)))
    assert [g["id"] for g in data] == [ga]
    assert nano_data(nano_admin.get("/instance_status/%s/%s" % (pool, a))) == data
    empty = res.compute_pool()
    assert nano_data(nano_admin.get("/instance_status/%s/" % empty)) == []


def test_instance_status_of_unknown_pool_or_foreign_cell_is_refused(nano_admin, res):
    pool, other = res.compute_pool(), res.compute_pool()
    cell = res.cell(pool=other)
    unknown = unique_name("p")
    assert nano_message(nano_admin.get("/instance_status/%s/" % unknown)) == \
        "compute pool %s not found" % unknown
    assert nano_message(nano_admin.get("/instance_status/%s/%s/" % (pool, cell))) == \
        "cell %s is not in compute pool %s" % (cell, pool)
    nocell = unique_name("c")
    assert nano_message(nano_admin.get("/instance_status/%s/%s/" % (pool, nocell))) == \
        "cell %s not found" % nocell


# ------------------------------------------------------------------ permission

def test_status_routes_refuse_a_user_without_the_compute_pool_tag(outsider, res):
    """The outsider holds dashboard: the dashboard's reads are theirs (issue 16), the cells'
    storages and the instances' status are compute_pool's."""
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    before = cell_row(cell)
    for path in ("/compute_cell_status/%s/%s/storages/" % (pool, cell),
                 "/instance_status/%s/" % pool, "/instance_status/%s/%s/" % (pool, cell)):
        assert nano_message(outsider.get(path)) == NANO_REFUSED, path
    assert nano_message(outsider.put("/compute_cell_status/%s/%s/storages/" % (pool, cell),
                                     {"default": "/srv/x"})) == NANO_REFUSED
    assert cell_row(cell) == before
    for path in DASHBOARD_READS:
        nano_data(outsider.get(path % {"pool": pool, "cell": cell}))


DASHBOARD_READS = ("/compute_zone_status/", "/compute_pool_status/",
                   "/compute_pool_status/%(pool)s", "/compute_cell_status/%(pool)s/",
                   "/compute_cell_status/%(pool)s/%(cell)s")


def test_dashboard_reads_refuse_a_user_without_the_dashboard_tag(scratch, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    s = NanoSession(*scratch.user(scratch.group([scratch.role(["compute_pool", "instance"])])))
    for path in DASHBOARD_READS:
        assert nano_message(s.get(path % {"pool": pool, "cell": cell})) == NANO_REFUSED, path
