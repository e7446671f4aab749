/* Address pools, their ranges, and the addresses guests get from them: the rules of ranges
 * (one network with the gateway, no overlap), of allocation (one atomic statement) and of
 * what may be deleted. Callers own the transaction and the audit entry. */
#ifndef NB_ADDRESSES_H
#define NB_ADDRESSES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/request.h"

/* Columns of ADDRESS_POOL_LIST. */
enum nb_address_pool_list_col {
    NB_APL_NAME,
    NB_APL_GATEWAY,
    NB_APL_PROVIDER,
    NB_APL_MODE,
    NB_APL_ADDRESSES,
    NB_APL_ALLOCATED,
    NB_APL__MAX
};
/* Columns of ADDRESS_POOL_GET; the last three are JSON arrays. */
enum nb_address_pool_get_col {
    NB_APG_NAME,
    NB_APG_GATEWAY,
    NB_APG_PROVIDER,
    NB_APG_MODE,
    NB_APG_DNS,
    NB_APG_RANGES,
    NB_APG_ALLOCATED,
    NB_APG__MAX
};

/* An address pool. A list fills the counts; a get fills the JSON texts instead: dns (array
 * of addresses), ranges ({start, end, netmask, type}) and allocations ({address, instance,
 * type}). */
struct nb_address_pool {
    const char *name, *gateway, *provider, *mode;
    int64_t addresses, allocated;
    const char *dns_json, *ranges_json, *allocated_json;
};

/* A create or modify: NULL fields (and dns while !set_dns) keep their value, or on create
 * take the defaults (provider dhcp, mode internal, no DNS servers). Values are checked by
 * the caller: dotted-quad addresses, provider and mode among the documented ones. */
struct nb_address_pool_config {
    const char *gateway, *provider, *mode;
    const char *const *dns;
    size_t ndns;
    bool set_dns;
};

/* Every address pool by name into *out (request-owned); the count, or -1. */
int nb_address_pool_list(struct nb_req *r, struct nb_address_pool **out);
/* Address pool name with its ranges and allocations; NB_E_NOT_FOUND when unknown. */
int nb_address_pool_get(struct nb_req *r, const char *name, struct nb_address_pool *out);
/* Creates address pool name; NB_E_CONFLICT when it exists. */
int nb_address_pool_create(struct nb_req *r, const char *name,
                           const struct nb_address_pool_config *c);
/* Changes address pool name; a new gateway must lie in the network of every range and be no
 * guest's address (NB_E_INVALID naming the gateway field). */
int nb_address_pool_modify(struct nb_req *r, const char *name,
                           const struct nb_address_pool_config *c);
/* Deletes address pool name with its ranges: not while a guest holds one of its addresses or
 * a compute pool uses it (NB_E_CONFLICT). */
int nb_address_pool_remove(struct nb_req *r, const char *name);

/* Columns of ADDRESS_RANGE_LIST (the first three) and ADDRESS_RANGE_GET. */
enum nb_address_range_col {
    NB_AR_START,
    NB_AR_END,
    NB_AR_NETMASK,
    NB_AR_ALLOCATED,
    NB_AR_ID,
    NB_AR_COUNT,
    NB_AR__MAX
};

/* A range of an address pool; a get also fills allocated_json ({address, instance}) and
 * count, a list neither. */
struct nb_address_range {
    const char *start, *end, *netmask, *allocated_json;
    int64_t count;
};

/* The ranges of type (internal or external; NB_E_INVALID otherwise) of address pool pool, by
 * start, into *out (request-owned); the count, or -1 (NB_E_NOT_FOUND for an unknown pool). */
int nb_address_range_list(struct nb_req *r, const char *pool, const char *type,
                          struct nb_address_range **out);
/* The range of type starting at start; NB_E_NOT_FOUND for an unknown pool or range. */
int nb_address_range_get(struct nb_req *r, const char *pool, const char *type, const char *start,
                         struct nb_address_range *out);
/* Adds range start-end (netmask) of type to pool: start <= end, both and the pool's gateway
 * in one network (NB_E_INVALID), overlapping no range of the same type (NB_E_CONFLICT). */
int nb_address_range_add(struct nb_req *r, const char *pool, const char *type, const char *start,
                         const char *end, const char *netmask);
/* Deletes the range of type starting at start: only one no guest holds an address of
 * (NB_E_CONFLICT). */
int nb_address_range_remove(struct nb_req *r, const char *pool, const char *type,
                            const char *start);

/* Allocates to guest guest_id (a uuid) the lowest free address of the internal ranges of the
 * address pool pool (its name or its id), never the pool's gateway; or exactly wanted when it
 * is not NULL. Safe under concurrency: no address is ever held twice (the table's primary
 * key), and a caller that lost a race for an address retries with the next one. On success
 * *out is the address as dotted-quad text, valid for the request. Fails with NB_E_NOT_FOUND
 * (unknown pool), NB_E_INVALID (wanted is not an IPv4 address) or NB_E_CONFLICT (nothing
 * free, or wanted not free). Runs inside the caller's transaction when there is one. */
int nb_address_allocate(struct nb_req *r, const char *pool, const char *guest_id,
                        const char *wanted, const char **out);

/* Gives back the addresses guest_id holds in pool (name or id); only address when it is not
 * NULL. Returns how many were released (0 is no error), or -1 with the error recorded. */
int nb_address_release(struct nb_req *r, const char *pool, const char *guest_id,
                       const char *address);

#endif
