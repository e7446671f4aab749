/* Keystone v3 tokens (password method): issue, validate, revoke. */
#include <string.h>

#include "app/auth.h"
#include "app/secret.h"
#include "db/credentials.h"
#include "db/db.h"
#include "routes/keystone/keystone.h"

#define KEYSTONE_AUTH_FAILED "The request you have made requires authentication."

static struct json_object *
token_body(struct nb_req *r, const char *user_uuid, const char *user_name, const char *expires,
           const char *issued)
{
    struct json_object *token = json_object_new_object(), *user = json_object_new_object();
    struct json_object *domain = json_object_new_object(), *methods = json_object_new_array();
    struct json_object *audit = json_object_new_array(), *o = json_object_new_object();

    json_object_object_add(domain, "id", json_object_new_string("default"));
    json_object_object_add(domain, "name", json_object_new_string("Default"));
    json_object_object_add(user, "domain", domain);
    json_object_object_add(user, "id", json_object_new_string(user_uuid));
    json_object_object_add(user, "name", json_object_new_string(user_name));
    json_object_object_add(user, "password_expires_at", NULL);
    json_object_array_add(methods, json_object_new_string("password"));
    json_object_array_add(audit, json_object_new_string(nb_random_hex(r->arena, 11)));
    json_object_object_add(token, "methods", methods);
    json_object_object_add(token, "user", user);
    json_object_object_add(token, "audit_ids", audit);
    json_object_object_add(token, "expires_at", json_object_new_string(expires));
    json_object_object_add(token, "issued_at", json_object_new_string(issued));
    json_object_object_add(o, "token", token);
    return o;
}

/* POST /v3/auth/tokens → 201, the token in X-Subject-Token. */
int
keystone_tokens_create(struct nb_req *r)
{
    struct json_object *identity = nb_json_get(nb_json_get(r->json, "auth"), "identity");
    struct json_object *user = nb_json_get(nb_json_get(identity, "password"), "user");
    const char *name = nb_json_get_string(user, "name");
    struct nb_issued cred;

    if (user == NULL)
        return nb_fail(r, NB_E_INVALID, "Expecting to find password in identity.");
    if (name == NULL)
        name = nb_json_get_string(user, "id");
    if (name == NULL)
        return nb_fail_field(r, NB_E_INVALID, "user", "Expecting to find name or id.");
    if (nb_auth_login(r, name, nb_json_get_string(user, "password"), KEYSTONE_AUTH_FAILED) < 0 ||
        nb_auth_issue(r, &cred) < 0)
        return -1;
    nb_reply_header(r, "X-Subject-Token", cred.token);
    return nb_reply(r, 201,
                    token_body(r, r->user.uuid, r->user.name, cred.expires_iso, cred.issued_iso));
}

/* The X-Subject-Token the caller asks about; only its own unless admin. The error names the
 * token as its argument, never in its message, which the request log writes out. */
static const PGresult *
subject(struct nb_req *r, const char **token)
{
    const PGresult *res;
    int found;

    *token = r->param(r, "HTTP_X_SUBJECT_TOKEN");
    if (*token == NULL) {
        nb_fail_reason(r, NB_E_NOT_FOUND, NB_R_UNKNOWN_TOKEN, NULL);
        return NULL;
    }
    found = nb_credential_load(r, *token, &res);
    if (found < 0)
        return NULL;
    if (!found) {
        nb_fail_reason(r, NB_E_NOT_FOUND, NB_R_UNKNOWN_TOKEN, NULL, .id = *token);
        return NULL;
    }
    return res;
}

/* GET /v3/auth/tokens: X-Auth-Token validates X-Subject-Token. */
int
keystone_tokens_validate(struct nb_req *r)
{
    const char *token;
    const PGresult *res = subject(r, &token);

    if (res == NULL)
        return -1;
    nb_reply_header(r, "X-Subject-Token", token);
    return nb_reply(r, 200,
                    token_body(r, nb_db_text(res, 0, NB_CC_USER_UUID),
                               nb_db_text(res, 0, NB_CC_USER), nb_db_text(res, 0, NB_CC_EXPIRES),
                               nb_db_text(res, 0, NB_CC_ISSUED)));
}

/* DELETE /v3/auth/tokens: revokes X-Subject-Token → 204. */
int
keystone_tokens_revoke(struct nb_req *r)
{
    const char *token;
    const PGresult *res = subject(r, &token);

    if (res == NULL || nb_credential_revoke(r, token, nb_db_text(res, 0, NB_CC_USER_ID)) < 0)
        return -1;
    r->status = 204;
    return 0;
}
