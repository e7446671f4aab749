"""Astakos projects and their applications (/account/v1.0/projects): base projects, the
application and project state machines (each allowed and each refused transition), visibility,
filters, and bad input refused with nothing changed."""
import pytest

from conftest import run_psql
from nimbus_test.astakos import (Astakos, active_project, audit_entries, db_json, fault, future,
                                 new_astakos_user, past, project_name, project_tables)


@pytest.fixture(scope="module")
def admin():
    return Astakos()


# alice and bob leave many applications pending: more than the default limit of 2
# (test_astakos_pending_apps.py tests the limit).
@pytest.fixture(scope="module")
def alice():
    return new_astakos_user(pending_apps=1000)


@pytest.fixture(scope="module")
def bob():
    return new_astakos_user(pending_apps=1000)


def modify(actor, pid, **fields):
    """PUT /projects/<id>: an application to modify; its id."""
    return actor.ok("PUT", "/account/v1.0/projects/%s" % pid, fields, status=201)["application"]


def app_state(owner, pid):
    return owner.project(pid)["last_application"]["state"]


# ------------------------------------------------------------------ base projects

def test_every_user_has_a_base_project_with_the_users_uuid():
    alice = new_astakos_user()  # at the base limits
    p = alice.project(alice.uuid)
    assert p["id"] == alice.uuid
    assert p["state"] == "active" and p["system_project"] is True
    assert p["owner"] is None and p["private"] is True
    assert p["join_policy"] == "closed" and p["leave_policy"] == "closed"
    assert p["max_members"] == 1
    limits = db_json("SELECT json_object_agg(name, base_limit) FROM resources WHERE api_visible")
    assert {k: v["member_capacity"] for k, v in p["resources"].items()} == limits
    assert {k: v["project_capacity"] for k, v in p["resources"].items()} == limits
    # ... with the user its one accepted member
    ms = alice.ok("GET", "/account/v1.0/projects/memberships", params={"project": alice.uuid})
    assert [(m["user"], m["state"]) for m in ms] == [(alice.uuid, "accepted")]


def test_project_ids_are_accepted_without_dashes(alice):
    assert alice.project(alice.uuid.replace("-", ""))["id"] == alice.uuid


def test_base_project_goes_with_its_user(admin):
    u = new_astakos_user()
    run_psql("DELETE FROM users WHERE uuid = '%s'" % u.uuid)
    assert run_psql("SELECT count(*) FROM projects WHERE id = '%s'" % u.uuid) == [["0"]]


def test_a_system_project_is_never_terminated(admin, alice):
    before = project_tables(alice.uuid)
    fault(admin.act(alice.uuid, "terminate", status=409), 409, "conflict")
    assert project_tables(alice.uuid) == before


def test_a_system_project_keeps_its_name_owner_homepage_and_description(admin, alice):
    before = project_tables(alice.uuid)
    for field, value in (("name", "x.example.org"), ("owner", admin.uuid),
                         ("homepage", "http://x"), ("description", "d")):
        fault(admin.put("/account/v1.0/projects/%s" % alice.uuid, {field: value}), 409, "conflict")
    assert project_tables(alice.uuid) == before


def test_a_system_projects_limits_can_be_changed_by_an_administrator(admin, alice):
    bob_ = new_astakos_user()
    out = admin.ok("PUT", "/account/v1.0/projects/%s" % bob_.uuid,
                   {"resources": {"cyclades.vm": {"project_capacity": 7, "member_capacity": 7}}},
                   status=201)
    admin.act(bob_.uuid, "approve", out["application"])
    assert bob_.project(bob_.uuid)["resources"]["cyclades.vm"] == {
        "project_capacity": 7, "member_capacity": 7}


# ------------------------------------------------------------------ applying for a project

def test_an_application_creates_an_uninitialized_project(alice):
    name = project_name()
    pid, app = alice.apply(name=name, homepage="http://example.org", description="d",
                           comments="c", max_members=5, private=True, start_date=future(1),
                           resources={"cyclades.cpu": {"project_capacity": 8,
                                                       "member_capacity": 4}})
    assert isinstance(app, int)
    p = alice.project(pid)
    assert p["state"] == "uninitialized" and p["name"] == name and p["owner"] == alice.uuid
    assert p["homepage"] == "http://example.org" and p["description"] == "d"
    assert p["max_members"] == 5 and p["private"] is True and p["system_project"] is False
    assert p["creation_date"].endswith("+00:00") and "T" in p["creation_date"]
    assert p["resources"] == {"cyclades.cpu": {"project_capacity": 8, "member_capacity": 4}}
    a = p["last_application"]
    assert a["id"] == app and a["state"] == "pending"
    assert a["applicant"] == alice.uuid and a["owner"] == alice.uuid and a["comments"] == "c"
    assert a["resources"] == p["resources"]
    assert ("astakos", "%s applies for new project %s (application %d)"
            % (alice.name, pid, app)) in audit_entries(pid)


