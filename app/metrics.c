/* Request, latency, restart and reconnect counters in an anonymous shared mapping. Workers add
 * with relaxed atomics; whichever worker serves /metrics reads them all. */
#include "app/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "app/request.h"
#include "app/router.h"

/* The statuses worth a series of their own; everything else counts as "other". */
static const int tracked_status[] = {200, 201, 202, 204, 301, 400, 401, 403, 404,
                                     405, 409, 410, 412, 413, 415, 429, 500, 503};
#define NSTATUS (sizeof(tracked_status) / sizeof(tracked_status[0]) + 1)
/* Methods by their bit in enum nb_method; the last slot is every other method (HEAD, ...). */
#define NMETHODS 6
static const double bucket_le[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct shared {
    atomic_ulong worker_restarts;
    atomic_ulong db_reconnects;
    atomic_ulong latency_count;
    atomic_ulong latency_micros;
    atomic_ulong latency_bucket[NBUCKETS];
    atomic_ulong requests[]; /* [route + 1][method][status]; row 0 is "no route matched" */
};

static struct shared *shm;
static size_t route_rows;

int
nb_metrics_init(size_t nroutes)
{
    size_t size;

    route_rows = nroutes + 1;
    size = sizeof(struct shared) + route_rows * NMETHODS * NSTATUS * sizeof(atomic_ulong);
    shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED) {
        shm = NULL;
        return -1;
    }
    memset(shm, 0, size);
    return 0;
}

static size_t
status_slot(int status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (tracked_status[i] == status)
            return i;
    return NSTATUS - 1;
}

static size_t
method_slot(unsigned method)
{
    for (size_t i = 0; i < NMETHODS - 1; i++)
        if (method == 1u << i)
            return i;
    return NMETHODS - 1;
}

void
nb_metrics_request(const struct nb_req *r, double seconds)
{
    size_t row = (size_t)r->route_index + 1; /* -1 (no route) wraps to row 0 */

    if (shm == NULL || row >= route_rows)
        return;
    atomic_fetch_add_explicit(&shm->requests[(row * NMETHODS + method_slot(r->method)) * NSTATUS +
                                             status_slot(r->status)],
                              1, memory_order_relaxed);
    atomic_fetch_add_explicit(&shm->latency_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&shm->latency_micros, (unsigned long)(seconds * 1e6),
                              memory_order_relaxed);
    for (size_t i = 0; i < NBUCKETS; i++)
        if (seconds <= bucket_le[i])
            atomic_fetch_add_explicit(&shm->latency_bucket[i], 1, memory_order_relaxed);
}

void
nb_metrics_worker_restart(void)
{
    if (shm != NULL)
        atomic_fetch_add_explicit(&shm->worker_restarts, 1, memory_order_relaxed);
}

void
nb_metrics_db_reconnect(void)
{
    if (shm != NULL)
        atomic_fetch_add_explicit(&shm->db_reconnects, 1, memory_order_relaxed);
}

static unsigned long
load(atomic_ulong *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

/* The label text of one series: dialect, route template, method, status. */
static const char *
series_labels(struct nb_req *r, size_t row, size_t m, size_t s)
{
    const struct nb_dialect *d = NULL;
    const struct nb_route *rt = row > 0 ? nb_router_route(row - 1, &d) : NULL;
    const char *status =
        s < NSTATUS - 1 ? nb_arena_printf(r->arena, "%d", tracked_status[s]) : "other";
    return nb_arena_printf(r->arena, "dialect=\"%s\",route=\"%s\",method=\"%s\",status=\"%s\"",
                           d != NULL ? d->name : "none",
                           rt != NULL ? nb_router_route_template(row - 1) : "unmatched",
                           m < NMETHODS - 1 ? nb_method_list(r, 1u << m) : "other", status);
}

/* The page being written; a line that does not fit is not counted, and the next overwrites it. */
struct page {
    char *buf;
    size_t cap, at;
};

static void out(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out(struct page *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(p->buf + p->at, p->cap - p->at, fmt, ap);
    va_end(ap);
    p->at += n > 0 && (size_t)n < p->cap - p->at ? (size_t)n : 0;
}

const char *
nb_metrics_render(struct nb_req *r)
{
    struct page page = {.cap = 4096};
    size_t cells = route_rows * NMETHODS * NSTATUS;
    const char **labels;

    if (shm == NULL)
        return "";
    /* Labels first, so that the page is sized to what it holds: a series per route, method
     * and status that has counted something. */
    labels = nb_arena_alloc(r->arena, cells * sizeof(*labels));
    for (size_t c = 0; c < cells; c++) {
        if (load(&shm->requests[c]) == 0)
            continue;
        labels[c] = series_labels(r, c / (NMETHODS * NSTATUS), c / NSTATUS % NMETHODS, c % NSTATUS);
        page.cap += strlen(labels[c]) + 48;
    }
    page.buf = nb_arena_alloc(r->arena, page.cap);
    out(&page,
        "# HELP nimbus_requests_total Requests answered, by dialect, route template, method and "
        "HTTP status.\n"
        "# TYPE nimbus_requests_total counter\n");
    for (size_t c = 0; c < cells; c++)
        if (labels[c] != NULL)
            out(&page, "nimbus_requests_total{%s} %lu\n", labels[c], load(&shm->requests[c]));
    out(&page, "# HELP nimbus_request_duration_seconds Time from request start to the last byte.\n"
               "# TYPE nimbus_request_duration_seconds histogram\n");
    for (size_t i = 0; i < NBUCKETS; i++)
        out(&page, "nimbus_request_duration_seconds_bucket{le=\"%g\"} %lu\n", bucket_le[i],
            load(&shm->latency_bucket[i]));
    out(&page, "nimbus_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n",
        load(&shm->latency_count));
    out(&page, "nimbus_request_duration_seconds_sum %.6f\n",
        (double)load(&shm->latency_micros) / 1e6);
    out(&page, "nimbus_request_duration_seconds_count %lu\n", load(&shm->latency_count));
    out(&page,
        "# HELP nimbus_worker_restarts_total Workers respawned after dying.\n"
        "# TYPE nimbus_worker_restarts_total counter\n"
        "nimbus_worker_restarts_total %lu\n",
        load(&shm->worker_restarts));
    out(&page,
        "# HELP nimbus_db_reconnects_total Database connections re-established by workers.\n"
        "# TYPE nimbus_db_reconnects_total counter\n"
        "nimbus_db_reconnects_total %lu\n",
        load(&shm->db_reconnects));
    return page.buf;
}
