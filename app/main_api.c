/* nimbus-api: binds the FastCGI socket and runs the master over a pool of workers. */
#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/credential_cache.h"
#include "app/log.h"
#include "app/metrics.h"
#include "app/router.h"
#include "app/worker.h"

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

    snprintf(path, sizeof(path), "%s/nimbus-api.pid", state);
    f = fopen(path, "w");
    if (f == NULL)
        return;
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

int
main(int argc, char **argv)
{
    const char *state = env("NIMBUS_STATE_DIR", ".run");
    char default_listen[4096];
    const char *listen;
    int workers, fd, rc;
    bool is_unix;

    if (argc > 1) {
        printf("usage: nimbus-api\n\nRuns the FastCGI worker pool. Configuration comes from the "
               "environment:\n  NIMBUS_DB           libpq conninfo\n"
               "  NIMBUS_FCGI_LISTEN  unix socket path or host:port (default "
               "$NIMBUS_STATE_DIR/nimbus.sock)\n"
               "  NIMBUS_WORKERS      worker processes (default 2 x cores)\n"
               "  NIMBUS_STATE_DIR    state directory (default .run)\n"
               "  NIMBUS_TOKEN_TTL    lifetime of API tokens in seconds (default 3600)\n"
               "  NIMBUS_SESSION_MAX_AGE  seconds a Nano session may be kept alive after its\n"
               "                      log-in (default 43200)\n"
               "Signals: SIGHUP replaces the workers, SIGTERM drains and exits.\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    nb_log_set_process("master");
    snprintf(default_listen, sizeof(default_listen), "%s/nimbus.sock", state);
    listen = env("NIMBUS_FCGI_LISTEN", default_listen);
    workers = atoi(env("NIMBUS_WORKERS", "0"));
    if (workers <= 0)
        workers = 2 * (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nb_router_init() < 0 || nb_metrics_init(nb_router_count()) < 0 ||
        nb_credential_cache_init() < 0)
        return 1;
    FCGX_Init();
    is_unix = strchr(listen, ':') == NULL;
    if (is_unix)
        unlink(listen);
    fd = FCGX_OpenSocket(listen, 1024);
    if (fd < 0) {
        nb_log_error(NULL, "cannot listen on %s", listen);
        return 1;
    }
    /* nginx's workers may run as another user; the state directory guards the socket. */
    if (is_unix)
        chmod(listen, 0666);
    write_pidfile(state);
    nb_log_info(NULL, "listening on %s", listen);
    rc = nb_master_run(fd, workers);
    if (is_unix)
        unlink(listen);
    return rc;
}
