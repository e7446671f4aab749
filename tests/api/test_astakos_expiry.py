"""Projects past their end date, as Synnefo treats them: reading does not change them (an
expired project stays active and keeps granting its quotas) until the operator's
`nimbusctl project terminate-expired` (Synnefo's `snf-manage project-control
--terminate-expired`, run from cron) terminates each one by the terminate action's path, after
which its members' quota from it is gone; `nimbusctl project check-expired` lists them."""
import re

import pytest

from nimbus_test.astakos import (BASE, Astakos, active_project, audit_entries, future,
                                 new_astakos_user, project_tables)
from nimbus_test.db import run_psql, sql_literal
from nimbus_test.stack import nimbusctl


@pytest.fixture(scope="module")
def admin():
    return Astakos()


@pytest.fixture(scope="module")
def owner():
    return new_astakos_user(pending_apps=100)


def expire(pid, ago="1 hour"):
    """Moves a project's end date into the past, as time would (the API refuses past dates)."""
    assert run_psql("UPDATE projects SET end_date = now() - interval %s WHERE id = %s RETURNING 1"
                    % (sql_literal(ago), sql_literal(pid)))


def listed(out):
    """{project id: (name, state, end date)} from a check-expired or terminate-expired table."""
    lines = out.splitlines()
    assert lines and lines[0] == "Project\tName\tStatus\tExpiration date", out
    return {f[0]: tuple(f[1:]) for f in (line.split("\t") for line in lines[1:])}


def check_expired():
    p = nimbusctl("project", "check-expired")
    assert p.returncode == 0, p.stderr
    return listed(p.stdout) if p.stdout else {}


def terminate_expired():
    p = nimbusctl("project", "terminate-expired")
    assert p.returncode == 0, p.stdout + p.stderr
    terminated = listed(p.stdout) if p.stdout else {}
    said = ("%d projects have been terminated." % len(terminated) if terminated
            else "No expired projects.")
    assert said in p.stderr, p.stderr
    return terminated


def member_of(admin, owner):
    """An active project owner applied for, granting 2 VMs of 10 to each member, and a member
    who joined it; (project, member)."""
    pid = active_project(owner, admin, join_policy="auto",
                         resources={"cyclades.vm": {"project_capacity": 10,
                                                    "member_capacity": 2}})
    member = new_astakos_user()
    member.ok("POST", BASE + "/projects/memberships", {"join": {"project": pid}})
    return pid, member


def vm_quota(user, pid):
    q = user.ok("GET", BASE + "/quotas")[pid]["cyclades.vm"]
    return q["limit"], q["project_limit"]


def test_an_expired_project_reads_as_it_was_until_the_operator_acts(admin, owner):
    pid, member = member_of(admin, owner)
    expire(pid)
    before = project_tables(pid)
    p = owner.project(pid)
    assert p["state"] == "active" and "deactivation_date" not in p
    assert vm_quota(member, pid) == (2, 10)
    # check-expired lists it and changes nothing
    found = check_expired()
    assert found[pid][0] == owner.project(pid)["name"] and found[pid][1] == "active"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$", found[pid][2])
    assert project_tables(pid) == before
    assert vm_quota(member, pid) == (2, 10)


def test_terminate_expired_ends_the_project_and_its_members_quota(admin, owner):
    pid, member = member_of(admin, owner)
    suspended, _ = member_of(admin, owner)
    admin.act(suspended, "suspend")
    alive = active_project(owner, admin)                 # ends in 30 days
    unapproved, _ = owner.apply()                        # never active: not Astakos's to expire
    for p in (pid, suspended, unapproved):
        expire(p)
    expire(owner.uuid)                                   # a base project is never terminated
    assert vm_quota(member, pid) == (2, 10)

    terminated = terminate_expired()
    assert pid in terminated and suspended in terminated
    assert alive not in terminated and unapproved not in terminated
    assert owner.uuid not in terminated
    for p in (pid, suspended):
        got = owner.project(p)
        assert got["state"] == "terminated" and got["deactivation_date"].endswith("+00:00")
        assert ("cli", "nimbusctl terminates project %s: its end date %s has passed"
                % (p, got["end_date"])) in audit_entries(p)
    # The member still sees the source, granting nothing any more (Synnefo's qh_sync_project).
    assert vm_quota(member, pid) == (0, 0)
    listed_terminated = admin.ok("GET", BASE + "/projects",
                                 params={"state": "terminated", "owner": owner.uuid})
    assert {pid, suspended} <= {p["id"] for p in listed_terminated}
    assert owner.project(alive)["state"] == "active"
    assert owner.project(unapproved)["state"] == "uninitialized"
    assert owner.project(owner.uuid)["state"] == "active"
    # Done: nothing left to terminate of these, and a second run changes nothing.
    assert not {pid, suspended} & set(check_expired())
    before = project_tables(pid)
    terminate_expired()
    assert project_tables(pid) == before


def test_a_reinstated_expired_project_waits_for_a_new_end_date(admin, owner):
    pid, member = member_of(admin, owner)
    expire(pid)
    assert pid in terminate_expired()
    admin.act(pid, "reinstate")
    assert vm_quota(member, pid) == (2, 10)
    assert pid in check_expired()                        # still past its end date
    app = owner.ok("PUT", BASE + "/projects/%s" % pid, {"end_date": future(60)}, status=201)
    admin.act(pid, "approve", app["application"])
    assert pid not in check_expired()
    assert pid not in terminate_expired()
    assert owner.project(pid)["state"] == "active" and vm_quota(member, pid) == (2, 10)


def test_project_command_needs_a_known_subcommand():
    for args in (("project",), ("project", "expire"), ("project", "check-expired", "x")):
        p = nimbusctl(*args)
        assert p.returncode == 2 and "usage:" in p.stderr, (args, p.stdout, p.stderr)
