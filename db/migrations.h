/* Migrations: guests moved between cells. Checked here, in the request's transaction, and
 * carried out by the reconciler holding the source cell as migrate_guest operations that
 * share a batch id, which is the migration's id (docs/operations.md). */
#ifndef NB_MIGRATIONS_H
#define NB_MIGRATIONS_H

#include <stdbool.h>

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

/* Whether a running guest can move live between hosts at these libvirt URIs: both use the
 * same driver (the URI scheme before any "+transport") and it is not the test driver, which
 * implements no migration. */
bool nb_migration_live(const char *from_uri, const char *to_uri);

#endif
