"""Nano security policy groups: the group, its ordered rules, search, who sees and changes
what, and guests created with a group (issue 7).

Callers: the admin; the owner, a member of the owner's user group ("mate"), and a user of
another group ("outsider"), all three holding the policies and instance menu tags; and
a user without the policies tag. A group is seen by its owner, admins, the members of
the owner's group (read-only) and, when global, everyone; anyone else is told "not found".
Every refused call changes nothing: the group and its rules read back the same."""
import uuid

import pytest

from conftest import (ADMIN_USER, HOST_POOL, NANO_REFUSED, NanoSession, audit_mark, audit_since,
                      nano_data, nano_message, needs_qemu, run_psql, sql_literal, unique_name)

BASE = "/security_policy_groups/"
SEARCH = "/search/security_policy_groups/"

RULES = [
    {"action": "accept", "to_port": 22, "protocol": "tcp"},
    {"action": "accept", "to_port": 80, "protocol": "tcp", "from_address": "10.1.2.3"},
    {"action": "reject", "protocol": "icmp", "interface": 1},
]

# A policy becomes an nwfilter on the guest's host: the QEMU cell0 (issue 15); small guests.
GUEST = {"pool": HOST_POOL, "template": "linux-default", "cores": 1, "memory": 128 * 1024 ** 2,
         "disks": [64 * 1024 ** 2]}


@pytest.fixture(scope="module")
def callers(nano_admin, module_scratch):
    s = module_scratch
    role = s.role(["dashboard", "policies", "instance"])
    home, away = s.group([role]), s.group([role])
    bare = s.group([s.role(["dashboard", "instance"])])
    made = {"admin": nano_admin,
            "owner": NanoSession(*s.user(home)),
            "mate": NanoSession(*s.user(home)),
            "outsider": NanoSession(*s.user(away)),
            "untagged": NanoSession(*s.user(bare)),
            "home": home, "away": away}
    yield made
    # Guests first: a group in use cannot go. Everything made here belongs to these users.
    users = "SELECT id FROM users WHERE name IN (%s)" % ",".join(
        sql_literal(made[k].user) for k in ("owner", "mate", "outsider", "untagged"))
    guests = ("SELECT id FROM guests WHERE owner_id IN (%s) OR security_group_id IN"
              " (SELECT id FROM security_groups WHERE owner_id IN (%s))" % (users, users))
    run_psql("BEGIN; DELETE FROM operations WHERE guest_id IN (%s); DELETE FROM guests WHERE id IN"
             " (%s); DELETE FROM security_groups WHERE owner_id IN (%s); COMMIT;"
             % (guests, guests, users))


def new_group(session, **config):
    """Create a group as session; return its id."""
    body = {"name": unique_name("sg")}
    body.update(config)
    data = nano_data(session.post(BASE, body))
    assert set(data) == {"id"}
    uuid.UUID(data["id"])
    return data["id"]


def with_rules(session, rules=RULES, **config):
    gid = new_group(session, **config)
    for rule in rules:
        assert nano_data(session.post(BASE + gid + "/rules/", rule)) == ""
    return gid


def stored(gid):
    """The group row and its rules as stored."""
    return run_psql("SELECT name, description, enabled, global, default_action, rules::text,"
                    " owner_id, coalesce(group_id, 0) FROM security_groups WHERE id = %s"
                    % sql_literal(gid))


def group_count():
    return int(run_psql("SELECT count(*) FROM security_groups")[0][0])


def searched_ids(session, query=""):
    return [g["id"] for g in nano_data(session.get(SEARCH + query))]


# ------------------------------------------------------------------ the group

def test_create_then_get_shows_the_config_with_owner_and_group(callers):
    owner = callers["owner"]
    name = unique_name("sg")
    mark = audit_mark()
    gid = new_group(owner, name=name, description="web servers", enabled=False,
                    default_action="reject", **{"global": False})
    assert audit_since(mark) == ["%s creates a security policy group" % owner.user]
    assert nano_data(owner.get(BASE + gid)) == {
        "id": gid, "name": name, "description": "web servers", "user": owner.user,
        "group": callers["home"], "enabled": False, "global": False, "default_action": "reject"}
    assert nano_data(owner.get(BASE + gid + "/rules/")) == []


