"""Nano compute pool cells: GET /compute_pool_cells/, GET /compute_pool_cells/{pool},
GET|POST|PUT|DELETE /compute_pool_cells/{pool}/{cell} (issue 5). Cells are registered with
`nimbusctl cell add` on libvirt's test driver and observed by the reconciler."""
from conftest import (ADMIN_USER, NANO_REFUSED, audit_mark, audit_since, nano_data,
                      nano_message, unique_name)
from nano_pools_lib import DEAD_URI, cell_row, outsider, res  # noqa: F401 (fixtures)


# ------------------------------------------------------------------ the endpoints

def test_unallocated_list_shows_registered_cells_in_no_pool(nano_admin, res):
    free = res.cell()
    pool = res.compute_pool()
    taken = res.cell(pool=pool)
    data = nano_data(nano_admin.get("/compute_pool_cells/"))
    names = [c["name"] for c in data]
    assert free in names and taken not in names and "cell0" not in names
    assert names == sorted(names)
    mine = [c for c in data if c["name"] == free][0]
    assert mine == {"name": free, "address": "localhost", "enabled": True, "alive": True}


def test_pool_cell_list_shows_the_pools_cells(nano_admin, res):
    pool = res.compute_pool()
    assert nano_data(nano_admin.get("/compute_pool_cells/%s" % pool)) == []
    a = res.cell(pool=pool)
    b = res.cell(pool=pool, uri=DEAD_URI, alive=False)
    data = nano_data(nano_admin.get("/compute_pool_cells/%s/" % pool))
    assert data == sorted([
        {"name": a, "address": "localhost", "enabled": True, "alive": True},
        {"name": b, "address": "", "enabled": True, "alive": False},
    ], key=lambda c: c["name"])


