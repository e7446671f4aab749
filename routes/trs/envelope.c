/* Two shapes under one dialect. Keystone (/v3/): {"error": {"code", "title", "message"}} with
 * the HTTP status as code. TRS (/v1/): HTTP 400 with {"error": {"code", "message", "data"}}
 * and the code from the TRS table; failures before a handler keep their HTTP status. */
#include <string.h>

#include "routes/trs/trs.h"

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

static const char *const keystone_title[NB_STATUS__MAX] = {
    [NB_E_INVALID] = "Bad Request",        [NB_E_UNAUTHENTICATED] = "Unauthorized",
    [NB_E_FORBIDDEN] = "Forbidden",        [NB_E_NOT_FOUND] = "Not Found",
    [NB_E_METHOD] = "Method Not Allowed",  [NB_E_CONFLICT] = "Conflict",
    [NB_E_TOO_LARGE] = "Request Entity Too Large", [NB_E_MEDIA_TYPE] = "Unsupported Media Type",
    [NB_E_UNAVAILABLE] = "Service Unavailable", [NB_E_INTERNAL] = "Internal Server Error",
};

void
trs_error(struct nb_req *r)
{
    enum nb_status st = r->err.status;
    struct json_object *e = json_object_new_object(), *o = json_object_new_object();
    const char *msg = r->err.message;
    int http = nb_status_http[st];

    if (r->err.field != NULL)
        msg = nb_arena_printf(r->arena, "%s: %s", r->err.field, r->err.message);
    if (strncmp(r->path, "/v3/", 4) == 0) {
        json_object_object_add(e, "code", json_object_new_int(http));
        json_object_object_add(e, "title", json_object_new_string(keystone_title[st]));
        if (st == NB_E_UNAUTHENTICATED)
            nb_reply_header(r, "WWW-Authenticate",
                            nb_arena_printf(r->arena, "Keystone uri=\"%s/v3\"", r->scheme_host));
    } else {
        if (r->route != NULL && st != NB_E_UNAVAILABLE)
            http = 400;
        json_object_object_add(e, "code", json_object_new_int(trs_code(st)));
        json_object_object_add(e, "data", json_object_new_object());
    }
    json_object_object_add(e, "message", json_object_new_string(msg));
    json_object_object_add(o, "error", e);
    nb_reply(r, http, o);
}