def test_create_with_only_a_name_is_enabled_private_and_accepting(callers):
    owner = callers["owner"]
    gid = new_group(owner)
    data = nano_data(owner.get(BASE + gid + "/"))
    assert (data["description"], data["enabled"], data["global"], data["default_action"]) == \
        ("", True, False, "accept")


def test_create_naming_oneself_and_ones_group_is_accepted(callers):
    owner = callers["owner"]
    gid = new_group(owner, user=owner.user, group=callers["home"])
    assert nano_data(owner.get(BASE + gid))["user"] == owner.user


def test_admin_creates_a_group_for_another_user_in_that_users_group(callers):
    admin, owner = callers["admin"], callers["owner"]
    gid = new_group(admin, user=owner.user)
    data = nano_data(owner.get(BASE + gid))
    assert data["user"] == owner.user and data["group"] == callers["home"]


def test_modify_changes_the_given_fields_and_keeps_the_rest(callers):
    owner = callers["owner"]
    gid = new_group(owner, description="before", **{"global": False})
    name = unique_name("sg")
    mark = audit_mark()
    assert nano_data(owner.put(BASE + gid, {"name": name, "enabled": False,
                                            "default_action": "reject"})) == ""
    assert audit_since(mark) == ["%s modifies security policy group %s" % (owner.user, gid)]
    data = nano_data(owner.get(BASE + gid))
    assert (data["name"], data["description"], data["enabled"], data["global"],
            data["default_action"]) == (name, "before", False, False, "reject")
    # The blueprint's full config, echoing owner and group, is accepted too.
    nano_data(owner.put(BASE + gid, {"name": name, "description": "after", "user": owner.user,
                                     "group": callers["home"], "enabled": True, "global": True,
                                     "default_action": "accept"}))
    data = nano_data(owner.get(BASE + gid))
    assert (data["description"], data["enabled"], data["global"], data["default_action"]) == \
        ("after", True, True, "accept")


def test_delete_removes_the_group(callers):
    owner = callers["owner"]
    gid = with_rules(owner)
    mark = audit_mark()
    assert nano_data(owner.delete(BASE + gid)) == ""
    assert audit_since(mark) == ["%s deletes security policy group %s" % (owner.user, gid)]
    assert stored(gid) == []
    assert "not found" in nano_message(owner.get(BASE + gid))
    assert "not found" in nano_message(owner.delete(BASE + gid))


# ------------------------------------------------------------------ rules

def test_rules_are_added_in_order_and_listed(callers):
    owner = callers["owner"]
    gid = new_group(owner)
    mark = audit_mark()
    for rule in RULES:
        nano_data(owner.post(BASE + gid + "/rules/", rule))
    assert audit_since(mark) == ["%s adds a security rule to security policy group %s"
                                 % (owner.user, gid)] * 3
    assert nano_data(owner.get(BASE + gid + "/rules/")) == RULES
    assert nano_data(owner.get(BASE + gid + "/rules")) == RULES


def test_rule_modify_replaces_one_rule(callers):
    owner = callers["owner"]
    gid = with_rules(owner)
    rule = {"action": "reject", "to_port": 8080, "protocol": "udp", "from_address": "127.0.0.1",
            "interface": 0}
    mark = audit_mark()
    nano_data(owner.put(BASE + gid + "/rules/1", rule))
    assert audit_since(mark) == ["%s modifies security rule 1 of security policy group %s"
                                 % (owner.user, gid)]
    assert nano_data(owner.get(BASE + gid + "/rules/")) == [RULES[0], rule, RULES[2]]


def test_rule_order_moves_a_rule_up_and_down(callers):
    owner = callers["owner"]
    gid = with_rules(owner)
    mark = audit_mark()
    nano_data(owner.put(BASE + gid + "/rules/2/order", {"direction": "up"}))
    assert nano_data(owner.get(BASE + gid + "/rules/")) == [RULES[0], RULES[2], RULES[1]]
    nano_data(owner.put(BASE + gid + "/rules/0/order/", {"direction": "down"}))
    assert nano_data(owner.get(BASE + gid + "/rules/")) == [RULES[2], RULES[0], RULES[1]]
    assert audit_since(mark) == [
        "%s moves security rule 2 of security policy group %s" % (owner.user, gid),
        "%s moves security rule 0 of security policy group %s" % (owner.user, gid)]


