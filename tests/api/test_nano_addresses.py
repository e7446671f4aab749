"""Nano address pools and ranges (issue 5): GET /address_pools/, GET|POST|PUT|DELETE
/address_pools/{name}, GET /address_pools/{name}/{type}/ranges/,
GET|POST|DELETE /address_pools/{name}/{type}/ranges/{start}; and the allocation statement
(ADDRESS_ALLOCATE in db/queries/addresses.def) under concurrency."""
import concurrent.futures
import ipaddress
import os
import subprocess
import time

import pytest

from conftest import (ADMIN_USER, DB, NANO_REFUSED, REPO, NanoSession, audit_mark, audit_since,
                      nano_data, psql_bin, psql_scalar, run_psql, run_psql_script,
                      sql_literal, unique_name)


# ------------------------------------------------------------------ helpers

def pool_row(name):
    """[gateway, dns, provider, mode] as stored, or None."""
    rows = run_psql("SELECT host(gateway), array_to_string(ARRAY(SELECT host(d) FROM"
                    " unnest(dns) d), ','), provider, mode FROM address_pools WHERE name = %s"
                    % sql_literal(name))
    return rows[0] if rows else None


def range_rows(name):
    """[type, start, end, netmask] of every range of the pool, in order."""
    return run_psql("SELECT r.type, host(r.start_addr), host(r.end_addr), host(r.netmask)"
                    " FROM address_ranges r JOIN address_pools p ON p.id = r.pool_id"
                    " WHERE p.name = %s ORDER BY r.type, r.start_addr" % sql_literal(name))


def pool_id(name):
    return psql_scalar("SELECT id FROM address_pools WHERE name = %s" % sql_literal(name))


def new_guest(template_id=None):
    """A guest row (there is no guest API yet): the admin's, in compute pool 'default'."""
    return psql_scalar(
        "INSERT INTO guests (name, owner_id, pool_id, cores, memory, disks, template_id)"
        " VALUES (%s, (SELECT id FROM users WHERE name = %s),"
        " (SELECT id FROM compute_pools WHERE name = 'default'), 1, 1073741824,"
        " '{1073741824}', %s) RETURNING id"
        % (sql_literal(unique_name("g")), sql_literal(ADMIN_USER),
           sql_literal(template_id) if template_id else "NULL"))


def query_text(name, path="db/queries/addresses.def"):
    """The SQL text of NB_QUERY(name, ...) as the C compiler sees it (adjacent literals
    joined), so that the tests run the very statement the workers prepare."""
    with open(os.path.join(REPO, path)) as f:
        src = f.read()
    i = src.index("NB_QUERY(%s," % name)
    i = src.index(",", src.index(",", i) + 1) + 1  # past the name and the parameter count
    out = []
    while True:
        while src[i] in " \t\r\n":
            i += 1
        if src[i] == ")":
            return "".join(out)
        assert src[i] == '"', "unexpected %r in %s" % (src[i:i + 20], name)
        i += 1
        while src[i] != '"':
            if src[i] == "\\":
                i += 1
                out.append({"n": "\n", "t": "\t"}.get(src[i], src[i]))
            else:
                out.append(src[i])
            i += 1
        i += 1


ALLOCATE = query_text("ADDRESS_ALLOCATE")


def allocate_once(pool, guest, wanted=None, start_at=None):
    """One execution of ADDRESS_ALLOCATE in its own psql session: (address, taken) or None
    when the statement found nothing free. start_at: epoch seconds to wait for, so that many
    sessions fire at once."""
    script = ""
    if start_at is not None:
        script += "SELECT pg_sleep(greatest(0, %f - extract(epoch FROM clock_timestamp())));\n" \
                  % start_at
    script += "PREPARE alloc AS %s;\n" % ALLOCATE
    script += "EXECUTE alloc(%s, %s, %s);\n" % (sql_literal(pool), sql_literal(guest),
                                                sql_literal(wanted) if wanted else "NULL")
    rows = run_psql_script(script, timeout=60)
    if not rows:
        return None
    assert len(rows) == 1 and len(rows[0]) == 2, rows
    return rows[0][0], rows[0][1] == "t"


def allocate(pool, guest, wanted=None, start_at=None, tries=8, lost=None):
    """What nb_address_allocate does: retry while the statement lost a race (appending to
    lost, when given, once per lost race)."""
    for _ in range(tries):
        got = allocate_once(pool, guest, wanted, start_at)
        start_at = None
        if got is None:
            return None
        if got[1]:
            return got[0]
        if lost is not None:
            lost.append(guest)
    raise AssertionError("lost the race %d times" % tries)


