"""Who sees a guest, and the names a guest shows (issue 6, made cheaper in issue 8).

A guest is seen by its owner, by admins, and by the members of its group while that group
shares instances (instance_visible). The caller's shared group comes with its resolved
credential, which workers remember, so a change of the flag must hold on the next request
whichever worker serves it. The names a guest shows (owner, group, pool, cell, host) and its
allocated address are kept on the guest row (migrations/015): they must follow the rows they
copy."""
import subprocess

import pytest

from conftest import (DB, GIB, MIB, NanoSession, fan_out, nano_data, psql_bin, run_psql,
                      run_psql_script, sql_literal, unique_name, wait_for)
from test_nano_guests import wait_created, wait_gone


@pytest.fixture
def team(s, scratch):
    """Group with instance and visibility tags, members alice and bob, outsider eve in another
    group; a created guest of alice's made by the admin. Yields the sessions and the guest."""
    group = scratch.group(roles=[scratch.role(menu=["instance", "visibility"])])
    other = scratch.group(roles=[scratch.role(menu=["instance"])])
    alice, bob, eve = (scratch.user(group=g) for g in (group, group, other))
    name = unique_name("shared")
    r = s.post("/guests/", {"name": name, "owner": alice[0], "pool": "default",
                            "cores": 1, "memory": 64 * MIB, "disks": [GIB],
                            "template": "linux-default"})
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    try:
        wait_created(s, gid)
        yield {"group": group, "other": other, "guest": gid, "name": name,
               "alice": NanoSession(*alice), "bob": NanoSession(*bob), "eve": NanoSession(*eve)}
    finally:
        s.delete("/guests/%s" % gid, {"force": True})
    wait_gone(s, gid)


def sees(session, team):
    """Whether every worker shows the team's guest to session: by id, in guest_search (of the
    owner's guests) and in the keyword search (of its name). All must agree."""
    gid = team["guest"]
    by_id = fan_out(lambda: session.get("/guests/%s" % gid).json())
    found = {b["error_code"] == 0 and b["data"]["id"] == gid for b in by_id}
    listed = gid in [g["id"] for g in nano_data(session.get(
        "/guest_search/?owner=%s&limit=1000" % team["alice"].user))]
    searched = gid in [g["id"] for g in nano_data(session.post(
        "/search/guests/", {"limit": 1000, "offset": 0, "keyword": team["name"]}))["result"]]
    assert found | {listed, searched} in ({True}, {False}), (found, listed, searched)
    return listed


def test_group_members_see_a_guest_only_while_their_group_shares_instances(s, team):
    bob = team["bob"]
    bob.ok("PUT", "/resource_visibilities/", {"instance_visible": False})
    assert sees(team["alice"], team) and sees(s, team)
    assert not sees(bob, team)
    bob.ok("PUT", "/resource_visibilities/", {"instance_visible": True})
    assert sees(bob, team)
    assert not sees(team["eve"], team)
    bob.ok("PUT", "/resource_visibilities/", {"instance_visible": False})
    assert not sees(bob, team)
    assert sees(team["alice"], team)


def test_moving_to_another_group_hides_the_old_groups_guests_at_once(s, team):
    bob = team["bob"]
    bob.ok("PUT", "/resource_visibilities/", {"instance_visible": True})
    assert sees(bob, team)
    s.ok("DELETE", "/user_groups/%s/members/%s" % (team["group"], bob.user))
    s.ok("POST", "/user_groups/%s/members/%s" % (team["other"], bob.user))
    bob = NanoSession(bob.user, bob.password)  # leaving the group ended bob's session
    assert not sees(bob, team)


def shown(s, gid):
    d = nano_data(s.get("/guests/%s" % gid))
    return {k: d[k] for k in ("owner", "group", "pool", "cell", "host")}


def test_a_guest_shows_its_owner_and_group_as_they_are_now(s, team, scratch):
    gid, group = team["guest"], team["group"]
    before = shown(s, gid)
    assert before == {"owner": team["alice"].user, "group": group, "pool": "default",
                      "cell": "cell0", "host": before["host"]} and before["host"]
    owner, new_group = unique_name("u"), unique_name("g")
    scratch.adopt("user", owner)
    scratch.adopt("group", new_group)
    run_psql("UPDATE users SET name = %s WHERE name = %s;"
             " UPDATE user_groups SET name = %s WHERE name = %s"
             % (sql_literal(owner), sql_literal(team["alice"].user), sql_literal(new_group),
                sql_literal(group)))
    assert shown(s, gid) == dict(before, owner=owner, group=new_group)


def rows_rolled_back(changes, query):
    """The rows of query after changes, in one transaction that is then rolled back (cell0 and
    the default pool are everybody's: nothing may stay changed)."""
    return run_psql_script("BEGIN;\n%s;\n%s;\nROLLBACK;\n" % (changes, query))


