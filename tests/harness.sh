#!/usr/bin/env bash
# The test harness behind `make test` (app/stack.sh test): an ASan/UBSan build, a throw-away
# stack on other ports than `make run`'s, ctest (unit and API tests) against it, and the
# sanitizer reports of the stack's daemons. Usage: tests/harness.sh
#   NIMBUS_TEST_HTTPS_PORT (18443) NIMBUS_TEST_HTTP_PORT (18080) NIMBUS_TEST_PG_PORT (15433)
#                      the throw-away stack's ports, so that two runs can coexist
#   NIMBUS_TEST_FILTER  run only the tests whose ctest name matches this regex, e.g.
#                      'unit\.|api\.test_(login|errors)$' (names: unit.test_<x>, api.test_<x>)
set -euo pipefail

# app/stack.sh defines the stack's functions (setup, stack_up, stack_down, say, ...) and runs
# nothing when sourced.
# shellcheck source=app/stack.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/app/stack.sh"

# Everything the stack and the API tests read, pointed at a fresh state directory.
test_environment() {
    local tmp=$1
    export NIMBUS_STATE_DIR=$tmp NIMBUS_BUILD=asan NIMBUS_PG_FAST=1
    # Other ports than a running `make run`; NIMBUS_TEST_*_PORT let two test runs coexist.
    export NIMBUS_HTTPS_PORT=${NIMBUS_TEST_HTTPS_PORT:-18443} NIMBUS_HTTP_PORT=${NIMBUS_TEST_HTTP_PORT:-18080}
    export NIMBUS_PG_PORT=${NIMBUS_TEST_PG_PORT:-15433}
    # A small image limit, so the oversize tests upload megabytes, not gigabytes.
    export NIMBUS_IMAGE_MAX_SIZE=${NIMBUS_IMAGE_MAX_SIZE:-4194304}
    # ... and a per-user image limit the tests can reach by recording one large image.
    export NIMBUS_IMAGE_QUOTA=${NIMBUS_IMAGE_QUOTA:-1073741824}
    # Slow enough that a test can time an upload giving way to API calls (a few MiB).
    export NIMBUS_UPLOAD_BUSY_RATE=2
    unset NIMBUS_IMAGE_STORE
    # Short leases and periods so takeover and liveness tests finish in seconds.
    export NIMBUS_LEASE_TTL=${NIMBUS_LEASE_TTL:-4} NIMBUS_RECONCILE_PERIOD=${NIMBUS_RECONCILE_PERIOD:-1}
    # Monitor channels expire in seconds, so the expiry test waits seconds.
    export NIMBUS_MONITOR_TTL=${NIMBUS_MONITOR_TTL:-6}
    unset NIMBUS_FCGI_LISTEN NIMBUS_UPLOAD_LISTEN NIMBUS_LOGIN_LISTEN NIMBUS_WAIT_LISTEN
    # The stack under test serves no web portal (test_portal_nginx.py starts its own nginx).
    unset NIMBUS_PORTAL_ROOT
    export NIMBUS_ADMIN_USER=admin
    NIMBUS_ADMIN_PASSWORD=$(openssl rand -hex 16)
    export NIMBUS_ADMIN_PASSWORD
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
}

# Fails (1) when a daemon of the stack wrote a sanitizer report, and prints them.
sanitizer_reports() {
    if compgen -G "$LOG/asan.*" >/dev/null || compgen -G "$LOG/ubsan.*" >/dev/null; then
        say "sanitizer reports from the stack's daemons:"
        cat "$LOG"/asan.* "$LOG"/ubsan.* 2>/dev/null >&2 || true
        return 1
    fi
}

harness_main() {
    local tmp rc=0
    cmd_deps
    cmd_build asan
    tmp=$(mktemp -d /tmp/nimbus-test.XXXXXX)
    chmod 755 "$tmp"
    test_environment "$tmp"
    setup
    trap 'stack_down; say "test stack kept in $STATE"' EXIT
    trap 'exit 130' INT TERM
    # The stack's processes (nimbusctl, nimbus-api, reconciler) write sanitizer
    # reports to files, checked below; ctest's own runs report on stderr.
    ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$LOG/asan UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$LOG/ubsan \
        stack_up || exit 1
    export NIMBUS_URL=$URL NIMBUS_REPO=$REPO NIMBUS_STACK=$REPO/app/stack.sh
    ctest --test-dir "$REPO/build/asan" --output-on-failure ${NIMBUS_TEST_FILTER:+-R "$NIMBUS_TEST_FILTER"} ||
        rc=$?
    stack_down
    if ! sanitizer_reports; then
        [ $rc -ne 0 ] || rc=1
    fi
    trap - EXIT
    if [ $rc -eq 0 ]; then
        rm -rf "$tmp"
        say "tests passed"
    else
        say "tests failed (status $rc); logs kept in $LOG"
    fi
    exit $rc
}

harness_main "$@"
