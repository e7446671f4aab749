"""Nano media images (ISO) and disk images (qcow2): records, uploads spooled by nginx and
checked by the worker, downloads served by nginx, visibility, and guests made from images."""
import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
import uuid

import pytest

from conftest import (STATE_DIR, NanoSession, audit_mark, audit_since, nano_data, nano_message,
                      psql_scalar, run_psql, sql_literal, unique_name, wait_for)

MAX_SIZE = int(os.environ.get("NIMBUS_IMAGE_MAX_SIZE") or 4194304)
STORE = os.environ.get("NIMBUS_IMAGE_STORE") or os.path.join(STATE_DIR, "images")
STAGING = os.path.join(STORE, "staging")
SPOOL = os.path.join(STATE_DIR, "nginx", "tmp", "client_body")  # nginx's: uploads never land here
KINDS = ("media", "disk")
EXT = {"media": ".iso", "disk": ".qcow2"}
# A file of the store: <image id>-<16 hex>.<ext>, a new name for every upload.
FILE_NAME = re.compile(r"^[0-9a-f-]{36}-[0-9a-f]{16}\.(iso|qcow2)$")


# ------------------------------------------------------------------ test files

def make_qcow2(tmp_path, size="8M", backing=None):
    """A real qcow2 image made by qemu-img, with a little data so that bytes matter."""
    path = str(tmp_path / ("%s.qcow2" % uuid.uuid4().hex))
    args = ["qemu-img", "create", "-f", "qcow2"]
    if backing:
        args += ["-b", backing, "-F", "raw"]
    subprocess.run(args + [path, size], check=True, capture_output=True)
    if not backing:
        subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 64k", path],
                       check=True, capture_output=True)
    with open(path, "rb") as f:
        return f.read()


def make_iso(tmp_path):
    """An ISO 9660 image: genisoimage/xorriso when installed, else the volume descriptors
    written by hand (primary at sector 16, terminator at 17) followed by some data."""
    src = tmp_path / "isosrc"
    src.mkdir(exist_ok=True)
    (src / "hello.txt").write_bytes(os.urandom(5000))
    out = str(tmp_path / ("%s.iso" % uuid.uuid4().hex))
    for tool in (["genisoimage", "-quiet", "-o", out, str(src)],
                 ["xorriso", "-as", "mkisofs", "-quiet", "-o", out, str(src)]):
        if shutil.which(tool[0]):
            subprocess.run(tool, check=True, capture_output=True)
            with open(out, "rb") as f:
                return f.read()
    sector = 2048
    pvd = bytearray(sector)
    pvd[0:7] = b"\x01CD001\x01"
    pvd[40:72] = b"NIMBUS_TEST".ljust(32)
    term = bytearray(sector)
    term[0:7] = b"\xffCD001\x01"
    return bytes(16 * sector) + bytes(pvd) + bytes(term) + os.urandom(8 * sector)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("images")
    return {"media": make_iso(d), "disk": make_qcow2(d), "dir": d}


# ------------------------------------------------------------------ helpers

def sha256(b):
    return hashlib.sha256(b).hexdigest()


def sha1(b):
    return hashlib.sha1(b).hexdigest()


def create(s, kind, name=None, **fields):
    body = {"name": name or unique_name("img"), "description": "test image", "tags": ["test"]}
    body.update(fields)
    return nano_data(s.post("/%s_images/" % kind, body))["id"]


def upload(s, kind, image_id, data, checksum=None, filename="image.bin"):
    form = {"checksum": checksum} if checksum is not None else None
    return s.call("POST", "/%s_image_files/%s" % (kind, image_id),
                  files={"image": (filename, data, "application/octet-stream")}, data=form)


def upload_ok(s, kind, image_id, data):
    r = upload(s, kind, image_id, data, checksum=sha256(data))
    assert nano_data(r) == "", r.text


def image_owner(image_id):
    return psql_scalar("SELECT u.name FROM images i JOIN users u ON u.id = i.owner_id"
                       " WHERE i.id = %s::uuid" % sql_literal(image_id))


def image_row(image_id):
    rows = run_psql("SELECT name, created, size, file, checksum FROM images WHERE id = %s::uuid"
                    % sql_literal(image_id))
    return rows[0] if rows else None


