/* POST /identity/v2.0/tokens: a Keystone v2 "access" document, as Astakos issues it. */
#include "app/auth.h"
#include "routes/astakos/astakos.h"

static struct json_object *
endpoint(struct nb_req *r, const char *name, const char *type, const char *path,
         const char *version)
{
    struct json_object *svc = json_object_new_object(), *eps = json_object_new_array();
    struct json_object *ep = json_object_new_object();

    json_object_object_add(
        ep, "publicURL",
        json_object_new_string(nb_arena_printf(r->arena, "%s%s", r->scheme_host, path)));
    json_object_object_add(ep, "versionId", json_object_new_string(version));
    json_object_object_add(ep, "region", json_object_new_string("default"));
    json_object_array_add(eps, ep);
    json_object_object_add(svc, "name", json_object_new_string(name));
    json_object_object_add(svc, "type", json_object_new_string(type));
    json_object_object_add(svc, "endpoints", eps);
    json_object_object_add(svc, "endpoints_links", json_object_new_array());
    return svc;
}

static struct json_object *
access_document(struct nb_req *r, const struct nb_issued *cred)
{
    struct json_object *token = json_object_new_object(), *tenant = json_object_new_object();
    struct json_object *user = json_object_new_object(), *roles = json_object_new_array();
    struct json_object *role = json_object_new_object(), *catalog = json_object_new_array();
    struct json_object *access = json_object_new_object(), *o = json_object_new_object();

    json_object_object_add(tenant, "id", json_object_new_string(r->user.uuid));
    json_object_object_add(tenant, "name", json_object_new_string(r->user.name));
    json_object_object_add(token, "id", json_object_new_string(cred->token));
    json_object_object_add(token, "expires", json_object_new_string(cred->expires_iso));
    json_object_object_add(token, "tenant", tenant);
    json_object_object_add(role, "id", json_object_new_string("1"));
    json_object_object_add(role, "name", json_object_new_string("default"));
    json_object_array_add(roles, role);
    json_object_object_add(user, "id", json_object_new_string(r->user.uuid));
    json_object_object_add(user, "name", json_object_new_string(r->user.name));
    json_object_object_add(user, "roles", roles);
    json_object_object_add(user, "roles_links", json_object_new_array());
    json_object_array_add(catalog,
                          endpoint(r, "astakos_account", "account", "/account/v1.0", "v1.0"));
    json_object_array_add(catalog,
                          endpoint(r, "astakos_identity", "identity", "/identity/v2.0", "v2.0"));
    json_object_object_add(access, "token", token);
    json_object_object_add(access, "user", user);
    json_object_object_add(access, "serviceCatalog", catalog);
    json_object_object_add(o, "access", access);
    return o;
}

int
astakos_tokens_create(struct nb_req *r)
{
    struct json_object *auth = nb_json_get(r->json, "auth");
    struct json_object *pw = nb_json_get(auth, "passwordCredentials");
    struct json_object *tok = nb_json_get(auth, "token");
    struct nb_issued cred;

    if (pw != NULL) {
        if (nb_auth_login(r, nb_json_get_string(pw, "username"), nb_json_get_string(pw, "password"),
                          "Invalid credentials") < 0 ||
            nb_auth_issue(r, &cred) < 0)
            return -1;
    } else if (tok != NULL) {
        /* Re-authentication with a live token yields a fresh one for the same user, expiring
         * no later than the one it came from. */
        r->credential = nb_json_get_string(tok, "id");
        if (nb_auth_reissue(r, &cred) < 0)
            return -1;
    } else {
        return nb_fail(r, NB_E_INVALID, "Malformed request: missing credentials");
    }
    return nb_reply(r, 200, access_document(r, &cred));
}
