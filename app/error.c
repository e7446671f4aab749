/* Error status tables and the recorders: the first error of a request sticks. */
#include "app/request.h"

#include <stdarg.h>
#include <stdio.h>

const int nb_status_http[NB_STATUS__MAX] = {
    [NB_OK] = 200,
    [NB_E_INVALID] = 400,
    [NB_E_UNAUTHENTICATED] = 401,
    [NB_E_FORBIDDEN] = 403,
    [NB_E_NOT_FOUND] = 404,
    [NB_E_METHOD] = 405,
    [NB_E_CONFLICT] = 409,
    [NB_E_TOO_LARGE] = 413,
    [NB_E_MEDIA_TYPE] = 415,
    [NB_E_UNAVAILABLE] = 503,
    [NB_E_INTERNAL] = 500,
};

const char *const nb_status_name[NB_STATUS__MAX] = {
    [NB_OK] = "ok",
    [NB_E_INVALID] = "invalid",
    [NB_E_UNAUTHENTICATED] = "unauthenticated",
    [NB_E_FORBIDDEN] = "forbidden",
    [NB_E_NOT_FOUND] = "not_found",
    [NB_E_METHOD] = "method",
    [NB_E_CONFLICT] = "conflict",
    [NB_E_TOO_LARGE] = "too_large",
    [NB_E_MEDIA_TYPE] = "media_type",
    [NB_E_UNAVAILABLE] = "unavailable",
    [NB_E_INTERNAL] = "internal",
};

const char *const nb_reason_name[NB_REASON__MAX] = {
    [NB_R_MESSAGE] = "message",
    [NB_R_NO_API] = "no_api",
    [NB_R_NO_ROUTE] = "no_route",
    [NB_R_METHOD] = "method",
    [NB_R_TOO_LARGE] = "too_large",
    [NB_R_MEDIA_TYPE] = "media_type",
    [NB_R_JSON_NUL] = "json_nul",
    [NB_R_JSON_SYNTAX] = "json_syntax",
    [NB_R_NOT_OBJECT] = "not_object",
    [NB_R_UNKNOWN_FIELD] = "unknown_field",
    [NB_R_FIELD_NULL] = "field_null",
    [NB_R_FIELD_TYPE] = "field_type",
    [NB_R_TOO_LONG] = "too_long",
    [NB_R_FIELD_REQUIRED] = "field_required",
    [NB_R_NO_CREDENTIAL] = "no_credential",
    [NB_R_BAD_CREDENTIAL] = "bad_credential",
    [NB_R_LOGIN_FAILED] = "login_failed",
    [NB_R_UNKNOWN_TOKEN] = "unknown_token",
    [NB_R_FORBIDDEN] = "forbidden",
    [NB_R_NO_GROUP] = "no_group",
    [NB_R_DUPLICATE] = "duplicate",
    [NB_R_OVERLAP] = "overlap",
    [NB_R_REFERENCED] = "referenced",
    [NB_R_BAD_VALUE] = "bad_value",
    [NB_R_OVER_LIMIT] = "over_limit",
    [NB_R_DB_UNAVAILABLE] = "db_unavailable",
    [NB_R_INTERNAL] = "internal",
};

static void
record(struct nb_req *r, const char *file, int line, enum nb_status status, enum nb_reason reason,
       const char *field)
{
    r->err.status = status;
    r->err.reason = reason;
    r->err.field = field;
    r->err.arg = (struct nb_error_args){0};
    r->err.file = file;
    r->err.line = line;
}

int
nb_fail_at(struct nb_req *r, const char *file, int line, enum nb_status status, const char *field,
           const char *fmt, ...)
{
    va_list ap;

    if (r->err.status != NB_OK)
        return -1;
    record(r, file, line, status, NB_R_MESSAGE, field);
    va_start(ap, fmt);
    (void)vsnprintf(r->err.message, sizeof(r->err.message), fmt, ap);
    va_end(ap);
    return -1;
}

