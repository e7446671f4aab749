/* The request lifecycle, one path for every dialect:
 * route → authenticate → authorise → check the query string and the body → handler → render. */
#include "app/request.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/auth.h"
#include "app/perm.h"
#include "app/router.h"
#include "app/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/operations.h"

#define NB_MAX_JSON_DEPTH 32

static const struct {
    unsigned bit;
    const char *name;
} methods[] = {
    {NB_GET, "GET"}, {NB_POST, "POST"}, {NB_PUT, "PUT"}, {NB_DELETE, "DELETE"}, {NB_PATCH, "PATCH"},
};

unsigned
nb_method_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(name, methods[i].name) == 0)
            return methods[i].bit;
    return 0;
}

const char *
nb_method_list(struct nb_req *r, unsigned bits)
{
    size_t cap = 64, len = 0; /* "GET, POST, PUT, DELETE, PATCH" takes 30 */
    char *s = nb_arena_alloc(r->arena, cap);

    s[0] = '\0';
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]) && len < cap; i++) {
        if (bits & methods[i].bit)
            len +=
                (size_t)snprintf(s + len, cap - len, "%s%s", len > 0 ? ", " : "", methods[i].name);
    }
    return s;
}

bool
nb_request_id_ok(const char *id)
{
    size_t n = id != NULL ? strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789._:-")
                          : 0;

    return n >= 1 && n <= NB_REQUEST_ID_MAX && id[n] == '\0';
}

static void
put_json(void *o)
{
    json_object_put(o);
}

struct json_object *
nb_json_own(struct nb_req *r, struct json_object *o)
{
    if (o != NULL)
        nb_arena_defer(r->arena, put_json, o);
    return o;
}

int
nb_reply(struct nb_req *r, int status, struct json_object *body)
{
    r->status = status;
    r->reply = body;
    if (body != NULL)
        nb_arena_defer(r->arena, put_json, body);
    return 0;
}

void
nb_reply_header(struct nb_req *r, const char *name, const char *value)
{
    if (r->nheaders < (int)(sizeof(r->headers) / sizeof(r->headers[0])))
        r->headers[r->nheaders++] = (struct nb_header){name, value};
}

int
nb_reply_file(struct nb_req *r, const char *internal_uri, const char *filename)
{
    r->status = 200;
    r->reply = NULL;
    r->reply_text = "";
    r->reply_type = "application/octet-stream";
    nb_reply_header(r, "X-Accel-Redirect", internal_uri);
    nb_reply_header(r, "Content-Disposition",
                    nb_arena_printf(r->arena, "attachment; filename=\"%s\"", filename));
    return 0;
}

struct json_object *
nb_json_object(struct nb_req *r)
{
    (void)r;
    return json_object_new_object();
}

struct json_object *
nb_json_string(const char *s)
{
    return s != NULL ? json_object_new_string(s) : NULL;
}

struct json_object *
nb_json_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o != NULL && json_object_is_type(o, json_type_object))
        json_object_object_get_ex(o, key, &v);
    return v;
}

const char *
nb_json_get_string(struct json_object *o, const char *key)
{
    struct json_object *v = nb_json_get(o, key);

    return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* What a field must be, as NB_R_FIELD_TYPE's kind. */
static const char *const type_names[] = {
    [NB_T_STRING] = "a string",  [NB_T_INT] = "an integer", [NB_T_BOOL] = "a boolean",
    [NB_T_OBJECT] = "an object", [NB_T_ARRAY] = "an array", [NB_T_ANY] = "a value",
};

static bool
has_type(struct json_object *v, enum nb_type t)
{
    switch (t) {
    case NB_T_STRING:
        return json_object_is_type(v, json_type_string);
    case NB_T_INT:
        return json_object_is_type(v, json_type_int);
    case NB_T_BOOL:
        return json_object_is_type(v, json_type_boolean);
    case NB_T_OBJECT:
        return json_object_is_type(v, json_type_object);
    case NB_T_ARRAY:
        return json_object_is_type(v, json_type_array);
    case NB_T_ANY:
        return true;
    }
    return false;
}

/* What a JSON value is, for messages about a value of the wrong kind (NULL is JSON null). */
static const char *
json_kind(struct json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "a boolean";
    case json_type_int:
    case json_type_double:
        return "a number";
    case json_type_string:
        return "a string";
    case json_type_array:
        return "an array";
    case json_type_object:
        return "an object";
    }
    return "a value";
}

