/* Operations: the long work the reconciler carries out on a host (docs/operations.md), one
 * row each, queued by every dialect's handlers; and batches, the operations queued together
 * under one id. The kinds are one enum shared by the handlers and the reconciler. */
#ifndef NB_OPERATIONS_H
#define NB_OPERATIONS_H

#include <json-c/json.h>
#include <libpq-fe.h>

#include "app/request.h"

enum nb_op_kind {
    NB_OP_CREATE_GUEST,
    NB_OP_DELETE_GUEST,
    NB_OP_START_GUEST,
    NB_OP_STOP_GUEST,
    NB_OP_SYNC_GUEST,
    NB_OP_RESIZE_DISK,
    NB_OP_SHRINK_DISK,
    NB_OP_CREATE_SNAPSHOT,
    NB_OP_RESTORE_SNAPSHOT,
    NB_OP_DELETE_SNAPSHOT,
    NB_OP_MIGRATE_GUEST,
    NB_OP_CREATE_DISK_IMAGE,
    NB_OP_RESET_SYSTEM,
    NB_OP_INSERT_MEDIA,
    NB_OP_EJECT_MEDIA,
    NB_OP_SET_PASSWORD,
    NB_OP__MAX
};

/* The name each kind has in operations.kind. */
extern const char *const nb_op_kind_name[NB_OP__MAX];
/* The kind named name; -1 when there is none. */
int nb_op_kind_parse(const char *name);

/* Queues an operation of kind on guest guest_id of cell cell_id for the caller; params is a
 * JSON object (NULL: {}), batch_id NULL for none. *op_id (when op_id is not NULL) and
 * r->op_id are the new operation's id. */
int nb_op_add(struct nb_req *r, enum nb_op_kind kind, const char *guest_id, const char *cell_id,
              struct json_object *params, const char *batch_id, const char **op_id);

/* The channel an operation's end is announced on, with its id as payload (migration 022). */
#define NB_OP_DONE_CHANNEL "nimbus_op_done"
/* Waits, once the request's transaction has committed, until operation op_id has ended, for
 * at most timeout_s seconds. 0 when it is done; otherwise -1 with NB_E_CONFLICT: the host's
 * error ("<kind> failed: <message>") when it failed, "... was revoked", or, past the time,
 * "operation <id> (<kind>) is still in progress after <n> s; it goes on". */
int nb_op_wait(struct nb_req *r, const char *op_id, int timeout_s);

/* Columns of a batch's status, in the order of BATCH_STATUS (db/queries/operations.def). */
enum nb_batch_col {
    NB_BC_GUEST,
    NB_BC_NAME,
    NB_BC_STATUS,
    NB_BC_PROGRESS,
    NB_BC_ERROR,
    NB_BC__MAX
};

/* A new batch id in *id. */
int nb_batch_new(struct nb_req *r, const char **id);
/* The operations of kind in batch id that the caller may see, oldest first, in *res; none
 * (unknown, malformed id, someone else's) is NB_E_NOT_FOUND "batch <id> not found". */
int nb_batch_status(struct nb_req *r, const char *id, enum nb_op_kind kind, const PGresult **res);

#endif