def test_application_defaults_moderated_join_and_auto_leave(alice):
    pid, _ = alice.apply()
    p = alice.project(pid)
    assert p["join_policy"] == "moderated" and p["leave_policy"] == "auto"
    assert p["private"] is False and p["max_members"] == 2 ** 63 - 1


def test_an_application_may_name_another_owner(admin, alice, bob):
    pid, _ = admin.apply(owner=bob.uuid.replace("-", ""))
    assert bob.project(pid)["owner"] == bob.uuid


BAD_APPLICATIONS = [
    ({"name": None}, "name"),                                  # missing
    ({"end_date": None}, "end_date"),                          # missing
    ({"end_date": "past"}, "end_date"),
    ({"end_date": "2030-13-01"}, "end_date"),
    ({"end_date": "tomorrow"}, "end_date"),
    ({"start_date": "soon"}, "start_date"),
    ({"name": "no-dots"}, "name"),
    ({"name": "bad_label.example.org"}, "name"),
    ({"name": "a" * 75 + ".example.org"}, "name"),
    ({"join_policy": "open"}, "join_policy"),
    ({"leave_policy": "never"}, "leave_policy"),
    ({"max_members": -1}, "max_members"),
    ({"max_members": "5"}, "max_members"),
    ({"private": "yes"}, "private"),
    ({"owner": "00000000-0000-0000-0000-000000000000"}, "owner"),
    ({"owner": "nobody"}, "owner"),
    ({"homepage": "h" * 256}, "homepage"),
    ({"description": "d" * 4097}, "description"),
    ({"resources": {"cyclades.nothing": {"project_capacity": 1, "member_capacity": 1}}},
     "resources"),
    ({"resources": {"cyclades.vm": {"project_capacity": 1, "member_capacity": 2}}}, "resources"),
    ({"resources": {"cyclades.vm": {"project_capacity": -1, "member_capacity": -1}}},
     "resources"),
    ({"resources": {"cyclades.vm": {"project_capacity": 1}}}, "resources"),
    ({"resources": {"cyclades.vm": {"project_capacity": "1", "member_capacity": 1}}},
     "resources"),
    ({"resources": {"cyclades.vm": 3}}, "resources"),
    ({"resources": []}, "resources"),
    ({"colour": "blue"}, "colour"),
]


@pytest.mark.parametrize("change,field", BAD_APPLICATIONS,
                         ids=["%s-%d" % (f, i) for i, (_, f) in enumerate(BAD_APPLICATIONS)])
def test_a_bad_application_is_refused_and_creates_nothing(alice, change, field):
    body = {"name": project_name(), "end_date": future(),
            "resources": {"cyclades.vm": {"project_capacity": 10, "member_capacity": 2}}}
    for k, v in change.items():
        if v is None:
            body.pop(k)
        else:
            body[k] = past() if v == "past" else v
    before = project_tables()
    r = alice.post("/account/v1.0/projects", body)
    fault(r, 400, "badRequest")
    assert project_tables() == before


def test_a_body_that_is_not_json_is_refused(alice):
    before = project_tables()
    fault(alice.post("/account/v1.0/projects", raw="{not json"), 400, "badRequest")
    assert project_tables() == before


def test_without_a_token_the_api_answers_unauthorized(alice):
    fault(alice.call("GET", "/account/v1.0/projects", token=False), 401, "unauthorized")
    before = project_tables()
    body = {"name": project_name(), "end_date": future()}
    fault(alice.call("POST", "/account/v1.0/projects", body, token=False), 401, "unauthorized")
    assert project_tables() == before


def test_applications_are_not_served_on_their_own(alice):
    fault(alice.get("/account/v1.0/projects/apps"), 404, "itemNotFound")
    fault(alice.get("/account/v1.0/projects/apps/1"), 404, "itemNotFound")


# ------------------------------------------------------------------ the application state machine

