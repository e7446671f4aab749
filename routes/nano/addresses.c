/* Nano address pools and their ranges: a gateway, DNS servers, how guests learn their address
 * (provider) and which interfaces they get (mode); internal and external address ranges, each
 * inside one network that also holds the gateway. Guests take addresses through
 * db/addresses.h. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

#define DNS_MAX 8

static const char *const range_types[] = {"internal", "external", NULL};

/* The pool configuration of the body, checked; absent fields are NULL, dns as JSON text. */
struct pool_in {
    const char *gateway, *dns, *provider, *mode;
};

static int
pool_body(struct nb_req *r, struct pool_in *in)
{
    struct json_object *dns = nb_json_get(r->json, "dns");

    in->gateway = nb_json_get_string(r->json, "gateway");
    in->provider = nb_json_get_string(r->json, "provider");
    in->mode = nb_json_get_string(r->json, "mode");
    in->dns = NULL;
    if (in->gateway != NULL && nb_check_ipv4(r, "gateway", in->gateway, NULL) < 0)
        return -1;
    if (dns == NULL)
        return 0;
    if ((in->dns = nb_check_string_array(r, "dns", dns)) == NULL)
        return -1;
    if (json_object_array_length(dns) > DNS_MAX)
        return nb_fail_field(r, NB_E_INVALID, "dns", "at most %d servers", DNS_MAX);
    for (size_t i = 0; i < json_object_array_length(dns); i++)
        if (nb_check_ipv4(r, "dns", json_object_get_string(json_object_array_get_idx(dns, i)),
                          NULL) < 0)
            return -1;
    return 0;
}

/* The pool named by the first capture: ADDRESS_POOL_ID or _LOCK (id, gateway), or NULL with
 * "not found" recorded. */
static const PGresult *
load_pool(struct nb_req *r, enum nb_query q)
{
    const PGresult *res = nb_db_query(r, q, r->capture[0]);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "address pool %s not found", r->capture[0]);
        return NULL;
    }
    return res;
}

/* GET /address_pools/ */
int
nano_address_pool_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_ADDRESS_POOL_LIST, NULL);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *p = json_object_new_object();

        json_object_object_add(p, "name", json_object_new_string(nb_db_text(res, i, 0)));
        json_object_object_add(p, "gateway", json_object_new_string(nb_db_text(res, i, 1)));
        json_object_object_add(p, "provider", json_object_new_string(nb_db_text(res, i, 2)));
        json_object_object_add(p, "mode", json_object_new_string(nb_db_text(res, i, 3)));
        json_object_object_add(p, "addresses", json_object_new_int64(nb_db_int(res, i, 4)));
        json_object_object_add(p, "allocated", json_object_new_int64(nb_db_int(res, i, 5)));
        json_object_array_add(data, p);
    }
    return nano_ok(r, 200, data);
}

/* GET /address_pools/{pool}: the configuration, every range and every allocated address. */
int
nano_address_pool_get(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_ADDRESS_POOL_GET, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "address pool %s not found", r->capture[0]);
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(nb_db_text(res, 0, 0)));
    json_object_object_add(data, "gateway", json_object_new_string(nb_db_text(res, 0, 1)));
    json_object_object_add(data, "provider", json_object_new_string(nb_db_text(res, 0, 2)));
    json_object_object_add(data, "mode", json_object_new_string(nb_db_text(res, 0, 3)));
    json_object_object_add(data, "dns", nb_db_json(res, 0, 4));
    json_object_object_add(data, "ranges", nb_db_json(res, 0, 5));
    json_object_object_add(data, "allocated", nb_db_json(res, 0, 6));
    return nano_ok(r, 200, data);
}

