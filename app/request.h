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

/* What a route demands of its caller; checked by the dispatcher (app/perm.c), never by
 * handlers. After the first four come the Nano menu tags: a role lists the tags it grants and
 * a route needing a tag admits the admin role and every role holding that tag. */
enum nb_perm {
    NB_PERM_PUBLIC, /* no credential needed (log-in, health) */
    NB_PERM_USER,   /* any authenticated user */
    NB_PERM_SELF,   /* the user named by the first capture, or holders of the "user" tag */
    NB_PERM_ADMIN,  /* users holding the admin role */
    NB_PERM_DASHBOARD,
    NB_PERM_COMPUTE_POOL,
    NB_PERM_ADDRESS_POOL,
    NB_PERM_STORAGE_POOL,
    NB_PERM_INSTANCE,
    NB_PERM_DISK_IMAGE,
    NB_PERM_MEDIA_IMAGE,
    NB_PERM_USERS, /* menu tag "user": users, groups and roles */
    NB_PERM_LOG,
    NB_PERM_VISIBILITY,
    NB_PERM_SECURITY_POLICY,
    NB_PERM_SYSTEM_TEMPLATE,
    NB_PERM_IMAGE_SERVER,
    NB_PERM__MAX
};

/* Input spec: the JSON body a route accepts. Undeclared keys are refused. */
enum nb_type { NB_T_STRING, NB_T_INT, NB_T_BOOL, NB_T_OBJECT, NB_T_ARRAY, NB_T_ANY };

struct nb_field {
    const char *name;
    enum nb_type type;
    bool required;
    size_t max_len;              /* strings: longest accepted length; 0 = 255 */
    const struct nb_field *sub;  /* objects: their fields, NULL-name terminated; NULL = any */
};

struct nb_req;
typedef int (*nb_handler)(struct nb_req *r);

struct nb_route {
    unsigned methods;
    const char *pattern;
    nb_handler handler;
    const struct nb_field *body; /* NULL: the route takes no body */
    enum nb_perm perm;
    /* State-changing routes: the audit entry after "<user> ", {1}..{9} standing for the
     * captures. The dispatcher runs such a handler and writes the entry in one transaction. */
    const char *audit;
};

/* One API dialect: where it is mounted, its routes, and how it answers failures. */
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
};

/* The authenticated caller, resolved from whichever dialect's credential header came. */
struct nb_user {
    int64_t id;
    const char *id_text; /* id as a query parameter */
    const char *uuid; /* 32 hex digits, the identity other dialects show */
    const char *name;
    const char *group; /* Nano user group, or NULL */
    bool is_admin;
    /* id of the user's group when that group shares its instances (instance_visible), as a
     * query parameter; NULL otherwise */
    const char *shared_group;
    uint32_t perms; /* bit p set: the user's roles grant permission p */
    /* the hash nb_auth_login verified, so that issuing refuses once it has changed; NULL when
     * the user was resolved from a credential */
    const char *password_hash;
};

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
    const char *credential;  /* raw token from any dialect's auth header, or NULL */
    const char *body;
    size_t body_len;
    /* Image uploads: nginx streams the body (NIMBUS_BODY_STREAM, fastcgi_request_buffering
     * off) and it is not read ahead; body is then NULL, body_len the declared length, and the
     * handler reads the bytes with read_body (n at most, 0 at the end, -1 on error). */
    bool body_streamed;
    long (*read_body)(struct nb_req *r, char *buf, size_t n);
    struct json_object *json; /* the parsed body, checked against route->body */
    const char *(*param)(struct nb_req *r, const char *name);
    void *transport;

    /* Routing. */
    const struct nb_dialect *dialect;
    const struct nb_route *route;
    int route_index; /* global index for metrics, -1 when unmatched */
    const char *capture[NB_MAX_CAPTURES];
    unsigned allowed; /* methods the path accepts, for 405 */

    struct nb_user user;
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
#define nb_fail(r, status, ...)                                                                 \
    nb_fail_ret(nb_fail_at((r), __FILE__, __LINE__, (status), NULL, __VA_ARGS__))
#define nb_fail_field(r, status, field, ...)                                                    \
    nb_fail_ret(nb_fail_at((r), __FILE__, __LINE__, (status), (field), __VA_ARGS__))

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
 * checks it against spec. Refuses with NB_E_INVALID, in words that say what is wrong, text
 * that is not one JSON document, a NUL in any string or key (C strings would end there), and a
 * document that is not an object; NB_E_MEDIA_TYPE when the body is not application/json. An
 * empty body is the empty object. */
int nb_body_parse(struct nb_req *r, const struct nb_field *spec);
/* Checks a parsed body against a spec; records NB_E_INVALID naming the field. */
int nb_body_check(struct nb_req *r, struct json_object *o, const struct nb_field *spec,
                  const char *where);

/* The decoded value of a query-string parameter, or NULL. */
const char *nb_query_param(struct nb_req *r, const char *name);

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
