/* Danube Cloud (/api/vm/, /api/accounts/): envelope and handlers. */
#ifndef NB_DANUBE_H
#define NB_DANUBE_H

#include "app/request.h"

void danube_error(struct nb_req *r);
int danube_login(struct nb_req *r);
int danube_logout(struct nb_req *r);

#endif
