"""The limit on pending project applications (Synnefo's astakos.pending_app): each application
a user files uses one from the user's base project while it is pending, approving, denying or
cancelling it gives it back, a newer application gives back the one it replaces; past the
limit Astakos answers 409 conflict and nothing is written; administrators may go over; many
at once never go over."""
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from nimbus_test.astakos import (BASE, PENDING_APP, Astakos, active_project, allow_pending_apps,
                                 fault, future, new_astakos_user, project_name, project_tables)
from nimbus_test.db import run_psql, sql_literal

LIMIT_REACHED = "You have reached the maximum number of pending project applications: %d."


def api_visible(shown):
    run_psql("UPDATE resources SET api_visible = %s WHERE name = %s RETURNING 1"
             % ("true" if shown else "false", sql_literal(PENDING_APP)))


@pytest.fixture(scope="module", autouse=True)
def shown_in_api():
    """Synnefo hides astakos.pending_app from the API (api_visible false); this module reads
    the figures through GET /quotas, so it shows the resource, as an operator may
    (`snf-manage resource-modify --api-visible=True`), and hides it again after."""
    api_visible(True)
    yield
    api_visible(False)


@pytest.fixture(scope="module")
def admin():
    return Astakos()


def pending_app(user):
    """The user's astakos.pending_app figures in its base project, from GET /quotas."""
    return user.ok("GET", BASE + "/quotas")[user.uuid][PENDING_APP]


def usage(user):
    q = pending_app(user)
    assert q["usage"] == q["project_usage"] and q["pending"] == q["project_pending"] == 0, q
    return q["usage"]


def pending_in_db(user):
    """As stored: how many applications of the user are pending, how many projects the user
    owns, and [usage_min, usage_max] of both astakos.pending_app holdings of the user's base
    project ({"user": …, "project": …}; a holding not made yet is missing)."""
    count, owned, held = run_psql(
        "SELECT (SELECT count(*) FROM project_applications a JOIN users u"
        "         ON u.id = a.applicant_id WHERE u.uuid = %s AND a.state = 'pending'),"
        " (SELECT count(*) FROM projects p JOIN users u ON u.id = p.owner_id WHERE u.uuid = %s),"
        " (SELECT coalesce(json_object_agg(CASE WHEN h.user_id IS NULL THEN 'project'"
        "                                       ELSE 'user' END,"
        "                                  json_build_array(h.usage_min, h.usage_max)), '{}')"
        "    FROM holdings h JOIN resources r ON r.id = h.resource_id"
        "   WHERE h.project_id = %s AND r.name = %s)"
        % (sql_literal(user.uuid), sql_literal(user.uuid), sql_literal(user.uuid),
           sql_literal(PENDING_APP)))[0]
    return int(count), int(owned), json.loads(held)


def refused(user, method, path, body):
    """A filing past the limit: 409 conflict in Astakos's words, and nothing written."""
    before = (project_tables(), pending_in_db(user), pending_app(user))
    r = user.call(method, path, body)
    msg = fault(r, 409, "conflict")
    assert msg == LIMIT_REACHED % pending_app(user)["limit"], msg
    assert (project_tables(), pending_in_db(user), pending_app(user)) == before


def application(**fields):
    body = {"name": project_name(), "end_date": future()}
    body.update(fields)
    return body


# ------------------------------------------------------------------ the resource

def test_pending_app_is_hidden_from_the_api_as_in_synnefo_unless_an_operator_shows_it():
    u = new_astakos_user()
    api_visible(False)
    try:
        r = Astakos().get(BASE + "/resources")
        assert r.status_code == 200, r.text
        assert PENDING_APP not in r.json() and "cyclades.vm" in r.json()
        quotas = u.ok("GET", BASE + "/quotas")[u.uuid]
        assert PENDING_APP not in quotas and "cyclades.vm" in quotas
    finally:
        api_visible(True)
    r = Astakos().get(BASE + "/resources")
    assert r.json()[PENDING_APP] == {
        "service": "astakos_account", "description": "Number of pending project applications",
        "unit": None, "ui_visible": False, "api_visible": True}


