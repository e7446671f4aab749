"""End to end on a real hypervisor (issues 6, 7 and 15): the stack's cell0, a libvirtd with
the QEMU driver that app/stack.sh starts, in pool default; a small TCG guest created, started,
seen running with real figures, reached over a monitor channel (the RFB greeting of its VNC
server through nginx and websockify), stopped, snapshotted and deleted, with nothing left on the
host. Then a real qcow2 made with qemu-img goes up and comes back byte for byte, a guest is made
from it (its volume 0 holds the image's content, read back from the host), and a security
policy becomes the nwfilter nimbus-<guest id> that the guest's interface references.

The stack's libvirtd runs as root in a private mount namespace (unshare -m) in which
/etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt are
directories of <state>/qemu-libvirt: its own qemu.conf (user root), its own virtlogd, domain,
network and pool definitions. Its socket is under the state dir too: cell0's URI is
qemu+unix:///system?socket=<state>/qemu-libvirt/sock/libvirt-sock.

Skipped where cell0 fell back to libvirt's test driver (not root, QEMU missing, no mount
namespaces: app/stack.sh says which when it starts). /dev/kvm is not needed: guests run under
TCG when the host offers no KVM.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse

import pytest
import requests

from conftest import (BASE_URL, HOST_CELL, HOST_POOL, MIB, STATE_DIR, cell_uri, nano_data,
                      needs_qemu, run_psql, sql_literal, unique_name, wait_for)
from test_nano_images import STORE, create, upload
from wsclient import Refused, WebSocket

TIMEOUT = 90  # seconds for a host-side step (TCG, ASan builds)

pytestmark = needs_qemu


class QemuHost:
    """The stack's QEMU host, as virsh sees it."""

    def __init__(self, uri):
        self.root = os.path.join(STATE_DIR, "qemu-libvirt")
        self.uri = uri

    def virsh(self, *args, check=True):
        p = subprocess.run(["virsh", "-c", self.uri] + list(args), capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        assert not check or p.returncode == 0, "virsh %s: %s%s" % (args, p.stdout, p.stderr)
        return p

    def domains(self):
        return [n for n in self.virsh("list", "--all", "--name").stdout.split() if n]

    def volumes(self):
        """(pool, volume) for every volume of every pool of the host."""
        out = []
        for pool in self.virsh("pool-list", "--all", "--name").stdout.split():
            p = self.virsh("vol-list", pool, check=False)
            for line in p.stdout.splitlines()[2:]:
                if line.split():
                    out.append((pool, line.split()[0]))
        return out


@pytest.fixture(scope="module")
def host():
    return QemuHost(cell_uri(HOST_CELL))


@pytest.fixture(scope="module")
def cell(host, nano_admin):
    """(pool, cell): pool default and its QEMU cell0, alive."""
    s = nano_admin
    wait_for(lambda: nano_data(s.get("/compute_pool_cells/%s/%s" % (HOST_POOL, HOST_CELL)))
             ["alive"], TIMEOUT, interval=0.5, what="cell %s alive" % HOST_CELL)
    return HOST_POOL, HOST_CELL


def instance(s, gid):
    return nano_data(s.get("/instances/%s" % gid))


def last_op(gid, kind):
    rows = run_psql("SELECT status, coalesce(error, '') FROM operations WHERE guest_id = %s"
                    " AND kind = %s ORDER BY created_at DESC LIMIT 1"
                    % (sql_literal(gid), sql_literal(kind)))
    return tuple(rows[0]) if rows else None


def wait_op(gid, kind):
    """Waits for the latest operation of kind on the guest to finish; fails on its error."""
    status, error = wait_for(lambda: (lambda op: op if op and op[0] in ("done", "failed")
                                      else None)(last_op(gid, kind)),
                             TIMEOUT, interval=0.3, what="%s of %s" % (kind, gid))
    assert status == "done", "%s failed on the host: %s" % (kind, error)


def https_port():
    return urllib.parse.urlsplit(BASE_URL).port or 443


def open_channel(s, gid):
    return nano_data(s.post("/monitor_channels/", {"guest": gid}))


def connect(channel_id):
    return WebSocket("127.0.0.1", https_port(), "/monitor_channels/%s" % channel_id)


def refused_message(channel_id):
    with pytest.raises(Refused) as e:
        connect(channel_id).close()
    body = e.value.body.decode()
    assert e.value.status == 200, body
    doc = json.loads(body)
    assert doc["error_code"] == 500 and doc["data"] == "", body
    return doc["message"]


def test_a_guest_lives_its_whole_life_on_real_qemu(host, cell, nano_admin):
    s = nano_admin
    pool, cell_name = cell
    name = unique_name("qvm")
    r = s.post("/guests/", {"name": name, "pool": pool, "cores": 1, "memory": 128 * MIB,
                            "disks": [64 * MIB], "template": "linux-default",
                            "auto_start": False})
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    domain = "nimbus-" + gid
    wait_op(gid, "create_guest")
    d = nano_data(s.get("/guests/%s" % gid))
    assert d["created"] is True and d["cell"] == cell_name and d["running"] is False
    assert domain in host.domains()
    assert any(v == "%s-0.qcow2" % gid for _, v in host.volumes()), host.volumes()

    # Start: the reconciler sees it running, with figures read from the host.
    nano_data(s.post("/instances/%s" % gid, {}))
    wait_op(gid, "start_guest")
    assert host.virsh("domstate", domain).stdout.strip() == "running"
    d = wait_for(lambda: (lambda i: i["running"] and i["internal"]["display_address"] and i)(
        instance(s, gid)), TIMEOUT, interval=0.5, what="running with a display")
    display = d["internal"]["display_address"]
    host_part, _, port = display.rpartition(":")
    assert host_part == "127.0.0.1" and int(port) >= 5900, display
    cpu = wait_for(lambda: (lambda i: i["cpu_usage"] > 0 and i)(instance(s, gid)), TIMEOUT,
                   interval=0.5, what="cpu_usage above 0 (the guest's cpu time grows)")
    assert 0 < cpu["cpu_usage"] <= 100
    assert 0 < cpu["memory_available"] <= 128 * MIB
    assert 0 < cpu["disk_available"] <= 64 * MIB

    # Monitor channel: the RFB greeting of the guest's VNC server through nginx + websockify.
    ch = open_channel(s, gid)
    assert ch["protocol"] == "vnc" and ch["username"] == ""
    assert ch["password"] == nano_data(s.get("/guests/%s" % gid))["monitor_secret"]
    assert len(ch["password"]) == 8  # VNC passwords are at most 8 characters
    ws = connect(ch["id"])
    try:
        _, payload = ws.recv_frame()
        assert payload.startswith(b"RFB 003.00"), payload
    finally:
        ws.close()
    # Single use: the same id again is refused, in Nano's shape.
    assert "already used" in refused_message(ch["id"])
    # A channel left unused past its lifetime is refused.
    ttl = int(os.environ.get("NIMBUS_MONITOR_TTL", "60"))
    if ttl <= 15:
        late = open_channel(s, gid)
        time.sleep(ttl + 1)
        assert "expired" in refused_message(late["id"])
    # Not a WebSocket: refused without using the channel up.
    other = open_channel(s, gid)
    r = requests.get(BASE_URL + "/monitor_channels/%s" % other["id"], verify=False, timeout=30)
    assert r.status_code == 200 and "WebSocket" in r.json()["message"], r.text
    ws = connect(other["id"])
    try:
        assert ws.recv_frame()[1].startswith(b"RFB 003.00")
    finally:
        ws.close()

    # Stop (a guest without an OS ignores ACPI: forced), then a snapshot of the stopped guest.
    nano_data(s.delete("/instances/%s" % gid, {"reboot": False, "force": True}))
    wait_op(gid, "stop_guest")
    wait_for(lambda: instance(s, gid)["running"] is False, TIMEOUT, interval=0.5,
             what="stopped")
    assert host.virsh("domstate", domain).stdout.strip() == "shut off"
    assert "not running" in s.fail("POST", "/monitor_channels/", {"guest": gid})
    nano_data(s.post("/instances/%s/snapshots/" % gid, {"name": "first", "description": "e2e"}))
    wait_op(gid, "create_snapshot")
    snaps = nano_data(s.get("/instances/%s/snapshots/" % gid))
    assert "first" in snaps and snaps["first"].get("is_root") is True, snaps
    assert "first" in host.virsh("snapshot-list", domain, "--name").stdout.split()

    # Delete: nothing of it is left on the host.
    nano_data(s.delete("/guests/%s" % gid, {"force": True}))
    wait_for(lambda: not run_psql("SELECT 1 FROM guests WHERE id = %s" % sql_literal(gid)),
             TIMEOUT, interval=0.5, what="guest deleted")
    assert domain not in host.domains()
    assert not [v for _, v in host.volumes() if v.startswith(gid)], host.volumes()


def console_password(host, domain, *flags):
    """The VNC password of the domain's console as the host has it (live, or --inactive)."""
    xml = host.virsh("dumpxml", "--security-info", *flags, domain).stdout
    m = re.search(r"<graphics [^>]*passwd='([^']*)'", xml)
    assert m, xml
    return m.group(1)


def test_a_new_monitor_secret_reaches_the_console_on_real_qemu(host, cell, nano_admin):
    """PUT /guests/<id>/monitor/secret (Nano's portal, "Reset Monitor Secret"): answered once the
    host has it; a stopped guest's definition takes it, a running guest's console at once
    (virDomainUpdateDeviceFlags, live), and a monitor channel gives it."""
    s = nano_admin
    r = s.post("/guests/", {"name": unique_name("qsec"), "pool": cell[0], "cores": 1,
                            "memory": 128 * MIB, "disks": [64 * MIB], "template": "linux-default",
                            "auto_start": False})
    assert r.status_code == 202, r.text
    gid = r.json()["data"]["id"]
    domain = "nimbus-" + gid
    try:
        wait_op(gid, "create_guest")
        secrets = [nano_data(s.get("/guests/%s" % gid))["monitor_secret"]]
        assert console_password(host, domain, "--inactive") == secrets[0]

        assert s.ok("PUT", "/guests/%s/monitor/secret" % gid, raw="") == ""
        assert last_op(gid, "sync_guest") == ("done", "")
        secrets.append(nano_data(s.get("/guests/%s" % gid))["monitor_secret"])
        assert console_password(host, domain, "--inactive") == secrets[1]

        nano_data(s.post("/instances/%s" % gid, {}))
        wait_op(gid, "start_guest")
        assert console_password(host, domain) == secrets[1]
        assert s.ok("PUT", "/guests/%s/monitor/secret" % gid, raw="") == ""
        secrets.append(nano_data(s.get("/guests/%s" % gid))["monitor_secret"])
        assert console_password(host, domain) == secrets[2]
        assert console_password(host, domain, "--inactive") == secrets[2]
        # Each new, 8 characters (VNC's most) of 64 symbols.
        assert len(set(secrets)) == 3, secrets
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{8}", x) for x in secrets), secrets

        ch = open_channel(s, gid)
        assert ch["password"] == secrets[2]
        ws = connect(ch["id"])
        try:
            assert ws.recv_frame()[1].startswith(b"RFB 003.00")
        finally:
            ws.close()
        # The operation that carried it keeps nothing the row does not.
        assert run_psql("SELECT count(*) FROM operations WHERE guest_id = %s AND kind ="
                        " 'sync_guest' AND status <> 'done'" % sql_literal(gid)) == [["0"]]
    finally:
        s.delete("/guests/%s" % gid, {"force": True})
        wait_for(lambda: not run_psql("SELECT 1 FROM guests WHERE id = %s" % sql_literal(gid)),
                 TIMEOUT, interval=0.5, what="guest deleted")


# ------------------------------------------------------------------ images and security policy

@pytest.fixture(scope="module")
def network(host):
    """None when the host's network default is active (app/stack.sh defines it: the
    reconciler needs it before a guest's interface may carry a filter), else why not."""
    p = host.virsh("net-info", "default", check=False)
    if p.returncode == 0 and "yes" in p.stdout.split("Active:")[1].split("\n")[0]:
        return None
    return "the QEMU host has no active network default: %s%s" % (p.stdout, p.stderr)


@pytest.fixture(scope="module")
def qcow2(tmp_path_factory):
    """(path, bytes) of a 64 MiB qcow2 made by qemu-img, with 64 KiB of 0xab written by
    qemu-io when it is installed."""
    path = str(tmp_path_factory.mktemp("qemu-images") / "e2e.qcow2")
    subprocess.run(["qemu-img", "create", "-f", "qcow2", path, "64M"], check=True,
                   capture_output=True)
    if shutil.which("qemu-io"):
        subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 64k", path],
                       check=True, capture_output=True)
    with open(path, "rb") as f:
        return path, f.read()


