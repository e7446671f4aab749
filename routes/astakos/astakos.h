/* Synnefo Astakos (/account/v1.0/, /identity/v2.0/): fault envelope and handlers. */
#ifndef NB_ASTAKOS_H
#define NB_ASTAKOS_H

#include "app/request.h"

void astakos_error(struct nb_req *r);
int astakos_tokens_create(struct nb_req *r);

#endif
