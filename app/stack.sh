#!/usr/bin/env bash
# Runs the whole Nimbus stack (PostgreSQL, nimbus-api, nimbus-reconciler, nginx)
# under one local state directory. Usage: app/stack.sh <command>; see usage() below.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=/usr/lib/postgresql/15/bin
DEB_PACKAGES=(build-essential cmake pkg-config libfcgi-dev libpq-dev libjson-c-dev
    libvirt-dev libxml2-dev libpcre2-dev libargon2-dev postgresql-15 nginx-light libcmocka-dev
    python3-pytest python3-requests openssl wrk curl libvirt-daemon libvirt-clients qemu-utils
    libssl-dev libvirt-daemon-driver-qemu qemu-system-x86 websockify novnc dnsmasq-base iptables
    prometheus clang-format clang-tidy shellcheck)

usage() {
    cat <<EOF
usage: app/stack.sh <command>
  deps          check the Debian packages; install the missing ones (root) or print how
  build [type]  build release|debug|asan into build/<type> (default \$NIMBUS_BUILD)
  start         build, then start the stack in the background; wait for /healthz
  run           start, print URL, credentials and a first curl; stop on Ctrl-C
  stop          stop everything
  status        show what runs, with pids (exit 3 if something is down)
  pg-restart    stop and start PostgreSQL only
  reconciler-stop, reconciler-start
                stop or start nimbus-reconciler only (operations wait meanwhile)
  libvirt-stop, libvirt-start
                stop or start the private test-driver libvirtd (a shared fake host;
                cell0's host where QEMU cannot run)
  qemu-stop, qemu-start
                stop or start the private QEMU libvirtd (cell0's host)
  websockify-stop, websockify-start
                stop or start the WebSocket-to-VNC bridge behind /monitor_channels/
  nginx-stop, nginx-start
                stop nginx, or render its configuration and start (or reload) it
  test          build asan, start a throw-away stack on other ports, run ctest
                (tests/harness.sh; NIMBUS_TEST_FILTER: a ctest -R regex of tests to run)
  bench         run the benchmarks (tests/bench/run) if present
environment: NIMBUS_STATE_DIR ($REPO/.run) NIMBUS_HTTPS_PORT (8443)
  NIMBUS_HTTP_PORT (8080) NIMBUS_PG_PORT (5433) NIMBUS_WORKERS NIMBUS_BUILD (release)
  NIMBUS_ADMIN_USER NIMBUS_ADMIN_PASSWORD NIMBUS_PG_FAST=1 (no fsync; tests only)
  NIMBUS_IMAGE_STORE (\$NIMBUS_STATE_DIR/images) NIMBUS_IMAGE_MAX_SIZE (bytes; 64 GiB)
  NIMBUS_IMAGE_QUOTA (bytes one user's images may take; 256 GiB)
  NIMBUS_UPLOAD_WORKERS (4) NIMBUS_UPLOAD_CONNECTIONS (4: uploads one address may run at once)
  NIMBUS_UPLOAD_BUSY_RATE (MiB/s all uploads may take while API calls run; 64, 0: no limit)
  NIMBUS_LOGIN_WORKERS (cores / 2) NIMBUS_LOGIN_CONNECTIONS (2)
  NIMBUS_WAIT_WORKERS (2 x cores, at least 8) NIMBUS_OP_WAIT (seconds a call waits for its operation; 30)
  NIMBUS_DEFAULT_CELL_URI (the libvirt URI of cell0; default: the stack's own QEMU libvirtd
  (root, QEMU and mount namespaces needed), else its test-driver libvirtd when root, else
  test:///default in the reconciler's process)
  NIMBUS_CELL0_DRIVER=test (cell0 on the test driver even where QEMU could run)
  NIMBUS_MONITOR_TTL (seconds an unused monitor channel lives; 60)
  NIMBUS_WEBSOCKIFY_PORT (websockify's port on 127.0.0.1; default: a free one)
  NIMBUS_METRICS_ALLOW (addresses or CIDR networks that may read /metrics, separated by
  spaces or commas; default 127.0.0.1 ::1)
  NIMBUS_PORTAL_ROOT (a web portal's directory, e.g. Nano's web_root, served at / for paths
  under no API's mount, with index.html for unknown ones; unset: no portal)
EOF
}

say() { printf 'stack: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Derive every path and setting from the environment. Called again by tests/harness.sh
# after it points the environment at its temporary stack.
setup() {
    STATE=${NIMBUS_STATE_DIR:-$REPO/.run}
    mkdir -p "$STATE"
    STATE=$(cd "$STATE" && pwd)
    HTTPS_PORT=${NIMBUS_HTTPS_PORT:-8443}
    HTTP_PORT=${NIMBUS_HTTP_PORT:-8080}
    PG_PORT=${NIMBUS_PG_PORT:-5433}
    BUILD=${NIMBUS_BUILD:-release}
    LOG=$STATE/log
    PGDATA=$STATE/pg/data
    PGSOCK=$STATE/pg/sock
    FCGI_LISTEN=${NIMBUS_FCGI_LISTEN:-$STATE/nimbus.sock}
    # The upload and log-in pools of nimbus-api listen beside the API's socket (app/main_api.c).
    case $FCGI_LISTEN in
    /*) UPLOAD_LISTEN=${NIMBUS_UPLOAD_LISTEN:-$(dirname "$FCGI_LISTEN")/nimbus-upload.sock}
        LOGIN_LISTEN=${NIMBUS_LOGIN_LISTEN:-$(dirname "$FCGI_LISTEN")/nimbus-login.sock}
        WAIT_LISTEN=${NIMBUS_WAIT_LISTEN:-$(dirname "$FCGI_LISTEN")/nimbus-wait.sock} ;;
    *) UPLOAD_LISTEN=${NIMBUS_UPLOAD_LISTEN:-${FCGI_LISTEN%:*}:$((${FCGI_LISTEN##*:} + 1))}
        LOGIN_LISTEN=${NIMBUS_LOGIN_LISTEN:-${FCGI_LISTEN%:*}:$((${FCGI_LISTEN##*:} + 2))}
        WAIT_LISTEN=${NIMBUS_WAIT_LISTEN:-${FCGI_LISTEN%:*}:$((${FCGI_LISTEN##*:} + 3))} ;;
    esac
    URL=https://127.0.0.1:$HTTPS_PORT
    IMAGE_STORE=${NIMBUS_IMAGE_STORE:-$STATE/images}
    case $IMAGE_STORE in /*) ;; *) IMAGE_STORE=$PWD/$IMAGE_STORE ;; esac
    IMAGE_MAX_SIZE=${NIMBUS_IMAGE_MAX_SIZE:-68719476736}
    MONITOR_DIR=$STATE/monitor

    export NIMBUS_STATE_DIR=$STATE
    export NIMBUS_DB="host=$PGSOCK port=$PG_PORT dbname=nimbus user=nimbus"
    export NIMBUS_FCGI_LISTEN=$FCGI_LISTEN NIMBUS_UPLOAD_LISTEN=$UPLOAD_LISTEN NIMBUS_LOGIN_LISTEN=$LOGIN_LISTEN
    export NIMBUS_WAIT_LISTEN=$WAIT_LISTEN
    export NIMBUS_MIGRATIONS=$REPO/migrations
    export NIMBUS_HTTPS_PORT=$HTTPS_PORT NIMBUS_HTTP_PORT=$HTTP_PORT NIMBUS_PG_PORT=$PG_PORT
    export NIMBUS_IMAGE_STORE=$IMAGE_STORE NIMBUS_IMAGE_MAX_SIZE=$IMAGE_MAX_SIZE
    export NIMBUS_MONITOR_DIR=$MONITOR_DIR
    export NIMBUS_PUBLIC_URL=${NIMBUS_PUBLIC_URL:-$URL}
}

build_type() {
    case $1 in
    release*) echo Release ;;
    debug*) echo Debug ;;
    asan*) echo Asan ;;
    *) die "unknown build type '$1' (release, debug or asan)" ;;
    esac
}

bindir() { echo "$REPO/build/$BUILD"; }

# ---------------------------------------------------------------- deps, build

cmd_deps() {
    local missing=() p
    for p in "${DEB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! is_root; then
        say "missing packages: ${missing[*]}"
        say "install them with:"
        echo "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
        exit 1
    fi
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y "${missing[@]}"; then
        apt-get update
        apt-get install -y "${missing[@]}"
    fi
}

cmd_build() {
    local type=${1:-$BUILD} dir
    dir=$REPO/build/$type
    [ -f "$REPO/CMakeLists.txt" ] || die "no CMakeLists.txt in $REPO"
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        cmake -S "$REPO" -B "$dir" -DCMAKE_BUILD_TYPE="$(build_type "$type")"
    fi
    cmake --build "$dir" -j "$(nproc)"
}

# ---------------------------------------------------------------- processes

# A zombie is not alive: PID 1 in these containers may never reap what we stop.
pid_alive() {
    local stat
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ]
}

# pidfile_pid FILE NAME: print the pid in FILE if that process runs and is NAME
# (so a stale file whose pid was reused never gets someone else killed).
pidfile_pid() {
    local pid comm
    [ -f "$1" ] || return 1
    read -r pid <"$1" || true
    pid_alive "$pid" || return 1
    read -r comm <"/proc/$pid/comm" || return 1
    [ "$comm" = "${2:0:15}" ] || return 1
    echo "$pid"
}

# stop_pid NAME PID [SECONDS]: SIGTERM, wait, then SIGKILL its process group.
stop_pid() {
    local name=$1 pid=$2 wait=${3:-15} i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < wait * 10; i++)); do
        pid_alive "$pid" || { say "$name stopped"; return 0; }
        sleep 0.1
    done
    say "$name (pid $pid) ignored SIGTERM for ${wait}s, killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

# Directories the unprivileged postgres (and nginx worker) user must cross.
ensure_traversable() {
    local d=$STATE
    while [ "$d" != / ]; do
        if [ "$(stat -c %A "$d" | cut -c10)" != x ] && [ "$(stat -c %A "$d" | cut -c10)" != t ]; then
            say "warning: $d is not world-searchable; running chmod o+x $d"
            chmod o+x "$d"
        fi
        d=$(dirname "$d")
    done
}

prepare_state() {
    mkdir -p "$LOG" "$STATE/tls" "$STATE/nginx/tmp" "$PGSOCK" "$IMAGE_STORE/media" "$IMAGE_STORE/disk" \
        "$IMAGE_STORE/staging" "$MONITOR_DIR/tokens" "$MONITOR_DIR/tmp"
    chmod 755 "$STATE" "$LOG" "$IMAGE_STORE" "$IMAGE_STORE/media" "$IMAGE_STORE/disk"
    # staging/: files being written, never served.
    chmod 700 "$IMAGE_STORE/staging"
    local sock_len=$((${#PGSOCK} + 20))
    [ $sock_len -lt 107 ] || die "state dir path too long for a unix socket: $STATE"
    if is_root; then
        ensure_traversable
    fi
}

# ---------------------------------------------------------------- PostgreSQL

# as_pg CMD...: run as the cluster's owner (postgres when we are root).
as_pg() {
    if is_root; then
        (cd "$STATE/pg" && runuser -u postgres -- "$@")
    else
        (cd "$STATE/pg" && "$@")
    fi
}

psql_admin() {
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_running() { as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

pg_init() {
    [ -f "$PGDATA/PG_VERSION" ] && return 0
    say "creating PostgreSQL cluster in $PGDATA"
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA"
    is_root && chown -R postgres: "$STATE/pg"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C \
        ${NIMBUS_PG_FAST:+--no-sync} >"$LOG/initdb.log" 2>&1 ||
        { cat "$LOG/initdb.log" >&2; die "initdb failed"; }
    echo "include_if_exists = 'nimbus.conf'" >>"$PGDATA/postgresql.conf"
}

# Settings rewritten on every `start`; `pg-restart` keeps whatever is there.
pg_configure() {
    {
        echo "# written by app/stack.sh start"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$PGSOCK'"
        echo "unix_socket_permissions = 0777"
        echo "port = $PG_PORT"
        echo "max_connections = 200"
        if [ -n "${NIMBUS_PG_FAST:-}" ]; then
            echo "# test stack only: durability traded for speed"
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } >"$PGDATA/nimbus.conf"
    chmod 644 "$PGDATA/nimbus.conf"
    is_root && chown postgres: "$PGDATA/nimbus.conf"
    return 0
}

pg_start() {
    if pg_running; then
        return 0
    fi
    touch "$LOG/postgres.log"
    if is_root; then
        chown postgres: "$LOG/postgres.log" "$PGSOCK"
    fi
    chmod 755 "$PGSOCK"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -w -t 30 -l "$LOG/postgres.log" start >/dev/null ||
        { tail -n 20 "$LOG/postgres.log" >&2; die "PostgreSQL did not start"; }
    say "PostgreSQL started (socket $PGSOCK, port $PG_PORT)"
}

pg_stop() {
    [ -f "$PGDATA/PG_VERSION" ] || return 0
    pg_running || return 0
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -w -t 60 stop -m fast >/dev/null
    say "PostgreSQL stopped"
}

pg_create_db() {
    if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'nimbus'")" ]; then
        psql_admin -c "CREATE ROLE nimbus LOGIN"
    fi
    if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'nimbus'")" ]; then
        psql_admin -c "CREATE DATABASE nimbus OWNER nimbus"
    fi
}

cmd_pg_restart() {
    [ -f "$PGDATA/PG_VERSION" ] || die "no PostgreSQL cluster in $PGDATA"
    pg_stop
    pg_start
}

# ---------------------------------------------------------------- libvirt

# Three kinds of host, all private to the state dir:
# - cell0 (pool default): a libvirtd with the QEMU driver (qemu_start below): real guests
#   with consoles, nwfilters, volume resize and images from guests.
# - sim0 (pool sim): libvirt's test driver in the reconciler's own process, from a node
#   definition large enough for 100,000 small fake guests (sim_node below).
# - the test-driver libvirtd (libvirt_start): test:///default served by a daemon, so that
#   every reconciler and virsh see the same fake host and it can go away and come back (the
#   reconciler's tests); cell0 when QEMU cannot run. LIBVIRT_DRIVER_DIR points at an empty
#   directory: this daemon loads no hypervisor driver but the built-in test driver.
LIBVIRT_DIR() { echo "$STATE/libvirt"; }

libvirt_start() {
    local dir pid i
    dir=$(LIBVIRT_DIR)
    is_root && command -v libvirtd >/dev/null || return 0
    if pid=$(pidfile_pid "$dir/libvirtd.pid" libvirtd); then
        return 0
    fi
    mkdir -p "$dir/drivers" /var/run/libvirt /var/log/libvirt
    cat >"$dir/libvirtd.conf" <<EOC
unix_sock_dir = "$dir"
auth_unix_rw = "none"
auth_unix_ro = "none"
EOC
    rm -f "$dir/libvirt-sock"
    LIBVIRT_DRIVER_DIR=$dir/drivers setsid libvirtd -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" \
        </dev/null >>"$LOG/libvirtd.log" 2>&1 &
    for ((i = 0; i < 50; i++)); do
        [ -S "$dir/libvirt-sock" ] && { say "libvirtd (test driver) started"; return 0; }
        sleep 0.1
    done
    say "warning: private libvirtd did not start; see $LOG/libvirtd.log"
}

libvirt_stop() {
    local pid
    pid=$(pidfile_pid "$(LIBVIRT_DIR)/libvirtd.pid" libvirtd) || return 0
    stop_pid libvirtd "$pid" 10
}

# The QEMU host runs as root in a private mount namespace (unshare -m) in which /etc/libvirt,
# /run/libvirt, /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt are directories of
# QEMU_DIR: its own qemu.conf (user root), its own virtlogd, domain, network and pool
# definitions, volumes under the state dir, and no clash with a system libvirtd.
QEMU_DIR() { echo "$STATE/qemu-libvirt"; }
QEMU_SOCK() { echo "$(QEMU_DIR)/sock/libvirt-sock"; }
QEMU_URI() { echo "qemu+unix:///system?socket=$(QEMU_SOCK)"; }
QEMU_BINDS="etc:/etc/libvirt run:/run/libvirt lib:/var/lib/libvirt log:/var/log/libvirt cache:/var/cache/libvirt"

# Prints why the QEMU host cannot run here and succeeds; fails (prints nothing) when it can.
qemu_why_not() {
    local tool
    if [ "${NIMBUS_CELL0_DRIVER:-qemu}" = test ]; then echo "NIMBUS_CELL0_DRIVER=test"; return 0; fi
    is_root || { echo "not root: libvirt's qemu:///system needs root"; return 0; }
    for tool in libvirtd virtlogd virsh qemu-img qemu-system-x86_64 unshare mount; do
        command -v "$tool" >/dev/null || { echo "$tool is not installed (app/stack.sh deps)"; return 0; }
    done
    compgen -G "/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so" >/dev/null ||
        { echo "libvirt's QEMU driver is not installed (libvirt-daemon-driver-qemu)"; return 0; }
    unshare -m --propagation private true 2>/dev/null ||
        { echo "no private mount namespace (unshare -m refused)"; return 0; }
    return 1
}

# Debian's QEMU driver looks up its compiled-in user libvirt-qemu and group kvm before it reads
# qemu.conf; where they do not exist, /etc/passwd and /etc/group gain them inside the
# namespace only. Prints the mount commands for the namespace's script.
qemu_accounts() {
    local db line name dir
    dir=$(QEMU_DIR)
    for db in passwd group; do
        cp "/etc/$db" "$dir/$db"
        local add=0
        if [ $db = passwd ]; then set -- "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin"
        else set -- "kvm:x:64054:" "libvirt-qemu:x:64055:"; fi
        for line in "$@"; do
            name=${line%%:*}
            grep -q "^$name:" "/etc/$db" || { echo "$line" >>"$dir/$db"; add=1; }
        done
        [ $add -eq 0 ] || echo "mount --bind $dir/$db /etc/$db || exit 1"
    done
}

qemu_running() { pidfile_pid "$(QEMU_DIR)/libvirtd.pid" libvirtd >/dev/null; }

qemu_virsh() { virsh -q -c "$(QEMU_URI)" "$@" </dev/null; }

# Starts the QEMU host; fails (after saying why) where it cannot run.
qemu_start() {
    local dir why bind script i
    dir=$(QEMU_DIR)
    if why=$(qemu_why_not); then
        say "no QEMU cell: $why; cell0 runs on libvirt's test driver (no consoles, nwfilters, resize or images from guests)"
        return 1
    fi
    qemu_running && return 0
    mkdir -p "$dir/sock"
    script=""
    for bind in $QEMU_BINDS; do
        mkdir -p "$dir/${bind%%:*}"
        script+="mkdir -p ${bind#*:} && mount --bind $dir/${bind%%:*} ${bind#*:} || exit 1"$'\n'
    done
    # As root, without dropping to libvirt-qemu; no per-domain /dev namespace (a container may
    # refuse it); VNC on loopback only (websockify reaches it for monitor channels).
    printf '%s\n' 'user = "root"' 'group = "root"' 'dynamic_ownership = 0' 'namespaces = [ ]' \
        'vnc_listen = "127.0.0.1"' 'remember_owner = 0' >"$dir/etc/qemu.conf"
    printf 'unix_sock_dir = "%s"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n' "$dir/sock" \
        >"$dir/libvirtd.conf"
    : >"$dir/virtlogd.conf"
    script+=$(qemu_accounts)$'\n'
    script+="virtlogd -d -f $dir/virtlogd.conf -p $dir/virtlogd.pid || exit 1"$'\n'
    script+="exec libvirtd -f $dir/libvirtd.conf -p $dir/libvirtd.pid"
    rm -f "$dir/sock/libvirt-sock" "$dir/sock/libvirt-sock-ro" "$dir/sock/libvirt-admin-sock"
    env -u LIBVIRT_DRIVER_DIR -u ASAN_OPTIONS -u UBSAN_OPTIONS -u LD_PRELOAD \
        setsid unshare -m --propagation private sh -c "$script" </dev/null \
        >>"$LOG/libvirtd-qemu.log" 2>&1 &
    for ((i = 0; i < 150; i++)); do
        if [ -S "$(QEMU_SOCK)" ] && qemu_virsh version >/dev/null 2>&1; then
            say "libvirtd (QEMU, $([ -e /dev/kvm ] && echo KVM || echo TCG)) started: $(QEMU_URI)"
            qemu_network
            return 0
        fi
        sleep 0.2
    done
    say "no QEMU cell: its libvirtd did not start (see $LOG/libvirtd-qemu.log); cell0 runs on libvirt's test driver"
    qemu_stop
    return 1
}

# The host's network "default", which guest interfaces join and security policies (nwfilters)
# need: NAT with DHCP where dnsmasq and iptables are installed, else an isolated bridge. The
# bridge and subnet come from the state dir, so stacks of other checkouts do not collide.
qemu_network() {
    local dir hash bridge subnet body
    dir=$(QEMU_DIR)
    if qemu_virsh net-info default 2>/dev/null | grep -q '^Active: *yes'; then
        return 0
    fi
    qemu_virsh net-undefine default >/dev/null 2>&1 || true
    hash=$(printf '%s' "$STATE" | sha256sum | cut -c1-8)
    bridge=nbq$(printf '%05x' $((16#$hash % 1048576)))
    subnet=192.168.$((200 + 16#$hash % 50))
    if command -v ip >/dev/null; then ip link del "$bridge" >/dev/null 2>&1 || true; fi
    for body in nat isolated; do
        if [ $body = nat ] && ! { command -v dnsmasq >/dev/null && command -v iptables >/dev/null; }; then
            continue
        fi
        {
            echo "<network><name>default</name><bridge name='$bridge' stp='off' delay='0'/>"
            [ $body = isolated ] || echo "<forward mode='nat'/><ip address='$subnet.1' netmask='255.255.255.0'><dhcp><range start='$subnet.10' end='$subnet.250'/></dhcp></ip>"
            echo "</network>"
        } >"$dir/net-default.xml"
        qemu_virsh net-define "$dir/net-default.xml" >/dev/null 2>&1 &&
            qemu_virsh net-start default >>"$LOG/libvirtd-qemu.log" 2>&1 && return 0
        qemu_virsh net-undefine default >/dev/null 2>&1 || true
    done
    say "warning: the QEMU host has no network default: guests get no interface, security policies are refused"
}

# Everything the QEMU host started goes: running guests (as at a power cut: the reconciler
# observes them stopped), networks (their bridge lives outside the namespace), libvirtd,
# virtlogd and any QEMU process left.
qemu_stop() {
    local dir pid name f
    dir=$(QEMU_DIR)
    if qemu_running; then
        for name in $(qemu_virsh list --name 2>/dev/null); do
            qemu_virsh destroy "$name" >/dev/null 2>&1 || true
        done
        for name in $(qemu_virsh net-list --name 2>/dev/null); do
            qemu_virsh net-destroy "$name" >/dev/null 2>&1 || true
        done
        stop_pid "libvirtd (QEMU)" "$(pidfile_pid "$dir/libvirtd.pid" libvirtd)" 15
    fi
    pid=$(pidfile_pid "$dir/virtlogd.pid" virtlogd) && stop_pid virtlogd "$pid" 10
    for f in "$dir"/run/qemu/*.pid; do
        [ -f "$f" ] || continue
        read -r pid <"$f" || continue
        pid_alive "$pid" && stop_pid qemu "$pid" 10
    done
    return 0
}

# The simulated host: libvirt's test driver, in the process of each reconciler that holds the
# cell, defined by a node file: 256 cores, 4 TiB of memory and a 1 PiB storage pool, room for
# 100,000 small guests. Rewritten at every start; prints the cell's URI.
sim_node() {
    local dir=$STATE/sim
    mkdir -p "$dir/images"
    cat >"$dir/node.xml" <<EOX
<node>
  <cpu><mhz>2000</mhz><model>x86_64</model><nodes>1</nodes><sockets>8</sockets><cores>16</cores>
       <threads>2</threads><active>256</active></cpu>
  <memory>4294967296</memory>
  <pool type='dir'>
    <name>sim-pool</name>
    <uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>
    <capacity>1125899906842624</capacity><allocation>0</allocation>
    <available>1125899906842624</available>
    <source/>
    <target><path>$dir/images</path></target>
  </pool>
</node>
EOX
    echo "test://$dir/node.xml"
}

default_cell_uri() {
    if [ -n "${NIMBUS_DEFAULT_CELL_URI:-}" ]; then
        echo "$NIMBUS_DEFAULT_CELL_URI"
    elif qemu_running; then
        QEMU_URI
    elif [ -S "$(LIBVIRT_DIR)/libvirt-sock" ]; then
        echo "test+unix:///default?socket=$(LIBVIRT_DIR)/libvirt-sock"
    else
        echo "test:///default"
    fi
}

# cell0 in pool default (the QEMU host, else the test driver), sim0 in pool sim.
cells_register() {
    local sim
    QEMU_STARTED=""
    if [ -z "${NIMBUS_DEFAULT_CELL_URI:-}" ] && qemu_start; then
        QEMU_STARTED=1
    fi
    sim=$(sim_node)
    # The QEMU host's volumes go to a directory both mount namespaces see, so the reconciler
    # reaches their files too (qemu-img for disk shrink).
    { nimbusctl cell add cell0 --uri "$(default_cell_uri)" --pool default \
        ${QEMU_STARTED:+--storage "$(QEMU_DIR)/images"} &&
        nimbusctl pool add sim && nimbusctl cell add sim0 --uri "$sim" --pool sim; } \
        >>"$LOG/nimbusctl.log" 2>&1 || { tail -n 20 "$LOG/nimbusctl.log" >&2; die "registering cells failed"; }
}

# ---------------------------------------------------------------- websockify

# Monitor channels: nginx proxies wss://…/monitor_channels/<id> (after its auth_request to the
# workers consumed the id) to one websockify on 127.0.0.1, which finds the guest's VNC address
# in the token file the worker wrote (TokenFile re-reads $MONITOR_DIR/tokens per connection).
websockify_port() {
    local port
    if [ -n "${NIMBUS_WEBSOCKIFY_PORT:-}" ]; then
        echo "$NIMBUS_WEBSOCKIFY_PORT"
    elif [ -s "$STATE/websockify.port" ]; then
        cat "$STATE/websockify.port"
    else
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        echo "$port" >"$STATE/websockify.port"
        echo "$port"
    fi
}

websockify_start() {
    local pid port i
    command -v websockify >/dev/null || { say "warning: websockify is not installed: no monitor channels"; return 0; }
    if pid=$(pidfile_pid "$STATE/websockify.pid" websockify); then
        return 0
    fi
    # A port picked for an earlier run may be someone else's by now: pick again.
    [ -n "${NIMBUS_WEBSOCKIFY_PORT:-}" ] || rm -f "$STATE/websockify.port"
    port=$(websockify_port)
    setsid websockify --token-plugin TokenFile --token-source "$MONITOR_DIR/tokens" \
        --heartbeat 30 "127.0.0.1:$port" </dev/null >>"$LOG/websockify.log" 2>&1 &
    echo $! >"$STATE/websockify.pid"
    for ((i = 0; i < 50; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            say "websockify started (pid $(cat "$STATE/websockify.pid"), 127.0.0.1:$port)"
            return 0
        fi
        pid_alive "$(cat "$STATE/websockify.pid")" || break
        sleep 0.1
    done
    say "warning: websockify did not start; see $LOG/websockify.log"
}

websockify_stop() {
    local pid
    pid=$(pidfile_pid "$STATE/websockify.pid" websockify) || { rm -f "$STATE/websockify.pid"; return 0; }
    stop_pid websockify "$pid" 10
    # Its children each carry one open console; they go with it.
    kill -TERM -- "-$pid" 2>/dev/null || true
    rm -f "$STATE/websockify.pid"
}

# ---------------------------------------------------------------- TLS, nginx

tls_init() {
    [ -f "$STATE/tls/server.crt" ] && [ -f "$STATE/tls/server.key" ] && return 0
    say "creating a self-signed certificate in $STATE/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj /CN=localhost \
        -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
        -keyout "$STATE/tls/server.key" -out "$STATE/tls/server.crt" 2>"$LOG/openssl.log" ||
        { cat "$LOG/openssl.log" >&2; die "openssl failed"; }
    chmod 600 "$STATE/tls/server.key"
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# nginx's upstream address for a pool's socket (unix path or host:port).
upstream_of() {
    case $1 in
    /*) echo "unix:$1" ;;
    *) echo "$1" ;;
    esac
}

# "allow A; allow B;" for /metrics from NIMBUS_METRICS_ALLOW. Each entry must look like an
# address or a CIDR network, so that nothing but an address reaches nginx's configuration.
metrics_allow() {
    local list=${NIMBUS_METRICS_ALLOW:-127.0.0.1 ::1} entries entry out=""
    read -ra entries <<<"${list//,/ }"
    for entry in "${entries[@]}"; do
        [[ $entry =~ ^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$ ]] ||
            die "NIMBUS_METRICS_ALLOW: '$entry' is not an address or a CIDR network"
        out+="allow $entry; "
    done
    [ -n "$out" ] || die "NIMBUS_METRICS_ALLOW is empty"
    echo "$out"
}

# nginx/nimbus.conf.in with each line that is only @DIALECTS_<PART>@ replaced by `nimbusctl
# nginx <part>` (what the dialect descriptors say), indented as the placeholder was.
nginx_template() {
    local line indent part out
    while IFS= read -r line || [ -n "$line" ]; do
        if [[ $line =~ ^([[:space:]]*)@PORTAL@(.*)$ ]]; then
            [ -z "${NIMBUS_PORTAL_ROOT:-}" ] || printf '%s%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
        elif [[ $line =~ ^([[:space:]]*)@DIALECTS_([A-Z]+)@$ ]]; then
            indent=${BASH_REMATCH[1]} part=${BASH_REMATCH[2],,}
            out=$(nimbusctl nginx "$part") || die "nimbusctl nginx $part failed"
            [ -z "$out" ] || printf '%s\n' "$out" | sed "s|^|$indent|"
        else
            printf '%s\n' "$line"
        fi
    done <"$REPO/nginx/nimbus.conf.in"
}

# NIMBUS_PORTAL_ROOT, when set: an absolute path of a directory with an index.html, in
# characters that cannot end or extend nginx's quoted string (no quotes, spaces, $ or \).
portal_root() {
    local root=${NIMBUS_PORTAL_ROOT:-}
    [ -n "$root" ] || return 0
    [[ $root =~ ^/[A-Za-z0-9._/+@-]*$ ]] ||
        die "NIMBUS_PORTAL_ROOT: '$root' is not an absolute path of letters, digits and ._/+@-"
    [ -f "$root/index.html" ] || die "NIMBUS_PORTAL_ROOT: $root has no index.html"
    echo "${root%/}"
}

nginx_render() {
    local user_line="" metrics_allow logins portal
    metrics_allow=$(metrics_allow)
    portal=$(portal_root)
    logins=$(nimbusctl nginx logins) || die "nimbusctl nginx logins failed"
    if is_root && getent passwd www-data >/dev/null; then
        user_line="user www-data;"
    fi
    sed -e "s|@USER_LINE@|$(sed_escape "$user_line")|g" \
        -e "s|@STATE@|$(sed_escape "$STATE")|g" \
        -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" \
        -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
        -e "s|@UPSTREAM@|$(sed_escape "$(upstream_of "$FCGI_LISTEN")")|g" \
        -e "s|@UPLOAD_UPSTREAM@|$(sed_escape "$(upstream_of "$UPLOAD_LISTEN")")|g" \
        -e "s|@LOGIN_UPSTREAM@|$(sed_escape "$(upstream_of "$LOGIN_LISTEN")")|g" \
        -e "s|@WAIT_UPSTREAM@|$(sed_escape "$(upstream_of "$WAIT_LISTEN")")|g" \
        -e "s|@FASTCGI_READ_TIMEOUT@|$((${NIMBUS_OP_WAIT:-30} + 60))s|g" \
        -e "s|@LOGIN_RATE@|${NIMBUS_LOGIN_RATE:-5r/s}|g" \
        -e "s|@LOGIN_BURST@|${NIMBUS_LOGIN_BURST:-20}|g" \
        -e "s|@LOGIN_CONNECTIONS@|${NIMBUS_LOGIN_CONNECTIONS:-2}|g" \
        -e "s|@UPLOAD_CONNECTIONS@|${NIMBUS_UPLOAD_CONNECTIONS:-4}|g" \
        -e "s|@IMAGE_STORE@|$(sed_escape "$IMAGE_STORE")|g" \
        -e "s|@IMAGE_MAX_SIZE@|$IMAGE_MAX_SIZE|g" \
        -e "s|@IMAGE_MAX_BODY@|$((IMAGE_MAX_SIZE + 1048576))|g" \
        -e "s|@WEBSOCKIFY_PORT@|$(websockify_port)|g" \
        -e "s|@METRICS_ALLOW@|$metrics_allow|g" \
        -e "s|@NOVNC_DIR@|$(sed_escape "${NIMBUS_NOVNC_DIR:-/usr/share/novnc}")|g" \
        -e "s|@DIALECTS_LOGINS@|$(sed_escape "$logins")|g" \
        -e "s|@PORTAL_ROOT@|$(sed_escape "$portal")|g" \
        <(nginx_template) >"$STATE/nginx/nginx.conf.new"
    if grep -q '@[A-Z_]*@' "$STATE/nginx/nginx.conf.new"; then
        die "unreplaced placeholder in nginx/nimbus.conf.in: $(grep -o '@[A-Z_]*@' "$STATE/nginx/nginx.conf.new" | head -1)"
    fi
    mv "$STATE/nginx/nginx.conf.new" "$STATE/nginx/nginx.conf"
}

nginx_cmd() { nginx -p "$STATE/nginx" -e "$LOG/nginx-error.log" -c "$STATE/nginx/nginx.conf" "$@"; }

nginx_start() {
    local pid
    nginx_render
    nginx_cmd -t -q || die "nginx configuration test failed ($STATE/nginx/nginx.conf)"
    if pid=$(pidfile_pid "$STATE/nginx/nginx.pid" nginx); then
        nginx_cmd -s reload
        say "nginx reloaded (pid $pid)"
        return 0
    fi
    nginx_cmd || { tail -n 20 "$LOG/nginx-error.log" >&2; die "nginx did not start"; }
    say "nginx started on $URL and http://127.0.0.1:$HTTP_PORT"
}

nginx_stop() {
    local pid
    pid=$(pidfile_pid "$STATE/nginx/nginx.pid" nginx) || return 0
    stop_pid nginx "$pid" 10
}

# ---------------------------------------------------------------- nimbus

nimbusctl() { "$(bindir)/nimbusctl" "$@"; }

api_start() {
    local bin pid sock
    bin=$(bindir)/nimbus-api
    [ -x "$bin" ] || die "$bin is not built (make build)"
    if pid=$(pidfile_pid "$STATE/nimbus-api.pid" nimbus-api); then
        say "nimbus-api already running (pid $pid)"
        return 0
    fi
    for sock in "$FCGI_LISTEN" "$UPLOAD_LISTEN" "$LOGIN_LISTEN" "$WAIT_LISTEN"; do
        case $sock in /*) rm -f "$sock" ;; esac
    done
    # setsid: the api gets its own process group, so a terminal's Ctrl-C reaches
    # only this script, which then stops everything in order.
    setsid "$bin" </dev/null >>"$LOG/nimbus-api.log" 2>&1 &
    API_PID=$!
    say "nimbus-api started (pid $API_PID, $FCGI_LISTEN; uploads $UPLOAD_LISTEN, log-ins $LOGIN_LISTEN, waiting calls $WAIT_LISTEN)"
}

api_stop() {
    local pid
    pid=$(pidfile_pid "$STATE/nimbus-api.pid" nimbus-api) || pid=${API_PID:-}
    pid_alive "$pid" || return 0
    stop_pid nimbus-api "$pid" 20
    pid_alive "$pid" || rm -f "$STATE/nimbus-api.pid"
}

reconciler_start() {
    local bin pid
    bin=$(bindir)/nimbus-reconciler
    [ -x "$bin" ] || return 0
    if pid=$(pidfile_pid "$STATE/nimbus-reconciler.pid" nimbus-reconciler); then
        say "nimbus-reconciler already running (pid $pid)"
        return 0
    fi
    setsid "$bin" </dev/null >>"$LOG/nimbus-reconciler.log" 2>&1 &
    echo $! >"$STATE/nimbus-reconciler.pid"
    say "nimbus-reconciler started (pid $!)"
}

reconciler_stop() {
    local pid
    pid=$(pidfile_pid "$STATE/nimbus-reconciler.pid" nimbus-reconciler) || { rm -f "$STATE/nimbus-reconciler.pid"; return 0; }
    stop_pid nimbus-reconciler "$pid" 20
    rm -f "$STATE/nimbus-reconciler.pid"
}

healthz() {
    [ "$(curl -k -s -o /dev/null --max-time 2 -w '%{http_code}' "$URL/healthz")" = 200 ]
}

show_logs() {
    local f
    for f in "$LOG"/*.log; do
        [ -s "$f" ] || continue
        printf '\n==> %s <==\n' "$f" >&2
        tail -n 15 "$f" >&2
    done
}

# Bring the whole stack up from built binaries; return once /healthz answers 200.
stack_up() {
    local i
    prepare_state
    [ -x "$(bindir)/nimbusctl" ] || die "$(bindir)/nimbusctl is not built (make build)"
    pg_init
    pg_configure
    pg_start
    pg_create_db
    nimbusctl migrate >>"$LOG/nimbusctl.log" 2>&1 ||
        { tail -n 20 "$LOG/nimbusctl.log" >&2; die "nimbusctl migrate failed"; }
    nimbusctl bootstrap >>"$LOG/nimbusctl.log" 2>&1 ||
        { tail -n 20 "$LOG/nimbusctl.log" >&2; die "nimbusctl bootstrap failed"; }
    libvirt_start
    cells_register
    tls_init
    api_start
    reconciler_start
    websockify_start
    nginx_start
    for ((i = 0; i < 60; i++)); do
        healthz && { say "healthy: $URL/healthz"; return 0; }
        if [ -n "${API_PID:-}" ] && ! pid_alive "$API_PID"; then
            say "nimbus-api exited during start-up"
            break
        fi
        sleep 0.5
    done
    say "$URL/healthz did not answer 200 within 30 s; logs in $LOG:"
    show_logs
    return 1
}

stack_down() {
    nginx_stop
    websockify_stop
    reconciler_stop
    api_stop
    qemu_stop
    libvirt_stop
    pg_stop
}

# ---------------------------------------------------------------- commands

cmd_start() {
    cmd_deps
    cmd_build "$BUILD"
    stack_up || exit 1
    say "running at $URL (state $STATE; admin password in $STATE/admin-password unless NIMBUS_ADMIN_PASSWORD is set)"
}

admin_password() {
    if [ -n "${NIMBUS_ADMIN_PASSWORD:-}" ]; then
        printf '%s' "$NIMBUS_ADMIN_PASSWORD"
    elif [ -r "$STATE/admin-password" ]; then
        tr -d '\n' <"$STATE/admin-password"
    else
        printf '(see %s)' "$LOG/nimbusctl.log"
    fi
}

cmd_run() {
    local user pass
    trap 'trap - INT TERM EXIT; echo >&2; say "stopping"; stack_down; exit 0' INT TERM
    trap 'stack_down' EXIT
    cmd_start
    user=${NIMBUS_ADMIN_USER:-admin}
    pass=$(admin_password)
    cat <<EOF

Nimbus is running at $URL   (state: $STATE)
  admin user:     $user
  admin password: $pass

Try a Nano log-in:
  curl -k -X POST $URL/api/v1/sessions/ -H 'Content-Type: application/json' -d '{"user":"$user","password":"$pass","nonce":"x"}'

Compute pools: default (cell0: $(if qemu_running; then echo "QEMU, real guests with consoles"; else echo "libvirt's test driver"; fi))
               sim (sim0: simulated, room for 100,000 small guests)

Ctrl-C stops everything.
EOF
    while :; do
        if ! pidfile_pid "$STATE/nimbus-api.pid" nimbus-api >/dev/null && ! pid_alive "${API_PID:-}"; then
            say "nimbus-api exited; logs:"
            show_logs
            exit 1
        fi
        sleep 2 &
        wait $! || true
    done
}

cmd_stop() { stack_down; }

cmd_status() {
    local down=0 pid name kids why
    echo "state: $STATE   url: $URL"
    if pg_running 2>/dev/null; then
        read -r pid <"$PGDATA/postmaster.pid"
        printf '%-18s running  pid %s  (socket %s, port %s)\n' postgres "$pid" "$PGSOCK" "$PG_PORT"
    else
        printf '%-18s stopped\n' postgres
        down=1
    fi
    if pid=$(pidfile_pid "$(QEMU_DIR)/libvirtd.pid" libvirtd); then
        printf '%-18s running  pid %s  (cell0: %s)\n' "libvirtd (QEMU)" "$pid" "$(QEMU_URI)"
    elif why=$(qemu_why_not); then
        printf '%-18s not used  (%s)\n' "libvirtd (QEMU)" "$why"
    else
        printf '%-18s stopped\n' "libvirtd (QEMU)"
        down=1
    fi
    if pid=$(pidfile_pid "$(LIBVIRT_DIR)/libvirtd.pid" libvirtd); then
        printf '%-18s running  pid %s  (test+unix:///default?socket=%s)\n' "libvirtd (test)" "$pid" \
            "$(LIBVIRT_DIR)/libvirt-sock"
    fi
    printf '%-18s in the reconciler  (sim0: test://%s)\n' "simulated host" "$STATE/sim/node.xml"
    if pid=$(pidfile_pid "$STATE/websockify.pid" websockify); then
        printf '%-18s running  pid %s  (127.0.0.1:%s)\n' websockify "$pid" "$(websockify_port)"
    elif command -v websockify >/dev/null; then
        printf '%-18s stopped\n' websockify
        down=1
    fi
    for name in nimbus-api nimbus-reconciler; do
        if pid=$(pidfile_pid "$STATE/$name.pid" "$name"); then
            kids=$(ps -o pid= --ppid "$pid" | xargs || true)
            printf '%-18s running  pid %s%s\n' "$name" "$pid" "${kids:+  (children: $kids)}"
        elif [ $name = nimbus-reconciler ] && [ ! -x "$(bindir)/$name" ]; then
            printf '%-18s not built\n' "$name"
        else
            printf '%-18s stopped\n' "$name"
            down=1
        fi
    done
    if pid=$(pidfile_pid "$STATE/nginx/nginx.pid" nginx); then
        kids=$(ps -o pid= --ppid "$pid" | xargs || true)
        printf '%-18s running  pid %s  (workers: %s)\n' nginx "$pid" "$kids"
    else
        printf '%-18s stopped\n' nginx
        down=1
    fi
    if healthz; then
        echo "healthz            200"
    else
        echo "healthz            not answering"
        down=1
    fi
    [ $down -eq 0 ] || exit 3
}

# The test harness lives with the tests; it sources this file for the stack's functions.
cmd_test() { exec "$REPO/tests/harness.sh" "$@"; }

cmd_bench() {
    if [ -x "$REPO/tests/bench/run" ]; then
        exec "$REPO/tests/bench/run" "$@"
    fi
    die "no benchmarks yet (tests/bench/run does not exist)"
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case $cmd in
    deps) cmd_deps ;;
    build) cmd_build "${1:-${NIMBUS_BUILD:-release}}" ;;
    start) setup; cmd_start ;;
    run) setup; cmd_run ;;
    stop) setup; cmd_stop ;;
    status) setup; cmd_status ;;
    pg-restart) setup; cmd_pg_restart ;;
    reconciler-stop) setup; reconciler_stop ;;
    reconciler-start) setup; prepare_state; reconciler_start ;;
    libvirt-stop) setup; libvirt_stop ;;
    libvirt-start) setup; prepare_state; libvirt_start ;;
    qemu-stop) setup; qemu_stop ;;
    qemu-start) setup; prepare_state; qemu_start ;;
    websockify-stop) setup; websockify_stop ;;
    websockify-start) setup; prepare_state; websockify_start ;;
    nginx-stop) setup; nginx_stop ;;
    nginx-start) setup; prepare_state; tls_init; nginx_start ;;
    test) cmd_test "$@" ;;
    bench) cmd_bench "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
    esac
}

# Sourcing the file (for debugging one function) defines everything and runs nothing.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
