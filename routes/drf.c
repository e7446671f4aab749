/* DRF's error body and words: field errors as lists of messages, everything else as "detail". */
#include "routes/drf.h"

const char *
nb_drf_words(struct nb_req *r, const struct nb_error *e)
{
    switch (e->reason) {
    case NB_R_NO_ROUTE:
        return "Not found.";
    case NB_R_METHOD:
        return nb_arena_printf(r->arena, "Method \"%s\" not allowed.", e->arg.id);
    case NB_R_MEDIA_TYPE:
        return nb_arena_printf(r->arena, "Unsupported media type \"%s\" in request.", e->arg.id);
    case NB_R_JSON_NUL:
        return "JSON parse error - strings and keys may not contain NUL (\\u0000)";
    case NB_R_JSON_SYNTAX:
        return nb_arena_printf(r->arena, "JSON parse error - %s", e->arg.id);
    case NB_R_NOT_OBJECT:
        return nb_arena_printf(r->arena,
                               e->field != NULL ? "This field must be a JSON object, not %s."
                                                : "The body must be a JSON object, not %s.",
                               e->arg.kind);
    case NB_R_UNKNOWN_FIELD:
        return "This field is not accepted.";
    case NB_R_FIELD_NULL:
        return "This field may not be null.";
    case NB_R_FIELD_TYPE:
        return nb_arena_printf(r->arena, "This field must be %s.", e->arg.kind);
    case NB_R_TOO_LONG:
        return nb_arena_printf(r->arena, "Ensure this field has no more than %lld characters.",
                               e->arg.limit);
    case NB_R_FIELD_REQUIRED:
        return "This field is required.";
    case NB_R_FORBIDDEN:
        return "You do not have permission to perform this action.";
    default:
        return NULL;
    }
}

static nb_wording *const drf_words[] = {nb_drf_words, NULL};

struct json_object *
nb_drf_error_body(struct nb_req *r)
{
    struct json_object *o = json_object_new_object();
    const char *msg = nb_error_text(r, drf_words);

    if (r->err.field != NULL) {
        struct json_object *list = json_object_new_array();

        json_object_array_add(list, json_object_new_string(msg));
        json_object_object_add(o, r->err.field, list);
    } else {
        json_object_object_add(o, "detail", json_object_new_string(msg));
    }
    return o;
}