@pytest.fixture
def pools(nano_admin):
    """Creates uniquely named address pools; removes them, their ranges, allocations and the
    guests made for them when the test ends."""
    made, guests = [], []

    class Pools:
        def make(self, gateway="10.20.0.254", ranges=(), **kw):
            name = unique_name("ap")
            made.append(name)
            nano_data(nano_admin.post("/address_pools/%s" % name, dict(gateway=gateway, **kw)))
            for kind, start, end, mask in ranges:
                nano_data(nano_admin.post("/address_pools/%s/%s/ranges/%s" % (name, kind, start),
                                          {"end": end, "netmask": mask}))
            return name

        def adopt(self, name):
            made.append(name)

        def guest(self, template_id=None):
            g = new_guest(template_id)
            guests.append(g)
            return g

    yield Pools()
    names = ",".join(sql_literal(n) for n in made) or "NULL"
    ids = ",".join(sql_literal(g) for g in guests) or "NULL"
    run_psql("BEGIN;"
             " DELETE FROM address_allocations WHERE pool_id IN"
             "   (SELECT id FROM address_pools WHERE name IN (%s)) OR guest_id::text IN (%s);"
             " DELETE FROM guests WHERE id::text IN (%s);"
             " UPDATE compute_pools SET address_pool_id = NULL WHERE address_pool_id IN"
             "   (SELECT id FROM address_pools WHERE name IN (%s));"
             " DELETE FROM address_ranges WHERE pool_id IN"
             "   (SELECT id FROM address_pools WHERE name IN (%s));"
             " DELETE FROM address_pools WHERE name IN (%s);"
             " COMMIT;" % (names, ids, ids, names, names, names))


R24 = "255.255.255.0"


# ------------------------------------------------------------------ address pools

def test_address_pool_create_then_get_shows_the_configuration(nano_admin, pools):
    name = unique_name("ap")
    pools.adopt(name)
    mark = audit_mark()
    nano_data(nano_admin.post("/address_pools/%s" % name, {
        "gateway": "172.16.3.254", "dns": ["8.8.8.8", "10.10.10.10"],
        "provider": "cloudinit", "mode": "external"}))
    assert audit_since(mark) == ["%s creates address pool %s" % (ADMIN_USER, name)]
    data = nano_data(nano_admin.get("/address_pools/%s" % name))
    assert data == {"name": name, "gateway": "172.16.3.254", "dns": ["8.8.8.8", "10.10.10.10"],
                    "provider": "cloudinit", "mode": "external", "ranges": [], "allocated": []}
    assert pool_row(name) == ["172.16.3.254", "8.8.8.8,10.10.10.10", "cloudinit", "external"]


def test_address_pool_create_defaults_provider_dhcp_and_mode_internal(nano_admin, pools):
    name = pools.make(gateway="192.168.9.1")
    data = nano_data(nano_admin.get("/address_pools/%s/" % name))
    assert (data["provider"], data["mode"], data["dns"]) == ("dhcp", "internal", [])


def test_address_pool_list_counts_addresses_and_allocations(nano_admin, pools):
    name = pools.make(gateway="10.31.0.1", ranges=[
        ("internal", "10.31.0.1", "10.31.0.100", R24),
        ("internal", "10.31.0.200", "10.31.0.219", R24),
        ("external", "10.31.0.101", "10.31.0.110", R24)])
    g = pools.guest()
    assert allocate(pool_id(name), g) == "10.31.0.2"  # .1 is the gateway
    data = nano_data(nano_admin.get("/address_pools/"))
    mine = [p for p in data if p["name"] == name]
    assert mine == [{"name": name, "gateway": "10.31.0.1", "provider": "dhcp", "mode": "internal",
                     "addresses": 100 + 20 + 10, "allocated": 1}]
    assert data == sorted(data, key=lambda p: p["name"])


def test_address_pool_get_lists_ranges_of_both_types_and_allocated_addresses(nano_admin, pools):
    name = pools.make(gateway="10.32.0.254", ranges=[
        ("internal", "10.32.0.10", "10.32.0.20", R24),
        ("external", "10.32.0.10", "10.32.0.12", R24)])
    g = pools.guest()
    assert allocate(pool_id(name), g) == "10.32.0.10"
    data = nano_data(nano_admin.get("/address_pools/%s" % name))
    assert data["ranges"] == [
        {"start": "10.32.0.10", "end": "10.32.0.12", "netmask": R24, "type": "external"},
        {"start": "10.32.0.10", "end": "10.32.0.20", "netmask": R24, "type": "internal"}]
    assert data["allocated"] == [{"address": "10.32.0.10", "instance": g, "type": "internal"}]


