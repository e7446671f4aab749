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

struct nb_error {
    enum nb_status status;
    const char *field; /* the input field at fault, or NULL */
    char message[256];
    const char *file;
    int line;
};

/* The HTTP status a status usually maps to, and its enum name for logs. */
extern const int nb_status_http[NB_STATUS__MAX];
extern const char *const nb_status_name[NB_STATUS__MAX];

#endif
