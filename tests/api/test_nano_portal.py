"""What Nano's own web portal needs of Nimbus (issue 16).

GET /api/v1/system/ (public: ready once any user exists, and the most one guest may have) and
POST /api/v1/system/ (the first administrator, only while no user exists) as the real frontend
answers them; first-run initialisation on an empty system (a fresh database beside the stack,
nimbus_test/fresh.py); the portal's twelve menu tags, each granting its page's API and nothing
else; any other tag a label kept verbatim that grants nothing; migration 020's renaming; the
real frontend's paths the portal uses for consoles and image files."""
import hashlib
import json
import os
import subprocess
import urllib.parse
import uuid

import pytest

from conftest import (BASE_URL, NANO_REFUSED, NanoSession, audit_mark, audit_since, nano_data,
                      nano_message, psql_scalar, request, run_psql, unique_name)
from nimbus_test.fresh import FreshSystem
from nimbus_test.stack import build_dir
from test_nano_images import make_iso, make_qcow2
from wsclient import Refused, WebSocket

# The portal's tags (its getAllMenus), in its sidebar's order.
PORTAL_MENU = ["dashboard", "compute_pool", "address_pool", "storage_pool", "instance", "image",
               "media", "templates", "policies", "user", "log", "visibility"]

# A call of each tag's page that changes nothing: a holder gets data, or (for writes) a
# message that is not the refusal; everyone else gets the refusal.
PROBES = {
    "dashboard": ("GET", "/compute_zone_status/", None, None),
    "compute_pool": ("PUT", "/compute_pools/%s" % uuid.uuid4().hex, {"failover": False},
                     "not found"),
    "address_pool": ("GET", "/address_pools/", None, None),
    "storage_pool": ("GET", "/storage_pools/", None, None),
    "instance": ("POST", "/search/guests/", {"limit": 1}, None),
    "image": ("PUT", "/disk_images/%s" % uuid.uuid4(), {"name": "x"}, "not found"),
    "media": ("PUT", "/media_images/%s" % uuid.uuid4(), {"name": "x"}, "not found"),
    "templates": ("PUT", "/templates/%s" % uuid.uuid4(), {"disk": "ide"}, "not found"),
    "policies": ("PUT", "/security_policy_groups/%s" % uuid.uuid4(), {"name": "x"},
                 "not found"),
    "user": ("GET", "/users/", None, None),
    "log": ("GET", "/logs/", None, None),
    "visibility": ("PUT", "/resource_visibilities/", {"instance_visible": "yes"},
                   "instance_visible"),
}


def system(path="/api/v1/system/", **kw):
    return request("GET", path, **kw)


def identity_snapshot(sql):
    """Everything an initialisation could change, read with sql(query) -> rows."""
    return (sql("SELECT name, password_hash, coalesce(group_id::text, '') FROM users ORDER BY 1"),
            sql("SELECT name, array_to_string(menu, ',') FROM roles ORDER BY 1"),
            sql("SELECT name, display, is_admin::text, menu FROM user_groups ORDER BY 1"),
            sql("SELECT g.name, r.name FROM group_roles gr JOIN user_groups g"
                " ON g.id = gr.group_id JOIN roles r ON r.id = gr.role_id ORDER BY 1, 2"),
            sql("SELECT count(*), coalesce(max(id), 0) FROM audit_log"))


# ------------------------------------------------------------------ /system/ on the stack

def expected_limits(sql):
    row = sql("SELECT coalesce(max(c.cores), 0), coalesce(max(c.memory), 0) / 1073741824,"
              "       coalesce(max(c.disk_available), 0) / 1073741824"
              "  FROM cells c JOIN compute_pools p ON p.id = c.pool_id"
              " WHERE c.enabled AND p.enabled")[0]
    return dict(zip(("max_cores", "max_memory", "max_disk"), map(int, row)))


@pytest.mark.parametrize("path", ["/api/v1/system/", "/api/v1/system"])
def test_system_status_needs_no_session_and_is_ready_with_the_stack_admin(path):
    data = nano_data(system(path))
    assert data == dict(ready=True, **expected_limits(run_psql)), data


def test_system_limits_are_the_largest_enabled_cell_and_its_free_disk():
    """The portal's create dialog bounds its sliders with them: the cores and memory a create
    accepts at most, the most free disk placement can find (memory and disk in GiB)."""
    data = nano_data(system())
    assert data["max_cores"] >= 1 and data["max_memory"] >= 1, data
    cores = int(psql_scalar("SELECT max(cores) FROM cells c JOIN compute_pools p"
                            " ON p.id = c.pool_id WHERE c.enabled AND p.enabled"))
    assert data["max_cores"] == cores


