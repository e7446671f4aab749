/* Commissions, for services (astakos/api/quotas.py): issue, list pending, show, and accept
 * or reject one or many. */
#include <stdlib.h>
#include <string.h>

#include "db/commissions.h"
#include "db/db.h"
#include "routes/astakos/astakos.h"

/* The body's provisions (checked against the route's spec) for nb_commission_issue. */
static struct nb_provision *
provisions(struct nb_req *r, size_t *n)
{
    struct json_object *a = nb_json_get(r->json, "provisions");
    struct nb_provision *p;

    *n = json_object_array_length(a);
    p = nb_arena_alloc(r->arena, (*n + 1) * sizeof(*p));
    for (size_t i = 0; i < *n; i++) {
        struct json_object *o = json_object_array_get_idx(a, i);

        p[i] = (struct nb_provision){
            .holder = nb_json_get_string(o, "holder"),
            .source = nb_json_get_string(o, "source"),
            .resource = nb_json_get_string(o, "resource"),
            .quantity = json_object_get_int64(nb_json_get(o, "quantity")),
        };
    }
    return p;
}

/* POST /commissions {provisions, force, auto_accept, name} → 201 {"serial"} */
int
astakos_commission_create(struct nb_req *r)
{
    struct nb_commission_spec spec = {
        .name = nb_json_get_string(r->json, "name"),
        .force = json_object_get_boolean(nb_json_get(r->json, "force")),
        .accept = json_object_get_boolean(nb_json_get(r->json, "auto_accept")),
    };
    struct json_object *o;
    const char *serial;

    spec.provisions = provisions(r, &spec.nprovisions);
    if (nb_commission_issue(r, &spec, &serial) < 0)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "serial", json_object_new_int64(strtoll(serial, NULL, 10)));
    return nb_reply(r, 201, o);
}

/* GET /commissions → [serial, …] of the service's pending ones */
int
astakos_commission_list(struct nb_req *r)
{
    const PGresult *res = nb_commission_pending(r);
    struct json_object *a;

    if (res == NULL)
        return -1;
    a = json_object_new_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_object_array_add(a, json_object_new_int64(nb_db_int(res, i, 0)));
    return nb_reply(r, 200, a);
}

/* GET /commissions/<serial> → {serial, issue_time, name, provisions} */
int
astakos_commission_get(struct nb_req *r)
{
    const PGresult *res = nb_commission_get(r, r->capture[0]);
    struct json_object *o;

    if (res == NULL)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "serial", json_object_new_int64(nb_db_int(res, 0, NB_CC_SERIAL)));
    json_object_object_add(o, "issue_time",
                           json_object_new_string(nb_db_text(res, 0, NB_CC_ISSUED)));
    json_object_object_add(o, "name", json_object_new_string(nb_db_text(res, 0, NB_CC_NAME)));
    json_object_object_add(o, "provisions", nb_db_json(res, 0, NB_CC_PROVISIONS));
    return nb_reply(r, 200, o);
}

/* POST /commissions/<serial>/action {"accept": …} or {"reject": …}: 200, or 404 when the
 * service has no such pending commission. */
int
astakos_commission_action(struct nb_req *r)
{
    bool accept = nb_json_get(r->json, "accept") != NULL;
    const PGresult *res = nb_commission_get(r, r->capture[0]);
    int64_t serial;
    struct nb_resolution done;

    if (accept == (nb_json_get(r->json, "reject") != NULL))
        return nb_fail(r, NB_E_INVALID, "Specify either accept or reject action.");
    if (res == NULL)
        return -1;
    serial = nb_db_int(res, 0, NB_CC_SERIAL);
    if (nb_commission_resolve(r, accept ? &serial : NULL, accept, accept ? NULL : &serial, !accept,
                              &done) < 0)
        return -1;
    if (done.naccepted + done.nrejected == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "serial %s does not exist", r->capture[0]);
    return nb_reply(r, 200, NULL);
}

/* The integers of the body's array key (checked by the spec), in the arena; *n of them. */
static int64_t *
serials(struct nb_req *r, const char *key, size_t *n)
{
    struct json_object *a = nb_json_get(r->json, key);
    int64_t *v;

    *n = a != NULL ? json_object_array_length(a) : 0;
    v = nb_arena_alloc(r->arena, (*n + 1) * sizeof(*v));
    for (size_t i = 0; i < *n; i++)
        v[i] = json_object_get_int64(json_object_array_get_idx(a, i));
    return v;
}

static struct json_object *
serial_array(const int64_t *v, size_t n)
{
    struct json_object *a = json_object_new_array();

    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_int64(v[i]));
    return a;
}

/* One [serial, {fault: {code, message}}] pair of "failed": the serial is not pending, or
 * was both accepted and rejected. */
static struct json_object *
failure(struct nb_req *r, int64_t serial, bool conflicting)
{
    struct json_object *pair = json_object_new_array(), *o = json_object_new_object();
    struct json_object *f = json_object_new_object();

    json_object_object_add(f, "code", json_object_new_int(conflicting ? 400 : 404));
    json_object_object_add(
        f, "message",
        json_object_new_string(
            conflicting
                ? nb_arena_printf(r->arena, "cannot both accept and reject serial %lld",
                                  (long long)serial)
                : nb_arena_printf(r->arena, "serial %lld does not exist", (long long)serial)));
    json_object_object_add(o, conflicting ? "badRequest" : "itemNotFound", f);
    json_object_array_add(pair, json_object_new_int64(serial));
    json_object_array_add(pair, o);
    return pair;
}

/* POST /commissions/action {accept: [serial…], reject: [serial…]} → {accepted, rejected,
 * failed: [[serial, fault]…]} */
int
astakos_commissions_resolve(struct nb_req *r)
{
    size_t na, nr;
    int64_t *accept = serials(r, "accept", &na), *reject = serials(r, "reject", &nr);
    struct nb_resolution d;
    struct json_object *o, *failed;

    if (nb_commission_resolve(r, accept, na, reject, nr, &d) < 0)
        return -1;
    failed = json_object_new_array();
    for (size_t i = 0; i < d.nnot_found; i++)
        json_object_array_add(failed, failure(r, d.not_found[i], false));
    for (size_t i = 0; i < d.nconflicting; i++)
        json_object_array_add(failed, failure(r, d.conflicting[i], true));
    o = json_object_new_object();
    json_object_object_add(o, "accepted", serial_array(d.accepted, d.naccepted));
    json_object_object_add(o, "rejected", serial_array(d.rejected, d.nrejected));
    json_object_object_add(o, "failed", failed);
    return nb_reply(r, 200, o);
}
