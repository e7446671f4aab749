"""Astakos memberships (/account/v1.0/projects/memberships): join and enroll, leave, accept,
reject, remove and cancel under the join and leave policies and max_members, who sees which
membership, and bad input refused with nothing changed."""
import uuid

import pytest

from nimbus_test.astakos import (Astakos, active_project, audit_entries, fault, new_astakos_user,
                                 project_tables)
from nimbus_test.db import psql_scalar


@pytest.fixture(scope="module")
def admin():
    return Astakos()


@pytest.fixture(scope="module")
def owner():
    return new_astakos_user()


@pytest.fixture(scope="module")
def carol():
    return new_astakos_user(mail="carol-%s@example.org" % uuid.uuid4().hex[:8])


@pytest.fixture(scope="module")
def dave():
    return new_astakos_user()


def join(user, pid, status=200):
    r = user.post("/account/v1.0/projects/memberships", {"join": {"project": pid}})
    assert r.status_code == status, r.text
    return r.json()["id"] if status == 200 else r


def enroll(actor, pid, who, status=200):
    r = actor.post("/account/v1.0/projects/memberships", {"enroll": {"project": pid, "user": who}})
    assert r.status_code == status, r.text
    return r.json()["id"] if status == 200 else r


def state(actor, mid):
    return actor.membership(mid)["state"]


# ------------------------------------------------------------------ join policies

def test_joining_a_moderated_project_asks_the_owner(admin, owner, carol):
    pid = active_project(owner, admin)
    mid = join(carol, pid)
    m = carol.membership(mid)
    assert m["state"] == "requested" and m["user"] == carol.uuid and m["project"] == pid
    assert m["requested"].endswith("+00:00")
    assert m["allowed_actions"] == ["cancel"]
    assert owner.membership(mid)["allowed_actions"] == ["accept", "reject"]
    owner.member_act(mid, "accept")
    m = carol.membership(mid)
    assert m["state"] == "accepted" and "accepted" in m and "requested" in m
    assert ("astakos", "%s joins project %s: membership %d is requested"
            % (carol.name, pid, mid)) in audit_entries(pid)


def test_joining_an_auto_project_is_accepted_at_once(admin, owner, carol):
    pid = active_project(owner, admin, join_policy="auto")
    mid = join(carol, pid)
    assert state(carol, mid) == "accepted"


def test_joining_a_closed_project_is_a_conflict(admin, owner, carol):
    pid = active_project(owner, admin, join_policy="closed")
    before = project_tables(pid)
    fault(join(carol, pid, 409), 409, "conflict")
    assert project_tables(pid) == before


def test_joining_twice_is_a_conflict(admin, owner, carol):
    pid = active_project(owner, admin)
    join(carol, pid)
    before = project_tables(pid)
    fault(join(carol, pid, 409), 409, "conflict")
    assert project_tables(pid) == before


def test_a_suspended_project_may_still_be_joined_by_those_who_see_it(admin, owner, carol):
    # suspended is alive in Astakos's sense (checkAlive), but only active projects are public
    pid = active_project(owner, admin, join_policy="auto")
    admin.act(pid, "suspend")
    before = project_tables(pid)
    fault(join(carol, pid, 404), 404, "itemNotFound")
    assert project_tables(pid) == before
    assert state(owner, join(owner, pid)) == "accepted"


def test_joining_a_terminated_project_is_a_conflict(admin, owner, carol):
    pid = active_project(owner, admin, join_policy="auto")
    admin.act(pid, "terminate")
    before = project_tables(pid)
    fault(join(owner, pid, 409), 409, "conflict")
    fault(join(carol, pid, 404), 404, "itemNotFound")
    assert project_tables(pid) == before


def test_joining_a_project_one_cannot_see_is_not_found(admin, owner, carol):
    pending, _ = owner.apply(join_policy="auto")
    private = active_project(owner, admin, join_policy="auto", private=True)
    for pid in (pending, private, owner.uuid, "00000000-0000-0000-0000-000000000000", "junk"):
        before = project_tables()
        fault(join(carol, pid, 404), 404, "itemNotFound")
        assert project_tables() == before


def test_a_user_may_join_again_after_leaving(admin, owner, carol):
    pid = active_project(owner, admin, join_policy="auto")
    mid = join(carol, pid)
    carol.member_act(mid, "leave")
    assert state(carol, mid) == "removed"
    assert join(carol, pid) == mid
    assert state(carol, mid) == "accepted"


