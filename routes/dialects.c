/* The dialects Nimbus speaks, one line each, in the order their mounts are tried. Everything
 * else about a dialect is its descriptor (routes/<dialect>/table.c): the router, app/auth.c,
 * nginx's configuration and the API tests read it from there. */
#include "routes/dialects.h"
#include "app/router.h"

#define NB_DIALECT_LIST(X)                                                                         \
    X(nb_ops_dialect)                                                                              \
    X(nano_dialect)                                                                                \
    X(waldur_dialect)                                                                              \
    X(astakos_dialect)                                                                             \
    X(trs_dialect)                                                                                 \
    X(keystone_dialect)                                                                            \
    X(danube_dialect)

#define DECLARE(d) extern const struct nb_dialect d;
NB_DIALECT_LIST(DECLARE)

#define ENTRY(d) &(d),
const struct nb_dialect *const nb_dialects[] = {NB_DIALECT_LIST(ENTRY) NULL};
