/* TRS answers HTTP 400 with {"error": {"code", "message", "data"}} and the code from the TRS
 * table; failures before a handler keep their HTTP status. */
#include "routes/drf.h"
#include "routes/trs/trs.h"

/* TRS's clients read DRF's words for the errors the dispatcher finds, after the field name. */
static nb_wording *const trs_words[] = {nb_drf_words, NULL};

/* TRS error codes: 1 unexpected, 6 authentication error, 9 invalid request body. */
static int
trs_code(enum nb_status st)
{
    switch (st) {
    case NB_E_UNAUTHENTICATED:
        return 6;
    case NB_E_INVALID:
    case NB_E_MEDIA_TYPE:
    case NB_E_TOO_LARGE:
        return 9;
    default:
        return 1;
    }
}

void
trs_error(struct nb_req *r)
{
    enum nb_status st = r->err.status;
    struct json_object *e = json_object_new_object(), *o = json_object_new_object();
    int http = r->route != NULL && st != NB_E_UNAVAILABLE ? 400 : nb_status_http[st];

    json_object_object_add(e, "code", json_object_new_int(trs_code(st)));
    json_object_object_add(e, "data", json_object_new_object());
    json_object_object_add(e, "message",
                           json_object_new_string(nb_error_text_joined(r, trs_words)));
    json_object_object_add(o, "error", e);
    nb_reply(r, http, o);
}
