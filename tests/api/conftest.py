"""Shared fixtures for the black-box API tests.

The tests talk to a running stack (nginx + nimbus-api + PostgreSQL) started by
app/stack.sh; `make test` starts a throw-away one and passes its coordinates:

    NIMBUS_URL             https://127.0.0.1:<port>
    NIMBUS_STATE_DIR       the stack's state directory (pid files, logs)
    NIMBUS_STACK           app/stack.sh (pg-restart, status)
    NIMBUS_REPO            the source tree (for build/<type>/nimbusctl)
    NIMBUS_ADMIN_USER      the bootstrap admin ...
    NIMBUS_ADMIN_PASSWORD  ... and its password
    NIMBUS_DB              libpq conninfo of the stack's database (read-backs, expiry)
    NIMBUS_BUILD_DIR       optional: the build directory whose nimbusctl to use
"""
import hashlib
import os
import re
import shutil
import subprocess
import time
import uuid

import pytest
import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def pytest_configure(config):
    # The stack's certificate is self-signed; pytest re-enables warnings per test otherwise.
    config.addinivalue_line("filterwarnings",
                            "ignore::urllib3.exceptions.InsecureRequestWarning")

HEX40 = re.compile(r"^[0-9a-f]{40}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")

DIALECTS = ("nano", "waldur", "astakos", "keystone", "danube")


def _env(name, default=None):
    v = os.environ.get(name)
    return v if v else default


BASE_URL = _env("NIMBUS_URL", "https://127.0.0.1:18443").rstrip("/")
STATE_DIR = _env("NIMBUS_STATE_DIR", "")
REPO = _env("NIMBUS_REPO", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
STACK = _env("NIMBUS_STACK", os.path.join(REPO, "app", "stack.sh"))
ADMIN_USER = _env("NIMBUS_ADMIN_USER", "admin")
ADMIN_PASSWORD = _env("NIMBUS_ADMIN_PASSWORD", "")
if not ADMIN_PASSWORD and STATE_DIR and os.path.exists(os.path.join(STATE_DIR, "admin-password")):
    with open(os.path.join(STATE_DIR, "admin-password")) as f:
        ADMIN_PASSWORD = f.read().strip()
DB = _env("NIMBUS_DB", "host=%s/pg/sock port=%s dbname=nimbus user=nimbus"
          % (STATE_DIR, _env("NIMBUS_PG_PORT", "5433")))

TIMEOUT = 30  # seconds for one HTTP request (ASan builds hash passwords slowly)


# ------------------------------------------------------------------ HTTP

def url(path):
    return BASE_URL + path


def request(method, path, *, retry_429=True, session=None, timeout=TIMEOUT, **kw):
    """One HTTP request against the stack. Log-in paths are rate-limited by nginx
    (limit_req, 429): a polite client waits and tries again, and so do we."""
    kw.setdefault("verify", False)
    kw.setdefault("allow_redirects", False)
    send = session.request if session is not None else requests.request
    deadline = time.monotonic() + 30
    while True:
        r = send(method, url(path), timeout=timeout, **kw)
        if r.status_code != 429 or not retry_429 or time.monotonic() > deadline:
            return r
        time.sleep(0.25)


def get(path, **kw):
    return request("GET", path, **kw)


def post(path, **kw):
    return request("POST", path, **kw)


def put(path, **kw):
    return request("PUT", path, **kw)


def delete(path, **kw):
    return request("DELETE", path, **kw)


# The five log-in endpoints: path, body for (user, password), and where the token is.
def _nano_body(user, password):
    return {"user": user, "password": password, "nonce": uuid.uuid4().hex}


def _waldur_body(user, password):
    return {"username": user, "password": password}


def _astakos_body(user, password):
    return {"auth": {"passwordCredentials": {"username": user, "password": password}}}


def _keystone_body(user, password):
    return {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"id": "default"}, "password": password}}}}}


def _danube_body(user, password):
    return {"username": user, "password": password}


LOGIN = {
    "nano": ("/api/v1/sessions/", _nano_body, lambda r: r.json()["data"]["session"]),
    "waldur": ("/api-auth/password/", _waldur_body, lambda r: r.json()["token"]),
    "astakos": ("/identity/v2.0/tokens", _astakos_body,
                lambda r: r.json()["access"]["token"]["id"]),
    "keystone": ("/v3/auth/tokens", _keystone_body, lambda r: r.headers["X-Subject-Token"]),
    "danube": ("/api/accounts/login/", _danube_body, lambda r: r.json()["token"]),
}


def login_response(dialect, user=None, password=None, **kw):
    """POST the dialect's log-in request; return the raw response."""
    path, body, _ = LOGIN[dialect]
    return post(path, json=body(ADMIN_USER if user is None else user,
                                ADMIN_PASSWORD if password is None else password), **kw)


def login_ok(r, dialect):
    if dialect == "nano":
        return r.status_code == 200 and r.json().get("error_code") == 0
    if dialect == "keystone":
        return r.status_code == 201
    return r.status_code == 200