def store_files(kind):
    return sorted(os.listdir(os.path.join(STORE, kind)))


def spool_files():
    """Bodies nginx spooled (in hashed subdirectories)."""
    return [f for _, _, fs in os.walk(SPOOL) for f in fs]


def staged_files():
    return os.listdir(STAGING) if os.path.isdir(STAGING) else []


def spool_empty():
    return spool_files() == [] and staged_files() == []


def assert_nothing_left(kind, before):
    """Nothing new in the store, nothing staged, and nothing in nginx's spool."""
    assert store_files(kind) == before
    wait_for(spool_empty, 5, what="nginx to remove the spooled body")


@pytest.fixture(scope="module", autouse=True)
def cleanup(module_scratch):
    """Images the module made, removed with their files at the end (before the scratch
    users who own them)."""
    mark = psql_scalar("SELECT now()")
    yield
    for kind, file in run_psql("DELETE FROM images WHERE created_at >= %s::timestamptz"
                               " RETURNING kind, file" % sql_literal(mark)):
        if file:
            try:
                os.unlink(os.path.join(STORE, kind, file))
            except FileNotFoundError:
                pass


@pytest.fixture(scope="module")
def tenants(module_scratch):
    """Group g1 with owner and peer, group g2 with an outsider (all granted both image menus
    and instances), and a user of a group without image permissions."""
    role = module_scratch.role(["media", "image", "instance"])
    g1 = module_scratch.group([role])
    g2 = module_scratch.group([role])
    bare = module_scratch.group([module_scratch.role(["dashboard"])])
    users = {"owner": module_scratch.user(g1), "peer": module_scratch.user(g1),
             "outsider": module_scratch.user(g2), "bare": module_scratch.user(bare)}
    sessions = {k: NanoSession(*v) for k, v in users.items()}
    sessions["g1"] = g1
    return sessions


def set_visible(group, kind, on):
    run_psql("UPDATE user_groups SET %s_image_visible = %s WHERE name = %s"
             % (kind, "true" if on else "false", sql_literal(group)))


# ------------------------------------------------------------------ records

@pytest.mark.parametrize("kind", KINDS)
def test_image_record_create_get_modify_delete_with_audit(nano_admin, kind):
    name = unique_name("rec")
    mark = audit_mark()
    image_id = create(nano_admin, kind, name, tags=["linux", "64bit"], description="first")
    assert audit_since(mark) == ["%s creates a %s image" % (nano_admin.user, kind)]
    got = nano_admin.get("/%s_images/%s" % (kind, image_id))
    if kind == "disk":  # no file yet: the progress shape, HTTP 202
        assert got.status_code == 202
        assert got.json()["data"] == {"name": name, "created": False, "progress": 0,
                                      "description": "first", "tags": ["linux", "64bit"]}
    else:
        data = nano_data(got)
        assert data["name"] == name and data["id"] == image_id
        assert data["owner"] == nano_admin.user and data["group"] == "admin"
        assert data["description"] == "first" and data["tags"] == ["linux", "64bit"]
        assert data["created"] is False and data["size"] == 0
        assert len(data["create_time"]) == 19 and len(data["modify_time"]) == 19

    new_name = unique_name("ren")
    mark = audit_mark()
    nano_data(nano_admin.put("/%s_images/%s" % (kind, image_id),
                             {"name": new_name, "description": "second", "tags": ["x"]}))
    assert audit_since(mark) == ["%s modifies %s image %s" % (nano_admin.user, kind, image_id)]
    assert image_row(image_id)[0] == new_name
    listed = nano_data(nano_admin.get("/%s_images/" % kind))
    mine = [i for i in listed if i["id"] == image_id]
    assert len(mine) == 1 and mine[0]["name"] == new_name
    assert mine[0]["description"] == "second" and mine[0]["tags"] == ["x"]

    mark = audit_mark()
    nano_data(nano_admin.delete("/%s_images/%s" % (kind, image_id)))
    assert audit_since(mark) == ["%s deletes %s image %s" % (nano_admin.user, kind, image_id)]
    assert image_row(image_id) is None
    assert "not found" in nano_admin.fail("GET", "/%s_images/%s" % (kind, image_id))


