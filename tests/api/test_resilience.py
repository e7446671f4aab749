"""The stack survives its parts failing: a worker killed, PostgreSQL restarted or down, and a
reload (SIGHUP) under load. These tests disturb the shared stack; each leaves it healthy."""
import os
import re
import signal
import subprocess
import threading
import time

import pytest
import requests

from conftest import (ADMIN_PASSWORD, ADMIN_USER, DB, STACK, STATE_DIR, auth_headers, children,
                      do_login, get, healthy, login_response, master_pid, metric, post, url,
                      wait_for)


def expected_workers():
    """The workers the master keeps in its four pools: NIMBUS_WORKERS (else 2 x online
    cores) for the API, NIMBUS_UPLOAD_WORKERS (else 4) for uploads, NIMBUS_LOGIN_WORKERS (else
    half the cores) for log-ins, NIMBUS_WAIT_WORKERS (else 2 x cores, at least 8) for calls
    that wait for their operation."""
    cores = os.sysconf("SC_NPROCESSORS_ONLN")
    try:
        with open("/proc/%d/environ" % master_pid(), "rb") as f:
            env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
    except OSError:
        env = {}

    def setting(name, default):
        try:
            n = int(env.get(name, b"0") or 0)
        except ValueError:
            n = 0
        return n if n > 0 else default

    return (setting(b"NIMBUS_WORKERS", 2 * cores) + setting(b"NIMBUS_UPLOAD_WORKERS", 4) +
            setting(b"NIMBUS_LOGIN_WORKERS", max(1, cores // 2)) +
            setting(b"NIMBUS_WAIT_WORKERS", max(8, 2 * cores)))


def pool(timeout=30):
    """The master's workers once the pools are at full strength (no draining leftovers). Under
    ASan every exiting worker runs LeakSanitizer's check first: after three reloads of three
    pools, some twenty-seven of them on two cores."""
    master, n = master_pid(), expected_workers()
    return wait_for(lambda: (lambda k: k if len(k) == n else None)(children(master)), timeout,
                    what="%d workers under master %d (have %s)" % (n, master, children(master)))


@pytest.fixture(autouse=True)
def stack_back_to_normal():
    healthy(15)
    pool()
    yield
    healthy(15)
    pool()


def stack_env():
    """Environment for app/stack.sh aimed at the stack under test."""
    env = dict(os.environ)
    env["NIMBUS_STATE_DIR"] = STATE_DIR
    if not env.get("NIMBUS_PG_PORT"):
        m = re.search(r"\bport=(\d+)", DB)
        if m:
            env["NIMBUS_PG_PORT"] = m.group(1)
    return env


def stack(*args):
    p = subprocess.run([STACK] + list(args), env=stack_env(), capture_output=True, text=True,
                       timeout=90)
    assert p.returncode == 0, "%s %s failed (%d):\n%s%s" % (STACK, " ".join(args), p.returncode,
                                                           p.stdout, p.stderr)
    return p


def stack_has(command):
    p = subprocess.run([STACK, "help"], env=stack_env(), capture_output=True, text=True,
                       timeout=30)
    return re.search(r"^\s+%s\b" % re.escape(command), p.stdout + p.stderr, re.M) is not None


def pg(action):
    """Stop or start only PostgreSQL, the way app/stack.sh does it: its `pg-stop`/`pg-start`
    commands when it has them, else its own pg_stop/pg_start functions (sourcing the script
    defines them and runs nothing)."""
    if stack_has("pg-" + action):
        return stack("pg-" + action)
    p = subprocess.run(["bash", "-c", 'set -euo pipefail; . "$1"; setup; pg_%s' % action,
                        "nimbus-test", STACK],
                       env=stack_env(), capture_output=True, text=True, timeout=90)
    assert p.returncode == 0, "pg_%s failed (%d):\n%s%s" % (action, p.returncode, p.stdout,
                                                            p.stderr)
    return p


def pids():
    master = master_pid()
    return master, children(master)


# ------------------------------------------------------------------ a worker dies

def test_killed_worker_is_replaced_and_requests_succeed(admin):
    master, before = pids()
    restarts = metric("nimbus_worker_restarts_total")
    victim = min(before)
    os.kill(victim, signal.SIGKILL)

    def replaced():
        kids = children(master)
        return kids if victim not in kids and len(kids) == len(before) else None

    after = wait_for(replaced, 5, what="worker %d replaced" % victim)
    assert len(after - before) == 1, (before, after)
    assert master_pid() == master
    for _ in range(3 * len(after)):
        assert get("/healthz").status_code == 200
    assert do_login("waldur")
    assert metric("nimbus_worker_restarts_total") >= restarts + 1


def test_every_worker_killed_at_once_is_replaced(admin):
    master, before = pids()
    restarts = metric("nimbus_worker_restarts_total")
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    after = wait_for(lambda: (lambda k: k if len(k) == len(before) and not k & before else None)(
        children(master)), 10, what="a whole new pool")
    healthy(10)
    assert do_login("nano")
    assert metric("nimbus_worker_restarts_total") >= restarts + len(before)
    assert master_pid() == master and after


# ------------------------------------------------------------------ reload under load

class Hammer:
    """Client threads requesting in a loop; every failure (5xx, 502 from nginx, connection
    error, timeout) is recorded."""

    def __init__(self):
        self.stop = threading.Event()
        self.failures = []
        self.count = 0
        self.logins = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.healthz, daemon=True) for _ in range(2)]
        self.threads.append(threading.Thread(target=self.login, daemon=True))

    def record(self, ok, what):
        with self.lock:
            self.count += 1
            if not ok:
                self.failures.append(what)

    def healthz(self):
        s = requests.Session()
        while not self.stop.is_set():
            try:
                r = s.get(url("/healthz"), verify=False, timeout=10)
                self.record(r.status_code == 200 and r.json() == {"status": "ok"},
                            "healthz %s %s" % (r.status_code, r.text[:200]))
            except (requests.RequestException, ValueError) as e:
                self.record(False, "healthz %r" % e)

    def login(self):
        s = requests.Session()
        while not self.stop.is_set():
            try:
                r = s.post(url("/api-auth/password/"), verify=False, timeout=10,
                           json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
                if r.status_code == 429:  # nginx's log-in rate limit, not a failure
                    time.sleep(0.25)
                    continue
                ok = r.status_code == 200 and "token" in r.json()
                self.record(ok, "login %s %s" % (r.status_code, r.text[:200]))
                if ok:
                    with self.lock:
                        self.logins += 1
            except (requests.RequestException, ValueError) as e:
                self.record(False, "login %r" % e)
            time.sleep(0.2)  # stay inside the log-in rate limit

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(15)


def test_sighup_reload_under_load_loses_no_request(admin):
    master, before = pids()
    with Hammer() as h:
        time.sleep(1.0)
        os.kill(master, signal.SIGHUP)
        time.sleep(2.0)
    assert h.failures == [], "%d of %d requests failed: %s" % (len(h.failures), h.count,
                                                               h.failures[:10])
    assert h.count > 20 and h.logins > 0, (h.count, h.logins)
    after = wait_for(lambda: (lambda k: k if len(k) == len(before) and not k & before else None)(
        children(master)), 10, what="the reloaded pool (old workers gone, new ones in place)")
    assert not after & before
    assert master_pid() == master
    assert get("/healthz").status_code == 200


def test_repeated_sighups_under_load_lose_no_request(admin):
    master, before = pids()
    with Hammer() as h:
        time.sleep(0.5)
        for _ in range(3):
            os.kill(master, signal.SIGHUP)
            time.sleep(0.5)
        time.sleep(1.0)
    assert h.failures == [], "%d of %d requests failed: %s" % (len(h.failures), h.count,
                                                               h.failures[:10])
    after = pool()
    assert not after & before
    assert master_pid() == master


# ------------------------------------------------------------------ PostgreSQL goes away

def test_pg_restart_under_the_running_stack_recovers_without_restarts(admin):
    session = do_login("nano")
    master, before = pids()
    reconnects = metric("nimbus_db_reconnects_total")
    stack("pg-restart")
    # Every worker's connection died; each reconnects on its next request, transparently.
    for _ in range(3 * len(before)):
        r = get("/api/v1/sessions/" + session, headers=auth_headers("nano", session))
        assert r.status_code == 200 and r.json()["error_code"] == 0, r.text
    healthy(5)
    for d in ("nano", "waldur", "astakos", "keystone", "danube"):
        assert do_login(d)
    assert pids() == (master, before), "workers were restarted"
    assert metric("nimbus_db_reconnects_total") > reconnects


NANO_503 = {"error_code": 500, "message": "database unavailable", "data": ""}


def test_database_down_gives_503_in_each_dialect_then_recovers(admin):
    nano = do_login("nano")
    astakos = do_login("astakos")
    keystone = do_login("keystone")
    danube = do_login("danube")
    master, before = pids()
    reconnects = metric("nimbus_db_reconnects_total")

    def astakos_reauth():
        return post("/identity/v2.0/tokens", json={"auth": {"token": {"id": astakos}}})

    def keystone_validate():
        return get("/v3/auth/tokens", headers={"X-Auth-Token": keystone,
                                               "X-Subject-Token": keystone})

    pg("stop")
    try:
        for _ in range(2 * len(before)):  # reach (most likely) every worker
            r = get("/healthz")
            assert r.status_code == 503, r.text
            assert r.json()["status"] == "unavailable", r.text

        r = get("/api/v1/sessions/" + nano, headers=auth_headers("nano", nano))
        assert (r.status_code, r.json()) == (503, NANO_503)
        r = login_response("nano")
        assert (r.status_code, r.json()) == (503, NANO_503)

        r = login_response("waldur")
        assert r.status_code == 503, r.text
        assert list(r.json()) == ["detail"] and r.json()["detail"], r.text

        r = astakos_reauth()
        assert r.status_code == 503, r.text
        assert r.json()["serviceUnavailable"]["code"] == 503, r.text
        r = login_response("astakos")
        assert r.status_code == 503, r.text
        assert r.json()["serviceUnavailable"]["code"] == 503, r.text

        r = keystone_validate()
        assert r.status_code == 503, r.text
        err = r.json()["error"]
        assert (err["code"], err["title"]) == (503, "Service Unavailable"), r.text

        r = get("/api/accounts/logout/", headers=auth_headers("token", danube))
        assert r.status_code == 503, r.text
        assert list(r.json()) == ["detail"] and r.json()["detail"], r.text

        # Nothing crashed while the database was away.
        assert pids() == (master, before), "workers died while the database was down"
        assert get("/metrics").status_code == 200  # metrics need no database
    finally:
        pg("start")

    healthy(10)
    r = get("/api/v1/sessions/" + nano, headers=auth_headers("nano", nano))
    assert r.status_code == 200 and r.json()["error_code"] == 0, r.text
    assert login_response("waldur").status_code == 200
    r = astakos_reauth()
    assert r.status_code == 200, r.text
    r = keystone_validate()
    assert r.status_code == 200, r.text
    r = get("/api/accounts/logout/", headers=auth_headers("token", danube))
    assert (r.status_code, r.json()) == (200, {"detail": "Bye."})
    assert pids() == (master, before), "recovery restarted workers"
    assert metric("nimbus_db_reconnects_total") > reconnects
