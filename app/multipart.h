/* multipart/form-data read as a stream: a body of any size through one bounded buffer. */
#ifndef NB_MULTIPART_H
#define NB_MULTIPART_H

#include <stddef.h>

#include "app/request.h"

/* What the reader tells its caller, part by part. Each returns 0, or -1 with the request's
 * error recorded to stop reading. */
struct nb_multipart_handler {
    /* A part begins: its form name and its file name ("" when it has none). */
    int (*begin)(void *ctx, const char *name, const char *filename);
    /* The next n bytes of the current part's content (called any number of times). */
    int (*data)(void *ctx, const char *buf, size_t n);
};

/* The boundary parameter of a multipart/form-data content type, or NULL when the type is
 * another one or the boundary is missing or longer than RFC 2046's 70 characters. */
const char *nb_multipart_boundary(struct nb_req *r, const char *content_type);

/* Reads the request's streamed body (r->read_body) to the closing boundary, calling h.
 * Headers of a part are limited to NB_MULTIPART_HEADERS_MAX bytes. Returns 0, or -1 with the
 * error recorded (NB_E_INVALID for a malformed body, the handler's own error when it
 * stopped). */
#define NB_MULTIPART_HEADERS_MAX 8192
int nb_multipart_read(struct nb_req *r, const char *boundary, const struct nb_multipart_handler *h,
                      void *ctx);

#endif