@pytest.mark.parametrize("kind", KINDS)
def test_image_routes_accept_paths_without_trailing_slash(nano_admin, kind):
    image_id = create(nano_admin, kind)
    assert any(i["id"] == image_id for i in nano_data(nano_admin.get("/%s_images" % kind)))
    nano_data(nano_admin.put("/%s_images/%s" % (kind, image_id), {"description": "d"}))
    assert nano_data(nano_admin.delete("/%s_images/%s" % (kind, image_id))) == ""


@pytest.mark.parametrize("kind", KINDS)
def test_image_create_refuses_bad_input_and_changes_nothing(nano_admin, kind):
    count = psql_scalar("SELECT count(*) FROM images")
    name = unique_name("dup")
    create(nano_admin, kind, name)
    count = psql_scalar("SELECT count(*) FROM images")
    path = "/%s_images/" % kind
    assert "already exists" in nano_admin.fail("POST", path, {"name": name})
    assert "name" in nano_admin.fail("POST", path, {"name": "bad/name"})
    assert "name" in nano_admin.fail("POST", path, {"description": "no name"})
    assert "tags" in nano_admin.fail("POST", path, {"name": unique_name(), "tags": [1]})
    assert "tags" in nano_admin.fail("POST", path, {"name": unique_name(), "tags": "linux"})
    assert "not accepted" in nano_admin.fail("POST", path, {"name": unique_name(), "size": 1})
    assert "not found" in nano_admin.fail("POST", path, {"name": unique_name(),
                                                         "owner": "nobody" + uuid.uuid4().hex})
    assert psql_scalar("SELECT count(*) FROM images") == count


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_and_malformed_ids_are_not_found(nano_admin, kind):
    for bad in (str(uuid.uuid4()), "not-a-uuid", "1"):
        for method, path in (("GET", "/%s_images/%s"), ("PUT", "/%s_images/%s"),
                             ("DELETE", "/%s_images/%s"), ("GET", "/%s_image_files/%s")):
            body = {"description": "x"} if method == "PUT" else None
            msg = nano_admin.fail(method, path % (kind, bad), body)
            assert msg == "%s image %s not found" % (kind, bad)


def test_an_image_of_one_kind_is_not_found_as_the_other(nano_admin):
    media = create(nano_admin, "media")
    assert "not found" in nano_admin.fail("GET", "/disk_images/%s" % media)
    assert "not found" in nano_admin.fail("DELETE", "/disk_images/%s" % media)
    assert image_row(media) is not None


def test_search_filters_by_tags(nano_admin):
    tag = unique_name("tag")
    a = create(nano_admin, "disk", tags=[tag, "linux"])
    b = create(nano_admin, "disk", tags=[tag, "windows"])
    create(nano_admin, "disk", tags=["linux"])
    m = create(nano_admin, "media", tags=[tag])
    ids = lambda r: [i["id"] for i in nano_data(r)]
    assert ids(nano_admin.get("/disk_image_search/?tags=%s" % tag)) == [a, b]
    assert ids(nano_admin.get("/disk_image_search/?tags=%s,linux" % tag)) == [a]
    assert ids(nano_admin.get("/disk_image_search/?tags=%s,nothing" % tag)) == []
    assert ids(nano_admin.get("/media_image_search/?tags=%s" % tag)) == [m]
    everything = ids(nano_admin.get("/disk_image_search/"))
    assert a in everything and b in everything and m not in everything


def test_image_menus_need_their_permission(tenants):
    s = tenants["bare"]
    for method, path in (("GET", "/media_image_search/"), ("GET", "/media_images/"),
                         ("POST", "/media_images/"), ("GET", "/disk_image_search/"),
                         ("POST", "/disk_images/"), ("PATCH", "/disk_images/"),
                         ("POST", "/disk_image_files/%s" % uuid.uuid4())):
        body = {"name": unique_name()} if method == "POST" and "files" not in path else None
        assert s.fail(method, path, body) == "You do not have permission to perform this action."


# ------------------------------------------------------------------ uploads and downloads

