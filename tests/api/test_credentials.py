"""Credentials across dialects: one token, any dialect's header; keep-alive, log-out,
expiry, missing credentials and tenancy."""
from conftest import (ADMIN_USER, HEX40, auth_headers, credential_count, delete, do_login,
                      expire_credential, get, login_response, post, psql_scalar, put, run_psql,
                      token_where)

NANO_INVALID = {"error_code": 500, "message": "invalid session", "data": ""}
NANO_UNAUTH = {"error_code": 500, "message": "unauthenticated request", "data": ""}
KEYSTONE_UNAUTH = {"error": {"code": 401, "title": "Unauthorized",
                             "message": "The request you have made requires authentication."}}


def nano_no_group(user):
    """Nano's answer to a user outside every user group, whichever log-in issued the token."""
    return {"error_code": 500, "message": "user %s belongs to no user group" % user, "data": ""}


def nano_session(token, as_token=None):
    """GET /api/v1/sessions/{token} with as_token (default: token) in Nano-Session."""
    return get("/api/v1/sessions/" + token, headers=auth_headers("nano", as_token or token))


def assert_nano_user(r, user):
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["error_code"] == 0, body
    assert body["data"]["user"] == user


def keystone_validate(auth, subject, style="x-auth"):
    h = auth_headers(style, auth)
    h["X-Subject-Token"] = subject
    return get("/v3/auth/tokens", headers=h)


def danube_logout(token, style="token"):
    return get("/api/accounts/logout/", headers=auth_headers(style, token))


# ------------------------------------------------------------------ cross-dialect acceptance

def test_waldur_token_is_a_nano_session_of_the_admin(admin):
    token = do_login("waldur")
    assert_nano_user(nano_session(token), ADMIN_USER)


def test_keystone_token_is_a_nano_session(admin):
    token = do_login("keystone")
    assert_nano_user(nano_session(token), ADMIN_USER)


def test_astakos_and_danube_tokens_are_nano_sessions(admin):
    for dialect in ("astakos", "danube"):
        assert_nano_user(nano_session(do_login(dialect)), ADMIN_USER)


def test_nano_session_reads_itself_with_user_group_and_menu(admin):
    token = do_login("nano")
    r = nano_session(token)
    assert_nano_user(r, ADMIN_USER)
    data = r.json()["data"]
    assert data["group"] == "admin"
    assert isinstance(data["menu"], list) and data["menu"]


def test_nano_session_as_x_auth_token_validates_a_keystone_subject(admin):
    session = do_login("nano")
    subject = do_login("keystone")
    r = keystone_validate(session, subject)
    assert r.status_code == 200, r.text
    assert r.headers["X-Subject-Token"] == subject
    assert r.json()["token"]["user"]["name"] == ADMIN_USER


def test_nano_session_validates_itself_via_keystone(admin):
    session = do_login("nano")
    r = keystone_validate(session, session)
    assert r.status_code == 200, r.text
    assert r.json()["token"]["user"]["name"] == ADMIN_USER


def test_bearer_header_is_accepted(admin):
    token = do_login("astakos")
    r = keystone_validate(token, token, style="bearer")
    assert r.status_code == 200, r.text
    assert r.json()["token"]["user"]["name"] == ADMIN_USER
    assert_nano_user(get("/api/v1/sessions/" + token, headers=auth_headers("bearer", token)),
                     ADMIN_USER)


def test_authorization_token_header_is_accepted_by_nano(admin):
    token = do_login("danube")
    assert_nano_user(get("/api/v1/sessions/" + token, headers=auth_headers("token", token)),
                     ADMIN_USER)


def test_astakos_token_reauthenticates_to_a_fresh_token(admin):
    token = do_login("astakos")
    r = post("/identity/v2.0/tokens", json={"auth": {"token": {"id": token}}})
    assert r.status_code == 200, r.text
    fresh = r.json()["access"]["token"]["id"]
    assert HEX40.match(fresh) and fresh != token
    assert r.json()["access"]["user"]["name"] == ADMIN_USER


