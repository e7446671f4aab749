"""Workers remember the credentials they have resolved (app/credential_cache.h). Whatever ends
or changes what a credential means must hold on the very next request, whichever worker serves
it: a change made through the API before its answer reaches the client; a change made straight
in the database (an operator's psql) as soon as PostgreSQL's notification arrives.

Each test first uses the credential from many concurrent connections, so that the workers have
it in memory, and then checks every answer after the change."""
import pytest

from conftest import (NANO_REFUSED, NanoSession, auth_headers, delete, do_login,
                      expire_credential, fan_out, get, nano_data, nano_message, wait_for)

NANO_INVALID = {"error_code": 500, "message": "invalid session", "data": ""}


def session_reads(token):
    """Reads whose answer depends on nothing but the credential's resolution (GET
    /sessions/{id} would not do: it reads the credential from the database itself)."""
    return fan_out(lambda: get("/api/v1/logs/?limit=1", headers=auth_headers("nano", token)))


def test_log_out_holds_on_every_worker_at_once(admin):
    token = do_login("nano")
    assert all(r.json()["error_code"] == 0 for r in session_reads(token))
    r = delete("/api/v1/sessions/" + token, headers=auth_headers("nano", token))
    assert r.json()["error_code"] == 0, r.text
    for r in session_reads(token):
        assert (r.status_code, r.json()) == (200, NANO_INVALID)


def test_deleted_user_is_refused_on_every_worker_at_once(scratch):
    name, password = scratch.user(scratch.group([scratch.role(["dashboard", "log"])]))
    token = do_login("nano", name, password)
    assert all(r.json()["error_code"] == 0 for r in session_reads(token))
    scratch.admin.ok("DELETE", "/users/%s" % name)
    for r in session_reads(token):
        assert (r.status_code, r.json()) == (200, NANO_INVALID)


@pytest.fixture
def log_reader(scratch):
    """A user whose group's role grants the "log" menu tag; (session, role, group)."""
    role = scratch.role(["dashboard", "log"])
    group = scratch.group([role])
    return NanoSession(*scratch.user(group)), role, group


def log_reads(session):
    return session_reads(session.token)


def test_leaving_the_group_takes_its_permissions_at_once(scratch, log_reader):
    user, _, group = log_reader
    for r in log_reads(user):
        nano_data(r)
    scratch.admin.ok("DELETE", "/user_groups/%s/members/%s" % (group, user.user))
    for r in log_reads(user):  # outside every group, Nano refuses the user outright
        assert nano_message(r) == "user %s belongs to no user group" % user.user


def test_a_role_losing_a_menu_tag_takes_the_permission_at_once(scratch, log_reader):
    user, role, _ = log_reader
    for r in log_reads(user):
        nano_data(r)
    scratch.admin.ok("PUT", "/roles/%s" % role, {"menu": ["dashboard"]})
    for r in log_reads(user):
        assert nano_message(r) == NANO_REFUSED


def test_expiry_set_in_the_database_reaches_workers_that_remember_the_session(admin):
    token = do_login("nano")
    assert all(r.json()["error_code"] == 0 for r in session_reads(token))
    expire_credential(token)
    # Another process's change arrives by notification, a moment after its commit; without
    # it the workers would go on accepting the session for up to a minute.
    wait_for(lambda: all(r.json() == NANO_INVALID for r in session_reads(token)), timeout=5,
             what="every worker to refuse the expired session")
