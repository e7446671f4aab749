"""Nano users: list, profile, create, modify, delete and password (issue 4)."""
import pytest

from conftest import (ADMIN_PASSWORD, ADMIN_USER, NanoSession, audit_mark,
                      audit_since, group_of_user, login_ok, login_response, nano_data, nano_message,
                      unique_name, user_row)


def nano_login_works(user, password):
    return login_ok(login_response("nano", user, password), "nano")


# ------------------------------------------------------------------ the endpoints

def test_user_list_returns_user_names(nano_admin, scratch):
    u1, _ = scratch.user()
    u2, _ = scratch.user(scratch.group())
    data = nano_data(nano_admin.get("/users/"))
    assert isinstance(data, list) and all(isinstance(x, str) for x in data)
    assert {ADMIN_USER, u1, u2} <= set(data)
    assert len(data) == len(set(data))


def test_user_get_returns_nick_and_mail(nano_admin, scratch):
    user, _ = scratch.user(nick="AK", mail="a@b.com")
    assert nano_data(nano_admin.get("/users/%s" % user)) == {"nick": "AK", "mail": "a@b.com"}


def test_user_create_stores_profile_and_writes_one_audit_row(nano_admin, scratch):
    user = unique_name("u")
    scratch.adopt("user", user)
    mark = audit_mark()
    r = nano_admin.post("/users/%s" % user, {"nick": "Nick", "mail": "n@example.org",
                                             "password": "abcdefg"})
    assert nano_data(r) == ""
    assert audit_since(mark) == ["%s creates user %s" % (ADMIN_USER, user)]
    assert nano_data(nano_admin.get("/users/%s" % user)) == {"nick": "Nick",
                                                             "mail": "n@example.org"}
    assert user in nano_data(nano_admin.get("/users/"))
    assert group_of_user(user) == ""


def test_user_create_with_password_only_has_empty_nick_and_mail(nano_admin, scratch):
    user = unique_name("u")
    scratch.adopt("user", user)
    nano_data(nano_admin.post("/users/%s" % user, {"password": "abcdef"}))
    assert nano_data(nano_admin.get("/users/%s" % user)) == {"nick": "", "mail": ""}


def test_created_user_logs_in_with_its_password_once_in_a_group(nano_admin, scratch):
    group = scratch.group()
    user = unique_name("u")
    scratch.adopt("user", user)
    nano_data(nano_admin.post("/users/%s" % user, {"password": "first-pass"}))
    nano_data(nano_admin.post("/user_groups/%s/members/%s" % (group, user)))
    assert nano_login_works(user, "first-pass")
    assert not nano_login_works(user, "first-pasS")


def test_user_modify_changes_nick_and_mail_and_writes_one_audit_row(nano_admin, scratch):
    user, _ = scratch.user(nick="old", mail="old@x.org")
    mark = audit_mark()
    nano_data(nano_admin.put("/users/%s" % user, {"nick": "new", "mail": "new@x.org"}))
    assert audit_since(mark) == ["%s modifies user %s" % (ADMIN_USER, user)]
    assert nano_data(nano_admin.get("/users/%s" % user)) == {"nick": "new", "mail": "new@x.org"}


def test_user_modify_keeps_absent_fields(nano_admin, scratch):
    user, _ = scratch.user(nick="keep", mail="keep@x.org")
    nano_data(nano_admin.put("/users/%s" % user, {"nick": "changed"}))
    assert nano_data(nano_admin.get("/users/%s" % user)) == {"nick": "changed",
                                                             "mail": "keep@x.org"}
    nano_data(nano_admin.put("/users/%s" % user, {"mail": "other@x.org"}))
    assert nano_data(nano_admin.get("/users/%s" % user)) == {"nick": "changed",
                                                             "mail": "other@x.org"}


