"""Astakos quotas (issue 17): GET /quotas, /service_quotas, /service_project_quotas and
/resources as Synnefo answers them, limits derived from the project model, the
effective-limit formula, and guests that are charged to their owner's quotas and refused by
Nano when they would go over."""
import pytest

from astakos_quota_lib import (COMPUTE, User, auth, both, commission, effective_limit, fault,
                               holdings, make_project, serial_of, service_add, set_limit)
from astakos_quota_lib import svc, user  # noqa: F401,F811 (fixtures)
from conftest import (GIB, MIB, NanoSession, ADMIN_PASSWORD, ADMIN_USER, get, nano_data,
                      nano_message, psql_scalar, run_psql, sql_literal, unique_name, wait_for)
from nimbus_test.pools import SIM_POOL

ACCOUNT = "/account/v1.0"  # a literal here, so api_coverage.py sees the paths

FIELDS = {"limit", "usage", "pending", "project_limit", "project_usage", "project_pending"}


def base_limits():
    rows = run_psql("SELECT name, base_limit FROM resources")
    return {name: int(v) for name, v in rows}


def test_resources_are_listed_without_a_token():
    r = get(ACCOUNT + "/resources")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(COMPUTE) <= set(body)
    assert body["cyclades.ram"] == {"service": "cyclades_compute",
                                    "description": "Virtual machine memory size",
                                    "unit": "bytes", "ui_visible": True, "api_visible": True}
    assert body["cyclades.vm"]["unit"] is None


def test_quotas_need_a_user_token(svc):
    for headers in ({}, auth("0" * 40), auth(svc)):
        fault(get(ACCOUNT + "/quotas", headers=headers), 401, "unauthorized")


def test_a_new_user_has_the_base_project_at_the_base_limits(user):
    q = user.quotas()
    assert list(q) == [user.base]
    limits = base_limits()
    for res in COMPUTE:
        assert set(q[user.base][res]) == FIELDS
        assert q[user.base][res] == {"limit": limits[res], "usage": 0, "pending": 0,
                                     "project_limit": limits[res], "project_usage": 0,
                                     "project_pending": 0}


def test_sources_are_the_base_and_each_project_actually_joined(user):
    u = user
    joined = make_project(members=[u], limits={"cyclades.vm": (10, 4)})
    leaving = make_project(members=[u], member_state="leave_requested",
                           limits={"cyclades.vm": (8, 2)})
    asked = make_project(members=[u], member_state="requested", limits={"cyclades.vm": (9, 3)})
    suspended = make_project(members=[u], state="suspended", limits={"cyclades.vm": (7, 5)})
    q = u.quotas()
    assert set(q) == {u.base, joined, leaving, suspended}
    assert asked not in q
    vm = q[joined]["cyclades.vm"]
    assert (vm["limit"], vm["project_limit"]) == (4, 10)
    assert (q[leaving]["cyclades.vm"]["limit"], q[leaving]["cyclades.vm"]["project_limit"]) == (2, 8)
    # A suspended project grants nothing while it is suspended.
    assert (q[suspended]["cyclades.vm"]["limit"], q[suspended]["cyclades.vm"]["project_limit"]) \
        == (0, 0)
    run_psql("UPDATE projects SET state = 'active' WHERE id = %s" % sql_literal(suspended))
    assert u.quotas()[suspended]["cyclades.vm"]["limit"] == 5


def test_limits_follow_the_project_model_without_copies(user):
    u = user
    set_limit(u.base, "cyclades.cpu", 7, 5)
    q = u.quotas()[u.base]["cyclades.cpu"]
    assert (q["limit"], q["project_limit"]) == (5, 7)


