"""Credentials end with the password that earned them (issue 13, item 5).

A password change, through Nano (by the user or an administrator) or `nimbusctl user passwd`,
ends every other credential of that user in every dialect; the caller's own credential, when
the user changes their own password, is the one that survives. Removal from the user's Nano
group ends all of them. Workers remember resolved credentials (app/credential_cache.h), so each
test first uses the credentials from many concurrent connections, then checks every answer
after the change. A token re-issued from another (Astakos's Keystone-v2 `auth.token`) never
outlives its source, and keep-alive never extends a Nano session past NIMBUS_SESSION_MAX_AGE
seconds after its log-in: the test stack keeps the 12-hour default, so that test moves the
session's log-in time back in the database instead of waiting."""
import calendar
import os
import subprocess
import threading
import time

import pytest

from conftest import (ADMIN_USER, DB, DIALECTS, STYLE, auth_headers, build_dir, credential_count,
                      do_login, fan_out, get, login_response, nano_data, post, psql_scalar, put,
                      run_psql, token_where, wait_for)

NANO_INVALID = {"error_code": 500, "message": "invalid session", "data": ""}
KEYSTONE_UNAUTH = {"error": {"code": 401, "title": "Unauthorized",
                             "message": "The request you have made requires authentication."}}
# The header each dialect's own clients send their credential in (its descriptor's first).
HEADER = STYLE
SESSION_MAX_AGE = int(os.environ.get("NIMBUS_SESSION_MAX_AGE") or 43200)


def profile_reads(dialect, token, user):
    """GET /api/v1/users/{user} (allowed to the user alone, answered from the credential's
    resolution only) from every worker, with the token in its dialect's header."""
    return fan_out(lambda: get("/api/v1/users/%s" % user, headers=auth_headers(HEADER[dialect],
                                                                               token)))


def accepted(r):
    return r.status_code == 200 and r.json()["error_code"] == 0


def works(dialect, token, user):
    """Accepted by every worker."""
    return all(accepted(r) for r in profile_reads(dialect, token, user))


def works_once(dialect, token, user):
    return accepted(get("/api/v1/users/%s" % user, headers=auth_headers(HEADER[dialect], token)))


def keystone_validate(token):
    h = auth_headers("x-auth", token)
    h["X-Subject-Token"] = token
    return get("/v3/auth/tokens", headers=h)


def reauthenticate(token):
    return post("/identity/v2.0/tokens", json={"auth": {"token": {"id": token}}})


def assert_revoked(dialect, token, user):
    """Refused on every worker in the issuing dialect's header, by Keystone's validation and
    by Astakos's re-authentication, and gone from the database."""
    for r in profile_reads(dialect, token, user):
        assert (r.status_code, r.json()) == (200, NANO_INVALID), (dialect, r.text)
    r = keystone_validate(token)
    assert (r.status_code, r.json()) == (401, KEYSTONE_UNAUTH), (dialect, r.text)
    r = reauthenticate(token)
    assert r.status_code == 401, (dialect, r.status_code, r.text)
    assert "access" not in r.json(), (dialect, r.text)
    assert psql_scalar("SELECT count(*) FROM credentials WHERE " + token_where(token)) == "0"


@pytest.fixture
def member(scratch):
    """A fresh user in a fresh group: (name, password, group)."""
    group = scratch.group([scratch.role(["dashboard"])])
    name, password = scratch.user(group)
    return name, password, group


def tokens_everywhere(name, password, remembered=True):
    """One credential from each dialect's log-in; remembered: already used on every worker."""
    tokens = {d: do_login(d, name, password) for d in DIALECTS}
    for d, t in tokens.items():
        assert (works if remembered else works_once)(d, t, name), d
    return tokens


# ------------------------------------------------------------------ password change