def test_address_pool_routes_answer_with_and_without_trailing_slash(nano_admin, pools):
    name = unique_name("ap")
    pools.adopt(name)
    nano_data(nano_admin.post("/address_pools/%s/" % name, {"gateway": "10.33.0.1"}))
    nano_data(nano_admin.put("/address_pools/%s/" % name, {"mode": "both"}))
    nano_data(nano_admin.post("/address_pools/%s/internal/ranges/10.33.0.2/" % name,
                              {"end": "10.33.0.9", "netmask": R24}))
    assert nano_data(nano_admin.get("/address_pools/%s/internal/ranges" % name)) == [
        {"start": "10.33.0.2", "end": "10.33.0.9", "netmask": R24}]
    assert nano_data(nano_admin.get("/address_pools/%s/internal/ranges/10.33.0.2/" % name))[
        "end"] == "10.33.0.9"
    nano_data(nano_admin.delete("/address_pools/%s/internal/ranges/10.33.0.2/" % name))
    assert nano_data(nano_admin.get("/address_pools"))
    nano_data(nano_admin.delete("/address_pools/%s/" % name))
    assert pool_row(name) is None


@pytest.mark.parametrize("body, words", [
    ({}, "gateway"),
    ({"gateway": "10.0.0"}, "invalid IPv4 address '10.0.0'"),
    ({"gateway": "10.0.0.256"}, "invalid IPv4 address"),
    ({"gateway": "010.0.0.1"}, "invalid IPv4 address"),
    ({"gateway": "fe80::1"}, "invalid IPv4 address"),
    ({"gateway": "10.0.0.1/24"}, "invalid IPv4 address"),
    ({"gateway": " 10.0.0.1"}, "invalid IPv4 address"),
    ({"gateway": 167772161}, "gateway"),
    ({"gateway": "10.0.0.1", "dns": ["8.8.8.8", "dns.example"]}, "dns: invalid IPv4 address"),
    ({"gateway": "10.0.0.1", "dns": "8.8.8.8"}, "dns"),
    ({"gateway": "10.0.0.1", "dns": [8]}, "dns"),
    ({"gateway": "10.0.0.1", "dns": ["8.8.8.8"] * 9}, "at most 8"),
    ({"gateway": "10.0.0.1", "provider": "static"}, "provider: must be one of 'dhcp', 'cloudinit'"),
    ({"gateway": "10.0.0.1", "mode": "bridge"},
     "mode: must be one of 'internal', 'external', 'both'"),
    ({"gateway": "10.0.0.1", "ranges": []}, "ranges"),
])
def test_address_pool_create_with_bad_input_is_refused_and_creates_nothing(nano_admin, pools,
                                                                           body, words):
    name = unique_name("ap")
    pools.adopt(name)
    mark = audit_mark()
    assert words in nano_admin.fail("POST", "/address_pools/%s" % name, body)
    assert pool_row(name) is None
    assert audit_since(mark) == []


@pytest.mark.parametrize("name", ["-lead", "has space", "a" * 65, "semi;colon"])
def test_address_pool_create_with_bad_name_is_refused(nano_admin, pools, name):
    pools.adopt(name)
    assert "address pool name" in nano_admin.fail("POST", "/address_pools/%s" % name,
                                                  {"gateway": "10.0.0.1"})
    assert pool_row(name) is None


def test_address_pool_create_duplicate_is_refused_and_keeps_the_first(nano_admin, pools):
    name = pools.make(gateway="10.34.0.1", provider="cloudinit")
    assert nano_admin.fail("POST", "/address_pools/%s" % name, {"gateway": "10.99.0.1"})
    assert pool_row(name) == ["10.34.0.1", "", "cloudinit", "internal"]


def test_address_pool_modify_changes_given_fields_and_keeps_the_others(nano_admin, pools):
    name = pools.make(gateway="10.35.0.1", dns=["1.1.1.1"], provider="cloudinit",
                      ranges=[("internal", "10.35.0.10", "10.35.0.20", R24)])
    mark = audit_mark()
    nano_data(nano_admin.put("/address_pools/%s" % name, {"gateway": "10.35.0.254",
                                                          "mode": "both"}))
    assert audit_since(mark) == ["%s modifies address pool %s" % (ADMIN_USER, name)]
    assert pool_row(name) == ["10.35.0.254", "1.1.1.1", "cloudinit", "both"]
    nano_data(nano_admin.put("/address_pools/%s" % name, {
        "gateway": "10.35.0.254", "dns": ["9.9.9.9", "8.8.4.4"], "provider": "dhcp",
        "mode": "internal"}))
    assert pool_row(name) == ["10.35.0.254", "9.9.9.9,8.8.4.4", "dhcp", "internal"]
    nano_data(nano_admin.put("/address_pools/%s" % name, {"dns": []}))
    assert pool_row(name) == ["10.35.0.254", "", "dhcp", "internal"]


