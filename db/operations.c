/* Operations and batches: the kind table, queuing, and a batch's status. */
#include "db/operations.h"

#include <string.h>

#include "app/validate.h"
#include "db/db.h"

const char *const nb_op_kind_name[NB_OP__MAX] = {
    [NB_OP_CREATE_GUEST] = "create_guest",
    [NB_OP_DELETE_GUEST] = "delete_guest",
    [NB_OP_START_GUEST] = "start_guest",
    [NB_OP_STOP_GUEST] = "stop_guest",
    [NB_OP_SYNC_GUEST] = "sync_guest",
    [NB_OP_RESIZE_DISK] = "resize_disk",
    [NB_OP_SHRINK_DISK] = "shrink_disk",
    [NB_OP_CREATE_SNAPSHOT] = "create_snapshot",
    [NB_OP_RESTORE_SNAPSHOT] = "restore_snapshot",
    [NB_OP_DELETE_SNAPSHOT] = "delete_snapshot",
    [NB_OP_MIGRATE_GUEST] = "migrate_guest",
    [NB_OP_CREATE_DISK_IMAGE] = "create_disk_image",
    [NB_OP_RESET_SYSTEM] = "reset_system",
    [NB_OP_INSERT_MEDIA] = "insert_media",
    [NB_OP_EJECT_MEDIA] = "eject_media",
    [NB_OP_SET_PASSWORD] = "set_password",
};

int
nb_op_kind_parse(const char *name)
{
    for (int k = 0; name != NULL && k < NB_OP__MAX; k++)
        if (strcmp(nb_op_kind_name[k], name) == 0)
            return k;
    return -1;
}

int
nb_op_add(struct nb_req *r, enum nb_op_kind kind, const char *guest_id, const char *cell_id,
          struct json_object *params, const char *batch_id, const char **op_id)
{
    const PGresult *res = nb_db_query(
        r, NB_Q_OP_ADD, nb_op_kind_name[kind], guest_id, cell_id, r->user.id_text,
        params != NULL ? json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN) : "{}",
        batch_id);

    if (res == NULL)
        return -1;
    r->op_id = nb_db_text(res, 0, 0);
    if (op_id != NULL)
        *op_id = r->op_id;
    return 0;
}

/* What nb_op_wait reads of its operation. */
struct outcome {
    const char *id, *status, *kind, *error;
};

/* 1 once the operation has ended (done, failed, revoked), 0 while it is open. */
static int
op_ended(struct nb_req *r, void *arg)
{
    struct outcome *o = arg;
    const PGresult *res = nb_db_query(r, NB_Q_OP_OUTCOME, o->id);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "operation %s not found", o->id);
    o->status = nb_db_text(res, 0, 0);
    o->kind = nb_db_text(res, 0, 1);
    o->error = nb_db_text(res, 0, 2);
    return strcmp(o->status, "pending") != 0 && strcmp(o->status, "running") != 0;
}

int
nb_op_wait(struct nb_req *r, const char *op_id, int timeout_s)
{
    struct outcome o = {.id = op_id};
    int rc = nb_db_await(r, NB_OP_DONE_CHANNEL, op_id, timeout_s * 1000, op_ended, &o);

    if (rc < 0)
        return -1;
    if (rc == 0)
        return nb_fail(r, NB_E_CONFLICT,
                       "operation %s (%s) is still in progress after %d s; it goes on", op_id,
                       o.kind, timeout_s);
    if (strcmp(o.status, "done") == 0)
        return 0;
    if (strcmp(o.status, "revoked") == 0)
        return nb_fail(r, NB_E_CONFLICT, "operation %s (%s) was revoked", op_id, o.kind);
    return nb_fail(r, NB_E_CONFLICT, "%s failed: %s", o.kind, o.error);
}

int
nb_batch_new(struct nb_req *r, const char **id)
{
    const PGresult *res = nb_db_query(r, NB_Q_BATCH_NEW, NULL);

    if (res == NULL)
        return -1;
    *id = nb_db_text(res, 0, 0);
    return 0;
}

int
nb_batch_status(struct nb_req *r, const char *id, enum nb_op_kind kind, const PGresult **res)
{
    if (!nb_is_uuid(id))
        return nb_fail(r, NB_E_NOT_FOUND, "batch %s not found", id);
    if ((*res = nb_db_query_scoped(r, NB_Q_BATCH_STATUS, id, nb_op_kind_name[kind])) == NULL)
        return -1;
    if (PQntuples(*res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "batch %s not found", id);
    return 0;
}
