"""What nginx itself answers: /metrics only to loopback and NIMBUS_METRICS_ALLOW, client
request ids only when they are short tokens, its own errors (400, 413, 429, 502 …) in the JSON
shape of the API the path belongs to, and a /metrics page Prometheus accepts."""
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import urllib.parse
import uuid

import pytest
import requests

from conftest import (BASE_URL, STACK, STATE_DIR, children, get, healthy, master_pid, request,
                      session_from, wait_for)

HOST, PORT = urllib.parse.urlsplit(BASE_URL).hostname, urllib.parse.urlsplit(BASE_URL).port
HEXID = re.compile(r"^[0-9a-f]{32}$")


def raw_tls(data, timeout=10):
    """Send bytes as they are over TLS; the answer's status and JSON body."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((HOST, PORT), timeout=timeout) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(data)
            answer = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def stack_env(**extra):
    env = dict(os.environ)
    env["NIMBUS_STATE_DIR"] = STATE_DIR
    env.update(extra)
    return env


def stack_function(script, env=None, timeout=90):
    """Run app/stack.sh's own functions (sourcing it defines them and runs nothing)."""
    p = subprocess.run(["bash", "-c", 'set -euo pipefail; . "$1"; setup; ' + script,
                        "nimbus-test", STACK], env=env or stack_env(), capture_output=True,
                       text=True, timeout=timeout)
    return p


# ------------------------------------------------------------------ /metrics: who may read it

def test_metrics_are_served_to_loopback():
    r = get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "nimbus_requests_total" in r.text


@pytest.mark.parametrize("path", ["/metrics", "/metrics?x=1", "/%6detrics", "//metrics",
                                  "/api/../metrics"])
def test_metrics_are_refused_to_other_addresses_in_json(path):
    with session_from("127.0.0.2") as s:
        r = request("GET", path, session=s)
    assert r.status_code == 403, r.text[:300]
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"status": "forbidden", "detail": "Forbidden."}


@pytest.fixture
def nginx_conf_restored():
    yield
    p = stack_function("nginx_start")
    assert p.returncode == 0, p.stderr


def test_metrics_allow_setting_admits_the_configured_network(nginx_conf_restored):
    p = stack_function("nginx_start", stack_env(NIMBUS_METRICS_ALLOW="127.0.0.1, 127.0.0.2/32"))
    assert p.returncode == 0, p.stderr

    def served():
        with session_from("127.0.0.2") as s:
            return request("GET", "/metrics", session=s).status_code == 200
    wait_for(served, 10, interval=0.1, what="/metrics served to 127.0.0.2")
    with session_from("127.0.0.3") as s:
        assert request("GET", "/metrics", session=s).status_code == 403


@pytest.mark.parametrize("value", ["10.0.0.0/8; allow all", "any", "127.0.0.1 deny", " , "])
def test_metrics_allow_setting_takes_addresses_only(value):
    before = open(os.path.join(STATE_DIR, "nginx", "nginx.conf")).read()
    p = stack_function("nginx_render", stack_env(NIMBUS_METRICS_ALLOW=value))
    assert p.returncode != 0
    assert "NIMBUS_METRICS_ALLOW" in p.stderr
    assert open(os.path.join(STATE_DIR, "nginx", "nginx.conf")).read() == before


# ------------------------------------------------------------------ X-Request-Id

def logged(path, needle, timeout=5):
    """The first JSON line of a log file that mentions needle, parsed."""
    def find():
        with open(path, errors="replace") as f:
            for line in f:
                if needle in line:
                    return json.loads(line)
        return None
    return wait_for(find, timeout, what="%s in %s" % (needle, path))


@pytest.mark.parametrize("rid", ["Trace-1.2:3_x", "a" * 64, uuid.uuid4().hex])
def test_a_short_token_request_id_is_echoed_unchanged(rid):
    r = get("/api/v1/nope", headers={"X-Request-Id": rid})
    assert r.headers["X-Request-Id"] == rid


