"""Nano user groups, their members, user search and what a session shows of them (issue 4)."""
import pytest

from conftest import (ADMIN_USER, NanoSession, audit_mark, audit_since, nano_data,
                      nano_message, run_psql, sql_literal, unique_name)
from conftest import group_of_user as group_of


def group_detail(admin, name):
    return nano_data(admin.get("/user_groups/%s" % name))


def group_rows(name):
    return run_psql("SELECT name, display FROM user_groups WHERE name = %s" % sql_literal(name))


# ------------------------------------------------------------------ groups

def test_group_list_shows_name_display_and_member_count(nano_admin, scratch):
    group = scratch.group(display="Group of Testers")
    scratch.user(group)
    scratch.user(group)
    empty = scratch.group(display="Nobody here")
    data = nano_data(nano_admin.get("/user_groups/"))
    assert isinstance(data, list)
    by_name = {g["name"]: g for g in data}
    assert by_name[group] == {"name": group, "display": "Group of Testers", "member": 2}
    assert by_name[empty] == {"name": empty, "display": "Nobody here", "member": 0}
    assert by_name["admin"]["member"] >= 1


def test_group_get_shows_name_display_roles_and_members(nano_admin, scratch):
    r1, r2 = scratch.role(["dashboard"]), scratch.role(["instance"])
    group = scratch.group([r1, r2], display="Group of Manager")
    u1, _ = scratch.user(group)
    u2, _ = scratch.user(group)
    data = group_detail(nano_admin, group)
    assert set(data) == {"name", "display", "role", "member"}
    assert data["name"] == group and data["display"] == "Group of Manager"
    assert sorted(data["role"]) == sorted([r1, r2])
    assert sorted(data["member"]) == sorted([u1, u2])


def test_group_create_with_display_and_roles_writes_one_audit_row(nano_admin, scratch):
    role = scratch.role(["dashboard"])
    group = unique_name("g")
    scratch.adopt("group", group)
    mark = audit_mark()
    assert nano_data(nano_admin.post("/user_groups/%s" % group,
                                     {"display": "Display " + group, "role": [role]})) == ""
    assert audit_since(mark) == ["%s creates user group %s" % (ADMIN_USER, group)]
    data = group_detail(nano_admin, group)
    assert data == {"name": group, "display": "Display " + group, "role": [role], "member": []}


def test_group_create_without_roles_has_no_roles(nano_admin, scratch):
    group = unique_name("g")
    scratch.adopt("group", group)
    nano_data(nano_admin.post("/user_groups/%s" % group, {"display": "x"}))
    assert group_detail(nano_admin, group)["role"] == []


def test_group_modify_changes_display_and_replaces_roles(nano_admin, scratch):
    r1, r2, r3 = scratch.role(), scratch.role(), scratch.role()
    group = scratch.group([r1, r2], display="before")
    mark = audit_mark()
    nano_data(nano_admin.put("/user_groups/%s" % group, {"display": "after", "role": [r3, r2]}))
    assert audit_since(mark) == ["%s modifies user group %s" % (ADMIN_USER, group)]
    data = group_detail(nano_admin, group)
    assert data["display"] == "after"
    assert sorted(data["role"]) == sorted([r2, r3])


def test_group_modify_without_role_keeps_roles(nano_admin, scratch):
    r1 = scratch.role()
    group = scratch.group([r1], display="before")
    nano_data(nano_admin.put("/user_groups/%s" % group, {"display": "after"}))
    data = group_detail(nano_admin, group)
    assert data["display"] == "after" and data["role"] == [r1]


def test_group_modify_without_display_keeps_display(nano_admin, scratch):
    r1, r2 = scratch.role(), scratch.role()
    group = scratch.group([r1], display="kept")
    nano_data(nano_admin.put("/user_groups/%s" % group, {"role": [r2]}))
    data = group_detail(nano_admin, group)
    assert data["display"] == "kept" and data["role"] == [r2]