def test_effective_limit_is_the_guide_formula(svc, user):
    a, b = user, User()
    p = make_project(members=[a, b], limits={"cyclades.vm": (10, 6)})
    serial_of(commission(svc, both(b, p, "cyclades.vm", 5), auto_accept=True))
    qa = a.quotas()[p]["cyclades.vm"]
    assert (qa["limit"], qa["usage"], qa["project_limit"], qa["project_usage"]) == (6, 0, 10, 5)
    assert effective_limit(qa) == 5  # min(6, 10 - (5 - 0))
    qb = b.quotas()[p]["cyclades.vm"]
    assert (qb["usage"], qb["project_usage"]) == (5, 5)
    assert effective_limit(qb) == 6  # min(6, 10 - (5 - 5)): b may have one more
    # One more than the effective limit goes over (the project's holding); exactly it fits.
    f = fault(commission(svc, both(a, p, "cyclades.vm", 6)), 413, "overLimit")
    assert f["data"]["provision"]["holder"] == "project:" + p
    assert (f["data"]["limit"], f["data"]["usage"]) == (10, 5)
    s = serial_of(commission(svc, both(a, p, "cyclades.vm", 5)))
    qa = a.quotas()[p]["cyclades.vm"]
    assert (qa["usage"], qa["pending"], qa["project_usage"], qa["project_pending"]) == (5, 5, 10, 5)
    assert effective_limit(qa) == 5 and qa["usage"] == 5  # nothing left for a
    f = fault(commission(svc, both(a, p, "cyclades.vm", 1)), 413, "overLimit")
    assert f["data"]["provision"]["holder"] == "project:" + p
    assert s in get(ACCOUNT + "/commissions", headers=auth(svc)).json()


def test_service_quotas_per_user_with_filters(svc, user):
    u = user
    p = make_project(members=[u], limits={"cyclades.vm": (3, 2)})
    r = get(ACCOUNT + "/service_quotas?user=" + u.uuid, headers=auth(svc))
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [u.uuid] and set(body[u.uuid]) == {u.base, p}
    # the user's own view, of this service's resources only (astakos.pending_app is Astakos's)
    mine = {src: {res: q for res, q in qs.items() if res in COMPUTE}
            for src, qs in u.quotas().items()}
    assert body[u.uuid] == mine
    # Without dashes too, and one source only.
    r = get(ACCOUNT + "/service_quotas?user=%s&project=%s" % (u.uuid.replace("-", ""), p),
            headers=auth(svc))
    assert r.status_code == 200 and set(r.json()[u.uuid]) == {p}
    everyone = get(ACCOUNT + "/service_quotas", headers=auth(svc)).json()
    assert u.uuid in everyone and len(everyone) >= 2
    fault(get(ACCOUNT + "/service_quotas?user=00000000-0000-4000-8000-000000000000",
              headers=auth(svc)), 404, "itemNotFound")
    fault(get(ACCOUNT + "/service_quotas?user=nobody", headers=auth(svc)), 400, "badRequest")


def test_service_project_quotas_with_filter(svc, user):
    u = user
    p = make_project(members=[u], limits={"cyclades.ram": (GIB, 2 * MIB)})
    serial_of(commission(svc, both(u, p, "cyclades.ram", MIB), auto_accept=True))
    serial_of(commission(svc, both(u, p, "cyclades.ram", MIB)))
    r = get(ACCOUNT + "/service_project_quotas?project=" + p, headers=auth(svc))
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [p] and set(body[p]) == set(COMPUTE)
    assert body[p]["cyclades.ram"] == {"project_limit": GIB, "project_usage": 2 * MIB,
                                       "project_pending": MIB}
    everything = get(ACCOUNT + "/service_project_quotas", headers=auth(svc)).json()
    assert p in everything and u.base in everything
    fault(get(ACCOUNT + "/service_project_quotas?project=00000000-0000-4000-8000-000000000000",
              headers=auth(svc)), 404, "itemNotFound")
    fault(get(ACCOUNT + "/service_project_quotas?project=x", headers=auth(svc)), 400, "badRequest")


def test_a_service_sees_only_its_own_resources(user):
    _, other = service_add()
    r = get(ACCOUNT + "/service_project_quotas?project=" + user.base, headers=auth(other))
    fault(r, 404, "itemNotFound")


# ---------------------------------------------------------------- guests use the quotas

@pytest.fixture(scope="module")
def nano():
    return NanoSession(ADMIN_USER, ADMIN_PASSWORD)


def guest_spec(owner, **over):
    # The simulated pool: quotas need no host's features, and its cells are large enough that
    # only the quota refuses a guest.
    body = {"name": unique_name("qvm"), "pool": SIM_POOL, "cores": 1, "memory": 64 * MIB,
            "disks": [GIB], "template": "linux-default", "auto_start": False, "owner": owner}
    body.update(over)
    return body


