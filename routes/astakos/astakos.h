/* Synnefo Astakos (/account/v1.0/, /identity/v2.0/): fault envelope and handlers. */
#ifndef NB_ASTAKOS_H
#define NB_ASTAKOS_H

#include "app/request.h"

void astakos_error(struct nb_req *r);
int astakos_tokens_create(struct nb_req *r);

/* quotas.c */
int astakos_quotas_get(struct nb_req *r);
int astakos_service_quotas_get(struct nb_req *r);
int astakos_service_project_quotas_get(struct nb_req *r);
int astakos_resources_get(struct nb_req *r);

/* commissions.c */
int astakos_commission_create(struct nb_req *r);
int astakos_commission_list(struct nb_req *r);
int astakos_commission_get(struct nb_req *r);
int astakos_commission_action(struct nb_req *r);
int astakos_commissions_resolve(struct nb_req *r);

#endif
