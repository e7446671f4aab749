/* Synnefo Astakos (/account/v1.0/, /identity/v2.0/): fault envelope and handlers. */
#ifndef NB_ASTAKOS_H
#define NB_ASTAKOS_H

#include "app/request.h"

void astakos_error(struct nb_req *r);
int astakos_tokens_create(struct nb_req *r);

int astakos_project_list(struct nb_req *r);
int astakos_project_get(struct nb_req *r);
int astakos_project_create(struct nb_req *r);
int astakos_project_modify(struct nb_req *r);
int astakos_project_action(struct nb_req *r);
int astakos_membership_list(struct nb_req *r);
int astakos_membership_get(struct nb_req *r);
int astakos_membership_create(struct nb_req *r);
int astakos_membership_action(struct nb_req *r);

/* The one action a body {"<action>": data} names, its index in names (n of them), with its
 * data in *data; NB_E_INVALID when it names none or several (Astakos's get_action). */
int astakos_action_pick(struct nb_req *r, const char *const *names, int n,
                        struct json_object **data);

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
