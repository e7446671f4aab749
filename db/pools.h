/* Compute pools as every dialect sees them: listed, loaded by name with the counts a change
 * must respect, created, changed and deleted under their rules. Callers own the transaction
 * and the audit entry. */
#ifndef NB_POOLS_H
#define NB_POOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* Columns of COMPUTE_POOL_LIST and COMPUTE_POOL_GET. */
enum nb_pool_col {
    NB_POOL_NAME,
    NB_POOL_ENABLED,
    NB_POOL_CELLS,
    NB_POOL_STORAGE,
    NB_POOL_NETWORK,
    NB_POOL_FAILOVER,
    NB_POOL__MAX
};

/* A compute pool as shown: storage and network are the names of its storage and address
 * pools, "" for local storage / none. */
struct nb_pool {
    const char *name;
    bool enabled;
    int64_t cells;
    const char *storage, *network;
    bool failover;
};

/* Columns of COMPUTE_POOL_LOAD. */
enum nb_pool_load_col {
    NB_POOL_LOAD_ID,
    NB_POOL_LOAD_CELLS,
    NB_POOL_LOAD_GUESTS,
    NB_POOL_LOAD_STORAGE_ID,
    NB_POOL_LOAD_ADDRESS_ID,
    NB_POOL_LOAD_FAILOVER,
    NB_POOL_LOAD__MAX
};

struct nb_pool_row {
    const char *id;
    int64_t cells, guests;
    const char *storage_id; /* storage pool id, "" for local storage */
    const char *address_id; /* address pool id, "" for none */
    bool failover;
};

/* A create or modify, by name: storage and network NULL keep their value, "" means local
 * storage / no address pool; failover keeps its value unless set_failover. */
struct nb_pool_config {
    const char *storage, *network;
    bool set_failover, failover;
};

/* Every compute pool by name into *out (request-owned); the count, or -1. */
int nb_pool_list(struct nb_req *r, struct nb_pool **out);
/* Compute pool name as shown; NB_E_NOT_FOUND "compute pool <name> not found". */
int nb_pool_get(struct nb_req *r, const char *name, struct nb_pool *out);
/* Loads (and, inside a transaction, locks) compute pool name; NB_E_NOT_FOUND when unknown. */
int nb_pool_load(struct nb_req *r, const char *name, struct nb_pool_row *p);
/* Creates compute pool name: NB_E_CONFLICT when it exists, NB_E_INVALID for an unknown
 * storage or address pool and for failover without a storage pool. */
int nb_pool_create(struct nb_req *r, const char *name, const struct nb_pool_config *c);
/* Changes compute pool name with the checks of create; the storage and address pool of a
 * pool with guests stay (NB_E_CONFLICT), since its guests' disks and addresses live there. */
int nb_pool_modify(struct nb_req *r, const char *name, const struct nb_pool_config *c);
/* Deletes compute pool name: only one without cells and guests (NB_E_CONFLICT). */
int nb_pool_remove(struct nb_req *r, const char *name);

#endif