def test_media_upload_and_download_round_trip_with_range(nano_admin, files):
    iso = files["media"]
    image_id = create(nano_admin, "media", tags=["iso"])
    mark = audit_mark()
    assert nano_data(upload(nano_admin, "media", image_id, iso, filename="x.iso")) == ""
    assert audit_since(mark) == ["%s uploads the file of media image %s" % (nano_admin.user,
                                                                           image_id)]
    data = nano_data(nano_admin.get("/media_images/%s" % image_id))
    assert data["created"] is True and data["size"] == len(iso)
    row = image_row(image_id)
    assert FILE_NAME.match(row[3]) and row[3].startswith(image_id + "-") and row[3].endswith(".iso")
    assert row[3] in store_files("media") and row[4] == sha256(iso)
    with open(os.path.join(STORE, "media", row[3]), "rb") as f:
        assert f.read() == iso

    r = nano_admin.get("/media_image_files/%s" % image_id)
    assert r.status_code == 200 and r.content == iso
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert 'filename="%s.iso"' % data["name"] in r.headers["Content-Disposition"]
    assert r.headers.get("Accept-Ranges") == "bytes"
    r = nano_admin.get("/media_image_files/%s/" % image_id, headers={"Range": "bytes=32768-32899"})
    assert r.status_code == 206 and r.content == iso[32768:32900]
    assert r.headers["Content-Range"] == "bytes 32768-32899/%d" % len(iso)
    r = nano_admin.get("/media_image_files/%s" % image_id, headers={"Range": "bytes=-10"})
    assert r.status_code == 206 and r.content == iso[-10:]


def test_disk_upload_round_trip_of_a_real_qcow2(nano_admin, files):
    qcow2 = files["disk"]
    image_id = create(nano_admin, "disk")
    r = upload(nano_admin, "disk", image_id, qcow2, checksum=sha256(qcow2).upper())
    assert nano_data(r) == ""
    got = nano_admin.get("/disk_images/%s" % image_id)
    data = nano_data(got)
    assert data["created"] is True and data["progress"] == 100 and data["size"] == len(qcow2)
    r = nano_admin.get("/disk_image_files/%s" % image_id)
    assert r.status_code == 200 and r.content == qcow2
    r = nano_admin.get("/disk_image_files/%s" % image_id, headers={"Range": "bytes=0-3"})
    assert r.status_code == 206 and r.content == b"QFI\xfb"


def test_disk_upload_accepts_sha1_and_the_checksum_after_the_file(nano_admin, files):
    """The blueprint's order: the image part first, the checksum field after it."""
    qcow2 = files["disk"]
    image_id = create(nano_admin, "disk")
    boundary = "----nimbus" + uuid.uuid4().hex
    body = (("--%s\r\nContent-Disposition: form-data; name=\"image\"; filename=\"c.qcow2\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n" % boundary).encode() + qcow2 +
            ("\r\n--%s\r\nContent-Disposition: form-data; name=\"checksum\"\r\n\r\n%s\r\n--%s--\r\n"
             % (boundary, sha1(qcow2), boundary)).encode())
    r = nano_admin.call("POST", "/disk_image_files/%s" % image_id, data=body,
                        headers={"Content-Type": "multipart/form-data; boundary=%s" % boundary})
    assert nano_data(r) == ""
    assert nano_admin.get("/disk_image_files/%s" % image_id).content == qcow2


def test_reupload_replaces_the_file(nano_admin, files):
    image_id = create(nano_admin, "disk")
    upload_ok(nano_admin, "disk", image_id, files["disk"])
    first = image_row(image_id)[3]
    before = store_files("disk")
    other = make_qcow2(files["dir"], size="16M")
    upload_ok(nano_admin, "disk", image_id, other)
    second = image_row(image_id)[3]
    assert second != first and first not in store_files("disk")
    assert sorted(set(before) - {first} | {second}) == store_files("disk")
    assert nano_admin.get("/disk_image_files/%s" % image_id).content == other
    assert int(image_row(image_id)[2]) == len(other)


def test_download_before_upload_is_refused(nano_admin):
    image_id = create(nano_admin, "media")
    assert "has no file yet" in nano_admin.fail("GET", "/media_image_files/%s" % image_id)


def refused_upload(s, kind, image_id, data, **kw):
    """An upload that must be refused: the record and the store stay as they were."""
    before_row, before_files = image_row(image_id), store_files(kind)
    msg = nano_message(upload(s, kind, image_id, data, **kw))
    assert image_row(image_id) == before_row
    assert_nothing_left(kind, before_files)
    return msg


