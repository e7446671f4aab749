/* TRS remote-desktop server and broker (/v1/) and their Keystone v3 tokens (/v3/). */
#ifndef NB_TRS_H
#define NB_TRS_H

#include "app/request.h"

void trs_error(struct nb_req *r);
int keystone_tokens_create(struct nb_req *r);
int keystone_tokens_validate(struct nb_req *r);
int keystone_tokens_revoke(struct nb_req *r);

#endif