def test_approval_activates_the_project_and_fills_the_other_resources(admin, alice):
    pid, app = alice.apply()
    admin.act(pid, "approve", app)
    p = alice.project(pid)
    assert p["state"] == "active" and p["last_application"]["state"] == "approved"
    defaults = db_json("SELECT json_object_agg(name, project_default) FROM resources"
                       " WHERE api_visible")
    for name, value in defaults.items():
        if name != "cyclades.vm":
            assert p["resources"][name] == {"project_capacity": value, "member_capacity": value}
    assert p["resources"]["cyclades.vm"] == {"project_capacity": 10, "member_capacity": 2}
    assert ("astakos", "admin approves application %d of project %s" % (app, pid)) \
        in audit_entries(pid)


def test_denial_leaves_the_project_uninitialized_and_dismissal_deletes_it(admin, alice):
    pid, app = alice.apply()
    admin.act(pid, "deny", app)
    p = alice.project(pid)
    assert p["state"] == "uninitialized" and p["last_application"]["state"] == "denied"
    alice.act(pid, "dismiss", app)
    p = alice.project(pid)
    assert p["state"] == "deleted" and p["last_application"]["state"] == "dismissed"


def test_cancelling_the_first_application_deletes_the_project(alice):
    pid, app = alice.apply()
    alice.act(pid, "cancel", app)
    p = alice.project(pid)
    assert p["state"] == "deleted" and p["last_application"]["state"] == "cancelled"


def test_an_administrator_may_cancel_and_dismiss_for_the_applicant(admin, alice):
    pid, app = alice.apply()
    admin.act(pid, "cancel", app)
    assert app_state(alice, pid) == "cancelled"
    pid, app = alice.apply()
    admin.act(pid, "deny", app)
    admin.act(pid, "dismiss", app)
    assert alice.project(pid)["state"] == "deleted"


# (action, application state it is tried in) pairs that Astakos refuses with 409
REFUSED_APP_TRANSITIONS = [
    ("approve", "approved"), ("approve", "denied"), ("approve", "cancelled"),
    ("approve", "dismissed"),
    ("deny", "approved"), ("deny", "denied"), ("deny", "cancelled"),
    ("dismiss", "pending"), ("dismiss", "approved"), ("dismiss", "cancelled"),
    ("dismiss", "dismissed"),
    ("cancel", "approved"), ("cancel", "denied"), ("cancel", "cancelled"),
]


def app_in_state(admin, owner, state):
    """A project whose last application is in state; (project, application)."""
    pid, app = owner.apply()
    if state == "approved":
        admin.act(pid, "approve", app)
    elif state in ("denied", "dismissed"):
        admin.act(pid, "deny", app)
        if state == "dismissed":
            owner.act(pid, "dismiss", app)
    elif state == "cancelled":
        owner.act(pid, "cancel", app)
    assert owner.project(pid)["last_application"]["state"] == state
    return pid, app


@pytest.mark.parametrize("action,state", REFUSED_APP_TRANSITIONS,
                         ids=["%s-%s" % t for t in REFUSED_APP_TRANSITIONS])
def test_an_application_transition_its_state_does_not_allow_is_a_conflict(admin, alice, action,
                                                                          state):
    pid, app = app_in_state(admin, alice, state)
    before = project_tables(pid)
    actor = admin if action in ("approve", "deny") else alice
    msg = fault(actor.act(pid, action, app, status=409), 409, "conflict")
    assert state in msg
    assert project_tables(pid) == before


@pytest.mark.parametrize("action", ["approve", "deny", "dismiss", "cancel"])
def test_an_application_action_needs_the_last_applications_id(admin, alice, action):
    pid, app = alice.apply()
    before = project_tables(pid)
    for app_id in (None, app + 1000, str(app + 1000), 0):
        fault(admin.act(pid, action, app_id, status=409), 409, "conflict")
    assert project_tables(pid) == before


def test_an_application_id_of_another_type_is_bad_request(admin, alice):
    pid, app = alice.apply()
    before = project_tables(pid)
    r = admin.post("/account/v1.0/projects/%s/action" % pid, {"approve": {"app_id": [app]}})
    fault(r, 400, "badRequest")
    assert project_tables(pid) == before


@pytest.mark.parametrize("action", ["approve", "deny"])
def test_only_administrators_approve_and_deny(alice, action):
    pid, app = alice.apply()
    before = project_tables(pid)
    fault(alice.act(pid, action, app, status=403), 403, "forbidden")
    assert project_tables(pid) == before