/* POST /address_pools/{pool} {gateway, dns, provider, mode} */
int
nano_address_pool_create(struct nb_req *r)
{
    struct pool_in in;

    if (nb_check_name(r, "address pool", r->capture[0]) < 0 || pool_body(r, &in) < 0 ||
        nb_db_query(r, NB_Q_ADDRESS_POOL_CREATE, r->capture[0], in.gateway, in.dns, in.provider,
                    in.mode) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /address_pools/{pool}: absent fields keep their value; a new gateway must lie in the
 * network of every range and be no guest's address. */
int
nano_address_pool_modify(struct nb_req *r)
{
    const PGresult *pool, *res;
    const char *id;
    struct pool_in in;

    if (pool_body(r, &in) < 0 || (pool = load_pool(r, NB_Q_ADDRESS_POOL_LOCK)) == NULL)
        return -1;
    id = nb_db_text(pool, 0, 0);
    if (in.gateway != NULL) {
        if ((res = nb_db_query(r, NB_Q_ADDRESS_POOL_GATEWAY_CONFLICT, id, in.gateway)) == NULL)
            return -1;
        if (PQntuples(res) > 0)
            return nb_fail_field(r, NB_E_INVALID, "gateway", "%s cannot be the gateway: %s",
                                 in.gateway, nb_db_text(res, 0, 0));
    }
    if (nb_db_query(r, NB_Q_ADDRESS_POOL_UPDATE, id, in.gateway, in.dns, in.provider,
                    in.mode) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /address_pools/{pool}: not while a guest holds one of its addresses or a compute
 * pool uses it; its empty ranges go with it. */
int
nano_address_pool_remove(struct nb_req *r)
{
    const PGresult *pool, *use;
    const char *id;

    if ((pool = load_pool(r, NB_Q_ADDRESS_POOL_LOCK)) == NULL ||
        (use = nb_db_query(r, NB_Q_ADDRESS_POOL_USAGE, (id = nb_db_text(pool, 0, 0)))) == NULL)
        return -1;
    if (nb_db_int(use, 0, 0) > 0)
        return nb_fail(r, NB_E_CONFLICT, "address pool %s still has %lld allocated address(es)",
                       r->capture[0], (long long)nb_db_int(use, 0, 0));
    if (nb_db_text(use, 0, 1)[0] != '\0')
        return nb_fail(r, NB_E_CONFLICT, "address pool %s is used by compute pool(s) %s",
                       r->capture[0], nb_db_text(use, 0, 1));
    if (nb_db_query(r, NB_Q_ADDRESS_POOL_DELETE_RANGES, id) == NULL ||
        nb_db_query(r, NB_Q_ADDRESS_POOL_DELETE, id) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* The pool of a range path /address_pools/{pool}/{type}/ranges/...: its id, and its gateway in
 * *gateway; NULL with the error when the type or the pool is unknown. */
static const char *
range_pool(struct nb_req *r, enum nb_query q, const char **gateway)
{
    const PGresult *res;

    if (nb_check_enum(r, "type", r->capture[1], range_types) < 0 ||
        (res = load_pool(r, q)) == NULL)
        return NULL;
    if (gateway != NULL)
        *gateway = nb_db_text(res, 0, 1);
    return nb_db_text(res, 0, 0);
}

/* The range at the third capture, after range_pool (ADDRESS_RANGE_GET), or NULL. */
static const PGresult *
load_range(struct nb_req *r, const char *pool)
{
    const PGresult *res;

    if (nb_check_ipv4(r, "start", r->capture[2], NULL) < 0 ||
        (res = nb_db_query(r, NB_Q_ADDRESS_RANGE_GET, pool, r->capture[1], r->capture[2])) ==
            NULL)
        return NULL;
    if (PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "%s range %s not found in address pool %s", r->capture[1],
                r->capture[2], r->capture[0]);
        return NULL;
    }
    return res;
}

/* GET /address_pools/{pool}/{type}/ranges/ */
int
nano_address_range_list(struct nb_req *r)
{
    const char *pool = range_pool(r, NB_Q_ADDRESS_POOL_ID, NULL);
    const PGresult *res;
    struct json_object *data;

    if (pool == NULL ||
        (res = nb_db_query(r, NB_Q_ADDRESS_RANGE_LIST, pool, r->capture[1])) == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "start", json_object_new_string(nb_db_text(res, i, 0)));
        json_object_object_add(o, "end", json_object_new_string(nb_db_text(res, i, 1)));
        json_object_object_add(o, "netmask", json_object_new_string(nb_db_text(res, i, 2)));
        json_object_array_add(data, o);
    }
    return nano_ok(r, 200, data);
}

/* GET /address_pools/{pool}/{type}/ranges/{start} */
int
nano_address_range_get(struct nb_req *r)
{
    const char *pool = range_pool(r, NB_Q_ADDRESS_POOL_ID, NULL);
    const PGresult *res;
    struct json_object *data;

    if (pool == NULL || (res = load_range(r, pool)) == NULL)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "start", json_object_new_string(nb_db_text(res, 0, 0)));
    json_object_object_add(data, "end", json_object_new_string(nb_db_text(res, 0, 1)));
    json_object_object_add(data, "netmask", json_object_new_string(nb_db_text(res, 0, 2)));
    json_object_object_add(data, "allocated", nb_db_json(res, 0, 3));
    return nano_ok(r, 200, data);
}

/* POST /address_pools/{pool}/{type}/ranges/{start} {end, netmask}: one network holding the
 * range and the pool's gateway, overlapping no range of the same type. */
int
nano_address_range_add(struct nb_req *r)
{
    const char *start = r->capture[2], *end = nb_json_get_string(r->json, "end");
    const char *netmask = nb_json_get_string(r->json, "netmask"), *pool, *gateway;
    uint32_t s, e, m, gw;
    const PGresult *res;

    if (nb_check_ipv4(r, "start", start, &s) < 0 || nb_check_ipv4(r, "end", end, &e) < 0 ||
        nb_check_netmask(r, "netmask", netmask, &m) < 0 || nb_check_ipv4_range(r, s, e, m) < 0 ||
        (pool = range_pool(r, NB_Q_ADDRESS_POOL_LOCK, &gateway)) == NULL)
        return -1;
    if (!nb_ipv4_parse(gateway, &gw) || (gw & m) != (s & m))
        return nb_fail(r, NB_E_INVALID,
                       "gateway %s of address pool %s is outside the network of range %s-%s",
                       gateway, r->capture[0], start, end);
    if ((res = nb_db_query(r, NB_Q_ADDRESS_RANGE_OVERLAP, pool, r->capture[1], start, end)) ==
        NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "range %s-%s overlaps %s range %s-%s", start, end,
                       r->capture[1], nb_db_text(res, 0, 0), nb_db_text(res, 0, 1));
    if (nb_db_query(r, NB_Q_ADDRESS_RANGE_ADD, pool, r->capture[1], start, end, netmask) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /address_pools/{pool}/{type}/ranges/{start}: only a range no guest holds an address
 * of. */
int
nano_address_range_remove(struct nb_req *r)
{
    const char *pool = range_pool(r, NB_Q_ADDRESS_POOL_LOCK, NULL);
    const PGresult *res;

    if (pool == NULL || (res = load_range(r, pool)) == NULL)
        return -1;
    if (nb_db_int(res, 0, 5) > 0)
        return nb_fail(r, NB_E_CONFLICT, "%s range %s still has %lld allocated address(es)",
                       r->capture[1], r->capture[2], (long long)nb_db_int(res, 0, 5));
    if (nb_db_query(r, NB_Q_ADDRESS_RANGE_DELETE, nb_db_text(res, 0, 4)) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}