# ------------------------------------------------------------------ max_members

def test_auto_join_beyond_max_members_waits_for_the_owner(admin, owner, carol, dave):
    pid = active_project(owner, admin, join_policy="auto", max_members=1)
    first = join(carol, pid)
    second = join(dave, pid)
    assert state(carol, first) == "accepted" and state(dave, second) == "requested"
    before = project_tables(pid)
    fault(owner.member_act(second, "accept", status=409), 409, "conflict")
    assert project_tables(pid) == before
    assert "accept" not in owner.membership(second)["allowed_actions"]
    # a place comes free, and the owner may accept
    carol.member_act(first, "leave")
    owner.member_act(second, "accept")
    assert state(dave, second) == "accepted"


def test_enrolling_beyond_max_members_is_a_conflict(admin, owner, carol, dave):
    pid = active_project(owner, admin, max_members=1)
    enroll(owner, pid, carol.name)
    before = project_tables(pid)
    fault(enroll(owner, pid, dave.name, 409), 409, "conflict")
    assert project_tables(pid) == before


# ------------------------------------------------------------------ enroll

def test_the_owner_enrolls_a_user_by_mail_or_name(admin, owner, carol, dave):
    pid = active_project(owner, admin)
    mid = enroll(owner, pid, psql_scalar("SELECT mail FROM users WHERE name = '%s'" % carol.name))
    assert state(carol, mid) == "accepted"
    mid = enroll(owner, pid, dave.name)
    assert state(dave, mid) == "accepted"
    assert ("astakos", "%s enrolls %s in project %s: membership %d is accepted"
            % (owner.name, dave.name, pid, mid)) in audit_entries(pid)


def test_enrolling_turns_a_request_into_a_membership(admin, owner, carol):
    pid = active_project(owner, admin)
    mid = join(carol, pid)
    assert enroll(owner, pid, carol.name) == mid
    assert state(carol, mid) == "accepted"


def test_enroll_refusals_change_nothing(admin, owner, carol, dave):
    pid = active_project(owner, admin)
    enroll(owner, pid, carol.name)
    closed = active_project(owner, admin, join_policy="closed")
    cases = [
        (owner, pid, carol.name, 409, "conflict"),          # already a member
        (owner, pid, "nobody-%s" % uuid.uuid4().hex, 409, "conflict"),   # unknown user
        (dave, pid, dave.name, 403, "forbidden"),            # not the owner
        (owner, closed, dave.name, 409, "conflict"),         # closed to joining
        (owner, "00000000-0000-0000-0000-000000000000", dave.name, 404, "itemNotFound"),
    ]
    for actor, project, who, status, name in cases:
        before = project_tables()
        fault(enroll(actor, project, who, status), status, name)
        assert project_tables() == before


def test_an_administrator_enrolls_in_any_project(admin, owner, carol):
    pid = active_project(owner, admin)
    assert state(carol, enroll(admin, pid, carol.name)) == "accepted"


# ------------------------------------------------------------------ leave policies

def test_leaving_under_auto_policy_removes_at_once(admin, owner, carol):
    pid = active_project(owner, admin, leave_policy="auto")
    mid = enroll(owner, pid, carol.name)
    assert carol.membership(mid)["allowed_actions"] == ["leave"]
    carol.member_act(mid, "leave")
    m = carol.membership(mid)
    assert m["state"] == "removed" and "removed" in m and m["allowed_actions"] == []


def test_leaving_under_moderated_policy_asks_the_owner_who_removes(admin, owner, carol):
    pid = active_project(owner, admin, leave_policy="moderated")
    mid = enroll(owner, pid, carol.name)
    carol.member_act(mid, "leave")
    assert state(carol, mid) == "leave_requested"
    assert owner.membership(mid)["allowed_actions"] == ["remove"]
    owner.member_act(mid, "remove")
    assert state(carol, mid) == "removed"


def test_leaving_a_closed_project_is_a_conflict(admin, owner, carol):
    pid = active_project(owner, admin, leave_policy="closed")
    mid = enroll(owner, pid, carol.name)
    assert carol.membership(mid)["allowed_actions"] == []
    before = project_tables(pid)
    fault(carol.member_act(mid, "leave", status=409), 409, "conflict")
    fault(owner.member_act(mid, "remove", status=409), 409, "conflict")
    assert project_tables(pid) == before


