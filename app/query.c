/* The query string: decoded and checked against the route's query spec before the handler
 * runs, then read by handlers through typed accessors, never parsed by them. */
#include <limits.h>
#include <string.h>

#include "app/request.h"
#include "app/validate.h"

static int
hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes n bytes of s ('+' is a space, as forms encode it; a '%' not followed by two
 * hex digits stays as it is). *len is the decoded length: more than strlen when it holds %00. */
static char *
url_decode(struct nb_arena *a, const char *s, size_t n, size_t *len)
{
    char *out = nb_arena_alloc(a, n + 1), *o = out;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
            *o++ = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else if (s[i] == '+') {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

/* What a query parameter must be, as NB_R_FIELD_TYPE's kind. */
static const char *
kind_of(enum nb_type t)
{
    return t == NB_T_INT ? "an integer" : "a boolean";
}

/* text as a JSON value of f's type, or NULL with the error recorded. */
static struct json_object *
typed_value(struct nb_req *r, const struct nb_field *f, const char *text)
{
    long long n;

    switch (f->type) {
    case NB_T_INT:
        if (nb_parse_int(text, LLONG_MIN, LLONG_MAX, &n) == 0)
            return json_object_new_int64(n);
        break;
    case NB_T_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
            return json_object_new_boolean(1);
        if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
            return json_object_new_boolean(0);
        break;
    default: /* a query string holds no objects or arrays: a spec row of those is text */
        return json_object_new_string(text);
    }
    nb_fail_reason(r, NB_E_INVALID, NB_R_FIELD_TYPE, f->name, .kind = kind_of(f->type));
    return NULL;
}

/* One "name=value" of n bytes at q, checked against spec into r->params. */
static int
check_param(struct nb_req *r, const struct nb_field *spec, const char *q, size_t n)
{
    size_t eq = strcspn(q, "="), name_len, value_len = 0;
    const char *name = url_decode(r->arena, q, eq < n ? eq : n, &name_len), *value = "";
    const struct nb_field *f;
    struct json_object *v;

    for (f = spec; f->name != NULL && strcmp(f->name, name) != 0; f++)
        ;
    if (f->name == NULL || name_len != strlen(name))
        return 0; /* undeclared: no handler can read it */
    if (json_object_object_get_ex(r->params, f->name, NULL))
        return nb_fail_field(r, NB_E_INVALID, f->name, "This parameter may be given only once.");
    if (eq < n)
        value = url_decode(r->arena, q + eq + 1, n - eq - 1, &value_len);
    if (value_len != strlen(value))
        return nb_fail_field(r, NB_E_INVALID, f->name, "This parameter may not contain NUL.");
    if (value[0] == '\0') {
        /* an empty value is no value, but it was given: a second one is still refused */
        json_object_object_add(r->params, f->name, NULL);
        return 0;
    }
    v = typed_value(r, f, value);
    if (v == NULL)
        return -1;
    json_object_object_add(r->params, f->name, v);
    return nb_field_check(r, v, f);
}

int
nb_query_check(struct nb_req *r, const struct nb_field *spec)
{
    r->params = nb_json_own(r, json_object_new_object());
    for (const char *q = r->query; q != NULL && *q != '\0';) {
        size_t n = strcspn(q, "&");

        if (n > 0 && check_param(r, spec, q, n) < 0)
            return -1;
        q += n + (q[n] == '&');
    }
    for (const struct nb_field *f = spec; f->name != NULL; f++)
        if (f->required && nb_json_get(r->params, f->name) == NULL)
            return nb_fail_reason(r, NB_E_INVALID, NB_R_FIELD_REQUIRED, f->name);
    return 0;
}

const char *
nb_query_text(struct nb_req *r, const char *name)
{
    struct json_object *v = nb_json_get(r->params, name);

    return v != NULL && (json_object_is_type(v, json_type_string) ||
                         json_object_is_type(v, json_type_int))
               ? json_object_get_string(v)
               : NULL;
}

long long
nb_query_int(struct nb_req *r, const char *name, long long fallback)
{
    struct json_object *v = nb_json_get(r->params, name);

    return v != NULL && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : fallback;
}

int
nb_query_bool(struct nb_req *r, const char *name, int fallback)
{
    struct json_object *v = nb_json_get(r->params, name);

    return v != NULL && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
                                                                  : fallback;
}