@pytest.mark.parametrize("body, words", [
    ({"user": "second", "password": "Second-pw-1", "menu": PORTAL_MENU},
     "system already initialed"),
    ({"user": "bad name!", "password": "x", "menu": []}, "system already initialed"),
    ({}, "user"),  # the body's form is checked first, as for every route
], ids=["valid", "invalid", "empty"])
def test_system_initialise_is_refused_once_a_user_exists(body, words):
    before, mark = identity_snapshot(run_psql), audit_mark()
    message = nano_message(request("POST", "/api/v1/system/", json=body))
    assert words in message, message
    assert identity_snapshot(run_psql) == before
    assert audit_since(mark) == []


# ------------------------------------------------------------------ /system/ on an empty system

@pytest.fixture
def fresh():
    f = FreshSystem().start()
    yield f
    f.stop()


def fresh_data(r):
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["error_code"] == 0 and body["message"] == "", r.text
    return body["data"]


def fresh_message(r):
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["error_code"] == 500 and body["data"] == "", r.text
    return body["message"]


def test_an_empty_system_is_not_ready_and_has_no_limits(fresh):
    assert fresh.sql("SELECT count(*) FROM users") == [["0"]]
    assert fresh_data(fresh.call("GET", "/api/v1/system/")) == {
        "ready": False, "max_cores": 0, "max_memory": 0, "max_disk": 0}


BAD = [
    ({"password": "Nano-pw-1", "menu": PORTAL_MENU}, "user"),
    ({"user": "root", "menu": PORTAL_MENU}, "password"),
    ({"user": "root", "password": "Nano-pw-1"}, "menu"),
    ({"user": "root", "password": "Nano-pw-1", "menu": []}, "require at least one menu item"),
    ({"user": "root", "password": "Nano-pw-1", "menu": "dashboard"}, "menu"),
    ({"user": "root", "password": "Nano-pw-1", "menu": ["log", 3]}, "menu"),
    ({"user": "ro ot", "password": "Nano-pw-1", "menu": PORTAL_MENU}, "user"),
    ({"user": "root", "password": "Nano-pw-1", "menu": PORTAL_MENU, "group": "a/b"}, "group"),
    ({"user": "root", "password": "Nano-pw-1", "menu": PORTAL_MENU, "role": "x y"}, "role"),
    ({"user": "root", "password": "pw", "menu": PORTAL_MENU}, "password"),
    ({"user": "root", "password": "Nano-pw-1", "menu": ["log", "a,user"]}, "comma"),
    ({"user": "root", "password": "Nano-pw-1", "menu": ["log", ""]}, "empty"),
    ({"user": "root", "password": "Nano-pw-1", "menu": PORTAL_MENU, "role": "admin"},
     "role 'admin' already exists"),
    ({"user": "root", "password": "Nano-pw-1", "menu": PORTAL_MENU, "admin": True}, "admin"),
]


def test_bad_initialisations_are_refused_and_change_nothing(fresh):
    before = identity_snapshot(fresh.sql)
    for body, words in BAD:
        message = fresh_message(fresh.call("POST", "/api/v1/system/", body))
        assert words in message, (body, message)
        assert identity_snapshot(fresh.sql) == before, body
    assert fresh_data(fresh.call("GET", "/api/v1/system/"))["ready"] is False


def fresh_login(fresh, user, password):
    data = fresh_data(fresh.call("POST", "/api/v1/sessions/",
                                 {"user": user, "password": password, "nonce": "n"}))
    return data


