/* A request's life: everything a handler sees, and the calls it answers with. */
#ifndef NB_REQUEST_H
#define NB_REQUEST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/arena.h"
#include "app/error.h"

enum nb_method {
    NB_GET = 1 << 0,
    NB_POST = 1 << 1,
    NB_PUT = 1 << 2,
    NB_DELETE = 1 << 3,
    NB_PATCH = 1 << 4,
};
/* A route row's flag, given with its methods ({NB_PUT | NB_WAITS, …}) and matching no
 * request's method: the call answers once the operation its handler queued (r->op_id) has
 * ended on the host, with the host's error if it failed (db/operations.h, nb_op_wait); nginx
 * sends such routes to the wait pool (nimbusctl nginx waits). */
#define NB_WAITS (1u << 8)

/* What a route demands of its caller, in no dialect's words; checked by the dispatcher
 * (app/perm.c), never by handlers. After the first four come the capabilities a caller's roles
 * grant: each dialect maps its own role names to them (struct nb_dialect's roles), and a route
 * needing one admits administrators and every caller holding it. */
enum nb_cap {
    NB_CAP_PUBLIC,  /* no credential needed (log-in, health) */
    NB_CAP_USER,    /* any authenticated user */
    NB_CAP_SELF,    /* the user named by the first capture, or holders of NB_CAP_MANAGE_USERS */
    NB_CAP_SERVICE, /* a registered service's token (services), no user: Astakos commissions */
    NB_CAP_ADMIN,   /* administrators only */
    NB_CAP_VIEW_DASHBOARD, /* the zone's, pools' and cells' status */
    NB_CAP_MANAGE_POOLS,   /* compute pools, their cells and status */
    NB_CAP_MANAGE_ADDRESSES,
    NB_CAP_MANAGE_STORAGE,
    NB_CAP_MANAGE_GUESTS, /* guests, instances, snapshots, batches, migrations */
    NB_CAP_MANAGE_DISK_IMAGES,
    NB_CAP_MANAGE_MEDIA_IMAGES,
    NB_CAP_MANAGE_USERS, /* users, groups and roles */
    NB_CAP_MANAGE_LOGS,
    NB_CAP_MANAGE_VISIBILITY,
    NB_CAP_MANAGE_SECURITY_GROUPS,
    NB_CAP_MANAGE_TEMPLATES,
    /* Reads of what a guest's create names, for the pages that create guests: */
    NB_CAP_VIEW_POOLS,           /* the compute pools and their cells */
    NB_CAP_VIEW_DISK_IMAGES,     /* disk image searches (scoped by visibility) */
    NB_CAP_VIEW_MEDIA_IMAGES,    /* media image searches (scoped by visibility) */
    NB_CAP_VIEW_SECURITY_GROUPS, /* security policy group searches (scoped by visibility) */
    NB_CAP__MAX
};

/* One row of a dialect's role table: holding the role named role grants cap. A role may appear
 * on several rows to grant several capabilities. */
struct nb_role_cap {
    const char *role;
    enum nb_cap cap;
};

/* Input spec: the JSON body a route accepts, or its query string's parameters. Undeclared body
 * keys are refused, undeclared query parameters ignored (no handler can read them), and
 * everything a row declares is checked by the dispatcher before the handler runs. Query
 * parameters are strings, integers (nb_parse_int's digits) or booleans (true, false, 1, 0). */
enum nb_type { NB_T_STRING, NB_T_INT, NB_T_BOOL, NB_T_OBJECT, NB_T_ARRAY, NB_T_ANY };

struct nb_field {
    const char *name;
    enum nb_type type;
    bool required;
    size_t max_len;             /* strings: longest accepted length; 0 = 255 */
    const struct nb_field *sub; /* objects: their fields, NULL-name terminated; NULL = any */
    /* integers: the accepted range, when out_of_range is set; a value outside is refused with
     * out_of_range as the message (each route keeps its own words) */
    long long min, max;
    const char *out_of_range;
    const char *const *members;  /* strings: the values accepted, NULL-terminated; NULL = any */
    const struct nb_field *item; /* arrays: what every item must be (name unused); NULL = any */
};

/* Spec rows: a field of each type; NB_FIELDS_END closes a spec. Members and items are given
 * with designated initialisers on the rows that have them. */
#define NB_STRING(n, req, len)                                                                     \
    {                                                                                              \
        .name = (n), .type = NB_T_STRING, .required = (req), .max_len = (len)                      \
    }