BAD_IDS = ['has space', 'quo"te', "back\\slash", "tab\there", "a" * 65, "x" * 200, "a/b",
           "{}", "caf\u00e9", "<script>", "semi;colon"]


@pytest.mark.parametrize("rid", BAD_IDS)
def test_any_other_request_id_is_replaced_by_a_fresh_one(rid):
    r = get("/api/v1/nope", headers={"X-Request-Id": rid.encode("latin-1")})
    fresh = r.headers["X-Request-Id"]
    assert HEXID.match(fresh), fresh
    # Both logs carry the fresh id, on lines that are still JSON.
    access = logged(os.path.join(STATE_DIR, "log", "nginx-access.log"), fresh)
    assert access["request_id"] == fresh and access["status"] == 404
    worker = logged(os.path.join(STATE_DIR, "log", "nimbus-api.log"), fresh)
    assert worker["request_id"] == fresh and worker["status"] == 404


def test_a_request_id_on_an_nginx_error_is_checked_too():
    r = request("POST", "/api/v1/guests/", data=b"x" * (1024 * 1024 + 1),
                headers={"Content-Type": "application/json", "X-Request-Id": "a b"})
    assert r.status_code == 413
    assert HEXID.match(r.headers["X-Request-Id"]), r.headers["X-Request-Id"]


# ------------------------------------------------------------------ nginx's own errors

# One path of each mount point and the body its dialect answers for an nginx error.
def nano(status, message):
    return {"error_code": 500, "message": message, "data": ""}


def drf(status, message):
    return {"detail": message}


def astakos(status, message):
    fault = {400: "badRequest", 404: "itemNotFound", 413: "overLimit", 429: "overLimit"}.get(
        status, "serviceUnavailable")
    return {fault: {"code": status, "message": message, "details": ""}}


def trs(status, message):
    return {"error": {"code": 9 if status in (400, 413) else 1, "message": message, "data": {}}}


def keystone(status, message):
    title = {400: "Bad Request", 404: "Not Found", 413: "Request Entity Too Large",
             429: "Too Many Requests", 502: "Bad Gateway"}[status]
    return {"error": {"code": status, "title": title, "message": message}}


def ops(status, message):
    return {"status": {400: "invalid", 413: "too_large", 502: "unavailable"}[status],
            "detail": message}


MOUNTS = {
    "nano": ("/api/v1/guests/", nano),
    "waldur": ("/api/projects/", drf),
    "astakos": ("/identity/v2.0/tokens", astakos),
    "trs": ("/v1/projects", trs),
    "keystone": ("/v3/auth/tokens", keystone),
    "danube": ("/api/vm/", drf),
    "ops": ("/healthz", ops),
}

TOO_LARGE = "Request body is larger than 1048576 bytes."
BAD_REQUEST = "The request is malformed or its headers are too large."
THROTTLED = "Too many requests; try again shortly."
UNAVAILABLE = "The API is unavailable; try again shortly."


def assert_json_error(r, status, body):
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"] == "application/json", r.headers
    assert r.json() == body
    assert HEXID.match(r.headers["X-Request-Id"])


@pytest.mark.parametrize("dialect", sorted(MOUNTS))
def test_body_over_nginx_limit_is_413_in_the_dialects_shape(dialect):
    path, shape = MOUNTS[dialect]
    try:
        r = request("POST", path, data=b"x" * (1024 * 1024 + 1),
                    headers={"Content-Type": "application/json"})
    except requests.ConnectionError as e:  # nginx may answer and close before reading it all
        pytest.fail("connection error instead of 413: %s" % e)
    assert_json_error(r, 413, shape(413, TOO_LARGE))


@pytest.mark.parametrize("dialect", sorted(MOUNTS))
def test_headers_too_large_are_400_in_the_dialects_shape(dialect):
    path, shape = MOUNTS[dialect]
    r = get(path, headers={"X-Padding": "p" * 20000})
    assert_json_error(r, 400, shape(400, BAD_REQUEST))


def test_a_request_line_nginx_cannot_parse_is_400_json():
    status, headers, body = raw_tls(b"GARBAGE\r\n\r\n")
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"detail": BAD_REQUEST}