def test_address_pool_modify_gateway_outside_a_range_network_is_refused(nano_admin, pools):
    name = pools.make(gateway="10.36.0.1", ranges=[
        ("internal", "10.36.0.10", "10.36.0.20", R24),
        ("external", "10.36.0.100", "10.36.0.120", "255.255.255.128")])
    # Inside the internal /24 but outside the external /25 (10.36.0.0-127).
    msg = nano_admin.fail("PUT", "/address_pools/%s" % name, {"gateway": "10.36.0.200",
                                                              "mode": "both"})
    assert "10.36.0.200 cannot be the gateway" in msg
    assert "external range 10.36.0.100-10.36.0.120" in msg
    msg = nano_admin.fail("PUT", "/address_pools/%s" % name, {"gateway": "10.37.0.1"})
    assert "outside the network of" in msg
    assert pool_row(name) == ["10.36.0.1", "", "dhcp", "internal"]
    nano_data(nano_admin.put("/address_pools/%s" % name, {"gateway": "10.36.0.126"}))
    assert pool_row(name)[0] == "10.36.0.126"


def test_address_pool_modify_gateway_to_an_allocated_address_is_refused(nano_admin, pools):
    name = pools.make(gateway="10.38.0.1", ranges=[("internal", "10.38.0.1", "10.38.0.9", R24)])
    g = pools.guest()
    assert allocate(pool_id(name), g) == "10.38.0.2"
    msg = nano_admin.fail("PUT", "/address_pools/%s" % name, {"gateway": "10.38.0.2"})
    assert "allocated to instance %s" % g in msg
    assert pool_row(name)[0] == "10.38.0.1"


@pytest.mark.parametrize("body, words", [
    ({"gateway": "10.39.0"}, "invalid IPv4 address"),
    ({"provider": "bootp"}, "provider: must be one of"),
    ({"mode": ""}, "mode: must be one of"),
    ({"dns": ["8.8.8.8", "1.1.1"]}, "dns: invalid IPv4 address"),
    ({"name": "other"}, "name"),
])
def test_address_pool_modify_with_bad_input_is_refused_and_changes_nothing(nano_admin, pools,
                                                                           body, words):
    name = pools.make(gateway="10.39.0.1", dns=["1.1.1.1"])
    mark = audit_mark()
    assert words in nano_admin.fail("PUT", "/address_pools/%s" % name, body)
    assert pool_row(name) == ["10.39.0.1", "1.1.1.1", "dhcp", "internal"]
    assert audit_since(mark) == []


def test_unknown_address_pool_is_not_found_everywhere(nano_admin):
    name = unique_name("none")
    expect = "address pool %s not found" % name
    assert nano_admin.fail("GET", "/address_pools/%s" % name) == expect
    assert nano_admin.fail("PUT", "/address_pools/%s" % name, {"mode": "both"}) == expect
    assert nano_admin.fail("DELETE", "/address_pools/%s" % name) == expect
    assert nano_admin.fail("GET", "/address_pools/%s/internal/ranges/" % name) == expect
    assert nano_admin.fail("GET", "/address_pools/%s/internal/ranges/10.0.0.1" % name) == expect
    assert nano_admin.fail("POST", "/address_pools/%s/internal/ranges/10.0.0.1" % name,
                           {"end": "10.0.0.9", "netmask": R24}) == expect
    assert nano_admin.fail("DELETE", "/address_pools/%s/internal/ranges/10.0.0.1" % name) == expect


def test_address_pool_delete_removes_it_with_its_empty_ranges(nano_admin, pools):
    name = pools.make(gateway="10.40.0.1", ranges=[("internal", "10.40.0.2", "10.40.0.9", R24),
                                                   ("external", "10.40.0.2", "10.40.0.3", R24)])
    mark = audit_mark()
    nano_data(nano_admin.delete("/address_pools/%s" % name))
    assert audit_since(mark) == ["%s deletes address pool %s" % (ADMIN_USER, name)]
    assert pool_row(name) is None and range_rows(name) == []
    assert name not in [p["name"] for p in nano_data(nano_admin.get("/address_pools/"))]


