"""Astakos's account API (/account/v1.0/) as its clients call it: X-Auth-Token from the
Keystone-v2 log-in, projects made and approved in one call, and read-backs of the project
tables that prove a refused request changed nothing."""
import datetime
import json
import uuid

from nimbus_test.db import run_psql, sql_literal
from nimbus_test.http import request
from nimbus_test.logins import login_response
from nimbus_test.stack import user_add

BASE = "/account/v1.0"


def dashed(hex32):
    """A uuid in the form Astakos prints, from the 32 hex digits the log-in returns."""
    return str(uuid.UUID(hex32))


def future(days=30):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.isoformat()


def past(days=1):
    return future(-days)


def project_name():
    return "p%s.example.org" % uuid.uuid4().hex[:10]


class Astakos:
    """One user's log-in through POST /identity/v2.0/tokens and requests with its token."""

    def __init__(self, user=None, password=None):
        r = login_response("astakos", user, password)
        assert r.status_code == 200, r.text
        access = r.json()["access"]
        self.token = access["token"]["id"]
        self.uuid = dashed(access["user"]["id"])
        self.name = access["user"]["name"]

    def call(self, method, path, body=None, params=None, token=True, raw=None):
        """path in full (/account/v1.0/...), as the coverage document reads it."""
        headers = {"X-Auth-Token": self.token} if token else {}
        kw = {"headers": headers, "params": params}
        if raw is not None:
            kw["data"] = raw
            headers["Content-Type"] = "application/json"
        elif body is not None:
            kw["json"] = body
        return request(method, path, **kw)

    def get(self, path, **params):
        return self.call("GET", path, params=params or None)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def ok(self, method, path, body=None, status=200, params=None):
        r = self.call(method, path, body, params=params)
        assert r.status_code == status, "%s %s: %s %s" % (method, path, r.status_code, r.text)
        return r.json() if r.content else None

    # ---------------------------------------------------------------- projects

    def apply(self, **fields):
        """POST /projects with a valid application, fields overriding; (project, app)."""
        body = {"name": project_name(), "end_date": future(),
                "resources": {"cyclades.vm": {"project_capacity": 10, "member_capacity": 2}}}
        body.update(fields)
        out = self.ok("POST", BASE + "/projects", body, status=201)
        return out["id"], out["application"]

    def project(self, pid):
        return self.ok("GET", BASE + "/projects/%s" % pid)

    def act(self, pid, action, app_id=None, reason="because", status=200):
        data = {"reason": reason}
        if app_id is not None:
            data["app_id"] = app_id
        r = self.post(BASE + "/projects/%s/action" % pid, {action: data})
        assert r.status_code == status, "%s %s: %s %s" % (action, pid, r.status_code, r.text)
        return r

    def membership(self, mid):
        return self.ok("GET", BASE + "/projects/memberships/%s" % mid)

    def member_act(self, mid, action, reason="please", status=200):
        r = self.post(BASE + "/projects/memberships/%s/action" % mid, {action: reason})
        assert r.status_code == status, "%s %s: %s %s" % (action, mid, r.status_code, r.text)
        return r


def active_project(owner, admin, **fields):
    """A project owner applied for and admin approved; its uuid."""
    pid, app = owner.apply(**fields)
    admin.act(pid, "approve", app)
    return pid


def new_astakos_user(mail=None, group=None, pending_apps=None):
    """A fresh user (nimbusctl, in group when given: "admin" for an administrator), logged in
    through Astakos; mail set when given; pending_apps: its limit on pending applications."""
    name, password = user_add(group)
    if mail is not None:
        run_psql("UPDATE users SET mail = %s WHERE name = %s" % (sql_literal(mail),
                                                                 sql_literal(name)))
    user = Astakos(name, password)
    if pending_apps is not None:
        allow_pending_apps(user, pending_apps)
    return user


PENDING_APP = "astakos.pending_app"


def allow_pending_apps(user, n):
    """Sets user's limit on pending applications (astakos.pending_app of its base project, 2
    by default), as an operator changes a user's base quota: for tests that leave many
    applications pending."""
    rows = run_psql("UPDATE project_resources SET project_capacity = %d, member_capacity = %d"
                    " WHERE project_id = %s AND resource_id = (SELECT id FROM resources"
                    " WHERE name = %s) RETURNING 1"
                    % (n, n, sql_literal(user.uuid), sql_literal(PENDING_APP)))
    assert rows, "no %s limit in the base project of %s" % (PENDING_APP, user.name)


def fault(r, status, name):
    """Checks an Astakos fault: HTTP status, {"<name>": {"code", "message", "details"}}."""
    assert r.status_code == status, r.text
    body = r.json()
    assert list(body) == [name], body
    assert body[name]["code"] == status and body[name]["message"], body
    return body[name]["message"]


def project_tables(pid=None):
    """Everything the project tables hold about one project (or all of them, as counts): what a
    refused request must leave as it was."""
    if pid is None:
        return run_psql("SELECT (SELECT count(*) FROM projects),"
                        " (SELECT count(*) FROM project_applications),"
                        " (SELECT count(*) FROM project_application_resources),"
                        " (SELECT count(*) FROM project_members),"
                        " (SELECT count(*) FROM project_resources)")
    p = sql_literal(pid)
    return run_psql(
        "SELECT (SELECT row_to_json(p)::text FROM projects p WHERE id = %s),"
        " (SELECT json_agg(a ORDER BY a.id)::text FROM project_applications a"
        "   WHERE a.project_id = %s),"
        " (SELECT json_agg(m ORDER BY m.id)::text FROM project_members m WHERE m.project_id = %s),"
        " (SELECT json_agg(g ORDER BY g.resource_id)::text FROM project_resources g"
        "   WHERE g.project_id = %s),"
        " (SELECT count(*) FROM audit_log WHERE entry LIKE '%%' || %s || '%%')"
        % (p, p, p, p, p))


def audit_entries(fragment):
    """Audit entries mentioning fragment, as (dialect, entry), oldest first."""
    return [tuple(row) for row in run_psql(
        "SELECT dialect, entry FROM audit_log WHERE entry LIKE '%%' || %s || '%%' ORDER BY id"
        % sql_literal(fragment))]


def db_json(sql):
    rows = run_psql(sql)
    return json.loads(rows[0][0]) if rows and rows[0][0] else None
