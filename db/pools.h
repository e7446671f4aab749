/* Compute pools and their cells as every dialect sees them: loaded by name, with the counts a
 * change must respect. Callers own the transaction and the audit entry. */
#ifndef NB_POOLS_H
#define NB_POOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

struct nb_pool_row {
    const char *id;
    int64_t cells, guests;
    const char *storage_id; /* storage pool id, "" for local storage */
    const char *address_id; /* address pool id, "" for none */
    bool failover;
};

struct nb_cell_row {
    const char *id;
    const char *pool; /* "" when unallocated */
    int64_t guests;
    bool enabled, alive;
    const char *address;
    const char *mode;   /* storage mode: local, nfs, ceph */
    const char *system; /* storage paths as JSON arrays of strings */
    const char *data;
    const char *storage; /* the pool's storage pool, "" for local storage */
};

/* Loads (and, inside a transaction, locks) compute pool name; NB_E_NOT_FOUND when unknown. */
int nb_pool_load(struct nb_req *r, const char *name, struct nb_pool_row *p);
/* Loads (and locks) cell name attached to compute pool pool; NB_E_NOT_FOUND for an unknown
 * pool, an unknown cell, or a cell that is not in the pool. */
int nb_cell_load_in_pool(struct nb_req *r, const char *pool, const char *name,
                         struct nb_cell_row *c);
/* Loads (and locks) cell name wherever it is; NB_E_NOT_FOUND when unknown. */
int nb_cell_load(struct nb_req *r, const char *name, struct nb_cell_row *c);

#endif