def do_login(dialect, user=None, password=None):
    """Log in through one dialect's endpoint and return the credential it issued."""
    r = login_response(dialect, user, password)
    assert login_ok(r, dialect), "%s log-in failed: %s %s" % (dialect, r.status_code, r.text)
    return LOGIN[dialect][2](r)


def auth_headers(style, token):
    """A credential in one dialect's header."""
    return {
        "nano": {"Nano-Session": token},
        "token": {"Authorization": "Token " + token},
        "x-auth": {"X-Auth-Token": token},
        "bearer": {"Authorization": "Bearer " + token},
    }[style]


# ------------------------------------------------------------------ database

def _psql_bin():
    return shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"


def run_psql(sql):
    """Run SQL against the stack's database; return the rows as lists of strings."""
    p = subprocess.run([_psql_bin(), "-X", "-q", "-t", "-A", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                        "-d", DB, "-c", sql], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, "psql failed: %s\n%s" % (sql, p.stderr)
    return [line.split("\t") for line in p.stdout.splitlines() if line != ""]


def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


def psql_scalar(sql):
    rows = run_psql(sql)
    assert len(rows) == 1 and len(rows[0]) == 1, "expected one value from %s, got %r" % (sql, rows)
    return rows[0][0]


def token_where(token):
    return "token_hash = sha256(convert_to(%s, 'UTF8'))" % sql_literal(token)


def expire_credential(token):
    n = run_psql("UPDATE credentials SET expires_at = now() - interval '1 second' WHERE %s"
                 " RETURNING 1" % token_where(token))
    assert len(n) == 1, "no credential row for the token"


def credential_count(user=None):
    if user is None:
        return int(psql_scalar("SELECT count(*) FROM credentials"))
    return int(psql_scalar(
        "SELECT count(*) FROM credentials c JOIN users u ON u.id = c.user_id WHERE u.name = %s"
        % sql_literal(user)))


def sha256_hex(token):
    return hashlib.sha256(token.encode()).hexdigest()


# ------------------------------------------------------------------ processes

def master_pid():
    with open(os.path.join(STATE_DIR, "nimbus-api.pid")) as f:
        return int(f.read().split()[0])


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid):
    """Live (non-zombie) children of pid."""
    kids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.add(int(entry))
    return kids


def wait_for(predicate, timeout, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def metric(name, text=None):
    """The value of an unlabelled metric from /metrics."""
    if text is None:
        r = get("/metrics")
        assert r.status_code == 200, r.text
        text = r.text
    m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
    assert m, "metric %s missing from /metrics:\n%s" % (name, text)
    return float(m.group(1))


# ------------------------------------------------------------------ nimbusctl

def build_dir():
    """The build whose nimbusctl matches the running stack."""
    d = _env("NIMBUS_BUILD_DIR")
    if d:
        return d
    try:  # the directory of the running nimbus-api binary
        exe = os.readlink("/proc/%d/exe" % master_pid())
        if exe.endswith(" (deleted)"):
            exe = exe[: -len(" (deleted)")]
        d = os.path.dirname(exe)
        if os.access(os.path.join(d, "nimbusctl"), os.X_OK):
            return d
    except (OSError, ValueError):
        pass
    names = [_env("NIMBUS_BUILD")] if _env("NIMBUS_BUILD") else []
    for t in names + ["asan", "debug", "release"]:
        d = os.path.join(REPO, "build", t)
        if os.access(os.path.join(d, "nimbusctl"), os.X_OK):
            return d
    raise AssertionError("no nimbusctl under %s/build/{asan,debug,release}" % REPO)


def user_add(group=None, password=None):
    """Create a fresh user with `nimbusctl user add NAME [GROUP]`; return (name, password)."""
    name = "t" + uuid.uuid4().hex[:12]
    password = password or "pw-" + uuid.uuid4().hex
    env = dict(os.environ, NIMBUS_DB=DB, NIMBUS_PASSWORD=password)
    args = [os.path.join(build_dir(), "nimbusctl"), "user", "add", name] + ([group] if group else [])
    p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, "nimbusctl user add failed (%d): %s%s" % (p.returncode, p.stdout,
                                                                        p.stderr)
    return name, password


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="session")
def base_url():
    return BASE_URL


@pytest.fixture(scope="session")
def admin():
    """(user, password) of the bootstrap admin."""
    assert ADMIN_PASSWORD, "NIMBUS_ADMIN_PASSWORD is not set"
    return ADMIN_USER, ADMIN_PASSWORD


@pytest.fixture
def login(admin):
    """login(dialect, user=None, password=None) → the credential that dialect issued."""
    return do_login


@pytest.fixture
def psql():
    """psql(sql) → rows (lists of strings)."""
    return run_psql


@pytest.fixture
def new_user():
    """new_user(group=None, password=None) → (name, password) of a fresh user."""
    return user_add


@pytest.fixture
def plain_user():
    """A fresh user in no user group."""
    return user_add()