def test_nano_session_logs_out_via_danube(admin):
    session = do_login("nano")
    r = danube_logout(session)
    assert (r.status_code, r.json()) == (200, {"detail": "Bye."})
    r = nano_session(session)
    assert (r.status_code, r.json()) == (200, NANO_INVALID)


# ------------------------------------------------------------------ keep-alive and log-out

def expires_in(token):
    """Seconds until the credential expires, from the database."""
    return float(psql_scalar("SELECT extract(epoch FROM expires_at - now()) FROM credentials"
                             " WHERE " + token_where(token)))


def test_nano_keep_alive_extends_the_session(admin):
    session = do_login("nano")
    assert 170 < expires_in(session) <= 180
    run_psql("UPDATE credentials SET expires_at = now() + interval '20 seconds' WHERE "
             + token_where(session))
    before = expires_in(session)
    assert before <= 20
    r = put("/api/v1/sessions/" + session, headers=auth_headers("nano", session))
    assert r.status_code == 200, r.text
    assert r.json()["error_code"] == 0, r.json()
    after = expires_in(session)
    assert after > before + 100
    assert 170 < after <= 180


def test_nano_keep_alive_of_an_expired_session_fails(admin):
    keeper = do_login("nano")
    session = do_login("nano")
    expire_credential(session)
    r = put("/api/v1/sessions/" + session, headers=auth_headers("nano", keeper))
    assert (r.status_code, r.json()) == (200, NANO_INVALID)
    assert expires_in(session) < 0


def test_nano_delete_session_logs_out(admin):
    session = do_login("nano")
    r = delete("/api/v1/sessions/" + session, headers=auth_headers("nano", session))
    assert r.status_code == 200, r.text
    assert r.json()["error_code"] == 0, r.json()
    assert psql_scalar("SELECT count(*) FROM credentials WHERE " + token_where(session)) == "0"
    r = nano_session(session)
    assert (r.status_code, r.json()) == (200, NANO_INVALID)
    r = put("/api/v1/sessions/" + session, headers=auth_headers("nano", session))
    assert (r.status_code, r.json()) == (200, NANO_INVALID)


def test_danube_logout_says_bye_and_the_token_stops_working(admin):
    token = do_login("danube")
    r = danube_logout(token)
    assert (r.status_code, r.json()) == (200, {"detail": "Bye."})
    r = danube_logout(token)
    assert (r.status_code, r.json()) == (403, {"detail": "Invalid token."})
    r = nano_session(token)
    assert (r.status_code, r.json()) == (200, NANO_INVALID)


def test_keystone_delete_revokes_the_subject_token(admin):
    auth = do_login("keystone")
    subject = do_login("keystone")
    h = auth_headers("x-auth", auth)
    h["X-Subject-Token"] = subject
    r = delete("/v3/auth/tokens", headers=h)
    assert r.status_code == 204, r.text
    assert r.content == b""
    r = keystone_validate(subject, subject)
    assert (r.status_code, r.json()) == (401, KEYSTONE_UNAUTH)
    r = keystone_validate(auth, subject)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == 404
    # the caller's own token is untouched
    assert keystone_validate(auth, auth).status_code == 200


def test_keystone_validate_without_subject_is_404(admin):
    auth = do_login("keystone")
    r = get("/v3/auth/tokens", headers=auth_headers("x-auth", auth))
    assert r.status_code == 404, r.text
    assert r.json()["error"]["title"] == "Not Found"


# ------------------------------------------------------------------ expired credentials

def test_expired_credential_is_an_invalid_nano_session(admin):
    token = do_login("nano")
    expire_credential(token)
    r = nano_session(token)
    assert (r.status_code, r.json()) == (200, NANO_INVALID)


def test_expired_credential_is_an_invalid_danube_token(admin):
    token = do_login("danube")
    expire_credential(token)
    r = danube_logout(token)
    assert (r.status_code, r.json()) == (403, {"detail": "Invalid token."})


