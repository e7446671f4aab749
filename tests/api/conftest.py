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
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from requests.adapters import HTTPAdapter
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


MIB = 1024 ** 2
GIB = 1024 ** 3


# ------------------------------------------------------------------ database

def psql_bin():
    return shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"


def _psql(source, script=None, timeout=30):
    p = subprocess.run([psql_bin(), "-X", "-q", "-t", "-A", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                        "-d", DB] + source, input=script, capture_output=True, text=True,
                       timeout=timeout)
    assert p.returncode == 0, "psql failed: %s\n%s" % (script or source[-1], p.stderr)
    return [line.split("\t") for line in p.stdout.splitlines() if line != ""]


def run_psql(sql):
    """Run SQL against the stack's database; the rows of its last statement, as lists of
    strings."""
    return _psql(["-c", sql])


def run_psql_script(script, timeout=30):
    """Run a script of statements, one psql session; the rows every statement printed."""
    return _psql(["-f", "-"], script, timeout)


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


def pool_workers(pool):
    """The live workers of one pool of nimbus-api ("api", "upload", "login"): each names
    itself nimbus-<pool>."""
    def comm(pid):
        try:
            with open("/proc/%d/comm" % pid) as f:
                return f.read().strip()
        except OSError:
            return None
    return {pid for pid in children(master_pid()) if comm(pid) == "nimbus-" + pool}


def fan_out(call):
    """call() from 4 connections per worker at once; the answers."""
    n = 4 * max(1, len(children(master_pid())))
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: call(), range(n)))


