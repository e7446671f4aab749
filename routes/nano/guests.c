/* Nano guests: create, query, delete and modify. Handlers write desired state and queue an
 * operation; the reconciler carries it out on the host (docs/operations.md). */
#include <stdlib.h>
#include <string.h>

#include "app/secret.h"
#include "app/validate.h"
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
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not created yet",
                       nb_guest_str(g, NB_GC_NAME));
    return 0;
}

/* An array of integers as the request's int64 array (an item that is not an integer reads as
 * 0, which no size or port accepts); NULL when absent. */
static const int64_t *
int_array(struct nb_req *r, struct json_object *a, size_t *n)
{
    int64_t *v;

    *n = a != NULL ? json_object_array_length(a) : 0;
    if (a == NULL)
        return NULL;
    v = nb_arena_alloc(r->arena, (*n > 0 ? *n : 1) * sizeof(*v));
    for (size_t i = 0; i < *n; i++) {
        struct json_object *x = json_object_array_get_idx(a, i);

        v[i] = json_object_is_type(x, json_type_int) ? json_object_get_int64(x) : 0;
    }
    return v;
}

/* GuestConfig's qos object as QoS settings: unknown keys and values that are not integers are
 * refused here, their ranges by nb_guest_check_qos. */
static int
qos_from_json(struct nb_req *r, struct json_object *o, struct nb_guest_qos *qos)
{
    struct json_object *prio = nb_json_get(o, "cpu_priority");

    memset(qos, 0, sizeof(*qos));
    if (prio != NULL)
        qos->cpu_priority =
            json_object_is_type(prio, json_type_string) ? json_object_get_string(prio) : "";
    if (o == NULL)
        return 0;
    json_object_object_foreach(o, key, val)
    {
        int l = 0;

        if (strcmp(key, "cpu_priority") == 0)
            continue;
        while (l < NB_QOS__MAX && strcmp(nb_qos_limit_name[l], key) != 0)
            l++;
        if (l == NB_QOS__MAX)
            return nb_fail_field(r, NB_E_INVALID, nb_arena_strdup(r->arena, key),
                                 "This field is not accepted.");
        if (!json_object_is_type(val, json_type_int))
            return nb_fail_field(r, NB_E_INVALID, nb_arena_strdup(r->arena, key),
                                 "must be an integer of at least 0 (0 = unlimited)");
        qos->set |= 1u << l;
        qos->limit[l] = json_object_get_int64(val);
    }
    return 0;
}

int
nano_guest_spec(struct nb_req *r, struct json_object *o, struct nb_guest_spec *s)
{
    struct json_object *modules = nb_json_get(o, "modules");
    const char **m;

    memset(s, 0, sizeof(*s));
    s->name = nb_json_get_string(o, "name");
    s->owner = nb_json_get_string(o, "owner");
    s->group = nb_json_get_string(o, "group");
    s->pool = nb_json_get_string(o, "pool");
    s->template_id = nb_json_get_string(o, "template");
    s->system = nb_json_get_string(o, "system");
    s->network_address = nb_json_get_string(o, "network_address");
    s->ethernet_address = nb_json_get_string(o, "ethernet_address");
    s->from_image = nb_json_get_string(o, "from_image");
    s->security_policy_group = nb_json_get_string(o, "security_policy_group");
    s->cloud_init = nb_json_get(o, "cloud_init");
    s->admin_name = nb_json_get_string(s->cloud_init, "admin_name");
    s->admin_secret = nb_json_get_string(s->cloud_init, "admin_secret");
    s->disks = int_array(r, nb_json_get(o, "disks"), &s->ndisks);
    s->ports = int_array(r, nb_json_get(o, "ports"), &s->nports);
    s->nmodules = modules != NULL ? json_object_array_length(modules) : 0;
    s->modules = m = nb_arena_alloc(r->arena, (s->nmodules > 0 ? s->nmodules : 1) * sizeof(*m));
    for (size_t i = 0; i < s->nmodules; i++) {
        struct json_object *x = json_object_array_get_idx(modules, i);

        /* a module that is not a string is refused under its JSON text */
        m[i] = json_object_is_type(x, json_type_string) ? json_object_get_string(x)
               : x != NULL ? nb_arena_strdup(r->arena, json_object_get_string(x))
                           : "";
    }
    s->cores = json_object_get_int64(nb_json_get(o, "cores"));
    s->memory = json_object_get_int64(nb_json_get(o, "memory"));
    s->auto_start = json_object_get_boolean(nb_json_get(o, "auto_start"));
    return qos_from_json(r, nb_json_get(o, "qos"), &s->qos);
}