def test_rule_remove_deletes_one_rule(callers):
    owner = callers["owner"]
    gid = with_rules(owner)
    mark = audit_mark()
    nano_data(owner.delete(BASE + gid + "/rules/0"))
    assert audit_since(mark) == ["%s removes security rule 0 of security policy group %s"
                                 % (owner.user, gid)]
    assert nano_data(owner.get(BASE + gid + "/rules/")) == RULES[1:]
    nano_data(owner.delete(BASE + gid + "/rules/1/"))
    assert nano_data(owner.get(BASE + gid + "/rules/")) == [RULES[1]]


# ------------------------------------------------------------------ bad input

BAD_RULES = [
    ("port-too-big", {"action": "accept", "to_port": 65536, "protocol": "tcp"}, "to_port"),
    ("port-zero-tcp", {"action": "accept", "to_port": 0, "protocol": "tcp"}, "to_port"),
    ("port-missing-udp", {"action": "accept", "protocol": "udp"}, "to_port"),
    ("port-negative", {"action": "accept", "to_port": -1, "protocol": "all"}, "to_port"),
    ("port-string", {"action": "accept", "to_port": "22", "protocol": "tcp"}, "to_port"),
    ("protocol-unknown", {"action": "accept", "to_port": 22, "protocol": "sctp"}, "protocol"),
    ("protocol-missing", {"action": "accept", "to_port": 22}, "protocol"),
    ("action-unknown", {"action": "drop", "to_port": 22, "protocol": "tcp"}, "action"),
    ("address-bad", {"action": "accept", "to_port": 22, "protocol": "tcp",
                     "from_address": "300.1.2.3"}, "from_address"),
    ("address-cidr", {"action": "accept", "to_port": 22, "protocol": "tcp",
                      "from_address": "10.0.0.0/8"}, "from_address"),
    ("interface-negative", {"action": "accept", "protocol": "all", "interface": -1}, "interface"),
    ("unknown-field", {"action": "accept", "to_port": 22, "protocol": "tcp", "port": 1}, "port"),
]


@pytest.fixture(scope="module")
def ruled(callers):
    """One group of the owner with RULES, for bad input that must leave it alone."""
    return with_rules(callers["owner"])


@pytest.mark.parametrize("case", BAD_RULES, ids=[c[0] for c in BAD_RULES])
def test_bad_rule_is_refused_on_add_and_modify_and_changes_nothing(callers, ruled, case):
    _, rule, field = case
    owner = callers["owner"]
    before, mark = stored(ruled), audit_mark()
    assert nano_message(owner.post(BASE + ruled + "/rules/", rule)).startswith(field + ": ")
    assert nano_message(owner.put(BASE + ruled + "/rules/0", rule)).startswith(field + ": ")
    assert stored(ruled) == before and audit_since(mark) == []
    assert nano_data(owner.get(BASE + ruled + "/rules/")) == RULES


@pytest.mark.parametrize("method,path,body", [
    ("PUT", "/rules/3", RULES[0]),
    ("PUT", "/rules/-1", RULES[0]),
    ("PUT", "/rules/x", RULES[0]),
    ("DELETE", "/rules/3", None),
    ("DELETE", "/rules/99999999999999999999", None),
    ("PUT", "/rules/3/order", {"direction": "up"}),
    ("PUT", "/rules/0/order", {"direction": "up"}),
    ("PUT", "/rules/2/order", {"direction": "down"}),
    ("PUT", "/rules/1/order", {"direction": "sideways"}),
    ("PUT", "/rules/1/order", {"direction": 1}),
    ("PUT", "/rules/1/order", {}),
], ids=["modify-past-end", "modify-negative", "modify-not-a-number", "remove-past-end",
        "remove-huge", "order-past-end", "order-first-up", "order-last-down",
        "order-bad-direction", "order-direction-type", "order-no-direction"])