#define NB_INT(n, req)                                                                             \
    {                                                                                              \
        .name = (n), .type = NB_T_INT, .required = (req)                                           \
    }
/* An integer accepted from lo to hi; anything else is refused with words (the route's own). */
#define NB_INT_RANGE(n, req, lo, hi, words)                                                        \
    {                                                                                              \
        .name = (n), .type = NB_T_INT, .required = (req), .min = (lo), .max = (hi),                \
        .out_of_range = (words)                                                                    \
    }
#define NB_BOOL(n, req)                                                                            \
    {                                                                                              \
        .name = (n), .type = NB_T_BOOL, .required = (req)                                          \
    }
#define NB_OBJECT(n, req, fields)                                                                  \
    {                                                                                              \
        .name = (n), .type = NB_T_OBJECT, .required = (req), .sub = (fields)                       \
    }
#define NB_ARRAY(n, req)                                                                           \
    {                                                                                              \
        .name = (n), .type = NB_T_ARRAY, .required = (req)                                         \
    }
#define NB_ANY(n, req)                                                                             \
    {                                                                                              \
        .name = (n), .type = NB_T_ANY, .required = (req)                                           \
    }
#define NB_FIELDS_END                                                                              \
    {                                                                                              \
        .name = NULL                                                                               \
    }

struct nb_req;
typedef int (*nb_handler)(struct nb_req *r);

struct nb_route {
    unsigned methods;
    const char *pattern;
    nb_handler handler;
    const struct nb_field *body; /* NULL: the route takes no body */
    enum nb_cap perm;
    /* State-changing routes: the audit entry after "<user> ", {1}..{9} standing for the
     * captures. The dispatcher runs such a handler and writes the entry in one transaction. */
    const char *audit;
    /* The query parameters the handler reads (nb_query_text and friends); NULL: none. */
    const struct nb_field *query;
};

/* A header a dialect's clients present their credential in: the whole value is the token
 * (Nano-Session, X-Auth-Token), or it follows scheme and a space (Authorization: Token ...). */
struct nb_credential_header {
    const char *name;
    const char *scheme; /* NULL: the value is the token */
};

/* One API dialect: where it is mounted, its routes, how it answers failures, and how its
 * callers log in and present credentials. Written with designated initialisers, one per
 * dialect (routes/<dialect>/table.c), and listed once in routes/dialects.c; nginx's
 * configuration and the API tests' helpers are generated from these (app/dialect_export.c). */
struct nb_dialect {
    const char *name;
    const char *const *mounts; /* path prefixes, NULL-terminated */
    const struct nb_route *routes;
    size_t nroutes;
    void (*render_error)(struct nb_req *r);
    const char *no_credential;  /* what an unauthenticated call is told, in the dialect's words */
    const char *bad_credential; /* ... and a call with an unknown or expired credential */
    /* Callers outside every user group are refused (Nano), whichever log-in issued their
     * credential; dialects without groups leave it false. */
    bool needs_group;

    /* Log-in: the path (as clients spell it) nginx rate-limits and sends to the log-in pool,
     * and the kind of credential it issues (credentials.kind, the audit's "via"). NULL when
     * the dialect has no log-in of its own. */
    const char *login;
    const char *credential_kind;
    /* Seconds an issued credential lives without keep-alive, never past
     * NIMBUS_SESSION_MAX_AGE; 0: NIMBUS_TOKEN_TTL. */
    int credential_ttl;
    /* Where its clients present a credential, name NULL-terminated. Every dialect accepts the
     * headers of all: one credential table behind them (app/auth.c, nb_auth_credential). */
    const struct nb_credential_header *credential_headers;

    /* nginx's own refusals (limits, workers down) under mounts and edge_mounts: the JSON body
     * template, in this dialect's envelope, with nginx variables ($status,
     * $nimbus_error_message and those edge_maps defines); edge_maps, when not NULL, holds the
     * nginx map blocks the template reads. edge_mounts: prefixes nginx serves itself on the
     * dialect's behalf, NULL-terminated or NULL. */
    const char *edge_error;
    const char *edge_maps;
    const char *const *edge_mounts;
    /* Its role names and the capabilities they grant, NULL-role terminated; NULL when the
     * dialect has no roles of its own. */
    const struct nb_role_cap *roles;
};