@pytest.mark.parametrize("action", ["cancel", "dismiss"])
def test_only_the_applicant_or_an_administrator_cancels_and_dismisses(admin, alice, bob, action):
    # a public active project bob can see, with a pending (or denied) modification by alice
    pid = active_project(alice, admin)
    app = modify(alice, pid, max_members=3)
    if action == "dismiss":
        admin.act(pid, "deny", app)
    before = project_tables(pid)
    fault(bob.act(pid, action, app, status=403), 403, "forbidden")
    assert project_tables(pid) == before


def test_an_older_application_is_replaced_by_a_newer_one(admin, alice):
    pid = active_project(alice, admin)
    first = modify(alice, pid, max_members=3)
    second = modify(alice, pid, max_members=4)
    assert second > first
    states = db_json("SELECT json_object_agg(id, state) FROM project_applications"
                     " WHERE project_id = '%s'" % pid)
    assert states[str(first)] == "replaced" and states[str(second)] == "pending"
    # the replaced one can no longer be acted on
    fault(admin.act(pid, "approve", first, status=409), 409, "conflict")
    admin.act(pid, "approve", second)
    assert alice.project(pid)["max_members"] == 4


# ------------------------------------------------------------------ modifications

def test_a_modification_applies_only_when_approved(admin, alice):
    pid = active_project(alice, admin, max_members=10)
    new_name = project_name()
    out = alice.ok("PUT", "/account/v1.0/projects/%s" % pid,
                   {"name": new_name, "max_members": 20, "join_policy": "auto",
                    "leave_policy": "closed", "description": "new",
                    "resources": {"cyclades.vm": {"project_capacity": 30,
                                                  "member_capacity": 3}}}, status=201)
    assert out["id"] == pid
    p = alice.project(pid)
    assert p["state"] == "active" and p["max_members"] == 10 and p["name"] != new_name
    assert p["last_application"]["state"] == "pending"
    assert p["last_application"]["max_members"] == 20
    admin.act(pid, "approve", out["application"])
    p = alice.project(pid)
    assert p["name"] == new_name and p["max_members"] == 20 and p["description"] == "new"
    assert p["join_policy"] == "auto" and p["leave_policy"] == "closed"
    assert p["resources"]["cyclades.vm"] == {"project_capacity": 30, "member_capacity": 3}
    assert "cyclades.cpu" in p["resources"]


def test_a_denied_modification_leaves_the_project_as_it_was(admin, alice):
    pid = active_project(alice, admin, max_members=10)
    app = modify(alice, pid, max_members=99)
    admin.act(pid, "deny", app)
    alice.act(pid, "dismiss", app)
    p = alice.project(pid)
    assert p["state"] == "active" and p["max_members"] == 10
    assert p["last_application"]["state"] == "dismissed"


def test_approving_a_modification_of_a_suspended_project_activates_it(admin, alice):
    pid = active_project(alice, admin)
    admin.act(pid, "suspend")
    app = modify(alice, pid, max_members=9)
    admin.act(pid, "approve", app)
    assert alice.project(pid)["state"] == "active"


def test_only_the_owner_or_an_administrator_applies_for_a_modification(admin, alice, bob):
    pid = active_project(alice, admin)
    before = project_tables(pid)
    fault(bob.put("/account/v1.0/projects/%s" % pid, {"max_members": 3}), 403, "forbidden")
    assert project_tables(pid) == before
    admin.ok("PUT", "/account/v1.0/projects/%s" % pid, {"max_members": 3}, status=201)


@pytest.mark.parametrize("state", ["uninitialized", "deleted"])
def test_a_project_never_approved_cannot_be_modified(admin, alice, state):
    pid, app = alice.apply()
    if state == "deleted":
        alice.act(pid, "cancel", app)
    before = project_tables(pid)
    fault(alice.put("/account/v1.0/projects/%s" % pid, {"max_members": 3}), 409, "conflict")
    assert project_tables(pid) == before


def test_a_bad_modification_changes_nothing(admin, alice):
    pid = active_project(alice, admin)
    before = project_tables(pid)
    for body in ({"end_date": past()}, {"join_policy": "x"}, {"max_members": -5},
                 {"resources": {"cyclades.vm": {"project_capacity": 1, "member_capacity": 5}}},
                 {"name": "not a domain"}):
        fault(alice.put("/account/v1.0/projects/%s" % pid, body), 400, "badRequest")
    assert project_tables(pid) == before


def test_modifying_an_unknown_project_is_not_found(alice):
    before = project_tables()
    unknown = "/account/v1.0/projects/00000000-0000-0000-0000-000000000000"
    fault(alice.put(unknown, {"max_members": 3}), 404, "itemNotFound")
    fault(alice.put("/account/v1.0/projects/junk", {"max_members": 3}), 404, "itemNotFound")
    assert project_tables() == before


