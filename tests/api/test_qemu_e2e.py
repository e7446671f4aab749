"""End to end on a real hypervisor (issues 6 and 7): a libvirtd with the QEMU driver that this
test starts and stops itself, registered as a cell; a small TCG guest created, started, seen
running with real figures, reached over a monitor channel (the RFB greeting of its VNC server
through nginx and websockify), stopped, snapshotted and deleted, with nothing left on the host.
Then a real qcow2 made with qemu-img goes up and comes back byte for byte, a guest is made from
it (its volume 0 holds the image's content, read back from the host), and a security policy
becomes the nwfilter nimbus-<guest id> that the guest's interface references.

The libvirtd runs as root in a private mount namespace (unshare -m) in which /etc/libvirt,
/run/libvirt, /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt are directories of the
stack's state dir: its own qemu.conf (user root), its own virtlogd, domain and pool
definitions, and no clash with a system libvirtd or the stack's test-driver libvirtd (which
loads no hypervisor driver). Its socket is under the state dir too, so the cell's URI is
qemu+unix:///system?socket=<state>/qemu-libvirt/sock/libvirt-sock.

Skipped, with the reason, where it cannot run: not root, QEMU / libvirt's QEMU driver /
virtlogd missing (app/stack.sh deps installs them), no mount namespaces. /dev/kvm is not
needed: guests run under TCG when the host offers no KVM.
"""
import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse

import pytest
import requests

from conftest import (BASE_URL, DB, MIB, STATE_DIR, build_dir, nano_data, run_psql, sql_literal,
                      unique_name, wait_for)
from test_nano_images import STORE, create, upload
from wsclient import Refused, WebSocket

TIMEOUT = 90  # seconds for a host-side step (TCG, ASan builds)
BIND = {"etc": "/etc/libvirt", "run": "/run/libvirt", "lib": "/var/lib/libvirt",
        "log": "/var/log/libvirt", "cache": "/var/cache/libvirt"}


def _why_not():
    """Why real QEMU cannot run here, or None."""
    if os.geteuid() != 0:
        return "not root: libvirt's qemu:///system needs root"
    for tool in ("libvirtd", "virtlogd", "virsh", "qemu-img", "unshare", "mount"):
        if shutil.which(tool) is None:
            return "%s is not installed (app/stack.sh deps installs libvirt-daemon, " \
                   "libvirt-clients, qemu-utils)" % tool
    if shutil.which("qemu-system-x86_64") is None:
        return "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
    if not glob.glob("/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so"):
        return "libvirt's QEMU driver is not installed (Debian package libvirt-daemon-driver-qemu)"
    if not STATE_DIR:
        return "NIMBUS_STATE_DIR is not set (run through make test)"
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return "no private mount namespace (unshare -m): %s" % p.stderr.strip()
    return None


WHY_NOT = _why_not()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


def _kill(pid, sig=signal.SIGTERM):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _stop(pid, wait=10):
    _kill(pid)
    deadline = time.monotonic() + wait
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        _kill(pid, signal.SIGKILL)