/* The authenticated caller, resolved from whichever dialect's credential header came. */
struct nb_user {
    int64_t id;
    const char *id_text; /* id as a query parameter */
    const char *uuid;    /* 32 hex digits, the identity other dialects show */
    const char *name;
    const char *group; /* Nano user group, or NULL */
    bool is_admin;
    /* id of the user's group when that group shares its instances (instance_visible), as a
     * query parameter; NULL otherwise */
    const char *shared_group;
    /* the role names the user's group holds, comma-separated as CREDENTIAL_RESOLVE returns
     * them, in the words of the dialect that stores them; "" for none */
    const char *roles;
    uint32_t caps; /* bit c set: the request's dialect maps one of roles to capability c */
    /* the hash nb_auth_login verified, so that issuing refuses once it has changed; NULL when
     * the user was resolved from a credential */
    const char *password_hash;
};

/* The caller as the visibility rules see it, built once per request where the credential is
 * resolved (app/auth.c), as the statements' parameters: every statement that shows rows "the
 * caller may see" takes these first, as $1..$NB_SCOPE_NPARAMS, from nb_db_query_scoped
 * (db/db.h), never listed by hand. Projects (MODEL.md) will be one more member here. */
struct nb_scope {
    const char *user_id;      /* users.id */
    const char *admin;        /* "t" for an administrator, "f" otherwise */
    const char *shared_group; /* the user's group id when it shares instances, else NULL */
};
#define NB_SCOPE_NPARAMS 3

#define NB_MAX_CAPTURES 8
/* JSON bodies above this are refused unread (nginx allows a little more, so that the refusal
 * comes in the dialect's own shape). */
#define NB_MAX_BODY (512 * 1024)

struct nb_header {
    const char *name, *value;
};

struct nb_req {
    struct nb_arena *arena;

    /* Request, as nginx passed it. */
    enum nb_method method;
    const char *method_name;
    const char *path; /* without the query string */
    const char *query;
    const char *content_type;
    const char *remote_addr;
    const char *request_id;
    /* Where clients reach us ("https://host:port", NIMBUS_PUBLIC_URL), for absolute URLs; never
     * built from the client's Host header, which the client controls. */
    const char *scheme_host;
    const char *credential; /* raw token from any dialect's auth header, or NULL */
    const char *body;
    size_t body_len;
    /* Image uploads: nginx streams the body (NIMBUS_BODY_STREAM, fastcgi_request_buffering
     * off) and it is not read ahead; body is then NULL, body_len the declared length, and the
     * handler reads the bytes with read_body (n at most, 0 at the end, -1 on error). */
    bool body_streamed;
    long (*read_body)(struct nb_req *r, char *buf, size_t n);
    struct json_object *json;   /* the parsed body, checked against route->body */
    struct json_object *params; /* the declared query parameters, typed, checked against
                                   route->query (app/query.c) */
    const char *(*param)(struct nb_req *r, const char *name);
    void *transport;

    /* Routing. */
    const struct nb_dialect *dialect;
    const struct nb_route *route;
    int route_index; /* global index for metrics, -1 when unmatched */
    const char *capture[NB_MAX_CAPTURES];
    unsigned allowed; /* methods the path accepts, for 405 */

    struct nb_user user;
    struct nb_scope scope;  /* filled with user */
    const char *op_id;      /* the last operation the request queued, or NULL */
    const char *service_id; /* NB_CAP_SERVICE routes: the calling service (services.id) */
    struct nb_error err;

    /* Response. */
    int status;
    struct json_object *reply;
    const char *reply_text; /* a non-JSON body (metrics) */
    const char *reply_type;
    struct nb_header headers[8];
    int nheaders;
};