/* Writes the error's message; a longer one is cut. */
static void say(struct nb_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct nb_error *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

const char *const nb_over_limit_name[NB_OVER__MAX] = {
    [NB_OVER_CAPACITY] = "NoCapacityError",
    [NB_OVER_QUANTITY] = "NoQuantityError",
    [NB_OVER_NO_HOLDING] = "NoHoldingError",
};

/* Synnefo's quotaholder messages, with the figures. */
static void
describe_over_limit(struct nb_error *e)
{
    const struct nb_over_limit *o = e->arg.over;

    if (o == NULL || o->kind == NB_OVER_NO_HOLDING)
        say(e, "There is no such holding (%s, %s, %s)", o ? o->holder : "?",
            o && o->source ? o->source : "null", o ? o->resource : "?");
    else if (o->kind == NB_OVER_QUANTITY)
        say(e, "%s attempts to release more %s than it contains (usage %lld, released %lld)",
            o->holder, o->resource, o->usage, -o->quantity);
    else
        say(e, "%s has not enough capacity of %s (limit %lld, usage %lld, requested %lld)",
            o->holder, o->resource, o->limit, o->usage, o->quantity);
}

/* The neutral words of a reason: what the log says, and what a dialect without words of its
 * own shows. They never print arg.id of a credential reason. */
static void
describe(struct nb_req *r)
{
    struct nb_error *e = &r->err;
    const char *field = e->field != NULL ? e->field : "the body";

    switch (e->reason) {
    case NB_R_MESSAGE:
        break;
    case NB_R_NO_API:
        say(e, "no API is mounted at this path");
        break;
    case NB_R_NO_ROUTE:
        say(e, "no such path");
        break;
    case NB_R_METHOD:
        say(e, "method %s not allowed", e->arg.id);
        break;
    case NB_R_TOO_LARGE:
        say(e, "Request body is larger than %lld bytes.", e->arg.limit);
        break;
    case NB_R_MEDIA_TYPE:
        say(e, "media type \"%s\" is not JSON", e->arg.id);
        break;
    case NB_R_JSON_NUL:
        say(e, "JSON with NUL in a string or key");
        break;
    case NB_R_JSON_SYNTAX:
        say(e, "JSON syntax: %s", e->arg.id);
        break;
    case NB_R_NOT_OBJECT:
        say(e, "%s is %s, not an object", field, e->arg.kind);
        break;
    case NB_R_UNKNOWN_FIELD:
        say(e, "%s is not accepted", field);
        break;
    case NB_R_FIELD_NULL:
        say(e, "%s is null", field);
        break;
    case NB_R_FIELD_TYPE:
        say(e, "%s is not %s", field, e->arg.kind);
        break;
    case NB_R_TOO_LONG:
        say(e, "%s is longer than %lld characters", field, e->arg.limit);
        break;
    case NB_R_FIELD_REQUIRED:
        say(e, "%s is missing", field);
        break;
    case NB_R_NO_CREDENTIAL:
        say(e, "%s", r->dialect != NULL ? r->dialect->no_credential : "no credential");
        break;
    case NB_R_BAD_CREDENTIAL:
        say(e, "%s", r->dialect != NULL ? r->dialect->bad_credential : "bad credential");
        break;
    case NB_R_LOGIN_FAILED:
        say(e, "%s", e->arg.kind != NULL ? e->arg.kind : "wrong user or password");
        break;
    case NB_R_UNKNOWN_TOKEN:
        say(e, "unknown token");
        break;
    case NB_R_FORBIDDEN:
        say(e, "the route's permission is missing");
        break;
    case NB_R_NO_GROUP:
        say(e, "user %s belongs to no user group", e->arg.id);
        break;
    case NB_R_DUPLICATE:
        say(e, "%s", e->arg.kind != NULL ? e->arg.kind : "that already exists");
        break;
    case NB_R_OVERLAP:
        say(e, "overlaps an existing range");
        break;
    case NB_R_REFERENCED:
        say(e, "still referenced");
        break;
    case NB_R_BAD_VALUE:
        say(e, "invalid value");
        break;
    case NB_R_OVER_LIMIT:
        describe_over_limit(e);
        break;
    case NB_R_DB_UNAVAILABLE:
        say(e, "database unavailable");
        break;
    case NB_R_INTERNAL:
    case NB_REASON__MAX:
        say(e, "internal error");
        break;
    }
}

int
nb_fail_reason_at(struct nb_req *r, const char *file, int line, enum nb_status status,
                  enum nb_reason reason, const char *field, struct nb_error_args arg)
{
    if (r->err.status != NB_OK)
        return -1;
    record(r, file, line, status, reason, field);
    r->err.arg = arg;
    describe(r);
    return -1;
}

const char *
nb_error_text(struct nb_req *r, nb_wording *const words[])
{
    for (size_t i = 0; words != NULL && words[i] != NULL && r->err.reason != NB_R_MESSAGE; i++) {
        const char *s = words[i](r, &r->err);

        if (s != NULL)
            return s;
    }
    return r->err.message;
}

const char *
nb_error_text_joined(struct nb_req *r, nb_wording *const words[])
{
    const char *s = nb_error_text(r, words);

    return r->err.field != NULL ? nb_arena_printf(r->arena, "%s: %s", r->err.field, s) : s;
}
