/* Prometheus counters shared by the master and its workers (one shared mapping made before fork).
 */
#ifndef NB_METRICS_H
#define NB_METRICS_H

#include <stddef.h>

struct nb_req;

/* Maps the shared counters; called by the master before it forks. 0 or -1. */
int nb_metrics_init(size_t nroutes);
void nb_metrics_request(const struct nb_req *r, double seconds);
void nb_metrics_worker_restart(void);
void nb_metrics_db_reconnect(void);
/* The exposition text, allocated in the request's arena. */
const char *nb_metrics_render(struct nb_req *r);

#endif