def create(nano, body):
    """POST /guests/ that must be accepted (202); the new guest's id."""
    r = nano.post("/guests/", body)
    assert r.status_code == 202 and r.json()["error_code"] == 0, r.text
    return r.json()["data"]["id"]


def guests_of(u):
    return int(psql_scalar("SELECT count(*) FROM guests WHERE owner_id = %s" % u.id))


def wait_created(nano, gid):
    wait_for(lambda: nano.get("/guests/%s" % gid).status_code == 200, 60, interval=0.2,
             what="guest %s created" % gid)


def delete_all(nano, u):
    for (gid,) in run_psql("SELECT id FROM guests WHERE owner_id = %s" % u.id):
        nano.delete("/guests/%s" % gid, {"force": True})
    wait_for(lambda: guests_of(u) == 0, 60, interval=0.2, what="guests of %s gone" % u.name)


def test_guests_charge_the_owners_base_project_and_give_it_back(nano, user):
    u = user
    gid = create(nano, guest_spec(u.name, cores=2, memory=128 * MIB, disks=[GIB, 2 * GIB]))
    q = u.quotas()[u.base]
    assert [q[r]["usage"] for r in COMPUTE] == [1, 2, 128 * MIB, 3 * GIB]
    assert [q[r]["project_usage"] for r in COMPUTE] == [1, 2, 128 * MIB, 3 * GIB]
    assert all(q[r]["pending"] == 0 for r in COMPUTE)
    wait_created(nano, gid)
    delete_all(nano, u)
    q = u.quotas()[u.base]
    assert [q[r]["usage"] for r in COMPUTE] == [0, 0, 0, 0]


def test_a_guest_over_the_quota_is_refused_by_nano_and_nothing_is_made(nano, user):
    u = user
    set_limit(u.base, "cyclades.vm", 1)
    first = create(nano, guest_spec(u.name))
    before = holdings(u.base)
    ops = psql_scalar("SELECT count(*) FROM operations")
    spec = guest_spec(u.name)
    msg = nano_message(nano.post("/guests/", spec))
    assert "cyclades.vm" in msg and "limit 1" in msg, msg
    assert guests_of(u) == 1
    assert run_psql("SELECT 1 FROM guests WHERE name = %s" % sql_literal(spec["name"])) == []
    assert psql_scalar("SELECT count(*) FROM operations") == ops
    assert holdings(u.base) == before
    # Memory over the member limit (the project's own is larger): refused the same way.
    set_limit(u.base, "cyclades.vm", 5)
    set_limit(u.base, "cyclades.ram", GIB, 100 * MIB)
    msg = nano_message(nano.post("/guests/", guest_spec(u.name, memory=64 * MIB)))
    assert "cyclades.ram" in msg and "user:" in msg, msg
    assert guests_of(u) == 1 and holdings(u.base) == before
    wait_created(nano, first)
    delete_all(nano, u)


def test_growing_a_guest_past_the_quota_is_refused_and_changes_nothing(nano, user):
    u = user
    set_limit(u.base, "cyclades.cpu", 2)
    set_limit(u.base, "cyclades.disk", 3 * GIB)
    gid = create(nano, guest_spec(u.name))
    wait_created(nano, gid)
    before = holdings(u.base)
    msg = nano_message(nano.put("/guests/%s/cores" % gid, {"cores": 3, "immediate": False}))
    assert "cyclades.cpu" in msg, msg
    assert psql_scalar("SELECT cores FROM guests WHERE id = %s" % sql_literal(gid)) == "1"
    ops = psql_scalar("SELECT count(*) FROM operations WHERE guest_id = %s" % sql_literal(gid))
    msg = nano_message(nano.put("/guests/%s/disks/resize/0" % gid, {"size": 4 * GIB}))
    assert "cyclades.disk" in msg, msg
    assert psql_scalar("SELECT count(*) FROM operations WHERE guest_id = %s"
                       % sql_literal(gid)) == ops
    assert holdings(u.base) == before
    # Within the quota it goes through and is charged.
    nano_data(nano.put("/guests/%s/cores" % gid, {"cores": 2, "immediate": False}))
    assert u.quotas()[u.base]["cyclades.cpu"]["usage"] == 2
    delete_all(nano, u)
    assert u.quotas()[u.base]["cyclades.cpu"]["usage"] == 0
