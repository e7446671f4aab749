"""Astakos commissions (issue 17): a service issues provisions against holdings, holds them
pending and accepts or rejects them, as Synnefo's quotaholder does; over a limit is 413
overLimit; many at once never go over; bad input changes nothing."""
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from astakos_quota_lib import (User, auth, both, commission, commission_rows, fault, holdings,
                               make_project, provision, serial_of, service_add, set_limit)
from astakos_quota_lib import svc, user  # noqa: F401,F811 (fixtures)
from conftest import get, post, psql_scalar, run_psql, sql_literal

ACCOUNT = "/account/v1.0"  # a literal here, so api_coverage.py sees the paths


@pytest.fixture(scope="module")
def shared_user():
    """One user for the tests that only prove nothing changed."""
    return User()


def pending(svc):
    r = get(ACCOUNT + "/commissions", headers=auth(svc))
    assert r.status_code == 200, r.text
    return r.json()


def test_issue_shows_pending_then_accept_moves_usage(svc, user):
    u = user
    s = serial_of(commission(svc, both(u, u.base, "cyclades.vm", 2), name="two vms"))
    assert s in pending(svc)
    r = get(ACCOUNT + "/commissions/%d" % s, headers=auth(svc))
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["serial"] == s and c["name"] == "two vms"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$", c["issue_time"])
    assert sorted(c["provisions"], key=lambda p: p["holder"]) == [
        provision(None, u.base, "cyclades.vm", 2), provision(u, u.base, "cyclades.vm", 2)]
    q = u.quotas()[u.base]["cyclades.vm"]
    assert (q["usage"], q["pending"], q["project_usage"], q["project_pending"]) == (2, 2, 2, 2)
    assert holdings(u.base)[(u.id, "cyclades.vm")] == (0, 2)

    r = post(ACCOUNT + "/commissions/%d/action" % s, json={"accept": ""}, headers=auth(svc))
    assert r.status_code == 200 and r.text == "", r.text
    assert s not in pending(svc)
    fault(get(ACCOUNT + "/commissions/%d" % s, headers=auth(svc)), 404, "itemNotFound")
    q = u.quotas()[u.base]["cyclades.vm"]
    assert (q["usage"], q["pending"], q["project_usage"], q["project_pending"]) == (2, 0, 2, 0)
    assert holdings(u.base)[(u.id, "cyclades.vm")] == (2, 2)
    assert holdings(u.base)[(None, "cyclades.vm")] == (2, 2)


def test_reject_gives_a_pending_import_back(svc, user):
    u = user
    s = serial_of(commission(svc, both(u, u.base, "cyclades.ram", 1024)))
    r = post(ACCOUNT + "/commissions/%d/action" % s, json={"reject": ""}, headers=auth(svc))
    assert r.status_code == 200, r.text
    assert holdings(u.base)[(u.id, "cyclades.ram")] == (0, 0)
    q = u.quotas()[u.base]["cyclades.ram"]
    assert (q["usage"], q["pending"]) == (0, 0)


def test_release_is_pending_in_usage_min_until_accepted_or_rejected(svc, user):
    u = user
    serial_of(commission(svc, both(u, u.base, "cyclades.cpu", 4), auto_accept=True))
    s = serial_of(commission(svc, both(u, u.base, "cyclades.cpu", -3)))
    # usage (usage_max) stays until the release is final; pending counts it.
    q = u.quotas()[u.base]["cyclades.cpu"]
    assert (q["usage"], q["pending"]) == (4, 3)
    assert holdings(u.base)[(u.id, "cyclades.cpu")] == (1, 4)
    r = post(ACCOUNT + "/commissions/%d/action" % s, json={"reject": ""}, headers=auth(svc))
    assert r.status_code == 200
    assert holdings(u.base)[(u.id, "cyclades.cpu")] == (4, 4)
    s = serial_of(commission(svc, both(u, u.base, "cyclades.cpu", -3)))
    assert post(ACCOUNT + "/commissions/%d/action" % s, json={"accept": ""},
                headers=auth(svc)).status_code == 200
    assert holdings(u.base)[(u.id, "cyclades.cpu")] == (1, 1)
    assert holdings(u.base)[(None, "cyclades.cpu")] == (1, 1)