def test_group_modify_with_empty_role_list_drops_all_roles(nano_admin, scratch):
    group = scratch.group([scratch.role()])
    nano_data(nano_admin.put("/user_groups/%s" % group, {"role": []}))
    assert group_detail(nano_admin, group)["role"] == []


def test_group_remove_deletes_empty_group_and_writes_one_audit_row(nano_admin, scratch):
    group = scratch.group()
    mark = audit_mark()
    nano_data(nano_admin.delete("/user_groups/%s" % group))
    assert audit_since(mark) == ["%s removes user group %s" % (ADMIN_USER, group)]
    assert group not in [g["name"] for g in nano_data(nano_admin.get("/user_groups/"))]
    assert "not found" in nano_message(nano_admin.get("/user_groups/%s" % group))
    assert group_rows(group) == []


def test_group_remove_releases_its_roles_for_removal(nano_admin, scratch):
    role = scratch.role()
    group = scratch.group([role])
    nano_data(nano_admin.delete("/user_groups/%s" % group))
    nano_data(nano_admin.delete("/roles/%s" % role))
    assert role not in nano_data(nano_admin.get("/roles/"))


def test_group_routes_answer_with_and_without_trailing_slash(nano_admin, scratch):
    group = unique_name("g")
    scratch.adopt("group", group)
    nano_data(nano_admin.post("/user_groups/%s/" % group, {"display": "slash"}))
    assert group in [g["name"] for g in nano_data(nano_admin.get("/user_groups"))]
    assert group_detail(nano_admin, group + "/")["display"] == "slash"
    user, _ = scratch.user()
    nano_data(nano_admin.post("/user_groups/%s/members/%s/" % (group, user)))
    assert nano_data(nano_admin.get("/user_groups/%s/members" % group)) == [user]
    nano_data(nano_admin.delete("/user_groups/%s/members/%s" % (group, user)))
    assert nano_data(nano_admin.get("/user_groups/%s/members/" % group)) == []


# ------------------------------------------------------------------ members

def test_members_list_returns_member_names(nano_admin, scratch):
    group = scratch.group()
    u1, _ = scratch.user(group)
    u2, _ = scratch.user(group)
    scratch.user()  # not a member
    data = nano_data(nano_admin.get("/user_groups/%s/members/" % group))
    assert sorted(data) == sorted([u1, u2])


def test_members_list_of_empty_group_is_empty(nano_admin, scratch):
    assert nano_data(nano_admin.get("/user_groups/%s/members/" % scratch.group())) == []


def test_member_add_puts_user_in_group_and_writes_one_audit_row(nano_admin, scratch):
    group = scratch.group()
    user, _ = scratch.user()
    mark = audit_mark()
    nano_data(nano_admin.post("/user_groups/%s/members/%s" % (group, user)))
    assert audit_since(mark) == ["%s adds %s to user group %s" % (ADMIN_USER, user, group)]
    assert nano_data(nano_admin.get("/user_groups/%s/members/" % group)) == [user]
    assert group_of(user) == group


def test_member_remove_takes_user_out_and_writes_one_audit_row(nano_admin, scratch):
    group = scratch.group()
    user, _ = scratch.user(group)
    mark = audit_mark()
    nano_data(nano_admin.delete("/user_groups/%s/members/%s" % (group, user)))
    assert audit_since(mark) == ["%s removes %s from user group %s" % (ADMIN_USER, user, group)]
    assert nano_data(nano_admin.get("/user_groups/%s/members/" % group)) == []
    assert group_of(user) == ""


def test_member_add_of_user_in_another_group_is_refused(nano_admin, scratch):
    first, second = scratch.group(), scratch.group()
    user, _ = scratch.user(first)
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/user_groups/%s/members/%s" % (second, user)))
    assert first in msg, msg
    assert group_of(user) == first
    assert nano_data(nano_admin.get("/user_groups/%s/members/" % second)) == []
    assert audit_since(mark) == []