def wait_for(predicate, timeout, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


class SourceAddress(HTTPAdapter):
    """Connections from another loopback address (nginx listens on 127.0.0.1; Linux routes all
    of 127/8 to lo, so a client bound to 127.0.0.2 reaches it as a different remote_addr)."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kw)


def session_from(address):
    """A requests session whose connections come from address (any of 127.0.0.0/8)."""
    s = requests.Session()
    s.mount("https://", SourceAddress(address))
    return s


def healthy(timeout=30):
    """Waits for /healthz to answer 200."""
    def ok():
        try:
            return get("/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False
    wait_for(ok, timeout, interval=0.1, what="/healthz 200")


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


# ------------------------------------------------------------------ Nano management (issue 4)

NANO_REFUSED = "You do not have permission to perform this action."


def unique_name(prefix="t"):
    """A fresh, valid Nano name (role, group or user)."""
    return prefix + uuid.uuid4().hex[:12]


def nano_data(r):
    """The data of a successful Nano reply (HTTP 200, error_code 0)."""
    assert r.status_code == 200, "%s %s" % (r.status_code, r.text)
    body = r.json()
    assert body.get("error_code") == 0 and body.get("message") == "", r.text
    return body.get("data")


def nano_message(r):
    """The message of a refused Nano call: HTTP 200, error_code 500, data ""."""
    assert r.status_code == 200, "%s %s" % (r.status_code, r.text)
    body = r.json()
    assert body.get("error_code") == 500, r.text
    assert body.get("data") == "", r.text
    assert isinstance(body.get("message"), str) and body["message"], r.text
    return body["message"]


class NanoSession:
    """A logged-in Nano session. Paths are relative to /api/v1 (e.g. "/roles/").
    Sessions idle out after 180 s, so a long module keeps its session alive."""

    KEEP_ALIVE = 60

    def __init__(self, user, password):
        self.user, self.password = user, password
        self.http = requests.Session()
        self.token = do_login("nano", user, password)
        self.touched = time.monotonic()

    def _keep_alive(self):
        if time.monotonic() - self.touched > self.KEEP_ALIVE:
            r = request("PUT", "/api/v1/sessions/%s/" % self.token,
                        headers={"Nano-Session": self.token}, session=self.http)
            if r.status_code != 200 or r.json().get("error_code") != 0:
                self.token = do_login("nano", self.user, self.password)
            self.touched = time.monotonic()

    def call(self, method, path, body=None, raw=None, headers=None, **kw):
        """One request; body is sent as JSON, raw as-is (application/json)."""
        self._keep_alive()
        h = {"Nano-Session": self.token}
        if raw is not None:
            h["Content-Type"] = "application/json"
            kw["data"] = raw
        elif body is not None:
            kw["json"] = body
        h.update(headers or {})
        return request(method, "/api/v1" + path, headers=h, session=self.http, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, body=None, **kw):
        return self.call("DELETE", path, body, **kw)

    def ok(self, method, path, body=None, **kw):
        """The data of a call that must succeed."""
        return nano_data(self.call(method, path, body, **kw))

    def fail(self, method, path, body=None, **kw):
        """The message of a call that must be refused."""
        return nano_message(self.call(method, path, body, **kw))


def audit_mark():
    """The newest audit row id now; audit_since(mark) lists the rows written after it."""
    return int(psql_scalar("SELECT coalesce(max(id), 0) FROM audit_log"))


def audit_since(mark):
    """Audit entries (text) written after mark, oldest first."""
    return [row[0] for row in run_psql("SELECT entry FROM audit_log WHERE id > %d ORDER BY id"
                                       % mark)]


def admin_count():
    """Active users whose group holds the admin role."""
    return int(psql_scalar(
        "SELECT count(*) FROM users u JOIN group_roles gr ON gr.group_id = u.group_id"
        " JOIN roles r ON r.id = gr.role_id WHERE r.name = 'admin' AND u.active"))


@pytest.fixture(scope="module")
def nano_admin():
    """A module-wide Nano session of the bootstrap admin (log in sparingly: rate limit)."""
    assert ADMIN_PASSWORD, "NIMBUS_ADMIN_PASSWORD is not set"
    return NanoSession(ADMIN_USER, ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def s(nano_admin):
    """The admin's session, as guest modules call it."""
    return nano_admin


class NanoScratch:
    """Uniquely named roles, groups and users made through the Nano API as the admin, and
    removed again (straight from the database, so no audit rows) when the test ends."""

    def __init__(self, admin_session):
        self.admin = admin_session
        self.roles, self.groups, self.users = [], [], []

    def role(self, menu=("dashboard",), name=None):
        name = name or unique_name("r")
        self.roles.append(name)
        self.admin.ok("POST", "/roles/%s" % name, {"menu": list(menu)})
        return name

    def group(self, roles=(), display=None, name=None):
        name = name or unique_name("g")
        self.groups.append(name)
        self.admin.ok("POST", "/user_groups/%s" % name,
                      {"display": display if display is not None else "Group " + name,
                       "role": list(roles)})
        return name

    def user(self, group=None, password=None, nick="", mail="", name=None):
        """(name, password) of a fresh user, added to group when given."""
        name = name or unique_name("u")
        password = password or "pw-" + uuid.uuid4().hex[:16]
        self.users.append(name)
        self.admin.ok("POST", "/users/%s" % name,
                      {"nick": nick, "mail": mail, "password": password})
        if group:
            self.admin.ok("POST", "/user_groups/%s/members/%s" % (group, name))
        return name, password

    def adopt(self, kind, name):
        """Remove something a test made by other means when the test ends."""
        {"role": self.roles, "group": self.groups, "user": self.users}[kind].append(name)

    def cleanup(self):
        def names(xs):
            return ",".join(sql_literal(x) for x in xs) or "NULL"
        run_psql("BEGIN;"
                 " DELETE FROM users WHERE name IN (%s);"
                 " UPDATE users SET group_id = NULL WHERE group_id IN"
                 "   (SELECT id FROM user_groups WHERE name IN (%s));"
                 " DELETE FROM user_groups WHERE name IN (%s);"
                 " DELETE FROM group_roles WHERE role_id IN (SELECT id FROM roles WHERE name IN (%s));"
                 " DELETE FROM roles WHERE name IN (%s);"
                 " COMMIT;" % (names(self.users), names(self.groups), names(self.groups),
                               names(self.roles), names(self.roles)))


@pytest.fixture
def scratch(nano_admin):
    """Per-test uniquely named roles/groups/users (see NanoScratch), cleaned up afterwards."""
    s = NanoScratch(nano_admin)
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def module_scratch(nano_admin):
    """Like scratch, for module-wide fixtures."""
    s = NanoScratch(nano_admin)
    yield s
    s.cleanup()


def group_of_user(user):
    """The name of the user's Nano group ("" for none); fails if the user does not exist."""
    rows = run_psql("SELECT '=' || coalesce(g.name, '') FROM users u LEFT JOIN user_groups g"
                    " ON g.id = u.group_id WHERE u.name = %s" % sql_literal(user))
    assert len(rows) == 1, "user %s does not exist" % user
    return rows[0][0][1:]


def user_row(user):
    """[nick, mail, password_hash, group] of a user as stored, or None."""
    rows = run_psql("SELECT '=' || u.nick, '=' || u.mail, u.password_hash,"
                    " '=' || coalesce(g.name, '') FROM users u"
                    " LEFT JOIN user_groups g ON g.id = u.group_id WHERE u.name = %s"
                    % sql_literal(user))
    if not rows:
        return None
    nick, mail, pw, group = rows[0]
    return [nick[1:], mail[1:], pw, group[1:]]


@pytest.fixture
def only_admin():
    """For one test, the bootstrap admin is the only active administrator: administrators
    other tests left behind are deactivated, and reactivated afterwards. Lets the
    "at least one administrator must remain" rule be probed without depending on (or
    risking) other state."""
    admins = ("SELECT u.id FROM users u JOIN group_roles gr ON gr.group_id = u.group_id"
              " JOIN roles r ON r.id = gr.role_id WHERE r.name = 'admin'")
    ids = [row[0] for row in run_psql(
        "UPDATE users SET active = false WHERE active AND name <> %s AND id IN (%s)"
        " RETURNING id" % (sql_literal(ADMIN_USER), admins))]
    try:
        assert admin_count() == 1, "the bootstrap admin %s is not an administrator" % ADMIN_USER
        yield
    finally:
        if ids:
            run_psql("UPDATE users SET active = true WHERE id IN (%s)" % ",".join(ids))
