"""Nano roles: GET /roles/, GET|POST|PUT|DELETE /roles/{role} (issue 4)."""
import pytest

from conftest import (ADMIN_USER, audit_mark, audit_since, nano_data, nano_message, psql_scalar,
                      run_psql, sql_literal, unique_name)


def role_menu(admin, name):
    return nano_data(admin.get("/roles/%s" % name))["menu"]


def role_rows(name):
    return run_psql("SELECT name, array_to_string(menu, ',') FROM roles WHERE name = %s"
                    % sql_literal(name))


# ------------------------------------------------------------------ the endpoints

def test_role_list_returns_role_names_including_admin_and_new_role(nano_admin, scratch):
    name = scratch.role(["dashboard"])
    data = nano_data(nano_admin.get("/roles/"))
    assert isinstance(data, list) and all(isinstance(x, str) for x in data)
    assert "admin" in data and name in data
    assert len(data) == len(set(data))


def test_role_get_returns_menu_tags(nano_admin, scratch):
    name = scratch.role(["dashboard", "instance", "compute_pool"])
    data = nano_data(nano_admin.get("/roles/%s" % name))
    assert list(data) == ["menu"]
    assert sorted(data["menu"]) == ["compute_pool", "dashboard", "instance"]


def test_role_create_stores_menu_and_writes_one_audit_row(nano_admin, scratch):
    name = unique_name("r")
    scratch.adopt("role", name)
    mark = audit_mark()
    r = nano_admin.post("/roles/%s" % name, {"menu": ["dashboard", "address_pool", "instance"]})
    assert nano_data(r) == ""
    assert audit_since(mark) == ["%s creates role %s" % (ADMIN_USER, name)]
    assert sorted(role_menu(nano_admin, name)) == ["address_pool", "dashboard", "instance"]


def test_role_create_with_empty_menu_is_allowed(nano_admin, scratch):
    name = scratch.role([])
    assert role_menu(nano_admin, name) == []


def test_role_create_collapses_repeated_menu_tags(nano_admin, scratch):
    name = scratch.role(["dashboard", "dashboard", "log"])
    assert sorted(role_menu(nano_admin, name)) == ["dashboard", "log"]


def test_role_modify_replaces_menu_and_writes_one_audit_row(nano_admin, scratch):
    name = scratch.role(["dashboard", "instance"])
    mark = audit_mark()
    nano_data(nano_admin.put("/roles/%s" % name, {"menu": ["log", "storage_pool"]}))
    assert audit_since(mark) == ["%s modifies role %s" % (ADMIN_USER, name)]
    assert sorted(role_menu(nano_admin, name)) == ["log", "storage_pool"]


def test_role_remove_deletes_role_and_writes_one_audit_row(nano_admin, scratch):
    name = scratch.role(["dashboard"])
    mark = audit_mark()
    nano_data(nano_admin.delete("/roles/%s" % name))
    assert audit_since(mark) == ["%s removes role %s" % (ADMIN_USER, name)]
    assert name not in nano_data(nano_admin.get("/roles/"))
    assert "not found" in nano_message(nano_admin.get("/roles/%s" % name))
    assert role_rows(name) == []


def test_role_routes_answer_with_and_without_trailing_slash(nano_admin, scratch):
    name = unique_name("r")
    scratch.adopt("role", name)
    nano_data(nano_admin.post("/roles/%s/" % name, {"menu": ["dashboard"]}))  # with slash
    assert name in nano_data(nano_admin.get("/roles"))                        # without
    assert role_menu(nano_admin, name + "/") == ["dashboard"]
    nano_data(nano_admin.put("/roles/%s" % name, {"menu": ["log"]}))
    assert role_menu(nano_admin, name) == ["log"]
    nano_data(nano_admin.delete("/roles/%s/" % name))
    assert role_rows(name) == []


def test_role_name_of_64_characters_is_accepted(nano_admin, scratch):
    name = "r" + "x" * 63
    scratch.adopt("role", name)
    nano_data(nano_admin.post("/roles/%s" % name, {"menu": []}))
    assert name in nano_data(nano_admin.get("/roles/"))


def test_role_name_with_allowed_punctuation_is_accepted(nano_admin, scratch):
    name = unique_name("r") + "_a.b@c-d"
    scratch.adopt("role", name)
    nano_data(nano_admin.post("/roles/%s" % name, {"menu": []}))
    assert role_menu(nano_admin, name) == []


# ------------------------------------------------------------------ bad input changes nothing

def test_role_create_duplicate_name_is_refused_and_keeps_menu(nano_admin, scratch):
    name = scratch.role(["dashboard"])
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/roles/%s" % name, {"menu": ["log"]}))
    assert "already exists" in msg
    assert role_menu(nano_admin, name) == ["dashboard"]
    assert audit_since(mark) == []


def test_role_create_duplicate_of_builtin_admin_is_refused(nano_admin):
    before = role_menu(nano_admin, "admin")
    mark = audit_mark()
    assert "already exists" in nano_message(nano_admin.post("/roles/admin", {"menu": []}))
    assert role_menu(nano_admin, "admin") == before
    assert audit_since(mark) == []