# ------------------------------------------------------------------ names

def test_two_live_projects_cannot_share_a_name(admin, alice, bob):
    name = project_name()
    active_project(alice, admin, name=name)
    pid, app = bob.apply(name=name)    # applying is allowed; approving is not
    before = project_tables(pid)
    fault(admin.act(pid, "approve", app, status=409), 409, "conflict")
    assert project_tables(pid) == before


def test_a_terminated_project_frees_its_name_and_reinstating_needs_it_back(admin, alice, bob):
    name = project_name()
    first = active_project(alice, admin, name=name)
    admin.act(first, "terminate")
    second = active_project(bob, admin, name=name)
    before = project_tables(first)
    fault(admin.act(first, "reinstate", status=409), 409, "conflict")
    assert project_tables(first) == before
    admin.act(second, "terminate")
    admin.act(first, "reinstate")
    assert alice.project(first)["state"] == "active"


# ------------------------------------------------------------------ the project state machine

def test_suspend_unsuspend_terminate_reinstate(admin, alice):
    pid = active_project(alice, admin)
    admin.act(pid, "suspend")
    p = alice.project(pid)
    assert p["state"] == "suspended" and p["deactivation_date"].endswith("+00:00")
    admin.act(pid, "unsuspend")
    assert alice.project(pid)["state"] == "active"
    admin.act(pid, "suspend")
    admin.act(pid, "terminate")        # a suspended project may be terminated
    assert alice.project(pid)["state"] == "terminated"
    admin.act(pid, "reinstate")
    assert alice.project(pid)["state"] == "active"
    admin.act(pid, "terminate")
    assert alice.project(pid)["state"] == "terminated"
    entries = [e for _, e in audit_entries(pid)]
    for verb in ("suspends", "unsuspends", "terminates", "reinstates"):
        assert "admin %s project %s" % (verb, pid) in entries


# (action, project state) pairs the project's state does not allow
REFUSED_PROJECT_TRANSITIONS = [
    ("suspend", "suspended"), ("suspend", "terminated"), ("suspend", "uninitialized"),
    ("suspend", "deleted"),
    ("unsuspend", "active"), ("unsuspend", "terminated"), ("unsuspend", "uninitialized"),
    ("unsuspend", "deleted"),
    ("terminate", "terminated"), ("terminate", "uninitialized"), ("terminate", "deleted"),
    ("reinstate", "active"), ("reinstate", "suspended"), ("reinstate", "uninitialized"),
    ("reinstate", "deleted"),
]


def project_in_state(admin, owner, state):
    pid, app = owner.apply()
    if state == "deleted":
        owner.act(pid, "cancel", app)
    elif state != "uninitialized":
        admin.act(pid, "approve", app)
        if state in ("suspended", "terminated"):
            admin.act(pid, "suspend" if state == "suspended" else "terminate")
    assert owner.project(pid)["state"] == state
    return pid


@pytest.mark.parametrize("action,state", REFUSED_PROJECT_TRANSITIONS,
                         ids=["%s-%s" % t for t in REFUSED_PROJECT_TRANSITIONS])
def test_a_project_transition_its_state_does_not_allow_is_a_conflict(admin, alice, action, state):
    pid = project_in_state(admin, alice, state)
    before = project_tables(pid)
    fault(admin.act(pid, action, status=409), 409, "conflict")
    assert project_tables(pid) == before


@pytest.mark.parametrize("action", ["suspend", "unsuspend", "terminate", "reinstate"])
def test_only_administrators_act_on_projects(admin, alice, action):
    pid = active_project(alice, admin)
    if action == "unsuspend":
        admin.act(pid, "suspend")
    if action == "reinstate":
        admin.act(pid, "terminate")
    before = project_tables(pid)
    fault(alice.act(pid, action, status=403), 403, "forbidden")
    assert project_tables(pid) == before


BAD_ACTIONS = [
    {}, {"explode": {}}, {"suspend": {}, "terminate": {}}, {"suspend": "reason"},
    {"suspend": {"reason": 5}}, {"suspend": {"why": "x"}}, [], "suspend",
]


@pytest.mark.parametrize("body", BAD_ACTIONS, ids=[str(i) for i in range(len(BAD_ACTIONS))])
def test_a_bad_action_body_is_bad_request(admin, alice, body):
    pid = active_project(alice, admin)
    before = project_tables(pid)
    fault(admin.post("/account/v1.0/projects/%s/action" % pid, body), 400, "badRequest")
    assert project_tables(pid) == before


