/* Nano roles: named sets of menu tags, granted to the members of the groups that hold them. */
#include "db/roles.h"
#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

/* The body's menu. Tags are free labels, as in the real frontend: those nano_menu names grant
 * what it says, any other is stored and shown as given and grants nothing. */
static const char *const *
menu_list(struct nb_req *r)
{
    return nb_check_string_list(r, "menu", nb_json_get(r->json, "menu"));
}

/* GET /roles/ */
int
nano_role_list(struct nb_req *r)
{
    const PGresult *res = nb_role_list(r);

    return res != NULL ? nano_ok(r, 200, nb_db_column_json(res, NB_RLC_NAME)) : -1;
}

/* GET /roles/{role} */
int
nano_role_get(struct nb_req *r)
{
    const PGresult *res = nb_role_load(r, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "menu", nb_db_json(res, 0, NB_RC_MENU));
    return nano_ok(r, 200, data);
}

/* POST /roles/{role} */
int
nano_role_create(struct nb_req *r)
{
    const char *const *menu;

    if (nb_check_name(r, "role", r->capture[0]) < 0 || (menu = menu_list(r)) == NULL ||
        nb_role_create(r, r->capture[0], menu) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /roles/{role} */
int
nano_role_modify(struct nb_req *r)
{
    const char *const *menu = menu_list(r);

    if (menu == NULL || nb_role_modify(r, r->capture[0], menu) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /roles/{role}: only a role no group holds, and never the built-in admin role. */
int
nano_role_remove(struct nb_req *r)
{
    if (nb_role_remove(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
