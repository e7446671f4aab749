"""Where the stack under test is. `make test` (tests/harness.sh) starts a throw-away one and
passes its coordinates:

    NIMBUS_URL             https://127.0.0.1:<port>
    NIMBUS_STATE_DIR       the stack's state directory (pid files, logs)
    NIMBUS_STACK           app/stack.sh (pg-restart, status)
    NIMBUS_REPO            the source tree (for build/<type>/nimbusctl)
    NIMBUS_ADMIN_USER      the bootstrap admin ...
    NIMBUS_ADMIN_PASSWORD  ... and its password
    NIMBUS_DB              libpq conninfo of the stack's database (read-backs, expiry)
    NIMBUS_BUILD_DIR       optional: the build directory whose nimbusctl to use
"""
import os
import re


def _env(name, default=None):
    v = os.environ.get(name)
    return v if v else default


HEX40 = re.compile(r"^[0-9a-f]{40}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")

BASE_URL = _env("NIMBUS_URL", "https://127.0.0.1:18443").rstrip("/")
STATE_DIR = _env("NIMBUS_STATE_DIR", "")
REPO = _env("NIMBUS_REPO", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
STACK = _env("NIMBUS_STACK", os.path.join(REPO, "app", "stack.sh"))
ADMIN_USER = _env("NIMBUS_ADMIN_USER", "admin")
ADMIN_PASSWORD = _env("NIMBUS_ADMIN_PASSWORD", "")
if not ADMIN_PASSWORD and STATE_DIR and os.path.exists(os.path.join(STATE_DIR, "admin-password")):
    with open(os.path.join(STATE_DIR, "admin-password")) as f:
        ADMIN_PASSWORD = f.read().strip()
DB = _env("NIMBUS_DB", "host=%s/pg/sock port=%s dbname=nimbus user=nimbus"
          % (STATE_DIR, _env("NIMBUS_PG_PORT", "5433")))

TIMEOUT = 30  # seconds for one HTTP request (ASan builds hash passwords slowly)

MIB = 1024 ** 2
GIB = 1024 ** 3
