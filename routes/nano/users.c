/* Nano users: list, profile (nick, mail), create, delete, password. */
#include "db/users.h"
#include "app/validate.h"
#include "db/db.h"
#include "db/groups.h"
#include "routes/nano/nano.h"

/* GET /users/ */
int
nano_user_list(struct nb_req *r)
{
    const PGresult *res = nb_user_list(r);

    return res != NULL ? nano_ok(r, 200, nb_db_column_json(res, NB_UNC_NAME)) : -1;
}

/* GET /users/{user} */
int
nano_user_get(struct nb_req *r)
{
    const PGresult *res = nb_user_load(r, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "nick", json_object_new_string(nb_db_text(res, 0, NB_UC_NICK)));
    json_object_object_add(data, "mail", json_object_new_string(nb_db_text(res, 0, NB_UC_MAIL)));
    return nano_ok(r, 200, data);
}

/* POST /users/{user} */
int
nano_user_create(struct nb_req *r)
{
    const char *password = nb_json_get_string(r->json, "password");

    if (nb_check_name(r, "user", r->capture[0]) < 0 ||
        nb_check_password(r, "password", password) < 0 ||
        nb_user_create(r, r->capture[0], password, nb_json_get_string(r->json, "nick"),
                       nb_json_get_string(r->json, "mail")) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /users/{user}: nick and mail; absent fields keep their value. */
int
nano_user_modify(struct nb_req *r)
{
    if (nb_user_modify(r, r->capture[0], nb_json_get_string(r->json, "nick"),
                       nb_json_get_string(r->json, "mail")) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /users/{user}: not yourself, not the last administrator. */
int
nano_user_remove(struct nb_req *r)
{
    if (nb_user_remove(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /users/{user}/password/ {old, new}: the old password must match, whoever asks. The user's
 * other credentials end; the caller's own survives. */
int
nano_user_password(struct nb_req *r)
{
    const char *new_password = nb_json_get_string(r->json, "new");
    int exists;

    if (nb_check_password(r, "new", new_password) < 0 ||
        (exists = nb_user_exists(r, r->capture[0])) < 0)
        return -1;
    if (!exists)
        return nb_fail(r, NB_E_NOT_FOUND, "user %s not found", r->capture[0]);
    if (nb_user_check_password(r, r->capture[0], nb_json_get_string(r->json, "old"),
                               "old password is wrong") < 0 ||
        nb_user_set_password(r, r->capture[0], new_password, r->credential) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* GET /user_search/?group=: the group's members, or everyone without a group filter. */
int
nano_user_search(struct nb_req *r)
{
    const char *group = nb_query_text(r, "group");
    const PGresult *res = group == NULL ? nb_user_list(r) : nb_group_members(r, group);

    return res != NULL ? nano_ok(r, 200, nb_db_column_json(res, NB_UNC_NAME)) : -1;
}
