/* Waldur answers as Django REST framework does; 401s carry WWW-Authenticate: Token. */
#include "routes/drf.h"
#include "routes/waldur/waldur.h"

void
waldur_error(struct nb_req *r)
{
    if (r->err.status == NB_E_UNAUTHENTICATED)
        nb_reply_header(r, "WWW-Authenticate", "Token");
    nb_reply(r, nb_status_http[r->err.status], nb_drf_error_body(r));
}
