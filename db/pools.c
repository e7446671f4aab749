/* Compute pool rows and their rules: what a pool may refer to, and what may change while it
 * holds guests. */
#include "db/pools.h"

#include <string.h>

#include "db/db.h"

/* A pool's storage and address pool ids (NULL for none) and failover, as a change leaves
 * them. */
struct refs {
    const char *storage_id, *address_id;
    bool failover;
};

static void
row(const PGresult *res, int i, struct nb_pool *p)
{
    p->name = nb_db_text(res, i, NB_POOL_NAME);
    p->enabled = nb_db_bool(res, i, NB_POOL_ENABLED);
    p->cells = nb_db_int(res, i, NB_POOL_CELLS);
    p->storage = nb_db_text(res, i, NB_POOL_STORAGE);
    p->network = nb_db_text(res, i, NB_POOL_NETWORK);
    p->failover = nb_db_bool(res, i, NB_POOL_FAILOVER);
}

int
nb_pool_list(struct nb_req *r, struct nb_pool **out)
{
    const PGresult *res = nb_db_query(r, NB_Q_COMPUTE_POOL_LIST, NULL);
    int n;

    if (res == NULL)
        return -1;
    *out = nb_db_row_array(r, res, sizeof(**out), &n);
    for (int i = 0; i < n; i++)
        row(res, i, &(*out)[i]);
    return n;
}

int
nb_pool_get(struct nb_req *r, const char *name, struct nb_pool *out)
{
    const PGresult *res = nb_db_query(r, NB_Q_COMPUTE_POOL_GET, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", name);
    row(res, 0, out);
    return 0;
}

int
nb_pool_load(struct nb_req *r, const char *name, struct nb_pool_row *p)
{
    const PGresult *res = nb_db_query(r, NB_Q_COMPUTE_POOL_LOAD, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", name);
    p->id = nb_db_text(res, 0, NB_POOL_LOAD_ID);
    p->cells = nb_db_int(res, 0, NB_POOL_LOAD_CELLS);
    p->guests = nb_db_int(res, 0, NB_POOL_LOAD_GUESTS);
    p->storage_id = nb_db_text(res, 0, NB_POOL_LOAD_STORAGE_ID);
    p->address_id = nb_db_text(res, 0, NB_POOL_LOAD_ADDRESS_ID);
    p->failover = nb_db_bool(res, 0, NB_POOL_LOAD_FAILOVER);
    return 0;
}

/* Columns of COMPUTE_POOL_REFS. */
enum { REFS_STORAGE_ID, REFS_ADDRESS_ID };

/* Applies c to f: unknown pool names are refused, and failover needs a storage pool. */
static int
apply_config(struct nb_req *r, const struct nb_pool_config *c, struct refs *f)
{
    const char *storage = c->storage, *network = c->network;
    const PGresult *res;

    res = nb_db_query(r, NB_Q_COMPUTE_POOL_REFS, storage != NULL && *storage ? storage : NULL,
                      network != NULL && *network ? network : NULL);
    if (res == NULL)
        return -1;
    if (storage != NULL && *storage && nb_db_text_or_null(res, 0, REFS_STORAGE_ID) == NULL)
        return nb_fail(r, NB_E_INVALID, "storage pool %s not found", storage);
    if (network != NULL && *network && nb_db_text_or_null(res, 0, REFS_ADDRESS_ID) == NULL)
        return nb_fail(r, NB_E_INVALID, "address pool %s not found", network);
    if (storage != NULL)
        f->storage_id = nb_db_text_or_null(res, 0, REFS_STORAGE_ID);
    if (network != NULL)
        f->address_id = nb_db_text_or_null(res, 0, REFS_ADDRESS_ID);
    if (c->set_failover)
        f->failover = c->failover;
    if (f->failover && f->storage_id == NULL)
        return nb_fail(r, NB_E_INVALID, "failover requires a storage pool");
    return 0;
}

int
nb_pool_create(struct nb_req *r, const char *name, const struct nb_pool_config *c)
{
    struct refs f = {NULL, NULL, false};
    const PGresult *res = nb_db_query(r, NB_Q_COMPUTE_POOL_GET, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s already exists", name);
    if (apply_config(r, c, &f) < 0 ||
        nb_db_query(r, NB_Q_COMPUTE_POOL_CREATE, name, f.storage_id, f.address_id,
                    f.failover ? "true" : "false") == NULL)
        return -1;
    return 0;
}

/* Whether two optional ids differ ("" and NULL both mean none). */
static bool
changed(const char *old, const char *now)
{
    return strcmp(old, now != NULL ? now : "") != 0;
}

int
nb_pool_modify(struct nb_req *r, const char *name, const struct nb_pool_config *c)
{
    struct nb_pool_row p;
    struct refs f;

    if (nb_pool_load(r, name, &p) < 0)
        return -1;
    f.storage_id = *p.storage_id ? p.storage_id : NULL;
    f.address_id = *p.address_id ? p.address_id : NULL;
    f.failover = p.failover;
    if (apply_config(r, c, &f) < 0)
        return -1;
    if (p.guests > 0 && changed(p.storage_id, f.storage_id))
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s has guests: its storage cannot change",
                       name);
    if (p.guests > 0 && changed(p.address_id, f.address_id))
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s has guests: its network cannot change",
                       name);
    if (nb_db_query(r, NB_Q_COMPUTE_POOL_UPDATE, name, f.storage_id, f.address_id,
                    f.failover ? "true" : "false") == NULL)
        return -1;
    return 0;
}

int
nb_pool_remove(struct nb_req *r, const char *name)
{
    struct nb_pool_row p;
    const PGresult *res;

    if (nb_pool_load(r, name, &p) < 0)
        return -1;
    if (p.cells > 0)
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s still has %lld cell(s)", name,
                       (long long)p.cells);
    if (p.guests > 0)
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s still has %lld guest(s)", name,
                       (long long)p.guests);
    if ((res = nb_db_query(r, NB_Q_COMPUTE_POOL_DELETE, name)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s is not empty", name);
    return 0;
}
