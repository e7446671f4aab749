"""Who may call which Nano management route (issue 4).

Four callers: the admin; a manager whose group's role has the "user", "log" and "visibility"
menu tags; a plain user whose group's role has none of them; and a user of yet another group
(also without the tags). Every refused call answers "You do not have permission to perform this
action." and changes nothing (roles, groups, group roles, users and the audit log read back the
same); every allowed write adds exactly one audit row naming the caller."""
import uuid

import pytest

from conftest import (ADMIN_PASSWORD, ADMIN_USER, NANO_REFUSED, NanoSession, audit_mark,
                      audit_since, nano_data, nano_message, request, run_psql, sql_literal,
                      unique_name)

CALLERS = ("admin", "manager", "plain", "other")
PRIVILEGED = {"admin", "manager"}
ALLOWED = {
    "any": set(CALLERS),     # any logged-in user
    "self": set(CALLERS),    # the user named in the path
    "user": PRIVILEGED,      # menu tag "user" (or admin)
    "log": PRIVILEGED,       # menu tag "log"
    "visibility": PRIVILEGED,  # menu tag "visibility"
    "others": PRIVILEGED,    # SELF route naming someone else: needs "user"
}


@pytest.fixture(scope="module")
def callers(nano_admin, module_scratch):
    s = module_scratch
    manager_group = s.group([s.role(["dashboard", "user", "log", "visibility"])])
    plain_group = s.group([s.role(["dashboard", "instance", "compute_pool"])])
    other_group = s.group([s.role(["dashboard", "media"])])
    return {
        "admin": nano_admin,
        "manager": NanoSession(*s.user(manager_group)),
        "plain": NanoSession(*s.user(plain_group)),
        "other": NanoSession(*s.user(other_group)),
    }


def snapshot():
    """Everything a management call could change."""
    return (
        run_psql("SELECT name, array_to_string(menu, ',') FROM roles ORDER BY name"),
        run_psql("SELECT name, display, instance_visible, media_image_visible,"
                 " disk_image_visible FROM user_groups ORDER BY name"),
        run_psql("SELECT g.name, r.name FROM group_roles gr JOIN user_groups g"
                 " ON g.id = gr.group_id JOIN roles r ON r.id = gr.role_id ORDER BY 1, 2"),
        run_psql("SELECT u.name, '=' || u.nick, '=' || u.mail, u.password_hash,"
                 " '=' || coalesce(g.name, '') FROM users u"
                 " LEFT JOIN user_groups g ON g.id = u.group_id ORDER BY 1"),
        run_psql("SELECT count(*), coalesce(max(id), 0) FROM audit_log"),
    )


def peer_of(name, callers):
    """A real user other than the caller: the plain user, or for the plain user the other."""
    return callers["other" if name == "plain" else "plain"].user


# Each case: (id, kind, method, prepare(ctx) -> (path, body)); ctx has scratch, caller, name,
# callers and admin.
def _log_entry(ctx):
    content = "matrix entry " + uuid.uuid4().hex
    nano_data(ctx.admin.post("/logs/", {"content": content}))
    return run_psql("SELECT id::text FROM audit_log WHERE entry = %s" % sql_literal(content))[0][0]


def _flip_visibility(ctx):
    data = nano_data(ctx.caller.get("/resource_visibilities/"))
    return {"instance_visible": not data["instance_visible"]}