def test_nobody_leaves_their_base_project(admin, carol):
    mid = carol.ok("GET", "/account/v1.0/projects/memberships",
                   params={"project": carol.uuid})[0]["id"]
    before = project_tables(carol.uuid)
    fault(carol.member_act(mid, "leave", status=409), 409, "conflict")
    fault(admin.member_act(mid, "remove", status=409), 409, "conflict")
    assert project_tables(carol.uuid) == before


# ------------------------------------------------------------------ the membership state machine

def membership_in(admin, owner, member, wanted):
    """A membership of member in a fresh moderated project of owner, in state wanted."""
    pid = active_project(owner, admin, leave_policy="moderated")
    mid = join(member, pid)
    if wanted in ("accepted", "leave_requested", "removed"):
        owner.member_act(mid, "accept")
    if wanted == "leave_requested":
        member.member_act(mid, "leave")
    if wanted == "removed":
        owner.member_act(mid, "remove")
    if wanted == "rejected":
        owner.member_act(mid, "reject")
    if wanted == "cancelled":
        member.member_act(mid, "cancel")
    assert state(member, mid) == wanted
    return pid, mid


ALLOWED = [
    # (state, action, who, resulting state)
    ("requested", "accept", "owner", "accepted"),
    ("requested", "reject", "owner", "rejected"),
    ("requested", "cancel", "member", "cancelled"),
    ("accepted", "leave", "member", "leave_requested"),
    ("accepted", "remove", "owner", "removed"),
    ("leave_requested", "remove", "owner", "removed"),
    ("leave_requested", "leave", "member", "leave_requested"),
    ("requested", "accept", "admin", "accepted"),
    ("requested", "cancel", "admin", "cancelled"),
    ("accepted", "remove", "admin", "removed"),
]


@pytest.mark.parametrize("start,action,who,end", ALLOWED,
                         ids=["%s-%s-%s" % t[:3] for t in ALLOWED])
def test_an_allowed_membership_transition(admin, owner, carol, start, action, who, end):
    pid, mid = membership_in(admin, owner, carol, start)
    actor = {"owner": owner, "member": carol, "admin": admin}[who]
    if who != "admin":
        assert action in actor.membership(mid)["allowed_actions"]
    actor.member_act(mid, action)
    assert state(carol, mid) == end
    assert any("%ss membership %d" % (action, mid) in e for _, e in audit_entries(pid))


REFUSED = [
    # (state, action, who, status)
    ("requested", "leave", "member", 409), ("requested", "remove", "owner", 409),
    ("accepted", "accept", "owner", 409), ("accepted", "reject", "owner", 409),
    ("accepted", "cancel", "member", 409),
    ("rejected", "accept", "owner", 409), ("rejected", "cancel", "member", 409),
    ("rejected", "leave", "member", 409), ("rejected", "remove", "owner", 409),
    ("cancelled", "accept", "owner", 409), ("cancelled", "reject", "owner", 409),
    ("removed", "leave", "member", 409), ("removed", "remove", "owner", 409),
    ("removed", "accept", "owner", 409),
    ("leave_requested", "accept", "owner", 409), ("leave_requested", "cancel", "member", 409),
    # the wrong party
    ("requested", "accept", "member", 403), ("requested", "reject", "member", 403),
    ("requested", "cancel", "owner", 403), ("accepted", "leave", "owner", 403),
    ("accepted", "remove", "member", 403),
]


@pytest.mark.parametrize("start,action,who,status", REFUSED,
                         ids=["%s-%s-%s" % t[:3] for t in REFUSED])
def test_a_refused_membership_transition_changes_nothing(admin, owner, carol, start, action,
                                                         who, status):
    pid, mid = membership_in(admin, owner, carol, start)
    actor = {"owner": owner, "member": carol}[who]
    assert action not in actor.membership(mid)["allowed_actions"]
    before = project_tables(pid)
    fault(actor.member_act(mid, action, status=status), status,
          "conflict" if status == 409 else "forbidden")
    assert project_tables(pid) == before


@pytest.mark.parametrize("project_action", ["suspend", "terminate"])
def test_memberships_of_a_project_no_longer_alive_are_frozen(admin, owner, carol, dave,
                                                             project_action):
    pid = active_project(owner, admin)
    accepted = enroll(owner, pid, carol.name)
    requested = join(dave, pid)
    admin.act(pid, project_action)
    if project_action == "suspend":       # suspended is still alive: answers go on
        owner.member_act(requested, "accept")
        return
    before = project_tables(pid)
    fault(owner.member_act(requested, "accept", status=409), 409, "conflict")
    fault(carol.member_act(accepted, "leave", status=409), 409, "conflict")
    assert project_tables(pid) == before