def test_auto_accept_moves_usage_and_leaves_nothing_pending(svc, user):
    u = user
    before = commission_rows()
    s = serial_of(commission(svc, both(u, u.base, "cyclades.disk", 10), auto_accept=True))
    assert s not in pending(svc)
    assert commission_rows() == before
    assert holdings(u.base)[(u.id, "cyclades.disk")] == (10, 10)


def test_serials_come_from_one_sequence(svc, user):
    u = user
    a = serial_of(commission(svc, both(u, u.base, "cyclades.vm", 0)))
    b = serial_of(commission(svc, both(u, u.base, "cyclades.vm", 0), auto_accept=True))
    c = serial_of(commission(svc, []))
    assert a < b < c


def test_same_keys_are_merged(svc, user):
    u = user
    ps = [provision(u, u.base, "cyclades.vm", 1), provision(u, u.base, "cyclades.vm", 2)]
    s = serial_of(commission(svc, ps))
    c = get(ACCOUNT + "/commissions/%d" % s, headers=auth(svc)).json()
    assert c["provisions"] == [provision(u, u.base, "cyclades.vm", 3)]


def test_over_the_limit_is_413_no_capacity_and_changes_nothing(svc, user):
    u = user
    set_limit(u.base, "cyclades.vm", 3)
    serial_of(commission(svc, both(u, u.base, "cyclades.vm", 2), auto_accept=True))
    before_rows, before = commission_rows(), holdings(u.base)
    ps = both(u, u.base, "cyclades.ram", 1) + both(u, u.base, "cyclades.vm", 2)
    f = fault(commission(svc, ps, name="too many"), 413, "overLimit")
    assert f["data"] == {"name": "NoCapacityError", "limit": 3, "usage": 2,
                         "provision": provision(u, u.base, "cyclades.vm", 2)}
    assert holdings(u.base) == before and commission_rows() == before_rows
    assert u.quotas()[u.base]["cyclades.ram"]["usage"] == 0


def test_the_project_holding_refuses_too(svc, user):
    u = user
    set_limit(u.base, "cyclades.vm", 5, 100)
    f = fault(commission(svc, both(u, u.base, "cyclades.vm", 6)), 413, "overLimit")
    assert f["data"]["provision"] == provision(None, u.base, "cyclades.vm", 6)
    assert (f["data"]["limit"], f["data"]["usage"]) == (5, 0)


def test_force_goes_over_the_limit(svc, user):
    u = user
    set_limit(u.base, "cyclades.vm", 1)
    serial_of(commission(svc, both(u, u.base, "cyclades.vm", 4), force=True, auto_accept=True))
    q = u.quotas()[u.base]["cyclades.vm"]
    assert (q["limit"], q["usage"]) == (1, 4)


def test_release_below_zero_is_413_no_quantity_even_with_force(svc, user):
    u = user
    serial_of(commission(svc, both(u, u.base, "cyclades.ram", 5), auto_accept=True))
    before = holdings(u.base)
    f = fault(commission(svc, both(u, u.base, "cyclades.ram", -6), force=True), 413, "overLimit")
    assert f["data"]["name"] == "NoQuantityError"
    assert (f["data"]["limit"], f["data"]["usage"]) == (0, 5)
    assert holdings(u.base) == before


def test_a_holding_that_does_not_exist_is_404_no_holding(svc, user):
    u = user
    other = User()
    before_rows = commission_rows()
    # Not a member of the other user's base project; an unknown resource; an unknown project.
    for p in (provision(u, other.base, "cyclades.vm", 1),
              provision(u, u.base, "cyclades.nothing", 1),
              provision(None, "00000000-0000-4000-8000-000000000000", "cyclades.vm", 1)):
        f = fault(commission(svc, [p]), 404, "itemNotFound")
        assert f["data"] == {"name": "NoHoldingError", "provision": p}
    assert commission_rows() == before_rows
    assert holdings(other.base) == {}