def test_a_new_user_may_have_two_applications_pending():
    u = new_astakos_user()
    assert pending_app(u) == {"limit": 2, "usage": 0, "pending": 0, "project_limit": 2,
                              "project_usage": 0, "project_pending": 0}
    base = u.project(u.uuid)["resources"][PENDING_APP]
    assert base == {"project_capacity": 2, "member_capacity": 2}


# ------------------------------------------------------------------ charged and given back

def test_each_pending_application_uses_one_and_past_the_limit_nothing_is_written(admin):
    u = new_astakos_user()
    owned, app = admin.apply(owner=u.uuid)      # the administrator's filing: not u's to count
    admin.act(owned, "approve", app)
    assert usage(u) == 0
    u.apply()
    assert usage(u) == 1
    u.apply()
    assert pending_in_db(u) == (2, 3, {"user": [2, 2], "project": [2, 2]})
    # A third new project, and a modification of a project u owns, are both refused.
    refused(u, "POST", BASE + "/projects", application())
    refused(u, "PUT", BASE + "/projects/%s" % owned, {"max_members": 3})
    assert usage(u) == 2


def test_answering_an_application_gives_it_back(admin):
    u = new_astakos_user()
    first, app1 = u.apply()
    second, app2 = u.apply()
    assert usage(u) == 2
    u.act(first, "cancel", app1)
    assert usage(u) == 1
    third, app3 = u.apply()                 # the cancelled one made room
    assert usage(u) == 2
    admin.act(second, "deny", app2)
    assert usage(u) == 1
    u.act(second, "dismiss", app2)          # a denied application was given back already
    assert usage(u) == 1
    admin.act(third, "approve", app3)
    assert usage(u) == 0
    assert pending_in_db(u) == (0, 3, {"user": [0, 0], "project": [0, 0]})


def test_a_newer_application_gives_back_the_one_it_replaces(admin):
    u = new_astakos_user()
    pid = active_project(u, admin)
    u.ok("PUT", BASE + "/projects/%s" % pid, {"max_members": 5}, status=201)
    assert usage(u) == 1
    # u's second modification replaces u's first: still one pending, even at the limit.
    allow_pending_apps(u, 1)
    u.ok("PUT", BASE + "/projects/%s" % pid, {"max_members": 6}, status=201)
    assert usage(u) == 1
    # An administrator's modification replaces u's: u gets it back, the administrator uses one.
    boss = new_astakos_user(group="admin")
    app = boss.ok("PUT", BASE + "/projects/%s" % pid, {"max_members": 7}, status=201)
    assert usage(u) == 0 and usage(boss) == 1
    boss.act(pid, "approve", app["application"])
    assert usage(boss) == 0 and u.project(pid)["max_members"] == 7


def test_administrators_may_go_over_their_limit():
    boss = new_astakos_user(group="admin")
    allow_pending_apps(boss, 1)
    for n in (1, 2, 3):
        boss.apply()
        assert usage(boss) == n
    assert pending_app(boss)["limit"] == 1


# ------------------------------------------------------------------ at once

def test_parallel_applications_never_exceed_the_limit():
    u = new_astakos_user()
    allow_pending_apps(u, 3)

    def file_one(_):
        return u.call("POST", BASE + "/projects", application())

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(file_one, range(12)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] * 3 + [409] * 9, [r.text for r in answers]
    for r in answers:
        if r.status_code == 409:
            assert fault(r, 409, "conflict") == LIMIT_REACHED % 3
    assert usage(u) == 3
    # three applications, three projects: the refused ones wrote nothing
    assert pending_in_db(u) == (3, 3, {"user": [3, 3], "project": [3, 3]})