CASES = [
    ("roles-list", "user", "GET", lambda c: ("/roles/", None)),
    ("role-get", "user", "GET", lambda c: ("/roles/%s" % c.scratch.role(), None)),
    ("role-create", "user", "POST",
     lambda c: ("/roles/%s" % c.new("role"), {"menu": ["dashboard"]})),
    ("role-modify", "user", "PUT", lambda c: ("/roles/%s" % c.scratch.role(), {"menu": ["log"]})),
    ("role-remove", "user", "DELETE", lambda c: ("/roles/%s" % c.scratch.role(), None)),
    ("groups-list", "user", "GET", lambda c: ("/user_groups/", None)),
    ("group-get", "user", "GET", lambda c: ("/user_groups/%s" % c.scratch.group(), None)),
    ("group-create", "user", "POST",
     lambda c: ("/user_groups/%s" % c.new("group"), {"display": "x", "role": []})),
    ("group-modify", "user", "PUT",
     lambda c: ("/user_groups/%s" % c.scratch.group(), {"display": "changed"})),
    ("group-remove", "user", "DELETE", lambda c: ("/user_groups/%s" % c.scratch.group(), None)),
    ("members-list", "user", "GET",
     lambda c: ("/user_groups/%s/members/" % c.scratch.group(), None)),
    ("member-add", "user", "POST",
     lambda c: ("/user_groups/%s/members/%s" % (c.scratch.group(), c.scratch.user()[0]), None)),
    ("member-remove", "user", "DELETE", lambda c: c.member_remove()),
    ("users-list", "user", "GET", lambda c: ("/users/", None)),
    ("user-create", "user", "POST",
     lambda c: ("/users/%s" % c.new("user"), {"password": "abcdefgh"})),
    ("user-delete", "user", "DELETE", lambda c: ("/users/%s" % c.scratch.user()[0], None)),
    ("user-search", "user", "GET", lambda c: ("/user_search/", None)),
    ("user-search-group", "user", "GET",
     lambda c: ("/user_search/?group=%s" % c.scratch.group(), None)),
    ("user-get-self", "self", "GET", lambda c: ("/users/%s" % c.caller.user, None)),
    ("user-modify-self", "self", "PUT",
     lambda c: ("/users/%s" % c.caller.user, {"nick": "me " + uuid.uuid4().hex[:6]})),
    ("password-self", "self", "PUT",
     lambda c: ("/users/%s/password/" % c.caller.user,
                {"old": c.caller.password, "new": c.caller.password})),
    ("user-get-other", "others", "GET", lambda c: ("/users/%s" % c.scratch.user()[0], None)),
    ("user-modify-other", "others", "PUT",
     lambda c: ("/users/%s" % c.scratch.user()[0], {"nick": "not yours"})),
    ("password-other", "others", "PUT", lambda c: c.other_password()),
    ("user-get-peer", "others", "GET", lambda c: ("/users/%s" % c.peer(), None)),
    ("user-modify-peer", "others", "PUT",
     lambda c: ("/users/%s" % c.peer(), {"nick": "peer " + uuid.uuid4().hex[:6]})),
    ("session-get-own", "any", "GET", lambda c: ("/sessions/%s" % c.caller.token, None)),
    ("session-keep-alive", "any", "PUT", lambda c: ("/sessions/%s" % c.caller.token, None)),
    ("visibility-get", "any", "GET", lambda c: ("/resource_visibilities/", None)),
    ("visibility-put", "visibility", "PUT",
     lambda c: ("/resource_visibilities/", _flip_visibility(c))),
    ("logs-get", "log", "GET", lambda c: ("/logs/?limit=5", None)),
    ("logs-post", "any", "POST",
     lambda c: ("/logs/", {"format": "string", "content": "matrix " + uuid.uuid4().hex})),
    ("logs-delete", "log", "DELETE", lambda c: ("/logs/", {"entries": [_log_entry(c)]})),
]


class Ctx:
    def __init__(self, name, callers, scratch):
        self.name, self.callers, self.scratch = name, callers, scratch
        self.caller, self.admin = callers[name], callers["admin"]

    def new(self, kind):
        n = unique_name(kind[0])
        self.scratch.adopt(kind, n)
        return n

    def peer(self):
        return peer_of(self.name, self.callers)

    def member_remove(self):
        group = self.scratch.group()
        user, _ = self.scratch.user(group)
        return "/user_groups/%s/members/%s" % (group, user), None

    def other_password(self):
        user, password = self.scratch.user()
        return "/users/%s/password/" % user, {"old": password, "new": "changed-by-someone"}


@pytest.fixture
def restore_admin():
    """The admin's own calls in the matrix may flip the admin group's visibility or change
    the admin's nick; put them back."""
    flags = run_psql("SELECT instance_visible, media_image_visible, disk_image_visible"
                     " FROM user_groups WHERE name = 'admin'")[0]
    profile = run_psql("SELECT '=' || nick, '=' || mail FROM users WHERE name = %s"
                       % sql_literal(ADMIN_USER))[0]
    yield
    run_psql("UPDATE user_groups SET instance_visible = %s, media_image_visible = %s,"
             " disk_image_visible = %s WHERE name = 'admin'" % tuple(sql_literal(v) for v in flags))
    run_psql("UPDATE users SET nick = %s, mail = %s WHERE name = %s"
             % (sql_literal(profile[0][1:]), sql_literal(profile[1][1:]), sql_literal(ADMIN_USER)))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(callers, scratch, restore_admin, case, caller):
    case_id, kind, method, prepare = case
    ctx = Ctx(caller, callers, scratch)
    path, body = prepare(ctx)
    before = snapshot()
    mark = audit_mark()
    r = ctx.caller.call(method, path, body)
    if caller in ALLOWED[kind]:
        nano_data(r)
        if method == "GET" or case_id == "session-keep-alive":
            assert audit_since(mark) == []
        elif case_id == "logs-post":
            assert audit_since(mark) == [body["content"]]
        else:
            rows = audit_since(mark)
            assert len(rows) == 1 and rows[0].startswith(ctx.caller.user + " "), rows
    else:
        assert nano_message(r) == NANO_REFUSED
        assert snapshot() == before
        assert audit_since(mark) == []


# ------------------------------------------------------------------ more than the matrix

def test_refused_calls_reveal_nothing_about_existence(callers):
    """A refused caller gets the same answer for a real and a made-up object."""
    plain = callers["plain"]
    for path in ("/roles/%s", "/user_groups/%s", "/user_groups/%s/members/"):
        real = nano_message(plain.get(path % "admin"))
        made_up = nano_message(plain.get(path % unique_name("ghost")))
        assert real == made_up == NANO_REFUSED


