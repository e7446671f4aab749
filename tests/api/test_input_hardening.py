"""Input the dispatcher must refuse before any handler runs, and answers a client must not be
able to steer (issue 13, item 8): NUL in JSON strings and keys, bodies that are not objects,
Nano callers outside every user group whatever log-in issued their credential, and absolute
URLs built from the configured public address, never from the client's Host header."""
import json
import os
import signal
import subprocess
import tempfile

import pytest

from conftest import (ADMIN_PASSWORD, ADMIN_USER, BASE_URL, DIALECTS, GIB, LOGIN, MIB,
                      build_dir, credential_count, do_login, get, nano_data, nano_message, post,
                      put, request, run_psql, sql_literal, unique_name, user_row)

PUBLIC_URL = (os.environ.get("NIMBUS_PUBLIC_URL") or BASE_URL).rstrip("/")
NUL_REFUSED = "JSON parse error - strings and keys may not contain NUL (\\u0000)"
EVIL_HOST = {"Host": "evil.example"}


def dialect_message(dialect, r):
    """The message of a refused call in the dialect's own error shape (asserting the shape)."""
    body = r.json()
    if dialect == "nano":
        assert r.status_code == 200, r.text
        return nano_message(r)
    assert r.status_code == 400, r.text
    if dialect in ("waldur", "danube"):
        assert set(body) == {"detail"} and isinstance(body["detail"], str), r.text
        return body["detail"]
    if dialect == "astakos":
        assert set(body) == {"badRequest"} and body["badRequest"]["code"] == 400, r.text
        return body["badRequest"]["message"]
    assert set(body) == {"error"} and body["error"]["code"] == 400, r.text  # keystone
    return body["error"]["message"]


def raw_login(dialect, text):
    return post(LOGIN[dialect][0], data=text, headers={"Content-Type": "application/json"})


def guest_rows_like(prefix):
    return run_psql("SELECT id, name FROM guests WHERE name LIKE %s" % sql_literal(prefix + "%"))


def remove_guests(s, rows):
    """Only on a build without the fix: take away what the refused create made anyway."""
    for gid, _ in rows:
        s.delete("/guests/%s" % gid, {"force": True})


def guest_spec(**over):
    body = {"name": unique_name("vm"), "pool": "default", "cores": 1, "memory": 64 * MIB,
            "disks": [GIB], "template": "linux-default", "auto_start": False}
    body.update(over)
    return body


# ------------------------------------------------------------------ NUL in strings and keys

def test_nano_guest_create_with_nul_in_the_name_is_refused_and_creates_nothing(s):
    prefix = unique_name("vm")
    r = s.post("/guests/", guest_spec(name=prefix + "\u0000b"))
    rows = guest_rows_like(prefix)
    remove_guests(s, rows)
    assert rows == [], "a guest was created from the truncated name: %r" % rows
    assert nano_message(r) == NUL_REFUSED


def test_nano_guest_create_with_nul_in_a_nested_key_is_refused_and_creates_nothing(s):
    body = guest_spec(qos={"cpu_priority\u0000x": "high"})
    r = s.post("/guests/", body)
    rows = guest_rows_like(body["name"])
    remove_guests(s, rows)
    assert rows == [], "a guest was created with the truncated key: %r" % rows
    assert nano_message(r) == NUL_REFUSED


def test_nano_role_create_with_nul_in_a_menu_item_is_refused(s, scratch):
    """Nested arrays too: a role's menu is a list of strings."""
    name = unique_name("r")
    scratch.adopt("role", name)
    r = s.post("/roles/%s" % name, {"menu": ["dashboard", "log\u0000"]})
    assert nano_message(r) == NUL_REFUSED
    assert run_psql("SELECT 1 FROM roles WHERE name = %s" % sql_literal(name)) == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_log_in_as_admin_with_nul_after_the_name_is_refused(dialect, admin):
    """A C string of "admin\\u0000x" is "admin": with the admin's password it logged in."""
    before = credential_count(ADMIN_USER)
    body = LOGIN[dialect][1](ADMIN_USER + "\u0000x", ADMIN_PASSWORD)
    r = raw_login(dialect, json.dumps(body))
    assert dialect_message(dialect, r) == NUL_REFUSED
    assert credential_count(ADMIN_USER) == before


# ------------------------------------------------------------------ bodies that are not objects

KINDS = [("null", "null"), ("123", "a number"), ("-1.5", "a number"), ('"str"', "a string"),
         ("[]", "an array"), ("true", "a boolean")]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("text, kind", KINDS, ids=[k[0] for k in KINDS])
def test_non_object_body_is_refused_saying_what_it_is(dialect, text, kind, admin):
    before = credential_count(ADMIN_USER)
    r = raw_login(dialect, text)
    assert dialect_message(dialect, r) == "The body must be a JSON object, not %s." % kind
    assert credential_count(ADMIN_USER) == before


def test_non_object_body_to_an_authenticated_nano_route_says_what_it_is(s):
    name = unique_name("r")
    assert s.fail("POST", "/roles/%s" % name, raw="123") == \
        "The body must be a JSON object, not a number."
    assert run_psql("SELECT 1 FROM roles WHERE name = %s" % sql_literal(name)) == []


def test_truncated_body_is_still_an_unexpected_end_of_input(admin):
    r = raw_login("waldur", '{"username": "x"')
    assert dialect_message("waldur", r) == "JSON parse error - unexpected end of input"


