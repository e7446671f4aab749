/* Cells: registered hosts (nimbusctl cell add), attached to a compute pool or unallocated,
 * enabled or disabled for placement, with the storage paths guests' disks go to. Callers own
 * the transaction and the audit entry. */
#ifndef NB_CELLS_H
#define NB_CELLS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* Columns of CELL_UNALLOCATED and CELL_LIST_POOL. */
enum nb_cell_col { NB_CELL_NAME, NB_CELL_ADDRESS, NB_CELL_ENABLED, NB_CELL_ALIVE, NB_CELL__MAX };

/* A cell as listed. */
struct nb_cell {
    const char *name, *address;
    bool enabled, alive;
};

/* Columns of CELL_LOAD. */
enum nb_cell_load_col {
    NB_CELL_LOAD_ID,
    NB_CELL_LOAD_POOL,
    NB_CELL_LOAD_GUESTS,
    NB_CELL_LOAD_ENABLED,
    NB_CELL_LOAD_ALIVE,
    NB_CELL_LOAD_ADDRESS,
    NB_CELL_LOAD_MODE,
    NB_CELL_LOAD_SYSTEM,
    NB_CELL_LOAD_DATA,
    NB_CELL_LOAD_STORAGE,
    NB_CELL_LOAD__MAX
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

/* The cells attached to no pool, by name, into *out (request-owned); the count, or -1. */
int nb_cell_list_unallocated(struct nb_req *r, struct nb_cell **out);
/* The cells of compute pool pool, by name; NB_E_NOT_FOUND for an unknown pool. */
int nb_cell_list_in_pool(struct nb_req *r, const char *pool, struct nb_cell **out);
/* Loads (and locks) cell name wherever it is; NB_E_NOT_FOUND when unknown. */
int nb_cell_load(struct nb_req *r, const char *name, struct nb_cell_row *c);
/* Loads (and locks) cell name attached to compute pool pool; NB_E_NOT_FOUND for an unknown
 * pool, an unknown cell, or a cell that is not in the pool. */
int nb_cell_load_in_pool(struct nb_req *r, const char *pool, const char *name,
                         struct nb_cell_row *c);
/* Attaches unallocated cell name to compute pool pool; NB_E_NOT_FOUND for either unknown,
 * NB_E_CONFLICT when the cell is in a pool already. */
int nb_cell_attach(struct nb_req *r, const char *pool, const char *name);
/* Enables or disables cell name of pool for placement (a disabled cell takes no new guests). */
int nb_cell_set_enabled(struct nb_req *r, const char *pool, const char *name, bool enabled);
/* Detaches cell name from pool; it stays registered, unallocated. NB_E_CONFLICT while it
 * hosts guests. */
int nb_cell_detach(struct nb_req *r, const char *pool, const char *name);
/* Makes path the one system and data path of cell name of pool; NB_E_CONFLICT unless the
 * cell is on local storage. */
int nb_cell_set_local_path(struct nb_req *r, const char *pool, const char *name, const char *path);

#endif
