"""A guest's growth is charged as pending while its operation runs (issue 17, migration 023):
more cores, memory or disk reach the guest's row (and usage) only once the host has them, so
the call that queues the operation charges the growth to usage_max under the holdings' row
locks; Astakos's GET /quotas shows it as `pending`, concurrent growths serialize on it and
never together pass a limit, and however the operation ends (done, failed on the host,
revoked, its guest deleted) the pending part is released in the transaction that ends it.

Guests are the owner's (a fresh user), made by the admin through Nano; the owner's base
project holds the limits. SIM_POOL guests need nothing of a host; those whose operations must
run after a reconciler restart live on cell0 (HOST_POOL), which outlives it."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from astakos_quota_lib import User, holdings, set_limit
from conftest import (ADMIN_PASSWORD, ADMIN_USER, GIB, MIB, NanoSession, nano_message, psql_scalar, request, run_psql, sql_literal, unique_name,
                      wait_for)
from nimbus_test.pools import HOST_POOL, SIM_CELL, SIM_POOL, needs_qemu
from nimbus_test.stack import reconciler_stopped

WAIT = 120


@pytest.fixture(scope="module")
def nano():
    return NanoSession(ADMIN_USER, ADMIN_PASSWORD)


@pytest.fixture
def user():
    return User()


def spec(owner, pool=SIM_POOL, **over):
    body = {"name": unique_name("grow"), "pool": pool, "cores": 1, "memory": 64 * MIB,
            "disks": [GIB], "template": "linux-default", "auto_start": False, "owner": owner}
    body.update(over)
    return body


def make_guests(nano, owner, n, **over):
    """n created, stopped guests of owner; their ids."""
    ids = []
    for _ in range(n):
        r = nano.post("/guests/", spec(owner, **over))
        assert r.status_code == 202 and r.json()["error_code"] == 0, r.text
        ids.append(r.json()["data"]["id"])
    for gid in ids:
        wait_for(lambda: nano.get("/guests/%s" % gid).status_code == 200, WAIT, interval=0.2,
                 what="guest %s created" % gid)
    return ids


def call(nano, method, path, body, wait=None):
    """One Nano call on a connection of its own (for threads); wait: X-Nimbus-Op-Wait."""
    headers = {"Nano-Session": nano.token}
    if wait is not None:
        headers["X-Nimbus-Op-Wait"] = str(wait)
    return request(method, "/api/v1" + path, json=body, headers=headers, timeout=WAIT)


def accepted(r, resource):
    """True when the growth was queued (its operation done, or still going on past the wait),
    False when the quota refused it; anything else fails the test."""
    assert r.status_code == 200, "%s %s" % (r.status_code, r.text)
    body = r.json()
    if body["error_code"] == 0 or "it goes on" in body["message"]:
        return True
    assert "has not enough capacity of %s" % resource in body["message"], r.text
    return False


def open_ops(gids):
    return int(psql_scalar("SELECT count(*) FROM operations WHERE guest_id::text IN (%s)"
                           " AND status IN ('pending', 'running')"
                           % ",".join(sql_literal(g) for g in gids)))


def wait_ops_ended(gids):
    wait_for(lambda: open_ops(gids) == 0, WAIT, interval=0.2, what="operations ended")


def figures(u, resource):
    """(usage, pending, project_usage, project_pending) of the owner's base project; usage
    counts what is pending too (usage_max), as Astakos shows it."""
    q = u.quotas()[u.base][resource]
    return q["usage"], q["pending"], q["project_usage"], q["project_pending"]


def guest_sum(gids, column):
    return int(psql_scalar("SELECT coalesce(sum(%s), 0) FROM guests WHERE id::text IN (%s)"
                           % (column, ",".join(sql_literal(g) for g in gids))))


def database_deadlocks():
    """Deadlocks PostgreSQL has detected in the stack's database (and broken by aborting a
    transaction, which a caller would see as an error)."""
    return int(psql_scalar("SELECT deadlocks FROM pg_stat_database"
                           " WHERE datname = current_database()"))


def delete_guests(nano, gids):
    for gid in gids:
        nano.delete("/guests/%s" % gid, {"force": True})
    wait_for(lambda: guest_sum(gids, "1") == 0, WAIT, interval=0.2, what="guests deleted")


def test_parallel_cores_changes_never_pass_the_quota_together(nano, user):
    """Eight guests of 1 core, room for 5 more: eight parallel +1s, 5 accepted, 3 refused;
    once the operations end, usage is exactly what the accepted ones added, nothing pending.
    (Before migration 023 all eight passed the check made when queuing.)"""
    u = user
    gids = make_guests(nano, u.name, 8)
    set_limit(u.base, "cyclades.cpu", 8 + 5)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(
            lambda g: call(nano, "PUT", "/guests/%s/cores" % g, {"cores": 2, "immediate": False}),
            gids))
    took = [accepted(r, "cyclades.cpu") for r in answers]
    assert sum(took) == 5, [r.text for r in answers]
    wait_ops_ended(gids)
    assert guest_sum(gids, "cores") == 8 + 5
    assert figures(u, "cyclades.cpu") == (13, 0, 13, 0)
    # The holdings as stored: usage_min = usage_max, nothing left over from the charges.
    assert holdings(u.base)[(None, "cyclades.cpu")] == (13, 13)
    assert holdings(u.base)[(u.id, "cyclades.cpu")] == (13, 13)
    delete_guests(nano, gids)
    assert figures(u, "cyclades.cpu") == (0, 0, 0, 0)


@needs_qemu
def test_parallel_disk_resizes_never_pass_the_quota_together(nano, user):
    """Three guests with two 64 MiB disks on cell0 (whose host grows volumes), room for 4 more
    64 MiB: six parallel +64 MiB resizes, 4 accepted; once done, usage is what they added."""
    u = user
    gids = make_guests(nano, u.name, 3, pool=HOST_POOL, disks=[64 * MIB, 64 * MIB])
    set_limit(u.base, "cyclades.disk", 6 * 64 * MIB + 4 * 64 * MIB)
    targets = [(g, d) for g in gids for d in (0, 1)]
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        answers = list(pool.map(
            lambda t: call(nano, "PUT", "/guests/%s/disks/resize/%d" % t, {"size": 128 * MIB}),
            targets))
    took = [accepted(r, "cyclades.disk") for r in answers]
    assert sum(took) == 4, [r.text for r in answers]
    wait_ops_ended(gids)
    total = 10 * 64 * MIB
    assert int(psql_scalar("SELECT sum(d) FROM guests, unnest(disks) d WHERE id::text IN (%s)"
                           % ",".join(sql_literal(g) for g in gids))) == total
    assert figures(u, "cyclades.disk") == (total, 0, total, 0)
    delete_guests(nano, gids)


def test_a_pending_growth_shows_as_pending_and_a_second_that_would_exceed_is_refused(nano, user):
    """With the reconciler stopped a +1 core operation waits (cell0 has 2 cores): Astakos shows
    the core as pending, the same +1 again, which would pass the limit with it, is refused and
    changes nothing; once the reconciler is back the operation is done and the core is used."""
    u = user
    (gid,) = make_guests(nano, u.name, 1, pool=HOST_POOL)
    set_limit(u.base, "cyclades.cpu", 2)
    with reconciler_stopped():
        r = call(nano, "PUT", "/guests/%s/cores" % gid, {"cores": 2, "immediate": False}, wait=0)
        assert "it goes on" in nano_message(r), r.text
        assert figures(u, "cyclades.cpu") == (2, 1, 2, 1)
        charged = run_psql("SELECT charge->>'cores' FROM operations WHERE guest_id = %s"
                           " AND status = 'pending'" % sql_literal(gid))
        assert charged == [["1"]]
        before = (holdings(u.base), open_ops([gid]), guest_sum([gid], "cores"))
        msg = nano_message(call(nano, "PUT", "/guests/%s/cores" % gid, {"cores": 2}, wait=0))
        assert msg == ("project:%s has not enough capacity of cyclades.cpu"
                       " (limit 2, usage 2, requested 1)" % u.base), msg
        assert (holdings(u.base), open_ops([gid]), guest_sum([gid], "cores")) == before
        assert figures(u, "cyclades.cpu") == (2, 1, 2, 1)
    wait_ops_ended([gid])
    assert guest_sum([gid], "cores") == 2
    assert figures(u, "cyclades.cpu") == (2, 0, 2, 0)
    delete_guests(nano, [gid])


def test_growing_back_what_a_queued_shrink_takes_is_priced_from_the_shrink(nano, user):
    """A guest of 2 cores at the limit of 2; with the reconciler stopped it is shrunk to 1 (a
    shrink charges nothing) and, the shrink still queued, grown back to 2: the guest will have
    1 core when that growth runs, so it is a growth of 1, which the limit refuses, and nothing
    changes. (Priced from the row's 2 cores it was charged nothing; once both had run, a second
    guest made in between would have put usage at 3 of 2.) After the shrink, the same growth
    passes."""
    u = user
    (gid,) = make_guests(nano, u.name, 1, pool=HOST_POOL, cores=2)
    set_limit(u.base, "cyclades.cpu", 2)
    with reconciler_stopped():
        r = call(nano, "PUT", "/guests/%s/cores" % gid, {"cores": 1, "immediate": False}, wait=0)
        assert "it goes on" in nano_message(r), r.text
        assert figures(u, "cyclades.cpu") == (2, 0, 2, 0)
        before = (holdings(u.base), open_ops([gid]), guest_sum([gid], "cores"))
        msg = nano_message(call(nano, "PUT", "/guests/%s/cores" % gid, {"cores": 2}, wait=0))
        assert msg == ("project:%s has not enough capacity of cyclades.cpu"
                       " (limit 2, usage 2, requested 1)" % u.base), msg
        assert (holdings(u.base), open_ops([gid]), guest_sum([gid], "cores")) == before
    wait_ops_ended([gid])
    assert guest_sum([gid], "cores") == 1
    assert figures(u, "cyclades.cpu") == (1, 0, 1, 0)
    assert accepted(call(nano, "PUT", "/guests/%s/cores" % gid, {"cores": 2}), "cyclades.cpu")
    wait_ops_ended([gid])
    assert guest_sum([gid], "cores") == 2
    assert figures(u, "cyclades.cpu") == (2, 0, 2, 0)
    delete_guests(nano, [gid])


@pytest.fixture
def sim_resizes():
    """sim0 made to accept volume resizes, as a cell never observed does: each is queued and
    then fails on the host (libvirt's test driver cannot resize a volume). What the reconciler
    recorded is put back afterwards."""
    lacks = psql_scalar("SELECT lacks::text FROM cells WHERE name = %s" % sql_literal(SIM_CELL))
    assert "volume resize" in lacks, lacks
    run_psql("UPDATE cells SET lacks = array_remove(lacks, 'volume resize') WHERE name = %s"
             % sql_literal(SIM_CELL))
    try:
        yield
    finally:
        run_psql("UPDATE cells SET lacks = %s WHERE name = %s"
                 % (sql_literal(lacks), sql_literal(SIM_CELL)))


def test_a_growth_that_fails_on_the_host_releases_its_pending_charge(nano, user, sim_resizes):
    u = user
    (gid,) = make_guests(nano, u.name, 1)
    set_limit(u.base, "cyclades.disk", 3 * GIB)
    r = call(nano, "PUT", "/guests/%s/disks/resize/0" % gid, {"size": 3 * GIB})
    msg = nano_message(r)
    assert msg.startswith("resize_disk failed: "), msg
    assert run_psql("SELECT status, charge IS NULL FROM operations WHERE guest_id = %s"
                    " AND kind = 'resize_disk'" % sql_literal(gid)) == [["failed", "t"]]
    assert guest_sum([gid], "total_disk") == GIB
    assert figures(u, "cyclades.disk") == (GIB, 0, GIB, 0)
    # The whole room is there again: the same growth is accepted (and fails) once more.
    assert nano_message(call(nano, "PUT", "/guests/%s/disks/resize/0" % gid,
                             {"size": 3 * GIB})).startswith("resize_disk failed: ")
    assert figures(u, "cyclades.disk") == (GIB, 0, GIB, 0)
    delete_guests(nano, [gid])


def test_parallel_resizes_pending_then_revoked_release_every_charge(nano, user, sim_resizes):
    """Disk growth with the reconciler stopped: six parallel +1 GiB resizes with room for 4,
    4 accepted and pending; an operator revoking the waiting operations (or deleting one's
    row) releases their charges and nothing else."""
    u = user
    gids = make_guests(nano, u.name, 6)
    set_limit(u.base, "cyclades.disk", 6 * GIB + 4 * GIB)
    with reconciler_stopped():
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(
                lambda g: call(nano, "PUT", "/guests/%s/disks/resize/0" % g, {"size": 2 * GIB},
                               wait=0), gids))
        assert sum(accepted(r, "cyclades.disk") for r in answers) == 4, \
            [r.text for r in answers]
        assert figures(u, "cyclades.disk") == (10 * GIB, 4 * GIB, 10 * GIB, 4 * GIB)
        ops = run_psql("SELECT id FROM operations WHERE kind = 'resize_disk' AND status ="
                       " 'pending' AND guest_id::text IN (%s) ORDER BY id"
                       % ",".join(sql_literal(g) for g in gids))
        assert len(ops) == 4
        run_psql("DELETE FROM operations WHERE id = %s" % sql_literal(ops[0][0]))
        assert figures(u, "cyclades.disk") == (9 * GIB, 3 * GIB, 9 * GIB, 3 * GIB)
        run_psql("UPDATE operations SET status = 'revoked' WHERE kind = 'resize_disk' AND"
                 " status = 'pending' AND guest_id::text IN (%s)"
                 % ",".join(sql_literal(g) for g in gids))
        assert figures(u, "cyclades.disk") == (6 * GIB, 0, 6 * GIB, 0)
        # Revoked once more by mistake: nothing is released twice.
        run_psql("UPDATE operations SET status = 'revoked' WHERE kind = 'resize_disk' AND"
                 " guest_id::text IN (%s)" % ",".join(sql_literal(g) for g in gids))
        assert figures(u, "cyclades.disk") == (6 * GIB, 0, 6 * GIB, 0)
        assert guest_sum(gids, "total_disk") == 6 * GIB
    delete_guests(nano, gids)
    assert figures(u, "cyclades.disk") == (0, 0, 0, 0)


def test_a_growth_whose_guest_is_deleted_meanwhile_releases_its_charge(nano, user):
    """The guest row goes while its +1 core waits (an operator's delete): its usage goes with
    it, and the operation, failing for want of its guest, gives back the pending core. (On
    sim0, whose domains go with the reconciler's process, so nothing is left on a host.)"""
    u = user
    (gid,) = make_guests(nano, u.name, 1)
    with reconciler_stopped():
        r = call(nano, "PUT", "/guests/%s/cores" % gid, {"cores": 2, "immediate": False}, wait=0)
        assert "it goes on" in nano_message(r), r.text
        assert figures(u, "cyclades.cpu") == (2, 1, 2, 1)
        op = psql_scalar("SELECT id FROM operations WHERE guest_id = %s AND status = 'pending'"
                         % sql_literal(gid))
        run_psql("DELETE FROM guests WHERE id = %s" % sql_literal(gid))
        assert figures(u, "cyclades.cpu") == (1, 1, 1, 1)
    wait_for(lambda: run_psql("SELECT status, charge IS NULL FROM operations WHERE id = %s"
                              % sql_literal(op)) == [["failed", "t"]], WAIT, interval=0.2,
             what="the orphaned operation failed")
    assert figures(u, "cyclades.cpu") == (0, 0, 0, 0)


def test_deletes_racing_cores_changes_all_answer_and_leave_exact_usage(nano, user):
    """Each of twelve guests gets a +1 core and a delete at once, three rounds: every call
    answers (no deadlock between the charge, the row change and the delete), and once all is
    over nothing is used or pending."""
    u = user
    deadlocks = database_deadlocks()
    for _ in range(3):
        gids = make_guests(nano, u.name, 12)

        def grow(g):
            return call(nano, "PUT", "/guests/%s/cores" % g, {"cores": 2, "immediate": False})

        def delete(g):
            return call(nano, "DELETE", "/guests/%s" % g, {"force": True})

        with ThreadPoolExecutor(max_workers=24) as pool:
            futures = [pool.submit(f, g) for g in gids for f in (grow, delete)]
            answers = [f.result() for f in futures]
        for r in answers:
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["error_code"] == 0 or "not found" in body["message"] or \
                "failed" in body["message"], r.text
            assert "deadlock" not in r.text, r.text
        wait_for(lambda: guest_sum(gids, "1") == 0, WAIT, interval=0.2, what="guests deleted")
        wait_ops_ended(gids)
        assert figures(u, "cyclades.cpu") == (0, 0, 0, 0)
        assert holdings(u.base).get((None, "cyclades.cpu"), (0, 0)) == (0, 0)
    time.sleep(1.5)  # a backend reports its statistics within a second
    assert database_deadlocks() == deadlocks