# The caller's credential is spared by what it is, not by the dialect that issued it: a Nano
# session, and a token of another dialect sent to Nano's route, stand for the five.
@pytest.mark.parametrize("caller", ["nano", "keystone"])
def test_own_password_change_ends_every_other_credential_but_the_callers(member, caller):
    name, password, _ = member
    own = do_login(caller, name, password)
    others = tokens_everywhere(name, password)
    bystander = do_login("nano")  # the admin's: another user's credentials are untouched
    r = put("/api/v1/users/%s/password/" % name, headers=auth_headers(HEADER[caller], own),
            json={"old": password, "new": "changed-" + password})
    nano_data(r)
    for d, t in others.items():
        assert_revoked(d, t, name)
    assert works(caller, own, name)
    assert credential_count(name) == 1
    assert works_once("nano", bystander, ADMIN_USER)


def test_password_change_by_an_administrator_ends_every_credential_of_the_user(nano_admin,
                                                                             member):
    name, password, _ = member
    tokens = tokens_everywhere(name, password)
    nano_data(nano_admin.put("/users/%s/password/" % name,
                             {"old": password, "new": "reset-" + password}))
    for d, t in tokens.items():
        assert_revoked(d, t, name)
    assert credential_count(name) == 0
    assert works_once("nano", nano_admin.token, ADMIN_USER)
    assert works_once("keystone", do_login("keystone", name, "reset-" + password), name)