def test_bad_rule_index_or_direction_is_refused_and_changes_nothing(callers, ruled, method,
                                                                     path, body):
    owner = callers["owner"]
    before, mark = stored(ruled), audit_mark()
    message = nano_message(owner.call(method, BASE + ruled + path, body))
    if path.startswith("/rules/3") or "-1" in path or "/x" in path or "999" in path:
        assert message.startswith("no security policy rule"), message
    assert stored(ruled) == before and audit_since(mark) == []


BAD_CONFIGS = [
    ("name-missing", {"description": "x"}, "name"),
    ("name-empty", {"name": ""}, "name"),
    ("name-space", {"name": "two words"}, "name"),
    ("name-type", {"name": 7}, "name"),
    ("action-unknown", {"name": "sgx", "default_action": "drop"}, "default_action"),
    ("enabled-type", {"name": "sgx", "enabled": "yes"}, "enabled"),
    ("global-type", {"name": "sgx", "global": 1}, "global"),
    ("description-long", {"name": "sgx", "description": "d" * 1025}, "description"),
    ("unknown-field", {"name": "sgx", "rules": []}, "rules"),
    ("user-someone-else", {"name": "sgx", "user": ADMIN_USER}, "owner"),
    ("group-not-mine", {"name": "sgx", "group": "admin"}, "group"),
]


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_is_refused_on_create_and_creates_nothing(callers, case):
    _, body, field = case
    before, mark = group_count(), audit_mark()
    message = nano_message(callers["owner"].post(BASE, body))
    assert field in message, message
    assert group_count() == before and audit_since(mark) == []


@pytest.mark.parametrize("case", [c for c in BAD_CONFIGS if c[0] != "name-missing"],
                         ids=[c[0] for c in BAD_CONFIGS if c[0] != "name-missing"])
def test_bad_config_is_refused_on_modify_and_changes_nothing(callers, ruled, case):
    _, body, field = case
    owner = callers["owner"]
    before, mark = stored(ruled), audit_mark()
    message = nano_message(owner.put(BASE + ruled, body))
    assert field in message, message
    assert stored(ruled) == before and audit_since(mark) == []


def test_admin_cannot_create_for_an_unknown_user(callers):
    before = group_count()
    assert "not found" in nano_message(callers["admin"].post(BASE, {"name": "sgx",
                                                                    "user": unique_name("ghost")}))
    assert group_count() == before


@pytest.mark.parametrize("gid", [str(uuid.uuid4()), "not-a-uuid"], ids=["unknown", "malformed"])
def test_unknown_group_id_is_not_found_everywhere(callers, gid):
    owner = callers["owner"]
    before, mark = group_count(), audit_mark()
    for method, path, body in [("GET", "", None), ("PUT", "", {"name": "sgx"}), ("DELETE", "", None),
                               ("GET", "/rules/", None), ("POST", "/rules/", RULES[0]),
                               ("PUT", "/rules/0", RULES[0]), ("DELETE", "/rules/0", None),
                               ("PUT", "/rules/0/order", {"direction": "up"})]:
        message = nano_message(owner.call(method, BASE + gid + path, body))
        assert message == "security policy group %s not found" % gid, (method, path, message)
    assert group_count() == before and audit_since(mark) == []


def test_bad_search_filters_are_refused(callers):
    owner = callers["owner"]
    for query in ("?enabled_only=maybe", "?global_only=2", "?limit=0", "?limit=x",
                  "?after=nonsense"):
        assert nano_message(owner.get(SEARCH + query))


# ------------------------------------------------------------------ who sees what

def test_visibility_of_a_private_group(callers):
    gid = with_rules(callers["owner"])
    for who in ("owner", "admin", "mate"):
        assert nano_data(callers[who].get(BASE + gid))["id"] == gid, who
        assert nano_data(callers[who].get(BASE + gid + "/rules/")) == RULES, who
        assert gid in searched_ids(callers[who]), who
    outsider = callers["outsider"]
    assert nano_message(outsider.get(BASE + gid)) == "security policy group %s not found" % gid
    assert nano_message(outsider.get(BASE + gid + "/rules/")) == \
        "security policy group %s not found" % gid
    assert gid not in searched_ids(outsider)


