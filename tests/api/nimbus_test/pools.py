"""Which compute pool a test's guests go to. The stack (app/stack.sh) registers two:

    default  cell0, a private libvirtd with the QEMU driver where QEMU can run (real guests:
             consoles, nwfilters, volume resize, images from guests), else the test driver
    sim      sim0, libvirt's test driver sized for 100,000 small guests (256 cores, 4 TiB)

Tests that need a host's features create small guests (1 core, 64-128 MiB, tiny disks) in
HOST_POOL and are marked needs_qemu, which skips them, with the stack's reason, where cell0
fell back to the test driver; tests that need many guests quickly, or nothing of a host, use
SIM_POOL. TEST_HOST_URI is the stack's test-driver libvirtd: one fake host every process sees
(virsh, several reconcilers), which the reconciler's tests stop and start."""
import os

import pytest

from nimbus_test.db import run_psql
from nimbus_test.env import STATE_DIR

HOST_POOL, HOST_CELL = "default", "cell0"
SIM_POOL, SIM_CELL = "sim", "sim0"
TEST_HOST_SOCK = os.path.join(STATE_DIR, "libvirt", "libvirt-sock")
TEST_HOST_URI = "test+unix:///default?socket=" + TEST_HOST_SOCK


def cell_uri(name):
    rows = run_psql("SELECT uri FROM cells WHERE name = '%s'" % name)
    return rows[0][0] if rows else ""


def cell0_is_qemu():
    return cell_uri(HOST_CELL).startswith("qemu")


needs_qemu = pytest.mark.skipif(
    not cell0_is_qemu(),
    reason="cell0 runs on libvirt's test driver here (app/stack.sh says why when it starts)")


def fake_host_cell():
    """The name of a cell on the stack's test-driver libvirtd: cell0 where it fell back to it,
    else testhost, registered here in no pool (placement never picks it) and left registered
    for the next module; waits until the reconciler sees it alive."""
    import subprocess

    from nimbus_test.env import DB
    from nimbus_test.stack import build_dir, wait_for

    if cell_uri(HOST_CELL) == TEST_HOST_URI:
        name = HOST_CELL
    else:
        name = "testhost"
        p = subprocess.run([os.path.join(build_dir(), "nimbusctl"), "cell", "add", name,
                            "--uri", TEST_HOST_URI], env=dict(os.environ, NIMBUS_DB=DB),
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert p.returncode == 0, "nimbusctl cell add: %s%s" % (p.stdout, p.stderr)
    wait_for(lambda: run_psql("SELECT 1 FROM cells WHERE name = '%s' AND alive" % name), 30,
             interval=0.2, what="cell %s alive" % name)
    return name