def test_wrong_checksum_is_refused_and_leaves_nothing(nano_admin, files):
    qcow2 = files["disk"]
    image_id = create(nano_admin, "disk")
    msg = refused_upload(nano_admin, "disk", image_id, qcow2, checksum=sha256(b"other"))
    assert "checksum" in msg and "mismatch" in msg
    msg = refused_upload(nano_admin, "disk", image_id, qcow2, checksum="abc123")
    assert "checksum" in msg and "SHA-1 or SHA-256" in msg
    msg = refused_upload(nano_admin, "disk", image_id, qcow2)
    assert msg == "checksum: This field is required."
    # A previously uploaded file survives a failed re-upload untouched.
    upload_ok(nano_admin, "disk", image_id, qcow2)
    refused_upload(nano_admin, "disk", image_id, qcow2, checksum=sha1(b"other"))
    assert nano_admin.get("/disk_image_files/%s" % image_id).content == qcow2


def raw_upload(s, kind, image_id, data, query):
    """An upload as the bare file (not multipart), its checksum in the query string."""
    return s.call("POST", "/%s_image_files/%s?%s" % (kind, image_id, query), data=data,
                  headers={"Content-Type": "application/octet-stream"})


def test_bare_upload_takes_its_checksum_from_the_query_string(nano_admin, files):
    qcow2 = files["disk"]
    image_id = create(nano_admin, "disk")
    before_row, before_files = image_row(image_id), store_files("disk")
    msg = nano_message(raw_upload(nano_admin, "disk", image_id, qcow2,
                                  "checksum=%s&checksum=%s" % (sha256(qcow2), sha256(qcow2))))
    assert msg == "checksum: This parameter may be given only once."
    assert image_row(image_id) == before_row
    assert_nothing_left("disk", before_files)
    r = raw_upload(nano_admin, "disk", image_id, qcow2, "checksum=" + sha256(qcow2))
    assert nano_data(r) == "", r.text
    assert nano_admin.get("/disk_image_files/%s" % image_id).content == qcow2


def test_uploads_not_in_the_declared_format_are_refused(nano_admin, files, tmp_path):
    disk = create(nano_admin, "disk")
    media = create(nano_admin, "media")
    iso, qcow2 = files["media"], files["disk"]
    msg = refused_upload(nano_admin, "disk", disk, iso, checksum=sha256(iso))
    assert "not a qcow2 image" in msg
    junk = os.urandom(100000)
    assert "not a qcow2 image" in refused_upload(nano_admin, "disk", disk, junk,
                                                 checksum=sha256(junk))
    assert "ISO 9660" in refused_upload(nano_admin, "media", media, qcow2)
    assert "ISO 9660" in refused_upload(nano_admin, "media", media, junk)
    # A qcow2 whose backing file is a host file would read that file: refused.
    backed = make_qcow2(tmp_path, backing="/etc/hostname")
    assert "backing file" in refused_upload(nano_admin, "disk", disk, backed,
                                            checksum=sha256(backed))
    assert "empty" in refused_upload(nano_admin, "media", media, b"")


def test_malformed_multipart_is_refused(nano_admin):
    media = create(nano_admin, "media")
    before = store_files("media")
    path = "/media_image_files/%s" % media
    for body, ctype in ((b"--b\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc",
                         "multipart/form-data; boundary=b"),
                        (b"whatever", "multipart/form-data"),
                        (b"--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--",
                         "multipart/form-data; boundary=b")):
        msg = nano_message(nano_admin.call("POST", path, data=body,
                                           headers={"Content-Type": ctype}))
        assert "multipart" in msg or "image" in msg
    assert image_row(media)[1] == "f"
    assert_nothing_left("media", before)


