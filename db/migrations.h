/* Migrations: guests moved between cells. Checked here, in the request's transaction, and
 * carried out by the reconciler holding the source cell as migrate_guest operations that
 * share a batch id, which is the migration's id (docs/operations.md). */
#ifndef NB_MIGRATIONS_H
#define NB_MIGRATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* What POST /migrations/ asks for; target_pool and target_cell may be NULL (the source's
 * pool; any other enabled, alive cell of it with room), instances NULL for every guest on
 * the source cell the caller sees. */
struct nb_migration_spec {
    const char *source_pool, *source_cell, *target_pool, *target_cell;
    struct json_object *instances;
};

/* Checks everything (pools, cells, room, each guest: visible, created, on the source cell,
 * idle, running only where it can move live) and then queues one migrate_guest per guest,
 * marking it migrating. *id is the migration id. Nothing is written when a check fails. */
int nb_migration_start(struct nb_req *r, const struct nb_migration_spec *s, const char **id);

/* Columns of MIGRATION_STATUS and MIGRATION_LIST: the first is the count of operations
 * (STATUS) or the migration id (LIST), then the figures. */
enum nb_migration_col {
    NB_MIGRATION_ID,
    NB_MIGRATION_OPERATIONS = NB_MIGRATION_ID,
    NB_MIGRATION_OPEN,
    NB_MIGRATION_PROGRESS,
    NB_MIGRATION_ERRORS,
    NB_MIGRATION__MAX
};

/* A migration's state from its operations: open ones, progress in percent (finished ones
 * count as 100), and the failures as "guest: message; ..." ("" when none). */
struct nb_migration {
    const char *id;
    int64_t open, progress;
    const char *errors;
};

/* Migration id as the caller (its owner, or an administrator) sees it; anything else
 * (unknown, malformed, someone else's) is NB_E_NOT_FOUND "migration <id> not found". */
int nb_migration_get(struct nb_req *r, const char *id, struct nb_migration *out);
/* The caller's open migrations and those finished in the last day, oldest first, at most
 * 100, into *out (request-owned); the count, or -1. */
int nb_migration_list(struct nb_req *r, struct nb_migration **out);

/* Whether a running guest can move live between hosts at these libvirt URIs: both use the
 * same driver (the URI scheme before any "+transport") and it is not the test driver, which
 * implements no migration. */
bool nb_migration_live(const char *from_uri, const char *to_uri);

#endif
