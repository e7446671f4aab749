/* The dialect descriptors, printed for nginx's configuration and for the API tests. */
#ifndef NB_DIALECT_EXPORT_H
#define NB_DIALECT_EXPORT_H

#include <stdio.h>

/* One part of nginx's configuration, from every dialect in nb_dialects order:
 *   mounts  lines of the $nimbus_error_dialect map: error page path prefix → dialect name
 *   maps    the dialects' edge_maps (nginx map blocks)
 *   bodies  lines of the $nimbus_error_body map: dialect name → body template
 *   logins  the log-in paths as one PCRE alternation, without their outer slashes
 * nginx/nimbus.conf.in marks where each goes; app/stack.sh splices them in. Returns -1 for an
 * unknown part or a write error. */
int nb_dialect_print_nginx(FILE *out, const char *part);
/* The lines of nginx's $nimbus_pool map (`nimbusctl nginx waits`): "<METHOD> <path regex>"
 * of every route flagged NB_WAITS → nimbus_wait, the wait pool. -1 on a write error or a
 * pattern that would not stay one regex. */
int nb_dialect_print_waits(FILE *out);
/* Every dialect as a JSON array: name, mounts, edge_mounts, login, credential_kind,
 * credential_ttl, credential_headers [{name, scheme}], routes [{methods, pattern}]. */
int nb_dialect_print_json(FILE *out);

#endif
