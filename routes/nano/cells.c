/* Nano compute pool cells: registered hosts (nimbusctl cell add) attached to a pool, enabled
 * or disabled for placement, and detached again once they host no guests. */
#include <string.h>

#include "db/db.h"
#include "db/pools.h"
#include "routes/nano/nano.h"

/* {name, address, enabled, alive} of row i of CELL_UNALLOCATED / CELL_LIST_POOL. */
static struct json_object *
cell_json(const PGresult *res, int i)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(nb_db_text(res, i, 0)));
    json_object_object_add(o, "address", json_object_new_string(nb_db_text(res, i, 1)));
    json_object_object_add(o, "enabled", json_object_new_boolean(nb_db_bool(res, i, 2)));
    json_object_object_add(o, "alive", json_object_new_boolean(nb_db_bool(res, i, 3)));
    return o;
}

/* The cells of a result whose rows with a NULL name stand for none. */
static struct json_object *
cells_json(const PGresult *res)
{
    struct json_object *data = json_object_new_array();

    for (int i = 0; i < PQntuples(res); i++)
        if (!PQgetisnull(res, i, 0))
            json_object_array_add(data, cell_json(res, i));
    return data;
}

/* GET /compute_pool_cells/: cells attached to no pool. */
int
nano_cell_unallocated(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_CELL_UNALLOCATED, NULL);

    return res != NULL ? nano_ok(r, 200, cells_json(res)) : -1;
}

/* GET /compute_pool_cells/{pool} */
int
nano_cell_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_CELL_LIST_POOL, r->capture[0]);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", r->capture[0]);
    return nano_ok(r, 200, cells_json(res));
}

/* GET /compute_pool_cells/{pool}/{cell}: the pool's storage pool counts as attached while
 * the cell is alive (the cell mounts it through libvirt). */
int
nano_cell_get(struct nb_req *r)
{
    struct nb_cell_row c;
    struct json_object *data, *storage;

    if (nb_cell_load_in_pool(r, r->capture[0], r->capture[1], &c) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(r->capture[1]));
    json_object_object_add(data, "address", json_object_new_string(c.address));
    json_object_object_add(data, "enabled", json_object_new_boolean(c.enabled));
    json_object_object_add(data, "alive", json_object_new_boolean(c.alive));
    storage = json_object_new_array();
    if (*c.storage) {
        struct json_object *s = json_object_new_object();

        json_object_object_add(s, "name", json_object_new_string(c.storage));
        json_object_object_add(s, "attached", json_object_new_boolean(c.alive));
        if (!c.alive)
            json_object_object_add(s, "error", json_object_new_string("cell is offline"));
        json_object_array_add(storage, s);
    }
    json_object_object_add(data, "storage", storage);
    return nano_ok(r, 200, data);
}

/* POST /compute_pool_cells/{pool}/{cell}: a registered cell that is in no pool yet. */
int
nano_cell_add(struct nb_req *r)
{
    const char *pool = r->capture[0], *cell = r->capture[1];
    struct nb_pool_row p;
    struct nb_cell_row c;
    const PGresult *res;

    if (nb_pool_load(r, pool, &p) < 0 || nb_cell_load(r, cell, &c) < 0)
        return -1;
    if (strcmp(c.pool, pool) == 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s is already in compute pool %s", cell, pool);
    if (*c.pool)
        return nb_fail(r, NB_E_CONFLICT, "cell %s belongs to compute pool %s", cell, c.pool);
    if ((res = nb_db_query(r, NB_Q_CELL_ADD_TO_POOL, pool, cell)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s was attached to another pool meanwhile", cell);
    return nano_ok(r, 200, NULL);
}

/* PUT /compute_pool_cells/{pool}/{cell}: a disabled cell takes no new guests. */
int
nano_cell_modify(struct nb_req *r)
{
    struct nb_cell_row c;
    bool enable = json_object_get_boolean(nb_json_get(r->json, "enable"));

    if (nb_cell_load_in_pool(r, r->capture[0], r->capture[1], &c) < 0 ||
        nb_db_query(r, NB_Q_CELL_SET_ENABLED, c.id, enable ? "true" : "false") == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /compute_pool_cells/{pool}/{cell}: detaches a cell that hosts no guests; it stays
 * registered, unallocated. */
int
nano_cell_remove(struct nb_req *r)
{
    const char *cell = r->capture[1];
    struct nb_cell_row c;
    const PGresult *res;

    if (nb_cell_load_in_pool(r, r->capture[0], cell, &c) < 0)
        return -1;
    if (c.guests > 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s still hosts %lld guest(s)", cell,
                       (long long)c.guests);
    if ((res = nb_db_query(r, NB_Q_CELL_REMOVE_FROM_POOL, c.id)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s still hosts guests", cell);
    return nano_ok(r, 200, NULL);
}
