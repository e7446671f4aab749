/* Each dialect's entry in the router: its mounts, route table and error envelope. */
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

#define NB_ROUTES(table) (table), (sizeof(table) / sizeof((table)[0]))

#endif
