/* Nano FrontEnd API 1.3.1 (/api/v1/): envelope and handlers. */
#ifndef NB_NANO_H
#define NB_NANO_H

#include "app/request.h"

/* {"error_code": 0, "message": "", "data": data} with HTTP status (data NULL → ""). */
int nano_ok(struct nb_req *r, int status, struct json_object *data);
void nano_error(struct nb_req *r);

int nano_session_create(struct nb_req *r);
int nano_session_get(struct nb_req *r);
int nano_session_keep(struct nb_req *r);
int nano_session_delete(struct nb_req *r);

#endif
