/* nimbus-reconciler's main loop: lease cells, observe them and their guests, run operations,
 * sleep until the period ends or the database notifies a change; on SIGTERM give the leases
 * back and exit. */
#include <libxml/parser.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/clock.h"
#include "app/log.h"
#include "app/reconciler/reconciler.h"
#include "app/validate.h"
#include "db/db.h"

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static void
quiet(void *data, virErrorPtr err)
{
    (void)data;
    (void)err; /* errors are read with virGetLastErrorMessage where they matter */
}

int
main(int argc, char **argv)
{
    static struct nb_reconciler rc;
    static const char *const channels[] = {"nimbus_cells", "nimbus_operations", NULL};
    struct sigaction sa = {.sa_handler = on_stop};
    char host[128], id[160];
    struct nb_req r = {.request_id = "reconciler"};
    double next_observation = 0;

    if (argc > 1) {
        printf(
            "usage: nimbus-reconciler\n\nKeeps libvirt hosts in line with the database.\n"
            "  NIMBUS_DB                libpq conninfo\n"
            "  NIMBUS_RECONCILER_ID     lease owner name (default host:pid)\n"
            "  NIMBUS_RECONCILE_PERIOD  seconds between resyncs (default 2)\n"
            "  NIMBUS_LEASE_TTL         seconds a cell lease lasts without renewal (default 15)\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    nb_log_set_process("reconciler");
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    (void)signal(SIGPIPE, SIG_IGN); /* fails only for an invalid signal number */
    virSetErrorFunc(NULL, quiet);
    xmlInitParser(); /* once, before a live migration's thread exists */
    gethostname(host, sizeof(host));
    host[sizeof(host) - 1] = '\0';
    (void)snprintf(id, sizeof(id), "%s:%d", host, (int)getpid()); /* host[128] fits */
    rc.id = getenv("NIMBUS_RECONCILER_ID") != NULL ? getenv("NIMBUS_RECONCILER_ID") : id;
    rc.ttl = (int)nb_env_int("NIMBUS_LEASE_TTL", 1, INT_MAX, 15);
    rc.period = (int)nb_env_int("NIMBUS_RECONCILE_PERIOD", 1, INT_MAX, 2);
    r.arena = nb_arena_new(16 * 1024);
    nb_db_listen(channels);
    nb_db_init(getenv("NIMBUS_DB"));
    nb_log_info(NULL, "reconciler %s: lease ttl %ds, period %ds", rc.id, rc.ttl, rc.period);
    rc.op_arena = nb_arena_new(64 * 1024);
    while (!stopping) {
        int ran = 0;

        r.err.status = NB_OK;
        if (nb_lease_cycle(&r, &rc) == 0) {
            /* Hosts are observed once a period, not after every round of operations: a
             * round is 32 operations, and observing a cell reads every guest it has. */
            if (nb_clock_now() >= next_observation) {
                for (int i = 0; i < rc.ncells && !stopping; i++) {
                    nb_cell_observe(&r, &rc, &rc.cells[i]);
                    nb_guests_observe(&r, &rc, &rc.cells[i]);
                    nb_guests_apply_auth(&r, &rc, &rc.cells[i]);
                }
                next_observation = nb_clock_now() + rc.period;
            }
            r.err.status = NB_OK;
            if (!stopping)
                ran = nb_ops_run(&r, &rc);
        } else {
            nb_log_warn(NULL, "lease cycle failed: %s", r.err.message);
        }
        nb_arena_reset(r.arena);
        /* After work, go round again at once: the next operation of a guest is due, and what
         * the work changed is observed. */
        if (!stopping && ran == 0)
            nb_db_wait(rc.period * 1000);
    }
    r.err.status = NB_OK;
    nb_lease_release_all(&r, &rc);
    nb_arena_free(r.arena);
    nb_arena_free(rc.op_arena);
    nb_db_close();
    nb_log_info(NULL, "reconciler %s stopped", rc.id);
    return 0;
}