def raw_head(path, fmt, n=64 * 1024):
    """The first n guest-visible bytes of an image."""
    out = path + ".raw"
    subprocess.run(["qemu-img", "convert", "-f", fmt, "-O", "raw", path, out], check=True,
                   capture_output=True)
    try:
        with open(out, "rb") as f:
            return f.read(n)
    finally:
        os.unlink(out)


@pytest.fixture(scope="module")
def image_guest(host, cell, network, nano_admin, qcow2):
    """(image id, guest id): the qcow2 uploaded and a guest made from it on the qemu cell."""
    s = nano_admin
    pool, _ = cell
    path, data = qcow2
    image = create(s, "disk")
    gid = None
    try:
        r = upload(s, "disk", image, data, checksum=hashlib.sha256(data).hexdigest(),
                   filename="e2e.qcow2")
        assert nano_data(r) == "", r.text
        r = s.post("/guests/", {"name": unique_name("qimg"), "pool": pool, "cores": 1,
                                "memory": 128 * MIB, "disks": [64 * MIB],
                                "template": "linux-default", "auto_start": False,
                                "from_image": image})
        assert r.status_code == 202, r.text
        gid = r.json()["data"]["id"]
        yield image, gid
    finally:
        if gid is not None:
            s.delete("/guests/%s" % gid, {"force": True})
            wait_for(lambda: not run_psql("SELECT 1 FROM guests WHERE id = %s"
                                          % sql_literal(gid)), TIMEOUT, interval=0.5,
                     what="guest deleted")
        s.delete("/disk_images/%s" % image)


