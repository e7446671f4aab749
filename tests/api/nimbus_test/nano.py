"""Nano management: a logged-in Nano session, its reply shapes, and scratch roles, groups and
users removed again when a test ends."""
import time
import uuid

import requests

from nimbus_test.db import run_psql, sql_literal
from nimbus_test.http import request
from nimbus_test.logins import do_login


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