/* Characters, not bytes: limits are promised in characters. */
static size_t
utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* What a row declares beyond the type, for val (not null, of f's type): length, range,
 * members, items. name names the field in messages. Array items (is_item) have no default
 * length limit: only a declared one applies. */
static int
check_value(struct nb_req *r, struct json_object *val, const struct nb_field *f, const char *name,
            bool is_item)
{
    if (f->type == NB_T_STRING && (!is_item || f->max_len != 0) &&
        utf8_length(json_object_get_string(val)) > (f->max_len ? f->max_len : 255))
        return nb_fail_reason(r, NB_E_INVALID, NB_R_TOO_LONG, name,
                              .limit = (long long)(f->max_len ? f->max_len : 255));
    if (f->type == NB_T_STRING && f->members != NULL &&
        nb_check_enum(r, name, json_object_get_string(val), f->members) < 0)
        return -1;
    if (f->type == NB_T_INT && f->out_of_range != NULL &&
        (json_object_get_int64(val) < f->min || json_object_get_int64(val) > f->max))
        return nb_fail_field(r, NB_E_INVALID, name, "%s", f->out_of_range);
    if (f->type == NB_T_OBJECT && f->sub != NULL && nb_body_check(r, val, f->sub, name) < 0)
        return -1;
    if (f->type == NB_T_ARRAY && f->item != NULL)
        for (size_t i = 0; i < json_object_array_length(val); i++) {
            struct json_object *item = json_object_array_get_idx(val, i);

            if (item == NULL || !has_type(item, f->item->type))
                return nb_fail_field(r, NB_E_INVALID, name, "Every item must be %s.",
                                     type_names[f->item->type]);
            if (check_value(r, item, f->item, name, true) < 0)
                return -1;
        }
    return 0;
}

int
nb_field_check(struct nb_req *r, struct json_object *val, const struct nb_field *f)
{
    return check_value(r, val, f, f->name, false);
}

int
nb_body_check(struct nb_req *r, struct json_object *o, const struct nb_field *spec,
              const char *where)
{
    const struct nb_field *f;

    if (!json_object_is_type(o, json_type_object))
        return nb_fail_reason(r, NB_E_INVALID, NB_R_NOT_OBJECT, where, .kind = json_kind(o));
    json_object_object_foreach(o, key, val)
    {
        for (f = spec; f->name != NULL && strcmp(f->name, key) != 0; f++)
            ;
        if (f->name == NULL)
            return nb_fail_reason(r, NB_E_INVALID, NB_R_UNKNOWN_FIELD,
                                  nb_arena_strdup(r->arena, key));
        if (val == NULL || json_object_is_type(val, json_type_null)) {
            if (f->required)
                return nb_fail_reason(r, NB_E_INVALID, NB_R_FIELD_NULL, f->name);
            continue;
        }
        if (!has_type(val, f->type))
            return nb_fail_reason(r, NB_E_INVALID, NB_R_FIELD_TYPE, f->name,
                                  .kind = type_names[f->type]);
        if (check_value(r, val, f, f->name, false) < 0)
            return -1;
    }
    for (f = spec; f->name != NULL; f++)
        if (f->required && nb_json_get(o, f->name) == NULL)
            return nb_fail_reason(r, NB_E_INVALID, NB_R_FIELD_REQUIRED, f->name);
    return 0;
}

static bool
is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    return ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Whether JSON text holds a NUL, raw or as the escape \u0000 in a string or a key. json-c
 * keeps such a string's full length, but every C string that reads it ends at the NUL (a guest
 * named "a\u0000b" was created as "a"), and json-c cuts object keys there itself. */
static bool
has_nul(const char *s, size_t n)
{
    bool in_string = false;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0')
            return true;
        if (!in_string) {
            in_string = s[i] == '"';
        } else if (s[i] == '"') {
            in_string = false;
        } else if (s[i] == '\\' && i + 1 < n) {
            if (s[i + 1] == 'u' && i + 6 <= n && memcmp(s + i + 2, "0000", 4) == 0)
                return true;
            i++; /* the escaped character cannot end the string */
        }
    }
    return false;
}

