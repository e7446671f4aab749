"""Errors in each dialect's own shape: unknown paths, wrong methods, bad bodies; request ids,
/healthz and /metrics."""
import json
import os
import re
import time
import uuid

import pytest
import requests

from conftest import (DIALECTS, LOGIN, STATE_DIR, credential_count, get, post, request,
                      user_add)


# ------------------------------------------------------------------ shape checks

def is_nano_error(body):
    return (set(body) == {"error_code", "message", "data"} and body["error_code"] == 500
            and isinstance(body["message"], str) and body["message"] and body["data"] == "")


def is_drf_detail(body):
    return set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]


def is_astakos_fault(body, name, code):
    return (set(body) == {name} and set(body[name]) == {"code", "message", "details"}
            and body[name]["code"] == code and body[name]["message"])


def is_keystone_error(body, code):
    e = body.get("error")
    return (set(body) == {"error"} and isinstance(e, dict) and e.get("code") == code
            and e.get("title") and e.get("message"))


def is_trs_error(body):
    e = body.get("error")
    return (set(body) == {"error"} and isinstance(e, dict)
            and set(e) == {"code", "message", "data"} and isinstance(e["code"], int))


# ------------------------------------------------------------------ unknown paths → 404

def test_unknown_nano_path_is_404_in_the_nano_envelope():
    r = get("/api/v1/nope")
    assert r.status_code == 404, r.text
    assert r.json() == {"error_code": 500, "message": "Not found.", "data": ""}


def test_unknown_waldur_path_is_404_detail():
    r = get("/api/projects/nope/")
    assert (r.status_code, r.json()) == (404, {"detail": "Not found."})


def test_unknown_astakos_path_is_404_item_not_found():
    r = get("/account/v1.0/nope")
    assert r.status_code == 404, r.text
    assert is_astakos_fault(r.json(), "itemNotFound", 404), r.text


def test_unknown_trs_path_is_404_with_trs_error():
    r = get("/v1/nope")
    assert r.status_code == 404, r.text
    assert is_trs_error(r.json()), r.text


def test_unknown_keystone_path_is_404_with_keystone_error():
    r = get("/v3/nope")
    assert r.status_code == 404, r.text
    assert is_keystone_error(r.json(), 404), r.text


def test_unknown_danube_path_is_404_detail():
    r = get("/api/vm/nope/")
    assert (r.status_code, r.json()) == (404, {"detail": "Not found."})


def test_path_outside_every_mount_is_404():
    r = get("/nope")
    assert r.status_code == 404, r.text
    assert r.headers["Content-Type"].startswith("application/json")


# ------------------------------------------------------------------ wrong method → 405

def test_wrong_method_on_nano_is_405_in_the_envelope_with_allow():
    r = request("PATCH", "/api/v1/sessions/")
    assert r.status_code == 405, r.text
    assert is_nano_error(r.json()), r.text
    assert r.headers["Allow"] == "POST"


def test_wrong_method_on_waldur_is_405_detail_with_allow():
    r = get("/api-auth/password/")
    assert (r.status_code, r.json()) == (405, {"detail": 'Method "GET" not allowed.'})
    assert r.headers["Allow"] == "POST"


def test_wrong_method_on_astakos_is_405_not_allowed_with_allow():
    r = get("/identity/v2.0/tokens")
    assert r.status_code == 405, r.text
    assert is_astakos_fault(r.json(), "notAllowed", 405), r.text
    assert r.headers["Allow"] == "POST"


def test_wrong_method_on_keystone_is_405_with_allow():
    r = request("PUT", "/v3/auth/tokens")
    assert r.status_code == 405, r.text
    assert is_keystone_error(r.json(), 405), r.text
    assert set(r.headers["Allow"].split(", ")) == {"GET", "POST", "DELETE"}


def test_wrong_method_on_danube_is_405_detail_with_allow():
    r = get("/api/accounts/login/")
    assert (r.status_code, r.json()) == (405, {"detail": 'Method "GET" not allowed.'})
    assert r.headers["Allow"] == "POST"