def test_uploads_over_the_size_limit_are_refused(nano_admin):
    disk = create(nano_admin, "disk")
    before = store_files("disk")
    # Just over the limit: nginx takes it (its limit has room for the multipart framing) and
    # the worker refuses while streaming it into the store.
    data = os.urandom(MAX_SIZE + 1)
    r = upload(nano_admin, "disk", disk, data, checksum=sha256(data))
    assert r.status_code == 413
    assert r.json() == {"error_code": 500, "data": "",
                        "message": "the image is larger than the limit of %d bytes" % MAX_SIZE}
    # Far over: nginx refuses before reading it, in the same shape.
    data = os.urandom(MAX_SIZE + 2 * 1024 * 1024)
    r = upload(nano_admin, "disk", disk, data, checksum=sha256(data))
    assert r.status_code == 413
    assert r.json()["error_code"] == 500 and "larger than the limit" in r.json()["message"]
    assert image_row(disk)[1] == "f"
    assert_nothing_left("disk", before)


def test_upload_to_an_unknown_image_is_refused(nano_admin, files):
    before = store_files("media")
    bad = str(uuid.uuid4())
    assert nano_message(upload(nano_admin, "media", bad, files["media"])) == \
        "media image %s not found" % bad
    assert_nothing_left("media", before)


# ------------------------------------------------------------------ visibility

@pytest.mark.parametrize("kind", KINDS)
def test_visibility_owner_group_flag_others_and_admin(tenants, nano_admin, files, kind):
    owner, peer, outsider = tenants["owner"], tenants["peer"], tenants["outsider"]
    image_id = create(owner, kind)
    data = files[kind]
    upload_ok(owner, kind, image_id, data)
    get = "/%s_images/%s" % (kind, image_id)
    download = "/%s_image_files/%s" % (kind, image_id)

    def sees(s):
        listed = any(i["id"] == image_id for i in nano_data(s.get("/%s_images/" % kind)))
        r = s.get(get)
        if r.json()["error_code"] != 0:
            assert r.json()["message"] == "%s image %s not found" % (kind, image_id)
            assert not listed
            assert s.get(download).json()["message"].endswith("not found")
            return False
        assert listed and s.get(download).content == data
        return True

    set_visible(tenants["g1"], kind, False)
    assert sees(owner) and sees(nano_admin)
    assert not sees(peer) and not sees(outsider)
    set_visible(tenants["g1"], kind, True)
    assert sees(peer) and not sees(outsider)
    # The other kind's flag does not share this kind.
    set_visible(tenants["g1"], kind, False)
    set_visible(tenants["g1"], "disk" if kind == "media" else "media", True)
    assert not sees(peer)

    # Nobody who cannot see it changes it, and an upload from them leaves nothing behind.
    before = store_files(kind)
    for s in (peer, outsider):
        assert "not found" in s.fail("PUT", get, {"description": "mine"})
        assert "not found" in s.fail("DELETE", get)
        assert "not found" in nano_message(upload(s, kind, image_id, data,
                                                  checksum=sha256(data)))
    assert_nothing_left(kind, before)
    assert image_row(image_id)[1] == "t"
    assert nano_data(nano_admin.get(get))["description"] == "test image"


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_by_a_group_member_keeps_the_owner(tenants, kind):
    """A member of a group that shares images edits another member's image as Nano's portal
    does, sending its own name as owner: the edit holds, the image stays its owner's (and its
    bytes on the owner's account); naming a third user is refused and changes nothing."""
    owner, peer, outsider = tenants["owner"], tenants["peer"], tenants["outsider"]
    set_visible(tenants["g1"], kind, True)
    try:
        image_id = create(owner, kind)
        get = "/%s_images/%s" % (kind, image_id)
        assert nano_data(peer.put(get, {"name": unique_name("edited"), "owner": peer.user,
                                        "description": "edited by a peer"})) == ""
        assert image_owner(image_id) == owner.user
        assert owner.get(get).json()["data"]["description"] == "edited by a peer"
        assert "only administrators" in peer.fail("PUT", get, {"owner": outsider.user,
                                                               "description": "x"})
        assert image_owner(image_id) == owner.user
        assert owner.get(get).json()["data"]["description"] == "edited by a peer"
    finally:
        set_visible(tenants["g1"], kind, False)


def test_only_admins_name_another_owner(tenants, nano_admin):
    owner = tenants["owner"]
    msg = owner.fail("POST", "/media_images/", {"name": unique_name(), "owner": nano_admin.user})
    assert "only administrators" in msg
    image_id = create(nano_admin, "media", owner=owner.user)
    data = nano_data(owner.get("/media_images/%s" % image_id))
    assert data["owner"] == owner.user and data["group"] == tenants["g1"]