def test_user_modify_does_not_touch_password_or_group(nano_admin, scratch):
    group = scratch.group()
    user, _ = scratch.user(group)
    before = user_row(user)
    nano_data(nano_admin.put("/users/%s" % user, {"nick": "n"}))
    after = user_row(user)
    assert after[2:] == before[2:]


def test_user_delete_removes_user_and_writes_one_audit_row(nano_admin, scratch):
    user, _ = scratch.user()
    mark = audit_mark()
    nano_data(nano_admin.delete("/users/%s" % user))
    assert audit_since(mark) == ["%s deletes user %s" % (ADMIN_USER, user)]
    assert user not in nano_data(nano_admin.get("/users/"))
    assert "not found" in nano_message(nano_admin.get("/users/%s" % user))
    assert user_row(user) is None


def test_user_delete_of_group_member_empties_the_group(nano_admin, scratch):
    group = scratch.group()
    user, _ = scratch.user(group)
    nano_data(nano_admin.delete("/users/%s" % user))
    assert nano_data(nano_admin.get("/user_groups/%s/members/" % group)) == []
    nano_data(nano_admin.delete("/user_groups/%s" % group))


def test_deleted_user_can_no_longer_log_in(nano_admin, scratch):
    group = scratch.group()
    user, password = scratch.user(group)
    s = NanoSession(user, password)
    nano_data(nano_admin.delete("/users/%s" % user))
    assert not nano_login_works(user, password)
    assert nano_message(s.get("/users/%s" % user))


def test_user_routes_answer_with_and_without_trailing_slash(nano_admin, scratch):
    user = unique_name("u")
    scratch.adopt("user", user)
    nano_data(nano_admin.post("/users/%s/" % user, {"password": "abcdef", "nick": "s"}))
    assert user in nano_data(nano_admin.get("/users"))
    assert nano_data(nano_admin.get("/users/%s/" % user))["nick"] == "s"
    nano_data(nano_admin.put("/users/%s/" % user, {"nick": "t"}))
    assert nano_data(nano_admin.get("/users/%s" % user))["nick"] == "t"
    nano_data(nano_admin.put("/users/%s/password" % user, {"old": "abcdef", "new": "ghijkl"}))
    nano_data(nano_admin.delete("/users/%s/" % user))
    assert user_row(user) is None


# ------------------------------------------------------------------ password

def test_password_change_lets_new_password_in_and_keeps_old_out(nano_admin, scratch):
    group = scratch.group()
    user, old = scratch.user(group)
    mark = audit_mark()
    nano_data(nano_admin.put("/users/%s/password/" % user, {"old": old, "new": "brand-new-pw"}))
    assert audit_since(mark) == ["%s changes the password of %s" % (ADMIN_USER, user)]
    assert nano_login_works(user, "brand-new-pw")
    assert not nano_login_works(user, old)


def test_user_changes_own_password(scratch):
    group = scratch.group()
    user, old = scratch.user(group)
    s = NanoSession(user, old)
    mark = audit_mark()
    nano_data(s.put("/users/%s/password/" % user, {"old": old, "new": "mine-now-123"}))
    assert audit_since(mark) == ["%s changes the password of %s" % (user, user)]
    assert nano_login_works(user, "mine-now-123")
    assert not nano_login_works(user, old)


def test_password_change_with_wrong_old_password_is_refused(nano_admin, scratch):
    group = scratch.group()
    user, old = scratch.user(group)
    before = user_row(user)
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/users/%s/password/" % user,
                                      {"old": old + "x", "new": "another-pw"}))
    assert "old password is wrong" in msg
    assert user_row(user) == before
    assert audit_since(mark) == []
    assert nano_login_works(user, old)


@pytest.mark.parametrize("new", ["", "12345", "a"])
def test_password_change_to_short_password_is_refused(nano_admin, scratch, new):
    user, old = scratch.user()
    before = user_row(user)
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/users/%s/password/" % user, {"old": old, "new": new}))
    assert "6" in msg and "password" in msg, msg
    assert user_row(user) == before
    assert audit_since(mark) == []


