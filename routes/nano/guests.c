/* Nano guests: create, query, delete and modify. Handlers write desired state and queue an
 * operation; the reconciler carries it out on the host (docs/operations.md). */
#include <stdlib.h>
#include <string.h>

#include "app/validate.h"
#include "app/secret.h"
#include "db/db.h"
#include "db/images.h"
#include "routes/nano/nano.h"

/* Loads the guest of the path's first capture, refusing one not created yet when needed. */
static int
load(struct nb_req *r, struct nb_guest *g, bool must_be_created)
{
    if (nb_guest_load(r, r->capture[0], g) < 0)
        return -1;
    if (must_be_created && !nb_guest_bool(g, NB_GC_CREATED))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not created yet", nb_guest_str(g, NB_GC_NAME));
    return 0;
}

static int
refuse_running(struct nb_req *r, const struct nb_guest *g, const char *what)
{
    if (nb_guest_bool(g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is running; %s only while it is stopped",
                       nb_guest_str(g, NB_GC_NAME), what);
    return 0;
}

/* Writes changes to the row and re-defines the domain from it. */
static int
set_and_sync(struct nb_req *r, const struct nb_guest *g, struct json_object *changes)
{
    if (nb_guest_set(r, g, changes) < 0 || nb_guest_enqueue(r, g, "sync_guest", NULL, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* One key of the body under another name, as a change for nb_guest_set. */
static struct json_object *
change(struct nb_req *r, const char *key, struct json_object *value)
{
    struct json_object *o = nb_json_own(r, json_object_new_object());

    json_object_object_add(o, key, json_object_get(value));
    return o;
}

/* POST /guests/ → 202 {id}. */
int
nano_guest_create(struct nb_req *r)
{
    struct nb_guest_spec spec;
    const char *id;

    nb_guest_spec_from_json(r, r->json, &spec);
    if (nb_guest_create(r, &spec, NULL, &id) < 0)
        return -1;
    return nano_id(r, 202, id);
}

/* GET /guests/{id}: 201 with progress while creating, 200 with InstanceData once created. */
int
nano_guest_get(struct nb_req *r)
{
    struct nb_guest g;
    struct json_object *data;

    if (load(r, &g, false) < 0)
        return -1;
    if (nb_guest_bool(&g, NB_GC_CREATED))
        return nano_ok(r, 200, nano_guest_json(&g, false));
    if (nb_guest_str(&g, NB_GC_CREATE_ERROR)[0] != '\0')
        return nb_fail(r, NB_E_CONFLICT, "creating guest %s failed: %s", nb_guest_str(&g, NB_GC_NAME),
                       nb_guest_str(&g, NB_GC_CREATE_ERROR));
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(nb_guest_str(&g, NB_GC_NAME)));
    json_object_object_add(data, "created", json_object_new_boolean(false));
    json_object_object_add(data, "progress", json_object_new_int64(nb_guest_int(&g, NB_GC_PROGRESS)));
    return nano_ok(r, 201, data);
}

/* DELETE /guests/{id} {force}: a running guest only with force. */
int
nano_guest_delete(struct nb_req *r)
{
    struct nb_guest g;
    bool force = json_object_get_boolean(nb_json_get(r->json, "force"));

    if (load(r, &g, false) < 0)
        return -1;
    if (nb_guest_bool(&g, NB_GC_RUNNING) && !force)
        return nb_fail(r, NB_E_CONFLICT, "guest %s is running; stop it first or delete with force",
                       nb_guest_str(&g, NB_GC_NAME));
    if (nb_guest_enqueue(r, &g, "delete_guest", force ? "{\"force\": true}" : "{\"force\": false}",
                         NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/auto_start {enable} */
int
nano_guest_auto_start(struct nb_req *r)
{
    struct nb_guest g;

    if (load(r, &g, false) < 0)
        return -1;
    return set_and_sync(r, &g, change(r, "auto_start", nb_json_get(r->json, "enable")));
}

/* The largest cores and memory a cell of the guest's pool offers. */
static int
pool_limits(struct nb_req *r, const struct nb_guest *g, int64_t *cores, int64_t *memory)
{
    const PGresult *res = nb_db_query(r, NB_Q_POOL_LIMITS, nb_guest_str(g, NB_GC_POOL));

    if (res == NULL)
        return -1;
    *cores = PQntuples(res) ? nb_db_int(res, 0, 3) : 0;
    *memory = PQntuples(res) ? nb_db_int(res, 0, 4) : 0;
    return 0;
}

/* PUT /guests/{id}/cores {cores, immediate}: a running guest gets them at its next start. */
int
nano_guest_cores(struct nb_req *r)
{
    struct nb_guest g;
    int64_t max_cores, max_memory, cores = json_object_get_int64(nb_json_get(r->json, "cores"));

    if (load(r, &g, false) < 0 || pool_limits(r, &g, &max_cores, &max_memory) < 0)
        return -1;
    if (cores < 1 || cores > max_cores)
        return nb_fail_field(r, NB_E_INVALID, "cores", "must be 1 to %lld", (long long)max_cores);
    if (json_object_get_boolean(nb_json_get(r->json, "immediate")) &&
        refuse_running(r, &g, "cores change immediately") < 0)
        return -1;
    return set_and_sync(r, &g, change(r, "cores", nb_json_get(r->json, "cores")));
}

/* PUT /guests/{id}/memory {memory, immediate}: only while stopped, as the blueprint says. */
int
nano_guest_memory(struct nb_req *r)
{
    struct nb_guest g;
    int64_t max_cores, max_memory, memory = json_object_get_int64(nb_json_get(r->json, "memory"));

    if (load(r, &g, false) < 0 || pool_limits(r, &g, &max_cores, &max_memory) < 0)
        return -1;
    if (memory < 1 || memory > max_memory)
        return nb_fail_field(r, NB_E_INVALID, "memory", "must be 1 to %lld bytes",
                             (long long)max_memory);
    if (refuse_running(r, &g, "memory can change") < 0)
        return -1;
    return set_and_sync(r, &g, change(r, "memory", nb_json_get(r->json, "memory")));
}

/* The disk of capture 1 of a created, stopped guest: its index and current size. */
static int
stopped_disk(struct nb_req *r, struct nb_guest *g, const char *what, long *index, int64_t *size)
{
    struct json_object *disks;
    long long n;

    if (load(r, g, true) < 0 || refuse_running(r, g, what) < 0)
        return -1;
    disks = nb_json_own(r, nb_db_json(g->res, g->row, NB_GC_DISKS));
    if (nb_parse_int(r->capture[1], 0, (long long)json_object_array_length(disks) - 1, &n) < 0)
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s has no disk %s", nb_guest_str(g, NB_GC_NAME),
                       r->capture[1]);
    *index = (long)n;
    *size = json_object_get_int64(json_object_array_get_idx(disks, (size_t)n));
    return 0;
}

/* PUT /guests/{id}/disks/resize/{disk} {size}: grow one disk of a stopped guest. */
int
nano_guest_disk_resize(struct nb_req *r)
{
    struct nb_guest g;
    int64_t current, size = json_object_get_int64(nb_json_get(r->json, "size"));
    long index;

    if (stopped_disk(r, &g, "disks can be resized", &index, &current) < 0)
        return -1;
    if (size <= current)
        return nb_fail_field(r, NB_E_INVALID, "size", "disk %ld is already %lld bytes; a resize must grow it",
                             index, (long long)current);
    /* The row changes when the host has grown the volume (the reconciler writes it). */
    if (nb_guest_enqueue(r, &g, "resize_disk",
                         nb_arena_printf(r->arena, "{\"disk\": %ld, \"size\": %lld}", index, (long long)size),
                         NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/disks/shrink/{disk}: compact the disk file of a stopped guest. */
int
nano_guest_disk_shrink(struct nb_req *r)
{
    struct nb_guest g;
    int64_t current;
    long index;

    if (stopped_disk(r, &g, "disks can be shrunk", &index, &current) < 0 ||
        nb_guest_enqueue(r, &g, "shrink_disk", nb_arena_printf(r->arena, "{\"disk\": %ld}", index),
                         NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/name/ {name} */
int
nano_guest_name(struct nb_req *r)
{
    struct nb_guest g;

    if (load(r, &g, false) < 0 ||
        nb_check_name(r, "guest", nb_json_get_string(r->json, "name")) < 0 ||
        nb_guest_set(r, &g, change(r, "name", nb_json_get(r->json, "name"))) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/qos/cpu/ {priority} */
int
nano_guest_qos_cpu(struct nb_req *r)
{
    struct nb_guest g;
    struct json_object *c;

    if (load(r, &g, false) < 0)
        return -1;
    c = change(r, "cpu_priority", nb_json_get(r->json, "priority"));
    if (nb_guest_check_qos(r, c) < 0)
        return -1;
    return set_and_sync(r, &g, c);
}

/* PUT /guests/{id}/qos/disk/ and /qos/network/: the body is the QoS subset itself. */
int
nano_guest_qos_limits(struct nb_req *r)
{
    struct nb_guest g;

    if (load(r, &g, false) < 0 || nb_guest_check_qos(r, r->json) < 0)
        return -1;
    return set_and_sync(r, &g, r->json);
}

/* GET /guests/{id}/auth: the administrator account as last set in the guest (created with,
 * or the last set_password that succeeded). */
int
nano_guest_auth_get(struct nb_req *r)
{
    struct nb_guest g;
    struct json_object *data;

    if (load(r, &g, false) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "user", json_object_new_string(nb_guest_str(&g, NB_GC_ADMIN_NAME)));
    json_object_object_add(data, "password",
                           json_object_new_string(nb_guest_str(&g, NB_GC_ADMIN_SECRET)));
    return nano_ok(r, 200, data);
}

/* PUT /guests/{id}/system/ {from_image}: volume 0 of a stopped, idle guest rebuilt from a disk
 * image (reset_system); the row names the image once the host has done it. */
int
nano_guest_system(struct nb_req *r)
{
    struct nb_guest g;
    struct nb_image img;
    const char *image = nb_json_get_string(r->json, "from_image");

    if (load(r, &g, true) < 0 || refuse_running(r, &g, "its system can be reset") < 0 ||
        nb_image_load_ready(r, NB_IMAGE_DISK, image, "from_image", &img) < 0 ||
        nb_guest_idle(r, &g) < 0)
        return -1;
    if (nb_guest_enqueue(r, &g, "reset_system",
                         nb_arena_printf(r->arena, "{\"image\": \"%s\"}",
                                         nb_image_str(&img, NB_IC_ID)),
                         NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/auth {password, user}: set through the guest agent of the running guest
 * (set_password). The answer carries the credentials being set (the password generated when
 * omitted); GET shows them once the guest has taken them. */
int
nano_guest_auth_set(struct nb_req *r)
{
    struct nb_guest g;
    struct json_object *params, *data;
    const char *password = nb_json_get_string(r->json, "password");
    const char *user = nb_json_get_string(r->json, "user");

    if (load(r, &g, true) < 0)
        return -1;
    if (!nb_guest_bool(&g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not running; its guest agent sets the password",
                       nb_guest_str(&g, NB_GC_NAME));
    if (password != NULL && password[0] == '\0')
        return nb_fail_field(r, NB_E_INVALID, "password", "must not be empty (omit it to generate one)");
    if (user != NULL && nb_check_name(r, "user", user) < 0)
        return -1;
    params = nb_json_own(r, json_object_new_object());
    json_object_object_add(params, "user", json_object_new_string(
                                               user != NULL ? user : nb_guest_str(&g, NB_GC_ADMIN_NAME)));
    json_object_object_add(params, "password", json_object_new_string(
                                                   password != NULL ? password : nb_random_hex(r->arena, 8)));
    if (nb_guest_enqueue(r, &g, "set_password",
                         json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN), NULL, NULL) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "password", json_object_get(nb_json_get(params, "password")));
    json_object_object_add(data, "user", json_object_get(nb_json_get(params, "user")));
    return nano_ok(r, 200, data);
}
