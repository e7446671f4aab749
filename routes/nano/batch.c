/* Nano batches: many guests created, deleted or stopped in one request. A batch id groups
 * the operations; its status is read back from them. A batch is all or nothing at request
 * time: every guest is checked before any operation is queued. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"


static const char *
new_batch(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_BATCH_NEW, NULL);

    return res != NULL ? nb_db_text(res, 0, 0) : NULL;
}

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
    if ((batch = new_batch(r)) == NULL)
        return -1;
    nb_guest_spec_from_json(r, r->json, &spec);
    for (int i = 0; i < count; i++) {
        spec.name = nb_arena_printf(r->arena, "%s_%d", prefix != NULL && prefix[0] ? prefix : "guest", i);
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
batch_each(struct nb_req *r, const char *kind, const char *params,
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
    if ((batch = new_batch(r)) == NULL)
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

/* POST /batch/delete_guest/ {guest, force} → 202 {id} */
int
nano_batch_delete(struct nb_req *r)
{
    bool force = json_object_get_boolean(nb_json_get(r->json, "force"));

    return batch_each(r, "delete_guest", force ? "{\"force\": true}" : "{\"force\": false}",
                      refuse_running_unless_forced);
}

/* POST /batch/stop_guest/ {guest} → 202 {id} */
int
nano_batch_stop(struct nb_req *r)
{
    return batch_each(r, "stop_guest", "{\"force\": true}", refuse_stopped);
}

/* The words each batch kind uses for its rows' status. */
struct batch_words {
    const char *kind, *busy, *done;
};

static const struct batch_words create_words = {"create_guest", "creating", "created"};
static const struct batch_words delete_words = {"delete_guest", "deleting", "deleted"};
static const struct batch_words stop_words = {"stop_guest", "stopping", "stopped"};

/* 202 while any row is open, 200 once all are finished. */
static int
batch_status(struct nb_req *r, const struct batch_words *w)
{
    const PGresult *res;
    struct json_object *rows;
    bool open = false;

    if (!nb_is_uuid(r->capture[0]))
        return nb_fail(r, NB_E_NOT_FOUND, "batch %s not found", r->capture[0]);
    res = nb_db_query(r, NB_Q_BATCH_STATUS, r->capture[0], w->kind, r->user.id_text,
                      r->user.is_admin ? "t" : "f");
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "batch %s not found", r->capture[0]);
    rows = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *o = json_object_new_object();
        const char *status = nb_db_text(res, i, 2);
        bool failed = strcmp(status, "failed") == 0, done = strcmp(status, "done") == 0;

        open |= !failed && !done;
        if (strcmp(w->kind, "create_guest") == 0)
            json_object_object_add(o, "name", json_object_new_string(nb_db_text(res, i, 1)));
        json_object_object_add(o, "id", json_object_new_string(nb_db_text(res, i, 0)));
        json_object_object_add(o, "status",
                               json_object_new_string(failed ? "fail" : done ? w->done : w->busy));
        if (!failed && !done && strcmp(w->kind, "create_guest") == 0)
            json_object_object_add(o, "progress", json_object_new_int64(nb_db_int(res, i, 3)));
        if (failed)
            json_object_object_add(o, "error", json_object_new_string(nb_db_text(res, i, 4)));
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
