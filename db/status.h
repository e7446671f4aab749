/* Status and statistics of the zone, its compute pools, cells and the guests placed there.
 * Capacity is what the reconciler observed on alive cells; usage and instance counts come
 * from the guests. Every read is one statement. */
#ifndef NB_STATUS_H
#define NB_STATUS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* The figures every status statement ends with, in the order of its columns (pools.def)
 * after cpu_usage. */
enum nb_figure {
    NB_FIGURE_MAX_CPU,
    NB_FIGURE_AVAILABLE_MEMORY,
    NB_FIGURE_MAX_MEMORY,
    NB_FIGURE_AVAILABLE_DISK,
    NB_FIGURE_MAX_DISK,
    NB_FIGURE_READ_SPEED,
    NB_FIGURE_WRITE_SPEED,
    NB_FIGURE_RECEIVE_SPEED,
    NB_FIGURE_SEND_SPEED,
    NB_FIGURE__MAX
};
/* Instances by state, after the figures; each guest is in exactly one (lost, else
 * migrating, else running, else stopped). */
enum nb_instance_state {
    NB_INSTANCES_STOPPED,
    NB_INSTANCES_RUNNING,
    NB_INSTANCES_LOST,
    NB_INSTANCES_MIGRATING,
    NB_INSTANCES__MAX
};

struct nb_figures {
    double cpu_usage;
    int64_t figure[NB_FIGURE__MAX];
    int64_t instances[NB_INSTANCES__MAX];
};

/* Columns of STATUS_ZONE; the figures start at NB_ZONE_FIGURES. */
enum nb_zone_col {
    NB_ZONE_NAME,
    NB_ZONE_START_TIME,
    NB_ZONE_POOLS_DISABLED,
    NB_ZONE_POOLS_ENABLED,
    NB_ZONE_CELLS_OFFLINE,
    NB_ZONE_CELLS_ONLINE,
    NB_ZONE_FIGURES
};
/* Columns of STATUS_POOLS; the figures start at NB_POOL_STATUS_FIGURES. */
enum nb_pool_status_col {
    NB_POOL_STATUS_NAME,
    NB_POOL_STATUS_ENABLED,
    NB_POOL_STATUS_CELLS_OFFLINE,
    NB_POOL_STATUS_CELLS_ONLINE,
    NB_POOL_STATUS_FIGURES
};
/* Columns of STATUS_CELLS; the figures start at NB_CELL_STATUS_FIGURES. */
enum nb_cell_status_col {
    NB_CELL_STATUS_NAME,
    NB_CELL_STATUS_ADDRESS,
    NB_CELL_STATUS_ENABLED,
    NB_CELL_STATUS_ALIVE,
    NB_CELL_STATUS_FIGURES
};

struct nb_zone_status {
    const char *name, *start_time; /* start time as 'YYYY-MM-DD HH:MI:SS' */
    int64_t pools_disabled, pools_enabled, cells_offline, cells_online;
    struct nb_figures f;
};

struct nb_pool_status {
    const char *name;
    bool enabled;
    int64_t cells_offline, cells_online;
    struct nb_figures f;
};

struct nb_cell_status {
    const char *name, *address;
    bool enabled, alive;
    struct nb_figures f;
};

/* The zone's status; NB_E_INTERNAL when the zone row is missing. */
int nb_status_zone(struct nb_req *r, struct nb_zone_status *out);
/* Every compute pool's status by name into *out (request-owned); the count, or -1. */
int nb_status_pools(struct nb_req *r, struct nb_pool_status **out);
/* Compute pool name's status; NB_E_NOT_FOUND "compute pool <name> not found". */
int nb_status_pool(struct nb_req *r, const char *name, struct nb_pool_status *out);
/* The status of every cell of compute pool pool, by name; the count, or -1 (NB_E_NOT_FOUND
 * for an unknown pool). */
int nb_status_cells(struct nb_req *r, const char *pool, struct nb_cell_status **out);
/* Cell name's status in compute pool pool; NB_E_NOT_FOUND for an unknown pool or a cell
 * that is not in it. */
int nb_status_cell(struct nb_req *r, const char *pool, const char *name,
                   struct nb_cell_status *out);
/* The guests of compute pool pool (only those on its cell cell when not NULL) that the caller
 * sees, as guest rows (enum nb_guest_col), at most 1000; NULL with NB_E_NOT_FOUND for an
 * unknown pool or a cell not in it. */
const PGresult *nb_status_instances(struct nb_req *r, const char *pool, const char *cell);

#endif
