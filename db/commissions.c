/* Commissions: issue (check every provision against its holding, all or none), list, show
 * and resolve, as Synnefo's quotaholder callpoint.py does, each in one statement or two. */
#include "db/commissions.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/quotas.h"

/* Columns of COMMISSION_ISSUE. */
enum { CI_ORD, CI_LIMIT, CI_USAGE_MIN, CI_USAGE_MAX, CI_DMIN, CI_DMAX, CI_QUANTITY, CI_SERIAL };

/* The uuid after prefix in ref ("user:<uuid>"), dashed, or NULL when ref is not one. */
static const char *
ref_uuid(struct nb_req *r, const char *ref, const char *prefix)
{
    size_t n = strlen(prefix);

    if (ref == NULL || strncmp(ref, prefix, n) != 0)
        return NULL;
    return nb_uuid_canonical(r, ref + n);
}

/* The provisions as COMMISSION_ISSUE takes them: {ord, project, usr, resource, quantity}. */
static const char *
provisions_json(struct nb_req *r, const struct nb_commission_spec *s)
{
    struct json_object *a = nb_json_own(r, json_object_new_array());

    for (size_t i = 0; i < s->nprovisions; i++) {
        const struct nb_provision *p = &s->provisions[i];
        const char *user = ref_uuid(r, p->holder, "user:"), *project;
        struct json_object *o = json_object_new_object();

        /* A member draws from a project; a project from nothing above it. */
        project = user != NULL        ? ref_uuid(r, p->source, "project:")
                  : p->source == NULL ? ref_uuid(r, p->holder, "project:")
                                      : NULL;
        json_object_array_add(a, o);
        if (project == NULL || p->resource == NULL || p->resource[0] == '\0') {
            nb_fail_field(r, NB_E_INVALID, "provisions",
                          "Malformed provision {holder: %s, source: %s, resource: %s}",
                          p->holder ? p->holder : "null", p->source ? p->source : "null",
                          p->resource ? p->resource : "null");
            return NULL;
        }
        json_object_object_add(o, "ord", json_object_new_int64((int64_t)i));
        json_object_object_add(o, "project", json_object_new_string(project));
        json_object_object_add(o, "usr", user != NULL ? json_object_new_string(user) : NULL);
        json_object_object_add(o, "resource", json_object_new_string(p->resource));
        json_object_object_add(o, "quantity", json_object_new_int64(p->quantity));
    }
    return nb_arena_strdup(r->arena, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
}

/* The first provision, in the order given, that its holding refuses; 0 when none does. */
static int
check_rows(struct nb_req *r, const struct nb_commission_spec *s, const PGresult *res)
{
    for (int i = 0; i < PQntuples(res) && !PQgetisnull(res, i, CI_ORD); i++) {
        const struct nb_provision *p = &s->provisions[nb_db_int(res, i, CI_ORD)];
        int64_t q = nb_db_int(res, i, CI_QUANTITY), dmax = nb_db_int(res, i, CI_DMAX);
        struct nb_over_limit o = {
            .holder = p->holder, .source = p->source, .resource = p->resource, .quantity = q};
        enum nb_status st = NB_E_CONFLICT;

        if (PQgetisnull(res, i, CI_LIMIT)) {
            o.kind = NB_OVER_NO_HOLDING;
            st = NB_E_NOT_FOUND;
        } else if (q > 0 && !s->force &&
                   nb_db_int(res, i, CI_USAGE_MAX) > nb_db_int(res, i, CI_LIMIT)) {
            o.kind = NB_OVER_CAPACITY;
            o.limit = nb_db_int(res, i, CI_LIMIT);
            o.usage = nb_db_int(res, i, CI_USAGE_MAX) - dmax;
        } else if (q < 0 && nb_db_int(res, i, CI_USAGE_MIN) < 0) {
            o.kind = NB_OVER_QUANTITY;
            o.usage = nb_db_int(res, i, CI_USAGE_MIN) - nb_db_int(res, i, CI_DMIN);
        } else {
            continue;
        }
        struct nb_over_limit *over = nb_arena_alloc(r->arena, sizeof(*over));
        *over = o;
        return nb_fail_reason(r, st, NB_R_OVER_LIMIT, NULL, .over = over);
    }
    return 0;
}

int
nb_commission_issue(struct nb_req *r, const struct nb_commission_spec *s, const char **serial)
{
    const char *json = provisions_json(r, s);
    const PGresult *res;

    if (json == NULL || nb_db_begin(r) < 0)
        return -1;
    res = nb_db_query(r, NB_Q_COMMISSION_ISSUE, r->service_id, json, s->name ? s->name : "",
                      s->accept ? "t" : "f");
    if (res == NULL || check_rows(r, s, res) < 0)
        return -1;
    *serial = nb_db_text(res, 0, CI_SERIAL);
    return nb_db_commit(r);
}

const PGresult *
nb_commission_pending(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_COMMISSION_PENDING, r->service_id);
}