@pytest.mark.parametrize("body, words", [
    ({}, "provisions"),
    ({"provisions": {}}, "provisions"),
    ({"provisions": [1]}, "provisions"),
    ({"provisions": [{"holder": "bob", "source": None, "resource": "cyclades.vm",
                      "quantity": 1}]}, "Malformed provision"),
    ({"provisions": [{"holder": "user:%(u)s", "source": None, "resource": "cyclades.vm",
                      "quantity": 1}]}, "Malformed provision"),
    ({"provisions": [{"holder": "project:%(u)s", "source": "project:%(u)s",
                      "resource": "cyclades.vm", "quantity": 1}]}, "Malformed provision"),
    ({"provisions": [{"holder": "project:%(u)s", "source": None, "resource": "cyclades.vm",
                      "quantity": "1"}]}, "quantity"),
    ({"provisions": [{"holder": "project:%(u)s", "source": None, "resource": "cyclades.vm"}]},
     "quantity"),
    ({"provisions": [{"holder": "project:%(u)s", "source": None, "resource": "cyclades.vm",
                      "quantity": 1, "extra": 1}]}, "extra"),
    ({"provisions": [], "force": "yes"}, "force"),
    ({"provisions": [], "auto_accept": 1}, "auto_accept"),
    ({"provisions": [], "name": 5}, "name"),
    ({"provisions": [], "what": 5}, "what"),
])
def test_bad_commissions_are_400_and_change_nothing(svc, shared_user, body, words):
    u = shared_user

    def fill(v):
        if isinstance(v, str):
            return v % {"u": u.uuid}
        if isinstance(v, list):
            return [fill(x) for x in v]
        if isinstance(v, dict):
            return {k: fill(x) for k, x in v.items()}
        return v
    before_rows, before = commission_rows(), holdings(u.base)
    r = post(ACCOUNT + "/commissions", json=fill(body), headers=auth(svc))
    assert words in fault(r, 400, "badRequest")["message"]
    assert commission_rows() == before_rows and holdings(u.base) == before


def test_resolving_many_reports_accepted_rejected_and_failed(svc, user):
    u = user
    a, b, c = (serial_of(commission(svc, both(u, u.base, "cyclades.vm", 1))) for _ in range(3))
    r = post(ACCOUNT + "/commissions/action", json={"accept": [a, c], "reject": [b, c, 999999999]},
             headers=auth(svc))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == [a] and body["rejected"] == [b]
    assert body["failed"] == [
        [999999999, {"itemNotFound": {"code": 404, "message": "serial 999999999 does not exist"}}],
        [c, {"badRequest": {"code": 400, "message": "cannot both accept and reject serial %d" % c}}]]
    assert c in pending(svc) and a not in pending(svc) and b not in pending(svc)
    assert holdings(u.base)[(u.id, "cyclades.vm")] == (1, 2)


@pytest.mark.parametrize("body", [{"accept": 1}, {"accept": ["x"]}, {"reject": [1.5]},
                                  {"other": []}])
def test_bad_batch_resolutions_are_400(svc, body):
    before = commission_rows()
    fault(post(ACCOUNT + "/commissions/action", json=body, headers=auth(svc)), 400, "badRequest")
    assert commission_rows() == before


def test_serial_action_needs_one_action_a_number_and_a_pending_serial(svc, user):
    u = user
    s = serial_of(commission(svc, both(u, u.base, "cyclades.vm", 1)))
    for body in ({}, {"accept": "", "reject": ""}):
        fault(post(ACCOUNT + "/commissions/%d/action" % s, json=body, headers=auth(svc)), 400,
              "badRequest")
    fault(post(ACCOUNT + "/commissions/abc/action", json={"accept": ""}, headers=auth(svc)), 400,
          "badRequest")
    fault(get(ACCOUNT + "/commissions/abc", headers=auth(svc)), 400, "badRequest")
    fault(post(ACCOUNT + "/commissions/999999999/action", json={"accept": ""},
               headers=auth(svc)), 404, "itemNotFound")
    assert s in pending(svc)
    assert holdings(u.base)[(u.id, "cyclades.vm")] == (0, 1)


def test_a_service_sees_and_resolves_only_its_own_commissions(svc, user):
    u = user
    s = serial_of(commission(svc, both(u, u.base, "cyclades.vm", 1)))
    _, other = service_add()
    assert s not in pending(other)
    fault(get(ACCOUNT + "/commissions/%d" % s, headers=auth(other)), 404, "itemNotFound")
    fault(post(ACCOUNT + "/commissions/%d/action" % s, json={"accept": ""}, headers=auth(other)),
          404, "itemNotFound")
    r = post(ACCOUNT + "/commissions/action", json={"reject": [s]}, headers=auth(other))
    assert r.json()["rejected"] == [] and r.json()["failed"][0][0] == s
    assert s in pending(svc)


