/* Danube answers {"detail": …}; field errors nest inside detail. Its first authentication
 * class (session) sends no WWW-Authenticate, so DRF turns missing or bad credentials into 403,
 * and a refused log-in is a 400. */
#include "routes/danube/danube.h"
#include "routes/drf.h"

void
danube_error(struct nb_req *r)
{
    enum nb_status st = r->err.status;
    int http = nb_status_http[st];
    struct json_object *o;

    if (st == NB_E_UNAUTHENTICATED)
        http = r->route != NULL && r->route->perm == NB_CAP_PUBLIC ? 400 : 403;
    if (r->err.field != NULL) {
        o = json_object_new_object();
        json_object_object_add(o, "detail", nb_drf_error_body(r));
    } else {
        o = nb_drf_error_body(r);
    }
    nb_reply(r, http, o);
}
