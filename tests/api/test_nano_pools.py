"""Nano compute pools: GET /compute_pools/, GET|POST|PUT|DELETE /compute_pools/{pool}
(issue 5)."""
import pytest

from conftest import (ADMIN_USER, NANO_REFUSED, NanoSession, audit_mark, audit_since, nano_data,
                      nano_message, psql_scalar, unique_name)
from nano_pools_lib import compute_pool_row, outsider, res  # noqa: F401 (fixtures)


def pool_count():
    return int(psql_scalar("SELECT count(*) FROM compute_pools"))


# ------------------------------------------------------------------ the endpoints

def test_pool_list_shows_every_pool_with_its_status(nano_admin, res):
    storage = res.storage_pool()
    network = res.address_pool()
    name = res.compute_pool(storage=storage, network=network, failover=True)
    data = nano_data(nano_admin.get("/compute_pools/"))
    assert isinstance(data, list)
    assert [p["name"] for p in data] == sorted(p["name"] for p in data)
    assert len(data) == pool_count()
    mine = [p for p in data if p["name"] == name]
    assert mine == [{"name": name, "enabled": True, "cells": 0, "storage": storage,
                     "network": network, "failover": True}]
    default = [p for p in data if p["name"] == "default"][0]
    assert default["cells"] == int(psql_scalar(
        "SELECT count(*) FROM cells c JOIN compute_pools p ON p.id = c.pool_id"
        " WHERE p.name = 'default'"))


def test_pool_get_returns_compute_pool_status(nano_admin, res):
    name = res.compute_pool()
    cell = res.cell(pool=name)
    assert cell
    data = nano_data(nano_admin.get("/compute_pools/%s" % name))
    assert data == {"name": name, "enabled": True, "cells": 1, "storage": "", "network": "",
                    "failover": False}
    # The trailing slash is optional.
    assert nano_data(nano_admin.get("/compute_pools/%s/" % name)) == data


def test_pool_create_stores_config_and_writes_one_audit_row(nano_admin, res):
    storage = res.storage_pool()
    network = res.address_pool()
    name = unique_name("p")
    res.adopt("compute", name)
    mark = audit_mark()
    r = nano_admin.post("/compute_pools/%s" % name,
                        {"storage": storage, "network": network, "failover": True})
    assert nano_data(r) == ""
    assert audit_since(mark) == ["%s creates compute pool %s" % (ADMIN_USER, name)]
    assert compute_pool_row(name) == {"storage": storage, "network": network, "failover": True,
                                      "enabled": True}


def test_pool_create_without_body_uses_local_storage_and_no_network(nano_admin, res):
    name = unique_name("p")
    res.adopt("compute", name)
    assert nano_data(nano_admin.post("/compute_pools/%s" % name)) == ""
    assert compute_pool_row(name) == {"storage": "", "network": "", "failover": False,
                                      "enabled": True}


def test_pool_modify_changes_given_fields_and_keeps_the_others(nano_admin, res):
    s1, s2 = res.storage_pool(), res.storage_pool()
    network = res.address_pool()
    name = res.compute_pool(storage=s1, network=network)
    mark = audit_mark()
    assert nano_data(nano_admin.put("/compute_pools/%s" % name,
                                    {"storage": s2, "failover": True})) == ""
    assert audit_since(mark) == ["%s modifies compute pool %s" % (ADMIN_USER, name)]
    assert compute_pool_row(name) == {"storage": s2, "network": network, "failover": True,
                                      "enabled": True}
    data = nano_data(nano_admin.get("/compute_pools/%s" % name))
    assert (data["storage"], data["network"], data["failover"]) == (s2, network, True)


def test_pool_modify_empty_names_return_to_local_storage_and_no_network(nano_admin, res):
    storage, network = res.storage_pool(), res.address_pool()
    name = res.compute_pool(storage=storage, network=network)
    nano_data(nano_admin.put("/compute_pools/%s" % name,
                             {"storage": "", "network": "", "failover": False}))
    assert compute_pool_row(name) == {"storage": "", "network": "", "failover": False,
                                      "enabled": True}


