/* Nano sessions: log-in, session data, keep-alive and log-out. */
#include "app/auth.h"
#include "app/perm.h"
#include "db/credentials.h"
#include "db/db.h"
#include "routes/nano/nano.h"

#define INVALID_LOGIN "invalid user or password"

/* The session's data as Nano shows it; fails as "invalid session" for a foreign session. */
static struct json_object *
session_data(struct nb_req *r, const char *token)
{
    const PGresult *res;
    struct json_object *o;
    int found = nb_credential_load(r, token, &res);

    if (found < 0)
        return NULL;
    if (!found) {
        nb_fail(r, NB_E_NOT_FOUND, "invalid session");
        return NULL;
    }
    o = json_object_new_object();
    json_object_object_add(o, "user", json_object_new_string(nb_db_text(res, 0, NB_CC_USER)));
    json_object_object_add(o, "group", json_object_new_string(nb_db_text(res, 0, NB_CC_GROUP)));
    json_object_object_add(o, "address",
                           json_object_new_string(r->remote_addr ? r->remote_addr : ""));
    json_object_object_add(o, "menu", json_tokener_parse(nb_db_text(res, 0, NB_CC_MENU)));
    json_object_object_add(o, "resource", json_object_new_array());
    return o;
}

/* POST /sessions/: users outside every group may not log in, as in the real frontend. */
int
nano_session_create(struct nb_req *r)
{
    struct nb_issued cred;
    struct json_object *data;

    if (nb_auth_login(r, nb_json_get_string(r->json, "user"),
                      nb_json_get_string(r->json, "password"), INVALID_LOGIN) < 0)
        return -1;
    if (nb_perm_need_group(r) < 0 || nb_auth_issue(r, &cred) < 0)
        return -1;
    data = session_data(r, cred.token);
    if (data == NULL)
        return -1;
    json_object_object_add(data, "session", json_object_new_string(cred.token));
    json_object_object_add(data, "timeout", json_object_new_int(cred.ttl));
    return nano_ok(r, 200, data);
}

/* GET /sessions/{id}: any live credential the caller owns (admins: any), whichever dialect
 * issued it. */
int
nano_session_get(struct nb_req *r)
{
    struct json_object *data = session_data(r, r->capture[0]);

    return data != NULL ? nano_ok(r, 200, data) : -1;
}

/* PUT /sessions/{id}: keep-alive for the caller's own session, up to its maximum age. */
int
nano_session_keep(struct nb_req *r)
{
    int kept = nb_auth_keep_alive(r, r->capture[0]);

    if (kept < 0)
        return -1;
    if (!kept)
        return nb_fail(r, NB_E_NOT_FOUND, "invalid session");
    return nano_ok(r, 200, NULL);
}

/* DELETE /sessions/{id}: log-out of the caller's own session. */
int
nano_session_delete(struct nb_req *r)
{
    int revoked = nb_credential_revoke(r, r->capture[0], r->user.id_text);

    if (revoked < 0)
        return -1;
    if (!revoked)
        return nb_fail(r, NB_E_NOT_FOUND, "invalid session");
    return nano_ok(r, 200, NULL);
}
