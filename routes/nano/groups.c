/* Nano user groups: a display name, the roles members get, and the members. A user is in at
 * most one group. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/users.h"
#include "routes/nano/nano.h"

/* The group row (GROUP_GET), or NULL with "not found" recorded. */
static const PGresult *
load_group(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_GROUP_GET, name);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "group %s not found", name);
        return NULL;
    }
    return res;
}

/* Replaces the group's roles with the body's "role" list, when the body has one. */
static int
set_roles(struct nb_req *r, const char *group)
{
    struct json_object *roles = nb_json_get(r->json, "role");
    const char *list;
    const PGresult *res;

    if (roles == NULL)
        return 0;
    if ((list = nb_check_string_array(r, "role", roles)) == NULL ||
        (res = nb_db_query(r, NB_Q_ROLE_FIRST_UNKNOWN, list)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_INVALID, "role %s not found", nb_db_text(res, 0, 0));
    if (!r->user.is_admin && strstr(list, "\"admin\"") != NULL)
        return nb_fail(r, NB_E_FORBIDDEN, "only administrators may grant the admin role");
    if (nb_db_query(r, NB_Q_GROUP_CLEAR_ROLES, group) == NULL ||
        nb_db_query(r, NB_Q_GROUP_ADD_ROLES, group, list) == NULL)
        return -1;
    return nb_admin_remains(r);
}

/* GET /user_groups/ */
int
nano_group_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_GROUP_LIST, NULL);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *g = json_object_new_object();

        json_object_object_add(g, "name", json_object_new_string(nb_db_text(res, i, 0)));
        json_object_object_add(g, "display", json_object_new_string(nb_db_text(res, i, 1)));
        json_object_object_add(g, "member", json_object_new_int64(nb_db_int(res, i, 2)));
        json_object_array_add(data, g);
    }
    return nano_ok(r, 200, data);
}

/* GET /user_groups/{group} */
int
nano_group_get(struct nb_req *r)
{
    const PGresult *res = load_group(r, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(nb_db_text(res, 0, 0)));
    json_object_object_add(data, "display", json_object_new_string(nb_db_text(res, 0, 1)));
    json_object_object_add(data, "role", nb_db_json(res, 0, 2));
    json_object_object_add(data, "member", nb_db_json(res, 0, 3));
    return nano_ok(r, 200, data);
}

/* POST /user_groups/{group} */
int
nano_group_create(struct nb_req *r)
{
    const char *display = nb_json_get_string(r->json, "display");

    if (nb_check_name(r, "group", r->capture[0]) < 0 ||
        nb_db_query(r, NB_Q_GROUP_CREATE, r->capture[0], display ? display : "") == NULL ||
        set_roles(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /user_groups/{group} */
int
nano_group_modify(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_GROUP_SET_DISPLAY, r->capture[0],
                                      nb_json_get_string(r->json, "display"));

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "group %s not found", r->capture[0]);
    if (set_roles(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /user_groups/{group}: only an empty group. */
int
nano_group_remove(struct nb_req *r)
{
    const PGresult *res = load_group(r, r->capture[0]);

    if (res == NULL)
        return -1;
    if (json_object_array_length(nb_db_json(res, 0, 3)) > 0)
        return nb_fail(r, NB_E_CONFLICT, "group %s still has members", r->capture[0]);
    if (nb_db_query(r, NB_Q_GROUP_DELETE, r->capture[0]) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* GET /user_groups/{group}/members/ */
int
nano_group_members(struct nb_req *r)
{
    const PGresult *res;

    if (load_group(r, r->capture[0]) == NULL ||
        (res = nb_db_query(r, NB_Q_GROUP_MEMBERS, r->capture[0])) == NULL)
        return -1;
    return nano_ok(r, 200, nb_db_column_json(res, 0));
}

/* POST /user_groups/{group}/members/{user} */
int
nano_group_member_add(struct nb_req *r)
{
    const char *group = r->capture[0], *user = r->capture[1];
    const PGresult *res;

    if (load_group(r, group) == NULL || (res = nb_db_query(r, NB_Q_GROUP_IS_ADMIN, group)) == NULL)
        return -1;
    if (PQntuples(res) > 0 && !r->user.is_admin)
        return nb_fail(r, NB_E_FORBIDDEN, "only administrators may add members to an admin group");
    if ((res = nb_db_query(r, NB_Q_MEMBER_ADD, group, user)) == NULL)
        return -1;
    if (PQntuples(res) == 1)
        return nano_ok(r, 200, NULL);
    if ((res = nb_db_query(r, NB_Q_USER_GET, user)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "user %s not found", user);
    if (strcmp(nb_db_text(res, 0, 2), group) == 0)
        return nb_fail(r, NB_E_CONFLICT, "user %s is already a member of %s", user, group);
    return nb_fail(r, NB_E_CONFLICT, "user %s already belongs to group %s", user,
                   nb_db_text(res, 0, 2));
}

/* DELETE /user_groups/{group}/members/{user}: never the last administrator; the user's
 * credentials end with the membership. */
int
nano_group_member_remove(struct nb_req *r)
{
    if (load_group(r, r->capture[0]) == NULL ||
        nb_user_leave_group(r, r->capture[0], r->capture[1]) < 0 || nb_admin_remains(r) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