def test_commission_routes_take_only_a_service_token(svc, user):
    calls = [("GET", "/commissions", None), ("POST", "/commissions", {"provisions": []}),
             ("GET", "/commissions/1", None), ("POST", "/commissions/1/action", {"accept": ""}),
             ("POST", "/commissions/action", {"accept": []}), ("GET", "/service_quotas", None),
             ("GET", "/service_project_quotas", None)]
    before = commission_rows()
    for method, path, body in calls:
        for headers in ({}, auth(user.token), auth("0" * 40)):
            r = (get if method == "GET" else post)(ACCOUNT + path, json=body, headers=headers)
            fault(r, 401, "unauthorized")
    assert commission_rows() == before


def test_service_tokens_are_stored_hashed_and_a_new_one_replaces_the_old(svc):
    name, token = service_add()
    assert re.match(r"^[0-9a-f]{40}$", token)
    stored = psql_scalar("SELECT encode(token_hash, 'hex') FROM services WHERE name = %s"
                         % sql_literal(name))
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    _, again = service_add(name)
    assert again != token
    fault(get(ACCOUNT + "/commissions", headers=auth(token)), 401, "unauthorized")
    assert get(ACCOUNT + "/commissions", headers=auth(again)).status_code == 200


def test_issuing_is_audited_under_the_service(svc, user):
    serial_of(commission(svc, both(user, user.base, "cyclades.vm", 0)))
    rows = run_psql("SELECT author, entry FROM audit_log ORDER BY id DESC LIMIT 1")
    assert rows == [["cyclades_compute", "cyclades_compute issues a commission"]]


def test_parallel_commissions_never_exceed_the_limit(svc, user):
    u = user
    set_limit(u.base, "cyclades.vm", 10)

    def one(_):
        return commission(svc, both(u, u.base, "cyclades.vm", 1), auto_accept=True).status_code
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(one, range(40)))
    assert codes.count(201) == 10 and codes.count(413) == 30, codes
    assert holdings(u.base)[(u.id, "cyclades.vm")] == (10, 10)
    assert holdings(u.base)[(None, "cyclades.vm")] == (10, 10)


def test_parallel_pending_commissions_and_resolutions_lose_no_update(svc, user):
    u = user
    set_limit(u.base, "cyclades.cpu", 12)
    with ThreadPoolExecutor(max_workers=16) as pool:
        rs = list(pool.map(lambda _: commission(svc, both(u, u.base, "cyclades.cpu", 1)),
                           range(30)))
    serials = [r.json()["serial"] for r in rs if r.status_code == 201]
    assert len(serials) == 12 and all(r.status_code in (201, 413) for r in rs)
    assert holdings(u.base)[(u.id, "cyclades.cpu")] == (0, 12)
    # Half accepted, half rejected, each from its own request, all at once; and every one a
    # second time, which finds nothing pending.
    work = [(s, "accept" if i % 2 == 0 else "reject") for i, s in enumerate(serials)] * 2
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda w: post(ACCOUNT + "/commissions/%d/action" % w[0],
                                             json={w[1]: ""}, headers=auth(svc)).status_code,
                              work))
    assert sorted(codes) == [200] * 12 + [404] * 12, codes
    assert holdings(u.base)[(u.id, "cyclades.cpu")] == (6, 6)
    assert holdings(u.base)[(None, "cyclades.cpu")] == (6, 6)
    assert not set(serials) & set(pending(svc))


def test_a_member_draws_on_the_project_not_the_base(svc, user):
    u = user
    p = make_project(members=[u], limits={"cyclades.vm": (4, 3)})
    serial_of(commission(svc, both(u, p, "cyclades.vm", 3), auto_accept=True))
    f = fault(commission(svc, both(u, p, "cyclades.vm", 1)), 413, "overLimit")
    assert f["data"]["provision"] == provision(u, p, "cyclades.vm", 1)
    assert holdings(p)[(u.id, "cyclades.vm")] == (3, 3)
    assert psql_scalar("SELECT count(*) FROM holdings WHERE project_id = %s"
                       % sql_literal(u.base)) == "0"