/* A change of the guest of the path's first capture. */
static int
modify(struct nb_req *r, const struct nb_guest_change *c)
{
    struct nb_guest g;

    if (load(r, &g, false) < 0 || nb_guest_modify(r, &g, c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* Operation parameters: a JSON object the request owns. */
static struct json_object *
params_new(struct nb_req *r)
{
    return nb_json_own(r, json_object_new_object());
}

/* POST /guests/ → 202 {id}. */
int
nano_guest_create(struct nb_req *r)
{
    struct nb_guest_spec spec;
    const char *id;

    if (nano_guest_spec(r, r->json, &spec) < 0 || nb_guest_create(r, &spec, NULL, &id) < 0)
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
        return nb_fail(r, NB_E_CONFLICT, "creating guest %s failed: %s",
                       nb_guest_str(&g, NB_GC_NAME), nb_guest_str(&g, NB_GC_CREATE_ERROR));
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(nb_guest_str(&g, NB_GC_NAME)));
    json_object_object_add(data, "created", json_object_new_boolean(false));
    json_object_object_add(data, "progress",
                           json_object_new_int64(nb_guest_int(&g, NB_GC_PROGRESS)));
    return nano_ok(r, 201, data);
}

/* DELETE /guests/{id} {force}: a running guest only with force. */
int
nano_guest_delete(struct nb_req *r)
{
    struct nb_guest g;
    bool force = json_object_get_boolean(nb_json_get(r->json, "force"));
    struct json_object *params = params_new(r);

    if (load(r, &g, false) < 0)
        return -1;
    if (nb_guest_bool(&g, NB_GC_RUNNING) && !force)
        return nb_fail(r, NB_E_CONFLICT, "guest %s is running; stop it first or delete with force",
                       nb_guest_str(&g, NB_GC_NAME));
    json_object_object_add(params, "force", json_object_new_boolean(force));
    if (nb_guest_enqueue(r, &g, NB_OP_DELETE_GUEST, params, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/auto_start {enable} */
int
nano_guest_auto_start(struct nb_req *r)
{
    return modify(r, &(struct nb_guest_change){
                         .set = NB_GUEST_SET_AUTO_START,
                         .auto_start = json_object_get_boolean(nb_json_get(r->json, "enable"))});
}

/* PUT /guests/{id}/cores {cores, immediate}: a running guest gets them at its next start. */
int
nano_guest_cores(struct nb_req *r)
{
    return modify(r, &(struct nb_guest_change){
                         .set = NB_GUEST_SET_CORES,
                         .cores = json_object_get_int64(nb_json_get(r->json, "cores")),
                         .immediate = json_object_get_boolean(nb_json_get(r->json, "immediate"))});
}

/* PUT /guests/{id}/memory {memory, immediate}: only while stopped, as the blueprint says. */
int
nano_guest_memory(struct nb_req *r)
{
    return modify(r, &(struct nb_guest_change){
                         .set = NB_GUEST_SET_MEMORY,
                         .memory = json_object_get_int64(nb_json_get(r->json, "memory"))});
}

/* The disk of capture 1 of a created, stopped guest: its index and current size. */
static int
stopped_disk(struct nb_req *r, struct nb_guest *g, const char *what, long *index, int64_t *size)
{
    struct json_object *disks;
    long long n;

    if (load(r, g, true) < 0 || nb_guest_stopped(r, g, what) < 0)
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
        return nb_fail_field(r, NB_E_INVALID, "size",
                             "disk %ld is already %lld bytes; a resize must grow it", index,
                             (long long)current);
    /* The row changes when the host has grown the volume (the reconciler writes it). */
    if (nb_guest_resize_disk(r, &g, index, size, current) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/disks/shrink/{disk}: compact the disk file of a stopped guest. */
int
nano_guest_disk_shrink(struct nb_req *r)
{
    struct nb_guest g;
    int64_t current;
    struct json_object *params = params_new(r);
    long index;

    if (stopped_disk(r, &g, "disks can be shrunk", &index, &current) < 0)
        return -1;
    json_object_object_add(params, "disk", json_object_new_int64(index));
    if (nb_guest_enqueue(r, &g, NB_OP_SHRINK_DISK, params, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/name/ {name} */
int
nano_guest_name(struct nb_req *r)
{
    return modify(r, &(struct nb_guest_change){.set = NB_GUEST_SET_NAME,
                                               .name = nb_json_get_string(r->json, "name")});
}

/* PUT /guests/{id}/monitor/secret: a new random VNC password for the guest's console (the real
 * core's resetMonitorSecret); answered once the host has it, with no data, as the real one.
 * The new secret is read with the guest (monitor_secret) or given by a monitor channel. */
int
nano_guest_monitor_secret(struct nb_req *r)
{
    struct nb_guest g;

    if (load(r, &g, true) < 0 || nb_guest_reset_monitor_secret(r, &g) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/qos/cpu/ {priority} */
int
nano_guest_qos_cpu(struct nb_req *r)
{
    struct nb_guest_change c = {.set = NB_GUEST_SET_QOS};

    c.qos.cpu_priority = nb_json_get_string(r->json, "priority");
    if (c.qos.cpu_priority == NULL)
        c.qos.cpu_priority = "";
    return modify(r, &c);
}

/* PUT /guests/{id}/qos/disk/ and /qos/network/: the body is the QoS subset itself. */
int
nano_guest_qos_limits(struct nb_req *r)
{
    struct nb_guest_change c = {.set = NB_GUEST_SET_QOS};

    if (qos_from_json(r, r->json, &c.qos) < 0)
        return -1;
    return modify(r, &c);
}

/* GET /guests/{id}/auth: the administrator account as last set in the guest (created with,
 * the last set_password that succeeded, or stored while it was stopped). */
int
nano_guest_auth_get(struct nb_req *r)
{
    struct nb_guest g;
    struct json_object *data;

    if (load(r, &g, false) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "user",
                           json_object_new_string(nb_guest_str(&g, NB_GC_ADMIN_NAME)));
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
    struct json_object *params = params_new(r);

    if (load(r, &g, true) < 0 || nb_guest_stopped(r, &g, "its system can be reset") < 0 ||
        nb_image_load_ready(r, NB_IMAGE_DISK, image, "from_image", &img) < 0 ||
        nb_guest_idle(r, &g) < 0)
        return -1;
    json_object_object_add(params, "image", json_object_new_string(nb_image_str(&img, NB_IC_ID)));
    if (nb_guest_enqueue(r, &g, NB_OP_RESET_SYSTEM, params, NULL, NULL) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /guests/{id}/auth {password, user}: set through the guest agent of the running guest
 * (set_password; GET shows them once the guest has taken them), or stored at once for a
 * stopped guest, whose agent gets them when it next runs. The answer carries the credentials
 * (the password generated when omitted). */
int
nano_guest_auth_set(struct nb_req *r)
{
    struct nb_guest g;
    struct json_object *params, *data;
    const char *password = nb_json_get_string(r->json, "password");
    const char *user = nb_json_get_string(r->json, "user");

    if (load(r, &g, true) < 0)
        return -1;
    if (password != NULL && password[0] == '\0')
        return nb_fail_field(r, NB_E_INVALID, "password",
                             "must not be empty (omit it to generate one)");
    if (user != NULL && nb_check_name(r, "user", user) < 0)
        return -1;
    params = nb_json_own(r, json_object_new_object());
    json_object_object_add(
        params, "user",
        json_object_new_string(user != NULL ? user : nb_guest_str(&g, NB_GC_ADMIN_NAME)));
    json_object_object_add(
        params, "password",
        json_object_new_string(password != NULL ? password : nb_random_hex(r->arena, 8)));
    if (!nb_guest_bool(&g, NB_GC_RUNNING)
            ? nb_guest_auth_store(r, &g, nb_json_get_string(params, "user"),
                                  nb_json_get_string(params, "password")) < 0
            : nb_guest_enqueue(r, &g, NB_OP_SET_PASSWORD, params, NULL, NULL) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "password", json_object_get(nb_json_get(params, "password")));
    json_object_object_add(data, "user", json_object_get(nb_json_get(params, "user")));
    return nano_ok(r, 200, data);
}
