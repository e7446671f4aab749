/* Django REST framework answers, shared by the two DRF-based dialects (Waldur, Danube), and
 * DRF's words, which the other dialects' clients also read for the errors the dispatcher finds
 * before a handler runs. */
#ifndef NB_DRF_H
#define NB_DRF_H

#include "app/request.h"

/* DRF's words for the dispatcher's reasons ("This field is required."); NULL for the rest. */
const char *nb_drf_words(struct nb_req *r, const struct nb_error *e);

/* {"field": ["message"]} when the error names a field, else {"detail": "message"}, in DRF's
 * words. */
struct json_object *nb_drf_error_body(struct nb_req *r);

#endif
