/* Nano compute pools: a storage pool (or local storage), an address pool (or bridge mode),
 * failover, and the cells attached to them. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/pools.h"
#include "routes/nano/nano.h"

/* A pool's configuration after a create or modify; ids are NULL for none. */
struct pool_config {
    const char *storage_id, *address_id;
    bool failover;
};

/* ComputePoolStatus of row i of COMPUTE_POOL_LIST / COMPUTE_POOL_GET. */
static struct json_object *
pool_json(const PGresult *res, int i)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(nb_db_text(res, i, 0)));
    json_object_object_add(o, "enabled", json_object_new_boolean(nb_db_bool(res, i, 1)));
    json_object_object_add(o, "cells", json_object_new_int64(nb_db_int(res, i, 2)));
    json_object_object_add(o, "storage", json_object_new_string(nb_db_text(res, i, 3)));
    json_object_object_add(o, "network", json_object_new_string(nb_db_text(res, i, 4)));
    json_object_object_add(o, "failover", json_object_new_boolean(nb_db_bool(res, i, 5)));
    return o;
}

/* Applies the body's storage, network and failover to c: an absent field keeps c's value, ""
 * means local storage / no address pool. Unknown pool names are refused. */
static int
read_config(struct nb_req *r, struct pool_config *c)
{
    struct json_object *failover = nb_json_get(r->json, "failover");
    const char *storage = nb_json_get_string(r->json, "storage");
    const char *network = nb_json_get_string(r->json, "network");
    const PGresult *res;

    res = nb_db_query(r, NB_Q_COMPUTE_POOL_REFS, storage != NULL && *storage ? storage : NULL,
                      network != NULL && *network ? network : NULL);
    if (res == NULL)
        return -1;
    if (storage != NULL && *storage && PQgetisnull(res, 0, 0))
        return nb_fail(r, NB_E_INVALID, "storage pool %s not found", storage);
    if (network != NULL && *network && PQgetisnull(res, 0, 1))
        return nb_fail(r, NB_E_INVALID, "address pool %s not found", network);
    if (storage != NULL)
        c->storage_id = nb_db_text_or_null(res, 0, 0);
    if (network != NULL)
        c->address_id = nb_db_text_or_null(res, 0, 1);
    if (failover != NULL)
        c->failover = json_object_get_boolean(failover);
    if (c->failover && c->storage_id == NULL)
        return nb_fail(r, NB_E_INVALID, "failover requires a storage pool");
    return 0;
}

/* GET /compute_pools/ */
int
nano_pool_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_COMPUTE_POOL_LIST, NULL);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++)
        json_object_array_add(data, pool_json(res, i));
    return nano_ok(r, 200, data);
}

/* GET /compute_pools/{pool} */
int
nano_pool_get(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_COMPUTE_POOL_GET, r->capture[0]);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", r->capture[0]);
    return nano_ok(r, 200, pool_json(res, 0));
}

/* POST /compute_pools/{pool} */
int
nano_pool_create(struct nb_req *r)
{
    const char *name = r->capture[0];
    struct pool_config c = {NULL, NULL, false};
    const PGresult *res;

    if (nb_check_name(r, "compute pool", name) < 0 ||
        (res = nb_db_query(r, NB_Q_COMPUTE_POOL_GET, name)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s already exists", name);
    if (read_config(r, &c) < 0 || nb_db_query(r, NB_Q_COMPUTE_POOL_CREATE, name, c.storage_id,
                                              c.address_id, c.failover ? "true" : "false") == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* Whether two optional ids differ ("" and NULL both mean none). */
static bool
changed(const char *old, const char *now)
{
    return strcmp(old, now != NULL ? now : "") != 0;
}

/* PUT /compute_pools/{pool}: fields left out keep their value. The storage and address pool
 * of a pool with guests stay, since its guests' disks and addresses live there. */
int
nano_pool_modify(struct nb_req *r)
{
    const char *name = r->capture[0];
    struct nb_pool_row p;
    struct pool_config c;

    if (nb_pool_load(r, name, &p) < 0)
        return -1;
    c.storage_id = *p.storage_id ? p.storage_id : NULL;
    c.address_id = *p.address_id ? p.address_id : NULL;
    c.failover = p.failover;
    if (read_config(r, &c) < 0)
        return -1;
    if (p.guests > 0 && changed(p.storage_id, c.storage_id))
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s has guests: its storage cannot change",
                       name);
    if (p.guests > 0 && changed(p.address_id, c.address_id))
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s has guests: its network cannot change",
                       name);
    if (nb_db_query(r, NB_Q_COMPUTE_POOL_UPDATE, name, c.storage_id, c.address_id,
                    c.failover ? "true" : "false") == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /compute_pools/{pool}: only a pool without cells and guests. */
int
nano_pool_remove(struct nb_req *r)
{
    const char *name = r->capture[0];
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
    return nano_ok(r, 200, NULL);
}
