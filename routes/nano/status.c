/* Nano status and statistics of the zone, its compute pools, cells and instances. Capacity is
 * what the reconciler observed on alive cells; usage and instance counts come from the guests
 * placed there. Every list is one statement. */
#include <stdlib.h>
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/pools.h"
#include "routes/nano/nano.h"

static const char *const figure_names[] = {
    "max_cpu",    "available_memory", "max_memory",    "available_disk", "max_disk",
    "read_speed", "write_speed",      "receive_speed", "send_speed",
};
#define NFIGURES (sizeof(figure_names) / sizeof(figure_names[0]))

static struct json_object *
int_pair(const PGresult *res, int i, int col)
{
    struct json_object *a = json_object_new_array_ext(2);

    json_object_array_add(a, json_object_new_int64(nb_db_int(res, i, col)));
    json_object_array_add(a, json_object_new_int64(nb_db_int(res, i, col + 1)));
    return a;
}

/* StatisticData and the instances array from column col of row i (see pools.def). */
static void
add_figures(struct json_object *o, const PGresult *res, int i, int col)
{
    struct json_object *instances = json_object_new_array_ext(4);

    json_object_object_add(o, "cpu_usage",
                           json_object_new_double(strtod(nb_db_text(res, i, col), NULL)));
    for (size_t f = 0; f < NFIGURES; f++)
        json_object_object_add(o, figure_names[f],
                               json_object_new_int64(nb_db_int(res, i, col + 1 + (int)f)));
    for (int k = 0; k < 4; k++)
        json_object_array_add(instances,
                              json_object_new_int64(nb_db_int(res, i, col + 1 + (int)NFIGURES + k)));
    json_object_object_add(o, "instances", instances);
}

/* PoolStatistic of row i of STATUS_POOLS. */
static struct json_object *
pool_status_json(const PGresult *res, int i)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(nb_db_text(res, i, 0)));
    json_object_object_add(o, "enabled", json_object_new_boolean(nb_db_bool(res, i, 1)));
    json_object_object_add(o, "cells", int_pair(res, i, 2));
    add_figures(o, res, i, 4);
    return o;
}

/* CellStatistic of row i of STATUS_CELLS. */
static struct json_object *
cell_status_json(const PGresult *res, int i)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(nb_db_text(res, i, 0)));
    json_object_object_add(o, "address", json_object_new_string(nb_db_text(res, i, 1)));
    json_object_object_add(o, "enabled", json_object_new_boolean(nb_db_bool(res, i, 2)));
    json_object_object_add(o, "alive", json_object_new_boolean(nb_db_bool(res, i, 3)));
    add_figures(o, res, i, 4);
    return o;
}

/* GET /compute_zone_status/ */
int
nano_status_zone(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_STATUS_ZONE, NULL);
    struct json_object *data;

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_INTERNAL, "the zone is not initialised");
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(nb_db_text(res, 0, 0)));
    json_object_object_add(data, "pools", int_pair(res, 0, 2));
    json_object_object_add(data, "cells", int_pair(res, 0, 4));
    add_figures(data, res, 0, 6);
    json_object_object_add(data, "start_time", json_object_new_string(nb_db_text(res, 0, 1)));
    return nano_ok(r, 200, data);
}

/* GET /compute_pool_status/ */
int
nano_status_pools(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_STATUS_POOLS, NULL);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++)
        json_object_array_add(data, pool_status_json(res, i));
    return nano_ok(r, 200, data);
}

/* GET /compute_pool_status/{pool} */
int
nano_status_pool(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_STATUS_POOLS, r->capture[0]);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", r->capture[0]);
    return nano_ok(r, 200, pool_status_json(res, 0));
}

/* STATUS_CELLS of pool (cell NULL: all its cells), or NULL with the pool not found. */
static const PGresult *
query_cells(struct nb_req *r, const char *pool, const char *cell)
{
    const PGresult *res = nb_db_query(r, NB_Q_STATUS_CELLS, pool, cell);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", pool);
        return NULL;
    }
    return res;
}

/* GET /compute_cell_status/{pool}/ */
int
nano_status_cells(struct nb_req *r)
{
    const PGresult *res = query_cells(r, r->capture[0], NULL);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array();
    for (int i = 0; i < PQntuples(res); i++)
        if (!PQgetisnull(res, i, 0))
            json_object_array_add(data, cell_status_json(res, i));
    return nano_ok(r, 200, data);
}

/* GET /compute_cell_status/{pool}/{cell} */
int
nano_status_cell(struct nb_req *r)
{
    const PGresult *res = query_cells(r, r->capture[0], r->capture[1]);

    if (res == NULL)
        return -1;
    if (PQgetisnull(res, 0, 0))
        return nb_fail(r, NB_E_NOT_FOUND, "cell %s is not in compute pool %s", r->capture[1],
                       r->capture[0]);
    return nano_ok(r, 200, cell_status_json(res, 0));
}

/* GET /compute_cell_status/{pool}/{cell}/storages/ */
int
nano_status_storages(struct nb_req *r)
{
    struct nb_cell_row c;
    struct json_object *data;

    if (nb_cell_load_in_pool(r, r->capture[0], r->capture[1], &c) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "mode", json_object_new_string(c.mode));
    json_object_object_add(data, "system", json_tokener_parse(c.system));
    json_object_object_add(data, "data", json_tokener_parse(c.data));
    return nano_ok(r, 200, data);
}

/* PUT /compute_cell_status/{pool}/{cell}/storages/: {"default": path} becomes the one system
 * and data path of a cell on local storage. */
int
nano_status_storages_set(struct nb_req *r)
{
    const char *path = nb_json_get_string(r->json, "default");
    struct nb_cell_row c;

    if (nb_check_abs_path(r, "default", path) < 0 ||
        nb_cell_load_in_pool(r, r->capture[0], r->capture[1], &c) < 0)
        return -1;
    if (strcmp(c.mode, "local") != 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s uses %s storage: its paths are not local",
                       r->capture[1], c.mode);
    if (nb_db_query(r, NB_Q_CELL_SET_PATHS, c.id, path) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* The guests of pool (on cell, or all when NULL) as InstanceStatus objects: the same rows and
 * rendering as every other guest list. */
static int
list_instances(struct nb_req *r, const char *pool, const char *cell)
{
    struct nb_pool_row p;
    struct nb_cell_row c;
    const PGresult *res;

    if (nb_pool_load(r, pool, &p) < 0 || (cell != NULL && nb_cell_load_in_pool(r, pool, cell, &c) < 0))
        return -1;
    res = nb_db_query(r, NB_Q_GUEST_SEARCH, pool, r->user.id_text, r->user.is_admin ? "t" : "f",
                      cell, NULL, NULL, NULL, NULL, NULL, "1000", r->user.shared_group);
    return res != NULL ? nano_ok(r, 200, nano_guest_list_json(res, true)) : -1;
}

/* GET /instance_status/{pool}/ */
int
nano_status_instances(struct nb_req *r)
{
    return list_instances(r, r->capture[0], NULL);
}

/* GET /instance_status/{pool}/{cell}/ */
int
nano_status_cell_instances(struct nb_req *r)
{
    return list_instances(r, r->capture[0], r->capture[1]);
}