def test_log_ins_racing_a_password_change_leave_no_credential_behind(member):
    """Log-ins with the old password run while the password changes: one that checked the old
    password before the change and stores its credential after it must not keep a credential
    the change did not see (issuing holds the user row; db/users.c ends credentials after
    updating it). Bounded: three changes, each raced by four clients logging in until it has
    answered."""
    name, password, _ = member
    own = do_login("nano", name, password)
    for round_ in range(3):
        changed, issued = threading.Event(), []

        def log_in_until_changed(old=password):
            while not changed.is_set():
                r = login_response("waldur", name, old)
                if r.status_code == 200:
                    issued.append(r.json()["token"])

        threads = [threading.Thread(target=log_in_until_changed) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        new = "raced-%d-%s" % (round_, password)
        try:
            nano_data(put("/api/v1/users/%s/password/" % name, headers=auth_headers("nano", own),
                          json={"old": password, "new": new}))
        finally:
            changed.set()
            for t in threads:
                t.join()
        password = new
        assert issued, "no log-in got in before the change"
        assert credential_count(name) == 1, "round %d" % round_
        for t in issued:
            r = keystone_validate(t)
            assert (r.status_code, r.json()) == (401, KEYSTONE_UNAUTH), r.text


def test_refused_password_change_ends_nothing(member):
    name, password, _ = member
    tokens = tokens_everywhere(name, password, remembered=False)
    r = put("/api/v1/users/%s/password/" % name, headers=auth_headers("nano", tokens["nano"]),
            json={"old": "wrong-" + password, "new": "changed-" + password})
    assert r.json()["error_code"] == 500, r.text
    for d, t in tokens.items():
        assert works_once(d, t, name), d
    assert credential_count(name) == len(DIALECTS)


def test_nimbusctl_passwd_ends_every_credential_of_the_user(member):
    name, password, _ = member
    tokens = tokens_everywhere(name, password)
    env = dict(os.environ, NIMBUS_DB=DB, NIMBUS_PASSWORD="ctl-" + password)
    p = subprocess.run([os.path.join(build_dir(), "nimbusctl"), "user", "passwd", name],
                       env=env, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout + p.stderr
    # Another process's commit reaches the workers by notification, a moment after it.
    wait_for(lambda: all(r.json() == NANO_INVALID for r in profile_reads("nano", tokens["nano"],
                                                                         name)),
             timeout=5, interval=0.2, what="every worker to refuse the session")
    for d, t in tokens.items():
        assert_revoked(d, t, name)
    assert credential_count(name) == 0


# ------------------------------------------------------------------ leaving the group

def test_removal_from_the_group_ends_every_credential_of_the_user(nano_admin, scratch, member):
    name, password, group = member
    peer, peer_password = scratch.user(group)
    peer_token = do_login("waldur", peer, peer_password)
    tokens = tokens_everywhere(name, password)
    nano_data(nano_admin.delete("/user_groups/%s/members/%s" % (group, name)))
    for d, t in tokens.items():
        assert_revoked(d, t, name)
    assert credential_count(name) == 0
    assert works_once("waldur", peer_token, peer)


def test_refused_removal_from_a_group_ends_nothing(nano_admin, scratch, member):
    name, password, _ = member
    tokens = tokens_everywhere(name, password, remembered=False)
    r = nano_admin.delete("/user_groups/%s/members/%s" % (scratch.group(), name))
    assert r.json()["error_code"] == 500, r.text
    for d, t in tokens.items():
        assert works_once(d, t, name), d
    assert credential_count(name) == len(DIALECTS)


# ------------------------------------------------------------------ re-issued tokens

def expires_at(token):
    """The credential's expiry, unix seconds, from the database."""
    return float(psql_scalar("SELECT extract(epoch FROM expires_at) FROM credentials WHERE "
                             + token_where(token)))


def iso_seconds(text):
    """2026-11-23T18:00:00.123456Z → unix seconds."""
    whole, _, frac = text.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float("0." + (frac or "0"))


@pytest.mark.parametrize("source", DIALECTS)
def test_reissued_token_never_outlives_its_source(admin, source):
    token = do_login(source)
    # Well short of the 3,600 s a fresh token gets, and of a Nano session's 180 s.
    run_psql("UPDATE credentials SET expires_at = now() + interval '90 seconds' WHERE "
             + token_where(token))
    limit = expires_at(token)
    r = reauthenticate(token)
    assert r.status_code == 200, r.text
    fresh = r.json()["access"]["token"]
    assert fresh["id"] != token
    assert expires_at(fresh["id"]) <= limit
    assert iso_seconds(fresh["expires"]) <= limit + 0.001
    assert iso_seconds(fresh["expires"]) > time.time() + 60


def test_token_reissued_from_a_reissued_token_keeps_the_first_expiry(admin):
    token = do_login("nano")
    limit = expires_at(token)
    for _ in range(3):
        r = reauthenticate(token)
        assert r.status_code == 200, r.text
        token = r.json()["access"]["token"]["id"]
        assert expires_at(token) <= limit


def test_expired_source_is_not_reissued(admin):
    token = do_login("danube")
    run_psql("UPDATE credentials SET expires_at = now() - interval '1 second' WHERE "
             + token_where(token))
    r = reauthenticate(token)
    assert r.status_code == 401, r.text


# ------------------------------------------------------------------ absolute session lifetime

def keep_alive(token):
    return put("/api/v1/sessions/%s" % token, headers=auth_headers("nano", token))


def test_keep_alive_never_extends_a_session_past_its_maximum_age(member):
    name, password, _ = member
    token = do_login("nano", name, password)
    # Logged in SESSION_MAX_AGE - 4 seconds ago: keep-alive may add at most 4 seconds.
    run_psql("UPDATE credentials SET created_at = now() - make_interval(secs => %d) WHERE %s"
             % (SESSION_MAX_AGE - 4, token_where(token)))
    nano_data(keep_alive(token))
    assert expires_at(token) <= time.time() + 4.5
    assert works("nano", token, name)
    wait_for(lambda: time.time() > expires_at(token) + 0.2, timeout=10, what="the cap")
    for r in profile_reads("nano", token, name):
        assert (r.status_code, r.json()) == (200, NANO_INVALID), r.text
    assert keep_alive(token).json() == NANO_INVALID


def test_keep_alive_of_a_young_session_still_adds_the_idle_timeout(member):
    name, password, _ = member
    token = do_login("nano", name, password)
    run_psql("UPDATE credentials SET created_at = now() - make_interval(secs => %d),"
             " expires_at = now() + interval '10 seconds' WHERE %s"
             % (SESSION_MAX_AGE - 600, token_where(token)))
    nano_data(keep_alive(token))
    assert 170 < expires_at(token) - time.time() <= 180
