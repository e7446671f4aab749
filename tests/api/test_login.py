"""Log-in through each of the five dialects, and how each refuses a bad one."""
import pytest

from conftest import (ADMIN_PASSWORD, ADMIN_USER, DIALECTS, HEX32, HEX40, credential_count,
                      do_login, login_response, post, psql_scalar, run_psql, sha256_hex, sql_literal,
                      token_where, user_add)


# ------------------------------------------------------------------ successful log-ins

def test_nano_login_returns_session_with_timeout_group_and_menu(admin):
    r = login_response("nano")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["error_code"] == 0 and body["message"] == ""
    data = body["data"]
    assert HEX40.match(data["session"]), data
    assert data["timeout"] == 180
    assert data["user"] == ADMIN_USER
    assert data["group"] == "admin"
    assert isinstance(data["menu"], list) and data["menu"]
    assert all(isinstance(m, str) for m in data["menu"])
    assert "dashboard" in data["menu"]


def test_waldur_login_returns_token(admin):
    r = login_response("waldur")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["token"]
    assert HEX40.match(body["token"])


def test_astakos_login_returns_keystone_v2_access_document(admin):
    r = login_response("astakos")
    assert r.status_code == 200, r.text
    access = r.json()["access"]
    assert HEX40.match(access["token"]["id"])
    assert access["token"]["expires"]
    assert HEX32.match(access["user"]["id"]), access["user"]
    assert access["user"]["name"] == ADMIN_USER
    assert isinstance(access["serviceCatalog"], list) and access["serviceCatalog"]
    for svc in access["serviceCatalog"]:
        assert svc["type"] and svc["endpoints"][0]["publicURL"].startswith("https://")


def test_keystone_login_returns_201_with_subject_token_header(admin):
    r = login_response("keystone")
    assert r.status_code == 201, r.text
    assert HEX40.match(r.headers["X-Subject-Token"])
    token = r.json()["token"]
    assert token["user"]["name"] == ADMIN_USER
    assert HEX32.match(token["user"]["id"])
    assert token["methods"] == ["password"]
    assert token["expires_at"] and token["issued_at"]


def test_danube_login_returns_token_expiry_and_welcome(admin):
    r = login_response("danube")
    assert r.status_code == 200, r.text
    body = r.json()
    assert HEX40.match(body["token"])
    assert body["expires"]
    assert body["detail"] == "Welcome to Danube Cloud API."


def test_all_dialects_resolve_the_same_user_identity(admin):
    astakos = login_response("astakos").json()["access"]["user"]["id"]
    keystone = login_response("keystone").json()["token"]["user"]["id"]
    uuid = psql_scalar("SELECT replace(uuid::text, '-', '') FROM users WHERE name = %s"
                       % sql_literal(ADMIN_USER))
    assert astakos == keystone == uuid


def test_login_paths_answer_without_trailing_slash_too(admin):
    # The route tables accept both forms; real clients of these APIs use both.
    r = post("/api-auth/password", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
    assert r.status_code == 200, r.text
    assert HEX40.match(r.json()["token"])
    r = post("/api/accounts/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
    assert r.status_code == 200, r.text
    assert HEX40.match(r.json()["token"])


# ------------------------------------------------------------------ credentials

def test_every_credential_is_40_hex_and_unique_per_login(admin):
    tokens = [do_login(d) for d in DIALECTS for _ in range(2)]
    for t in tokens:
        assert HEX40.match(t), t
    assert len(set(tokens)) == len(tokens)


def test_database_stores_only_sha256_of_credentials(admin):
    tokens = {d: do_login(d) for d in DIALECTS}
    dump = "\n".join("\t".join(row) for row in run_psql("SELECT c::text FROM credentials c"))
    for dialect, t in tokens.items():
        assert t not in dump, "raw %s token found in credentials" % dialect
        rows = run_psql("SELECT encode(token_hash, 'hex'), kind FROM credentials WHERE %s"
                        % token_where(t))
        assert rows == [[sha256_hex(t), dialect]]


def test_password_hashes_are_argon2id():
    rows = run_psql("SELECT name, password_hash FROM users")
    assert rows
    for name, h in rows:
        assert h.startswith("$argon2id$"), (name, h[:12])
    admin_hash = psql_scalar("SELECT password_hash FROM users WHERE name = %s"
                             % sql_literal(ADMIN_USER))
    assert ADMIN_PASSWORD not in admin_hash


def test_users_created_by_nimbusctl_can_log_in_everywhere_with_group():
    name, password = user_add("admin")
    for d in DIALECTS:
        assert HEX40.match(do_login(d, name, password))
    assert credential_count(name) == len(DIALECTS)


# ------------------------------------------------------------------ refusals

WRONG_PASSWORD = {
    "nano": (200, {"error_code": 500, "message": "invalid user or password", "data": ""}),
    "waldur": (401, {"detail": "Invalid username/password."}),
    "astakos": (401, {"unauthorized": {"code": 401, "message": "Invalid credentials",
                                       "details": ""}}),
    "keystone": (401, {"error": {"code": 401, "title": "Unauthorized",
                                 "message": "The request you have made requires authentication."}}),
    "danube": (400, {"detail": "Unable to log in with provided credentials."}),
}


@pytest.fixture(scope="module")
def victim():
    """A user that exists, for wrong-password attempts whose credentials we can count."""
    return user_add("admin")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_wrong_password_gets_the_dialects_refusal(dialect, victim):
    name, _ = victim
    before = credential_count(name)
    r = login_response(dialect, name, "not-the-password")
    status, body = WRONG_PASSWORD[dialect]
    assert (r.status_code, r.json()) == (status, body)
    if dialect == "keystone":
        assert r.headers.get("WWW-Authenticate", "").startswith("Keystone uri=")
    if dialect == "waldur":
        assert r.headers.get("WWW-Authenticate") == "Token"
    assert credential_count(name) == before


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_user_is_answered_exactly_like_a_wrong_password(dialect, victim):
    name, _ = victim
    wrong = login_response(dialect, name, "not-the-password")
    unknown = login_response(dialect, "nobody-" + name, "not-the-password")
    assert unknown.status_code == wrong.status_code
    assert unknown.json() == wrong.json()
    assert unknown.headers.get("WWW-Authenticate") == wrong.headers.get("WWW-Authenticate")
    assert (unknown.headers.get("Content-Type") == wrong.headers.get("Content-Type"))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_empty_password_is_refused(dialect, victim):
    name, _ = victim
    before = credential_count(name)
    r = login_response(dialect, name, "")
    assert (r.status_code, r.json()) == WRONG_PASSWORD[dialect]
    assert credential_count(name) == before


def test_inactive_user_cannot_log_in():
    name, password = user_add("admin")
    run_psql("UPDATE users SET active = false WHERE name = %s" % sql_literal(name))
    for d in DIALECTS:
        r = login_response(d, name, password)
        assert (r.status_code, r.json()) == WRONG_PASSWORD[d], d
    assert credential_count(name) == 0
