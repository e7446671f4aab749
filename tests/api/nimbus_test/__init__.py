"""Helpers for the black-box API tests, imported by tests/api/conftest.py (which re-exports
them, so test files keep writing `from conftest import ...`):

    env       where the stack is (NIMBUS_URL, NIMBUS_STATE_DIR, NIMBUS_DB, ...)
    dialects  the dialect descriptors, as `nimbusctl dialects` prints them
    http      requests against the stack
    logins    each dialect's log-in and credential headers
    db        psql against the stack's database
    stack     the stack's processes, nimbusctl, /healthz and /metrics
    nano      Nano sessions and scratch roles, groups and users
    pools     which compute pool a test's guests go to (the QEMU cell or the simulated one)
"""
