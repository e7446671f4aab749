/* Nano migrations: start one (a group of migrate_guest operations, db/migrations.c), follow
 * one, list the caller's open and recent ones. */
#include "db/migrations.h"

#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

/* Columns of MIGRATION_STATUS after its first (the count or the id). */
enum { M_OPEN = 1, M_PROGRESS, M_ERRORS };

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
    const PGresult *res;
    struct json_object *data;

    if (!nb_is_uuid(r->capture[0]))
        return nb_fail(r, NB_E_NOT_FOUND, "migration %s not found", r->capture[0]);
    res = nb_db_query(r, NB_Q_MIGRATION_STATUS, r->capture[0], r->user.id_text,
                      r->user.is_admin ? "t" : "f");
    if (res == NULL)
        return -1;
    if (nb_db_int(res, 0, 0) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "migration %s not found", r->capture[0]);
    if (nb_db_int(res, 0, M_OPEN) == 0 && nb_db_text(res, 0, M_ERRORS)[0] != '\0')
        return nb_fail(r, NB_E_CONFLICT, "migration failed: %s", nb_db_text(res, 0, M_ERRORS));
    data = json_object_new_object();
    json_object_object_add(data, "finished",
                           json_object_new_boolean(nb_db_int(res, 0, M_OPEN) == 0));
    if (nb_db_int(res, 0, M_OPEN) > 0) {
        json_object_object_add(data, "progress",
                               json_object_new_int64(nb_db_int(res, 0, M_PROGRESS)));
        return nano_ok(r, 201, data);
    }
    return nano_ok(r, 200, data);
}

/* GET /migrations/ → [{id, finished, progress while open, error once failed}] */
int
nano_migration_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_MIGRATION_LIST, r->user.id_text);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *o = json_object_new_object();
        bool open = nb_db_int(res, i, M_OPEN) > 0;

        json_object_object_add(o, "id", json_object_new_string(nb_db_text(res, i, 0)));
        json_object_object_add(o, "finished", json_object_new_boolean(!open));
        if (open)
            json_object_object_add(o, "progress",
                                   json_object_new_int64(nb_db_int(res, i, M_PROGRESS)));
        else if (nb_db_text(res, i, M_ERRORS)[0] != '\0')
            json_object_object_add(o, "error",
                                   json_object_new_string(nb_db_text(res, i, M_ERRORS)));
        json_object_array_add(data, o);
    }
    return nano_ok(r, 200, data);
}