def test_member_add_of_user_already_in_the_group_is_refused(nano_admin, scratch):
    group = scratch.group()
    user, _ = scratch.user(group)
    mark = audit_mark()
    nano_message(nano_admin.post("/user_groups/%s/members/%s" % (group, user)))
    assert nano_data(nano_admin.get("/user_groups/%s/members/" % group)) == [user]
    assert audit_since(mark) == []


def test_member_add_of_unknown_user_is_not_found(nano_admin, scratch):
    group = scratch.group()
    ghost = unique_name("ghost")
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/user_groups/%s/members/%s" % (group, ghost)))
    assert "not found" in msg and ghost in msg
    assert nano_data(nano_admin.get("/user_groups/%s/members/" % group)) == []
    assert audit_since(mark) == []


def test_member_add_to_unknown_group_is_not_found(nano_admin, scratch):
    user, _ = scratch.user()
    ghost = unique_name("ghost")
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/user_groups/%s/members/%s" % (ghost, user)))
    assert "not found" in msg and ghost in msg
    assert group_of(user) == ""
    assert group_rows(ghost) == []
    assert audit_since(mark) == []


def test_member_remove_of_non_member_is_refused(nano_admin, scratch):
    group, other = scratch.group(), scratch.group()
    user, _ = scratch.user(other)
    mark = audit_mark()
    nano_message(nano_admin.delete("/user_groups/%s/members/%s" % (group, user)))
    assert group_of(user) == other
    assert audit_since(mark) == []


def test_members_list_of_unknown_group_is_not_found(nano_admin):
    assert "not found" in nano_message(
        nano_admin.get("/user_groups/%s/members/" % unique_name("ghost")))


# ------------------------------------------------------------------ bad input changes nothing

def test_group_create_duplicate_name_is_refused_and_keeps_group(nano_admin, scratch):
    role = scratch.role()
    group = scratch.group([role], display="original")
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/user_groups/%s" % group, {"display": "copy", "role": []}))
    assert "already exists" in msg
    data = group_detail(nano_admin, group)
    assert data["display"] == "original" and data["role"] == [role]
    assert audit_since(mark) == []


def test_group_create_with_unknown_role_creates_no_group(nano_admin, scratch):
    role = scratch.role()
    group = unique_name("g")
    scratch.adopt("group", group)
    ghost = unique_name("norole")
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/user_groups/%s" % group,
                                       {"display": "x", "role": [role, ghost]}))
    assert "not found" in msg and ghost in msg
    assert group_rows(group) == []
    assert "not found" in nano_message(nano_admin.get("/user_groups/%s" % group))
    assert audit_since(mark) == []


def test_group_modify_with_unknown_role_keeps_roles_and_display(nano_admin, scratch):
    r1, r2 = scratch.role(), scratch.role()
    group = scratch.group([r1], display="before")
    ghost = unique_name("norole")
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/user_groups/%s" % group,
                                      {"display": "after", "role": [r2, ghost]}))
    assert "not found" in msg and ghost in msg
    data = group_detail(nano_admin, group)
    assert data["display"] == "before" and data["role"] == [r1]
    assert audit_since(mark) == []


def test_group_get_modify_remove_of_unknown_group_are_not_found(nano_admin):
    ghost = unique_name("ghost")
    mark = audit_mark()
    assert "not found" in nano_message(nano_admin.get("/user_groups/%s" % ghost))
    assert "not found" in nano_message(nano_admin.put("/user_groups/%s" % ghost,
                                                      {"display": "x"}))
    assert "not found" in nano_message(nano_admin.delete("/user_groups/%s" % ghost))
    assert group_rows(ghost) == []
    assert audit_since(mark) == []


def test_group_remove_of_non_empty_group_is_refused(nano_admin, scratch):
    group = scratch.group()
    user, _ = scratch.user(group)
    mark = audit_mark()
    msg = nano_message(nano_admin.delete("/user_groups/%s" % group))
    assert "member" in msg, msg
    assert group_detail(nano_admin, group)["member"] == [user]
    assert group_of(user) == group
    assert audit_since(mark) == []