def test_an_action_on_an_unknown_project_is_not_found(admin):
    fault(admin.act("00000000-0000-0000-0000-000000000000", "suspend", status=404), 404,
          "itemNotFound")


# ------------------------------------------------------------------ visibility

def test_others_see_only_active_public_projects(admin, alice, bob):
    pending, _ = alice.apply()
    private = active_project(alice, admin, private=True)
    public = active_project(alice, admin)
    for pid in (pending, private, alice.uuid):
        fault(bob.get("/account/v1.0/projects/%s" % pid), 404, "itemNotFound")
    p = bob.project(public)
    assert "last_application" not in p and "deactivation_date" not in p
    assert "last_application" in alice.project(public)
    assert "last_application" in admin.project(public)
    ids = [p["id"] for p in bob.ok("GET", "/account/v1.0/projects")]
    assert public in ids and pending not in ids and private not in ids
    assert alice.uuid not in ids and bob.uuid in ids


def test_an_administrator_sees_every_project(admin, alice):
    pending, _ = alice.apply(private=True)
    assert admin.project(pending)["state"] == "uninitialized"
    assert admin.project(alice.uuid)["system_project"] is True


def test_an_unknown_project_is_not_found(alice):
    unknown = "/account/v1.0/projects/00000000-0000-0000-0000-000000000000"
    fault(alice.get(unknown), 404, "itemNotFound")
    fault(alice.get("/account/v1.0/projects/not-a-uuid"), 404, "itemNotFound")


# ------------------------------------------------------------------ listing

def test_list_filters_by_state_owner_and_name(admin):
    bob = new_astakos_user()    # owns only what this test makes
    name = project_name()
    pid = active_project(bob, admin, name=name)
    pending, _ = bob.apply()
    got = admin.ok("GET", "/account/v1.0/projects", params={"name": name})
    assert [p["id"] for p in got] == [pid]
    got = admin.ok("GET", "/account/v1.0/projects", params={"owner": bob.uuid})
    assert {p["id"] for p in got} == {pid, pending}
    got = admin.ok("GET", "/account/v1.0/projects",
                   params={"owner": bob.uuid, "state": "uninitialized"})
    assert [p["id"] for p in got] == [pending]
    got = admin.ok("GET", "/account/v1.0/projects", params={"owner": bob.uuid.replace("-", ""),
                                                "state": "active"})
    assert [p["id"] for p in got] == [pid]


def test_member_mode_lists_the_active_projects_the_caller_is_an_active_member_of(admin, alice):
    carol = new_astakos_user()
    joined = active_project(alice, admin, join_policy="auto")
    other = active_project(alice, admin)
    carol.ok("POST", "/account/v1.0/projects/memberships", {"join": {"project": joined}})
    ids = {p["id"] for p in carol.ok("GET", "/account/v1.0/projects", params={"mode": "member"})}
    assert ids == {joined, carol.uuid}
    listed = carol.ok("GET", "/account/v1.0/projects", params={"mode": "default"})
    assert other in {p["id"] for p in listed}
    admin.act(joined, "suspend")
    ids = {p["id"] for p in carol.ok("GET", "/account/v1.0/projects", params={"mode": "member"})}
    assert ids == {carol.uuid}


def test_list_pages_by_marker_and_limit(admin, alice):
    everything = [p["id"] for p in admin.ok("GET", "/account/v1.0/projects")]
    assert everything == sorted(everything)
    page = admin.ok("GET", "/account/v1.0/projects", params={"limit": 2})
    assert [p["id"] for p in page] == everything[:2]
    page = admin.ok("GET", "/account/v1.0/projects", params={"limit": 2, "marker": everything[1]})
    assert [p["id"] for p in page] == everything[2:4]


@pytest.mark.parametrize("params", [{"mode": "everything"}, {"state": "alive"},
                                    {"owner": "nobody"}, {"limit": "0"}, {"limit": "x"},
                                    {"marker": "x"}])
def test_bad_list_parameters_are_bad_request(alice, params):
    fault(alice.get("/account/v1.0/projects", **params), 400, "badRequest")


def test_wrong_method_is_not_allowed(alice):
    r = alice.call("DELETE", "/account/v1.0/projects/%s" % alice.uuid)
    fault(r, 405, "notAllowed")
    assert "GET" in r.headers["Allow"] and "PUT" in r.headers["Allow"]
