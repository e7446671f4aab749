/* TRS remote-desktop server and broker (/v1/); its clients log in through Keystone
 * (routes/keystone/). */
#ifndef NB_TRS_H
#define NB_TRS_H

#include "app/request.h"

void trs_error(struct nb_req *r);

#endif
