/* Running operations (docs/operations.md): the kind table, taking the oldest open operation of
 * each guest on the held cells, and marking it running, done or failed. Each operation runs
 * in an arena of its own, reset when it ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/image_store.h"
#include "app/log.h"
#include "app/reconciler/reconciler.h"
#include "db/db.h"
#include "db/operations.h"

/* Operations taken per cycle; the rest wait for the next (which starts at once). */
#define OPS_PER_CYCLE 32
/* An operation whose every run killed the reconciler is given up after this many. */
#define OPS_MAX_ATTEMPTS 5

/* Columns of OPS_NEXT. */
enum {
    C_ID,
    C_KIND,
    C_GUEST,
    C_PARAMS,
    C_CELL,
    C_ATTEMPTS,
    C_PRESENT,
    C_NAME,
    C_CORES,
    C_MEMORY,
    C_DISKS,
    C_AUTOSTART,
    C_MAC,
    C_MONITOR,
    C_PRIORITY,
    C_QOS_READ,
    C_QOS_WRITE,
    C_QOS_READ_IOPS,
    C_QOS_WRITE_IOPS,
    C_QOS_RECEIVE,
    C_QOS_SEND,
    C_BUS,
    C_NIC,
    C_VIDEO,
    C_CONTROL,
    C_USB,
    C_TABLET,
    C_FROM_IMAGE_FILE,
    C_POLICY_DEFAULT,
    C_POLICY_RULES
};

/* What each kind runs, and the checks its table row asks for before it. */
static const struct op_kind {
    int (*run)(struct nb_req *r, struct nb_op *op);
    bool needs_guest;  /* refused when the guest row is gone */
    bool needs_domain; /* refused when the guest has no domain on the host */
} kinds[NB_OP__MAX] = {
    [NB_OP_CREATE_GUEST] = {nb_op_create_guest, true, false},
    [NB_OP_DELETE_GUEST] = {nb_op_delete_guest, false, false},
    [NB_OP_START_GUEST] = {nb_op_start_guest, true, true},
    [NB_OP_STOP_GUEST] = {nb_op_stop_guest, true, true},
    [NB_OP_SYNC_GUEST] = {nb_op_sync_guest, true, true},
    [NB_OP_RESIZE_DISK] = {nb_op_resize_disk, true, false},
    [NB_OP_SHRINK_DISK] = {nb_op_shrink_disk, true, false},
    [NB_OP_CREATE_SNAPSHOT] = {nb_op_create_snapshot, true, true},
    [NB_OP_RESTORE_SNAPSHOT] = {nb_op_restore_snapshot, true, true},
    [NB_OP_DELETE_SNAPSHOT] = {nb_op_delete_snapshot, true, true},
    [NB_OP_MIGRATE_GUEST] = {nb_op_migrate_guest, true, false},
    [NB_OP_CREATE_DISK_IMAGE] = {nb_op_create_disk_image, true, false},
    [NB_OP_RESET_SYSTEM] = {nb_op_reset_system, true, true},
    [NB_OP_INSERT_MEDIA] = {nb_op_insert_media, true, true},
    [NB_OP_EJECT_MEDIA] = {nb_op_eject_media, true, true},
    [NB_OP_SET_PASSWORD] = {nb_op_set_password, true, true},
};

const char *
nb_op_param(const struct nb_op *op, const char *key)
{
    struct json_object *v = NULL;

    return json_object_object_get_ex(op->params, key, &v) &&
                   json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "";
}

const char *
nb_op_image_path(struct nb_req *r, const struct nb_op *op, const char *kind)
{
    const char *id = nb_op_param(op, "image");
    const PGresult *res = nb_db_query(r, NB_Q_OP_IMAGE_FILE, id, kind);

    if (res == NULL)
        return NULL;
    if (PQntuples(res) == 0 || nb_db_text(res, 0, 0)[0] == '\0') {
        nb_fail(r, NB_E_NOT_FOUND, "%s image %s not found or without its file", kind, id);
        return NULL;
    }
    return nb_image_path(r, strcmp(kind, "media") == 0 ? NB_IMAGE_MEDIA : NB_IMAGE_DISK,
                         nb_db_text(res, 0, 0));
}

static void
free_domain(void *p)
{
    virDomainFree(p);
}

static void
free_pool(void *p)
{
    virStoragePoolFree(p);
}

static void
free_volume(void *p)
{
    virStorageVolFree(p);
}

static void
free_snapshot(void *p)
{
    virDomainSnapshotFree(p);
}

static void
put_json(void *p)
{
    json_object_put(p);
}

virDomainPtr
nb_own_domain(struct nb_req *r, virDomainPtr d)
{
    if (d != NULL)
        nb_arena_defer(r->arena, free_domain, d);
    return d;
}

virStoragePoolPtr
nb_own_pool(struct nb_req *r, virStoragePoolPtr p)
{
    if (p != NULL)
        nb_arena_defer(r->arena, free_pool, p);
    return p;
}