@pytest.mark.parametrize("bad", ["bad%20name", "-x", "_x", "x" * 65, "a%2Cb"])
def test_group_create_with_invalid_name_is_refused(nano_admin, bad):
    before = nano_data(nano_admin.get("/user_groups/"))
    mark = audit_mark()
    assert "name" in nano_message(nano_admin.post("/user_groups/%s" % bad, {"display": "x"}))
    assert nano_data(nano_admin.get("/user_groups/")) == before
    assert audit_since(mark) == []


@pytest.mark.parametrize("body, words", [
    ({"display": 5}, ["display", "string"]),
    ({"display": ["a"]}, ["display", "string"]),
    ({"role": "x"}, ["role", "array"]),
    ({"role": [1]}, ["role", "string"]),
    ({"display": "x", "members": []}, ["members", "not accepted"]),
], ids=["display-number", "display-array", "role-string", "role-numbers", "unknown-field"])
def test_group_modify_with_wrong_body_is_refused_and_keeps_group(nano_admin, scratch, body, words):
    role = scratch.role()
    group = scratch.group([role], display="before")
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/user_groups/%s" % group, body))
    for w in words:
        assert w in msg, msg
    data = group_detail(nano_admin, group)
    assert data["display"] == "before" and data["role"] == [role]
    assert audit_since(mark) == []


@pytest.mark.parametrize("body", [{"display": 5}, {"role": "admin"}, {"bogus": 1}],
                         ids=["display-number", "role-string", "unknown-field"])
def test_group_create_with_wrong_body_creates_no_group(nano_admin, scratch, body):
    group = unique_name("g")
    scratch.adopt("group", group)
    mark = audit_mark()
    nano_message(nano_admin.post("/user_groups/%s" % group, body))
    assert group_rows(group) == []
    assert audit_since(mark) == []


@pytest.mark.parametrize("raw", ['{"display": "x"', "display=x", '"x"', '{"display": "x"}}'])
def test_group_create_with_malformed_json_creates_no_group(nano_admin, scratch, raw):
    group = unique_name("g")
    scratch.adopt("group", group)
    mark = audit_mark()
    nano_message(nano_admin.post("/user_groups/%s" % group, raw=raw))
    assert group_rows(group) == []
    assert audit_since(mark) == []


# ------------------------------------------------------------------ the last administrator

@pytest.fixture
def sole_admin(nano_admin, only_admin):
    """The bootstrap admin's session while it is the only administrator."""
    assert "admin" in group_detail(nano_admin, "admin")["role"]
    return nano_admin


def test_removing_last_admin_from_admin_group_is_refused(sole_admin):
    before = group_detail(sole_admin, "admin")
    mark = audit_mark()
    msg = nano_message(sole_admin.delete("/user_groups/admin/members/%s" % ADMIN_USER))
    assert "at least one administrator must remain" in msg
    assert group_detail(sole_admin, "admin") == before
    assert group_of(ADMIN_USER) == "admin"
    assert audit_since(mark) == []
    nano_data(sole_admin.get("/roles/"))  # still an administrator


def test_dropping_admin_role_from_last_admins_group_is_refused(sole_admin, scratch):
    role = scratch.role(["dashboard"])
    before = group_detail(sole_admin, "admin")
    mark = audit_mark()
    msg = nano_message(sole_admin.put("/user_groups/admin", {"display": "changed",
                                                             "role": [role]}))
    assert "at least one administrator must remain" in msg
    assert group_detail(sole_admin, "admin") == before
    assert audit_since(mark) == []
    nano_data(sole_admin.get("/users/"))  # still an administrator


def test_removing_admin_from_admin_group_works_when_another_admin_remains(nano_admin, scratch):
    # The rule counts administrators; it does not pin the bootstrap account.
    group = scratch.group(["admin"])
    second, _ = scratch.user(group)
    nano_data(nano_admin.delete("/user_groups/%s/members/%s" % (group, second)))
    assert group_of(second) == ""


# ------------------------------------------------------------------ user search