int
nb_body_parse(struct nb_req *r, const struct nb_field *spec)
{
    struct json_tokener *tok;
    enum json_tokener_error jerr;

    if (r->body_len == 0) {
        r->json = json_object_new_object();
        nb_arena_defer(r->arena, put_json, r->json);
        return nb_body_check(r, r->json, spec, NULL);
    }
    if (!is_json_type(r->content_type))
        return nb_fail_reason(r, NB_E_MEDIA_TYPE, NB_R_MEDIA_TYPE, NULL,
                              .id = r->content_type != NULL ? r->content_type : "");
    if (has_nul(r->body, r->body_len))
        return nb_fail_reason(r, NB_E_INVALID, NB_R_JSON_NUL, NULL);
    tok = json_tokener_new_ex(NB_MAX_JSON_DEPTH);
    /* RFC 8259 only: no comments, single quotes or trailing commas. */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    r->json = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue) {
        /* The text ended inside a value. A bare number or literal (123, null) ends only where
         * the input does, so say that it did; anything still open stays an error. */
        r->json = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
    } else if (jerr == json_tokener_success) {
        /* Only whitespace may follow the document. */
        for (size_t i = json_tokener_get_parse_end(tok); i < r->body_len; i++)
            if (r->body[i] == '\0' || strchr(" \t\r\n", r->body[i]) == NULL)
                jerr = json_tokener_error_parse_unexpected;
    }
    if (r->json != NULL)
        nb_arena_defer(r->arena, put_json, r->json);
    json_tokener_free(tok);
    if (jerr != json_tokener_success)
        return nb_fail_reason(r, NB_E_INVALID, NB_R_JSON_SYNTAX, NULL,
                              .id = jerr == json_tokener_error_parse_eof
                                        ? "unexpected end of input"
                                        : json_tokener_error_desc(jerr));
    /* r->json is NULL here for the document "null": nb_body_check says so. */
    return nb_body_check(r, r->json, spec, NULL);
}

/* "{1}" in a route's audit text stands for capture 1. */
static const char *
audit_text(struct nb_req *r)
{
    const char *t = r->route->audit;
    char *out = nb_arena_alloc(r->arena, 1024);
    size_t at = 0;

    for (; *t != '\0' && at < 1000; t++) {
        if (t[0] == '{' && t[1] >= '1' && t[1] <= '9' && t[2] == '}') {
            const char *c = r->capture[t[1] - '1'];

            at += (size_t)snprintf(out + at, 1024 - at, "%.200s", c != NULL ? c : "");
            t += 2;
        } else {
            out[at++] = *t;
        }
    }
    return out;
}

/* A state-changing handler and its audit entry commit together or not at all. */
static int
run_audited(struct nb_req *r)
{
    if (nb_db_begin(r) < 0)
        return -1;
    if (r->route->handler(r) < 0 || nb_audit(r, "%s %s", r->user.name, audit_text(r)) < 0 ||
        nb_db_commit(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    return 0;
}

/* Default shape when no dialect claims the path. */
static void
render_unmounted(struct nb_req *r)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "detail", json_object_new_string("Not found."));
    nb_reply(r, nb_status_http[r->err.status], o);
}

/* How long a waiting route waits for its operation: NIMBUS_OP_WAIT seconds (30), or less when
 * the client asks for less with X-Nimbus-Op-Wait (seconds; one that cannot hold a connection
 * open that long, or a test of the timeout). */
static int
op_wait_seconds(struct nb_req *r)
{
    static int configured = -1;
    const char *asked = r->param != NULL ? r->param(r, "HTTP_X_NIMBUS_OP_WAIT") : NULL;
    long long n;

    if (configured < 0)
        configured = (int)nb_env_int("NIMBUS_OP_WAIT", 0, 3600, 30);
    if (asked != NULL && nb_parse_int(asked, 0, configured, &n) == 0)
        return (int)n;
    return configured;
}

void
nb_request_handle(struct nb_req *r)
{
    r->route_index = -1;
    /* An unknown method (bit 0) matches no row, so the path's methods go into Allow. */
    if (nb_router_match(r) < 0)
        goto fail;
    if (!r->body_streamed && r->body_len > NB_MAX_BODY) {
        nb_fail_reason(r, NB_E_TOO_LARGE, NB_R_TOO_LARGE, NULL, .limit = NB_MAX_BODY);
        goto fail;
    }
    if (r->route->perm == NB_CAP_SERVICE
            ? nb_auth_service(r) < 0
            : r->route->perm != NB_CAP_PUBLIC && nb_auth_resolve(r) < 0)
        goto fail;
    if (nb_authorise(r) < 0)
        goto fail;
    if (r->route->query != NULL && nb_query_check(r, r->route->query) < 0)
        goto fail;
    if (r->route->body != NULL && nb_body_parse(r, r->route->body) < 0)
        goto fail;
    if (r->route->audit != NULL ? run_audited(r) < 0 : r->route->handler(r) < 0)
        goto fail;
    nb_db_rollback(); /* a handler that left a transaction open did not mean to commit it */
    if ((r->route->methods & NB_WAITS) && r->op_id != NULL &&
        nb_op_wait(r, r->op_id, op_wait_seconds(r)) < 0)
        goto fail;
    return;
fail:
    nb_db_rollback();
    if (r->err.status == NB_OK)
        nb_fail(r, NB_E_INTERNAL, "handler failed without an error");
    r->reply = NULL;
    if (r->err.status == NB_E_METHOD && r->allowed != 0)
        nb_reply_header(r, "Allow", nb_method_list(r, r->allowed));
    if (r->dialect != NULL)
        r->dialect->render_error(r);
    else
        render_unmounted(r);
}
