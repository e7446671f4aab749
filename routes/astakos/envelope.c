/* Astakos faults: {"<faultName>": {"code", "message", "details"}}, HTTP status = code. */
#include "routes/astakos/astakos.h"
#include "routes/drf.h"

/* Astakos's clients read DRF's words for the errors the dispatcher finds, after the field. */
static nb_wording *const astakos_words[] = {nb_drf_words, NULL};

static const char *const fault_name[NB_STATUS__MAX] = {
    [NB_E_INVALID] = "badRequest",
    [NB_E_UNAUTHENTICATED] = "unauthorized",
    [NB_E_FORBIDDEN] = "forbidden",
    [NB_E_NOT_FOUND] = "itemNotFound",
    [NB_E_METHOD] = "notAllowed",
    [NB_E_CONFLICT] = "conflict",
    [NB_E_TOO_LARGE] = "overLimit",
    [NB_E_MEDIA_TYPE] = "badRequest",
    [NB_E_UNAVAILABLE] = "serviceUnavailable",
    [NB_E_INTERNAL] = "internalServerError",
};

/* A refused commission's data (astakos/quotaholder_app/exception.py): the provision to blame
 * and the exception's name; limit and usage when it went over a limit. */
static struct json_object *
over_limit_data(const struct nb_over_limit *o)
{
    struct json_object *d = json_object_new_object(), *p = json_object_new_object();

    json_object_object_add(p, "holder", json_object_new_string(o->holder));
    json_object_object_add(p, "source", o->source ? json_object_new_string(o->source) : NULL);
    json_object_object_add(p, "resource", json_object_new_string(o->resource));
    json_object_object_add(p, "quantity", json_object_new_int64(o->quantity));
    json_object_object_add(d, "provision", p);
    json_object_object_add(d, "name", json_object_new_string(nb_over_limit_name[o->kind]));
    if (o->kind != NB_OVER_NO_HOLDING) {
        json_object_object_add(d, "limit", json_object_new_int64(o->limit));
        json_object_object_add(d, "usage", json_object_new_int64(o->usage));
    }
    return d;
}

void
astakos_error(struct nb_req *r)
{
    enum nb_status st = r->err.status;
    const struct nb_over_limit *over = r->err.reason == NB_R_OVER_LIMIT ? r->err.arg.over : NULL;
    /* Over a limit is 413 overLimit here, whatever other dialects make of it. */
    int http = over != NULL && over->kind != NB_OVER_NO_HOLDING ? 413
               : st == NB_E_MEDIA_TYPE                          ? 400
                                                                : nb_status_http[st];
    struct json_object *fault = json_object_new_object(), *o = json_object_new_object();
    const char *msg = nb_error_text_joined(r, astakos_words);

    json_object_object_add(fault, "code", json_object_new_int(http));
    json_object_object_add(fault, "message", json_object_new_string(msg));
    json_object_object_add(fault, "details", json_object_new_string(""));
    if (over != NULL)
        json_object_object_add(fault, "data", over_limit_data(over));
    json_object_object_add(o,
                           http == 413      ? "overLimit"
                           : fault_name[st] ? fault_name[st]
                                            : "badRequest",
                           fault);
    nb_reply(r, http, o);
}