# ------------------------------------------------------------------ visibility and listing

def test_a_membership_is_seen_by_the_member_the_owner_and_administrators(admin, owner, carol,
                                                                         dave):
    pid = active_project(owner, admin)
    mid = join(carol, pid)
    for who in (carol, owner, admin):
        assert who.membership(mid)["id"] == mid
    fault(dave.get("/account/v1.0/projects/memberships/%d" % mid), 404, "itemNotFound")
    before = project_tables(pid)
    fault(dave.member_act(mid, "accept", status=404), 404, "itemNotFound")
    assert project_tables(pid) == before
    assert mid not in [m["id"] for m in dave.ok("GET", "/account/v1.0/projects/memberships")]


def test_the_list_filters_by_project(admin, owner, carol, dave):
    pid = active_project(owner, admin)
    a = join(carol, pid)
    b = enroll(owner, pid, dave.name)
    got = owner.ok("GET", "/account/v1.0/projects/memberships", params={"project": pid})
    assert [m["id"] for m in got] == [a, b]
    got = carol.ok("GET", "/account/v1.0/projects/memberships", params={"project": pid})
    assert [m["id"] for m in got] == [a]
    got = carol.ok("GET", "/account/v1.0/projects/memberships",
                   params={"project": pid.replace("-", "")})
    assert [m["id"] for m in got] == [a]
    mine = {m["project"] for m in carol.ok("GET", "/account/v1.0/projects/memberships")}
    assert {pid, carol.uuid} <= mine


def test_the_list_pages_by_marker_and_limit(admin):
    everything = [m["id"] for m in admin.ok("GET", "/account/v1.0/projects/memberships")]
    assert everything == sorted(everything) and len(everything) >= 3
    page = admin.ok("GET", "/account/v1.0/projects/memberships",
                    params={"limit": 2, "marker": everything[0]})
    assert [m["id"] for m in page] == everything[1:3]


@pytest.mark.parametrize("params", [{"project": "junk"}, {"limit": "0"}, {"marker": "x"}])
def test_bad_list_parameters_are_bad_request(carol, params):
    fault(carol.get("/account/v1.0/projects/memberships", **params), 400, "badRequest")


def test_an_unknown_membership_is_not_found(carol):
    for mid in ("999999999", "junk", "0", "-1"):
        fault(carol.get("/account/v1.0/projects/memberships/%s" % mid), 404, "itemNotFound")
        before = project_tables()
        fault(carol.member_act(mid, "leave", status=404), 404, "itemNotFound")
        assert project_tables() == before


# ------------------------------------------------------------------ bad bodies

BAD_CREATE = [
    {}, {"join": {}}, {"join": {"project": 5}}, {"enroll": {"project": "x"}},
    {"join": {"project": "x"}, "enroll": {"project": "x", "user": "y"}}, {"leave": {}},
    {"join": "x"}, {"join": {"project": "x", "extra": 1}},
]


@pytest.mark.parametrize("body", BAD_CREATE, ids=[str(i) for i in range(len(BAD_CREATE))])
def test_a_bad_membership_request_is_bad_request(carol, body):
    before = project_tables()
    fault(carol.post("/account/v1.0/projects/memberships", body), 400, "badRequest")
    assert project_tables() == before


BAD_ACTION = [{}, {"explode": "x"}, {"leave": "x", "cancel": "y"}, {"leave": 5},
              {"leave": {"reason": "x"}}]


@pytest.mark.parametrize("body", BAD_ACTION, ids=[str(i) for i in range(len(BAD_ACTION))])
def test_a_bad_membership_action_is_bad_request(admin, owner, carol, body):
    pid = active_project(owner, admin)
    mid = enroll(owner, pid, carol.name)
    before = project_tables(pid)
    fault(carol.post("/account/v1.0/projects/memberships/%d/action" % mid, body), 400, "badRequest")
    assert project_tables(pid) == before


def test_a_reason_may_be_left_out(admin, owner, carol):
    pid = active_project(owner, admin)
    mid = enroll(owner, pid, carol.name)
    r = carol.post("/account/v1.0/projects/memberships/%d/action" % mid, {"leave": None})
    assert r.status_code == 200, r.text
    assert state(carol, mid) == "removed"
