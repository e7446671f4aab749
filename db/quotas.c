/* Quotas: the guest check, a growth's pending charge, and the reads of limits and usage; the
 * limits are derived in SQL (db/queries/quotas.def), the guests' usage kept by migration 019's
 * triggers and pending growth released by migration 023's. */
#include "db/quotas.h"

#include <inttypes.h>
#include <string.h>

#include "app/validate.h"
#include "db/db.h"

/* Columns of QUOTA_GUEST_FITS. */
enum { FIT_RESOURCE, FIT_IS_USER, FIT_LIMIT, FIT_USAGE, FIT_REQUESTED, FIT_PROJECT, FIT_USER };

static const char *
int_text(struct nb_req *r, int64_t v)
{
    return nb_arena_printf(r->arena, "%" PRId64, v);
}

int
nb_quota_guest_fits(struct nb_req *r, const char *guest_id, const struct nb_quota_guest *g)
{
    const PGresult *res;
    struct nb_over_limit *o;

    /* Giving back never goes over. */
    if (g->vms <= 0 && g->cores <= 0 && g->memory <= 0 && g->disk <= 0)
        return 0;
    res = nb_db_query(r, NB_Q_QUOTA_GUEST_OVER, guest_id, int_text(r, g->vms),
                      int_text(r, g->cores), int_text(r, g->memory), int_text(r, g->disk));
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return 0;
    o = nb_arena_alloc(r->arena, sizeof(*o));
    *o = (struct nb_over_limit){
        .kind = PQgetisnull(res, 0, FIT_LIMIT) ? NB_OVER_NO_HOLDING : NB_OVER_CAPACITY,
        .resource = nb_db_text(res, 0, FIT_RESOURCE),
        .quantity = nb_db_int(res, 0, FIT_REQUESTED),
        .limit = nb_db_int(res, 0, FIT_LIMIT),
        .usage = nb_db_int(res, 0, FIT_USAGE),
    };
    if (nb_db_bool(res, 0, FIT_IS_USER)) {
        o->holder = nb_arena_printf(r->arena, "user:%s", nb_db_text(res, 0, FIT_USER));
        o->source = nb_arena_printf(r->arena, "project:%s", nb_db_text(res, 0, FIT_PROJECT));
    } else {
        o->holder = nb_arena_printf(r->arena, "project:%s", nb_db_text(res, 0, FIT_PROJECT));
    }
    return nb_fail_reason(r, NB_E_CONFLICT, NB_R_OVER_LIMIT, NULL, .over = o);
}

int
nb_quota_guest_pend(struct nb_req *r, const char *op_id, const char *guest_id,
                    const struct nb_quota_guest *g)
{
    /* A shrink is no charge: it gives back only once the host has done it. */
    if (g->cores <= 0 && g->memory <= 0 && g->disk <= 0)
        return 0;
    if (nb_db_query(r, NB_Q_QUOTA_GUEST_PEND, op_id, guest_id, int_text(r, g->cores),
                    int_text(r, g->memory), int_text(r, g->disk)) == NULL)
        return -1;
    return nb_quota_guest_fits(r, guest_id,
                               &(struct nb_quota_guest){0, g->cores, g->memory, g->disk});
}

/* A NULL-terminated list of uuids as the JSON text the statements take; NULL for NULL. */
static int
uuid_list(struct nb_req *r, const char *field, const char *const *list, const char **json)
{
    *json = NULL;
    if (list == NULL)
        return 0;
    for (const char *const *u = list; *u != NULL; u++)
        if (nb_uuid_canonical(r, *u) == NULL)
            return nb_fail_field(r, NB_E_INVALID, field, "'%s' is not a UUID", *u);
    *json = nb_db_json_list(r, list);
    return 0;
}

const PGresult *
nb_quota_of_user(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_QUOTA_USER, r->user.id_text);
}

const PGresult *
nb_quota_of_users(struct nb_req *r, const char *const *users, const char *const *projects)
{
    const char *u, *p;

    if (uuid_list(r, "user", users, &u) < 0 || uuid_list(r, "project", projects, &p) < 0)
        return NULL;
    return nb_db_query(r, NB_Q_QUOTA_SERVICE_USERS, r->service_id, u, p);
}

const PGresult *
nb_quota_of_projects(struct nb_req *r, const char *const *projects)
{
    const char *p;

    if (uuid_list(r, "project", projects, &p) < 0)
        return NULL;
    return nb_db_query(r, NB_Q_QUOTA_SERVICE_PROJECTS, r->service_id, p);
}

const PGresult *
nb_resource_list(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_RESOURCE_LIST, NULL);
}
