/* POST /api-auth/password/: username and password for an API token. */
#include "app/auth.h"
#include "routes/waldur/waldur.h"

int
waldur_auth_password(struct nb_req *r)
{
    struct nb_issued cred;
    struct json_object *o;

    if (nb_auth_login(r, nb_json_get_string(r->json, "username"),
                      nb_json_get_string(r->json, "password"), "Invalid username/password.") < 0 ||
        nb_auth_issue(r, &cred) < 0)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "token", json_object_new_string(cred.token));
    return nb_reply(r, 200, o);
}
