"""Nano storage pools: GET /storage_pools/, GET|POST|PUT|DELETE /storage_pools/{pool}
(issue 5)."""
import pytest

from conftest import (ADMIN_USER, NANO_REFUSED, NanoSession, audit_mark, audit_since, nano_data,
                      nano_message, psql_scalar, unique_name)
from nano_pools_lib import outsider, res, storage_pool_row  # noqa: F401 (fixtures)


def storage_count():
    return int(psql_scalar("SELECT count(*) FROM storage_pools"))


# ------------------------------------------------------------------ the endpoints

def test_storage_list_shows_every_pool(nano_admin, res):
    a = res.storage_pool(host="nfs.nano.com", target="/var/nano/pool1")
    b = res.storage_pool(host="10.0.0.5", target="/exports/b")
    data = nano_data(nano_admin.get("/storage_pools/"))
    assert len(data) == storage_count()
    assert [s["name"] for s in data] == sorted(s["name"] for s in data)
    assert {"name": a, "type": "nfs", "host": "nfs.nano.com", "target": "/var/nano/pool1"} in data
    assert {"name": b, "type": "nfs", "host": "10.0.0.5", "target": "/exports/b"} in data


def test_storage_get_returns_the_configuration(nano_admin, res):
    name = res.storage_pool(host="nfs.nano.com", target="/var/nano/pool1")
    assert nano_data(nano_admin.get("/storage_pools/%s" % name)) == \
        {"type": "nfs", "host": "nfs.nano.com", "target": "/var/nano/pool1"}
    assert nano_data(nano_admin.get("/storage_pools/%s/" % name))["host"] == "nfs.nano.com"


def test_storage_create_stores_the_pool_and_writes_one_audit_row(nano_admin, res):
    name = unique_name("s")
    res.adopt("storage", name)
    mark = audit_mark()
    r = nano_admin.post("/storage_pools/%s" % name,
                        {"type": "nfs", "host": "nfs.nano.com", "target": "/var/nano/pool1"})
    assert nano_data(r) == ""
    assert audit_since(mark) == ["%s creates storage pool %s" % (ADMIN_USER, name)]
    assert storage_pool_row(name) == {"type": "nfs", "host": "nfs.nano.com",
                                      "target": "/var/nano/pool1"}


def test_storage_create_without_type_is_refused_and_creates_nothing(nano_admin, res):
    """StoragePoolConfig's type is required on creation (issue 15); a change may omit it."""
    name = unique_name("s")
    res.adopt("storage", name)
    before, mark = storage_count(), audit_mark()
    msg = nano_message(nano_admin.post("/storage_pools/%s" % name,
                                       {"host": "h1", "target": "/t"}))
    assert msg == "type: This field is required."
    assert storage_pool_row(name) is None and storage_count() == before
    assert audit_since(mark) == []


def test_storage_modify_changes_an_unused_pool(nano_admin, res):
    name = res.storage_pool(host="old.example.com", target="/old")
    mark = audit_mark()
    assert nano_data(nano_admin.put("/storage_pools/%s" % name,
                                    {"type": "nfs", "host": "another_nfs.nano.com",
                                     "target": "/var/nano/new_location"})) == ""
    assert audit_since(mark) == ["%s modifies storage pool %s" % (ADMIN_USER, name)]
    assert storage_pool_row(name) == {"type": "nfs", "host": "another_nfs.nano.com",
                                      "target": "/var/nano/new_location"}
    # Fields left out keep their value.
    nano_data(nano_admin.put("/storage_pools/%s" % name, {"target": "/elsewhere"}))
    assert storage_pool_row(name) == {"type": "nfs", "host": "another_nfs.nano.com",
                                      "target": "/elsewhere"}


def test_storage_delete_removes_an_unused_pool(nano_admin, res):
    name = res.storage_pool()
    mark = audit_mark()
    assert nano_data(nano_admin.delete("/storage_pools/%s" % name)) == ""
    assert audit_since(mark) == ["%s deletes storage pool %s" % (ADMIN_USER, name)]
    assert storage_pool_row(name) is None


def test_storage_is_free_again_once_its_compute_pool_lets_go(nano_admin, res):
    name = res.storage_pool()
    pool = res.compute_pool(storage=name)
    nano_data(nano_admin.put("/compute_pools/%s" % pool, {"storage": ""}))
    nano_data(nano_admin.delete("/storage_pools/%s" % name))
    assert storage_pool_row(name) is None


# ------------------------------------------------------------------ bad input, nothing changed

def test_storage_get_unknown_is_refused(nano_admin):
    name = unique_name("s")
    assert nano_message(nano_admin.get("/storage_pools/%s" % name)) == \
        "storage pool %s not found" % name


def test_storage_create_duplicate_name_is_refused(nano_admin, res):
    name = res.storage_pool(host="first.example.com", target="/first")
    mark = audit_mark()
    assert nano_message(nano_admin.post("/storage_pools/%s" % name,
                                        {"type": "nfs", "host": "second.example.com",
                                         "target": "/second"})) == \
        "storage pool %s already exists" % name
    assert storage_pool_row(name)["host"] == "first.example.com"
    assert audit_since(mark) == []


