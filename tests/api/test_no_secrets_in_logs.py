"""No credential or password reaches a log file: every dialect's log-in, then wrong, expired
and malformed tokens on each, then a grep of every log the stack writes for each secret used."""
import glob
import os
import uuid

import pytest

from conftest import (DIALECTS, STATE_DIR, auth_headers, delete, do_login, expire_credential,
                      get, login_response, post, put, user_add)


def secret(prefix):
    """A credential-shaped value nobody else uses, so finding it in a log can only mean leak."""
    return prefix + uuid.uuid4().hex + uuid.uuid4().hex[:8]


def malformed(tag):
    """Tokens of the wrong shape (too short, too long, not hex, with quotes and JSON text, with
    escapes), each with the unique part a leak would show."""
    s = [secret(tag) for _ in range(5)]
    return [(s[0][:24], s[0][:24]), (s[1] * 40, s[1]), ("zz" + s[2], s[2]),
            ('x"},"injected":"' + s[3], s[3]), ("%2F" + s[4] + "%00", s[4])]


def log_text():
    files = glob.glob(os.path.join(STATE_DIR, "log", "**", "*"), recursive=True)
    files = [f for f in files if os.path.isfile(f)]
    assert files, "no log files under %s/log" % STATE_DIR
    text = []
    for f in files:
        with open(f, "rb") as fh:
            text.append((f, fh.read().decode("utf-8", "replace")))
    return text


def use_token(dialect, token):
    """Present token where the dialect reads one: its header on a route that needs a user, and
    for the token-checking endpoints the token as their subject as well."""
    if dialect == "nano":
        get("/api/v1/sessions/" + token, headers=auth_headers("nano", token))
        put("/api/v1/sessions/" + token, headers=auth_headers("nano", token))
        get("/api/v1/roles/", headers=auth_headers("nano", token))
    elif dialect == "waldur":
        get("/api/projects/", headers=auth_headers("token", token))
        get("/api/v1/roles/", headers=auth_headers("token", token))
    elif dialect == "astakos":
        post("/identity/v2.0/tokens", json={"auth": {"token": {"id": token}}})
        get("/api/v1/roles/", headers=auth_headers("x-auth", token))
    elif dialect == "keystone":
        get("/v3/auth/tokens", headers=dict(auth_headers("x-auth", token), **{
            "X-Subject-Token": token}))
        get("/v3/auth/tokens", headers=dict(auth_headers("bearer", token), **{
            "X-Subject-Token": token}))
    else:
        get("/api/accounts/logout/", headers=auth_headers("token", token))


def use_subject(dialect, live, token):
    """A live credential asking about another token, where the dialect can be asked that."""
    if dialect == "nano":
        get("/api/v1/sessions/" + token, headers=auth_headers("nano", live))
        delete("/api/v1/sessions/" + token, headers=auth_headers("nano", live))
    elif dialect == "keystone":
        get("/v3/auth/tokens", headers=dict(auth_headers("x-auth", live), **{
            "X-Subject-Token": token}))
        delete("/v3/auth/tokens", headers=dict(auth_headers("x-auth", live), **{
            "X-Subject-Token": token}))


@pytest.fixture(scope="module")
def account():
    """A fresh user whose password is used only by this test."""
    return user_add("admin", password=secret("pw-"))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_no_token_or_password_of_any_dialect_reaches_the_logs(dialect, account):
    name, password = account
    wrong = secret("wrong-pw-")
    used = {"password": password, "wrong password": wrong}

    token = do_login(dialect, name, password)
    used["token"] = token
    login_response(dialect, name, wrong)
    login_response(dialect, secret("nouser-"), wrong)
    use_token(dialect, token)

    unknown = secret("")[:40]
    used["unknown token"] = unknown
    use_token(dialect, unknown)
    use_subject(dialect, token, unknown)

    expired = do_login(dialect, name, password)
    used["expired token"] = expired
    expire_credential(expired)
    use_token(dialect, expired)
    use_subject(dialect, token, expired)

    for i, (bad, needle) in enumerate(malformed("m")):
        used["malformed token %d" % i] = needle
        use_token(dialect, bad)
        use_subject(dialect, token, bad)

    if dialect == "nano":
        delete("/api/v1/sessions/" + token, headers=auth_headers("nano", token))
    elif dialect == "keystone":
        delete("/v3/auth/tokens", headers=dict(auth_headers("x-auth", token), **{
            "X-Subject-Token": token}))
    elif dialect == "danube":
        get("/api/accounts/logout/", headers=auth_headers("token", token))

    logs = log_text()
    # The requests above were logged (under the user's name), so the grep below means something.
    assert any(name in text for path, text in logs if path.endswith("nimbus-api.log"))
    leaks = []
    for path, text in logs:
        for what, value in used.items():
            if value in text:
                leaks.append("%s: %s" % (os.path.relpath(path, STATE_DIR), what))
    assert not leaks, "secrets found in logs: %s" % ", ".join(sorted(set(leaks)))
