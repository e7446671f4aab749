/* JSON written as text straight into json-c's output buffer, for documents too hot or too
 * large for an object tree: a guest is 45 values, a page of guests 4,500, and building them as
 * json-c objects cost more than the database read. nb_json_text(fn, ctx) is a json-c value
 * that writes itself by calling fn when its reply is serialised, so it goes wherever a
 * json_object goes (a reply's data, a member of a larger object) and the output is the same
 * text json-c would have written for the equivalent tree. */
#ifndef NB_JSON_TEXT_H
#define NB_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define NB_JW_DEPTH 8

/* A writer: key is the member name inside an object, NULL inside an array or at the top. */
struct nb_jw {
    struct printbuf *pb;
    int depth;
    bool first[NB_JW_DEPTH]; /* no member written yet at this depth */
};

void nb_jw_open(struct nb_jw *w, const char *key, char bracket); /* '{' or '[' */
void nb_jw_close(struct nb_jw *w, char bracket);                 /* '}' or ']' */
void nb_jw_string(struct nb_jw *w, const char *key, const char *s);
/* A floating-point number, written as json-c writes a double (%.17g, ".0" when integral);
 * null when it is not finite (json-c would write NaN, which is not JSON). */
void nb_jw_double(struct nb_jw *w, const char *key, double v);
void nb_jw_bool(struct nb_jw *w, const char *key, bool v);
/* Text that is already JSON: array_to_json, or an integer as PostgreSQL prints one. */
void nb_jw_raw(struct nb_jw *w, const char *key, const char *json);

typedef void nb_jw_fn(struct nb_jw *w, const void *ctx);
/* A json-c value written by fn(w, ctx) at serialisation; ctx (size bytes) is copied. */
struct json_object *nb_json_text(nb_jw_fn *fn, const void *ctx, size_t size);

#endif