def test_address_pool_delete_with_allocated_addresses_is_refused(nano_admin, pools):
    name = pools.make(gateway="10.41.0.1", ranges=[("internal", "10.41.0.2", "10.41.0.9", R24)])
    assert allocate(pool_id(name), pools.guest()) == "10.41.0.2"
    msg = nano_admin.fail("DELETE", "/address_pools/%s" % name)
    assert msg == "address pool %s still has 1 allocated address(es)" % name
    assert pool_row(name) is not None and len(range_rows(name)) == 1


def test_address_pool_delete_used_by_a_compute_pool_is_refused(nano_admin, pools):
    name = pools.make(gateway="10.42.0.1")
    compute = unique_name("cp")
    run_psql("INSERT INTO compute_pools (name, address_pool_id) VALUES (%s, %s)"
             % (sql_literal(compute), pool_id(name)))
    try:
        msg = nano_admin.fail("DELETE", "/address_pools/%s" % name)
        assert msg == "address pool %s is used by compute pool(s) %s" % (name, compute)
        assert pool_row(name) is not None
    finally:
        run_psql("DELETE FROM compute_pools WHERE name = %s" % sql_literal(compute))


# ------------------------------------------------------------------ ranges

def test_range_add_then_list_and_get(nano_admin, pools):
    name = pools.make(gateway="172.16.3.254")
    mark = audit_mark()
    nano_data(nano_admin.post("/address_pools/%s/internal/ranges/172.16.3.20" % name,
                              {"end": "172.16.3.190", "netmask": R24}))
    nano_data(nano_admin.post("/address_pools/%s/internal/ranges/172.16.3.1" % name,
                              {"end": "172.16.3.18", "netmask": R24}))
    assert audit_since(mark) == [
        "%s adds internal address range 172.16.3.20 to address pool %s" % (ADMIN_USER, name),
        "%s adds internal address range 172.16.3.1 to address pool %s" % (ADMIN_USER, name)]
    assert nano_data(nano_admin.get("/address_pools/%s/internal/ranges/" % name)) == [
        {"start": "172.16.3.1", "end": "172.16.3.18", "netmask": R24},
        {"start": "172.16.3.20", "end": "172.16.3.190", "netmask": R24}]
    assert nano_data(nano_admin.get("/address_pools/%s/external/ranges/" % name)) == []
    g = pools.guest()
    assert allocate(pool_id(name), g) == "172.16.3.1"
    assert nano_data(nano_admin.get("/address_pools/%s/internal/ranges/172.16.3.1" % name)) == {
        "start": "172.16.3.1", "end": "172.16.3.18", "netmask": R24,
        "allocated": [{"address": "172.16.3.1", "instance": g}]}
    assert nano_data(nano_admin.get("/address_pools/%s/internal/ranges/172.16.3.20" % name))[
        "allocated"] == []


def test_ranges_of_the_two_types_are_separate(nano_admin, pools):
    name = pools.make(gateway="10.43.0.1", ranges=[("internal", "10.43.0.10", "10.43.0.20", R24)])
    nano_data(nano_admin.post("/address_pools/%s/external/ranges/10.43.0.15" % name,
                              {"end": "10.43.0.30", "netmask": R24}))
    assert range_rows(name) == [["external", "10.43.0.15", "10.43.0.30", R24],
                                ["internal", "10.43.0.10", "10.43.0.20", R24]]
    assert "not found" in nano_admin.fail("GET", "/address_pools/%s/external/ranges/10.43.0.10"
                                          % name)


def test_range_of_a_single_address_under_a_host_mask_needs_the_gateway_there(nano_admin, pools):
    name = pools.make(gateway="10.44.0.1")
    assert "outside the network" in nano_admin.fail(
        "POST", "/address_pools/%s/internal/ranges/10.44.0.5" % name,
        {"end": "10.44.0.5", "netmask": "255.255.255.255"})
    nano_data(nano_admin.post("/address_pools/%s/internal/ranges/10.44.0.5" % name,
                              {"end": "10.44.0.5", "netmask": "255.255.0.0"}))
    assert range_rows(name) == [["internal", "10.44.0.5", "10.44.0.5", "255.255.0.0"]]


EXISTING = [("internal", "10.50.0.10", "10.50.0.20", R24), ("internal", "10.50.0.40", "10.50.0.50", R24)]


