/* Nano's envelope. The real frontend answers every failure with HTTP 200 and error_code 500;
 * only failures before a handler runs (no route, wrong method, body too large, database down)
 * keep their HTTP status so proxies and monitors can see them. */
#include <stdio.h>

#include "routes/drf.h"
#include "routes/nano/nano.h"

/* Nano's clients read DRF's words for the errors the dispatcher finds, after the field name. */
static nb_wording *const nano_words[] = {nb_drf_words, NULL};

static struct json_object *
envelope(int code, const char *message, struct json_object *data)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "error_code", json_object_new_int(code));
    json_object_object_add(o, "message", json_object_new_string(message));
    json_object_object_add(o, "data", data != NULL ? data : json_object_new_string(""));
    return o;
}

int
nano_ok(struct nb_req *r, int status, struct json_object *data)
{
    return nb_reply(r, status, envelope(0, "", data));
}

int
nano_id(struct nb_req *r, int status, const char *id)
{
    struct json_object *data = json_object_new_object();

    json_object_object_add(data, "id", json_object_new_string(id));
    return nano_ok(r, status, data);
}

void
nano_error(struct nb_req *r)
{
    enum nb_status st = r->err.status;
    int http = r->route == NULL || st == NB_E_UNAVAILABLE || st == NB_E_TOO_LARGE
                   ? nb_status_http[st]
                   : 200;

    nb_reply(r, http, envelope(500, nb_error_text_joined(r, nano_words), NULL));
}
