/* Waldur / NodeConductor (/api/… and /api-auth/): DRF envelope and handlers. */
#ifndef NB_WALDUR_H
#define NB_WALDUR_H

#include "app/request.h"

void waldur_error(struct nb_req *r);
int waldur_auth_password(struct nb_req *r);

#endif