@pytest.mark.parametrize("kind, start, body, words", [
    ("internal", "10.50.0", {"end": "10.50.0.30", "netmask": R24}, "start: invalid IPv4 address"),
    ("internal", "10.50.0.021", {"end": "10.50.0.30", "netmask": R24}, "start: invalid IPv4"),
    ("internal", "10.50.0.21", {"end": "10.50.0.300", "netmask": R24}, "end: invalid IPv4"),
    ("internal", "10.50.0.21", {"end": "::1", "netmask": R24}, "end: invalid IPv4"),
    ("internal", "10.50.0.21", {"end": "10.50.0.30", "netmask": "255.0.255.0"},
     "netmask: invalid netmask '255.0.255.0'"),
    ("internal", "10.50.0.21", {"end": "10.50.0.30", "netmask": "0.0.0.0"}, "invalid netmask"),
    ("internal", "10.50.0.21", {"end": "10.50.0.30", "netmask": "24"}, "invalid netmask"),
    ("internal", "10.50.0.30", {"end": "10.50.0.21", "netmask": R24},
     "range start is after its end"),
    ("internal", "10.50.0.200", {"end": "10.50.1.10", "netmask": R24},
     "range start and end are not in the same /24 network"),
    ("internal", "10.50.0.15", {"end": "10.50.0.30", "netmask": R24},
     "range 10.50.0.15-10.50.0.30 overlaps internal range 10.50.0.10-10.50.0.20"),
    ("internal", "10.50.0.1", {"end": "10.50.0.10", "netmask": R24}, "overlaps internal range"),
    ("internal", "10.50.0.21", {"end": "10.50.0.40", "netmask": R24},
     "overlaps internal range 10.50.0.40-10.50.0.50"),
    ("internal", "10.50.0.1", {"end": "10.50.0.99", "netmask": R24}, "overlaps"),
    ("internal", "10.50.0.12", {"end": "10.50.0.13", "netmask": R24}, "overlaps"),
    ("internal", "10.50.0.10", {"end": "10.50.0.10", "netmask": R24}, "overlaps"),
    ("internal", "10.51.0.1", {"end": "10.51.0.9", "netmask": R24},
     "gateway 10.50.0.1 of address pool"),
    ("internal", "10.50.0.28", {"end": "10.50.0.30", "netmask": "255.255.255.252"},
     "outside the network of range 10.50.0.28-10.50.0.30"),
    ("both", "10.50.0.21", {"end": "10.50.0.30", "netmask": R24},
     "type: must be one of 'internal', 'external'"),
    ("internal", "10.50.0.21", {"netmask": R24}, "end"),
    ("internal", "10.50.0.21", {"end": "10.50.0.30"}, "netmask"),
    ("internal", "10.50.0.21", {"end": "10.50.0.30", "netmask": R24, "gateway": "10.50.0.1"},
     "gateway"),
])
def test_range_add_with_bad_input_is_refused_and_changes_nothing(nano_admin, pools, kind, start,
                                                                 body, words):
    name = pools.make(gateway="10.50.0.1", ranges=EXISTING)
    before = range_rows(name)
    mark = audit_mark()
    msg = nano_admin.fail("POST", "/address_pools/%s/%s/ranges/%s" % (name, kind, start), body)
    assert words in msg
    assert range_rows(name) == before
    assert audit_since(mark) == []


def test_concurrent_overlapping_ranges_admit_exactly_one(nano_admin, pools):
    """Many clients add overlapping ranges at once: one wins, every other one is refused with
    a conflict, and the ranges never overlap (the exclusion constraint backs the check)."""
    name = pools.make(gateway="10.52.0.1")
    starts = ["10.52.0.%d" % (10 + i) for i in range(12)]
    sessions = [nano_admin] * len(starts)

    def add(i):
        return sessions[i].post("/address_pools/%s/internal/ranges/%s" % (name, starts[i]),
                                {"end": "10.52.0.100", "netmask": R24}).json()

    with concurrent.futures.ThreadPoolExecutor(len(starts)) as ex:
        answers = list(ex.map(add, range(len(starts))))
    assert sum(a["error_code"] == 0 for a in answers) == 1, answers
    assert all("overlap" in a["message"] for a in answers if a["error_code"] != 0), answers
    assert len(range_rows(name)) == 1