def test_pool_delete_removes_an_empty_pool_and_writes_one_audit_row(nano_admin, res):
    name = res.compute_pool()
    mark = audit_mark()
    assert nano_data(nano_admin.delete("/compute_pools/%s" % name)) == ""
    assert audit_since(mark) == ["%s deletes compute pool %s" % (ADMIN_USER, name)]
    assert compute_pool_row(name) is None
    assert "not found" in nano_message(nano_admin.get("/compute_pools/%s" % name))


# ------------------------------------------------------------------ bad input, nothing changed

def test_pool_get_unknown_is_refused(nano_admin):
    name = unique_name("p")
    assert nano_message(nano_admin.get("/compute_pools/%s" % name)) == \
        "compute pool %s not found" % name


def test_pool_create_duplicate_name_is_refused(nano_admin, res):
    storage = res.storage_pool()
    name = res.compute_pool()
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/compute_pools/%s" % name, {"storage": storage}))
    assert msg == "compute pool %s already exists" % name
    assert compute_pool_row(name)["storage"] == ""
    assert audit_since(mark) == []


@pytest.mark.parametrize("bad", ["-leading", "has%20space", "x" * 65, "semi;colon"])
def test_pool_create_invalid_name_is_refused(nano_admin, bad):
    before = pool_count()
    msg = nano_message(nano_admin.post("/compute_pools/%s" % bad))
    assert "compute pool name" in msg
    assert pool_count() == before


def test_pool_create_unknown_storage_pool_is_refused(nano_admin, res):
    name = unique_name("p")
    res.adopt("compute", name)
    msg = nano_message(nano_admin.post("/compute_pools/%s" % name, {"storage": "nosuchstorage"}))
    assert msg == "storage pool nosuchstorage not found"
    assert compute_pool_row(name) is None


def test_pool_create_unknown_address_pool_is_refused(nano_admin, res):
    name = unique_name("p")
    res.adopt("compute", name)
    msg = nano_message(nano_admin.post("/compute_pools/%s" % name, {"network": "nosuchnet"}))
    assert msg == "address pool nosuchnet not found"
    assert compute_pool_row(name) is None


def test_pool_create_failover_without_storage_pool_is_refused(nano_admin, res):
    name = unique_name("p")
    res.adopt("compute", name)
    msg = nano_message(nano_admin.post("/compute_pools/%s" % name, {"failover": True}))
    assert msg == "failover requires a storage pool"
    assert compute_pool_row(name) is None


@pytest.mark.parametrize("body, field", [
    ({"failover": "yes"}, "failover"),
    ({"storage": 5}, "storage"),
    ({"network": ["a"]}, "network"),
    ({"enabled": False}, "enabled"),
])
def test_pool_create_wrong_types_and_unknown_keys_are_refused(nano_admin, res, body, field):
    name = unique_name("p")
    res.adopt("compute", name)
    msg = nano_message(nano_admin.post("/compute_pools/%s" % name, body))
    assert msg.startswith(field + ":")
    assert compute_pool_row(name) is None


def test_pool_create_body_that_is_not_json_is_refused(nano_admin, res):
    name = unique_name("p")
    res.adopt("compute", name)
    assert "JSON" in nano_message(nano_admin.post("/compute_pools/%s" % name, raw="{storage"))
    assert compute_pool_row(name) is None


def test_pool_modify_unknown_pool_is_refused(nano_admin):
    name = unique_name("p")
    assert nano_message(nano_admin.put("/compute_pools/%s" % name, {"failover": False})) == \
        "compute pool %s not found" % name


