/* Nano status and statistics of the zone, its compute pools, cells and instances (figures
 * from db/status.c). */
#include "db/status.h"

#include "app/validate.h"
#include "db/cells.h"
#include "routes/nano/nano.h"

static const char *const figure_names[NB_FIGURE__MAX] = {
    [NB_FIGURE_MAX_CPU] = "max_cpu",         [NB_FIGURE_AVAILABLE_MEMORY] = "available_memory",
    [NB_FIGURE_MAX_MEMORY] = "max_memory",   [NB_FIGURE_AVAILABLE_DISK] = "available_disk",
    [NB_FIGURE_MAX_DISK] = "max_disk",       [NB_FIGURE_READ_SPEED] = "read_speed",
    [NB_FIGURE_WRITE_SPEED] = "write_speed", [NB_FIGURE_RECEIVE_SPEED] = "receive_speed",
    [NB_FIGURE_SEND_SPEED] = "send_speed",
};

static struct json_object *
int_pair(int64_t a, int64_t b)
{
    struct json_object *o = json_object_new_array_ext(2);

    json_object_array_add(o, json_object_new_int64(a));
    json_object_array_add(o, json_object_new_int64(b));
    return o;
}

/* StatisticData and the instances array [stopped, running, lost, migrating]. */
static void
add_figures(struct json_object *o, const struct nb_figures *f)
{
    struct json_object *instances = json_object_new_array_ext(NB_INSTANCES__MAX);

    json_object_object_add(o, "cpu_usage", json_object_new_double(f->cpu_usage));
    for (int k = 0; k < NB_FIGURE__MAX; k++)
        json_object_object_add(o, figure_names[k], json_object_new_int64(f->figure[k]));
    for (int k = 0; k < NB_INSTANCES__MAX; k++)
        json_object_array_add(instances, json_object_new_int64(f->instances[k]));
    json_object_object_add(o, "instances", instances);
}

/* PoolStatistic. */
static struct json_object *
pool_status_json(const struct nb_pool_status *p)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "enabled", json_object_new_boolean(p->enabled));
    json_object_object_add(o, "cells", int_pair(p->cells_offline, p->cells_online));
    add_figures(o, &p->f);
    return o;
}

/* CellStatistic. */
static struct json_object *
cell_status_json(const struct nb_cell_status *c)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(c->name));
    json_object_object_add(o, "address", json_object_new_string(c->address));
    json_object_object_add(o, "enabled", json_object_new_boolean(c->enabled));
    json_object_object_add(o, "alive", json_object_new_boolean(c->alive));
    add_figures(o, &c->f);
    return o;
}

/* GET /compute_zone_status/ */
int
nano_status_zone(struct nb_req *r)
{
    struct nb_zone_status z;
    struct json_object *data;

    if (nb_status_zone(r, &z) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(z.name));
    json_object_object_add(data, "pools", int_pair(z.pools_disabled, z.pools_enabled));
    json_object_object_add(data, "cells", int_pair(z.cells_offline, z.cells_online));
    add_figures(data, &z.f);
    json_object_object_add(data, "start_time", json_object_new_string(z.start_time));
    return nano_ok(r, 200, data);
}

/* GET /compute_pool_status/ */
int
nano_status_pools(struct nb_req *r)
{
    struct nb_pool_status *p;
    int n = nb_status_pools(r, &p);
    struct json_object *data;

    if (n < 0)
        return -1;
    data = json_object_new_array_ext(n);
    for (int i = 0; i < n; i++)
        json_object_array_add(data, pool_status_json(&p[i]));
    return nano_ok(r, 200, data);
}

/* GET /compute_pool_status/{pool} */
int
nano_status_pool(struct nb_req *r)
{
    struct nb_pool_status p;

    if (nb_status_pool(r, r->capture[0], &p) < 0)
        return -1;
    return nano_ok(r, 200, pool_status_json(&p));
}

/* GET /compute_cell_status/{pool}/ */
int
nano_status_cells(struct nb_req *r)
{
    struct nb_cell_status *c;
    int n = nb_status_cells(r, r->capture[0], &c);
    struct json_object *data;

    if (n < 0)
        return -1;
    data = json_object_new_array();
    for (int i = 0; i < n; i++)
        json_object_array_add(data, cell_status_json(&c[i]));
    return nano_ok(r, 200, data);
}

/* GET /compute_cell_status/{pool}/{cell} */
int
nano_status_cell(struct nb_req *r)
{
    struct nb_cell_status c;

    if (nb_status_cell(r, r->capture[0], r->capture[1], &c) < 0)
        return -1;
    return nano_ok(r, 200, cell_status_json(&c));
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

    if (nb_check_abs_path(r, "default", path) < 0 ||
        nb_cell_set_local_path(r, r->capture[0], r->capture[1], path) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* The guests of pool (on cell, or all when NULL) as InstanceStatus objects: the same rows and
 * rendering as every other guest list. */
static int
list_instances(struct nb_req *r, const char *pool, const char *cell)
{
    const PGresult *res = nb_status_instances(r, pool, cell);

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