def _read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class QemuHost:
    """A libvirtd (QEMU driver) and virtlogd of our own, in a private mount namespace."""

    def __init__(self, root):
        self.root = root
        self.sock = os.path.join(root, "sock", "libvirt-sock")
        self.uri = "qemu+unix:///system?socket=" + self.sock
        self.proc = None

    def start(self):
        shutil.rmtree(self.root, ignore_errors=True)
        for d in list(BIND) + ["sock"]:
            os.makedirs(os.path.join(self.root, d))
        with open(os.path.join(self.root, "etc", "qemu.conf"), "w") as f:
            # As root, without dropping to libvirt-qemu; no per-domain /dev namespace (a
            # container may refuse it); VNC on loopback only.
            f.write('user = "root"\ngroup = "root"\ndynamic_ownership = 0\n'
                    'namespaces = [ ]\nvnc_listen = "127.0.0.1"\nremember_owner = 0\n')
        with open(os.path.join(self.root, "libvirtd.conf"), "w") as f:
            f.write('unix_sock_dir = "%s"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    % os.path.dirname(self.sock))
        with open(os.path.join(self.root, "virtlogd.conf"), "w") as f:
            f.write("")
        # A fresh machine may lack some of the targets (only libvirt-daemon-system makes
        # /var/lib/libvirt); an empty directory is all a bind mount needs.
        mounts = "".join("mkdir -p {t} && mount --bind {s} {t} || exit 1\n".format(
                         s=os.path.join(self.root, d), t=target) for d, target in BIND.items())
        mounts += self._accounts()
        script = (mounts +
                  "virtlogd -d -f {r}/virtlogd.conf -p {r}/virtlogd.pid || exit 1\n"
                  "exec libvirtd -f {r}/libvirtd.conf -p {r}/libvirtd.pid\n").format(r=self.root)
        env = dict(os.environ)
        env.pop("LIBVIRT_DRIVER_DIR", None)  # the normal driver directory: QEMU's driver loads
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LD_PRELOAD"):
            env.pop(k, None)
        self.log = open(os.path.join(self.root, "libvirtd.log"), "ab")
        self.proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c",
                                      script], stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if os.path.exists(self.sock) and self.virsh("version", check=False).returncode == 0:
                return
            time.sleep(0.2)
        log = open(os.path.join(self.root, "libvirtd.log")).read()[-2000:]
        self.stop()
        pytest.skip("libvirtd with the QEMU driver did not start: %s" % log)

    def _accounts(self):
        """Debian's QEMU driver looks up its compiled-in user libvirt-qemu and group kvm before
        it reads qemu.conf, and fails where they do not exist (libvirt-daemon-system and udev
        make them). Inside the namespace only, /etc/passwd and /etc/group gain them."""
        script = ""
        for db, line in (("passwd", "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin\n"),
                         ("group", "kvm:x:64054:\nlibvirt-qemu:x:64055:\n")):
            with open("/etc/" + db) as f:
                text = f.read()
            names = {entry.split(":")[0] for entry in text.splitlines()}
            missing = "".join(l + "\n" for l in line.splitlines() if l.split(":")[0] not in names)
            if missing:
                copy = os.path.join(self.root, db)
                with open(copy, "w") as f:
                    f.write(text + ("" if text.endswith("\n") else "\n") + missing)
                script += "mount --bind %s /etc/%s || exit 1\n" % (copy, db)
        return script

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

    def stop(self):
        """Everything this host started goes: domains, libvirtd, virtlogd, QEMU processes."""
        if self.proc is not None and self.proc.poll() is None:
            for name in self.domains() if os.path.exists(self.sock) else []:
                self.virsh("destroy", name, check=False)
            # Networks have a bridge (and firewall rules) outside the mount namespace.
            for net in self.virsh("net-list", "--name", check=False).stdout.split():
                self.virsh("net-destroy", net, check=False)
            _stop(self.proc.pid, 15)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        for pidfile in glob.glob(os.path.join(self.root, "run", "qemu", "*.pid")) + \
                [os.path.join(self.root, "virtlogd.pid"), os.path.join(self.root, "libvirtd.pid")]:
            pid = _read_pid(pidfile)
            if pid is not None and _alive(pid):
                _stop(pid, 10)
        if getattr(self, "log", None) is not None:
            self.log.close()


@pytest.fixture(scope="module")
def host():
    h = QemuHost(os.path.join(STATE_DIR, "qemu-libvirt"))
    h.start()
    try:
        yield h
    finally:
        h.stop()