def test_password_of_exactly_six_characters_is_accepted(nano_admin, scratch):
    user, old = scratch.user()
    nano_data(nano_admin.put("/users/%s/password/" % user, {"old": old, "new": "123456"}))


@pytest.mark.parametrize("body, words", [
    ({"old": "whatever"}, ["new", "required"]),
    ({"new": "whatever-new"}, ["old", "required"]),
    ({"old": 123456, "new": "abcdefg"}, ["old", "string"]),
    ({"old": "x", "new": "abcdefg", "confirm": "abcdefg"}, ["confirm", "not accepted"]),
], ids=["no-new", "no-old", "old-number", "unknown-field"])
def test_password_change_with_wrong_body_is_refused(nano_admin, scratch, body, words):
    user, _ = scratch.user()
    before = user_row(user)
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/users/%s/password/" % user, body))
    for w in words:
        assert w in msg, msg
    assert user_row(user) == before
    assert audit_since(mark) == []


def test_password_change_of_unknown_user_is_not_found(nano_admin):
    ghost = unique_name("ghost")
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/users/%s/password/" % ghost,
                                      {"old": "abcdef", "new": "ghijkl"}))
    assert "not found" in msg
    assert audit_since(mark) == []


# ------------------------------------------------------------------ bad input changes nothing

def test_user_create_duplicate_name_is_refused_and_keeps_user(nano_admin, scratch):
    user, password = scratch.user(nick="orig", mail="orig@x.org")
    before = user_row(user)
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/users/%s" % user, {"nick": "dup", "password": "dupdup"}))
    assert "already exists" in msg
    assert user_row(user) == before
    assert audit_since(mark) == []


def test_user_create_duplicate_of_admin_is_refused(nano_admin):
    before = user_row(ADMIN_USER)
    mark = audit_mark()
    assert "already exists" in nano_message(nano_admin.post("/users/%s" % ADMIN_USER,
                                                            {"password": "takeover"}))
    assert user_row(ADMIN_USER) == before
    assert audit_since(mark) == []
    assert nano_login_works(ADMIN_USER, ADMIN_PASSWORD)


@pytest.mark.parametrize("bad", ["bad%20name", "-x", ".x", "@x", "x" * 65, "x%27y", "x%3Cb%3E"])
def test_user_create_with_invalid_name_is_refused(nano_admin, bad):
    before = nano_data(nano_admin.get("/users/"))
    mark = audit_mark()
    assert "name" in nano_message(nano_admin.post("/users/%s" % bad, {"password": "abcdefg"}))
    assert nano_data(nano_admin.get("/users/")) == before
    assert audit_since(mark) == []


def test_user_name_of_64_characters_is_accepted(nano_admin, scratch):
    user = "u" + "9" * 63
    scratch.adopt("user", user)
    nano_data(nano_admin.post("/users/%s" % user, {"password": "abcdefg"}))
    assert user in nano_data(nano_admin.get("/users/"))


@pytest.mark.parametrize("body, words", [
    ({"password": ""}, ["password", "6"]),
    ({"password": "12345"}, ["password", "6"]),
    ({"nick": "n"}, ["password", "required"]),
    ({"password": None}, ["password"]),
    ({"password": 1234567}, ["password", "string"]),
    ({"password": "abcdefg", "nick": 5}, ["nick", "string"]),
    ({"password": "abcdefg", "mail": ["a@b.c"]}, ["mail", "string"]),
    ({"password": "abcdefg", "group": "admin"}, ["group", "not accepted"]),
    ({"password": "abcdefg", "mail": "not-an-address"}, ["mail"]),
], ids=["empty-password", "short-password", "no-password", "null-password", "number-password",
        "nick-number", "mail-array", "unknown-field", "bad-mail"])
