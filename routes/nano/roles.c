/* Nano roles: named sets of menu tags, granted to the members of the groups that hold them. */
#include <string.h>

#include "app/perm.h"
#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

/* The body's menu as JSON text, after checking every tag is one Nimbus knows. */
static const char *
menu_json(struct nb_req *r)
{
    struct json_object *menu = nb_json_get(r->json, "menu");
    const char *text = nb_check_string_array(r, "menu", menu);

    if (text == NULL)
        return NULL;
    for (size_t i = 0; i < json_object_array_length(menu); i++) {
        const char *tag = json_object_get_string(json_object_array_get_idx(menu, i));

        if (!nb_role_known(nano_menu, tag)) {
            nb_fail(r, NB_E_INVALID, "unknown menu tag '%s'", tag);
            return NULL;
        }
    }
    return text;
}

/* GET /roles/ */
int
nano_role_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_ROLE_LIST, NULL);

    return res != NULL ? nano_ok(r, 200, nb_db_column_json(res, 0)) : -1;
}

/* GET /roles/{role} */
int
nano_role_get(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_ROLE_GET, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "role %s not found", r->capture[0]);
    data = json_object_new_object();
    json_object_object_add(data, "menu", nb_db_json(res, 0, 0));
    return nano_ok(r, 200, data);
}

/* POST /roles/{role} */
int
nano_role_create(struct nb_req *r)
{
    const char *menu;

    if (nb_check_name(r, "role", r->capture[0]) < 0 || (menu = menu_json(r)) == NULL ||
        nb_db_query(r, NB_Q_ROLE_CREATE, r->capture[0], menu) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /roles/{role} */
int
nano_role_modify(struct nb_req *r)
{
    const char *menu = menu_json(r);
    const PGresult *res;

    if (menu == NULL || (res = nb_db_query(r, NB_Q_ROLE_UPDATE, r->capture[0], menu)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "role %s not found", r->capture[0]);
    return nano_ok(r, 200, NULL);
}

/* DELETE /roles/{role}: only a role no group holds, and never the built-in admin role. */
int
nano_role_remove(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_ROLE_BINDINGS, r->capture[0]);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "role %s not found", r->capture[0]);
    if (strcmp(r->capture[0], "admin") == 0)
        return nb_fail(r, NB_E_CONFLICT, "the built-in admin role cannot be removed");
    if (nb_db_int(res, 0, 0) > 0)
        return nb_fail(r, NB_E_CONFLICT, "role %s is still held by %lld group(s)", r->capture[0],
                       (long long)nb_db_int(res, 0, 0));
    if (nb_db_query(r, NB_Q_ROLE_DELETE, r->capture[0]) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}
