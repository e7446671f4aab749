/* Status rows: the zone, pools and cells with their figures, and the guests placed there. */
#include "db/status.h"

#include <stdlib.h>

#include "db/cells.h"
#include "db/db.h"
#include "db/guests.h"
#include "db/pools.h"

/* The figures of row i from column col on. */
static void
figures(const PGresult *res, int i, int col, struct nb_figures *f)
{
    f->cpu_usage = strtod(nb_db_text(res, i, col), NULL);
    for (int k = 0; k < NB_FIGURE__MAX; k++)
        f->figure[k] = nb_db_int(res, i, col + 1 + k);
    for (int k = 0; k < NB_INSTANCES__MAX; k++)
        f->instances[k] = nb_db_int(res, i, col + 1 + NB_FIGURE__MAX + k);
}

int
nb_status_zone(struct nb_req *r, struct nb_zone_status *out)
{
    const PGresult *res = nb_db_query(r, NB_Q_STATUS_ZONE, NULL);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_INTERNAL, "the zone is not initialised");
    out->name = nb_db_text(res, 0, NB_ZONE_NAME);
    out->start_time = nb_db_text(res, 0, NB_ZONE_START_TIME);
    out->pools_disabled = nb_db_int(res, 0, NB_ZONE_POOLS_DISABLED);
    out->pools_enabled = nb_db_int(res, 0, NB_ZONE_POOLS_ENABLED);
    out->cells_offline = nb_db_int(res, 0, NB_ZONE_CELLS_OFFLINE);
    out->cells_online = nb_db_int(res, 0, NB_ZONE_CELLS_ONLINE);
    figures(res, 0, NB_ZONE_FIGURES, &out->f);
    return 0;
}

/* Row i of STATUS_POOLS. */
static void
pool_row(const PGresult *res, int i, struct nb_pool_status *p)
{
    p->name = nb_db_text(res, i, NB_POOL_STATUS_NAME);
    p->enabled = nb_db_bool(res, i, NB_POOL_STATUS_ENABLED);
    p->cells_offline = nb_db_int(res, i, NB_POOL_STATUS_CELLS_OFFLINE);
    p->cells_online = nb_db_int(res, i, NB_POOL_STATUS_CELLS_ONLINE);
    figures(res, i, NB_POOL_STATUS_FIGURES, &p->f);
}

int
nb_status_pools(struct nb_req *r, struct nb_pool_status **out)
{
    const PGresult *res = nb_db_query(r, NB_Q_STATUS_POOLS, NULL);
    int n;

    if (res == NULL)
        return -1;
    *out = nb_db_row_array(r, res, sizeof(**out), &n);
    for (int i = 0; i < n; i++)
        pool_row(res, i, &(*out)[i]);
    return n;
}

int
nb_status_pool(struct nb_req *r, const char *name, struct nb_pool_status *out)
{
    const PGresult *res = nb_db_query(r, NB_Q_STATUS_POOLS, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", name);
    pool_row(res, 0, out);
    return 0;
}

/* STATUS_CELLS of pool (cell NULL: all its cells), or NULL with the pool not found. A row
 * with a NULL name stands for no cell. */
static const PGresult *
query_cells(struct nb_req *r, const char *pool, const char *cell)
{
    const PGresult *res = nb_db_query(r, NB_Q_STATUS_CELLS, pool, cell);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", pool);
        return NULL;
    }
    return res;
}

/* Row i of STATUS_CELLS; false for the row that stands for no cell. */
static bool
cell_row(const PGresult *res, int i, struct nb_cell_status *c)
{
    if (nb_db_text_or_null(res, i, NB_CELL_STATUS_NAME) == NULL)
        return false;
    c->name = nb_db_text(res, i, NB_CELL_STATUS_NAME);
    c->address = nb_db_text(res, i, NB_CELL_STATUS_ADDRESS);
    c->enabled = nb_db_bool(res, i, NB_CELL_STATUS_ENABLED);
    c->alive = nb_db_bool(res, i, NB_CELL_STATUS_ALIVE);
    figures(res, i, NB_CELL_STATUS_FIGURES, &c->f);
    return true;
}

int
nb_status_cells(struct nb_req *r, const char *pool, struct nb_cell_status **out)
{
    const PGresult *res = query_cells(r, pool, NULL);
    int n = 0;

    if (res == NULL)
        return -1;
    *out = nb_arena_alloc(r->arena, (size_t)PQntuples(res) * sizeof(**out));
    for (int i = 0; i < PQntuples(res); i++)
        n += cell_row(res, i, &(*out)[n]);
    return n;
}

int
nb_status_cell(struct nb_req *r, const char *pool, const char *name, struct nb_cell_status *out)
{
    const PGresult *res = query_cells(r, pool, name);

    if (res == NULL)
        return -1;
    if (!cell_row(res, 0, out))
        return nb_fail(r, NB_E_NOT_FOUND, "cell %s is not in compute pool %s", name, pool);
    return 0;
}

const PGresult *
nb_status_instances(struct nb_req *r, const char *pool, const char *cell)
{
    struct nb_pool_row p;
    struct nb_cell_row c;

    if (nb_pool_load(r, pool, &p) < 0 ||
        (cell != NULL && nb_cell_load_in_pool(r, pool, cell, &c) < 0))
        return NULL;
    return nb_guest_search(
        r, &(struct nb_guest_filter){
               .pool = pool, .cell = cell, .running = -1, .created = -1, .limit = 1000});
}
