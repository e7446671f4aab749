/* Nano users: list, profile (nick, mail), create, delete, password. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/users.h"
#include "routes/nano/nano.h"

/* An e-mail address is empty or local@domain. */
static int
check_mail(struct nb_req *r, const char *mail)
{
    const char *at = mail != NULL ? strchr(mail, '@') : NULL;

    if (mail == NULL || mail[0] == '\0')
        return 0;
    if (at == NULL || at == mail || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
        strpbrk(mail, " \t\r\n") != NULL)
        return nb_fail_field(r, NB_E_INVALID, "mail", "invalid e-mail address");
    return 0;
}

/* GET /users/ */
int
nano_user_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_USER_LIST, NULL);

    return res != NULL ? nano_ok(r, 200, nb_db_column_json(res, 0)) : -1;
}

/* GET /users/{user} */
int
nano_user_get(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_USER_GET, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "user %s not found", r->capture[0]);
    data = json_object_new_object();
    json_object_object_add(data, "nick", json_object_new_string(nb_db_text(res, 0, 0)));
    json_object_object_add(data, "mail", json_object_new_string(nb_db_text(res, 0, 1)));
    return nano_ok(r, 200, data);
}

/* POST /users/{user} */
int
nano_user_create(struct nb_req *r)
{
    const char *password = nb_json_get_string(r->json, "password");
    const char *mail = nb_json_get_string(r->json, "mail");

    if (nb_check_name(r, "user", r->capture[0]) < 0 ||
        nb_check_password(r, "password", password) < 0 || check_mail(r, mail) < 0 ||
        nb_user_create(r, r->capture[0], password, nb_json_get_string(r->json, "nick"), mail) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /users/{user}: nick and mail; absent fields keep their value. */
int
nano_user_modify(struct nb_req *r)
{
    const char *mail = nb_json_get_string(r->json, "mail");
    const PGresult *res;

    if (check_mail(r, mail) < 0 ||
        (res = nb_db_query(r, NB_Q_USER_UPDATE, r->capture[0],
                           nb_json_get_string(r->json, "nick"), mail)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "user %s not found", r->capture[0]);
    return nano_ok(r, 200, NULL);
}

/* DELETE /users/{user}: not yourself, not the last administrator. */
int
nano_user_remove(struct nb_req *r)
{
    const PGresult *res;

    if (strcmp(r->capture[0], r->user.name) == 0)
        return nb_fail(r, NB_E_CONFLICT, "you cannot delete yourself");
    if ((res = nb_db_query(r, NB_Q_ADMIN_COUNT_OTHERS, r->capture[0])) == NULL)
        return -1;
    if (nb_db_int(res, 0, 0) == 0)
        return nb_fail(r, NB_E_CONFLICT, "at least one administrator must remain");
    if ((res = nb_db_query(r, NB_Q_USER_GUEST_COUNT, r->capture[0])) == NULL)
        return -1;
    if (nb_db_int(res, 0, 0) > 0)
        return nb_fail(r, NB_E_CONFLICT, "user %s still owns %lld guest(s); delete them first",
                       r->capture[0], (long long)nb_db_int(res, 0, 0));
    if ((res = nb_db_query(r, NB_Q_USER_DELETE, r->capture[0])) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "user %s not found", r->capture[0]);
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
    const char *group = nb_query_param(r, "group");
    const PGresult *res;

    if (group == NULL || group[0] == '\0') {
        res = nb_db_query(r, NB_Q_USER_LIST, NULL);
    } else {
        if ((res = nb_db_query(r, NB_Q_GROUP_GET, group)) == NULL)
            return -1;
        if (PQntuples(res) == 0)
            return nb_fail(r, NB_E_NOT_FOUND, "group %s not found", group);
        res = nb_db_query(r, NB_Q_GROUP_MEMBERS, group);
    }
    return res != NULL ? nano_ok(r, 200, nb_db_column_json(res, 0)) : -1;
}
