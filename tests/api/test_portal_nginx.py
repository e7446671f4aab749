"""A web portal served by the stack's nginx (NIMBUS_PORTAL_ROOT, issue 16): Nano's portal is a
single-page application that calls /api/v1 on its own origin and opens its console at
ws://<its host:port>/…, even on an https page. nginx serves the portal's files at every path
under no API's mount (index.html for the paths the application routes itself), with
`Content-Security-Policy: upgrade-insecure-requests`, so that the browser opens wss:// instead;
the API's mounts keep their routes.

The stack under test runs without a portal, and is not restarted: a second nginx, started by
`app/stack.sh nginx-start` from the same template in a state directory of its own, on ports of
its own, with a test-made web_root, sends its API paths to the stack's own workers."""
import os
import shutil
import socket
import subprocess
import tempfile

import pytest
import requests

from conftest import BASE_URL, STACK, STATE_DIR

CSP = "upgrade-insecure-requests"
INDEX = b"<!doctype html><title>test portal</title><div id=root></div>\n"
SCRIPT = b"console.log('portal');\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack_env(state, portal=None):
    """The environment of app/stack.sh for a private nginx in front of the stack's workers."""
    env = dict(os.environ)
    env.pop("NIMBUS_PORTAL_ROOT", None)
    fcgi = os.environ.get("NIMBUS_FCGI_LISTEN") or os.path.join(STATE_DIR, "nimbus.sock")
    env.update(NIMBUS_STATE_DIR=state, NIMBUS_HTTPS_PORT=str(free_port()),
               NIMBUS_HTTP_PORT=str(free_port()), NIMBUS_FCGI_LISTEN=fcgi)
    for pool, default in (("UPLOAD", "nimbus-upload.sock"), ("LOGIN", "nimbus-login.sock"),
                          ("WAIT", "nimbus-wait.sock")):
        env["NIMBUS_%s_LISTEN" % pool] = (os.environ.get("NIMBUS_%s_LISTEN" % pool)
                                          or os.path.join(os.path.dirname(fcgi), default))
    port_file = os.path.join(STATE_DIR, "websockify.port")
    if os.path.exists(port_file):
        with open(port_file) as f:
            env["NIMBUS_WEBSOCKIFY_PORT"] = f.read().strip()
    if portal is not None:
        env["NIMBUS_PORTAL_ROOT"] = portal
    return env


def stack(command, env):
    return subprocess.run([STACK, command], env=env, capture_output=True, text=True, timeout=120)


def get(base, path, **kw):
    return requests.get(base + path, verify=False, timeout=30, allow_redirects=False, **kw)


@pytest.fixture(scope="module")
def workdir():
    # Under /tmp and world-searchable: nginx's workers run as www-data when the stack is root's.
    d = tempfile.mkdtemp(prefix="nimbus-portal-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def web_root(workdir):
    root = os.path.join(workdir, "web_root")
    os.makedirs(os.path.join(root, "static", "js"))
    with open(os.path.join(root, "index.html"), "wb") as f:
        f.write(INDEX)
    with open(os.path.join(root, "static", "js", "main.js"), "wb") as f:
        f.write(SCRIPT)
    for d, _, _ in os.walk(root):
        os.chmod(d, 0o755)
    return root


@pytest.fixture(scope="module")
def portal(workdir, web_root):
    """The base URL of a private nginx serving web_root in front of the stack's workers."""
    env = stack_env(os.path.join(workdir, "state"), web_root)
    p = stack("nginx-start", env)
    assert p.returncode == 0, p.stdout + p.stderr
    yield "https://127.0.0.1:%s" % env["NIMBUS_HTTPS_PORT"]
    p = stack("nginx-stop", env)
    assert p.returncode == 0, p.stdout + p.stderr


def test_the_portal_answers_its_files_with_the_upgrade_header(portal):
    for path in ("/", "/index.html", "/login", "/admin/instances/details/some-id"):
        r = get(portal, path)
        assert r.status_code == 200 and r.content == INDEX, (path, r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("text/html"), path
        assert r.headers["Content-Security-Policy"] == CSP, path
        assert r.headers.get("X-Request-Id"), path
    r = get(portal, "/static/js/main.js")
    assert r.status_code == 200 and r.content == SCRIPT
    assert r.headers["Content-Security-Policy"] == CSP
    # Nothing outside the portal's directory, however the path is spelled.
    for path in ("/..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                 "/a%3Fb/../../../etc/passwd"):
        r = get(portal, path)
        assert b"root:" not in r.content, (path, r.status_code)
        assert r.status_code in (200, 400) and (r.status_code == 400 or r.content == INDEX), path
    # nginx's internal location for the portal is not reachable by its own name.
    r = get(portal, "/_nimbus_portal/index.html")
    assert r.status_code == 404 and r.content != INDEX
    assert r.headers["Content-Type"].startswith("application/json"), r.headers


def test_the_api_keeps_its_mounts_beside_the_portal(portal):
    r = get(portal, "/api/v1/system/")
    assert r.status_code == 200 and r.json()["error_code"] == 0 and r.json()["data"]["ready"]
    assert "Content-Security-Policy" not in r.headers
    r = get(portal, "/api/v1/no_such_thing/")
    assert r.headers["Content-Type"].startswith("application/json") and r.content != INDEX
    assert r.json()["error_code"] != 0, r.text
    r = get(portal, "/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    r = get(portal, "/v3/")
    assert r.content != INDEX and "Content-Security-Policy" not in r.headers
    r = requests.post(portal + "/api/v1/sessions/", json={"user": "nobody", "password": "x"},
                      verify=False, timeout=30)
    assert r.json()["error_code"] != 0 and "Content-Security-Policy" not in r.headers


def test_without_the_setting_there_is_no_portal():
    r = get(BASE_URL, "/")
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in r.headers
    assert r.content != INDEX
    assert get(BASE_URL, "/login").status_code == 404
    r = get(BASE_URL, "/index.html")
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("setting, why", [
    ("relative/web_root", "is not an absolute path"),
    ("/tmp/a dir", "is not an absolute path"),
    ('/tmp/x";root /etc', "is not an absolute path"),
    ("/tmp/$uri", "is not an absolute path"),
    (None, "has no index.html"),
])
def test_a_bad_portal_setting_starts_no_nginx(workdir, setting, why):
    state = tempfile.mkdtemp(prefix="state-", dir=workdir)
    if setting is None:
        setting = tempfile.mkdtemp(prefix="empty-", dir=workdir)
    env = stack_env(state, setting)
    p = stack("nginx-start", env)
    assert p.returncode != 0 and why in p.stderr, p.stdout + p.stderr
    assert not os.path.exists(os.path.join(state, "nginx", "nginx.pid"))
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", int(env["NIMBUS_HTTPS_PORT"]))) != 0