def test_role_get_unknown_role_is_not_found(nano_admin):
    name = unique_name("nope")
    msg = nano_message(nano_admin.get("/roles/%s" % name))
    assert "not found" in msg and name in msg


def test_role_modify_unknown_role_is_not_found_and_creates_nothing(nano_admin):
    name = unique_name("nope")
    mark = audit_mark()
    assert "not found" in nano_message(nano_admin.put("/roles/%s" % name, {"menu": ["log"]}))
    assert role_rows(name) == []
    assert audit_since(mark) == []


def test_role_remove_unknown_role_is_not_found(nano_admin):
    mark = audit_mark()
    assert "not found" in nano_message(nano_admin.delete("/roles/%s" % unique_name("nope")))
    assert audit_since(mark) == []


@pytest.mark.parametrize("bad", ["bad%20name", "-x", ".x", "_x", "@x", "x" * 65,
                                 "caf%C3%A9", "x*y"])
def test_role_create_with_invalid_name_is_refused(nano_admin, bad):
    before = nano_data(nano_admin.get("/roles/"))
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/roles/%s" % bad, {"menu": ["dashboard"]}))
    assert "name" in msg
    assert nano_data(nano_admin.get("/roles/")) == before
    assert audit_since(mark) == []


def test_role_keeps_a_tag_nimbus_does_not_know_verbatim(nano_admin, scratch):
    """Tags are free labels, as in the real frontend (issue 16)."""
    name = unique_name("r")
    scratch.adopt("role", name)
    nano_data(nano_admin.post("/roles/%s" % name, {"menu": ["dashboard", "Warp Drive-2"]}))
    assert sorted(role_menu(nano_admin, name)) == ["Warp Drive-2", "dashboard"]
    nano_data(nano_admin.put("/roles/%s" % name, {"menu": ["log", "warp_drive"]}))
    assert sorted(role_menu(nano_admin, name)) == ["log", "warp_drive"]


@pytest.mark.parametrize("menu, words", [
    (["dashboard", ""], "must not be empty"),
    (["dashboard", "x,user"], "'x,user' must not contain a comma"),
], ids=["empty", "comma"])
def test_role_create_with_a_tag_that_cannot_be_stored_is_refused(nano_admin, scratch, menu,
                                                                  words):
    """A group's tags are kept joined by commas: "x,user" would grant user."""
    name = unique_name("r")
    scratch.adopt("role", name)
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/roles/%s" % name, {"menu": menu}))
    assert words in msg
    assert role_rows(name) == []
    assert audit_since(mark) == []


def test_role_modify_with_a_comma_in_a_tag_keeps_menu(nano_admin, scratch):
    name = scratch.role(["dashboard", "instance"])
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/roles/%s" % name, {"menu": ["log", "a,user"]}))
    assert "must not contain a comma" in msg
    assert sorted(role_menu(nano_admin, name)) == ["dashboard", "instance"]
    assert audit_since(mark) == []


@pytest.mark.parametrize("body, words", [
    ({"menu": "dashboard"}, ["menu", "array"]),
    ({"menu": [1, 2]}, ["menu", "string"]),
    ({"menu": {"a": "dashboard"}}, ["menu", "array"]),
    ({"menu": None}, ["menu"]),
    ({}, ["menu", "required"]),
    ({"menu": ["dashboard"], "colour": "red"}, ["colour", "not accepted"]),
], ids=["string", "numbers", "object", "null", "missing", "unknown-field"])
def test_role_modify_with_wrong_body_is_refused_and_keeps_menu(nano_admin, scratch, body, words):
    name = scratch.role(["dashboard", "instance"])
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/roles/%s" % name, body))
    for w in words:
        assert w in msg, msg
    assert sorted(role_menu(nano_admin, name)) == ["dashboard", "instance"]
    assert audit_since(mark) == []


@pytest.mark.parametrize("raw", ['{"menu": ["dashboard"]', '{menu: []}', '["menu"]', 'null',
                                 '{"menu": []} x'])
def test_role_create_with_malformed_json_is_refused(nano_admin, scratch, raw):
    name = unique_name("r")
    scratch.adopt("role", name)
    mark = audit_mark()
    nano_message(nano_admin.post("/roles/%s" % name, raw=raw))
    assert role_rows(name) == []
    assert audit_since(mark) == []


def test_role_remove_of_role_held_by_group_is_refused(nano_admin, scratch):
    name = scratch.role(["dashboard"])
    group = scratch.group([name])
    mark = audit_mark()
    msg = nano_message(nano_admin.delete("/roles/%s" % name))
    assert "held" in msg or "bound" in msg or "in use" in msg, msg
    assert role_menu(nano_admin, name) == ["dashboard"]
    assert nano_data(nano_admin.get("/user_groups/%s" % group))["role"] == [name]
    assert audit_since(mark) == []


def test_role_remove_of_builtin_admin_role_is_refused(nano_admin):
    before = role_menu(nano_admin, "admin")
    mark = audit_mark()
    nano_message(nano_admin.delete("/roles/admin"))
    assert role_menu(nano_admin, "admin") == before
    assert int(psql_scalar("SELECT count(*) FROM roles WHERE name = 'admin'")) == 1
    assert audit_since(mark) == []
