"""The stack's processes (the nimbus-api master and its pools), waiting, /healthz and /metrics,
and nimbusctl."""
import contextlib
import os
import re
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from nimbus_test.env import DB, REPO, STACK, STATE_DIR
from nimbus_test.http import get


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


def build_dir():
    """The build whose nimbusctl matches the running stack."""
    d = os.environ.get("NIMBUS_BUILD_DIR")
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
    names = [os.environ["NIMBUS_BUILD"]] if os.environ.get("NIMBUS_BUILD") else []
    for t in names + ["asan", "debug", "release"]:
        d = os.path.join(REPO, "build", t)
        if os.access(os.path.join(d, "nimbusctl"), os.X_OK):
            return d
    raise AssertionError("no nimbusctl under %s/build/{asan,debug,release}" % REPO)


def nimbusctl(*args, env=None):
    """Run `nimbusctl ARGS` against the stack's database; the finished process (text output)."""
    return subprocess.run([os.path.join(build_dir(), "nimbusctl")] + list(args),
                          env=dict(os.environ, NIMBUS_DB=DB, **(env or {})), capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def user_add(group=None, password=None):
    """Create a fresh user with `nimbusctl user add NAME [GROUP]`; return (name, password)."""
    name = "t" + uuid.uuid4().hex[:12]
    password = password or "pw-" + uuid.uuid4().hex
    p = nimbusctl("user", "add", name, *([group] if group else []),
                  env={"NIMBUS_PASSWORD": password})
    assert p.returncode == 0, "nimbusctl user add failed (%d): %s%s" % (p.returncode, p.stdout,
                                                                        p.stderr)
    return name, password


def _stack(command, env):
    p = subprocess.run([STACK, command], env=env, capture_output=True, text=True, timeout=90)
    assert p.returncode == 0, "%s %s failed:\n%s%s" % (STACK, command, p.stdout, p.stderr)


@contextlib.contextmanager
def reconciler_stopped():
    """The stack's reconciler stopped (`$NIMBUS_STACK reconciler-stop`) for the block, then
    started again with the environment it had, whatever the block does. Domains of libvirt's
    test driver in the reconciler's own process (sim0) do not survive it: a guest whose
    operations must run after the restart lives on cell0 (HOST_POOL)."""
    with open(os.path.join(STATE_DIR, "nimbus-reconciler.pid")) as f:
        pid = int(f.read().split()[0])
    with open("/proc/%d/environ" % pid, "rb") as f:
        env = dict(kv.decode().split("=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
    env.setdefault("NIMBUS_STATE_DIR", STATE_DIR)
    env.setdefault("NIMBUS_DB", DB)
    _stack("reconciler-stop", env)
    try:
        yield
    finally:
        _stack("reconciler-start", env)
