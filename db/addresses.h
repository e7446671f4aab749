/* Addresses of address pools as guests get them: one atomic statement per allocation. */
#ifndef NB_ADDRESSES_H
#define NB_ADDRESSES_H

#include "app/request.h"

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
