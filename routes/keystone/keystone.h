/* OpenStack Keystone v3 (/v3/): the token API that TRS clients, among others, log in with. */
#ifndef NB_KEYSTONE_H
#define NB_KEYSTONE_H

#include "app/request.h"

void keystone_error(struct nb_req *r);
int keystone_tokens_create(struct nb_req *r);
int keystone_tokens_validate(struct nb_req *r);
int keystone_tokens_revoke(struct nb_req *r);

#endif
