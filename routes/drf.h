/* Django REST framework answers, shared by the two DRF-based dialects (Waldur, Danube). */
#ifndef NB_DRF_H
#define NB_DRF_H

#include "app/request.h"

/* {"field": ["message"]} when the error names a field, else {"detail": "message"}. */
struct json_object *nb_drf_error_body(struct nb_req *r);

#endif
