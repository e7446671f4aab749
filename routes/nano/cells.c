/* Nano compute pool cells: registered hosts (nimbusctl cell add) attached to a pool, enabled
 * or disabled for placement, and detached again once they host no guests (db/cells.c). */
#include "db/cells.h"

#include "routes/nano/nano.h"

/* {name, address, enabled, alive} of each of n cells. */
static struct json_object *
cells_json(const struct nb_cell *c, int n)
{
    struct json_object *data = json_object_new_array();

    for (int i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(c[i].name));
        json_object_object_add(o, "address", json_object_new_string(c[i].address));
        json_object_object_add(o, "enabled", json_object_new_boolean(c[i].enabled));
        json_object_object_add(o, "alive", json_object_new_boolean(c[i].alive));
        json_object_array_add(data, o);
    }
    return data;
}

/* GET /compute_pool_cells/: cells attached to no pool. */
int
nano_cell_unallocated(struct nb_req *r)
{
    struct nb_cell *c;
    int n = nb_cell_list_unallocated(r, &c);

    return n >= 0 ? nano_ok(r, 200, cells_json(c, n)) : -1;
}

/* GET /compute_pool_cells/{pool} */
int
nano_cell_list(struct nb_req *r)
{
    struct nb_cell *c;
    int n = nb_cell_list_in_pool(r, r->capture[0], &c);

    return n >= 0 ? nano_ok(r, 200, cells_json(c, n)) : -1;
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
    if (nb_cell_attach(r, r->capture[0], r->capture[1]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /compute_pool_cells/{pool}/{cell}: a disabled cell takes no new guests. */
int
nano_cell_modify(struct nb_req *r)
{
    bool enable = json_object_get_boolean(nb_json_get(r->json, "enable"));

    if (nb_cell_set_enabled(r, r->capture[0], r->capture[1], enable) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /compute_pool_cells/{pool}/{cell}: detaches a cell that hosts no guests; it stays
 * registered, unallocated. */
int
nano_cell_remove(struct nb_req *r)
{
    if (nb_cell_detach(r, r->capture[0], r->capture[1]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
