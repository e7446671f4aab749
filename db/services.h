/* Services of the Astakos quotaholder (Nimbus's compute service, or another): a name and a
 * token, stored hashed, that they issue commissions with. */
#ifndef NB_SERVICES_H
#define NB_SERVICES_H

#include "app/request.h"

/* *id and *name of the service whose token this is, both NULL when it is none; -1 on a
 * database error. */
int nb_service_resolve(struct nb_req *r, const char *token, const char **id, const char **name);
/* Registers service name, or gives an existing one a new token (the old one stops working);
 * *token is the new token, which exists only in the caller's hands from now on. */
int nb_service_add(struct nb_req *r, const char *name, const char **token);

#endif
