/* Address pools, ranges and allocations. For allocation the statement (ADDRESS_ALLOCATE) does
 * the choosing and the inserting at once; this file only retries it when a concurrent caller
 * won the address. */
#include "db/addresses.h"

#include "app/validate.h"
#include "db/db.h"

static const char *const range_types[] = {"internal", "external", NULL};

/* Columns of ADDRESS_POOL_FIND; of ADDRESS_POOL_ID and _LOCK; of ADDRESS_POOL_USAGE; of
 * ADDRESS_RANGE_OVERLAP; of ADDRESS_POOL_GATEWAY_CONFLICT; of ADDRESS_ALLOCATE. */
enum { FIND_ID, FIND_NAME };
enum { POOL_ID, POOL_GATEWAY };
enum { USAGE_ALLOCATED, USAGE_COMPUTE_POOLS };
enum { OVERLAP_START, OVERLAP_END };
enum { CONFLICT_REASON };
enum { ALLOCATE_ADDRESS, ALLOCATE_TAKEN };

/* Each lost race means another caller got an address, so a few tries suffice unless many
 * guests start in the same instant; then the caller's client retries the whole request. */
#define ALLOCATE_TRIES 8

/* The id of the pool a name or id names, or NULL with NB_E_NOT_FOUND recorded. */
static const char *
find_pool(struct nb_req *r, const char *pool)
{
    const PGresult *res = nb_db_query(r, NB_Q_ADDRESS_POOL_FIND, pool);

    if (res == NULL)
        return NULL;
    if (PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "address pool %s not found", pool);
        return NULL;
    }
    return nb_db_text(res, 0, FIND_ID);
}

int
nb_address_allocate(struct nb_req *r, const char *pool, const char *guest_id, const char *wanted,
                    const char **out)
{
    const char *id;

    if ((wanted != NULL && nb_check_ipv4(r, "address", wanted, NULL) < 0) ||
        (id = find_pool(r, pool)) == NULL)
        return -1;
    for (int i = 0; i < ALLOCATE_TRIES; i++) {
        const PGresult *res = nb_db_query(r, NB_Q_ADDRESS_ALLOCATE, id, guest_id, wanted);

        if (res == NULL)
            return -1;
        if (PQntuples(res) == 0 && wanted != NULL)
            return nb_fail(r, NB_E_CONFLICT, "address %s is not free in address pool %s", wanted,
                           pool);
        if (PQntuples(res) == 0)
            return nb_fail(r, NB_E_CONFLICT, "address pool %s has no free address", pool);
        if (nb_db_bool(res, 0, ALLOCATE_TAKEN)) {
            *out = nb_db_text(res, 0, ALLOCATE_ADDRESS);
            return 0;
        }
    }
    return nb_fail(r, NB_E_CONFLICT, "address pool %s is busy, try again", pool);
}

int
nb_address_release(struct nb_req *r, const char *pool, const char *guest_id, const char *address)
{
    const PGresult *res;
    const char *id;

    if ((address != NULL && nb_check_ipv4(r, "address", address, NULL) < 0) ||
        (id = find_pool(r, pool)) == NULL ||
        (res = nb_db_query(r, NB_Q_ADDRESS_RELEASE, id, guest_id, address)) == NULL)
        return -1;
    return PQntuples(res);
}

/* The pool name by ADDRESS_POOL_ID or _LOCK (id, gateway), or NULL with "not found". */
static const PGresult *
load_pool(struct nb_req *r, enum nb_query q, const char *name)
{
    const PGresult *res = nb_db_query(r, q, name);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "address pool %s not found", name);
        return NULL;
    }
    return res;
}

int
nb_address_pool_list(struct nb_req *r, struct nb_address_pool **out)
{
    const PGresult *res = nb_db_query(r, NB_Q_ADDRESS_POOL_LIST, NULL);
    int n;

    if (res == NULL)
        return -1;
    *out = nb_db_row_array(r, res, sizeof(**out), &n);
    for (int i = 0; i < n; i++)
        (*out)[i] = (struct nb_address_pool){
            .name = nb_db_text(res, i, NB_APL_NAME),
            .gateway = nb_db_text(res, i, NB_APL_GATEWAY),
            .provider = nb_db_text(res, i, NB_APL_PROVIDER),
            .mode = nb_db_text(res, i, NB_APL_MODE),
            .addresses = nb_db_int(res, i, NB_APL_ADDRESSES),
            .allocated = nb_db_int(res, i, NB_APL_ALLOCATED),
        };
    return n;
}

