/* Compute pool and cell rows: the lookups every pool, cell and status handler starts from. */
#include "db/pools.h"

#include <string.h>

#include "db/db.h"

int
nb_pool_load(struct nb_req *r, const char *name, struct nb_pool_row *p)
{
    const PGresult *res = nb_db_query(r, NB_Q_COMPUTE_POOL_LOAD, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", name);
    p->id = nb_db_text(res, 0, 0);
    p->cells = nb_db_int(res, 0, 1);
    p->guests = nb_db_int(res, 0, 2);
    p->storage_id = nb_db_text(res, 0, 3);
    p->address_id = nb_db_text(res, 0, 4);
    p->failover = nb_db_bool(res, 0, 5);
    return 0;
}

int
nb_cell_load(struct nb_req *r, const char *name, struct nb_cell_row *c)
{
    const PGresult *res = nb_db_query(r, NB_Q_CELL_LOAD, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "cell %s not found", name);
    c->id = nb_db_text(res, 0, 0);
    c->pool = nb_db_text(res, 0, 1);
    c->guests = nb_db_int(res, 0, 2);
    c->enabled = nb_db_bool(res, 0, 3);
    c->alive = nb_db_bool(res, 0, 4);
    c->address = nb_db_text(res, 0, 5);
    c->mode = nb_db_text(res, 0, 6);
    c->system = nb_db_text(res, 0, 7);
    c->data = nb_db_text(res, 0, 8);
    c->storage = nb_db_text(res, 0, 9);
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
