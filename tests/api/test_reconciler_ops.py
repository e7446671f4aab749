"""nimbus-reconciler carrying out operations rows (docs/operations.md) on the stack's
test-driver libvirtd (cell testhost, or cell0 where that is the test driver): guests are
created, started, stopped, snapshotted, resized, redefined
and deleted on the host, what the host shows is observed back, and an operation left
'running' by a killed reconciler is finished exactly once by the next one."""
import json
import os
import signal
import subprocess
import time
import uuid

import pytest

from conftest import (GIB, STACK, STATE_DIR, TEST_HOST_SOCK, TEST_HOST_URI, cell_uri, psql_scalar,
                      run_psql, sql_literal, fake_host_cell, wait_for)

TTL = int(os.environ.get("NIMBUS_LEASE_TTL", "4"))
SOCK = TEST_HOST_SOCK
URI = TEST_HOST_URI
CELL = "cell0" if cell_uri("cell0") == URI else "testhost"
WAIT = TTL + 20

pytestmark = pytest.mark.skipif(not os.path.exists(SOCK),
                                reason="no test-driver libvirtd in the stack (not root?)")


@pytest.fixture(scope="module", autouse=True)
def the_test_host():
    assert fake_host_cell() == CELL


def virsh(*args, check=True):
    p = subprocess.run(["virsh", "-q", "-c", URI, *args], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 or not check, "virsh %s: %s" % (" ".join(args), p.stderr)
    return p


def domain(gid):
    return "nimbus-" + gid


def domain_xml(gid):
    return virsh("dumpxml", domain(gid)).stdout


def domain_exists(gid):
    return virsh("domuuid", domain(gid), check=False).returncode == 0


def domains_with_uuid(gid):
    return [line for line in virsh("list", "--all", "--uuid").stdout.split() if line == gid]


def volumes(gid):
    return sorted(line.split()[0] for line in virsh("vol-list", "default-pool").stdout.splitlines()
                  if line.strip().startswith(gid + "-"))


def volume_capacity(name):
    out = virsh("vol-info", name, "--pool", "default-pool", "--bytes").stdout
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Capacity")))


def insert_guest(cores=2, memory=GIB, disks=(2 * GIB, GIB), template="linux-default", **extra):
    gid = str(uuid.uuid4())
    mac = "52:54:00:%02x:%02x:%02x" % tuple(uuid.uuid4().bytes[:3])
    cols = {"cores": str(cores), "memory": str(memory),
            "disks": sql_literal("{%s}" % ",".join(str(d) for d in disks)),
            "ethernet_address": sql_literal(mac), "monitor_secret": "'s3cret'"}
    cols.update({k: (v if isinstance(v, str) and v.startswith("'") else str(v))
                 for k, v in extra.items()})
    run_psql("INSERT INTO guests (id, name, owner_id, pool_id, cell_id, template_id, %s)"
             " SELECT %s, %s, (SELECT id FROM users WHERE name = 'admin'),"
             " (SELECT id FROM compute_pools WHERE name = 'default'),"
             " (SELECT id FROM cells WHERE name = %s),"
             " (SELECT id FROM templates WHERE name = %s), %s"
             % (", ".join(cols), sql_literal(gid), sql_literal("ops-" + gid[:8]),
                sql_literal(CELL), sql_literal(template), ", ".join(cols.values())))
    return gid


def add_op(gid, kind, params=None, status="pending"):
    return psql_scalar("INSERT INTO operations (kind, guest_id, cell_id, params, status)"
                       " VALUES (%s, %s, (SELECT id FROM cells WHERE name = %s), %s, %s)"
                       " RETURNING id" % (sql_literal(kind), sql_literal(gid), sql_literal(CELL),
                                          sql_literal(json.dumps(params or {})),
                                          sql_literal(status)))


def op_row(oid):
    status, progress, error, attempts = run_psql(
        "SELECT status, progress, error, attempts FROM operations WHERE id = %s"
        % sql_literal(oid))[0]
    return {"status": status, "progress": int(progress), "error": error,
            "attempts": int(attempts)}


def finish(oid):
    """The operation's row once it is done or failed."""
    return wait_for(lambda: op_row(oid)["status"] in ("done", "failed") and op_row(oid), WAIT,
                    interval=0.1, what="operation %s to finish" % oid)


def run_op(gid, kind, params=None):
    row = finish(add_op(gid, kind, params))
    assert row["status"] == "done", "%s failed: %s" % (kind, row["error"])
    return row


def guest_row(gid):
    rows = run_psql("SELECT created, running, lost, progress, display_address, cpu_usage,"
                    " memory_available, coalesce(observed_at::text, '') FROM guests WHERE id = %s"
                    % sql_literal(gid))
    if not rows:
        return None
    created, running, lost, progress, display, cpu, mem, seen = rows[0]
    return {"created": created == "t", "running": running == "t", "lost": lost == "t",
            "progress": int(progress), "display": display, "cpu": float(cpu),
            "memory_available": int(mem), "seen": seen}


def observed(gid, **want):
    """Waits until the guest row shows every want[key] (observation runs every cycle)."""
    return wait_for(lambda: (lambda g: g is not None and all(g[k] == v for k, v in want.items())
                             and g)(guest_row(gid)), WAIT, interval=0.1,
                    what="guest %s observed as %r" % (gid, want))


def snapshots(gid):
    return {name: {"parent": parent, "description": desc, "current": cur == "t"}
            for name, parent, desc, cur in run_psql(
                "SELECT name, parent, description, is_current FROM snapshots WHERE guest_id = %s"
                % sql_literal(gid))}


@pytest.fixture
def guest():
    """A created guest on the test host; removed from the host and the database afterwards."""
    made = []

    def make(**kw):
        gid = insert_guest(**kw)
        made.append(gid)
        run_op(gid, "create_guest")
        return gid

    yield make
    for gid in made:
        if guest_row(gid) is not None:
            finish(add_op(gid, "delete_guest", {"force": True}))
        if domain_exists(gid):  # the delete failed: leave the host clean anyway
            virsh("destroy", domain(gid), check=False)
            virsh("undefine", domain(gid), "--snapshots-metadata", check=False)
        run_psql("DELETE FROM guests WHERE id = %s" % sql_literal(gid))


def test_create_defines_the_domain_from_the_row_with_its_volumes(guest):
    gid = guest(cores=3, memory=2 * GIB, disks=(4 * GIB, GIB), cpu_priority="'low'",
                qos_write_iops=300, qos_send_speed=4096 * 1024, auto_start="true")
    g = guest_row(gid)
    assert g["created"] and g["progress"] == 100 and not g["lost"]
    xml = domain_xml(gid)
    assert "<uuid>%s</uuid>" % gid in xml
    assert "<memory unit='KiB'>%d</memory>" % (2 * GIB // 1024) in xml
    assert "<vcpu placement='static'>3</vcpu>" in xml
    assert "<shares>512</shares>" in xml
    assert "model='virtio-scsi'" in xml and "bus='scsi'" in xml
    assert "<write_iops_sec>300</write_iops_sec>" in xml
    assert "<outbound average='4096'/>" in xml and "<source network='default'/>" in xml
    assert "<model type='virtio'/>" in xml and "type='vnc'" in xml and "127.0.0.1" in xml
    mac = psql_scalar("SELECT ethernet_address FROM guests WHERE id = %s" % sql_literal(gid))
    assert "<mac address='%s'/>" % mac in xml
    assert volumes(gid) == ["%s-0.qcow2" % gid, "%s-1.qcow2" % gid]
    assert volume_capacity("%s-0.qcow2" % gid) == 4 * GIB
    assert "enable" in virsh("dominfo", domain(gid)).stdout.split("Autostart:")[1].split("\n")[0]


def test_create_follows_the_windows_template_devices(guest):
    xml = domain_xml(guest(template="windows-default", disks=(GIB,)))
    assert "bus='sata'" in xml and "<model type='e1000'/>" in xml
    assert "model='nec-xhci'" in xml and "<input type='tablet' bus='usb'/>" in xml
    assert "<iotune>" not in xml and "<bandwidth>" not in xml


def test_domains_have_an_empty_cdrom_drive_after_the_disks_for_media(guest):
    xml = domain_xml(guest(disks=(GIB,)))
    drive = xml[xml.index("device='cdrom'"):]
    drive = drive[:drive.index("</disk>")]
    assert "<source" not in drive and "dev='sdb'" in drive and "<readonly/>" in drive


def test_create_twice_leaves_one_domain_and_its_volumes(guest):
    gid = guest()
    run_op(gid, "create_guest")
    assert len(domains_with_uuid(gid)) == 1
    assert len(volumes(gid)) == 2


def test_start_and_stop_are_observed(guest):
    gid = guest()
    run_op(gid, "start_guest")
    assert guest_row(gid)["running"]  # recorded by the operation itself
    # the figures come with the next observation of the cell
    g = wait_for(lambda: (lambda g: g["memory_available"] > 0 and g)(guest_row(gid)), WAIT,
                 interval=0.1, what="guest %s observed running" % gid)
    assert g["running"]
    assert virsh("domstate", domain(gid)).stdout.strip() == "running"
    assert 0 <= g["cpu"] <= 100 and g["memory_available"] > 0
    run_op(gid, "start_guest")  # already running: nothing to do
    run_op(gid, "stop_guest", {"reboot": True, "force": False})
    assert virsh("domstate", domain(gid)).stdout.strip() == "running"
    run_op(gid, "stop_guest", {"force": True})
    observed(gid, running=False, display="")
    assert virsh("domstate", domain(gid)).stdout.strip() == "shut off"
    run_op(gid, "stop_guest", {})  # already stopped: done


def test_snapshots_created_restored_and_deleted_are_reflected_in_the_table(guest):
    gid = guest()
    run_op(gid, "create_snapshot", {"name": "base", "description": "before <changes> & co"})
    run_op(gid, "create_snapshot", {"name": "next", "description": "second"})
    run_op(gid, "create_snapshot", {"name": "next", "description": "second"})  # exists: done
    assert snapshots(gid) == {
        "base": {"parent": "", "description": "before <changes> & co", "current": False},
        "next": {"parent": "base", "description": "second", "current": True}}
    run_op(gid, "restore_snapshot", {"name": "base"})
    assert snapshots(gid)["base"]["current"] and not snapshots(gid)["next"]["current"]
    row = finish(add_op(gid, "restore_snapshot", {"name": "nope"}))
    assert row["status"] == "failed" and "nope" in row["error"]
    run_op(gid, "delete_snapshot", {"name": "next"})
    run_op(gid, "delete_snapshot", {"name": "next"})  # gone already: done
    assert list(snapshots(gid)) == ["base"]
    assert virsh("snapshot-list", domain(gid), "--name").stdout.split() == ["base"]
    created = psql_scalar("SELECT extract(epoch FROM now() - created_at)::int FROM snapshots"
                          " WHERE guest_id = %s" % sql_literal(gid))
    assert 0 <= int(created) < 600


def test_resize_grows_only(guest):
    gid = guest(disks=(GIB, GIB))
    name = "%s-1.qcow2" % gid
    run_op(gid, "resize_disk", {"disk": 1, "size": GIB})  # that size already: done
    row = finish(add_op(gid, "resize_disk", {"disk": 1, "size": GIB // 2}))
    assert row["status"] == "failed" and "only grow" in row["error"]
    row = finish(add_op(gid, "resize_disk", {"disk": 1, "size": 3 * GIB}))
    if row["status"] == "done":
        assert volume_capacity(name) == 3 * GIB
    else:  # the test driver cannot resize volumes: libvirt's own words, nothing changed
        assert "not supported" in row["error"], row
        assert volume_capacity(name) == GIB
    row = finish(add_op(gid, "resize_disk", {"disk": 7, "size": 3 * GIB}))
    assert row["status"] == "failed"


def test_sync_redefines_cores_memory_priority_and_autostart(guest):
    gid = guest(cores=1, memory=GIB, auto_start="true")
    run_psql("UPDATE guests SET cores = 4, memory = %d, cpu_priority = 'high', auto_start = false,"
             " qos_read_speed = 1048576, name = 'renamed-%s' WHERE id = %s"
             % (3 * GIB // 2, gid[:8], sql_literal(gid)))
    run_op(gid, "sync_guest")
    xml = domain_xml(gid)
    assert "<vcpu placement='static'>4</vcpu>" in xml
    assert "<memory unit='KiB'>%d</memory>" % (3 * GIB // 2 // 1024) in xml
    assert "<shares>2048</shares>" in xml and "<read_bytes_sec>1048576</read_bytes_sec>" in xml
    assert "<title>renamed-%s</title>" % gid[:8] in xml
    assert "disable" in virsh("dominfo", domain(gid)).stdout.split("Autostart:")[1].split("\n")[0]
    assert len(domains_with_uuid(gid)) == 1


def test_an_operation_ended_elsewhere_meanwhile_records_nothing(guest):
    """A sync_guest that another reconciler ends while this one runs it (it took the cell when
    this one's lease lapsed, and failed the operation): the host has the change, but the
    closing transaction finds the operation no longer running and rolls back, so the row keeps
    its cores and the operation stays failed (its pending charge, if any, was released when it
    failed). A trigger stands in for the other reconciler: it fails the operation as it starts.
    The next operation of the guest runs after this one is over, and puts the host back."""
    gid = guest(cores=1)
    name = "t_end_elsewhere_" + uuid.uuid4().hex[:8]
    run_psql("CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
             "  IF OLD.status = 'pending' AND NEW.status = 'running' AND NEW.guest_id = %s THEN"
             "    UPDATE operations SET status = 'failed', error = 'ended elsewhere',"
             "           finished_at = now() WHERE id = NEW.id;"
             "  END IF; RETURN NULL; END $$;"
             " CREATE TRIGGER %s AFTER UPDATE OF status ON operations FOR EACH ROW"
             " EXECUTE FUNCTION %s()" % (name, sql_literal(gid), name, name))
    try:
        oid = add_op(gid, "sync_guest", {"set": {"cores": 3}})
        assert finish(oid)["error"] == "ended elsewhere"
    finally:
        run_psql("DROP TRIGGER %s ON operations; DROP FUNCTION %s()" % (name, name))
    wait_for(lambda: "<vcpu placement='static'>3</vcpu>" in domain_xml(gid), WAIT,
             what="the host has the change")
    run_op(gid, "sync_guest")
    assert op_row(oid)["status"] == "failed"
    assert psql_scalar("SELECT cores FROM guests WHERE id = %s" % sql_literal(gid)) == "1"
    assert "<vcpu placement='static'>1</vcpu>" in domain_xml(gid)


def test_delete_destroys_a_running_guest_and_removes_volumes_and_row(guest):
    gid = guest()
    run_op(gid, "create_snapshot", {"name": "s"})
    run_op(gid, "start_guest")
    row = run_op(gid, "delete_guest", {"force": True})
    assert row["progress"] == 100
    assert not domain_exists(gid)
    assert volumes(gid) == []
    assert guest_row(gid) is None
    assert psql_scalar("SELECT count(*) FROM snapshots WHERE guest_id = %s" % sql_literal(gid)) == "0"
    run_op(gid, "delete_guest", {"force": True})  # already gone: done


def test_operations_of_a_guest_run_in_order_and_failures_carry_a_message(guest):
    gid = guest()
    first = add_op(gid, "no_such_kind")
    second = add_op(gid, "start_guest")
    assert finish(first)["error"] == "unknown operation kind"
    assert finish(second)["status"] == "done"
    started = run_psql("SELECT started_at < (SELECT started_at FROM operations WHERE id = %s)"
                       " FROM operations WHERE id = %s" % (sql_literal(second), sql_literal(first)))
    assert started == [["t"]]
    other = insert_guest()
    try:
        row = finish(add_op(other, "start_guest"))  # never created: no domain
        assert row["status"] == "failed" and "no domain" in row["error"]
    finally:
        run_psql("DELETE FROM guests WHERE id = %s" % sql_literal(other))


def test_a_guest_missing_on_the_host_is_lost_until_created_again(guest):
    gid = guest()
    virsh("undefine", domain(gid), "--snapshots-metadata")
    observed(gid, lost=True, running=False)
    run_op(gid, "create_guest")
    observed(gid, lost=False)
    assert len(domains_with_uuid(gid)) == 1


def reconciler_pid():
    with open(os.path.join(STATE_DIR, "nimbus-reconciler.pid")) as f:
        return int(f.read().split()[0])


def test_an_operation_left_running_by_a_killed_reconciler_finishes_exactly_once():
    pid = reconciler_pid()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not os.path.exists("/proc/%d/status" % pid) or
             "State:\tZ" in open("/proc/%d/status" % pid).read(), 10, what="reconciler gone")
    gid = insert_guest(disks=(GIB, 2 * GIB))
    try:
        # The dead reconciler had taken the operation and made the first volume.
        oid = add_op(gid, "create_guest", status="running")
        run_psql("UPDATE operations SET attempts = 1, started_at = now() WHERE id = %s"
                 % sql_literal(oid))
        virsh("vol-create-as", "default-pool", "%s-0.qcow2" % gid, str(GIB), "--format", "qcow2")
    finally:
        env = dict(os.environ)
        for var, name in (("ASAN_OPTIONS", "asan"), ("UBSAN_OPTIONS", "ubsan")):
            if env.get(var) and "log_path" not in env[var]:
                # As `make test` starts the daemons: sanitizer reports land where it checks.
                env[var] += ":log_path=" + os.path.join(STATE_DIR, "log", name)
        p = subprocess.run([STACK, "start"], capture_output=True, text=True, timeout=600, env=env)
        assert p.returncode == 0, p.stderr
    row = finish(oid)
    assert row["status"] == "done" and row["attempts"] == 2
    assert guest_row(gid)["created"]
    assert len(domains_with_uuid(gid)) == 1
    assert volumes(gid) == ["%s-0.qcow2" % gid, "%s-1.qcow2" % gid]
    finish(add_op(gid, "delete_guest", {"force": True}))
    assert not domain_exists(gid) and volumes(gid) == []


def test_guests_of_a_host_that_goes_away_are_lost_until_it_has_them_again(guest):
    gid = guest()
    subprocess.run([STACK, "libvirt-stop"], check=True, capture_output=True, timeout=60)
    try:
        observed(gid, lost=True, running=False)
    finally:
        subprocess.run([STACK, "libvirt-start"], check=True, capture_output=True, timeout=60)
    wait_for(lambda: psql_scalar("SELECT alive FROM cells WHERE name = %s"
                                 % sql_literal(CELL)) == "t", WAIT, what="the test host online")
    # The test driver's host forgets everything when it restarts: still lost until re-created.
    assert guest_row(gid)["lost"]
    run_op(gid, "create_guest")
    observed(gid, lost=False)
    assert len(domains_with_uuid(gid)) == 1
