/* The route tables of all dialects, compiled with pcre2 JIT once at start-up. */
#ifndef NB_ROUTER_H
#define NB_ROUTER_H

#include <stddef.h>

#include "app/request.h"

/* The dialects, in the order their mounts are tried (routes/dialects.c). */
extern const struct nb_dialect *const nb_dialects[];

/* Compiles every pattern; -1 (logged) when one does not compile. */
int nb_router_init(void);
/* Finds r->path's dialect and route and fills the captures. Records NB_E_NOT_FOUND (sets
 * r->dialect when a mount matched) or NB_E_METHOD (r->allowed) and returns -1. */
int nb_router_match(struct nb_req *r);
/* r->path as logs may show it: where a route captures a credential ({session}, {token}), the
 * rest of the path after the literal part before it is replaced by the capture's name, whether
 * or not the path matched. Allocated in the request's arena when changed. */
const char *nb_router_log_path(const struct nb_req *r);
size_t nb_router_count(void);
/* Route number i of the global numbering, with its dialect. */
const struct nb_route *nb_router_route(size_t i, const struct nb_dialect **dialect);
/* Its template ("/api/v1/users/{user}"), made by nb_router_init; NULL past the end. */
const char *nb_router_route_template(size_t i);
/* The template of a pattern (malloc'd), or NULL when the pattern holds more than literal path
 * characters, named groups and an optional final slash. */
char *nb_router_template(const char *pattern);

#endif
