/* Migrations: the checks before any migrate_guest is queued, and the live-migration rule the
 * API and the reconciler share. */
#include "db/migrations.h"

#include <stdio.h>
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/guests.h"

#define MIGRATION_MAX 1000

/* A migration's pools, cells and the sums placement needs. */
struct plan {
    const PGresult *src_pool, *dst_pool, *src_cell, *dst_cell;
    const char *src_name, *dst_name, *dst_pool_name;
    int64_t cores, memory, disk;
};

static size_t
driver_len(const char *uri)
{
    return strcspn(uri, "+:");
}

bool
nb_migration_live(const char *from_uri, const char *to_uri)
{
    size_t n = driver_len(from_uri);

    return n == driver_len(to_uri) && strncmp(from_uri, to_uri, n) == 0 &&
           !(n == 4 && strncmp(from_uri, "test", 4) == 0);
}

/* Columns of MIGRATION_POOL and MIGRATION_CELL. */
enum { P_ID, P_ADDRESS_POOL };
enum { C_ID, C_POOL, C_ENABLED, C_ALIVE, C_URI };
/* Columns of MIGRATION_CELL_GUESTS, MIGRATION_PLACE and BATCH_NEW. */
enum { GUEST_ID };
enum { PLACE_ID, PLACE_NAME };
enum { BATCH_ID };

static const PGresult *
load(struct nb_req *r, enum nb_query q, const char *what, const char *field, const char *name)
{
    const PGresult *res = nb_db_query(r, q, name);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail_field(r, NB_E_NOT_FOUND, field, "%s %s not found", what, name);
        return NULL;
    }
    return res;
}

static int
check_cells(struct nb_req *r, const struct nb_migration_spec *s, struct plan *p)
{
    const char *dst_pool_name = s->target_pool != NULL ? s->target_pool : s->source_pool;

    p->src_name = s->source_cell;
    p->dst_pool_name = dst_pool_name;
    if ((p->src_pool =
             load(r, NB_Q_MIGRATION_POOL, "compute pool", "source_pool", s->source_pool)) == NULL ||
        (p->src_cell = load(r, NB_Q_MIGRATION_CELL, "cell", "source_cell", s->source_cell)) ==
            NULL ||
        (p->dst_pool =
             load(r, NB_Q_MIGRATION_POOL, "compute pool", "target_pool", dst_pool_name)) == NULL)
        return -1;
    if (nb_db_int(p->src_cell, 0, C_POOL) != nb_db_int(p->src_pool, 0, P_ID))
        return nb_fail_field(r, NB_E_INVALID, "source_cell", "cell %s is not in compute pool %s",
                             s->source_cell, s->source_pool);
    if (strcmp(nb_db_text(p->src_pool, 0, P_ADDRESS_POOL),
               nb_db_text(p->dst_pool, 0, P_ADDRESS_POOL)) != 0)
        return nb_fail_field(r, NB_E_CONFLICT, "target_pool",
                             "compute pools %s and %s use different address pools; a migrated "
                             "guest keeps its address",
                             s->source_pool, dst_pool_name);
    if (s->target_cell == NULL)
        return 0;
    if ((p->dst_cell = load(r, NB_Q_MIGRATION_CELL, "cell", "target_cell", s->target_cell)) == NULL)
        return -1;
    p->dst_name = s->target_cell;
    if (nb_db_int(p->dst_cell, 0, C_ID) == nb_db_int(p->src_cell, 0, C_ID))
        return nb_fail_field(r, NB_E_INVALID, "target_cell",
                             "target cell must differ from the source cell %s", s->source_cell);
    if (nb_db_int(p->dst_cell, 0, C_POOL) != nb_db_int(p->dst_pool, 0, P_ID))
        return nb_fail_field(r, NB_E_INVALID, "target_cell", "cell %s is not in compute pool %s",
                             s->target_cell, dst_pool_name);
    if (!nb_db_bool(p->dst_cell, 0, C_ENABLED))
        return nb_fail_field(r, NB_E_CONFLICT, "target_cell", "cell %s is disabled",
                             s->target_cell);
    if (!nb_db_bool(p->dst_cell, 0, C_ALIVE))
        return nb_fail_field(r, NB_E_CONFLICT, "target_cell", "cell %s is offline", s->target_cell);
    return 0;
}