def test_wrong_method_on_healthz_is_405_with_allow():
    r = post("/healthz")
    assert r.status_code == 405, r.text
    assert r.headers["Allow"] == "GET"


NOT_ALLOWED_SHAPE = {
    "nano": is_nano_error,
    "waldur": lambda b: b == {"detail": 'Method "FROB" not allowed.'},
    "astakos": lambda b: is_astakos_fault(b, "notAllowed", 405),
    "keystone": lambda b: is_keystone_error(b, 405),
    "danube": lambda b: b == {"detail": 'Method "FROB" not allowed.'},
}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unimplemented_method_is_405_in_shape_with_allow(dialect):
    # A method the server implements nowhere is still "not allowed" on a known path.
    r = request("FROB", LOGIN[dialect][0])
    assert r.status_code == 405, r.text
    assert NOT_ALLOWED_SHAPE[dialect](r.json()), r.text
    assert "POST" in r.headers.get("Allow", ""), r.headers


# ------------------------------------------------------------------ bad log-in bodies

@pytest.fixture(scope="module")
def victim():
    """An existing user whose credential rows we count around each bad log-in."""
    return user_add("admin")


def raw_login(dialect, data, content_type="application/json"):
    return post(LOGIN[dialect][0], data=data, headers={"Content-Type": content_type})


def body_for(dialect, name, password="whatever-password"):
    return json.dumps(LOGIN[dialect][1](name, password))