def nimbusctl(*args):
    env = dict(os.environ, NIMBUS_DB=DB)
    p = subprocess.run([os.path.join(build_dir(), "nimbusctl")] + list(args), env=env,
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, "nimbusctl %s: %s%s" % (args, p.stdout, p.stderr)
    return p.stdout


@pytest.fixture(scope="module")
def cell(host, nano_admin):
    """(pool, cell): a compute pool with the QEMU host as its one cell, alive."""
    s = nano_admin
    pool, name = unique_name("qpool"), unique_name("qcell")
    nimbusctl("cell", "add", name, "--uri", host.uri)
    try:
        nano_data(s.post("/compute_pools/%s" % pool, {}))
        nano_data(s.post("/compute_pool_cells/%s/%s" % (pool, name)))
        wait_for(lambda: nano_data(s.get("/compute_pool_cells/%s/%s" % (pool, name)))["alive"],
                 TIMEOUT, interval=0.5, what="cell %s alive" % name)
        yield pool, name
    finally:
        # Guests a failed test left go first (the reconciler clears the host), then the cell.
        for (gid,) in run_psql("SELECT g.id FROM guests g JOIN cells c ON c.id = g.cell_id"
                               " WHERE c.name = %s" % sql_literal(name)):
            s.delete("/guests/%s" % gid, {"force": True})
        try:
            wait_for(lambda: not run_psql("SELECT 1 FROM guests g JOIN cells c ON"
                                          " c.id = g.cell_id WHERE c.name = %s"
                                          % sql_literal(name)), TIMEOUT, interval=0.5,
                     what="guests of %s deleted" % name)
        finally:
            s.delete("/compute_pool_cells/%s/%s" % (pool, name))
            run_psql("DELETE FROM operations WHERE cell_id = (SELECT id FROM cells WHERE name = %s)"
                     % sql_literal(name))
            run_psql("DELETE FROM guests WHERE cell_id = (SELECT id FROM cells WHERE name = %s)"
                     % sql_literal(name))
            run_psql("DELETE FROM cells WHERE name = %s" % sql_literal(name))
            s.delete("/compute_pools/%s" % pool)


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



# ------------------------------------------------------------------ images and security policy

# The network namespace is the host's: the bridge name and subnet come from the state dir, so
# that stacks of other checkouts running this test at the same time do not collide.
_NET = int(hashlib.sha256(STATE_DIR.encode()).hexdigest()[:8], 16)
BRIDGE = "nbq%05x" % (_NET % 0x100000)
SUBNET = "192.168.%d" % (200 + _NET % 50)
NET_XML = """<network>
  <name>default</name>
  <bridge name='%s' stp='off' delay='0'/>
  %%s
</network>""" % BRIDGE
NAT = ("<forward mode='nat'/><ip address='{n}.1' netmask='255.255.255.0'>"
       "<dhcp><range start='{n}.10' end='{n}.99'/></dhcp></ip>").format(n=SUBNET)


@pytest.fixture(scope="module")
def network(host):
    """The host's active network named default, which the reconciler needs before a guest's
    interface may carry a filter: NAT on 192.168.250.0/24 when dnsmasq and iptables are
    installed, else an isolated bridge without addresses. Returns None, or why there is none."""
    if host.virsh("net-info", "default", check=False).returncode == 0:
        if "yes" in host.virsh("net-info", "default").stdout.split("Active:")[1].split("\n")[0]:
            return None
        host.virsh("net-undefine", "default", check=False)
    if shutil.which("ip"):  # a bridge a killed libvirtd left behind
        subprocess.run(["ip", "link", "del", BRIDGE], capture_output=True)
    nat = shutil.which("dnsmasq") and (shutil.which("iptables") or shutil.which("nft"))
    why = []
    for body in ([NAT] if nat else []) + [""]:
        path = os.path.join(host.root, "net-default.xml")
        with open(path, "w") as f:
            f.write(NET_XML % body)
        host.virsh("net-define", path)
        p = host.virsh("net-start", "default", check=False)
        if p.returncode == 0:
            return None
        why.append((p.stdout + p.stderr).strip())
        host.virsh("net-undefine", "default", check=False)
    return "network default could not be started: %s" % " / ".join(why)


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