def test_user_create_with_bad_body_creates_no_user(nano_admin, scratch, body, words):
    user = unique_name("u")
    scratch.adopt("user", user)
    mark = audit_mark()
    msg = nano_message(nano_admin.post("/users/%s" % user, body))
    for w in words:
        assert w in msg, msg
    assert user_row(user) is None
    assert audit_since(mark) == []


@pytest.mark.parametrize("raw", ['{"password": "abcdefg"', "password=abcdefg", "[]", "42"])
def test_user_create_with_malformed_json_creates_no_user(nano_admin, scratch, raw):
    user = unique_name("u")
    scratch.adopt("user", user)
    mark = audit_mark()
    nano_message(nano_admin.post("/users/%s" % user, raw=raw))
    assert user_row(user) is None
    assert audit_since(mark) == []


@pytest.mark.parametrize("body, words", [
    ({"nick": 5}, ["nick", "string"]),
    ({"mail": "x@"}, ["mail"]),
    ({"nick": "n", "password": "abcdefg"}, ["password", "not accepted"]),
], ids=["nick-number", "bad-mail", "password-not-accepted"])
def test_user_modify_with_bad_body_keeps_user(nano_admin, scratch, body, words):
    user, _ = scratch.user(nick="orig", mail="orig@x.org")
    before = user_row(user)
    mark = audit_mark()
    msg = nano_message(nano_admin.put("/users/%s" % user, body))
    for w in words:
        assert w in msg, msg
    assert user_row(user) == before
    assert audit_since(mark) == []


@pytest.mark.parametrize("raw", ['{"nick": "x"', '{"nick": "x",}', "{'nick': 'x'}",
                                 '{"nick": "x" /* comment */}', '{"nick": "x"}\x00',
                                 '{"nick": "x"} {}'],
                         ids=["truncated", "trailing-comma", "single-quotes", "comment",
                              "trailing-nul", "two-documents"])
def test_user_modify_with_malformed_json_keeps_user(nano_admin, scratch, raw):
    user, _ = scratch.user(nick="orig")
    before = user_row(user)
    mark = audit_mark()
    assert "JSON" in nano_message(nano_admin.put("/users/%s" % user, raw=raw))
    assert user_row(user) == before
    assert audit_since(mark) == []


def test_unknown_user_get_modify_delete_are_not_found(nano_admin):
    ghost = unique_name("ghost")
    mark = audit_mark()
    for r in (nano_admin.get("/users/%s" % ghost),
              nano_admin.put("/users/%s" % ghost, {"nick": "x"}),
              nano_admin.delete("/users/%s" % ghost)):
        msg = nano_message(r)
        assert "not found" in msg and ghost in msg
    assert user_row(ghost) is None
    assert audit_since(mark) == []


def test_deleting_yourself_is_refused(nano_admin):
    before = user_row(ADMIN_USER)
    mark = audit_mark()
    msg = nano_message(nano_admin.delete("/users/%s" % ADMIN_USER))
    assert "you cannot delete yourself" in msg
    assert user_row(ADMIN_USER) == before
    assert audit_since(mark) == []
    nano_data(nano_admin.get("/users/"))


def test_deleting_yourself_is_refused_for_a_user_manager_too(scratch):
    group = scratch.group([scratch.role(["user"])])
    user, password = scratch.user(group)
    s = NanoSession(user, password)
    mark = audit_mark()
    assert "you cannot delete yourself" in nano_message(s.delete("/users/%s" % user))
    assert user_row(user) is not None
    assert audit_since(mark) == []


def test_deleting_the_last_admin_is_refused(scratch, only_admin):
    group = scratch.group([scratch.role(["user"])])
    manager, password = scratch.user(group)
    s = NanoSession(manager, password)
    before = user_row(ADMIN_USER)
    mark = audit_mark()
    msg = nano_message(s.delete("/users/%s" % ADMIN_USER))
    assert "at least one administrator must remain" in msg
    assert user_row(ADMIN_USER) == before
    assert audit_since(mark) == []
    assert nano_login_works(ADMIN_USER, ADMIN_PASSWORD)