# ------------------------------------------------------------------ synchronise

def test_patch_synchronises_files_put_in_the_store(nano_admin, files):
    name = unique_name("sync")
    path = os.path.join(STORE, "media", name + ".iso")
    junk = os.path.join(STORE, "media", unique_name("junk") + ".iso")
    with open(path, "wb") as f:
        f.write(files["media"])
    with open(junk, "wb") as f:
        f.write(b"not an iso")
    try:
        mark = audit_mark()
        assert nano_data(nano_admin.call("PATCH", "/media_images/",
                                         {"owner": nano_admin.user, "group": "admin"})) == ""
        assert audit_since(mark) == ["%s synchronises media images with the image store"
                                     % nano_admin.user]
        found = [i for i in nano_data(nano_admin.get("/media_images/")) if i["name"] == name]
        assert len(found) == 1 and found[0]["created"] is True
        assert found[0]["size"] == len(files["media"])
        assert nano_admin.get("/media_image_files/%s" % found[0]["id"]).content == files["media"]
        assert not any(i["name"] == os.path.basename(junk)[:-4]
                       for i in nano_data(nano_admin.get("/media_images/")))
        # Again: nothing new. Then the file goes away and the record loses it.
        nano_data(nano_admin.call("PATCH", "/media_images", {}))
        assert len([i for i in nano_data(nano_admin.get("/media_images/"))
                    if i["name"] == name]) == 1
        os.unlink(path)
        nano_data(nano_admin.call("PATCH", "/media_images/", {}))
        assert image_row(found[0]["id"])[1:4] == ["f", "0", ""]
    finally:
        for p in (path, junk):
            if os.path.exists(p):
                os.unlink(p)


def test_delete_removes_the_file(nano_admin, files):
    image_id = create(nano_admin, "disk")
    upload_ok(nano_admin, "disk", image_id, files["disk"])
    file = image_row(image_id)[3]
    assert file in store_files("disk")
    nano_data(nano_admin.delete("/disk_images/%s" % image_id))
    assert file not in store_files("disk")


def test_sync_is_for_administrators_only(tenants):
    """Synchronising hands files of the store out to an owner: no tenant may call it, whoever
    it names (it once let a tenant adopt other tenants' uploads as its own)."""
    for kind in KINDS:
        for body in ({}, {"owner": tenants["owner"].user}, {"owner": "admin"}):
            assert tenants["owner"].fail("PATCH", "/%s_images/" % kind, body) == \
                "You do not have permission to perform this action."


# ------------------------------------------------------------------ guests and images

def guest_body(name, **extra):
    body = {"name": name, "pool": "default", "cores": 1, "memory": 268435456,
            "disks": [1073741824], "template": "linux-default"}
    body.update(extra)
    return body


def test_guest_from_image_needs_a_visible_uploaded_disk_image(tenants, nano_admin, files):
    owner, outsider = tenants["owner"], tenants["outsider"]
    image_id = create(owner, "disk")
    msg = owner.fail("POST", "/guests/", guest_body(unique_name("g"), from_image=image_id))
    assert "has no file yet" in msg
    upload_ok(owner, "disk", image_id, files["disk"])
    bad = str(uuid.uuid4())
    assert owner.fail("POST", "/guests/", guest_body(unique_name("g"), from_image=bad)) == \
        "disk image %s not found" % bad
    assert "not found" in outsider.fail("POST", "/guests/",
                                        guest_body(unique_name("g"), from_image=image_id))
    media = create(owner, "media")
    assert "not found" in owner.fail("POST", "/guests/",
                                     guest_body(unique_name("g"), from_image=media))
    name = unique_name("g")
    r = owner.post("/guests/", guest_body(name, from_image=image_id))
    assert r.status_code == 202 and r.json()["error_code"] == 0, r.text
    guest_id = r.json()["data"]["id"]
    try:
        assert psql_scalar("SELECT from_image FROM guests WHERE id = %s::uuid"
                           % sql_literal(guest_id)) == image_id
    finally:
        run_psql("DELETE FROM operations WHERE guest_id = %s::uuid;"
                 " DELETE FROM guests WHERE id = %s::uuid" % (sql_literal(guest_id),
                                                            sql_literal(guest_id)))


