/* Nano batches: many guests created, deleted or stopped in one request. A batch id groups
 * the operations; its status is read back from them. A batch is all or nothing at request
 * time: every guest is checked before any operation is queued. */
#include <string.h>

#include "db/db.h"
#include "db/operations.h"
#include "routes/nano/nano.h"

/* POST /batch/create_guest/ → 202 {id} */
int
nano_batch_create(struct nb_req *r)
{
    int64_t count = json_object_get_int64(nb_json_get(r->json, "count"));
    const char *rule = nb_json_get_string(r->json, "name_rule");
    const char *prefix = nb_json_get_string(r->json, "name_prefix");
    struct nb_guest_spec spec;
    const char *batch, *id;

    if (rule != NULL && strcmp(rule, "order") != 0)
        return nb_fail_field(r, NB_E_INVALID, "name_rule",
                             "only the 'order' rule is supported (prefix_0, prefix_1, ...)");
    if (nb_batch_new(r, &batch) < 0 || nano_guest_spec(r, r->json, &spec) < 0)
        return -1;
    for (int i = 0; i < count; i++) {
        spec.name =
            nb_arena_printf(r->arena, "%s_%d", prefix != NULL && prefix[0] ? prefix : "guest", i);
        if (nb_guest_create(r, &spec, batch, &id) < 0)
            return -1;
    }
    return nano_id(r, 202, batch);
}

/* Loads every listed guest (checking all before anything is queued). */
static struct nb_guest *
load_all(struct nb_req *r, struct json_object *ids, size_t *n)
{
    struct nb_guest *g;

    *n = ids != NULL ? json_object_array_length(ids) : 0;
    if (*n == 0 || *n > BATCH_MAX) {
        nb_fail_field(r, NB_E_INVALID, "guest", "must list 1 to %d guest ids", BATCH_MAX);
        return NULL;
    }
    g = nb_arena_alloc(r->arena, *n * sizeof(*g));
    for (size_t i = 0; i < *n; i++) {
        const char *id = json_object_get_string(json_object_array_get_idx(ids, i));

        if (!json_object_is_type(json_object_array_get_idx(ids, i), json_type_string) ||
            nb_guest_load(r, id, &g[i]) < 0) {
            nb_fail(r, NB_E_NOT_FOUND, "guest %s not found", id != NULL ? id : "");
            return NULL;
        }
    }
    return g;
}

static struct json_object *
guest_list(struct nb_req *r)
{
    struct json_object *ids = nb_json_get(r->json, "guest");

    return ids != NULL ? ids : nb_json_get(r->json, "guests");
}

/* Checks every listed guest with refuse (which records why one may not take part), then
 * queues kind with params for all of them under one batch id → 202 {id}. */
static int
batch_each(struct nb_req *r, enum nb_op_kind kind, struct json_object *params,
           int (*refuse)(struct nb_req *r, const struct nb_guest *g, bool force))
{
    bool force = json_object_get_boolean(nb_json_get(r->json, "force"));
    struct nb_guest *g;
    const char *batch;
    size_t n;

    if ((g = load_all(r, guest_list(r), &n)) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (refuse(r, &g[i], force) < 0)
            return -1;
    if (nb_batch_new(r, &batch) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (nb_guest_enqueue(r, &g[i], kind, params, batch, NULL) < 0)
            return -1;
    return nano_id(r, 202, batch);
}

static int
refuse_running_unless_forced(struct nb_req *r, const struct nb_guest *g, bool force)
{
    if (nb_guest_bool(g, NB_GC_RUNNING) && !force)
        return nb_fail(r, NB_E_CONFLICT, "guest %s is running; stop it first or delete with force",
                       nb_guest_str(g, NB_GC_NAME));
    return 0;
}

static int
refuse_stopped(struct nb_req *r, const struct nb_guest *g, bool force)
{
    (void)force;
    if (!nb_guest_bool(g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not running", nb_guest_str(g, NB_GC_NAME));
    return 0;
}

/* The parameters {force} of a delete or stop. */
static struct json_object *
force_params(struct nb_req *r, bool force)
{
    struct json_object *o = nb_json_own(r, json_object_new_object());

    json_object_object_add(o, "force", json_object_new_boolean(force));
    return o;
}

/* POST /batch/delete_guest/ {guest, force} → 202 {id} */
int
nano_batch_delete(struct nb_req *r)
{
    return batch_each(r, NB_OP_DELETE_GUEST,
                      force_params(r, json_object_get_boolean(nb_json_get(r->json, "force"))),
                      refuse_running_unless_forced);
}

/* POST /batch/stop_guest/ {guest} → 202 {id} */
int
nano_batch_stop(struct nb_req *r)
{
    return batch_each(r, NB_OP_STOP_GUEST, force_params(r, true), refuse_stopped);
}

/* The words each batch kind uses for its rows' status. */
struct batch_words {
    enum nb_op_kind kind;
    const char *busy, *done;
};

static const struct batch_words create_words = {NB_OP_CREATE_GUEST, "creating", "created"};
static const struct batch_words delete_words = {NB_OP_DELETE_GUEST, "deleting", "deleted"};
static const struct batch_words stop_words = {NB_OP_STOP_GUEST, "stopping", "stopped"};

/* 202 while any row is open, 200 once all are finished. */
static int
batch_status(struct nb_req *r, const struct batch_words *w)
{
    const PGresult *res;
    struct json_object *rows;
    bool open = false;

    if (nb_batch_status(r, r->capture[0], w->kind, &res) < 0)
        return -1;
    rows = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *o = json_object_new_object();
        const char *status = nb_db_text(res, i, NB_BC_STATUS);
        bool failed = strcmp(status, "failed") == 0, done = strcmp(status, "done") == 0;

        open |= !failed && !done;
        if (w->kind == NB_OP_CREATE_GUEST)
            json_object_object_add(o, "name",
                                   json_object_new_string(nb_db_text(res, i, NB_BC_NAME)));
        json_object_object_add(o, "id", json_object_new_string(nb_db_text(res, i, NB_BC_GUEST)));
        json_object_object_add(o, "status",
                               json_object_new_string(failed ? "fail"
                                                      : done ? w->done
                                                             : w->busy));
        if (!failed && !done && w->kind == NB_OP_CREATE_GUEST)
            json_object_object_add(o, "progress",
                                   json_object_new_int64(nb_db_int(res, i, NB_BC_PROGRESS)));
        if (failed)
            json_object_object_add(o, "error",
                                   json_object_new_string(nb_db_text(res, i, NB_BC_ERROR)));
        json_object_array_add(rows, o);
    }
    return nano_ok(r, open ? 202 : 200, rows);
}

int
nano_batch_create_status(struct nb_req *r)
{
    return batch_status(r, &create_words);
}

int
nano_batch_delete_status(struct nb_req *r)
{
    return batch_status(r, &delete_words);
}

int
nano_batch_stop_status(struct nb_req *r)
{
    return batch_status(r, &stop_words);
}