virStorageVolPtr
nb_own_volume(struct nb_req *r, virStorageVolPtr v)
{
    if (v != NULL)
        nb_arena_defer(r->arena, free_volume, v);
    return v;
}

virDomainSnapshotPtr
nb_own_snapshot(struct nb_req *r, virDomainSnapshotPtr s)
{
    if (s != NULL)
        nb_arena_defer(r->arena, free_snapshot, s);
    return s;
}

void *
nb_own_malloc(struct nb_req *r, void *p)
{
    if (p != NULL)
        nb_arena_defer(r->arena, free, p);
    return p;
}

struct json_object *
nb_own_json(struct nb_req *r, struct json_object *o)
{
    if (o != NULL)
        nb_arena_defer(r->arena, put_json, o);
    return o;
}

void
nb_op_progress(struct nb_req *r, const struct nb_op *op, int percent)
{
    struct nb_req w = {.arena = r->arena, .request_id = "reconciler"};

    /* A separate error slot: a lost progress write must not fail the operation. */
    if (nb_db_query(&w, NB_Q_OPS_PROGRESS, op->id, nb_arena_printf(r->arena, "%d", percent)) ==
        NULL)
        nb_log_warn(NULL, "operation %s: progress not recorded: %s", op->id, w.err.message);
}

/* Whether the guest's domain runs once the operation is through, and its console's address
 * (a started guest's monitor channel can be opened as soon as the start answers); read once. */
static void
look(struct nb_req *r, struct nb_op *op)
{
    if (op->seen)
        return;
    op->seen = true;
    op->active = op->dom != NULL ? virDomainIsActive(op->dom) : -1;
    op->display = op->active == 1 ? nb_guest_display(r, op->cell, op->dom) : "";
}

int
nb_op_closing(struct nb_req *r, struct nb_op *op)
{
    look(r, op);
    return nb_db_begin(r);
}

static struct nb_cell *
held_cell(struct nb_reconciler *rc, int64_t id)
{
    for (int i = 0; i < rc->ncells; i++)
        if (rc->cells[i].id == id)
            return &rc->cells[i];
    return NULL;
}

static const struct op_kind *
kind_of(const char *name)
{
    int k = nb_op_kind_parse(name);

    return k >= 0 ? &kinds[k] : NULL;
}

/* The guest columns of row i, copied into the operation's arena. */
static void
load_guest(struct nb_req *r, const PGresult *res, int i, struct nb_guest_spec *g)
{
    char *disks = nb_arena_strdup(r->arena, nb_db_text(res, i, C_DISKS));
#define T(col) nb_arena_strdup(r->arena, nb_db_text(res, i, (col)))

    g->present = nb_db_bool(res, i, C_PRESENT);
    g->name = T(C_NAME);
    g->cores = (int)nb_db_int(res, i, C_CORES);
    g->memory = nb_db_int(res, i, C_MEMORY);
    for (char *save = NULL, *d = strtok_r(disks, ",", &save);
         d != NULL && g->ndisks < (int)(sizeof(g->disks) / sizeof(g->disks[0]));
         d = strtok_r(NULL, ",", &save))
        g->disks[g->ndisks++] = strtoll(d, NULL, 10);
    g->auto_start = nb_db_bool(res, i, C_AUTOSTART);
    g->mac = T(C_MAC);
    g->monitor_secret = T(C_MONITOR);
    g->cpu_priority = T(C_PRIORITY);
    g->qos_read_speed = nb_db_int(res, i, C_QOS_READ);
    g->qos_write_speed = nb_db_int(res, i, C_QOS_WRITE);
    g->qos_read_iops = nb_db_int(res, i, C_QOS_READ_IOPS);
    g->qos_write_iops = nb_db_int(res, i, C_QOS_WRITE_IOPS);
    g->qos_receive_speed = nb_db_int(res, i, C_QOS_RECEIVE);
    g->qos_send_speed = nb_db_int(res, i, C_QOS_SEND);
    g->bus = T(C_BUS);
    g->nic = T(C_NIC);
    g->video = T(C_VIDEO);
    g->control = T(C_CONTROL);
    g->usb = T(C_USB);
    g->tablet = T(C_TABLET);
    g->from_image_file = T(C_FROM_IMAGE_FILE);
    g->policy_default = T(C_POLICY_DEFAULT);
    g->policy_rules = nb_own_json(r, json_tokener_parse(nb_db_text(res, i, C_POLICY_RULES)));
#undef T
}

