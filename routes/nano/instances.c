/* Nano instances: running status, start and stop, snapshots. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/images.h"
#include "routes/nano/nano.h"

static int
load_created(struct nb_req *r, struct nb_guest *g)
{
    if (nb_guest_load(r, r->capture[0], g) < 0)
        return -1;
    if (!nb_guest_bool(g, NB_GC_CREATED))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not created yet",
                       nb_guest_str(g, NB_GC_NAME));
    return 0;
}

/* GET /instances/{id} → InstanceStatus. */
int
nano_instance_get(struct nb_req *r)
{
    struct nb_guest g;

    if (load_created(r, &g) < 0)
        return -1;
    return nano_ok(r, 200, nano_guest_json(&g, true));
}

/* POST /instances/{id} {from_media, from_network, source} */
int
nano_instance_start(struct nb_req *r)
{
    struct nb_guest g;
    struct nb_image img;
    struct json_object *params;

    if (load_created(r, &g) < 0)
        return -1;
    if (nb_guest_bool(&g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is already running",
                       nb_guest_str(&g, NB_GC_NAME));
    /* Network (PXE) boot needs a boot server Nimbus does not manage: refused, not ignored. */
    if (json_object_get_boolean(nb_json_get(r->json, "from_network")))
        return nb_fail_field(r, NB_E_INVALID, "from_network",
                             "booting from the network is not supported; start from disk or media");
    params = nb_json_own(r, r->json != NULL ? json_object_get(r->json) : json_object_new_object());
    /* Booting from media names the media image in source; the reconciler finds its file. */
    if (json_object_get_boolean(nb_json_get(r->json, "from_media"))) {
        if (nb_image_load_ready(r, NB_IMAGE_MEDIA, nb_json_get_string(r->json, "source"), "source",
                                &img) < 0)
            return -1;
        json_object_object_add(params, "image",
                               json_object_new_string(nb_image_str(&img, NB_IC_ID)));
    }
    if (nb_guest_enqueue(r, &g, NB_OP_START_GUEST, params, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* Media go into and out of a running guest only. */
static int
load_running(struct nb_req *r, struct nb_guest *g)
{
    if (load_created(r, g) < 0)
        return -1;
    if (!nb_guest_bool(g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT,
                       "guest %s is not running; media go into a running instance",
                       nb_guest_str(g, NB_GC_NAME));
    return 0;
}

/* POST /instances/{id}/media {source, type}: type 0 (a media image) is the only kind. */
int
nano_media_insert(struct nb_req *r)
{
    struct nb_guest g;
    struct nb_image img;
    struct json_object *params = nb_json_own(r, json_object_new_object());

    if (load_running(r, &g) < 0)
        return -1;
    if (nb_json_get(r->json, "type") != NULL &&
        json_object_get_int64(nb_json_get(r->json, "type")) != 0)
        return nb_fail_field(r, NB_E_INVALID, "type", "must be 0 (media image)");
    if (nb_image_load_ready(r, NB_IMAGE_MEDIA, nb_json_get_string(r->json, "source"), "source",
                            &img) < 0)
        return -1;
    json_object_object_add(params, "image", json_object_new_string(nb_image_str(&img, NB_IC_ID)));
    if (nb_guest_enqueue(r, &g, NB_OP_INSERT_MEDIA, params, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /instances/{id}/media: only when the host reports media in the drive. */
int
nano_media_eject(struct nb_req *r)
{
    struct nb_guest g;

    if (load_running(r, &g) < 0)
        return -1;
    if (!nb_guest_bool(&g, NB_GC_MEDIA_ATTACHED))
        return nb_fail(r, NB_E_CONFLICT, "guest %s has no media inserted",
                       nb_guest_str(&g, NB_GC_NAME));
    if (nb_guest_enqueue(r, &g, NB_OP_EJECT_MEDIA, NULL, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /instances/{id} {reboot, force} */
int
nano_instance_stop(struct nb_req *r)
{
    struct nb_guest g;

    if (load_created(r, &g) < 0)
        return -1;
    if (!nb_guest_bool(&g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not running", nb_guest_str(&g, NB_GC_NAME));
    if (nb_guest_enqueue(r, &g, NB_OP_STOP_GUEST, r->json, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* The guest's snapshot rows, or NULL with the error recorded. */
static const PGresult *
snapshots(struct nb_req *r, struct nb_guest *g)
{
    if (load_created(r, g) < 0)
        return NULL;
    return nb_guest_snapshots(r, g);
}

static int
find_snapshot(const PGresult *res, const char *name)
{
    for (int i = 0; i < PQntuples(res); i++)
        if (strcmp(nb_db_text(res, i, NB_SNC_NAME), name) == 0)
            return i;
    return -1;
}

/* GET /instances/{id}/snapshots/ → {name: {backing | is_root, is_current}}. */
int
nano_snapshot_list(struct nb_req *r)
{
    struct nb_guest g;
    const PGresult *res = snapshots(r, &g);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *s = json_object_new_object();

        if (nb_db_text(res, i, NB_SNC_PARENT)[0] == '\0')
            json_object_object_add(s, "is_root", json_object_new_boolean(true));
        else
            json_object_object_add(s, "backing",
                                   json_object_new_string(nb_db_text(res, i, NB_SNC_PARENT)));
        if (nb_db_bool(res, i, NB_SNC_CURRENT))
            json_object_object_add(s, "is_current", json_object_new_boolean(true));
        json_object_object_add(data, nb_db_text(res, i, NB_SNC_NAME), s);
    }
    return nano_ok(r, 200, data);
}

/* GET /instances/{id}/snapshots/{name} → {running, description, create_time}. */
int
nano_snapshot_get(struct nb_req *r)
{
    struct nb_guest g;
    const PGresult *res = snapshots(r, &g);
    struct json_object *data;
    int i;

    if (res == NULL)
        return -1;
    if ((i = find_snapshot(res, r->capture[1])) < 0)
        return nb_fail(r, NB_E_NOT_FOUND, "snapshot %s not found", r->capture[1]);
    data = json_object_new_object();
    json_object_object_add(data, "running",
                           json_object_new_boolean(nb_db_bool(res, i, NB_SNC_RUNNING)));
    json_object_object_add(data, "description",
                           json_object_new_string(nb_db_text(res, i, NB_SNC_DESCRIPTION)));
    json_object_object_add(data, "create_time",
                           json_object_new_string(nb_db_text(res, i, NB_SNC_CREATED)));
    return nano_ok(r, 200, data);
}

/* Queues a snapshot operation on a stopped guest; name must exist (or must not, to create). */
static int
snapshot_op(struct nb_req *r, enum nb_op_kind kind, const char *name, bool must_exist,
            bool stopped_only)
{
    struct nb_guest g;
    const PGresult *res = snapshots(r, &g);
    struct json_object *params;

    if (res == NULL)
        return -1;
    if (stopped_only && nb_guest_bool(&g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is running; snapshots only while it is stopped",
                       nb_guest_str(&g, NB_GC_NAME));
    if (must_exist && find_snapshot(res, name) < 0)
        return nb_fail(r, NB_E_NOT_FOUND, "snapshot %s not found", name);
    if (!must_exist && find_snapshot(res, name) >= 0)
        return nb_fail(r, NB_E_CONFLICT, "snapshot %s already exists", name);
    params = nb_json_own(r, json_object_new_object());
    json_object_object_add(params, "name", json_object_new_string(name));
    if (nb_json_get_string(r->json, "description") != NULL)
        json_object_object_add(params, "description",
                               json_object_new_string(nb_json_get_string(r->json, "description")));
    if (nb_guest_enqueue(r, &g, kind, params, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* POST /instances/{id}/snapshots/ {name, description} */
int
nano_snapshot_create(struct nb_req *r)
{
    const char *name = nb_json_get_string(r->json, "name");

    if (nb_check_name(r, "snapshot", name) < 0)
        return -1;
    return snapshot_op(r, NB_OP_CREATE_SNAPSHOT, name, false, true);
}

/* PUT /instances/{id}/snapshots/ {target} */
int
nano_snapshot_restore(struct nb_req *r)
{
    return snapshot_op(r, NB_OP_RESTORE_SNAPSHOT, nb_json_get_string(r->json, "target"), true,
                       true);
}

/* DELETE /instances/{id}/snapshots/{name} */
int
nano_snapshot_delete(struct nb_req *r)
{
    return snapshot_op(r, NB_OP_DELETE_SNAPSHOT, r->capture[1], true, false);
}
