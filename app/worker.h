/* Worker processes (FastCGI) and the master that keeps pools of them alive. */
#ifndef NB_WORKER_H
#define NB_WORKER_H

#include <stdbool.h>

/* One pool: workers accepting on one socket. nginx sends each pool its own locations, so slow
 * work of one kind (hashing an upload, hashing a password) never waits in front of the API's
 * requests. */
struct nb_pool {
    const char *name; /* "api", "upload", "login": the workers' process name is nimbus-<name> */
    int fd;           /* the bound FastCGI socket */
    int workers;
    bool paced; /* its bodies read at the pace of app/upload_pace.h (the upload pool) */
};

/* The address clients reach the API at, without a trailing '/': NIMBUS_PUBLIC_URL, by default
 * https://127.0.0.1:$NIMBUS_HTTPS_PORT (8443). Every absolute URL an answer carries starts with
 * it, never with the client's Host header. NULL when the setting is not an http(s) URL fit for
 * a header (no spaces, quotes or control characters). */
const char *nb_public_url(void);
/* Serves requests on the pool's socket until SIGTERM; the request in flight is finished first. */
int nb_worker_run(const struct nb_pool *pool);
/* Forks every pool's workers and supervises them: respawns the dead (with back-off), replaces
 * them all on SIGHUP, drains and returns on SIGTERM/SIGINT. */
int nb_master_run(const struct nb_pool *pools, int npools);

#endif