/* The checks every kind shares, from its table row; then the kind itself. */
static int
dispatch(struct nb_req *r, struct nb_op *op, int attempts)
{
    const struct op_kind *k = kind_of(op->kind);

    if (k == NULL)
        return nb_fail(r, NB_E_INVALID, "unknown operation kind");
    if (attempts > OPS_MAX_ATTEMPTS)
        return nb_fail(r, NB_E_INTERNAL, "given up after %d attempts", OPS_MAX_ATTEMPTS);
    if (op->params == NULL || !json_object_is_type(op->params, json_type_object))
        return nb_fail(r, NB_E_INVALID, "operation params are not a JSON object");
    if (k->needs_guest && !op->g.present)
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s not found", op->guest_id);
    if (op->guest_id[0] != '\0')
        op->dom = nb_own_domain(r, virDomainLookupByUUIDString(op->cell->conn, op->guest_id));
    if (k->needs_domain && op->dom == NULL)
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s has no domain on cell %s", op->guest_id,
                       op->cell->name);
    return k->run(r, op);
}

/* Records what the host shows of the guest (look); a domain gone (deleted, migrated away)
 * says nothing, and the next observation settles it. */
static void
record_running(struct nb_req *r, struct nb_op *op)
{
    look(r, op);
    if (op->active >= 0 && nb_db_query(r, NB_Q_GUEST_RUNNING, op->guest_id, op->active ? "t" : "f",
                                       op->rc->id, op->display) == NULL)
        r->err.status = NB_OK; /* the observation records it instead */
}

/* Runs row i of OPS_NEXT in the operation arena and records the outcome. */
static bool
run_one(struct nb_reconciler *rc, const PGresult *res, int i)
{
    struct nb_req r = {.arena = rc->op_arena, .request_id = "reconciler"};
    struct nb_op op = {0};
    const PGresult *started, *done;
    int attempts;

    op.cell = held_cell(rc, nb_db_int(res, i, C_CELL));
    if (op.cell == NULL || op.cell->conn == NULL)
        return false; /* the host is unreachable: the operation waits for it */
    op.id = nb_arena_strdup(r.arena, nb_db_text(res, i, C_ID));
    op.kind = nb_arena_strdup(r.arena, nb_db_text(res, i, C_KIND));
    op.guest_id = nb_arena_strdup(r.arena, nb_db_text(res, i, C_GUEST));
    op.params = nb_own_json(&r, json_tokener_parse(nb_db_text(res, i, C_PARAMS)));
    op.rc = rc;
    load_guest(&r, res, i, &op.g);
    started = nb_db_query(&r, NB_Q_OPS_START, op.id, rc->id);
    if (started == NULL || PQntuples(started) == 0) {
        nb_arena_reset(r.arena);
        return false;
    }
    attempts = (int)nb_db_int(started, 0, 0);
    if (dispatch(&r, &op, attempts) == 0) {
        r.err.status = NB_OK;
        record_running(&r, &op);
        /* In the kind's closing transaction when it opened one (nb_op_closing): the row's new
         * size and the release of the pending charge commit together, or not at all and the
         * operation, still running, runs again. One no longer running (another reconciler, its
         * lease expired, ended it meanwhile) records nothing: its charge is released already. */
        done = nb_db_query(&r, NB_Q_OPS_DONE, op.id,
                           op.result != NULL
                               ? json_object_to_json_string_ext(op.result, JSON_C_TO_STRING_PLAIN)
                               : NULL);
        if (done != NULL && PQntuples(done) == 0) {
            nb_db_rollback();
            nb_log_warn(NULL, "operation %s done but ended meanwhile: nothing recorded", op.id);
        } else if (done == NULL || (nb_db_in_transaction() && nb_db_commit(&r) < 0)) {
            nb_db_rollback();
            nb_log_warn(NULL, "operation %s done but not recorded: %s", op.id, r.err.message);
        } else {
            nb_log_info(NULL, "operation %s %s (guest %s) done", op.id, op.kind, op.guest_id);
        }
    } else if (r.err.status == NB_E_UNAVAILABLE) {
        /* The database went away mid-way: left running, the next cycle runs it again. */
        nb_db_rollback();
        nb_log_warn(NULL, "operation %s %s interrupted: %s", op.id, op.kind, r.err.message);
    } else {
        char why[sizeof(r.err.message)];

        nb_db_rollback(); /* what the kind wrote in its closing transaction, if anything */
        memcpy(why, r.err.message, sizeof(why));
        r.err.status = NB_OK;
        nb_log_warn(NULL, "operation %s %s (guest %s) failed: %s", op.id, op.kind, op.guest_id,
                    why);
        (void)nb_db_query(&r, NB_Q_OPS_FAILED, op.id, why);
    }
    nb_arena_reset(r.arena);
    return true;
}

int
nb_ops_run(struct nb_req *r, struct nb_reconciler *rc)
{
    const PGresult *res =
        nb_db_query(r, NB_Q_OPS_NEXT, rc->id, nb_arena_printf(r->arena, "%d", OPS_PER_CYCLE));
    int ran = 0;

    if (res == NULL) {
        nb_log_warn(NULL, "operations not fetched: %s", r->err.message);
        return 0;
    }
    for (int i = 0; i < PQntuples(res); i++)
        ran += run_one(rc, res, i);
    return ran;
}
