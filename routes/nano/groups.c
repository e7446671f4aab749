/* Nano user groups: a display name, the roles members get, and the members. A user is in at
 * most one group; the rules are db/groups.c's. */
#include "db/groups.h"
#include "app/validate.h"
#include "db/db.h"
#include "db/users.h"
#include "routes/nano/nano.h"

/* The body as a change: "display" and, when the body has one, the "role" list. */
static int
group_change(struct nb_req *r, struct nb_group_change *c)
{
    struct json_object *roles = nb_json_get(r->json, "role");

    c->display = nb_json_get_string(r->json, "display");
    c->roles = NULL;
    if (roles != NULL && (c->roles = nb_check_string_list(r, "role", roles)) == NULL)
        return -1;
    return 0;
}

/* GET /user_groups/ */
int
nano_group_list(struct nb_req *r)
{
    const PGresult *res = nb_group_list(r);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *g = json_object_new_object();

        json_object_object_add(g, "name", json_object_new_string(nb_db_text(res, i, NB_GLC_NAME)));
        json_object_object_add(g, "display",
                               json_object_new_string(nb_db_text(res, i, NB_GLC_DISPLAY)));
        json_object_object_add(g, "member",
                               json_object_new_int64(nb_db_int(res, i, NB_GLC_MEMBERS)));
        json_object_array_add(data, g);
    }
    return nano_ok(r, 200, data);
}

/* GET /user_groups/{group} */
int
nano_group_get(struct nb_req *r)
{
    const PGresult *res = nb_group_load(r, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "name", json_object_new_string(nb_db_text(res, 0, NB_GRC_NAME)));
    json_object_object_add(data, "display",
                           json_object_new_string(nb_db_text(res, 0, NB_GRC_DISPLAY)));
    json_object_object_add(data, "role", nb_db_json(res, 0, NB_GRC_ROLES));
    json_object_object_add(data, "member", nb_db_json(res, 0, NB_GRC_MEMBERS));
    return nano_ok(r, 200, data);
}

/* POST /user_groups/{group} */
int
nano_group_create(struct nb_req *r)
{
    struct nb_group_change c;

    if (nb_check_name(r, "group", r->capture[0]) < 0 || group_change(r, &c) < 0 ||
        nb_group_create(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /user_groups/{group} */
int
nano_group_modify(struct nb_req *r)
{
    struct nb_group_change c;

    if (group_change(r, &c) < 0 || nb_group_modify(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /user_groups/{group}: only an empty group. */
int
nano_group_remove(struct nb_req *r)
{
    if (nb_group_remove(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* GET /user_groups/{group}/members/ */
int
nano_group_members(struct nb_req *r)
{
    const PGresult *res = nb_group_members(r, r->capture[0]);

    return res != NULL ? nano_ok(r, 200, nb_db_column_json(res, NB_UNC_NAME)) : -1;
}

/* POST /user_groups/{group}/members/{user} */
int
nano_group_member_add(struct nb_req *r)
{
    if (nb_group_member_add(r, r->capture[0], r->capture[1]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /user_groups/{group}/members/{user}: never the last administrator; the user's
 * credentials end with the membership. */
int
nano_group_member_remove(struct nb_req *r)
{
    if (nb_group_member_remove(r, r->capture[0], r->capture[1]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
