/* Nano compute pools: a storage pool (or local storage), an address pool (or bridge mode),
 * failover, and the cells attached to them. The rules are db/pools.c's. */
#include "db/pools.h"

#include "app/validate.h"
#include "routes/nano/nano.h"

/* ComputePoolStatus of a pool. */
static struct json_object *
pool_json(const struct nb_pool *p)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "enabled", json_object_new_boolean(p->enabled));
    json_object_object_add(o, "cells", json_object_new_int64(p->cells));
    json_object_object_add(o, "storage", json_object_new_string(p->storage));
    json_object_object_add(o, "network", json_object_new_string(p->network));
    json_object_object_add(o, "failover", json_object_new_boolean(p->failover));
    return o;
}

/* The body's storage, network and failover; absent fields keep their value, "" means local
 * storage / no address pool. */
static struct nb_pool_config
read_config(struct nb_req *r)
{
    struct json_object *failover = nb_json_get(r->json, "failover");

    return (struct nb_pool_config){
        .storage = nb_json_get_string(r->json, "storage"),
        .network = nb_json_get_string(r->json, "network"),
        .set_failover = failover != NULL,
        .failover = failover != NULL && json_object_get_boolean(failover),
    };
}

/* GET /compute_pools/ */
int
nano_pool_list(struct nb_req *r)
{
    struct nb_pool *p;
    int n = nb_pool_list(r, &p);
    struct json_object *data;

    if (n < 0)
        return -1;
    data = json_object_new_array_ext(n);
    for (int i = 0; i < n; i++)
        json_object_array_add(data, pool_json(&p[i]));
    return nano_ok(r, 200, data);
}

/* GET /compute_pools/{pool} */
int
nano_pool_get(struct nb_req *r)
{
    struct nb_pool p;

    if (nb_pool_get(r, r->capture[0], &p) < 0)
        return -1;
    return nano_ok(r, 200, pool_json(&p));
}

/* POST /compute_pools/{pool} */
int
nano_pool_create(struct nb_req *r)
{
    struct nb_pool_config c = read_config(r);

    if (nb_check_name(r, "compute pool", r->capture[0]) < 0 ||
        nb_pool_create(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /compute_pools/{pool}: fields left out keep their value. */
int
nano_pool_modify(struct nb_req *r)
{
    struct nb_pool_config c = read_config(r);

    if (nb_pool_modify(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /compute_pools/{pool}: only a pool without cells and guests. */
int
nano_pool_remove(struct nb_req *r)
{
    if (nb_pool_remove(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