def test_a_real_qcow2_round_trips_and_becomes_a_guest_on_real_qemu(host, image_guest,
                                                                     nano_admin, qcow2):
    s = nano_admin
    path, data = qcow2
    image, gid = image_guest
    # Upload and download: the very bytes qemu-img wrote.
    d = nano_data(s.get("/disk_images/%s" % image))
    assert d["created"] is True and d["size"] == len(data)
    r = s.get("/disk_image_files/%s" % image)
    assert r.status_code == 200 and r.content == data, "downloaded image differs"

    # A guest from it: volume 0 on the host holds the image's content.
    wait_op(gid, "create_guest")
    d = nano_data(s.get("/guests/%s" % gid))
    assert d["created"] is True
    vols = {v: p for p, v in host.volumes()}
    vol = "%s-0.qcow2" % gid
    assert vol in vols, vols
    assert not [v for v in vols if "staging" in v and v.startswith(gid)], vols
    got = os.path.join(host.root, "vol0-%s.qcow2" % gid)
    host.virsh("vol-download", "--pool", vols[vol], vol, got)
    try:
        p = subprocess.run(["qemu-img", "compare", path, got], capture_output=True, text=True)
        assert p.returncode == 0, "volume 0 differs from the image: %s%s" % (p.stdout, p.stderr)
        head = raw_head(got, "qcow2")
        assert head == raw_head(path, "qcow2")
        if shutil.which("qemu-io"):
            assert head == b"\xab" * 64 * 1024
    finally:
        os.unlink(got)
    # The domain's disk is that volume.
    domain = "nimbus-" + gid
    assert vol in host.virsh("domblklist", domain).stdout


