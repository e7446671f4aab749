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

void
astakos_error(struct nb_req *r)
{
    enum nb_status st = r->err.status;
    int http = st == NB_E_MEDIA_TYPE ? 400 : nb_status_http[st];
    struct json_object *fault = json_object_new_object(), *o = json_object_new_object();
    const char *msg = nb_error_text_joined(r, astakos_words);

    json_object_object_add(fault, "code", json_object_new_int(http));
    json_object_object_add(fault, "message", json_object_new_string(msg));
    json_object_object_add(fault, "details", json_object_new_string(""));
    json_object_object_add(o, fault_name[st] ? fault_name[st] : "badRequest", fault);
    nb_reply(r, http, o);
}