def test_user_search_by_group_returns_its_members(nano_admin, scratch):
    group = scratch.group()
    u1, _ = scratch.user(group)
    u2, _ = scratch.user(group)
    outsider, _ = scratch.user()
    data = nano_data(nano_admin.get("/user_search/", params={"group": group}))
    assert sorted(data) == sorted([u1, u2])
    assert outsider not in data


def test_user_search_without_group_returns_all_users(nano_admin, scratch):
    group = scratch.group()
    u1, _ = scratch.user(group)
    u2, _ = scratch.user()
    data = nano_data(nano_admin.get("/user_search/"))
    assert {ADMIN_USER, u1, u2} <= set(data)
    assert sorted(data) == sorted(nano_data(nano_admin.get("/users/")))
    assert sorted(data) == sorted(r[0] for r in run_psql("SELECT name FROM users"))


def test_user_search_without_trailing_slash_and_empty_group(nano_admin, scratch):
    group = scratch.group()
    assert nano_data(nano_admin.get("/user_search", params={"group": group})) == []


def test_user_search_for_unknown_group_is_not_found(nano_admin):
    assert "not found" in nano_message(
        nano_admin.get("/user_search/", params={"group": unique_name("ghost")}))


# ------------------------------------------------------------------ sessions show the group

def test_session_shows_group_and_union_of_roles_menus(nano_admin, scratch):
    r1 = scratch.role(["instance", "dashboard"])
    r2 = scratch.role(["dashboard", "log", "address_pool"])
    group = scratch.group([r1, r2])
    user, password = scratch.user(group)
    s = NanoSession(user, password)
    data = nano_data(s.get("/sessions/%s" % s.token))
    assert data["user"] == user
    assert data["group"] == group
    assert data["menu"] == ["address_pool", "dashboard", "instance", "log"]
    assert data["resource"] == []
    assert data["address"] == "127.0.0.1"
    # The menu follows the roles: change one and the same session shows it.
    nano_data(nano_admin.put("/roles/%s" % r1, {"menu": ["storage_pool"]}))
    data = nano_data(s.get("/sessions/%s/" % s.token))
    assert data["menu"] == ["address_pool", "dashboard", "log", "storage_pool"]


def test_session_of_group_without_roles_has_empty_menu(nano_admin, scratch):
    group = scratch.group([])
    user, password = scratch.user(group)
    s = NanoSession(user, password)
    data = nano_data(s.get("/sessions/%s" % s.token))
    assert data["group"] == group and data["menu"] == []


def test_user_without_group_cannot_log_in_via_nano(scratch):
    from conftest import login_response
    user, password = scratch.user()
    mark = audit_mark()
    r = login_response("nano", user, password)
    msg = nano_message(r)
    assert "group" in msg, msg
    assert run_psql("SELECT count(*) FROM credentials c JOIN users u ON u.id = c.user_id"
                    " WHERE u.name = %s" % sql_literal(user)) == [["0"]]
    assert audit_since(mark) == []


def test_user_managers_cannot_grant_the_admin_role(nano_admin, scratch):
    """The "user" tag manages users and groups, but never makes anyone an administrator."""
    manager_group = scratch.group(roles=[scratch.role(menu=["user"])])
    user, password = scratch.user(group=manager_group)
    s = NanoSession(user, password)
    target = scratch.group()
    assert s.fail("PUT", "/user_groups/%s" % target, {"role": ["admin"]}) == \
        "only administrators may grant the admin role"
    assert s.fail("POST", "/user_groups/%s" % unique_name("g"), {"role": ["admin"]}) == \
        "only administrators may grant the admin role"
    assert s.fail("PUT", "/user_groups/%s" % manager_group, {"role": ["admin"]}) == \
        "only administrators may grant the admin role"
    other, _ = scratch.user()
    assert s.fail("POST", "/user_groups/admin/members/%s" % other) == \
        "only administrators may add members to an admin group"
    assert nano_admin.ok("GET", "/user_groups/%s" % target)["role"] == []
    assert other not in nano_admin.ok("GET", "/user_groups/admin/members/")