def test_pool_modify_unknown_storage_or_network_changes_nothing(nano_admin, res):
    storage, network = res.storage_pool(), res.address_pool()
    name = res.compute_pool(storage=storage, network=network, failover=True)
    before = compute_pool_row(name)
    assert nano_message(nano_admin.put("/compute_pools/%s" % name,
                                       {"storage": "nosuch", "failover": False})) == \
        "storage pool nosuch not found"
    assert nano_message(nano_admin.put("/compute_pools/%s" % name, {"network": "nosuch"})) == \
        "address pool nosuch not found"
    assert compute_pool_row(name) == before


def test_pool_modify_dropping_storage_of_a_failover_pool_is_refused(nano_admin, res):
    storage = res.storage_pool()
    name = res.compute_pool(storage=storage, failover=True)
    assert nano_message(nano_admin.put("/compute_pools/%s" % name, {"storage": ""})) == \
        "failover requires a storage pool"
    assert compute_pool_row(name)["storage"] == storage


def test_pool_modify_storage_of_a_pool_with_guests_is_refused(nano_admin, res):
    s1, s2 = res.storage_pool(), res.storage_pool()
    name = res.compute_pool(storage=s1)
    res.guest(name)
    msg = nano_message(nano_admin.put("/compute_pools/%s" % name, {"storage": s2}))
    assert msg == "compute pool %s has guests: its storage cannot change" % name
    assert compute_pool_row(name)["storage"] == s1
    # Failover alone may still change.
    nano_data(nano_admin.put("/compute_pools/%s" % name, {"failover": True}))
    assert compute_pool_row(name) == {"storage": s1, "network": "", "failover": True,
                                      "enabled": True}


def test_pool_delete_with_cells_is_refused(nano_admin, res):
    name = res.compute_pool()
    res.cell(pool=name)
    mark = audit_mark()
    assert nano_message(nano_admin.delete("/compute_pools/%s" % name)) == \
        "compute pool %s still has 1 cell(s)" % name
    assert compute_pool_row(name) is not None
    assert audit_since(mark) == []


def test_pool_delete_with_guests_is_refused(nano_admin, res):
    name = res.compute_pool()
    res.guest(name)
    assert nano_message(nano_admin.delete("/compute_pools/%s" % name)) == \
        "compute pool %s still has 1 guest(s)" % name
    assert compute_pool_row(name) is not None


def test_pool_delete_unknown_is_refused(nano_admin):
    name = unique_name("p")
    before = pool_count()
    assert nano_message(nano_admin.delete("/compute_pools/%s" % name)) == \
        "compute pool %s not found" % name
    assert pool_count() == before


# ------------------------------------------------------------------ permission

def test_pool_routes_refuse_a_user_without_the_compute_pool_tag(outsider, res):
    """The outsider holds instance: the pool list is theirs to create guests in (the portal's
    instance pages read it, issue 16); nothing else of the pools is."""
    name = res.compute_pool()
    assert name in [p["name"] for p in nano_data(outsider.get("/compute_pools/"))]
    assert nano_message(outsider.get("/compute_pools/%s" % name)) == NANO_REFUSED
    other = unique_name("p")
    res.adopt("compute", other)
    assert nano_message(outsider.post("/compute_pools/%s" % other)) == NANO_REFUSED
    assert compute_pool_row(other) is None
    assert nano_message(outsider.put("/compute_pools/%s" % name, {"failover": False})) == \
        NANO_REFUSED
    assert nano_message(outsider.delete("/compute_pools/%s" % name)) == NANO_REFUSED
    assert compute_pool_row(name) is not None


def test_pool_routes_admit_a_user_whose_role_holds_the_compute_pool_tag(scratch, res):
    role = scratch.role(["compute_pool"])
    user, password = scratch.user(scratch.group([role]))
    s = NanoSession(user, password)
    name = unique_name("p")
    res.adopt("compute", name)
    nano_data(s.post("/compute_pools/%s" % name))
    assert name in [p["name"] for p in nano_data(s.get("/compute_pools/"))]
    # Storage pools need their own tag.
    assert nano_message(s.get("/storage_pools/")) == NANO_REFUSED
