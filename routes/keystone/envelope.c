/* Keystone answers {"error": {"code", "title", "message"}} with the HTTP status as code, and
 * a 401 says where to authenticate (WWW-Authenticate). */
#include "routes/drf.h"
#include "routes/keystone/keystone.h"

static const char *const keystone_title[NB_STATUS__MAX] = {
    [NB_E_INVALID] = "Bad Request",
    [NB_E_UNAUTHENTICATED] = "Unauthorized",
    [NB_E_FORBIDDEN] = "Forbidden",
    [NB_E_NOT_FOUND] = "Not Found",
    [NB_E_METHOD] = "Method Not Allowed",
    [NB_E_CONFLICT] = "Conflict",
    [NB_E_TOO_LARGE] = "Request Entity Too Large",
    [NB_E_MEDIA_TYPE] = "Unsupported Media Type",
    [NB_E_UNAVAILABLE] = "Service Unavailable",
    [NB_E_INTERNAL] = "Internal Server Error",
};

/* Keystone names the token it could not find back to the caller that sent it; the log, which
 * shows only the neutral words, never does. */
static const char *
keystone_words(struct nb_req *r, const struct nb_error *e)
{
    if (e->reason != NB_R_UNKNOWN_TOKEN)
        return NULL;
    return e->arg.id != NULL ? nb_arena_printf(r->arena, "Could not find token: %s", e->arg.id)
                             : "Could not find token.";
}

/* For the errors the dispatcher finds, Keystone's clients read DRF's words after the field. */
static nb_wording *const words[] = {keystone_words, nb_drf_words, NULL};

void
keystone_error(struct nb_req *r)
{
    enum nb_status st = r->err.status;
    struct json_object *e = json_object_new_object(), *o = json_object_new_object();
    int http = nb_status_http[st];

    json_object_object_add(e, "code", json_object_new_int(http));
    json_object_object_add(e, "title", json_object_new_string(keystone_title[st]));
    json_object_object_add(e, "message", json_object_new_string(nb_error_text_joined(r, words)));
    json_object_object_add(o, "error", e);
    if (st == NB_E_UNAUTHENTICATED)
        nb_reply_header(r, "WWW-Authenticate",
                        nb_arena_printf(r->arena, "Keystone uri=\"%s/v3\"", r->scheme_host));
    nb_reply(r, http, o);
}