def test_the_portals_first_run_makes_an_administrator_with_its_menu(fresh):
    """The portal sends user, password and its every tag; group, display and role take the
    real frontend's defaults. The built-in admin group (empty while no user exists) is taken."""
    body = {"user": "root", "password": "Nano-pw-1", "menu": PORTAL_MENU}
    assert fresh_data(fresh.call("POST", "/api/v1/system/", body)) == ""
    assert fresh_data(fresh.call("GET", "/api/v1/system/"))["ready"] is True
    assert fresh.sql("SELECT u.name, g.name, g.display, g.is_admin::text,"
                     "       (u.password_hash LIKE '$argon2id$%')::text"
                     "  FROM users u JOIN user_groups g ON g.id = u.group_id") == [
        ["root", "admin", "Administrators of Nano Portal", "true", "true"]]
    assert fresh.sql("SELECT r.name FROM group_roles gr JOIN roles r ON r.id = gr.role_id"
                     " JOIN user_groups g ON g.id = gr.group_id WHERE g.name = 'admin'"
                     " ORDER BY 1") == [["admin"], ["super"]]
    assert sorted(fresh.sql("SELECT unnest(menu) FROM roles WHERE name = 'super'")) == \
        sorted([t] for t in PORTAL_MENU)
    assert fresh.sql("SELECT author IS NULL, source, entry FROM audit_log") == [
        ["t", "system", "root initialises the system in group admin with role super"]]
    session = fresh_login(fresh, "root", "Nano-pw-1")
    assert sorted(session["menu"]) == sorted(PORTAL_MENU)
    assert session["group"] == "admin"
    headers = {"Nano-Session": session["session"]}
    # an administrator: the admin-only image synchronisation is open to them
    assert fresh_data(fresh.call("GET", "/api/v1/roles/", headers=headers)) == ["admin", "super"]
    # (it answers success, or its own error where the fresh system's store is not there, but is
    # never refused)
    synced = fresh.call("PATCH", "/api/v1/media_images/", {}, headers)
    assert synced.status_code == 200 and synced.json()["message"] != NANO_REFUSED, synced.text

    before = identity_snapshot(fresh.sql)
    again = dict(body, user="other")
    assert fresh_message(fresh.call("POST", "/api/v1/system/", again)) == \
        "system already initialed"
    assert identity_snapshot(fresh.sql) == before


def test_first_run_with_its_own_group_role_and_display(fresh):
    body = {"user": "ops", "password": "Nano-pw-2", "group": "operators", "role": "boss",
            "display": "Operators", "menu": ["dashboard", "instance", "Portal Extra"]}
    assert fresh_data(fresh.call("POST", "/api/v1/system/", body)) == ""
    assert fresh.sql("SELECT u.name, g.name, g.display, g.is_admin::text FROM users u"
                     " JOIN user_groups g ON g.id = u.group_id") == [
        ["ops", "operators", "Operators", "true"]]
    assert fresh.sql("SELECT array_to_string(menu, ',') FROM roles WHERE name = 'boss'") != []
    assert sorted(fresh.sql("SELECT unnest(menu) FROM roles WHERE name = 'boss'")) == \
        [["Portal Extra"], ["dashboard"], ["instance"]]
    # the built-in admin group stays as it was, with its role and no member
    assert fresh.sql("SELECT display, is_admin::text FROM user_groups WHERE name = 'admin'") == \
        [["Administrators", "true"]]
    assert fresh_login(fresh, "ops", "Nano-pw-2")["group"] == "operators"