def test_security_policy_becomes_the_guest_nwfilter_on_real_qemu(host, network, image_guest,
                                                                   nano_admin):
    s = nano_admin
    _, gid = image_guest
    wait_op(gid, "create_guest")
    if network is not None:
        pytest.skip(network)
    p = "/guests/%s/security_policy" % gid
    nano_data(s.post(p + "/rules/", {"action": "accept", "to_port": 22, "protocol": "tcp",
                                     "from_address": "10.1.2.3"}))
    nano_data(s.put(p + "/default_action", {"action": "reject"}))
    wait_for(lambda: run_psql("SELECT 1 FROM operations WHERE guest_id = %s AND"
                              " kind = 'sync_guest' AND status NOT IN ('done', 'failed')"
                              % sql_literal(gid)) == [], TIMEOUT, interval=0.3,
             what="sync_guest of %s" % gid)
    wait_op(gid, "sync_guest")
    name = "nimbus-" + gid
    xml = host.virsh("nwfilter-dumpxml", name).stdout
    assert "<filter name='%s'" % name in xml, xml
    assert "dstportstart='22'" in xml and "srcipaddr='10.1.2.3'" in xml, xml
    assert "protocol='tcp'" in xml or "<tcp " in xml, xml
    assert "action='accept'" in xml and "action='reject'" in xml, xml
    dom = host.virsh("dumpxml", name).stdout
    assert "<source network='default'" in dom, dom
    assert "<filterref filter='%s'" % name in dom, dom

    # An empty policy takes the filter away again.
    nano_data(s.delete(p + "/rules/0"))
    nano_data(s.put(p + "/default_action", {"action": "accept"}))
    wait_for(lambda: host.virsh("nwfilter-dumpxml", name, check=False).returncode != 0,
             TIMEOUT, interval=0.5, what="nwfilter %s removed" % name)
    assert "filterref" not in host.virsh("dumpxml", name).stdout


