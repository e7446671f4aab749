/* The dialect descriptors by name, for code that names one (routes/ops/table.c, the router's
 * tests); the list the router tries is routes/dialects.c, and a new dialect needs no line here. */
#ifndef NB_DIALECTS_H
#define NB_DIALECTS_H

#include "app/request.h"

extern const struct nb_dialect nb_ops_dialect;
extern const struct nb_dialect nano_dialect;
extern const struct nb_dialect waldur_dialect;
extern const struct nb_dialect astakos_dialect;
extern const struct nb_dialect trs_dialect;
extern const struct nb_dialect keystone_dialect;
extern const struct nb_dialect danube_dialect;

/* The .routes and .nroutes of a descriptor, from its route table. */
#define NB_ROUTES(table) .routes = (table), .nroutes = sizeof(table) / sizeof((table)[0])

#endif