@pytest.mark.parametrize("bad", ["-leading", "x" * 65, "semi;colon"])
def test_storage_create_invalid_name_is_refused(nano_admin, bad):
    before = storage_count()
    assert "storage pool name" in nano_message(
        nano_admin.post("/storage_pools/%s" % bad, {"type": "nfs", "host": "h", "target": "/t"}))
    assert storage_count() == before


@pytest.mark.parametrize("body, message", [
    ({"type": "ceph", "host": "h", "target": "/t"}, "type: unsupported storage type 'ceph'"),
    ({"type": "nfs", "target": "/t"}, "host: must be a host name or IP address"),
    ({"type": "nfs", "host": "bad host!", "target": "/t"}, "host: must be a host name or IP address"),
    ({"type": "nfs", "host": "h"}, "target: must be an absolute path"),
    ({"type": "nfs", "host": "h", "target": "relative/path"}, "target: must be an absolute path"),
    ({"type": "nfs", "host": "h", "target": "/a/../b"}, "target: must not hold . or .. segments"),
    ({"type": "nfs", "host": "h", "target": "/a\nb"}, "target: must not hold control characters"),
    ({"type": "nfs", "host": 5, "target": "/t"}, "host: This field must be a string."),
    ({"type": "nfs", "host": "h", "target": "/t", "size": 1}, "size: This field is not accepted."),
])
def test_storage_create_bad_configuration_is_refused(nano_admin, res, body, message):
    name = unique_name("s")
    res.adopt("storage", name)
    assert nano_message(nano_admin.post("/storage_pools/%s" % name, body)) == message
    assert storage_pool_row(name) is None


def test_storage_modify_bad_configuration_changes_nothing(nano_admin, res):
    name = res.storage_pool(host="h.example.com", target="/t")
    assert nano_message(nano_admin.put("/storage_pools/%s" % name, {"target": "t"})) == \
        "target: must be an absolute path"
    assert nano_message(nano_admin.put("/storage_pools/%s" % name, {"type": "ceph"})) == \
        "type: unsupported storage type 'ceph'"
    assert storage_pool_row(name) == {"type": "nfs", "host": "h.example.com", "target": "/t"}


def test_storage_modify_unknown_is_refused(nano_admin):
    name = unique_name("s")
    assert nano_message(nano_admin.put("/storage_pools/%s" % name, {"host": "h"})) == \
        "storage pool %s not found" % name


def test_storage_modify_and_delete_of_a_pool_in_use_are_refused(nano_admin, res):
    name = res.storage_pool(host="h.example.com", target="/t")
    res.compute_pool(storage=name)
    mark = audit_mark()
    expected = "storage pool %s is used by 1 compute pool(s)" % name
    assert nano_message(nano_admin.put("/storage_pools/%s" % name, {"host": "other"})) == expected
    assert nano_message(nano_admin.delete("/storage_pools/%s" % name)) == expected
    assert storage_pool_row(name) == {"type": "nfs", "host": "h.example.com", "target": "/t"}
    assert audit_since(mark) == []


def test_storage_delete_unknown_is_refused(nano_admin):
    name = unique_name("s")
    before = storage_count()
    assert nano_message(nano_admin.delete("/storage_pools/%s" % name)) == \
        "storage pool %s not found" % name
    assert storage_count() == before


# ------------------------------------------------------------------ permission

def test_storage_routes_refuse_a_user_without_the_storage_pool_tag(outsider, res):
    name = res.storage_pool(host="h.example.com", target="/t")
    assert nano_message(outsider.get("/storage_pools/")) == NANO_REFUSED
    assert nano_message(outsider.get("/storage_pools/%s" % name)) == NANO_REFUSED
    other = unique_name("s")
    res.adopt("storage", other)
    assert nano_message(outsider.post("/storage_pools/%s" % other,
                                      {"host": "h", "target": "/t"})) == NANO_REFUSED
    assert storage_pool_row(other) is None
    assert nano_message(outsider.put("/storage_pools/%s" % name, {"host": "x"})) == NANO_REFUSED
    assert nano_message(outsider.delete("/storage_pools/%s" % name)) == NANO_REFUSED
    assert storage_pool_row(name)["host"] == "h.example.com"


def test_storage_routes_admit_a_user_whose_role_holds_the_storage_pool_tag(scratch, res):
    role = scratch.role(["storage_pool"])
    user, password = scratch.user(scratch.group([role]))
    s = NanoSession(user, password)
    name = unique_name("s")
    res.adopt("storage", name)
    nano_data(s.post("/storage_pools/%s" % name, {"type": "nfs", "host": "h", "target": "/t"}))
    assert storage_pool_row(name) is not None
    assert nano_message(s.get("/compute_pools/")) == NANO_REFUSED