def test_unauthenticated_calls_are_refused_and_change_nothing(scratch):
    role = scratch.role(["dashboard"])
    before = snapshot()
    mark = audit_mark()
    for method, path, body in [("GET", "/roles/", None),
                               ("PUT", "/roles/%s" % role, {"menu": ["log"]}),
                               ("POST", "/users/%s" % unique_name("u"), {"password": "abcdefg"}),
                               ("PUT", "/resource_visibilities/", {"instance_visible": True}),
                               ("DELETE", "/logs/", {"entries": []}),
                               ("GET", "/users/%s" % ADMIN_USER, None)]:
        r = request(method, "/api/v1" + path, json=body)
        assert nano_message(r) == "unauthenticated request", (method, path)
        r = request(method, "/api/v1" + path, json=body, headers={"Nano-Session": "f" * 40})
        assert nano_message(r) == "invalid session", (method, path)
    assert snapshot() == before
    assert audit_since(mark) == []


def test_user_manager_cannot_view_someone_elses_session(callers):
    manager = callers["manager"]
    msg = nano_message(manager.get("/sessions/%s" % callers["plain"].token))
    assert "invalid session" in msg


def test_admin_can_view_another_users_session(callers):
    data = nano_data(callers["admin"].get("/sessions/%s" % callers["plain"].token))
    assert data["user"] == callers["plain"].user


def test_plain_user_cannot_keep_alive_someone_elses_session(callers):
    assert "invalid session" in nano_message(
        callers["plain"].put("/sessions/%s" % callers["other"].token))


def test_plain_user_cannot_change_another_users_password(callers, scratch):
    """Even knowing the old password, SELF does not stretch to other users."""
    victim, password = scratch.user(scratch.group())
    before = snapshot()
    msg = nano_message(callers["plain"].put("/users/%s/password/" % victim,
                                            {"old": password, "new": "stolen-pass"}))
    assert msg == NANO_REFUSED
    assert snapshot() == before


def test_plain_user_cannot_change_admin_password(callers):
    before = snapshot()
    msg = nano_message(callers["other"].put("/users/%s/password/" % ADMIN_USER,
                                            {"old": ADMIN_PASSWORD, "new": "stolen-pass"}))
    assert msg == NANO_REFUSED
    assert snapshot() == before


def test_log_tag_alone_grants_logs_but_not_user_management(scratch):
    s = NanoSession(*scratch.user(scratch.group([scratch.role(["log"])])))
    nano_data(s.get("/logs/"))
    before = snapshot()
    assert nano_message(s.get("/roles/")) == NANO_REFUSED
    assert nano_message(s.post("/roles/%s" % unique_name("r"), {"menu": []})) == NANO_REFUSED
    assert nano_message(s.put("/resource_visibilities/", {"instance_visible": True})) \
        == NANO_REFUSED
    assert snapshot() == before


def test_user_tag_alone_grants_management_but_not_logs_or_visibility(scratch):
    s = NanoSession(*scratch.user(scratch.group([scratch.role(["user"])])))
    nano_data(s.get("/users/"))
    nano_data(s.get("/roles/"))
    before = snapshot()
    assert nano_message(s.get("/logs/")) == NANO_REFUSED
    assert nano_message(s.put("/resource_visibilities/", {"instance_visible": True})) \
        == NANO_REFUSED
    assert snapshot() == before


def test_visibility_tag_alone_grants_only_visibility(scratch):
    group = scratch.group([scratch.role(["visibility"])])
    s = NanoSession(*scratch.user(group))
    before = snapshot()
    assert nano_message(s.get("/users/")) == NANO_REFUSED
    assert nano_message(s.get("/logs/")) == NANO_REFUSED
    assert snapshot() == before
    nano_data(s.put("/resource_visibilities/", {"media_image_visible": True}))
    assert run_psql("SELECT media_image_visible FROM user_groups WHERE name = %s"
                    % sql_literal(group)) == [["t"]]


def test_granting_and_revoking_a_tag_takes_effect_in_the_live_session(nano_admin, scratch):
    role = scratch.role(["dashboard"])
    s = NanoSession(*scratch.user(scratch.group([role])))
    assert nano_message(s.get("/users/")) == NANO_REFUSED
    nano_data(nano_admin.put("/roles/%s" % role, {"menu": ["dashboard", "user"]}))
    assert s.user in nano_data(s.get("/users/"))
    nano_data(nano_admin.put("/roles/%s" % role, {"menu": ["dashboard"]}))
    assert nano_message(s.get("/users/")) == NANO_REFUSED


def test_removing_a_user_from_its_group_takes_its_permissions(nano_admin, scratch):
    group = scratch.group([scratch.role(["user"])])
    s = NanoSession(*scratch.user(group))
    nano_data(s.get("/users/"))
    nano_data(nano_admin.delete("/user_groups/%s/members/%s" % (group, s.user)))
    assert nano_message(s.get("/users/")) == "invalid session"  # the session ends with it