@contextlib.contextmanager
def reconciler_paused():
    """The stack's reconciler stopped (SIGSTOP) meanwhile, so that operations stay open and
    the API can be seen acting on them; it resumes (and re-leases its cells) afterwards."""
    with open(os.path.join(STATE_DIR, "nimbus-reconciler.pid")) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def test_disk_image_cloned_from_a_stopped_guest_is_a_reconciler_operation(tenants):
    """The API's side of create_disk_image while the operation is open (the host's side is in
    test_nano_guest_images.py)."""
    owner, outsider = tenants["owner"], tenants["outsider"]
    with reconciler_paused():
        r = owner.post("/guests/", guest_body(unique_name("src")))
        assert r.status_code == 202, r.text
        guest_id = r.json()["data"]["id"]
        clone_while_open(owner, outsider, guest_id)


def clone_while_open(owner, outsider, guest_id):
    try:
        name = unique_name("clone")
        body = {"name": name, "guest": guest_id, "description": "from a guest", "tags": ["c"]}
        assert "not created yet" in owner.fail("POST", "/disk_images/", body)
        # Pretend the reconciler made and started it (it is paused).
        run_psql("UPDATE operations SET status = 'done' WHERE guest_id = %s::uuid;"
                 " UPDATE guests SET created = true, running = true WHERE id = %s::uuid"
                 % (sql_literal(guest_id), sql_literal(guest_id)))
        assert "is running" in owner.fail("POST", "/disk_images/", body)
        run_psql("UPDATE guests SET running = false WHERE id = %s::uuid" % sql_literal(guest_id))
        assert "not found" in outsider.fail("POST", "/disk_images/", body)
        assert psql_scalar("SELECT count(*) FROM images WHERE name = %s" % sql_literal(name)) == "0"
        r = owner.post("/disk_images/", body)
        assert r.status_code == 202 and r.json()["error_code"] == 0, r.text
        image_id = r.json()["data"]["id"]
        op = run_psql("SELECT kind, status, params->>'image', cell_id IS NOT NULL FROM operations"
                      " WHERE guest_id = %s::uuid AND kind = 'create_disk_image'"
                      % sql_literal(guest_id))
        assert op == [["create_disk_image", "pending", image_id, "t"]]
        r = owner.get("/disk_images/%s" % image_id)
        assert r.status_code == 202
        assert r.json()["data"] == {"name": name, "created": False, "progress": 0,
                                    "description": "from a guest", "tags": ["c"]}
        # While the clone is under way the guest is busy and the image cannot be replaced.
        assert "busy" in owner.fail("POST", "/disk_images/", dict(body, name=unique_name()))
        assert "being" in nano_message(upload(owner, "disk", image_id, b"x", checksum="0" * 64))
        assert "being created" in owner.fail("DELETE", "/disk_images/%s" % image_id)
        # Progress and failure come from the operation.
        run_psql("UPDATE operations SET status = 'running', progress = 40 WHERE kind ="
                 " 'create_disk_image' AND params->>'image' = %s" % sql_literal(image_id))
        assert owner.get("/disk_images/%s" % image_id).json()["data"]["progress"] == 40
        run_psql("UPDATE operations SET status = 'failed', error = 'volume vanished' WHERE kind ="
                 " 'create_disk_image' AND params->>'image' = %s" % sql_literal(image_id))
        assert owner.fail("GET", "/disk_images/%s" % image_id) == \
            "creating disk image %s failed: volume vanished" % name
        nano_data(owner.delete("/disk_images/%s" % image_id))
    finally:
        run_psql("DELETE FROM operations WHERE guest_id = %s::uuid;"
                 " DELETE FROM guests WHERE id = %s::uuid" % (sql_literal(guest_id),
                                                            sql_literal(guest_id)))


def test_no_stray_files_remain(nano_admin):
    """After everything above: no temporary upload in the store, nothing in nginx's spool."""
    for kind in KINDS:
        assert not [f for f in store_files(kind) if f.startswith(".")]
    wait_for(spool_empty, 5, what="an empty nginx spool directory")