def test_a_disk_image_cloned_from_a_stopped_guest_enters_the_store_once_recorded(
        host, image_guest, nano_admin, qcow2, tmp_path):
    """create_disk_image on real QEMU: the reconciler downloads volume 0 into the store's
    staging/, checks it, records it, and only then renames it into the store; the download is
    the guest's disk (issue 13: a clone no longer sits in the store before its row names it)."""
    s = nano_admin
    path, _ = qcow2
    _, gid = image_guest
    wait_op(gid, "create_guest")
    r = s.post("/disk_images/", {"name": unique_name("clone"), "guest": gid})
    assert r.status_code == 202, r.text
    image = r.json()["data"]["id"]
    try:
        wait_for(lambda: s.get("/disk_images/%s" % image).status_code == 200, TIMEOUT,
                 interval=0.5, what="the clone recorded")
        file = run_psql("SELECT file FROM images WHERE id = %s" % sql_literal(image))[0][0]
        assert file.startswith(image + "-") and os.path.exists(os.path.join(STORE, "disk", file))
        assert not [f for f in os.listdir(os.path.join(STORE, "staging"))
                    if f.startswith(image)]
        got = str(tmp_path / "clone.qcow2")
        with open(got, "wb") as f:
            f.write(s.get("/disk_image_files/%s" % image).content)
        p = subprocess.run(["qemu-img", "compare", path, got], capture_output=True, text=True)
        assert p.returncode == 0, "the clone differs from the guest's disk: %s%s" % (p.stdout,
                                                                                    p.stderr)
    finally:
        s.delete("/disk_images/%s" % image)