const PGresult *
nb_commission_get(struct nb_req *r, const char *serial)
{
    const PGresult *res;
    long long n;

    if (nb_parse_int(serial, 1, INT64_MAX, &n) < 0) {
        nb_fail(r, NB_E_INVALID, "Serial should be an integer.");
        return NULL;
    }
    if ((res = nb_db_query(r, NB_Q_COMMISSION_GET, r->service_id, serial)) == NULL)
        return NULL;
    if (PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "serial %s does not exist", serial);
        return NULL;
    }
    return res;
}

static bool
has(const int64_t *v, size_t n, int64_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

/* The serials of v that are not in other (nor repeated), as a JSON array; those that are
 * also in other go to *both once. */
static const char *
only_in(struct nb_req *r, const int64_t *v, size_t n, const int64_t *other, size_t nother,
        int64_t *both, size_t *nboth)
{
    struct json_object *a = nb_json_own(r, json_object_new_array());

    for (size_t i = 0; i < n; i++) {
        if (has(v, i, v[i]))
            continue;
        if (has(other, nother, v[i])) {
            if (!has(both, *nboth, v[i]))
                both[(*nboth)++] = v[i];
            continue;
        }
        json_object_array_add(a, json_object_new_int64(v[i]));
    }
    return nb_arena_strdup(r->arena, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
}

int
nb_commission_resolve(struct nb_req *r, const int64_t *accept, size_t naccept,
                      const int64_t *reject, size_t nreject, struct nb_resolution *out)
{
    size_t room = naccept + nreject + 1;
    int64_t *acc = nb_arena_alloc(r->arena, room * sizeof(int64_t));
    int64_t *rej = nb_arena_alloc(r->arena, room * sizeof(int64_t));
    int64_t *missing = nb_arena_alloc(r->arena, room * sizeof(int64_t));
    int64_t *both = nb_arena_alloc(r->arena, room * sizeof(int64_t));
    size_t nboth = 0, nacc = 0, nrej = 0, nmissing = 0;
    const char *a = only_in(r, accept, naccept, reject, nreject, both, &nboth);
    const char *j = only_in(r, reject, nreject, accept, naccept, both, &nboth);
    const PGresult *res;
    /* both lists' items in one array: "[1,2]" and "[3]" give "[1,2,3]" */
    const char *all = nb_arena_printf(r->arena, "%.*s%s%s", (int)strlen(a) - 1, a,
                                      strlen(a) > 2 && strlen(j) > 2 ? "," : "", j + 1);
    if (nb_db_begin(r) < 0 || nb_db_query(r, NB_Q_COMMISSION_LOCK, r->service_id, all) == NULL ||
        (res = nb_db_query(r, NB_Q_COMMISSION_RESOLVE, r->service_id, a, j)) == NULL)
        return -1;
    for (int i = 0; i < PQntuples(res); i++) {
        if (nb_db_bool(res, i, 1))
            acc[nacc++] = nb_db_int(res, i, 0);
        else
            rej[nrej++] = nb_db_int(res, i, 0);
    }
    for (size_t i = 0; i < naccept + nreject; i++) {
        int64_t s = i < naccept ? accept[i] : reject[i - naccept];

        if (!has(acc, nacc, s) && !has(rej, nrej, s) && !has(both, nboth, s) &&
            !has(missing, nmissing, s))
            missing[nmissing++] = s;
    }
    *out = (struct nb_resolution){acc, rej, missing, both, nacc, nrej, nmissing, nboth};
    return nb_db_commit(r);
}