def test_cell_add_attaches_an_unallocated_cell_and_writes_one_audit_row(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell()
    mark = audit_mark()
    assert nano_data(nano_admin.post("/compute_pool_cells/%s/%s" % (pool, cell))) == ""
    assert audit_since(mark) == ["%s adds cell %s to compute pool %s" % (ADMIN_USER, cell, pool)]
    assert cell_row(cell)["pool"] == pool
    assert nano_data(nano_admin.get("/compute_pools/%s" % pool))["cells"] == 1
    assert cell not in [c["name"] for c in nano_data(nano_admin.get("/compute_pool_cells/"))]


def test_cell_get_reports_status_and_the_pools_storage_attached_while_alive(nano_admin, res):
    storage = res.storage_pool()
    pool = res.compute_pool(storage=storage)
    cell = res.cell(pool=pool)
    data = nano_data(nano_admin.get("/compute_pool_cells/%s/%s" % (pool, cell)))
    assert data == {"name": cell, "address": "localhost", "enabled": True, "alive": True,
                    "storage": [{"name": storage, "attached": True}]}
    dead = res.cell(pool=pool, uri=DEAD_URI, alive=False)
    data = nano_data(nano_admin.get("/compute_pool_cells/%s/%s/" % (pool, dead)))
    assert data["alive"] is False
    assert data["storage"] == [{"name": storage, "attached": False, "error": "cell is offline"}]


def test_cell_get_in_a_pool_on_local_storage_lists_no_storage_pool(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    assert nano_data(nano_admin.get("/compute_pool_cells/%s/%s" % (pool, cell)))["storage"] == []


def test_cell_modify_disables_and_enables_a_cell(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    mark = audit_mark()
    assert nano_data(nano_admin.put("/compute_pool_cells/%s/%s" % (pool, cell),
                                    {"enable": False})) == ""
    assert audit_since(mark) == ["%s modifies cell %s in compute pool %s"
                                 % (ADMIN_USER, cell, pool)]
    assert cell_row(cell)["enabled"] is False
    assert nano_data(nano_admin.get("/compute_pool_cells/%s/%s" % (pool, cell)))["enabled"] is False
    nano_data(nano_admin.put("/compute_pool_cells/%s/%s" % (pool, cell), {"enable": True}))
    assert cell_row(cell)["enabled"] is True


def test_cell_remove_detaches_the_cell_which_stays_registered(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    mark = audit_mark()
    assert nano_data(nano_admin.delete("/compute_pool_cells/%s/%s" % (pool, cell))) == ""
    assert audit_since(mark) == ["%s removes cell %s from compute pool %s"
                                 % (ADMIN_USER, cell, pool)]
    assert cell_row(cell)["pool"] == ""
    assert cell in [c["name"] for c in nano_data(nano_admin.get("/compute_pool_cells/"))]
    # ... and may join another pool.
    other = res.compute_pool()
    nano_data(nano_admin.post("/compute_pool_cells/%s/%s" % (other, cell)))
    assert cell_row(cell)["pool"] == other


# ------------------------------------------------------------------ bad input, nothing changed

def test_pool_cell_list_of_unknown_pool_is_refused(nano_admin):
    name = unique_name("p")
    assert nano_message(nano_admin.get("/compute_pool_cells/%s" % name)) == \
        "compute pool %s not found" % name


def test_cell_add_unknown_cell_is_refused(nano_admin, res):
    pool = res.compute_pool()
    cell = unique_name("c")
    mark = audit_mark()
    assert nano_message(nano_admin.post("/compute_pool_cells/%s/%s" % (pool, cell))) == \
        "cell %s not found" % cell
    assert cell_row(cell) is None
    assert nano_data(nano_admin.get("/compute_pools/%s" % pool))["cells"] == 0
    assert audit_since(mark) == []


def test_cell_add_to_unknown_pool_is_refused(nano_admin, res):
    cell = res.cell()
    pool = unique_name("p")
    assert nano_message(nano_admin.post("/compute_pool_cells/%s/%s" % (pool, cell))) == \
        "compute pool %s not found" % pool
    assert cell_row(cell)["pool"] == ""


def test_cell_add_a_cell_of_another_pool_is_refused(nano_admin, res):
    first, second = res.compute_pool(), res.compute_pool()
    cell = res.cell(pool=first)
    assert nano_message(nano_admin.post("/compute_pool_cells/%s/%s" % (second, cell))) == \
        "cell %s belongs to compute pool %s" % (cell, first)
    assert nano_message(nano_admin.post("/compute_pool_cells/%s/%s" % (first, cell))) == \
        "cell %s is already in compute pool %s" % (cell, first)
    assert cell_row(cell)["pool"] == first


def test_cell_routes_on_a_cell_outside_the_pool_are_refused(nano_admin, res):
    first, second = res.compute_pool(), res.compute_pool()
    cell = res.cell(pool=first)
    path = "/compute_pool_cells/%s/%s" % (second, cell)
    expected = "cell %s is not in compute pool %s" % (cell, second)
    assert nano_message(nano_admin.get(path)) == expected
    assert nano_message(nano_admin.put(path, {"enable": False})) == expected
    assert nano_message(nano_admin.delete(path)) == expected
    assert cell_row(cell)["pool"] == first and cell_row(cell)["enabled"] is True
    unknown = unique_name("c")
    assert nano_message(nano_admin.get("/compute_pool_cells/%s/%s" % (first, unknown))) == \
        "cell %s not found" % unknown


def test_cell_modify_needs_a_boolean_enable(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    path = "/compute_pool_cells/%s/%s" % (pool, cell)
    assert nano_message(nano_admin.put(path, {})) == "enable: This field is required."
    assert nano_message(nano_admin.put(path, {"enable": "no"})) == \
        "enable: This field must be a boolean."
    assert nano_message(nano_admin.put(path, {"enable": False, "alive": False})) == \
        "alive: This field is not accepted."
    assert cell_row(cell)["enabled"] is True


def test_cell_remove_with_guests_is_refused(nano_admin, res):
    pool = res.compute_pool()
    cell = res.cell(pool=pool)
    res.guest(pool, cell, running=True)
    mark = audit_mark()
    assert nano_message(nano_admin.delete("/compute_pool_cells/%s/%s" % (pool, cell))) == \
        "cell %s still hosts 1 guest(s)" % cell
    assert cell_row(cell)["pool"] == pool
    assert audit_since(mark) == []


# ------------------------------------------------------------------ permission

def test_cell_routes_refuse_a_user_without_the_compute_pool_tag(outsider, res):
    pool = res.compute_pool()
    cell = res.cell()
    assert nano_message(outsider.get("/compute_pool_cells/")) == NANO_REFUSED
    # the outsider holds instance: a pool's cells by name are theirs (the portal's instance
    # filter, issue 16)
    nano_data(outsider.get("/compute_pool_cells/%s" % pool))
    assert nano_message(outsider.post("/compute_pool_cells/%s/%s" % (pool, cell))) == NANO_REFUSED
    assert cell_row(cell)["pool"] == ""