# ------------------------------------------------------------------ Nano callers need a group

OTHER_LOGINS = ("waldur", "astakos", "keystone", "danube")


def no_group(name):
    return "user %s belongs to no user group" % name


@pytest.mark.parametrize("dialect", OTHER_LOGINS)
def test_user_without_group_is_refused_by_nano_with_another_dialects_token(dialect, s, scratch):
    name, password = scratch.user()
    token = do_login(dialect, name, password)
    h = {"Nano-Session": token}
    before = user_row(name)
    # the log-in's own words, on reads, on writes and on the caller's own session
    assert nano_message(get("/api/v1/users/%s" % name, headers=h)) == no_group(name)
    assert nano_message(get("/api/v1/templates/", headers=h)) == no_group(name)
    assert nano_message(get("/api/v1/sessions/%s" % token, headers=h)) == no_group(name)
    r = put("/api/v1/users/%s/password/" % name, headers=h,
            json={"old": password, "new": "changed-password"})
    assert nano_message(r) == no_group(name)
    r = request("POST", "/api/v1/guests/", headers=h, json=guest_spec())
    assert nano_message(r) == no_group(name)
    assert user_row(name) == before
    # once in a group, the same credential works
    group = scratch.group()
    nano_data(s.post("/user_groups/%s/members/%s" % (group, name)))
    data = nano_data(get("/api/v1/sessions/%s" % token, headers=h))
    assert (data["user"], data["group"]) == (name, group)
    assert set(nano_data(get("/api/v1/users/%s" % name, headers=h))) == {"nick", "mail"}


def test_nano_log_in_refuses_a_user_without_group_in_the_same_words(scratch):
    name, password = scratch.user()
    r = post(LOGIN["nano"][0], json=LOGIN["nano"][1](name, password))
    assert nano_message(r) == no_group(name)
    assert credential_count(name) == 0


def test_user_without_group_keeps_using_the_dialects_without_groups(scratch):
    name, password = scratch.user()
    token = do_login("keystone", name, password)
    r = get("/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert r.status_code == 200, r.text
    assert r.json()["token"]["user"]["name"] == name
    danube = do_login("danube", name, password)
    r = get("/api/accounts/logout/", headers={"Authorization": "Token " + danube})
    assert (r.status_code, r.json()) == (200, {"detail": "Bye."})


# ------------------------------------------------------------------ absolute URLs

def urls_in(value):
    """Every string in a JSON value that looks like an absolute URL."""
    if isinstance(value, dict):
        return [u for v in value.values() for u in urls_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in urls_in(v)]
    if isinstance(value, str) and "://" in value:
        return [value]
    return []


def test_astakos_log_in_builds_urls_from_the_public_address_not_the_host_header(admin):
    body = LOGIN["astakos"][1](ADMIN_USER, ADMIN_PASSWORD)
    r = post(LOGIN["astakos"][0], json=body, headers=EVIL_HOST)
    assert r.status_code == 200, r.text
    urls = urls_in(r.json())
    assert sorted(urls) == [PUBLIC_URL + "/account/v1.0", PUBLIC_URL + "/identity/v2.0"], urls
    assert "evil.example" not in r.text


def test_astakos_reauthentication_builds_urls_from_the_public_address(admin):
    token = do_login("astakos")
    r = post("/identity/v2.0/tokens", json={"auth": {"token": {"id": token}}}, headers=EVIL_HOST)
    assert r.status_code == 200, r.text
    urls = urls_in(r.json())
    assert urls and all(u.startswith(PUBLIC_URL + "/") for u in urls), urls


def test_keystone_www_authenticate_names_the_public_address_not_the_host_header():
    r = get("/v3/auth/tokens", headers=EVIL_HOST)
    assert r.status_code == 401, r.text
    assert r.headers["WWW-Authenticate"] == 'Keystone uri="%s/v3"' % PUBLIC_URL


@pytest.mark.parametrize("bad", ["ftp://example.org", "https://", 'https://a"b', "https://a b",
                                 "evil.example"])
def test_nimbus_api_refuses_to_start_with_a_bad_public_url(bad):
    """It goes into headers: a quote or a space would let the setting break them."""
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, NIMBUS_PUBLIC_URL=bad, NIMBUS_STATE_DIR=d, NIMBUS_WORKERS="1",
                   NIMBUS_FCGI_LISTEN=os.path.join(d, "api.sock"))
        p = subprocess.Popen([os.path.join(build_dir(), "nimbus-api")], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
        try:
            out, _ = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise AssertionError("nimbus-api started with NIMBUS_PUBLIC_URL=%r" % bad)
    assert p.returncode == 1, out
    assert "NIMBUS_PUBLIC_URL" in out, out


# ------------------------------------------------------------------ query strings

def test_nano_query_value_with_nul_is_refused_not_cut(s, scratch):
    """C strings end at a NUL: "<group>%00x" must not read as the group."""
    group = scratch.group([])
    r = s.get("/user_search/?group=%s%%00x" % group)
    assert r.status_code == 200 and r.json()["error_code"] == 500, r.text
    assert nano_message(r) == "group: This parameter may not contain NUL."


def test_nano_repeated_query_parameter_is_refused(s):
    assert s.fail("GET", "/guest_search/?limit=1&limit=1000") == \
        "limit: This parameter may be given only once."


def test_nano_undeclared_query_parameters_are_ignored(s):
    assert nano_data(s.get("/guest_search/?no_such_filter=1&limit=1")) is not None
