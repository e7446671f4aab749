/* DRF's error body: field errors as lists of messages, everything else as "detail". */
#include "routes/drf.h"

struct json_object *
nb_drf_error_body(struct nb_req *r)
{
    struct json_object *o = json_object_new_object();

    if (r->err.field != NULL) {
        struct json_object *list = json_object_new_array();

        json_object_array_add(list, json_object_new_string(r->err.message));
        json_object_object_add(o, r->err.field, list);
    } else {
        json_object_object_add(o, "detail", json_object_new_string(r->err.message));
    }
    return o;
}