def test_exclusion_constraint_refuses_overlap_written_past_the_api(pools):
    name = pools.make(gateway="10.53.0.1", ranges=[("internal", "10.53.0.10", "10.53.0.20", R24)])
    p = subprocess.run([psql_bin(), "-X", "-q", "-d", DB, "-c",
                        "INSERT INTO address_ranges (pool_id, type, start_addr, end_addr, netmask)"
                        " VALUES (%s, 'internal', '10.53.0.20', '10.53.0.30', '%s')"
                        % (pool_id(name), R24)], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "exclusion constraint" in p.stderr
    assert len(range_rows(name)) == 1


def test_range_delete_removes_an_empty_range(nano_admin, pools):
    name = pools.make(gateway="10.54.0.1", ranges=[("internal", "10.54.0.2", "10.54.0.9", R24),
                                                   ("external", "10.54.0.2", "10.54.0.9", R24)])
    mark = audit_mark()
    nano_data(nano_admin.delete("/address_pools/%s/external/ranges/10.54.0.2" % name))
    assert audit_since(mark) == [
        "%s removes external address range 10.54.0.2 from address pool %s" % (ADMIN_USER, name)]
    assert range_rows(name) == [["internal", "10.54.0.2", "10.54.0.9", R24]]


def test_range_delete_with_allocated_addresses_is_refused(nano_admin, pools):
    name = pools.make(gateway="10.55.0.1", ranges=[("internal", "10.55.0.2", "10.55.0.9", R24)])
    g1, g2 = pools.guest(), pools.guest()
    assert allocate(pool_id(name), g1) == "10.55.0.2"
    assert allocate(pool_id(name), g2) == "10.55.0.3"
    msg = nano_admin.fail("DELETE", "/address_pools/%s/internal/ranges/10.55.0.2" % name)
    assert msg == "internal range 10.55.0.2 still has 2 allocated address(es)"
    assert len(range_rows(name)) == 1


@pytest.mark.parametrize("start, words", [
    ("10.56.0.3", "internal range 10.56.0.3 not found in address pool"),
    ("10.56.0.2.", "start: invalid IPv4 address"),
])
def test_range_get_and_delete_of_unknown_start(nano_admin, pools, start, words):
    name = pools.make(gateway="10.56.0.1", ranges=[("internal", "10.56.0.2", "10.56.0.9", R24)])
    assert words in nano_admin.fail("GET", "/address_pools/%s/internal/ranges/%s" % (name, start))
    assert words in nano_admin.fail("DELETE", "/address_pools/%s/internal/ranges/%s"
                                    % (name, start))
    assert len(range_rows(name)) == 1


# ------------------------------------------------------------------ allocation

def test_allocation_takes_the_lowest_free_address_skipping_gateway_and_taken(pools):
    name = pools.make(gateway="10.60.0.3", ranges=[
        ("internal", "10.60.0.1", "10.60.0.4", R24),
        ("internal", "10.60.0.10", "10.60.0.11", R24),
        ("external", "10.60.0.5", "10.60.0.9", R24)])
    pid = pool_id(name)
    got = [allocate(pid, pools.guest()) for _ in range(5)]
    # .3 is the gateway; external addresses are never handed out here.
    assert got == ["10.60.0.1", "10.60.0.2", "10.60.0.4", "10.60.0.10", "10.60.0.11"]
    assert allocate(pid, pools.guest()) is None  # exhausted
    # A released address is the lowest free one again.
    run_psql("DELETE FROM address_allocations WHERE pool_id = %s AND address = '10.60.0.2'" % pid)
    assert allocate(pid, pools.guest()) == "10.60.0.2"


def test_allocation_of_a_wanted_address(pools):
    name = pools.make(gateway="10.61.0.1", ranges=[("internal", "10.61.0.1", "10.61.0.20", R24),
                                                   ("external", "10.61.0.30", "10.61.0.40", R24)])
    pid = pool_id(name)
    assert allocate(pid, pools.guest(), "10.61.0.17") == "10.61.0.17"
    assert allocate(pid, pools.guest(), "10.61.0.17") is None  # taken
    assert allocate(pid, pools.guest(), "10.61.0.1") is None  # the gateway
    assert allocate(pid, pools.guest(), "10.61.0.25") is None  # in no range
    assert allocate(pid, pools.guest(), "10.61.0.35") is None  # external range
    assert allocate(pid, pools.guest()) == "10.61.0.2"


def test_allocation_of_the_last_address_of_the_ipv4_space(pools):
    """x + 1 past 255.255.255.255 would overflow: the candidates stop at the range's end."""
    name = pools.make(gateway="255.255.255.1", ranges=[
        ("internal", "255.255.255.253", "255.255.255.255", R24)])
    pid = pool_id(name)
    got = [allocate(pid, pools.guest()) for _ in range(3)]
    assert got == ["255.255.255.253", "255.255.255.254", "255.255.255.255"]
    assert allocate(pid, pools.guest()) is None


def test_concurrent_allocations_never_hand_out_one_address_twice(pools):
    """32 sessions run the worker's allocation statement at the same instant for 32 guests."""
    name = pools.make(gateway="10.62.0.5", ranges=[("internal", "10.62.0.1", "10.62.0.40", R24)])
    pid = pool_id(name)
    guests = [pools.guest() for _ in range(32)]
    start_at = time.time() + 1.5
    lost = []
    with concurrent.futures.ThreadPoolExecutor(len(guests)) as ex:
        got = list(ex.map(lambda g: allocate(pid, g, start_at=start_at, tries=40, lost=lost),
                          guests))
    assert lost, "no session ever lost a race: the test did not exercise concurrency"
    assert None not in got
    assert len(set(got)) == len(got) == 32
    expect = [a for a in ("10.62.0.%d" % i for i in range(1, 41)) if a != "10.62.0.5"][:32]
    assert sorted(got, key=ipaddress.ip_address) == expect
    rows = run_psql("SELECT host(address), guest_id FROM address_allocations WHERE pool_id = %s"
                    % pid)
    assert len(rows) == 32
    assert dict(rows) == dict(zip(got, guests))


def test_concurrent_allocations_beyond_capacity_give_each_free_address_once(pools):
    name = pools.make(gateway="10.63.0.1", ranges=[("internal", "10.63.0.1", "10.63.0.10", R24)])
    pid = pool_id(name)
    guests = [pools.guest() for _ in range(24)]
    start_at = time.time() + 1.5
    with concurrent.futures.ThreadPoolExecutor(len(guests)) as ex:
        got = list(ex.map(lambda g: allocate(pid, g, start_at=start_at, tries=40), guests))
    given = [a for a in got if a is not None]
    assert sorted(given, key=ipaddress.ip_address) == ["10.63.0.%d" % i for i in range(2, 11)]
    assert int(psql_scalar("SELECT count(*) FROM address_allocations WHERE pool_id = %s"
                           % pid)) == 9


def test_allocations_show_through_the_api(nano_admin, pools):
    name = pools.make(gateway="10.64.0.1", ranges=[("internal", "10.64.0.1", "10.64.0.9", R24)])
    pid = pool_id(name)
    g1, g2 = pools.guest(), pools.guest()
    allocate(pid, g1)
    allocate(pid, g2)
    data = nano_data(nano_admin.get("/address_pools/%s" % name))
    assert data["allocated"] == [{"address": "10.64.0.2", "instance": g1, "type": "internal"},
                                 {"address": "10.64.0.3", "instance": g2, "type": "internal"}]
    # Deleting a guest gives its address back.
    run_psql("DELETE FROM guests WHERE id = '%s'" % g1)
    assert nano_data(nano_admin.get("/address_pools/%s/internal/ranges/10.64.0.1" % name))[
        "allocated"] == [{"address": "10.64.0.3", "instance": g2}]


# ------------------------------------------------------------------ permissions

def test_address_pool_routes_need_the_address_pool_tag(nano_admin, scratch, pools):
    name = pools.make(gateway="10.65.0.1", ranges=[("internal", "10.65.0.2", "10.65.0.9", R24)])
    without = NanoSession(*scratch.user(scratch.group([scratch.role(["dashboard",
                                                                     "compute_pool"])])))
    calls = [("GET", "/address_pools/", None), ("GET", "/address_pools/%s" % name, None),
             ("POST", "/address_pools/%s" % unique_name("ap"), {"gateway": "10.0.0.1"}),
             ("PUT", "/address_pools/%s" % name, {"mode": "both"}),
             ("DELETE", "/address_pools/%s" % name, None),
             ("GET", "/address_pools/%s/internal/ranges/" % name, None),
             ("GET", "/address_pools/%s/internal/ranges/10.65.0.2" % name, None),
             ("POST", "/address_pools/%s/internal/ranges/10.65.0.20" % name,
              {"end": "10.65.0.30", "netmask": R24}),
             ("DELETE", "/address_pools/%s/internal/ranges/10.65.0.2" % name, None)]
    mark = audit_mark()
    for method, path, body in calls:
        assert without.fail(method, path, body) == NANO_REFUSED, (method, path)
    assert audit_since(mark) == []
    assert pool_row(name) == ["10.65.0.1", "", "dhcp", "internal"]
    assert len(range_rows(name)) == 1
    holder = NanoSession(*scratch.user(scratch.group([scratch.role(["address_pool"])])))
    nano_data(holder.put("/address_pools/%s" % name, {"mode": "both"}))
    assert pool_row(name)[3] == "both"
    assert name in [p["name"] for p in nano_data(holder.get("/address_pools/"))]