/* Record the request's error (the first one sticks) and return -1. */
int nb_fail_at(struct nb_req *r, const char *file, int line, enum nb_status status,
               const char *field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* nb_fail_at is in another file, where clang-analyzer cannot see that it returns -1; this
 * says so in every caller's file, so the analyser follows no path on which it returned 0. */
static inline int
nb_fail_ret(int minus_one)
{
    (void)minus_one;
    return -1;
}
#define nb_fail(r, status, ...)                                                                    \
    nb_fail_ret(nb_fail_at((r), __FILE__, __LINE__, (status), NULL, __VA_ARGS__))
#define nb_fail_field(r, status, field, ...)                                                       \
    nb_fail_ret(nb_fail_at((r), __FILE__, __LINE__, (status), (field), __VA_ARGS__))

/* Record the request's error as a reason and its arguments (the first one sticks), for each
 * dialect to word in its envelope; returns -1. The arguments are designated initialisers of
 * struct nb_error_args: nb_fail_reason(r, NB_E_INVALID, NB_R_TOO_LONG, "name", .limit = 255). */
int nb_fail_reason_at(struct nb_req *r, const char *file, int line, enum nb_status status,
                      enum nb_reason reason, const char *field, struct nb_error_args arg);
#define nb_fail_reason(r, status, reason, field, ...)                                              \
    nb_fail_reason_at((r), __FILE__, __LINE__, (status), (reason), (field),                        \
                      (struct nb_error_args){__VA_ARGS__})

/* Answer with status and a JSON body (owned by the request from now on); returns 0. */
int nb_reply(struct nb_req *r, int status, struct json_object *body);
void nb_reply_header(struct nb_req *r, const char *name, const char *value);
/* Answer with a file nginx serves itself (X-Accel-Redirect to an internal location, Range
 * requests included); filename is what the client is told to save it as. Returns 0. */
int nb_reply_file(struct nb_req *r, const char *internal_uri, const char *filename);

/* JSON helpers whose results live as long as the request. */
/* Puts o when the request ends; returns o. */
struct json_object *nb_json_own(struct nb_req *r, struct json_object *o);
struct json_object *nb_json_object(struct nb_req *r);
struct json_object *nb_json_string(const char *s);
const char *nb_json_get_string(struct json_object *o, const char *key);
struct json_object *nb_json_get(struct json_object *o, const char *key);

/* Parses r->body (r->body_len bytes, r->content_type) into r->json, owned by the request, and
 * checks it against spec. Refuses with NB_E_INVALID and a reason that says what is wrong
 * (each dialect words it): text that is not one JSON document (NB_R_JSON_SYNTAX), a NUL in any
 * string or key (NB_R_JSON_NUL: C strings would end there), and a document that is not an
 * object (NB_R_NOT_OBJECT); NB_E_MEDIA_TYPE when the body is not application/json. An empty
 * body is the empty object. */
int nb_body_parse(struct nb_req *r, const struct nb_field *spec);
/* Checks a parsed body against a spec; records NB_E_INVALID with the reason (NB_R_UNKNOWN_FIELD,
 * NB_R_FIELD_NULL, NB_R_FIELD_TYPE, NB_R_TOO_LONG, NB_R_FIELD_REQUIRED) and the field. */
int nb_body_check(struct nb_req *r, struct json_object *o, const struct nb_field *spec,
                  const char *where);

/* Checks what f declares beyond its type (length, members, bounds, items, fields) for val, a
 * value of f's type; records NB_E_INVALID naming f. The body and query checkers share it. */
int nb_field_check(struct nb_req *r, struct json_object *val, const struct nb_field *f);

/* Decodes r->query (percent escapes, '+' for a space) into r->params and checks it against
 * spec: each declared parameter given at most once and free of NUL (%00), converted to its
 * type (NB_R_FIELD_TYPE), then nb_field_check; required ones present (NB_R_FIELD_REQUIRED).
 * An empty value ("?a=", "?a") is no value, as HTML forms send an empty field. Undeclared
 * parameters are skipped. Records NB_E_INVALID naming the parameter and returns -1 when
 * refused. */
int nb_query_check(struct nb_req *r, const struct nb_field *spec);
/* The route's checked query parameters (only those its spec declares): a parameter's decoded
 * text (an integer's in canonical decimal, ready for a statement), NULL when absent; an
 * integer's value, fallback when absent; a boolean's 1 or 0,
 * fallback (-1 for "no filter", say) when absent. */
const char *nb_query_text(struct nb_req *r, const char *name);
long long nb_query_int(struct nb_req *r, const char *name, long long fallback);
int nb_query_bool(struct nb_req *r, const char *name, int fallback);

/* Longest X-Request-Id taken from a client (nginx/nimbus.conf.in checks the same). */
#define NB_REQUEST_ID_MAX 64
/* True when id is 1..NB_REQUEST_ID_MAX of [A-Za-z0-9._:-], the only request ids that may
 * reach logs and the audit log. */
bool nb_request_id_ok(const char *id);

/* The dispatcher: route, authenticate, authorise, parse, handle, render the error. */
void nb_request_handle(struct nb_req *r);
/* The method's bit from its name, 0 when unknown. */
unsigned nb_method_parse(const char *name);
/* "GET, PUT" for an Allow header. */
const char *nb_method_list(struct nb_req *r, unsigned methods);

#endif