int
nb_address_pool_get(struct nb_req *r, const char *name, struct nb_address_pool *out)
{
    const PGresult *res = nb_db_query(r, NB_Q_ADDRESS_POOL_GET, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "address pool %s not found", name);
    *out = (struct nb_address_pool){
        .name = nb_db_text(res, 0, NB_APG_NAME),
        .gateway = nb_db_text(res, 0, NB_APG_GATEWAY),
        .provider = nb_db_text(res, 0, NB_APG_PROVIDER),
        .mode = nb_db_text(res, 0, NB_APG_MODE),
        .dns_json = nb_db_text(res, 0, NB_APG_DNS),
        .ranges_json = nb_db_text(res, 0, NB_APG_RANGES),
        .allocated_json = nb_db_text(res, 0, NB_APG_ALLOCATED),
    };
    return 0;
}

/* The DNS servers of c as the JSON array text the statements take; NULL when not set. */
static const char *
dns_param(struct nb_req *r, const struct nb_address_pool_config *c)
{
    struct json_object *a;
    const char *text;

    if (!c->set_dns)
        return NULL;
    a = json_object_new_array_ext((int)c->ndns);
    for (size_t i = 0; i < c->ndns; i++)
        json_object_array_add(a, json_object_new_string(c->dns[i]));
    text = nb_arena_strdup(r->arena, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
    json_object_put(a);
    return text;
}

int
nb_address_pool_create(struct nb_req *r, const char *name, const struct nb_address_pool_config *c)
{
    if (nb_db_query(r, NB_Q_ADDRESS_POOL_CREATE, name, c->gateway, dns_param(r, c), c->provider,
                    c->mode) == NULL)
        return -1;
    return 0;
}

int
nb_address_pool_modify(struct nb_req *r, const char *name, const struct nb_address_pool_config *c)
{
    const PGresult *pool, *res;
    const char *id;

    if ((pool = load_pool(r, NB_Q_ADDRESS_POOL_LOCK, name)) == NULL)
        return -1;
    id = nb_db_text(pool, 0, POOL_ID);
    if (c->gateway != NULL) {
        if ((res = nb_db_query(r, NB_Q_ADDRESS_POOL_GATEWAY_CONFLICT, id, c->gateway)) == NULL)
            return -1;
        if (PQntuples(res) > 0)
            return nb_fail_field(r, NB_E_INVALID, "gateway", "%s cannot be the gateway: %s",
                                 c->gateway, nb_db_text(res, 0, CONFLICT_REASON));
    }
    if (nb_db_query(r, NB_Q_ADDRESS_POOL_UPDATE, id, c->gateway, dns_param(r, c), c->provider,
                    c->mode) == NULL)
        return -1;
    return 0;
}

int
nb_address_pool_remove(struct nb_req *r, const char *name)
{
    const PGresult *pool, *use;
    const char *id;

    if ((pool = load_pool(r, NB_Q_ADDRESS_POOL_LOCK, name)) == NULL ||
        (use = nb_db_query(r, NB_Q_ADDRESS_POOL_USAGE, (id = nb_db_text(pool, 0, POOL_ID)))) ==
            NULL)
        return -1;
    if (nb_db_int(use, 0, USAGE_ALLOCATED) > 0)
        return nb_fail(r, NB_E_CONFLICT, "address pool %s still has %lld allocated address(es)",
                       name, (long long)nb_db_int(use, 0, USAGE_ALLOCATED));
    if (nb_db_text(use, 0, USAGE_COMPUTE_POOLS)[0] != '\0')
        return nb_fail(r, NB_E_CONFLICT, "address pool %s is used by compute pool(s) %s", name,
                       nb_db_text(use, 0, USAGE_COMPUTE_POOLS));
    if (nb_db_query(r, NB_Q_ADDRESS_POOL_DELETE_RANGES, id) == NULL ||
        nb_db_query(r, NB_Q_ADDRESS_POOL_DELETE, id) == NULL)
        return -1;
    return 0;
}

/* The pool a range belongs to, loaded by q (ADDRESS_POOL_ID or _LOCK) once type is known to
 * be a range type; NULL with the error recorded. */
static const PGresult *
range_pool(struct nb_req *r, enum nb_query q, const char *pool, const char *type)
{
    if (nb_check_enum(r, "type", type, range_types) < 0)
        return NULL;
    return load_pool(r, q, pool);
}

/* The range of pool_id (of pool) and type at start (ADDRESS_RANGE_GET), or NULL. */
static const PGresult *
load_range(struct nb_req *r, const char *pool_id, const char *pool, const char *type,
           const char *start)
{
    const PGresult *res;

    if (nb_check_ipv4(r, "start", start, NULL) < 0 ||
        (res = nb_db_query(r, NB_Q_ADDRESS_RANGE_GET, pool_id, type, start)) == NULL)
        return NULL;
    if (PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "%s range %s not found in address pool %s", type, start, pool);
        return NULL;
    }
    return res;
}