def test_the_names_on_the_guest_row_follow_its_cell_and_pool(team):
    where = " WHERE id = %s" % sql_literal(team["guest"])
    query = "SELECT cell_name, cell_address, pool_name FROM guests" + where
    assert rows_rolled_back(
        "UPDATE cells SET name = 'renamed-cell', address = 'moved.example' WHERE name = 'cell0';"
        " UPDATE compute_pools SET name = 'renamed-pool' WHERE name = 'default'",
        query) == [["renamed-cell", "moved.example", "renamed-pool"]]
    # A guest moved to another cell shows that cell.
    assert rows_rolled_back(
        "INSERT INTO cells (name, uri, address) VALUES ('other-cell', 'test:///other', 'h2');"
        " UPDATE guests SET cell_id = (SELECT id FROM cells WHERE name = 'other-cell') " + where,
        query) == [["other-cell", "h2", "default"]]
    assert [row[0::2] for row in run_psql(query)] == [["cell0", "default"]]


@pytest.fixture
def address_pool(s):
    """An address pool with one range; (pool id, range id). Removed afterwards."""
    name = unique_name("ap")
    s.ok("POST", "/address_pools/%s" % name, {"gateway": "198.51.100.1"})
    s.ok("POST", "/address_pools/%s/internal/ranges/198.51.100.5" % name,
         {"end": "198.51.100.20", "netmask": "255.255.255.0"})
    ids = run_psql("SELECT p.id, r.id FROM address_pools p JOIN address_ranges r"
                   " ON r.pool_id = p.id WHERE p.name = %s" % sql_literal(name))[0]
    yield ids
    run_psql("DELETE FROM address_allocations WHERE pool_id = %s" % ids[0])
    s.ok("DELETE", "/address_pools/%s/internal/ranges/198.51.100.5" % name)
    s.ok("DELETE", "/address_pools/%s" % name)


def test_the_allocated_address_follows_the_allocations(s, team, address_pool):
    gid, (pool, rng) = team["guest"], address_pool

    def internal():
        return nano_data(s.get("/guests/%s" % gid))["internal"]
    assert "allocated_address" not in internal()
    run_psql("INSERT INTO address_allocations (pool_id, range_id, address, guest_id)"
             " VALUES (%s, %s, '198.51.100.9', %s), (%s, %s, '198.51.100.7', %s)"
             % (pool, rng, sql_literal(gid), pool, rng, sql_literal(gid)))
    assert internal()["allocated_address"] == internal()["network_address"] == "198.51.100.7"
    run_psql("DELETE FROM address_allocations WHERE pool_id = %s AND address = '198.51.100.7'"
             % pool)
    assert internal()["allocated_address"] == "198.51.100.9"
    run_psql("DELETE FROM address_allocations WHERE guest_id = %s" % sql_literal(gid))
    assert "allocated_address" not in internal()


def test_a_guest_added_while_its_cell_is_renamed_shows_the_new_name():
    """The copy is taken under a share lock: a rename that has run but not committed when the
    guest is inserted makes the insert wait for it, instead of leaving the old name behind
    (the rename's own update of guests cannot see the new guest)."""
    old, new = unique_name("cell"), unique_name("cell")
    cell = run_psql("INSERT INTO cells (name, uri, enabled) VALUES (%s, 'test:///nimbus-nowhere',"
                    " false) RETURNING id" % sql_literal(old))[0][0]
    rename = subprocess.Popen(
        [psql_bin(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", DB, "-c",
         "BEGIN; UPDATE cells SET name = %s WHERE id = %s; SELECT pg_sleep(3); COMMIT"
         % (sql_literal(new), cell)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    name = unique_name("raced")
    try:
        wait_for(lambda: run_psql("SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                                  " WHERE a.query LIKE '%%pg_sleep(3)%%' AND a.pid <> pg_backend_pid()"
                                  "   AND l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock'"),
                 10, what="the rename to hold cell %s" % old)
        run_psql("INSERT INTO guests (name, owner_id, pool_id, cell_id, cores, memory, disks)"
                 " SELECT %s, u.id, p.id, %s, 1, 1, '{1}' FROM users u, compute_pools p"
                 " WHERE u.name = 'admin' AND p.name = 'default'" % (sql_literal(name), cell))
        assert rename.wait(timeout=30) == 0, rename.stderr.read()
        assert run_psql("SELECT cell_name FROM guests WHERE name = %s" % sql_literal(name)) \
            == [[new]]
    finally:
        rename.wait(timeout=30)
        run_psql("DELETE FROM guests WHERE name = %s; DELETE FROM cells WHERE id = %s"
                 % (sql_literal(name), cell))
