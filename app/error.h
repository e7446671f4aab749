/* The one internal error value; each dialect's envelope.c turns it into its own answer. */
#ifndef NB_ERROR_H
#define NB_ERROR_H

enum nb_status {
    NB_OK = 0,
    NB_E_INVALID,         /* malformed or out-of-range input */
    NB_E_UNAUTHENTICATED, /* no, unknown or expired credential; wrong password */
    NB_E_FORBIDDEN,       /* authenticated, but the permission is missing */
    NB_E_NOT_FOUND,       /* no such object, or not visible to the caller */
    NB_E_METHOD,          /* known path, method not allowed */
    NB_E_CONFLICT,        /* duplicate or state conflict */
    NB_E_TOO_LARGE,       /* request body over the limit */
    NB_E_MEDIA_TYPE,      /* body is not application/json */
    NB_E_UNAVAILABLE,     /* the database is unreachable */
    NB_E_INTERNAL,        /* a bug or an unexpected database error */
    NB_STATUS__MAX
};

/* Why a request failed, in more detail than its status: what a dialect words its message
 * from. The comment names the arguments (struct nb_error_args) each reason carries. */
enum nb_reason {
    NB_R_MESSAGE = 0,    /* free text, worded by the code that failed (nb_fail) */
    NB_R_NO_API,         /* no dialect is mounted at the path */
    NB_R_NO_ROUTE,       /* the dialect has no such path */
    NB_R_METHOD,         /* id: the method the path does not take */
    NB_R_TOO_LARGE,      /* limit: the largest body, in bytes */
    NB_R_MEDIA_TYPE,     /* id: the content type sent ("" when none) */
    NB_R_JSON_NUL,       /* the body holds a NUL in a string or a key */
    NB_R_JSON_SYNTAX,    /* id: what the parser found wrong */
    NB_R_NOT_OBJECT,     /* field: where (NULL: the body); kind: what came instead ("a number") */
    NB_R_UNKNOWN_FIELD,  /* field */
    NB_R_FIELD_NULL,     /* field */
    NB_R_FIELD_TYPE,     /* field; kind: what it must be ("an integer") */
    NB_R_TOO_LONG,       /* field; limit: the most characters */
    NB_R_FIELD_REQUIRED, /* field */
    NB_R_NO_CREDENTIAL,  /* the route needs a credential and none came */
    NB_R_BAD_CREDENTIAL, /* unknown, expired or revoked credential */
    NB_R_LOGIN_FAILED,   /* wrong user name or password; message: the dialect's words */
    NB_R_UNKNOWN_TOKEN,  /* a token asked about is unknown; id: the token, never logged */
    NB_R_FORBIDDEN,      /* the caller lacks the route's permission */
    NB_R_NO_GROUP,       /* id: the user, who belongs to no user group */
    NB_R_DUPLICATE,      /* kind: the constraint's own message ("a user with that name …") */
    NB_R_OVERLAP,        /* an exclusion constraint: overlaps an existing row */
    NB_R_REFERENCED,     /* a foreign key still points at the row */
    NB_R_BAD_VALUE,      /* the database refused a value (SQLSTATE 22…, 23514) */
    NB_R_OVER_LIMIT,     /* over: the charge a quota refused, and why */
    NB_R_DB_UNAVAILABLE, /* the database is unreachable */
    NB_R_INTERNAL,       /* a bug or an unexpected database error */
    NB_REASON__MAX
};

/* Why a quota refused a charge, as Synnefo's quotaholder names it. */
enum nb_over_limit_kind {
    NB_OVER_CAPACITY,   /* the charge would take usage above the limit (NoCapacityError) */
    NB_OVER_QUANTITY,   /* the release would take usage below zero (NoQuantityError) */
    NB_OVER_NO_HOLDING, /* no such holding: no limit applies to that holder (NoHoldingError) */
    NB_OVER__MAX
};
extern const char *const nb_over_limit_name[NB_OVER__MAX];

/* The charge a quota refused: the provision (holder "user:<uuid>" or "project:<uuid>", source
 * "project:<uuid>" or NULL, resource, quantity) and the holding's limit and usage. */
struct nb_over_limit {
    enum nb_over_limit_kind kind;
    const char *holder, *source, *resource;
    long long quantity, limit, usage;
};

/* A reason's arguments besides the field; which ones a reason uses is listed above. */
struct nb_error_args {
    const char *kind;                 /* a kind of object or value */
    const char *id;                   /* the object, method or value concerned */
    long long limit;                  /* a bound the input broke */
    const struct nb_over_limit *over; /* NB_R_OVER_LIMIT, in the request's arena */
};

struct nb_error {
    enum nb_status status;
    enum nb_reason reason;
    const char *field; /* the input field at fault, or NULL */
    struct nb_error_args arg;
    /* NB_R_MESSAGE and NB_R_LOGIN_FAILED: the text for the client. Otherwise neutral words
     * for logs and for dialects that have none of their own; never a credential. */
    char message[256];
    const char *file;
    int line;
};

/* The HTTP status a status usually maps to, and its enum name for logs. */
extern const int nb_status_http[NB_STATUS__MAX];
extern const char *const nb_status_name[NB_STATUS__MAX];
/* Each reason's enum name, for logs ("field_required"). */
extern const char *const nb_reason_name[NB_REASON__MAX];

struct nb_req;

/* A dialect's words for an error: the text its clients read, allocated in the request's arena
 * or static, or NULL to leave the reason to the next words in the dialect's list. */
typedef const char *nb_wording(struct nb_req *r, const struct nb_error *e);

/* The client's text for the request's error: the first of words (a NULL-terminated list) that
 * words its reason, else the error's own message. */
const char *nb_error_text(struct nb_req *r, nb_wording *const words[]);
/* The same, prefixed "field: " when the error names a field. */
const char *nb_error_text_joined(struct nb_req *r, nb_wording *const words[]);

#endif
