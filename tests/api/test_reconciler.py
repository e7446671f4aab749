"""nimbus-reconciler against real libvirt: cells observed (the simulated sim0 from its node
definition, the QEMU cell0 from the real host), hosts that go
away and come back, several reconcilers splitting cells through leases and taking over the
cells of one that dies."""
import os
import signal
import subprocess
import time
import uuid

import pytest

from conftest import (DB, GIB, HOST_CELL, SIM_CELL, STACK, STATE_DIR, TEST_HOST_SOCK, build_dir,
                      needs_qemu, run_psql, sql_literal, fake_host_cell, wait_for)

TTL = int(os.environ.get("NIMBUS_LEASE_TTL", "4"))
PERIOD = int(os.environ.get("NIMBUS_RECONCILE_PERIOD", "1"))


def nimbusctl(*args):
    env = dict(os.environ, NIMBUS_DB=DB)
    return subprocess.run([os.path.join(build_dir(), "nimbusctl"), *args], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def cell(name):
    rows = run_psql("SELECT alive, cores, memory, memory_available, disk, disk_available,"
                    " coalesce(lease_owner, ''), error, coalesce(observed_at::text, '')"
                    " FROM cells WHERE name = %s" % sql_literal(name))
    if not rows:
        return None
    alive, cores, memory, mem_avail, disk, disk_avail, owner, error, seen = rows[0]
    return {"alive": alive == "t", "cores": int(cores), "memory": int(memory),
            "memory_available": int(mem_avail), "disk": int(disk),
            "disk_available": int(disk_avail), "owner": owner, "error": error, "seen": seen}


def owners():
    return dict((name, owner) for name, owner in
                run_psql("SELECT name, coalesce(lease_owner, '') FROM cells"))


def stack_reconciler_id():
    """The lease owner name of the stack's own reconciler (host:pid)."""
    with open(os.path.join(STATE_DIR, "nimbus-reconciler.pid")) as f:
        pid = f.read().split()[0]
    return wait_for(lambda: next((o for o in owners().values() if o.endswith(":" + pid)), None),
                    TTL + 5, what="the stack reconciler to hold a lease")


@pytest.fixture
def extra_cells():
    """Three more cells on in-process test drivers; unregistered afterwards."""
    names = ["rc%s%d" % (uuid.uuid4().hex[:6], i) for i in range(3)]
    for n in names:
        p = nimbusctl("cell", "add", n, "--uri", "test:///default")
        assert p.returncode == 0, p.stderr
    yield names
    for n in names:
        nimbusctl("cell", "remove", n)


def start_reconciler(ident):
    env = dict(os.environ, NIMBUS_DB=DB, NIMBUS_RECONCILER_ID=ident,
               NIMBUS_LEASE_TTL=str(TTL), NIMBUS_RECONCILE_PERIOD=str(PERIOD))
    return subprocess.Popen([os.path.join(build_dir(), "nimbus-reconciler")], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def test_the_simulated_cell_reports_its_node_definition():
    c = wait_for(lambda: (cell(SIM_CELL) or {}).get("alive") and cell(SIM_CELL), TTL + 5,
                 what="sim0 alive")
    # app/stack.sh's node file: 256 CPUs, 4 TiB; the test driver sizes its pool at 100 GiB.
    assert c["cores"] == 256
    assert c["memory"] == 4 * 1024 * GIB
    assert 0 < c["memory_available"] <= c["memory"]
    assert c["disk"] == 100 * GIB
    assert 0 < c["disk_available"] <= c["disk"]
    assert c["error"] == ""


@needs_qemu
def test_the_default_cell_reports_the_real_host():
    c = wait_for(lambda: (cell(HOST_CELL) or {}).get("alive") and cell(HOST_CELL), TTL + 5,
                 what="cell0 alive")
    assert c["cores"] == os.cpu_count()
    with open("/proc/meminfo") as f:
        total = int(f.readline().split()[1]) * 1024
    assert 0 < c["memory"] <= total and 0 < c["memory_available"] <= c["memory"]
    assert 0 < c["disk_available"] <= c["disk"] and c["error"] == ""


def test_cell_add_refuses_an_invalid_uri_and_registers_nothing():
    name = "bad" + uuid.uuid4().hex[:8]
    for uri in ("http://example.com/", "qemu:/system", "nosuch:///x", "qemu:///sys tem"):
        p = nimbusctl("cell", "add", name, "--uri", uri)
        assert p.returncode != 0
        assert "invalid libvirt URI" in p.stderr
    assert cell(name) is None


def test_cell_add_refuses_an_unknown_pool_and_registers_nothing():
    name = "np" + uuid.uuid4().hex[:8]
    p = nimbusctl("cell", "add", name, "--uri", "test:///default", "--pool", "no-such-pool")
    assert p.returncode != 0 and "compute pool no-such-pool not found" in p.stderr
    assert cell(name) is None


def test_new_cell_is_observed_without_a_restart():
    name = "nc" + uuid.uuid4().hex[:8]
    assert nimbusctl("cell", "add", name, "--uri", "test:///default").returncode == 0
    try:
        c = wait_for(lambda: (cell(name) or {}).get("alive") and cell(name), TTL + 5,
                     what="the new cell observed")
        assert c["cores"] == 16 and c["owner"] != ""
    finally:
        nimbusctl("cell", "remove", name)


def test_unreachable_host_is_offline_with_libvirts_reason():
    name = "dead" + uuid.uuid4().hex[:8]
    assert nimbusctl("cell", "add", name, "--uri", "qemu+tcp://127.0.0.1:1/system").returncode == 0
    try:
        c = wait_for(lambda: (cell(name) or {}).get("error") and cell(name), TTL + 5,
                     what="the unreachable cell to be reported")
        assert c["alive"] is False
        assert "127.0.0.1:1" in c["error"]
    finally:
        nimbusctl("cell", "remove", name)


def test_host_going_away_is_reported_offline_then_online_again():
    if not os.path.exists(TEST_HOST_SOCK):
        pytest.skip("no test-driver libvirtd in the stack (not root?)")
    name = fake_host_cell()
    subprocess.run([STACK, "libvirt-stop"], check=True, capture_output=True, timeout=60)
    try:
        c = wait_for(lambda: cell(name)["alive"] is False and cell(name), TTL + 5,
                     what="%s offline" % name)
        assert c["error"]  # libvirt's own words (socket closed, broken pipe, cannot connect)
    finally:
        subprocess.run([STACK, "libvirt-start"], check=True, capture_output=True, timeout=60)
    c = wait_for(lambda: cell(name)["alive"] and cell(name), TTL + 10, what="%s online" % name)
    assert c["error"] == "" and c["cores"] == 16


def test_two_reconcilers_split_the_cells_and_one_takes_over_when_the_other_dies(extra_cells):
    first = stack_reconciler_id()
    second = "test-b-" + uuid.uuid4().hex[:6]
    proc = start_reconciler(second)
    try:
        # Fair shares: both hold cells, every cell has exactly one live owner.
        split = wait_for(lambda: (lambda o: {first, second} <= set(o.values()) and o)(owners()),
                         3 * TTL + 10, what="the two reconcilers to split the cells")
        assert set(split.values()) <= {first, second}
        taken = [n for n, o in split.items() if o == second]
        assert taken
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        killed_at = time.monotonic()
        # The dead one's leases run out; the survivor claims them and observes the hosts.
        wait_for(lambda: all(o == first for o in owners().values()), 2 * TTL + 10,
                 what="the survivor to take every cell over")
        assert time.monotonic() - killed_at >= TTL - 1  # not before the leases expired
        before = {n: cell(n)["seen"] for n in taken}
        wait_for(lambda: all(cell(n)["seen"] != before[n] and cell(n)["alive"] for n in taken),
                 TTL + 5, what="the taken-over cells to be observed again")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_stopped_reconciler_hands_its_leases_back_at_once(extra_cells):
    first = stack_reconciler_id()
    second = "test-c-" + uuid.uuid4().hex[:6]
    proc = start_reconciler(second)
    try:
        wait_for(lambda: second in owners().values(), 3 * TTL + 10,
                 what="the second reconciler to claim cells")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err  # sanitizer builds also fail here on a leak
        assert second not in owners().values()
        wait_for(lambda: all(o == first for o in owners().values()), 3 * TTL + 10,
                 what="the first reconciler to hold every cell again")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
