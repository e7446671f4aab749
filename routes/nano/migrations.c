/* Nano migrations: start one (a group of migrate_guest operations, db/migrations.c), follow
 * one, list the caller's open and recent ones. */
#include "db/migrations.h"

#include "routes/nano/nano.h"

/* POST /migrations/ {source_pool, source_cell, target_pool?, target_cell?, instances?}
 * → 202 [{id}], as the blueprint shows it. */
int
nano_migration_start(struct nb_req *r)
{
    struct nb_migration_spec s = {
        .source_pool = nb_json_get_string(r->json, "source_pool"),
        .source_cell = nb_json_get_string(r->json, "source_cell"),
        .target_pool = nb_json_get_string(r->json, "target_pool"),
        .target_cell = nb_json_get_string(r->json, "target_cell"),
        .instances = nb_json_get(r->json, "instances"),
    };
    struct json_object *data, *row;
    const char *id;

    if (nb_migration_start(r, &s, &id) < 0)
        return -1;
    data = json_object_new_array();
    row = json_object_new_object();
    json_object_object_add(row, "id", json_object_new_string(id));
    json_object_array_add(data, row);
    return nano_ok(r, 202, data);
}

/* GET /migrations/{id} → 201 {finished: false, progress} while any guest is moving, 200
 * {finished: true} once all have; a migration with a failed guest answers its error. */
int
nano_migration_get(struct nb_req *r)
{
    struct nb_migration m;
    struct json_object *data;

    if (nb_migration_get(r, r->capture[0], &m) < 0)
        return -1;
    if (m.open == 0 && m.errors[0] != '\0')
        return nb_fail(r, NB_E_CONFLICT, "migration failed: %s", m.errors);
    data = json_object_new_object();
    json_object_object_add(data, "finished", json_object_new_boolean(m.open == 0));
    if (m.open > 0) {
        json_object_object_add(data, "progress", json_object_new_int64(m.progress));
        return nano_ok(r, 201, data);
    }
    return nano_ok(r, 200, data);
}

/* GET /migrations/ → [{id, finished, progress while open, error once failed}] */
int
nano_migration_list(struct nb_req *r)
{
    struct nb_migration *m;
    int n = nb_migration_list(r, &m);
    struct json_object *data;

    if (n < 0)
        return -1;
    data = json_object_new_array_ext(n);
    for (int i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "id", json_object_new_string(m[i].id));
        json_object_object_add(o, "finished", json_object_new_boolean(m[i].open == 0));
        if (m[i].open > 0)
            json_object_object_add(o, "progress", json_object_new_int64(m[i].progress));
        else if (m[i].errors[0] != '\0')
            json_object_object_add(o, "error", json_object_new_string(m[i].errors));
        json_object_array_add(data, o);
    }
    return nano_ok(r, 200, data);
}
