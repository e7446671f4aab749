/* Danube log-in and log-out (api/accounts). */
#include "app/auth.h"
#include "db/credentials.h"
#include "routes/danube/danube.h"

static int
detail(struct nb_req *r, struct json_object *o, const char *text)
{
    if (o == NULL)
        o = json_object_new_object();
    json_object_object_add(o, "detail", json_object_new_string(text));
    return nb_reply(r, 200, o);
}

/* POST /api/accounts/login/ → {"token", "expires", "detail"}. */
int
danube_login(struct nb_req *r)
{
    struct nb_issued cred;
    struct json_object *o;

    if (nb_auth_login(r, nb_json_get_string(r->json, "username"),
                      nb_json_get_string(r->json, "password"),
                      "Unable to log in with provided credentials.") < 0 ||
        nb_auth_issue(r, &cred) < 0)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "token", json_object_new_string(cred.token));
    json_object_object_add(o, "expires", json_object_new_string(cred.expires_iso));
    return detail(r, o, "Welcome to Danube Cloud API.");
}

/* GET /api/accounts/logout/: the credential used for this call stops working. */
int
danube_logout(struct nb_req *r)
{
    if (nb_credential_revoke(r, r->credential, r->user.id_text) < 0)
        return -1;
    return detail(r, NULL, "Bye.");
}
