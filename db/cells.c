/* Cell rows and their rules: a cell joins one pool at a time, and leaves it only empty. */
#include "db/cells.h"

#include <string.h>

#include "db/db.h"
#include "db/pools.h"

/* Rows of CELL_UNALLOCATED or CELL_LIST_POOL into *out, skipping the NULL-name row that
 * stands for an empty pool; the count. */
static int
rows(struct nb_req *r, const PGresult *res, struct nb_cell **out)
{
    int n = 0;

    *out =
        nb_arena_alloc(r->arena, (size_t)(PQntuples(res) > 0 ? PQntuples(res) : 1) * sizeof(**out));
    for (int i = 0; i < PQntuples(res); i++) {
        if (nb_db_text_or_null(res, i, NB_CELL_NAME) == NULL)
            continue;
        (*out)[n].name = nb_db_text(res, i, NB_CELL_NAME);
        (*out)[n].address = nb_db_text(res, i, NB_CELL_ADDRESS);
        (*out)[n].enabled = nb_db_bool(res, i, NB_CELL_ENABLED);
        (*out)[n].alive = nb_db_bool(res, i, NB_CELL_ALIVE);
        n++;
    }
    return n;
}

int
nb_cell_list_unallocated(struct nb_req *r, struct nb_cell **out)
{
    const PGresult *res = nb_db_query(r, NB_Q_CELL_UNALLOCATED, NULL);

    return res != NULL ? rows(r, res, out) : -1;
}

int
nb_cell_list_in_pool(struct nb_req *r, const char *pool, struct nb_cell **out)
{
    const PGresult *res = nb_db_query(r, NB_Q_CELL_LIST_POOL, pool);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", pool);
    return rows(r, res, out);
}

int
nb_cell_load(struct nb_req *r, const char *name, struct nb_cell_row *c)
{
    const PGresult *res = nb_db_query(r, NB_Q_CELL_LOAD, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "cell %s not found", name);
    c->id = nb_db_text(res, 0, NB_CELL_LOAD_ID);
    c->pool = nb_db_text(res, 0, NB_CELL_LOAD_POOL);
    c->guests = nb_db_int(res, 0, NB_CELL_LOAD_GUESTS);
    c->enabled = nb_db_bool(res, 0, NB_CELL_LOAD_ENABLED);
    c->alive = nb_db_bool(res, 0, NB_CELL_LOAD_ALIVE);
    c->address = nb_db_text(res, 0, NB_CELL_LOAD_ADDRESS);
    c->mode = nb_db_text(res, 0, NB_CELL_LOAD_MODE);
    c->system = nb_db_text(res, 0, NB_CELL_LOAD_SYSTEM);
    c->data = nb_db_text(res, 0, NB_CELL_LOAD_DATA);
    c->storage = nb_db_text(res, 0, NB_CELL_LOAD_STORAGE);
    return 0;
}

int
nb_cell_load_in_pool(struct nb_req *r, const char *pool, const char *name, struct nb_cell_row *c)
{
    struct nb_pool_row p;

    if (nb_pool_load(r, pool, &p) < 0 || nb_cell_load(r, name, c) < 0)
        return -1;
    if (strcmp(c->pool, pool) != 0)
        return nb_fail(r, NB_E_NOT_FOUND, "cell %s is not in compute pool %s", name, pool);
    return 0;
}

int
nb_cell_attach(struct nb_req *r, const char *pool, const char *name)
{
    struct nb_pool_row p;
    struct nb_cell_row c;
    const PGresult *res;

    if (nb_pool_load(r, pool, &p) < 0 || nb_cell_load(r, name, &c) < 0)
        return -1;
    if (strcmp(c.pool, pool) == 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s is already in compute pool %s", name, pool);
    if (*c.pool)
        return nb_fail(r, NB_E_CONFLICT, "cell %s belongs to compute pool %s", name, c.pool);
    if ((res = nb_db_query(r, NB_Q_CELL_ADD_TO_POOL, pool, name)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s was attached to another pool meanwhile", name);
    return 0;
}

int
nb_cell_set_enabled(struct nb_req *r, const char *pool, const char *name, bool enabled)
{
    struct nb_cell_row c;

    if (nb_cell_load_in_pool(r, pool, name, &c) < 0 ||
        nb_db_query(r, NB_Q_CELL_SET_ENABLED, c.id, enabled ? "true" : "false") == NULL)
        return -1;
    return 0;
}

int
nb_cell_detach(struct nb_req *r, const char *pool, const char *name)
{
    struct nb_cell_row c;
    const PGresult *res;

    if (nb_cell_load_in_pool(r, pool, name, &c) < 0)
        return -1;
    if (c.guests > 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s still hosts %lld guest(s)", name,
                       (long long)c.guests);
    if ((res = nb_db_query(r, NB_Q_CELL_REMOVE_FROM_POOL, c.id)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s still hosts guests", name);
    return 0;
}

int
nb_cell_set_local_path(struct nb_req *r, const char *pool, const char *name, const char *path)
{
    struct nb_cell_row c;

    if (nb_cell_load_in_pool(r, pool, name, &c) < 0)
        return -1;
    if (strcmp(c.mode, "local") != 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s uses %s storage: its paths are not local", name,
                       c.mode);
    if (nb_db_query(r, NB_Q_CELL_SET_PATHS, c.id, path) == NULL)
        return -1;
    return 0;
}