def test_nginx_own_404_is_json():
    r = get("/novnc/no-such-file")  # a file nginx serves itself
    assert_json_error(r, 404, {"detail": "Not found."})
    r = get("/_nimbus_error/api/v1/")  # the error pages' own location is internal
    assert_json_error(r, 404, {"detail": "Not found."})


LOGINS = {
    "nano": ("/api/v1/sessions/", nano),
    "waldur": ("/api-auth/password/", drf),
    "astakos": ("/identity/v2.0/tokens", astakos),
    "keystone": ("/v3/auth/tokens", keystone),
    "danube": ("/api/accounts/login/", drf),
}


def test_log_in_rate_limit_is_429_in_each_dialects_shape():
    # Its own address (the limit is per address), so no other test is slowed down; bodies
    # that are not JSON keep every log-in cheap. The budget refills while we ask, so each
    # dialect's log-in is asked until nginx refuses it.
    with session_from("127.0.0.4") as s:
        for dialect, (path, shape) in sorted(LOGINS.items()):
            for _ in range(200):
                r = request("POST", path, session=s, retry_429=False, data="{",
                            headers={"Content-Type": "application/json"})
                if r.status_code == 429:
                    break
            else:
                pytest.fail("no 429 after 200 quick %s log-ins from one address" % dialect)
            assert_json_error(r, 429, shape(429, THROTTLED))


@pytest.fixture
def api_stopped():
    """The API master and its workers stopped, then started again with the environment they
    had (sanitizer options included), as app/stack.sh's api_stop and api_start do it."""
    with open("/proc/%d/environ" % master_pid(), "rb") as f:
        env = dict(kv.decode().split("=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
    p = stack_function("api_stop")
    assert p.returncode == 0, p.stderr
    try:
        yield
    finally:
        p = stack_function("api_start", env)
        assert p.returncode == 0, p.stderr
        healthy()
        wait_for(lambda: len(children(master_pid())) > 0, 10, what="workers")


def test_workers_down_is_502_in_each_dialects_shape(api_stopped):
    for dialect, (path, shape) in sorted(MOUNTS.items()):
        r = get(path)
        assert_json_error(r, 502, shape(502, UNAVAILABLE))
    # The image file location has an error_page of its own, so it lists these again.
    r = get("/api/v1/media_image_files/some-image")
    assert_json_error(r, 502, nano(502, UNAVAILABLE))


# ------------------------------------------------------------------ the /metrics page

def series(text):
    """(name, labels as a sorted tuple) → value, failing on a repeated series."""
    seen = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
        assert m, line
        labels = tuple(sorted(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or "")))
        key = (m.group(1), labels)
        assert key not in seen, "repeated series: %s" % line
        seen[key] = float(m.group(3))
    return seen


def test_metrics_label_routes_by_template_and_method_and_promtool_accepts_them():
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing (Debian package prometheus; app/stack.sh deps)"
    # Two methods of one route with the same answer (Nano's 200 envelope for no credential),
    # and a route whose pattern holds an escaped dot.
    for method in ("GET", "DELETE"):
        assert request(method, "/api/v1/users/nobody").status_code == 200
    request("POST", "/identity/v2.0/tokens", json={})
    request("HEAD", "/healthz")

    text = get("/metrics").text
    p = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    got = series(text)
    requests_total = [dict(labels) for name, labels in got if name == "nimbus_requests_total"]
    for method in ("GET", "DELETE"):
        assert {"dialect": "nano", "route": "/api/v1/users/{user}", "method": method,
                "status": "200"} in requests_total, requests_total
    assert any(s["route"] == "/identity/v2.0/tokens" and s["method"] == "POST"
               for s in requests_total), requests_total
    assert any(s["method"] == "other" for s in requests_total), requests_total  # the HEAD
    for s in requests_total:
        assert set(s) == {"dialect", "route", "method", "status"}, s
        assert not re.search(r"[()\[\]^$?*+|\\]", s["route"]), s