/* The ids to migrate: the listed ones (each once), or every guest on the source cell the
 * caller sees. */
static const char **
guest_ids(struct nb_req *r, const struct nb_migration_spec *s, const struct plan *p, size_t *n)
{
    const char **ids;
    const PGresult *res = NULL;

    if (s->instances != NULL) {
        *n = json_object_array_length(s->instances);
    } else {
        res = nb_db_query_scoped(r, NB_Q_MIGRATION_CELL_GUESTS, nb_db_text(p->src_cell, 0, C_ID));
        if (res == NULL)
            return NULL;
        *n = (size_t)PQntuples(res);
        if (*n == 0) {
            nb_fail_field(r, NB_E_INVALID, "source_cell", "cell %s has no guests to migrate",
                          s->source_cell);
            return NULL;
        }
    }
    if (*n == 0 || *n > MIGRATION_MAX) {
        nb_fail_field(r, NB_E_INVALID, "instances", "must list 1 to %d guest ids", MIGRATION_MAX);
        return NULL;
    }
    ids = nb_arena_alloc(r->arena, *n * sizeof(*ids));
    for (size_t i = 0; i < *n; i++) {
        struct json_object *v = res == NULL ? json_object_array_get_idx(s->instances, i) : NULL;

        if (v != NULL && !json_object_is_type(v, json_type_string)) {
            nb_fail_field(r, NB_E_INVALID, "instances", "must list guest ids (strings)");
            return NULL;
        }
        ids[i] = res != NULL ? nb_db_text(res, (int)i, GUEST_ID) : json_object_get_string(v);
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0) {
                nb_fail_field(r, NB_E_INVALID, "instances", "guest %s is listed twice", ids[i]);
                return NULL;
            }
    }
    return ids;
}

/* A guest may move when the caller sees it, it is created, on the source cell and idle. */
static int
check_guest(struct nb_req *r, const struct plan *p, const char *id, struct nb_guest *g)
{
    const char *name;

    if (nb_guest_load(r, id, g) < 0)
        return -1;
    name = nb_guest_str(g, NB_GC_NAME);
    if (nb_guest_int(g, NB_GC_CELL_ID) != nb_db_int(p->src_cell, 0, C_ID))
        return nb_fail_field(r, NB_E_INVALID, "instances", "guest %s is not on cell %s", name,
                             p->src_name);
    if (!nb_guest_bool(g, NB_GC_CREATED))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not created yet", name);
    return nb_guest_idle(r, g);
}

static const char *
num(struct nb_req *r, int64_t v)
{
    return nb_arena_printf(r->arena, "%lld", (long long)v);
}

/* Picks (or confirms) the target cell with room for the whole group. */
static int
place(struct nb_req *r, struct plan *p)
{
    const PGresult *res =
        nb_db_query(r, NB_Q_MIGRATION_PLACE, nb_db_text(p->dst_pool, 0, P_ID), num(r, p->cores),
                    num(r, p->memory), num(r, p->disk), nb_db_text(p->src_cell, 0, C_ID),
                    p->dst_cell != NULL ? nb_db_text(p->dst_cell, 0, C_ID) : NULL);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0 && p->dst_cell != NULL)
        return nb_fail_field(
            r, NB_E_CONFLICT, "target_cell",
            "cell %s has no room for %lld cores, %lld bytes of memory and %lld bytes of disk",
            p->dst_name, (long long)p->cores, (long long)p->memory, (long long)p->disk);
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT,
                       "no other cell in compute pool %s is enabled, online and has room for %lld "
                       "cores, %lld bytes of memory and %lld bytes of disk",
                       p->dst_pool_name, (long long)p->cores, (long long)p->memory,
                       (long long)p->disk);
    if (p->dst_cell == NULL) {
        p->dst_name = nb_db_text(res, 0, PLACE_NAME);
        p->dst_cell = nb_db_query(r, NB_Q_MIGRATION_CELL, p->dst_name);
    }
    return p->dst_cell != NULL ? 0 : -1;
}

/* What only the chosen target decides: live migration for a running guest, and a free name
 * in another pool. */