int
nb_address_range_list(struct nb_req *r, const char *pool, const char *type,
                      struct nb_address_range **out)
{
    const PGresult *p = range_pool(r, NB_Q_ADDRESS_POOL_ID, pool, type), *res;
    int n;

    if (p == NULL ||
        (res = nb_db_query(r, NB_Q_ADDRESS_RANGE_LIST, nb_db_text(p, 0, POOL_ID), type)) == NULL)
        return -1;
    *out = nb_db_row_array(r, res, sizeof(**out), &n);
    for (int i = 0; i < n; i++)
        (*out)[i] = (struct nb_address_range){
            .start = nb_db_text(res, i, NB_AR_START),
            .end = nb_db_text(res, i, NB_AR_END),
            .netmask = nb_db_text(res, i, NB_AR_NETMASK),
        };
    return n;
}

int
nb_address_range_get(struct nb_req *r, const char *pool, const char *type, const char *start,
                     struct nb_address_range *out)
{
    const PGresult *p = range_pool(r, NB_Q_ADDRESS_POOL_ID, pool, type), *res;

    if (p == NULL || (res = load_range(r, nb_db_text(p, 0, POOL_ID), pool, type, start)) == NULL)
        return -1;
    *out = (struct nb_address_range){
        .start = nb_db_text(res, 0, NB_AR_START),
        .end = nb_db_text(res, 0, NB_AR_END),
        .netmask = nb_db_text(res, 0, NB_AR_NETMASK),
        .allocated_json = nb_db_text(res, 0, NB_AR_ALLOCATED),
        .count = nb_db_int(res, 0, NB_AR_COUNT),
    };
    return 0;
}

int
nb_address_range_add(struct nb_req *r, const char *pool, const char *type, const char *start,
                     const char *end, const char *netmask)
{
    uint32_t s, e, m, gw;
    const PGresult *p, *res;
    const char *id, *gateway;

    if (nb_check_ipv4(r, "start", start, &s) < 0 || nb_check_ipv4(r, "end", end, &e) < 0 ||
        nb_check_netmask(r, "netmask", netmask, &m) < 0 || nb_check_ipv4_range(r, s, e, m) < 0 ||
        (p = range_pool(r, NB_Q_ADDRESS_POOL_LOCK, pool, type)) == NULL)
        return -1;
    id = nb_db_text(p, 0, POOL_ID);
    gateway = nb_db_text(p, 0, POOL_GATEWAY);
    if (!nb_ipv4_parse(gateway, &gw) || (gw & m) != (s & m))
        return nb_fail(r, NB_E_INVALID,
                       "gateway %s of address pool %s is outside the network of range %s-%s",
                       gateway, pool, start, end);
    if ((res = nb_db_query(r, NB_Q_ADDRESS_RANGE_OVERLAP, id, type, start, end)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "range %s-%s overlaps %s range %s-%s", start, end, type,
                       nb_db_text(res, 0, OVERLAP_START), nb_db_text(res, 0, OVERLAP_END));
    if (nb_db_query(r, NB_Q_ADDRESS_RANGE_ADD, id, type, start, end, netmask) == NULL)
        return -1;
    return 0;
}

int
nb_address_range_remove(struct nb_req *r, const char *pool, const char *type, const char *start)
{
    const PGresult *p = range_pool(r, NB_Q_ADDRESS_POOL_LOCK, pool, type), *res;

    if (p == NULL || (res = load_range(r, nb_db_text(p, 0, POOL_ID), pool, type, start)) == NULL)
        return -1;
    if (nb_db_int(res, 0, NB_AR_COUNT) > 0)
        return nb_fail(r, NB_E_CONFLICT, "%s range %s still has %lld allocated address(es)", type,
                       start, (long long)nb_db_int(res, 0, NB_AR_COUNT));
    if (nb_db_query(r, NB_Q_ADDRESS_RANGE_DELETE, nb_db_text(res, 0, NB_AR_ID)) == NULL)
        return -1;
    return 0;
}
