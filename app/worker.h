/* Worker processes (FastCGI) and the master that keeps a pool of them alive. */
#ifndef NB_WORKER_H
#define NB_WORKER_H

/* Serves requests on listen_fd until SIGTERM; the request in flight is finished first. */
int nb_worker_run(int listen_fd);
/* Forks nworkers workers and supervises them: respawns the dead (with back-off), replaces the
 * pool on SIGHUP, drains and returns on SIGTERM/SIGINT. */
int nb_master_run(int listen_fd, int nworkers);

#endif