static int
check_against_target(struct nb_req *r, const struct plan *p, const struct nb_guest *g)
{
    const char *name = nb_guest_str(g, NB_GC_NAME);
    const char *from = nb_db_text(p->src_cell, 0, C_URI), *to = nb_db_text(p->dst_cell, 0, C_URI);
    const PGresult *taken;

    if (nb_guest_bool(g, NB_GC_RUNNING) && !nb_migration_live(from, to))
        return nb_fail(r, NB_E_CONFLICT,
                       "guest %s is running and cannot migrate live from cell %s (%.*s) to cell %s "
                       "(%.*s): live migration needs the same driver on both hosts, and not the "
                       "test driver; stop the guest for a cold migration",
                       name, p->src_name, (int)driver_len(from), from, p->dst_name,
                       (int)driver_len(to), to);
    if (nb_db_int(p->src_pool, 0, P_ID) == nb_db_int(p->dst_pool, 0, P_ID))
        return 0;
    if ((taken = nb_db_query(r, NB_Q_MIGRATION_NAME_TAKEN, nb_db_text(p->dst_pool, 0, P_ID),
                             name)) == NULL)
        return -1;
    if (PQntuples(taken) > 0)
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s already has a guest named %s",
                       p->dst_pool_name, name);
    return 0;
}

int
nb_migration_start(struct nb_req *r, const struct nb_migration_spec *s, const char **id)
{
    struct plan p = {0};
    struct nb_guest *g;
    const char **ids;
    struct json_object *params;
    const PGresult *batch;
    size_t n;

    if (check_cells(r, s, &p) < 0 || (ids = guest_ids(r, s, &p, &n)) == NULL)
        return -1;
    g = nb_arena_alloc(r->arena, n * sizeof(*g));
    for (size_t i = 0; i < n; i++) {
        if (check_guest(r, &p, ids[i], &g[i]) < 0)
            return -1;
        if (nb_guest_int(&g[i], NB_GC_CORES) > p.cores)
            p.cores = nb_guest_int(&g[i], NB_GC_CORES);
        p.memory += nb_guest_int(&g[i], NB_GC_MEMORY);
        p.disk += nb_guest_int(&g[i], NB_GC_TOTAL_DISK);
    }
    if (place(r, &p) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (check_against_target(r, &p, &g[i]) < 0)
            return -1;
    if ((batch = nb_db_query(r, NB_Q_BATCH_NEW, NULL)) == NULL)
        return -1;
    *id = nb_db_text(batch, 0, BATCH_ID);
    params = nb_json_own(r, json_object_new_object());
    json_object_object_add(params, "target_cell",
                           json_object_new_int64(nb_db_int(p.dst_cell, 0, C_ID)));
    for (size_t i = 0; i < n; i++)
        if (nb_guest_enqueue(r, &g[i], NB_OP_MIGRATE_GUEST, params, *id, NULL) < 0 ||
            nb_db_query(r, NB_Q_MIGRATION_MARK, nb_guest_str(&g[i], NB_GC_ID)) == NULL)
            return -1;
    return 0;
}

/* Row i of MIGRATION_STATUS or MIGRATION_LIST, the first column aside. */
static void
figures(const PGresult *res, int i, struct nb_migration *m)
{
    m->open = nb_db_int(res, i, NB_MIGRATION_OPEN);
    m->progress = nb_db_int(res, i, NB_MIGRATION_PROGRESS);
    m->errors = nb_db_text(res, i, NB_MIGRATION_ERRORS);
}

int
nb_migration_get(struct nb_req *r, const char *id, struct nb_migration *out)
{
    const PGresult *res;

    if (!nb_is_uuid(id))
        return nb_fail(r, NB_E_NOT_FOUND, "migration %s not found", id);
    res = nb_db_query_scoped(r, NB_Q_MIGRATION_STATUS, id);
    if (res == NULL)
        return -1;
    if (nb_db_int(res, 0, NB_MIGRATION_OPERATIONS) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "migration %s not found", id);
    out->id = id;
    figures(res, 0, out);
    return 0;
}

int
nb_migration_list(struct nb_req *r, struct nb_migration **out)
{
    const PGresult *res = nb_db_query(r, NB_Q_MIGRATION_LIST, r->user.id_text);
    int n;

    if (res == NULL)
        return -1;
    *out = nb_db_row_array(r, res, sizeof(**out), &n);
    for (int i = 0; i < n; i++) {
        (*out)[i].id = nb_db_text(res, i, NB_MIGRATION_ID);
        figures(res, i, &(*out)[i]);
    }
    return n;
}
