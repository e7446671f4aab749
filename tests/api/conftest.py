"""Fixtures for the black-box API tests, against a running stack (see nimbus_test/env.py for
the environment `make test` passes). The helpers live in the nimbus_test package, one module
per concern; they are re-exported here, so test files write `from conftest import ...`."""
import pytest
import urllib3

from nimbus_test.env import *  # noqa: F401,F403
from nimbus_test.http import *  # noqa: F401,F403
from nimbus_test.logins import *  # noqa: F401,F403
from nimbus_test.db import *  # noqa: F401,F403
from nimbus_test.stack import *  # noqa: F401,F403
from nimbus_test.nano import *  # noqa: F401,F403
from nimbus_test.pools import *  # noqa: F401,F403
from nimbus_test.env import ADMIN_PASSWORD, ADMIN_USER, BASE_URL
from nimbus_test.db import admin_count, run_psql, sql_literal
from nimbus_test.logins import do_login
from nimbus_test.nano import NanoScratch, NanoSession
from nimbus_test.stack import user_add

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def pytest_configure(config):
    # The stack's certificate is self-signed; pytest re-enables warnings per test otherwise.
    config.addinivalue_line("filterwarnings",
                            "ignore::urllib3.exceptions.InsecureRequestWarning")


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


@pytest.fixture(scope="module")
def nano_admin():
    """A module-wide Nano session of the bootstrap admin (log in sparingly: rate limit)."""
    assert ADMIN_PASSWORD, "NIMBUS_ADMIN_PASSWORD is not set"
    return NanoSession(ADMIN_USER, ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def s(nano_admin):
    """The admin's session, as guest modules call it."""
    return nano_admin


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