def test_migration_020_renames_the_old_tags_and_sets_the_admin_menu(fresh):
    """Run again over roles with the first names: renamed in place, order and other tags kept,
    duplicates once; the admin role gets the portal's twelve."""
    fresh.sql("UPDATE roles SET menu = ARRAY['dashboard', 'disk_image', 'image_server',"
              " 'system_template'] WHERE name = 'admin'")
    fresh.sql("INSERT INTO roles (name, menu) VALUES ('old', ARRAY['security_policy', 'log',"
              " 'media_image', 'media', 'image_server', 'disk_image'])")
    fresh.sql("DELETE FROM schema_migrations WHERE version LIKE '020%'")
    env = dict(os.environ, NIMBUS_DB=fresh.db)
    p = subprocess.run([os.path.join(build_dir(), "nimbusctl"), "migrate"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert fresh.sql("SELECT array_to_string(menu, ',') FROM roles WHERE name = 'old'") == [
        ["policies,log,media,image_server,image"]]
    assert fresh.sql("SELECT array_to_string(menu, ',') FROM roles WHERE name = 'admin'") == [
        [",".join(PORTAL_MENU)]]


# ------------------------------------------------------------------ menu tags

def test_the_admin_role_lists_the_portals_twelve_tags(nano_admin):
    assert nano_data(nano_admin.get("/roles/admin"))["menu"] == PORTAL_MENU


@pytest.fixture(scope="module")
def holders(module_scratch):
    """One session per tag, of a user whose role holds that tag alone; and one whose role holds
    only a tag Nimbus does not know."""
    def session(menu):
        return NanoSession(*module_scratch.user(module_scratch.group([module_scratch.role(menu)])))
    sessions = {tag: session([tag]) for tag in PORTAL_MENU}
    sessions["Warp Drive"] = session(["Warp Drive"])
    return sessions


def probe(s, tag):
    method, path, body, words = PROBES[tag]
    return s.call(method, path, body)


@pytest.mark.parametrize("tag", PORTAL_MENU)
def test_each_portal_tag_opens_its_page_and_no_other(holders, tag):
    s = holders[tag]
    session = nano_data(s.get("/sessions/%s" % s.token))
    assert session["menu"] == [tag]
    mark = audit_mark()
    words = PROBES[tag][3]
    if words is None:
        nano_data(probe(s, tag))
    else:
        message = nano_message(probe(s, tag))
        assert words in message and message != NANO_REFUSED, message
    for other in PORTAL_MENU:
        if other != tag:
            assert nano_message(probe(s, other)) == NANO_REFUSED, other
    assert audit_since(mark) == []


# What the portal's instance pages list for a create, a media insertion or a system reset,
# and the tag whose own page each list is.
CREATE_LISTS = {"/compute_pools/": "compute_pool", "/compute_pool_cells/default": "compute_pool",
                "/disk_image_search/": "image", "/media_image_search/": "media",
                "/search/security_policy_groups/": "policies"}


def test_the_instance_pages_read_what_a_create_names(holders):
    """The portal's instance list filters by pool and cell; its create dialog picks a pool, a
    source image and a security policy group; its media dialogs pick a media image. Instance
    holders read those lists (images and groups as visibility allows); otherwise each list is
    its own page's."""
    assert "default" in [p["name"] for p in nano_data(holders["instance"].get("/compute_pools/"))]
    for path, owner in CREATE_LISTS.items():
        for tag in PORTAL_MENU:
            r = holders[tag].get(path)
            if tag in ("instance", owner):
                nano_data(r)
            else:
                assert nano_message(r) == NANO_REFUSED, (tag, path)
    # reading is all: a pool's own record and every change stay their own pages'
    assert nano_message(holders["instance"].get("/compute_pools/default")) == NANO_REFUSED
    assert nano_message(holders["instance"].post("/disk_images/", {"name": "x"})) == NANO_REFUSED


def test_an_unknown_tag_is_kept_verbatim_and_grants_nothing(holders, nano_admin):
    s = holders["Warp Drive"]
    assert nano_data(s.get("/sessions/%s" % s.token))["menu"] == ["Warp Drive"]
    role = run_psql("SELECT r.name FROM users u JOIN group_roles gr ON gr.group_id = u.group_id"
                    " JOIN roles r ON r.id = gr.role_id WHERE u.name = '%s'" % s.user)[0][0]
    assert nano_data(nano_admin.get("/roles/%s" % role))["menu"] == ["Warp Drive"]
    mark = audit_mark()
    for tag in PORTAL_MENU:
        assert nano_message(probe(s, tag)) == NANO_REFUSED, tag
    assert audit_since(mark) == []


@pytest.mark.parametrize("old", ["disk_image", "media_image", "system_template",
                                 "security_policy", "image_server"])
def test_the_first_names_are_labels_now(module_scratch, old):
    """Stored as given; they grant nothing (the portal's names do)."""
    s = NanoSession(*module_scratch.user(module_scratch.group([module_scratch.role([old])])))
    assert nano_data(s.get("/sessions/%s" % s.token))["menu"] == [old]
    for tag in PORTAL_MENU:
        assert nano_message(probe(s, tag)) == NANO_REFUSED, tag


# ------------------------------------------------------------------ the real frontend's paths

def test_consoles_are_served_where_the_portal_connects():
    """The portal opens ws://<host>/api/v1/monitor_channels/<id> (the real frontend's path);
    it is the same nginx location as /monitor_channels/<id>, checked the same way."""
    cid = uuid.uuid4().hex
    for path in ("/api/v1/monitor_channels/%s" % cid, "/api/v1/monitor_channels/%s/" % cid):
        with pytest.raises(Refused) as e:
            WebSocket("127.0.0.1", urllib.parse.urlsplit(BASE_URL).port or 443, path).close()
        doc = json.loads(e.value.body)
        assert doc == {"error_code": 500, "data": "",
                       "message": "monitor channel %s not found" % cid}, doc
    r = request("GET", "/api/v1/monitor_channels/%s" % cid)
    assert r.json()["message"] == "monitor channels take WebSocket connections only", r.text


@pytest.fixture(scope="module")
def image_files(tmp_path_factory, nano_admin):
    d = tmp_path_factory.mktemp("portal-images")
    made = []
    yield {"media": make_iso(d), "disk": make_qcow2(d), "made": made}
    for kind, image_id in made:
        nano_admin.delete("/%s_images/%s" % (kind, image_id))


def test_image_files_at_the_real_frontends_paths(nano_admin, image_files):
    """The portal uploads to /media_images/<id>/file/ and /disk_images/<id>/file/ and
    downloads from the latter: the same handlers as /…_image_files/<id>."""
    for kind in ("media", "disk"):
        data = image_files[kind]
        image_id = nano_data(nano_admin.post("/%s_images/" % kind, {"name": unique_name("p")}))["id"]
        image_files["made"].append((kind, image_id))
        form = {"checksum": hashlib.sha256(data).hexdigest()} if kind == "disk" else None
        mark = audit_mark()
        r = nano_admin.call("POST", "/%s_images/%s/file/" % (kind, image_id), data=form,
                            files={"image": ("x." + kind, data, "application/octet-stream")})
        assert nano_data(r) == ""
        assert audit_since(mark) == ["%s uploads the file of %s image %s" % (nano_admin.user,
                                                                            kind, image_id)]
        assert nano_data(nano_admin.get("/%s_images/%s" % (kind, image_id)))["created"] is True
        assert nano_admin.get("/%s_image_files/%s" % (kind, image_id)).content == data
    r = nano_admin.get("/disk_images/%s/file/" % image_id, headers={"Range": "bytes=0-3"})
    assert r.status_code == 206 and r.content == b"QFI\xfb"


def test_portal_disk_upload_needs_no_checksum(nano_admin, image_files):
    """The portal posts a disk image's file alone to /disk_images/<id>/file/, as the real image
    server takes it there (it computes the checksum itself); a checksum given is checked; the
    API document's /disk_image_files/<id> still requires one."""
    from test_nano_images import image_row
    data = image_files["disk"]
    files = {"image": ("x.qcow2", data, "application/octet-stream")}
    image_id = nano_data(nano_admin.post("/disk_images/", {"name": unique_name("p")}))["id"]
    image_files["made"].append(("disk", image_id))
    before = image_row(image_id)
    r = nano_admin.call("POST", "/disk_image_files/%s" % image_id, files=files)
    assert nano_message(r) == "checksum: This field is required."
    r = nano_admin.call("POST", "/disk_images/%s/file/" % image_id, files=files,
                        data={"checksum": hashlib.sha256(b"other").hexdigest()})
    assert "checksum" in nano_message(r) and "mismatch" in nano_message(r)
    assert image_row(image_id) == before
    r = nano_admin.call("POST", "/disk_images/%s/file/" % image_id, files=files)
    assert nano_data(r) == "", r.text
    name, created, size, _, checksum = image_row(image_id)
    assert (created, int(size), checksum) == ("t", len(data), hashlib.sha256(data).hexdigest())
    assert nano_admin.get("/disk_images/%s/file/" % image_id).content == data


def test_monitor_secret_reset_needs_the_instance_tag_and_a_guest(holders):
    """PUT /guests/<id>/monitor/secret (the portal's "Reset Monitor Secret"): the instance page's
    call; an unknown guest is not found. Where it succeeds: test_qemu_e2e.py (a real console);
    where the cell cannot: test_nano_cell_features.py."""
    path = "/guests/%s/monitor/secret" % uuid.uuid4()
    assert nano_message(holders["log"].call("PUT", path, raw="")) == NANO_REFUSED
    assert "not found" in nano_message(holders["instance"].call("PUT", path, raw=""))


def test_image_file_paths_of_the_real_frontend_need_their_tag(holders, image_files):
    for kind, tag in (("media", "media"), ("disk", "image")):
        other = holders["image" if tag == "media" else "media"]
        path = "/%s_images/%s/file/" % (kind, uuid.uuid4())
        r = other.call("POST", path, files={"image": ("x", b"data", "application/octet-stream")})
        assert nano_message(r) == NANO_REFUSED
        assert "not found" in nano_message(holders[tag].call(
            "POST", path, files={"image": ("x", b"data", "application/octet-stream")}))
