"""Helpers shared by the Nano compute pool, cell, storage pool and status tests (issue 5).

Things a test makes (compute pools, storage pools, address pools, cells registered with
nimbusctl, guest rows) are tracked by a Resources object and removed straight from the
database when the test ends, children first.
"""
import json
import os
import subprocess
import uuid

import pytest

from conftest import (ADMIN_USER, DB, NanoSession, build_dir, psql_scalar, run_psql,
                      sql_literal, unique_name, wait_for)

# What libvirt's test driver (test:///default) reports for its one node and storage pool.
TEST_CORES = 16
TEST_MEMORY = 3221225472
TEST_DISK = 100 * 1024 ** 3
TEST_URI = "test:///default"
# A test-driver URI whose definition file does not exist: the cell never comes alive.
DEAD_URI = "test:///nonexistent/nimbus-no-such-host.xml"


def cell_register(name, uri=TEST_URI):
    """`nimbusctl cell add NAME --uri URI`: a registered, unallocated cell."""
    env = dict(os.environ, NIMBUS_DB=DB)
    p = subprocess.run([os.path.join(build_dir(), "nimbusctl"), "cell", "add", name, "--uri", uri],
                       env=env, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, "nimbusctl cell add failed (%d): %s%s" % (p.returncode, p.stdout,
                                                                        p.stderr)


def cell_row(name):
    """{pool, enabled, alive, system, data} of a cell as stored, or None."""
    rows = run_psql("SELECT '=' || coalesce(p.name, ''), c.enabled, c.alive,"
                    " array_to_json(c.system_paths), array_to_json(c.data_paths)"
                    " FROM cells c LEFT JOIN compute_pools p ON p.id = c.pool_id"
                    " WHERE c.name = %s" % sql_literal(name))
    if not rows:
        return None
    pool, enabled, alive, system, data = rows[0]
    return {"pool": pool[1:], "enabled": enabled == "t", "alive": alive == "t",
            "system": json.loads(system), "data": json.loads(data)}


def wait_alive(name, alive=True, timeout=30):
    wait_for(lambda: (cell_row(name) or {}).get("alive") == alive, timeout,
             interval=0.2, what="cell %s alive=%s" % (name, alive))


def compute_pool_row(name):
    """{storage, network, failover, enabled} of a compute pool as stored, or None."""
    rows = run_psql("SELECT '=' || coalesce(s.name, ''), '=' || coalesce(a.name, ''),"
                    " p.failover, p.enabled FROM compute_pools p"
                    " LEFT JOIN storage_pools s ON s.id = p.storage_pool_id"
                    " LEFT JOIN address_pools a ON a.id = p.address_pool_id"
                    " WHERE p.name = %s" % sql_literal(name))
    if not rows:
        return None
    storage, network, failover, enabled = rows[0]
    return {"storage": storage[1:], "network": network[1:], "failover": failover == "t",
            "enabled": enabled == "t"}


def storage_pool_row(name):
    """{type, host, target} of a storage pool as stored, or None."""
    rows = run_psql("SELECT type, '=' || host, '=' || target FROM storage_pools WHERE name = %s"
                    % sql_literal(name))
    if not rows:
        return None
    return {"type": rows[0][0], "host": rows[0][1][1:], "target": rows[0][2][1:]}


class Resources:
    """Uniquely named pools, cells and guests for one test, removed when it ends."""

    def __init__(self, admin):
        self.admin = admin
        self.compute, self.storage, self.address, self.cells, self.guests = [], [], [], [], []

    def storage_pool(self, host="nfs.example.com", target="/exports/nimbus"):
        name = unique_name("s")
        self.storage.append(name)
        self.admin.ok("POST", "/storage_pools/%s" % name,
                      {"type": "nfs", "host": host, "target": target})
        return name

    def address_pool(self):
        """An address pool made straight in the database (another issue owns its API)."""
        name = unique_name("a")
        self.address.append(name)
        run_psql("INSERT INTO address_pools (name, gateway) VALUES (%s, '192.168.77.1')"
                 % sql_literal(name))
        return name

    def compute_pool(self, **config):
        name = unique_name("p")
        self.compute.append(name)
        self.admin.ok("POST", "/compute_pools/%s" % name, config)
        return name

    def cell(self, pool=None, uri=TEST_URI, alive=True):
        """A registered cell (attached to pool through the API when given), once the
        reconciler has seen it alive (or failed to reach it, for alive=False)."""
        name = unique_name("c")
        self.cells.append(name)
        cell_register(name, uri)
        if pool is not None:
            self.admin.ok("POST", "/compute_pool_cells/%s/%s" % (pool, name))
        wait_for(lambda: psql_scalar("SELECT observed_at IS NOT NULL AND alive = %s FROM cells"
                                     " WHERE name = %s" % ("true" if alive else "false",
                                                           sql_literal(name))) == "t",
                 30, interval=0.2, what="cell %s observed" % name)
        return name

    def adopt(self, kind, name):
        getattr(self, kind).append(name)

    def guest(self, pool, cell=None, running=False, lost=False, migrating=False, created=True,
              cores=2, memory=1 << 30, disks=(5 << 30, 1 << 30), cpu_usage=0.0,
              read_speed=0, write_speed=0, receive_speed=0, send_speed=0, name=None):
        """A guest row placed in pool (and on cell); returns (id, name).

        The row is written by hand, with no domain behind it: a reconciler observing the cell
        would rightly report it lost. So the cell's lease is taken by a holder that never runs
        (for an hour, or until cleanup), and the row keeps the states the test gives it."""
        name = name or unique_name("g")
        gid = str(uuid.uuid4())
        if cell:
            run_psql("UPDATE cells SET lease_owner = 'tests-hold', lease_expires = now() +"
                     " interval '1 hour' WHERE name = %s" % sql_literal(cell))
        self.guests.append(gid)
        run_psql(
            "INSERT INTO guests (id, name, owner_id, group_id, pool_id, cell_id, cores, memory,"
            " disks, created, running, lost, migrating, cpu_usage, read_speed, write_speed,"
            " receive_speed, send_speed)"
            " SELECT %s, %s, u.id, u.group_id, (SELECT id FROM compute_pools WHERE name = %s),"
            " (SELECT id FROM cells WHERE name = %s), %d, %d, ARRAY[%s]::bigint[], %s, %s, %s, %s,"
            " %r, %d, %d, %d, %d FROM users u WHERE u.name = %s"
            % (sql_literal(gid), sql_literal(name), sql_literal(pool),
               sql_literal(cell) if cell else "NULL", cores, memory,
               ",".join(str(d) for d in disks), created, running, lost, migrating, cpu_usage,
               read_speed, write_speed, receive_speed, send_speed, sql_literal(ADMIN_USER)))
        return gid, name

    def cleanup(self):
        def names(xs):
            return ",".join(sql_literal(x) for x in xs) or "NULL"
        run_psql("BEGIN;"
                 " DELETE FROM guests WHERE id::text IN (%s);"
                 " DELETE FROM cells WHERE name IN (%s);"
                 " UPDATE cells SET pool_id = NULL WHERE pool_id IN"
                 "   (SELECT id FROM compute_pools WHERE name IN (%s));"
                 " DELETE FROM compute_pools WHERE name IN (%s);"
                 " DELETE FROM storage_pools WHERE name IN (%s);"
                 " DELETE FROM address_pools WHERE name IN (%s);"
                 " COMMIT;" % (names(self.guests), names(self.cells), names(self.compute),
                               names(self.compute), names(self.storage), names(self.address)))


@pytest.fixture
def res(nano_admin):
    r = Resources(nano_admin)
    yield r
    r.cleanup()


@pytest.fixture(scope="module")
def outsider(module_scratch):
    """A session of a user whose role grants neither compute_pool nor storage_pool."""
    role = module_scratch.role(["dashboard", "instance", "address_pool"])
    group = module_scratch.group([role])
    user, password = module_scratch.user(group)
    return NanoSession(user, password)
