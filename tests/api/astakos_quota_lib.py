"""Helpers shared by the Astakos quota and commission tests (issue 17): users with an Astakos
token, services registered with nimbusctl, projects and their limits, and read-backs of the
quotaholder's tables.

Projects and memberships are made straight in the database here (the projects API is another
part of issue 17); limits too, as the project model keeps them (project_resources)."""
import uuid

import pytest

from conftest import (do_login, get, post, psql_scalar, run_psql, sql_literal, unique_name,
                      user_add)
from nimbus_test.stack import nimbusctl

ACCOUNT = "/account/v1.0"
COMPUTE = ("cyclades.vm", "cyclades.cpu", "cyclades.ram", "cyclades.disk")


def service_add(name=None):
    """`nimbusctl service add NAME`: (name, the token it printed)."""
    name = name or unique_name("svc")
    p = nimbusctl("service", "add", name)
    assert p.returncode == 0, "nimbusctl service add failed: %s%s" % (p.stdout, p.stderr)
    return name, p.stdout.strip()


def compute_service():
    """A token of the service the compute resources name (cyclades_compute)."""
    return service_add("cyclades_compute")[1]


class User:
    """A fresh user: name, uuid (dashed, as Astakos shows projects), an Astakos token."""

    def __init__(self):
        self.name, self.password = user_add()
        self.token = do_login("astakos", self.name, self.password)
        self.uuid = psql_scalar("SELECT uuid FROM users WHERE name = %s" % sql_literal(self.name))
        self.id = psql_scalar("SELECT id FROM users WHERE name = %s" % sql_literal(self.name))

    @property
    def base(self):
        return self.uuid

    def quotas(self):
        r = get(ACCOUNT + "/quotas", headers={"X-Auth-Token": self.token})
        assert r.status_code == 200, r.text
        return r.json()


# Fixtures of the quota and commission tests; a test module imports them by name.

@pytest.fixture(scope="module")
def svc():
    """A token of the compute service, one per test module."""
    return compute_service()


@pytest.fixture
def user():
    """A fresh user for each test."""
    return User()


def auth(token):
    return {"X-Auth-Token": token}


def set_limit(project, resource, project_capacity, member_capacity=None):
    n = run_psql("UPDATE project_resources SET project_capacity = %d, member_capacity = %d"
                 " WHERE project_id = %s AND resource_id = (SELECT id FROM resources"
                 " WHERE name = %s) RETURNING 1"
                 % (project_capacity, project_capacity if member_capacity is None
                    else member_capacity, sql_literal(project), sql_literal(resource)))
    assert n, "no limit of %s in %s" % (resource, project)


def make_project(members=(), limits=None, state="active", member_state="accepted"):
    """A project with limits {resource: (project_capacity, member_capacity)} (the compute
    resources at 0 otherwise) and the given members; its uuid."""
    pid = str(uuid.uuid4())
    limits = limits or {}
    run_psql("BEGIN;"
             " INSERT INTO projects (id, name, state) VALUES (%s, %s, %s);"
             " INSERT INTO project_resources (project_id, resource_id, project_capacity,"
             "                                member_capacity)"
             " SELECT %s, id, 0, 0 FROM resources ON CONFLICT DO NOTHING;"
             " COMMIT;" % (sql_literal(pid), sql_literal(unique_name("p")), sql_literal(state),
                           sql_literal(pid)))
    for res, (pc, mc) in limits.items():
        set_limit(pid, res, pc, mc)
    for u in members:
        add_member(pid, u, member_state)
    return pid


def add_member(project, user, state="accepted"):
    run_psql("INSERT INTO project_members (project_id, user_id, state) VALUES (%s, %s, %s)"
             " ON CONFLICT (project_id, user_id, role) DO UPDATE SET state = EXCLUDED.state"
             % (sql_literal(project), user.id, sql_literal(state)))


def provision(user_or_project, project, resource, quantity):
    """A member's provision (user given) or a project's own (user None)."""
    if user_or_project is None:
        return {"holder": "project:" + project, "source": None, "resource": resource,
                "quantity": quantity}
    return {"holder": "user:" + user_or_project.uuid, "source": "project:" + project,
            "resource": resource, "quantity": quantity}


def both(user, project, resource, quantity):
    """The pair Astakos's guide shows: the member's provision and the project's own."""
    return [provision(user, project, resource, quantity),
            provision(None, project, resource, quantity)]


def commission(token, provisions, **opts):
    body = dict(opts, provisions=provisions)
    return post(ACCOUNT + "/commissions", json=body, headers=auth(token))


def serial_of(r):
    assert r.status_code == 201, r.text
    serial = r.json()["serial"]
    assert isinstance(serial, int)
    return serial


def holdings(project):
    """{(user id or None, resource): (usage_min, usage_max)} of a project, as stored."""
    rows = run_psql("SELECT coalesce(h.user_id::text, ''), r.name, h.usage_min, h.usage_max"
                    " FROM holdings h JOIN resources r ON r.id = h.resource_id"
                    " WHERE h.project_id = %s" % sql_literal(project))
    return {(u or None, res): (int(lo), int(hi)) for u, res, lo, hi in rows}


def commission_rows():
    return int(psql_scalar("SELECT count(*) FROM commissions")), \
        int(psql_scalar("SELECT count(*) FROM provisions"))


def fault(r, status, name):
    """The body of an Astakos fault: {name: {code, message, details}}."""
    assert r.status_code == status, "%s %s" % (r.status_code, r.text)
    body = r.json()
    assert list(body) == [name], body
    assert body[name]["code"] == status and body[name]["message"], body
    return body[name]


def effective_limit(q):
    """The guide's formula: min(limit, project_limit - (project_usage - usage))."""
    return min(q["limit"], q["project_limit"] - (q["project_usage"] - q["usage"]))
