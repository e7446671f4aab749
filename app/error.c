/* Error status tables and the recorder: the first error of a request sticks. */
#include "app/request.h"

#include <stdio.h>

const int nb_status_http[NB_STATUS__MAX] = {
    [NB_OK] = 200,           [NB_E_INVALID] = 400,     [NB_E_UNAUTHENTICATED] = 401,
    [NB_E_FORBIDDEN] = 403,  [NB_E_NOT_FOUND] = 404,   [NB_E_METHOD] = 405,
    [NB_E_CONFLICT] = 409,   [NB_E_TOO_LARGE] = 413,   [NB_E_MEDIA_TYPE] = 415,
    [NB_E_UNAVAILABLE] = 503, [NB_E_INTERNAL] = 500,
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

int
nb_fail_at(struct nb_req *r, const char *file, int line, enum nb_status status, const char *field,
           const char *fmt, ...)
{
    va_list ap;

    if (r->err.status != NB_OK)
        return -1;
    r->err.status = status;
    r->err.field = field;
    r->err.file = file;
    r->err.line = line;
    va_start(ap, fmt);
    (void)vsnprintf(r->err.message, sizeof(r->err.message), fmt, ap); /* cut if longer */
    va_end(ap);
    return -1;
}