class NoNewCredential:
    """Asserts that no credential was issued to the user during the block."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.before = credential_count(self.name)
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            assert credential_count(self.name) == self.before, "a credential was issued"


def truncated(dialect, name, victim_password):
    return body_for(dialect, name, victim_password)[:-3]


def test_malformed_json_to_nano_is_an_error_envelope(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("nano", truncated("nano", name, pw))
    assert r.status_code == 200, r.text
    assert is_nano_error(r.json()), r.text
    assert r.json()["message"].startswith("JSON parse error")


def test_malformed_json_to_waldur_is_400_parse_error(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("waldur", truncated("waldur", name, pw))
    assert r.status_code == 400, r.text
    assert is_drf_detail(r.json()), r.text
    assert r.json()["detail"].startswith("JSON parse error - ")


def test_malformed_json_to_astakos_is_400_bad_request(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("astakos", truncated("astakos", name, pw))
    assert r.status_code == 400, r.text
    assert is_astakos_fault(r.json(), "badRequest", 400), r.text


def test_malformed_json_to_keystone_is_400(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("keystone", truncated("keystone", name, pw))
    assert r.status_code == 400, r.text
    assert is_keystone_error(r.json(), 400), r.text


def test_malformed_json_to_danube_is_400_detail(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("danube", truncated("danube", name, pw))
    assert r.status_code == 400, r.text
    assert is_drf_detail(r.json()), r.text
    assert r.json()["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_trailing_garbage_after_json_is_malformed(dialect, victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login(dialect, body_for(dialect, name, pw) + " x")
    assert r.status_code in (200, 400), r.text
    assert "JSON parse error" in r.text


@pytest.mark.parametrize("dialect", DIALECTS)
def test_non_object_json_body_is_refused(dialect, victim):
    name, _ = victim
    with NoNewCredential(name):
        r = raw_login(dialect, json.dumps([name]))
    if dialect == "nano":
        assert r.status_code == 200 and is_nano_error(r.json()), r.text
    else:
        assert r.status_code == 400, r.text


def test_wrong_content_type_to_waldur_is_415(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("waldur", body_for("waldur", name, pw), "text/plain")
    assert (r.status_code, r.json()) == (415, {"detail":
                                               'Unsupported media type "text/plain" in request.'})


def test_wrong_content_type_to_danube_is_415(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("danube", body_for("danube", name, pw), "text/plain")
    assert r.status_code == 415, r.text
    assert is_drf_detail(r.json()), r.text


def test_wrong_content_type_to_astakos_is_400_bad_request(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("astakos", body_for("astakos", name, pw), "text/plain")
    assert r.status_code == 400, r.text
    assert is_astakos_fault(r.json(), "badRequest", 400), r.text


def test_wrong_content_type_to_nano_is_an_error_envelope(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = raw_login("nano", body_for("nano", name, pw), "text/plain")
    assert r.status_code == 200, r.text
    assert is_nano_error(r.json()), r.text


def test_json_content_type_with_charset_is_accepted(admin):
    r = raw_login("waldur", body_for("waldur", *admin), "application/json; charset=utf-8")
    assert r.status_code == 200, r.text
    assert "token" in r.json()


# Bodies between the application's limit (512 KiB) and nginx's (1 MiB): refused in shape.
BIG = 600 * 1000

TOO_LARGE_SHAPE = {
    "nano": is_nano_error,
    "waldur": is_drf_detail,
    "astakos": lambda b: is_astakos_fault(b, "overLimit", 413),
    "keystone": lambda b: is_keystone_error(b, 413),
    "danube": is_drf_detail,
}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_body_over_512_kib_is_413_in_the_dialects_shape(dialect, victim):
    name, _ = victim
    with NoNewCredential(name):
        r = raw_login(dialect, body_for(dialect, name, "p" * BIG))
    assert r.status_code == 413, r.text[:300]
    assert TOO_LARGE_SHAPE[dialect](r.json()), r.text[:300]


def test_body_over_the_nginx_limit_is_413():
    data = json.dumps({"username": "x", "password": "p" * (3 * 1000 * 1000)})
    try:
        r = raw_login("waldur", data)
    except requests.ConnectionError as e:  # nginx may answer and close before reading it all
        pytest.fail("connection error instead of 413: %s" % e)
    assert r.status_code == 413


def test_missing_username_to_waldur_is_400_field_required(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = post("/api-auth/password/", json={"password": pw})
    assert (r.status_code, r.json()) == (400, {"username": ["This field is required."]})


def test_missing_username_to_danube_is_400_field_required_in_detail(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = post("/api/accounts/login/", json={"password": pw})
    assert (r.status_code, r.json()) == (400, {"detail": {"username": ["This field is required."]}})


def test_missing_password_to_nano_is_an_error_naming_the_field(victim):
    name, _ = victim
    with NoNewCredential(name):
        r = post("/api/v1/sessions/", json={"user": name})
    assert r.status_code == 200, r.text
    assert is_nano_error(r.json()), r.text
    assert "password" in r.json()["message"]


def test_missing_password_credentials_fields_to_astakos_is_400(victim):
    name, _ = victim
    with NoNewCredential(name):
        r = post("/identity/v2.0/tokens",
                 json={"auth": {"passwordCredentials": {"username": name}}})
    assert r.status_code == 400, r.text
    assert is_astakos_fault(r.json(), "badRequest", 400), r.text
    assert "password" in r.json()["badRequest"]["message"]


def test_missing_identity_to_keystone_is_400(victim):
    name, _ = victim
    with NoNewCredential(name):
        r = post("/v3/auth/tokens", json={"auth": {}})
    assert r.status_code == 400, r.text
    assert is_keystone_error(r.json(), 400), r.text


def test_empty_body_to_a_login_is_refused(victim):
    r = post("/api-auth/password/")
    assert r.status_code == 400, r.text
    assert "This field is required." in json.dumps(r.json())


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_field_is_refused(dialect, victim):
    name, pw = victim
    body = json.loads(body_for(dialect, name, pw))
    body["bogus_field"] = 1
    with NoNewCredential(name):
        r = raw_login(dialect, json.dumps(body))
    assert "bogus_field" in r.text, r.text
    if dialect == "nano":
        assert r.status_code == 200 and is_nano_error(r.json()), r.text
    else:
        assert r.status_code == 400, r.text
    if dialect == "waldur":
        assert r.json() == {"bogus_field": ["This field is not accepted."]}


def test_wrong_type_for_nano_user_is_refused(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = post("/api/v1/sessions/", json={"user": 5, "password": pw})
    assert r.status_code == 200, r.text
    assert is_nano_error(r.json()), r.text
    assert r.json()["message"].startswith("user: ")


def test_wrong_type_for_waldur_username_is_refused(victim):
    name, pw = victim
    with NoNewCredential(name):
        r = post("/api-auth/password/", json={"username": 5, "password": pw})
    assert r.status_code == 400, r.text
    assert list(r.json()) == ["username"], r.text


def test_null_required_field_is_refused(victim):
    name, _ = victim
    with NoNewCredential(name):
        r = post("/api/accounts/login/", json={"username": name, "password": None})
    assert r.status_code == 400, r.text
    assert list(r.json()["detail"]) == ["password"], r.text


def test_overlong_username_is_refused(victim):
    r = post("/api-auth/password/", json={"username": "u" * 300, "password": "x" * 10})
    assert r.status_code == 400, r.text
    assert list(r.json()) == ["username"], r.text


def test_deeply_nested_json_is_refused_not_crashing(victim):
    deep = "[" * 5000 + "]" * 5000
    r = raw_login("waldur", deep)
    assert r.status_code == 400, r.text
    assert get("/healthz").status_code == 200


# ------------------------------------------------------------------ request ids

HEXID = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/nope", "/api/vm/nope/", "/nope"])
def test_every_response_carries_a_request_id(path):
    r = get(path)
    assert HEXID.match(r.headers.get("X-Request-Id", "")), r.headers
    r2 = get(path)
    assert r2.headers["X-Request-Id"] != r.headers["X-Request-Id"]


def test_client_request_id_is_echoed_and_logged():
    rid = "test-" + uuid.uuid4().hex
    r = get("/api/v1/nope", headers={"X-Request-Id": rid})
    assert r.headers.get("X-Request-Id") == rid
    log = os.path.join(STATE_DIR, "log", "nimbus-api.log")
    if not os.path.exists(log):
        pytest.skip("no nimbus-api.log in the state directory")

    def logged():
        with open(log, errors="replace") as f:
            for line in f:
                if rid in line:
                    return json.loads(line)
        return None

    deadline = time.monotonic() + 5
    entry = logged()
    while entry is None and time.monotonic() < deadline:
        time.sleep(0.05)
        entry = logged()
    assert entry is not None, "request id not in the worker log"
    assert entry["request_id"] == rid
    assert entry["status"] == 404


def test_request_id_on_nginx_generated_errors():
    rid = "big-" + uuid.uuid4().hex
    data = json.dumps({"username": "x", "password": "p" * (3 * 1000 * 1000)})
    try:
        r = post("/api-auth/password/", data=data,
                 headers={"Content-Type": "application/json", "X-Request-Id": rid})
    except requests.ConnectionError as e:
        pytest.fail("connection error instead of 413: %s" % e)
    assert r.status_code == 413
    assert r.headers.get("X-Request-Id") == rid


# ------------------------------------------------------------------ operations endpoints

def test_healthz_is_ok():
    r = get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def test_metrics_expose_requests_latency_restarts_and_reconnects():
    get("/healthz")
    r = get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.text
    for name in ("nimbus_requests_total", "nimbus_request_duration_seconds_bucket",
                 "nimbus_worker_restarts_total", "nimbus_db_reconnects_total"):
        assert re.search(r"^%s[ {]" % name, text, re.M), name
    assert re.search(r'^nimbus_requests_total\{[^}]*route="/healthz"[^}]*status="200"\} \d+$',
                     text, re.M), text
    assert re.search(r'^nimbus_request_duration_seconds_bucket\{le="\+Inf"\} \d+$', text, re.M)


def test_metrics_count_requests_by_route_method_and_status():
    line = re.compile(r'^nimbus_requests_total\{dialect="ops",route="/healthz",method="GET",'
                      r'status="200"\} (\d+)$', re.M)

    def count():
        m = line.search(get("/metrics").text)
        return int(m.group(1)) if m else 0

    before = count()
    for _ in range(5):
        assert get("/healthz").status_code == 200
    assert count() >= before + 5
