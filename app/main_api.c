/* nimbus-api: binds the FastCGI socket and runs the master over a pool of workers. */
#include <fcgiapp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/credential_cache.h"
#include "app/log.h"
#include "app/metrics.h"
#include "app/router.h"
#include "app/upload_pace.h"
#include "app/validate.h"
#include "app/worker.h"
#include "db/db.h"

static const char *
env(const char *name, const char *fallback)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : fallback;
}

static void
write_pidfile(const char *state)
{
    char path[4096];
    FILE *f;

    if (snprintf(path, sizeof(path), "%s/nimbus-api.pid", state) >= (int)sizeof(path) ||
        (f = fopen(path, "w")) == NULL) {
        nb_log_error(NULL, "cannot write the pid file in %s", state);
        return;
    }
    if (fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
        nb_log_error(NULL, "cannot write %s", path);
}

/* The pools and where each listens: $<listen_var>, else <state>/<socket> — or, when the API
 * pool listens on host:port, the same host at port + offset. */
static const struct {
    const char *name, *listen_var, *socket, *workers_var;
    int port_offset;
    bool paced;
} pool_defs[] = {
    {"api", "NIMBUS_FCGI_LISTEN", "nimbus.sock", "NIMBUS_WORKERS", 0, false},
    /* Image uploads: each worker takes one upload as it arrives, writing and hashing it, a
     * long job per request, paced while the other pools answer calls (app/upload_pace.h):
     * nginx, whose buffer to a slowed worker fills, reads (and decrypts) the upload no faster
     * than the worker takes it. */
    {"upload", "NIMBUS_UPLOAD_LISTEN", "nimbus-upload.sock", "NIMBUS_UPLOAD_WORKERS", 1, true},
    /* argon2id log-ins: at most this many hash at once; the others queue in the socket's
     * backlog, first come first served, instead of being refused. */
    {"login", "NIMBUS_LOGIN_LISTEN", "nimbus-login.sock", "NIMBUS_LOGIN_WORKERS", 2, false},
    /* Calls that answer once the host has done their operation (routes flagged NB_WAITS):
     * a worker spends nearly all of such a call asleep on its database socket, so the pool is
     * wide (a waiting worker costs memory and a connection, not CPU), and the API pool never
     * waits behind the hosts. */
    {"wait", "NIMBUS_WAIT_LISTEN", "nimbus-wait.sock", "NIMBUS_WAIT_WORKERS", 3, false},
};
#define NPOOLS ((int)(sizeof(pool_defs) / sizeof(pool_defs[0])))

static int
default_workers(int pool, int cores)
{
    switch (pool) {
    case 0:
        return 2 * cores;
    case 1:
        return 4;
    case 2:
        return cores > 1 ? cores / 2 : 1;
    default:
        return cores > 4 ? 2 * cores : 8; /* max(8, 2 x cores) */
    }
}

static const char *
pool_listen(int pool, const char *state, char *buf, size_t cap)
{
    const char *api = env(pool_defs[0].listen_var, NULL), *colon;
    long long port;
    int n;

    if (env(pool_defs[pool].listen_var, NULL) != NULL)
        return env(pool_defs[pool].listen_var, NULL);
    if (pool > 0 && api != NULL && (colon = strrchr(api, ':')) != NULL &&
        nb_parse_int(colon + 1, 0, 65535 - pool_defs[pool].port_offset, &port) == 0)
        n = snprintf(buf, cap, "%.*s:%lld", (int)(colon - api), api,
                     port + pool_defs[pool].port_offset);
    else
        n = snprintf(buf, cap, "%s/%s", state, pool_defs[pool].socket);
    if (n < 0 || (size_t)n >= cap) {
        nb_log_error(NULL, "the listen address of the %s pool is too long", pool_defs[pool].name);
        return NULL;
    }
    return buf;
}

static int
bind_pool(int pool, const char *listen)
{
    bool is_unix = strchr(listen, ':') == NULL;
    int fd;

    if (is_unix)
        unlink(listen);
    fd = FCGX_OpenSocket(listen, 1024);
    if (fd < 0) {
        nb_log_error(NULL, "cannot listen on %s", listen);
        return -1;
    }
    /* nginx's workers may run as another user; the state directory guards the socket. */
    if (is_unix)
        chmod(listen, 0666);
    nb_log_info(NULL, "%s pool listening on %s", pool_defs[pool].name, listen);
    return fd;
}

int
main(int argc, char **argv)
{
    const char *state = env("NIMBUS_STATE_DIR", ".run");
    char buf[NPOOLS][4096];
    const char *listens[NPOOLS];
    struct nb_pool pools[NPOOLS];
    int cores = (int)sysconf(_SC_NPROCESSORS_ONLN), rc;

    if (argc > 1) {
        printf(
            "usage: nimbus-api\n\nRuns the FastCGI worker pools. Configuration comes from the "
            "environment:\n  NIMBUS_DB              libpq conninfo\n"
            "  NIMBUS_FCGI_LISTEN     the API pool: unix socket path or host:port (default "
            "$NIMBUS_STATE_DIR/nimbus.sock)\n"
            "  NIMBUS_WORKERS         its worker processes (default 2 x cores)\n"
            "  NIMBUS_UPLOAD_LISTEN   the image upload pool (default nimbus-upload.sock beside "
            "it, or port + 1)\n"
            "  NIMBUS_UPLOAD_WORKERS  its workers: uploads received at once (default 4)\n"
            "  NIMBUS_UPLOAD_BUSY_RATE MiB/s all uploads together may take while the other\n"
            "                         pools answer calls (default 64; 0: no limit)\n"
            "  NIMBUS_LOGIN_LISTEN    the log-in pool (default nimbus-login.sock, or port + 2)\n"
            "  NIMBUS_LOGIN_WORKERS   its workers: log-ins hashed at once (default cores / 2)\n"
            "  NIMBUS_WAIT_LISTEN     the pool of calls that wait for their operation\n"
            "                         (default nimbus-wait.sock, or port + 3)\n"
            "  NIMBUS_WAIT_WORKERS    its workers: calls waiting at once (default 2 x cores, at\n"
            "                         least 8)\n"
            "  NIMBUS_OP_WAIT         seconds such a call waits for its operation before it\n"
            "                         answers that the operation goes on (default 30)\n"
            "  NIMBUS_STATE_DIR       state directory (default .run)\n"
            "  NIMBUS_TOKEN_TTL       lifetime of API tokens in seconds (default 3600)\n"
            "  NIMBUS_SESSION_MAX_AGE seconds a Nano session may be kept alive after its\n"
            "                         log-in (default 43200)\n"
            "  NIMBUS_PUBLIC_URL      the address clients reach the API at, for absolute URLs\n"
            "                         (default https://127.0.0.1:$NIMBUS_HTTPS_PORT)\n"
            "Signals: SIGHUP replaces the workers, SIGTERM drains and exits.\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    nb_log_set_process("master");
    if (nb_public_url() == NULL) {
        nb_log_error(NULL, "NIMBUS_PUBLIC_URL must be an http:// or https:// URL without spaces,"
                           " quotes or control characters");
        return 1;
    }
    if (nb_router_init() < 0 || nb_metrics_init(nb_router_count()) < 0 ||
        nb_credential_cache_init() < 0 || nb_upload_pace_init() < 0 ||
        nb_db_verify(getenv("NIMBUS_DB")) < 0)
        return 1;
    FCGX_Init();
    for (int p = 0; p < NPOOLS; p++) {
        if ((listens[p] = pool_listen(p, state, buf[p], sizeof(buf[p]))) == NULL)
            return 1;
        pools[p] = (struct nb_pool){.name = pool_defs[p].name,
                                    .fd = bind_pool(p, listens[p]),
                                    .workers = (int)nb_env_int(pool_defs[p].workers_var, 1, 4096,
                                                               default_workers(p, cores)),
                                    .paced = pool_defs[p].paced};
        if (pools[p].fd < 0)
            return 1;
    }
    write_pidfile(state);
    rc = nb_master_run(pools, NPOOLS);
    for (int p = 0; p < NPOOLS; p++)
        if (strchr(listens[p], ':') == NULL)
            unlink(listens[p]);
    return rc;
}