def test_a_global_group_is_visible_to_every_user(callers):
    gid = with_rules(callers["owner"], **{"global": True})
    for who in ("owner", "admin", "mate", "outsider"):
        assert nano_data(callers[who].get(BASE + gid))["global"] is True, who
        assert nano_data(callers[who].get(BASE + gid + "/rules/")) == RULES, who
        assert gid in searched_ids(callers[who], "?global_only=true"), who


def test_making_a_group_private_hides_it_again(callers):
    owner, outsider = callers["owner"], callers["outsider"]
    gid = new_group(owner, **{"global": True})
    nano_data(outsider.get(BASE + gid))
    nano_data(owner.put(BASE + gid, {"global": False}))
    assert "not found" in nano_message(outsider.get(BASE + gid))


WRITES = [
    ("modify", "PUT", "", {"description": "changed"}),
    ("delete", "DELETE", "", None),
    ("rule-add", "POST", "/rules/", RULES[0]),
    ("rule-modify", "PUT", "/rules/0", RULES[1]),
    ("rule-order", "PUT", "/rules/0/order", {"direction": "down"}),
    ("rule-remove", "DELETE", "/rules/0", None),
]


@pytest.mark.parametrize("write", WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("scope", ["private", "global"])
def test_only_the_owner_and_admins_change_a_group(callers, write, scope):
    """Group members (and everyone, for a global group) read but may not write; others do
    not even see the group. Nothing changes either way."""
    _, method, path, body = write
    gid = with_rules(callers["owner"], **{"global": scope == "global"})
    before, mark = stored(gid), audit_mark()
    refusal = "only its owner %s or an administrator may change security policy group %s" % (
        callers["owner"].user, before[0][0])
    assert nano_message(callers["mate"].call(method, BASE + gid + path, body)) == refusal
    outsider = nano_message(callers["outsider"].call(method, BASE + gid + path, body))
    if scope == "global":
        assert outsider == refusal
    else:
        assert outsider == "security policy group %s not found" % gid
    assert stored(gid) == before and audit_since(mark) == []
    nano_data(callers["admin"].call(method, BASE + gid + path, body))
    assert audit_since(mark)[0].startswith(ADMIN_USER + " ")


def test_without_the_policies_tag_every_route_is_refused(callers):
    gid = with_rules(callers["owner"], **{"global": True})
    untagged = callers["untagged"]
    before, count, mark = stored(gid), group_count(), audit_mark()
    for method, path, body in [("GET", BASE + gid, None), ("POST", BASE, {"name": "sgx"}),
                               ("PUT", BASE + gid, {"name": "sgx"}), ("DELETE", BASE + gid, None),
                               ("GET", BASE + gid + "/rules/", None),
                               ("POST", BASE + gid + "/rules/", RULES[0]),
                               ("PUT", BASE + gid + "/rules/0", RULES[0]),
                               ("PUT", BASE + gid + "/rules/0/order", {"direction": "down"}),
                               ("DELETE", BASE + gid + "/rules/0", None)]:
        assert nano_message(untagged.call(method, path, body)) == NANO_REFUSED, (method, path)
    assert stored(gid) == before and group_count() == count and audit_since(mark) == []
    # untagged holds instance: searching the groups a guest's create may name is theirs (the
    # portal's create dialog, issue 16)
    nano_data(untagged.get(SEARCH))


# ------------------------------------------------------------------ search

def test_search_filters_by_enabled_global_owner_and_group(callers):
    owner, mate, outsider = callers["owner"], callers["mate"], callers["outsider"]
    on = new_group(owner)
    off = new_group(owner, enabled=False)
    shared = new_group(outsider, **{"global": True})
    hidden = new_group(outsider)
    seen = searched_ids(owner)
    assert {on, off, shared} <= set(seen) and hidden not in seen
    enabled = searched_ids(owner, "?enabled_only=true")
    assert on in enabled and shared in enabled and off not in enabled
    assert off in searched_ids(owner, "?enabled_only=false")
    glob = searched_ids(owner, "?global_only=1")
    assert shared in glob and on not in glob and off not in glob
    assert set(searched_ids(mate, "?owner=" + owner.user)) >= {on, off}
    assert all(g["user"] == owner.user
               for g in nano_data(mate.get(SEARCH + "?owner=" + owner.user)))
    by_group = nano_data(owner.get(SEARCH + "?group=" + callers["away"]))
    assert [g["id"] for g in by_group] == [shared]
    assert searched_ids(owner, "?owner=%s&enabled_only=true" % owner.user).count(off) == 0
    item = [g for g in nano_data(owner.get(SEARCH)) if g["id"] == on][0]
    assert set(item) == {"id", "name", "description", "user", "group", "enabled", "global",
                         "default_action"}


def test_search_pages_by_key(callers):
    admin = callers["admin"]
    for _ in range(3):
        new_group(callers["owner"])
    everything = searched_ids(admin)
    first = searched_ids(admin, "?limit=2")
    assert first == everything[:2]
    rest = searched_ids(admin, "?after=" + first[-1])
    assert rest == everything[2:]


# ------------------------------------------------------------------ guests

def create_guest(session, group):
    name = unique_name("vm")
    body = dict(GUEST, name=name, security_policy_group=group)
    return name, session.post("/guests/", body)


def guest_count(name):
    return int(run_psql("SELECT count(*) FROM guests WHERE name = %s" % sql_literal(name))[0][0])


@needs_qemu
def test_a_guest_created_with_a_group_gets_its_rules(callers):
    owner = callers["owner"]
    gid = with_rules(owner, default_action="reject")
    _, r = create_guest(owner, gid)
    assert r.status_code == 202, r.text
    guest = r.json()["data"]["id"]
    assert nano_data(owner.get("/guests/%s/security_policy/" % guest)) == {
        "default_action": "reject", "rules": RULES}
    assert run_psql("SELECT security_group_id FROM guests WHERE id = %s"
                    % sql_literal(guest)) == [[gid]]
    # The guest holds a copy: changing the group later leaves the guest alone.
    nano_data(owner.delete(BASE + gid + "/rules/0"))
    assert nano_data(owner.get("/guests/%s/security_policy/" % guest))["rules"] == RULES


@needs_qemu
def test_a_guest_created_with_someone_elses_global_group_gets_its_rules(callers):
    gid = with_rules(callers["owner"], **{"global": True})
    outsider = callers["outsider"]
    _, r = create_guest(outsider, gid)
    assert r.status_code == 202, r.text
    policy = nano_data(outsider.get("/guests/%s/security_policy/" % r.json()["data"]["id"]))
    assert policy == {"default_action": "accept", "rules": RULES}


def test_a_guest_cannot_use_a_group_its_creator_cannot_see(callers):
    gid = with_rules(callers["owner"])
    for group in (gid, str(uuid.uuid4()), "nonsense"):
        name, r = create_guest(callers["outsider"], group)
        assert nano_message(r) == "security policy group %s not found" % group
        assert guest_count(name) == 0


@needs_qemu
def test_a_group_used_by_a_guest_cannot_be_deleted(callers):
    owner = callers["owner"]
    gid = with_rules(owner)
    name, r = create_guest(owner, gid)
    assert r.status_code == 202, r.text
    guest = r.json()["data"]["id"]
    before, mark = stored(gid), audit_mark()
    message = nano_message(owner.delete(BASE + gid))
    # Counted, not named: the guests of a global group may be other tenants'.
    assert message == "security policy group %s is used by 1 guest(s)" % before[0][0]
    assert nano_message(callers["admin"].delete(BASE + gid)) == message
    assert stored(gid) == before and audit_since(mark) == []
    assert nano_data(owner.get(BASE + gid + "/rules/")) == RULES
    # Once the guest is gone, so may the group be.
    run_psql("DELETE FROM operations WHERE guest_id = %s; DELETE FROM guests WHERE id = %s"
             % (sql_literal(guest), sql_literal(guest)))
    nano_data(owner.delete(BASE + gid))
    assert stored(gid) == []
