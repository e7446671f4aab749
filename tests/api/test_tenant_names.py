"""Answers never show another tenant's names or the database's internals (issue 13, item 6).

Two tenants of different user groups, both holding the instance and policies menu tags,
share the default compute pool, where guest names are unique. A refused change answers a clean
message — never PostgreSQL's DETAIL ("Key (pool_id, name)=(1, x) already exists."), a
constraint name or an internal id — and names nothing the caller cannot see. Every refused
call changes nothing: the rows read back the same and no audit entry is written."""
import pytest

from conftest import (NanoSession, audit_mark, audit_since, nano_data, nano_message, run_psql,
                      sql_literal, unique_name)

GUEST = {"pool": "default", "template": "linux-default", "cores": 1, "memory": 268435456,
         "disks": [1073741824]}
# What PostgreSQL's own unique-violation text looks like, and names of our schema.
INTERNALS = ("Key (", ")=(", "already exists.", "duplicate key", "pool_id", "_key", "_pkey",
             "constraint", "violates")


@pytest.fixture(scope="module")
def tenants(module_scratch):
    s = module_scratch
    role = s.role(["dashboard", "instance", "policies"])
    made = {"a": NanoSession(*s.user(s.group([role]))),
            "b": NanoSession(*s.user(s.group([role])))}
    yield made
    users = "SELECT id FROM users WHERE name IN (%s)" % ",".join(
        sql_literal(made[k].user) for k in made)
    guests = ("SELECT id FROM guests WHERE owner_id IN (%s) OR security_group_id IN"
              " (SELECT id FROM security_groups WHERE owner_id IN (%s))" % (users, users))
    run_psql("BEGIN; DELETE FROM operations WHERE guest_id IN (%s); DELETE FROM guests WHERE id IN"
             " (%s); DELETE FROM security_groups WHERE owner_id IN (%s); COMMIT;"
             % (guests, guests, users))


def create_guest(session, **over):
    """Create a guest as session; return (name, id)."""
    body = dict(GUEST, name=unique_name("vm"))
    body.update(over)
    r = session.post("/guests/", body)
    assert r.status_code == 202, r.text
    return body["name"], r.json()["data"]["id"]


def guests_named(name):
    """[owner, ethernet address] of every guest with this name, as stored."""
    return run_psql("SELECT u.name, g.ethernet_address FROM guests g JOIN users u"
                    " ON u.id = g.owner_id WHERE g.name = %s ORDER BY g.id" % sql_literal(name))


def guest_row(gid):
    return run_psql("SELECT name, owner_id, pool_id, ethernet_address, security_group_id"
                    " FROM guests WHERE id = %s" % sql_literal(gid))


def assert_clean(message, *hidden):
    """No database internals and none of the hidden names in a refusal."""
    for word in INTERNALS + hidden:
        assert word not in message, (word, message)


def test_a_guest_name_another_tenant_holds_in_the_pool_is_a_clean_conflict(tenants):
    a, b = tenants["a"], tenants["b"]
    name, _ = create_guest(a)
    before, mark = guests_named(name), audit_mark()
    r = b.post("/guests/", dict(GUEST, name=name))
    message = nano_message(r)
    assert message == "a guest with that name already exists in the compute pool"
    assert_clean(message, a.user)
    assert guests_named(name) == before and before[0][0] == a.user
    assert audit_since(mark) == []


def test_renaming_to_a_name_another_tenant_holds_is_a_clean_conflict(tenants):
    a, b = tenants["a"], tenants["b"]
    taken, _ = create_guest(a)
    _, mine = create_guest(b)
    before, mark = guest_row(mine), audit_mark()
    message = nano_message(b.put("/guests/%s/name/" % mine, {"name": taken}))
    assert message == "a guest with that name already exists in the compute pool"
    assert_clean(message, a.user)
    assert guest_row(mine) == before and len(guests_named(taken)) == 1
    assert audit_since(mark) == []


def test_an_ethernet_address_another_tenant_holds_is_a_clean_conflict(tenants):
    a, b = tenants["a"], tenants["b"]
    theirs, _ = create_guest(a)
    mac = guests_named(theirs)[0][1]
    name, mark = unique_name("vm"), audit_mark()
    message = nano_message(b.post("/guests/", dict(GUEST, name=name, ethernet_address=mac)))
    assert message == "a guest with that ethernet address already exists"
    assert_clean(message, a.user, theirs)
    assert guests_named(name) == [] and len(guests_named(theirs)) == 1
    assert audit_since(mark) == []


def stored_group(gid):
    return run_psql("SELECT name, description, enabled, global, default_action, rules::text,"
                    " owner_id FROM security_groups WHERE id = %s" % sql_literal(gid))


def test_deleting_a_global_group_another_tenants_guest_uses_counts_without_names(tenants):
    a, b = tenants["a"], tenants["b"]
    group = unique_name("sg")
    gid = nano_data(a.post("/security_policy_groups/", {"name": group, "global": True}))["id"]
    theirs, _ = create_guest(b, security_policy_group=gid)
    before, mark = stored_group(gid), audit_mark()
    message = nano_message(a.delete("/security_policy_groups/%s" % gid))
    assert message == "security policy group %s is used by 1 guest(s)" % group
    assert_clean(message, theirs, b.user)
    assert stored_group(gid) == before and audit_since(mark) == []
    # A second user counts too, still without a name.
    mine, _ = create_guest(a, security_policy_group=gid)
    mark = audit_mark()
    message = nano_message(a.delete("/security_policy_groups/%s" % gid))
    assert message == "security policy group %s is used by 2 guest(s)" % group
    assert_clean(message, theirs, mine, b.user)
    assert stored_group(gid) == before and audit_since(mark) == []


# Keys no client chooses: random tokens and uuids, process ids, the migration table.
UNCHOSEN = {"schema_migrations_pkey", "credentials_pkey", "reconcilers_pkey", "zone_pkey",
            "users_uuid_key",
            # the quotaholder's (migration 019): serials from a sequence, provisions merged per
            # holding, holdings and service names written by upserts, tokens random
            "commissions_pkey", "provisions_pkey", "holdings_project_id_user_id_resource_id_key",
            "services_name_key", "services_token_hash_key"}


def test_every_unique_constraint_a_client_can_hit_has_a_clean_message():
    """A new unique constraint gets its own message in db/db.c, not the fallback."""
    import os
    import re
    with open(os.path.join(os.environ.get("NIMBUS_REPO", "."), "db", "db.c")) as f:
        listed = set(re.findall(r'\{"([a-z_]+_(?:key|pkey))",', f.read()))
    rows = run_psql(
        "SELECT c.conname FROM pg_constraint c WHERE c.contype IN ('u', 'p')"
        "   AND c.connamespace = 'public'::regnamespace"
        "   AND NOT (c.contype = 'p' AND c.conkey = ARRAY[(SELECT attnum FROM pg_attribute"
        "            WHERE attrelid = c.conrelid AND attname = 'id')])")
    constraints = {row[0] for row in rows} - UNCHOSEN
    assert "guests_pool_id_name_key" in constraints
    assert constraints - listed == set()