def test_expired_credential_is_refused_by_keystone(admin):
    token = do_login("keystone")
    expire_credential(token)
    r = keystone_validate(token, token)
    assert (r.status_code, r.json()) == (401, KEYSTONE_UNAUTH)
    assert r.headers.get("WWW-Authenticate", "").startswith("Keystone uri=")


def test_expired_credential_cannot_reauthenticate_via_astakos(admin):
    token = do_login("astakos")
    expire_credential(token)
    r = post("/identity/v2.0/tokens", json={"auth": {"token": {"id": token}}})
    assert r.status_code == 401, r.text
    assert r.json()["unauthorized"]["code"] == 401


def test_unknown_credential_is_refused_like_an_expired_one(admin):
    bogus = "0" * 40
    assert (nano_session(bogus).status_code, nano_session(bogus).json()) == (200, NANO_INVALID)
    r = danube_logout(bogus)
    assert (r.status_code, r.json()) == (403, {"detail": "Invalid token."})
    r = keystone_validate(bogus, bogus)
    assert (r.status_code, r.json()) == (401, KEYSTONE_UNAUTH)


# ------------------------------------------------------------------ missing credentials

def test_missing_credential_is_an_unauthenticated_nano_request():
    r = get("/api/v1/sessions/" + "0" * 40)
    assert (r.status_code, r.json()) == (200, NANO_UNAUTH)


def test_missing_credential_is_refused_by_danube():
    r = get("/api/accounts/logout/")
    assert (r.status_code, r.json()) == (403, {"detail":
                                               "Authentication credentials were not provided."})


def test_missing_credential_is_refused_by_keystone():
    r = get("/v3/auth/tokens")
    assert (r.status_code, r.json()) == (401, KEYSTONE_UNAUTH)


def test_unknown_authorization_scheme_counts_as_no_credential(admin):
    token = do_login("danube")
    r = get("/api/accounts/logout/", headers={"Authorization": "Basic " + token})
    assert (r.status_code, r.json()) == (403, {"detail":
                                               "Authentication credentials were not provided."})


# ------------------------------------------------------------------ plain users and tenancy

def test_plain_user_cannot_log_in_via_nano(plain_user):
    name, password = plain_user
    r = login_response("nano", name, password)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["error_code"] == 500 and body["data"] == ""
    assert body["message"]
    assert credential_count(name) == 0


def test_plain_user_can_log_in_via_waldur(plain_user):
    name, password = plain_user
    token = do_login("waldur", name, password)
    assert HEX40.match(token)
    # ... but the token does not open Nano, which refuses users outside every group (issue 13)
    r = nano_session(token)
    assert (r.status_code, r.json()) == (200, nano_no_group(name))


def test_plain_user_cannot_read_the_admins_session(admin, plain_user):
    name, password = plain_user
    mine = do_login("waldur", name, password)
    admins = do_login("nano")
    r = nano_session(admins, as_token=mine)
    assert (r.status_code, r.json()) == (200, nano_no_group(name))
    # nor keep it alive, nor log it out
    r = put("/api/v1/sessions/" + admins, headers=auth_headers("nano", mine))
    assert (r.status_code, r.json()) == (200, nano_no_group(name))
    r = delete("/api/v1/sessions/" + admins, headers=auth_headers("nano", mine))
    assert (r.status_code, r.json()) == (200, nano_no_group(name))
    # the admin's session survived
    assert_nano_user(nano_session(admins), ADMIN_USER)


def test_plain_user_cannot_validate_or_revoke_the_admins_keystone_token(admin, plain_user):
    name, password = plain_user
    mine = do_login("keystone", name, password)
    admins = do_login("keystone")
    r = keystone_validate(mine, admins)
    assert r.status_code == 404, r.text
    h = auth_headers("x-auth", mine)
    h["X-Subject-Token"] = admins
    assert delete("/v3/auth/tokens", headers=h).status_code == 404
    assert keystone_validate(admins, admins).status_code == 200


def test_admin_can_read_another_users_session(admin, plain_user):
    name, password = plain_user
    theirs = do_login("waldur", name, password)
    assert_nano_user(nano_session(theirs, as_token=do_login("nano")), name)
