"""A fresh system beside the stack: a new database in the stack's PostgreSQL cluster, migrated
and with no user at all, served by a nimbus-api of its own (the build the stack runs) on a
FastCGI socket in a temporary directory. For what only an empty system shows (Nano's first-run
initialisation): the stack's own database always has its admin. Requests go to the workers over
FastCGI as nginx would send them; no nginx in front, so nothing of nginx is tested here."""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import tempfile
import time
import uuid

from nimbus_test.db import psql_bin
from nimbus_test.env import DB
from nimbus_test.stack import build_dir

_BEGIN, _END, _PARAMS, _STDIN, _STDOUT, _STDERR = 1, 3, 4, 5, 6, 7


def _record(kind, content=b""):
    pad = -len(content) % 8
    return struct.pack(">BBHHBB", 1, kind, 1, len(content), pad, 0) + content + b"\0" * pad


def _pair(name, value):
    def size(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    name, value = name.encode(), value.encode()
    return size(len(name)) + size(len(value)) + name + value


def _conninfo(dbname, user):
    info = re.sub(r"dbname=\S+", "dbname=" + dbname, DB)
    return re.sub(r"user=\S+", "user=" + user, info)


class Reply:
    def __init__(self, status, headers, body):
        self.status_code, self.headers, self.text = status, headers, body

    def json(self):
        return json.loads(self.text)


class FreshSystem:
    """start() makes the database and the workers; stop() removes both. call() sends one
    request and returns a Reply (status_code, headers, text, json())."""

    def __init__(self):
        self.dbname = "nimbus_fresh_" + uuid.uuid4().hex[:12]
        self.db = _conninfo(self.dbname, "nimbus")
        self.dir = tempfile.TemporaryDirectory()
        self.sock = os.path.join(self.dir.name, "api.sock")
        self.proc = None

    def _admin_sql(self, sql, check=True, timeout_s=None):
        env = dict(os.environ)
        if timeout_s is not None:
            env["PGOPTIONS"] = "-c statement_timeout=%ds" % timeout_s
        p = subprocess.run([psql_bin(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                            "-d", _conninfo("postgres", "postgres"), "-c", sql],
                           capture_output=True, text=True, timeout=60, env=env)
        assert p.returncode == 0 or not check, "%s: %s" % (sql, p.stderr)
        return p.returncode == 0

    def start(self):
        self._admin_sql("CREATE DATABASE %s OWNER nimbus" % self.dbname)
        # None of the stack's listen addresses: nimbus-api replaces the socket it binds, and
        # would take a pool's socket from the stack (as it took the wait pool's once).
        env = {k: v for k, v in os.environ.items() if not k.endswith("_LISTEN")}
        env.update(NIMBUS_DB=self.db, NIMBUS_STATE_DIR=self.dir.name,
                   NIMBUS_FCGI_LISTEN=self.sock, NIMBUS_WORKERS="1", NIMBUS_UPLOAD_WORKERS="1",
                   NIMBUS_LOGIN_WORKERS="1", NIMBUS_WAIT_WORKERS="1",
                   NIMBUS_UPLOAD_LISTEN=os.path.join(self.dir.name, "upload.sock"),
                   NIMBUS_LOGIN_LISTEN=os.path.join(self.dir.name, "login.sock"),
                   NIMBUS_WAIT_LISTEN=os.path.join(self.dir.name, "wait.sock"))
        p = subprocess.run([os.path.join(build_dir(), "nimbusctl"), "migrate"], env=env,
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, "nimbusctl migrate: %s%s" % (p.stdout, p.stderr)
        self.proc = subprocess.Popen([os.path.join(build_dir(), "nimbus-api")], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.call("GET", "/healthz").status_code == 200:
                    return self
            except OSError:
                pass
            assert self.proc.poll() is None, "nimbus-api exited with %s" % self.proc.returncode
            assert time.monotonic() < deadline, "the fresh nimbus-api did not answer /healthz"
            time.sleep(0.1)

    def stop(self):
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # PostgreSQL 15's DROP DATABASE waits until every backend of the cluster has absorbed a
        # signal barrier, and a long idle backend of the stack may never do so: after 10 s the
        # empty database is left in the throw-away cluster rather than the run hanging.
        self._admin_sql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.dbname, check=False,
                        timeout_s=10)
        self.dir.cleanup()

    def sql(self, sql):
        """Rows of sql in the fresh database, as lists of strings."""
        p = subprocess.run([psql_bin(), "-X", "-q", "-t", "-A", "-F", "\t", "-v",
                            "ON_ERROR_STOP=1", "-d", self.db, "-c", sql],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, "%s: %s" % (sql, p.stderr)
        return [line.split("\t") for line in p.stdout.splitlines() if line != ""]

    def call(self, method, path, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        uri, _, query = path.partition("?")
        params = {"REQUEST_METHOD": method, "REQUEST_URI": path, "DOCUMENT_URI": uri,
                  "QUERY_STRING": query, "CONTENT_LENGTH": str(len(data)),
                  "CONTENT_TYPE": "application/json" if body is not None else "",
                  "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1"}
        for k, v in (headers or {}).items():
            params["HTTP_" + k.upper().replace("-", "_")] = v
        out = _record(_BEGIN, struct.pack(">HB5x", 1, 0))
        out += _record(_PARAMS, b"".join(_pair(k, v) for k, v in params.items()))
        out += _record(_PARAMS) + (_record(_STDIN, data) if data else b"") + _record(_STDIN)
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(60)
            s.connect(self.sock)
            s.sendall(out)
            stdout, buf = b"", b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            while len(buf) >= 8:
                _, kind, _, n, pad, _ = struct.unpack(">BBHHBB", buf[:8])
                if kind == _STDOUT:
                    stdout += buf[8:8 + n]
                buf = buf[8 + n + pad:]
        head, _, text = stdout.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n") if line)
        status = int(headers.get("Status", "200").split()[0])
        return Reply(status, headers, text.decode())
