/* Roles: menus travel to the statements as JSON lists; the caller owns the audit entry. */
#include "db/roles.h"

#include <string.h>

#include "db/db.h"

const PGresult *
nb_role_list(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_ROLE_LIST, NULL);
}

const PGresult *
nb_role_load(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_ROLE_GET, name);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "role %s not found", name);
        return NULL;
    }
    return res;
}

int
nb_role_check_menu(struct nb_req *r, const char *const *menu)
{
    for (const char *const *tag = menu; *tag != NULL; tag++) {
        if (**tag == '\0')
            return nb_fail(r, NB_E_INVALID, "menu tags must not be empty");
        if (strchr(*tag, ',') != NULL)
            return nb_fail(r, NB_E_INVALID, "menu tag '%s' must not contain a comma", *tag);
    }
    return 0;
}

int
nb_role_create(struct nb_req *r, const char *name, const char *const *menu)
{
    if (nb_role_check_menu(r, menu) < 0)
        return -1;
    return nb_db_query(r, NB_Q_ROLE_CREATE, name, nb_db_json_list(r, menu)) != NULL ? 0 : -1;
}

int
nb_role_modify(struct nb_req *r, const char *name, const char *const *menu)
{
    const PGresult *res;

    if (nb_role_check_menu(r, menu) < 0 ||
        (res = nb_db_query(r, NB_Q_ROLE_UPDATE, name, nb_db_json_list(r, menu))) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "role %s not found", name);
    return 0;
}

int
nb_role_remove(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_ROLE_BINDINGS, name);
    int64_t groups;

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "role %s not found", name);
    if (strcmp(name, "admin") == 0)
        return nb_fail(r, NB_E_CONFLICT, "the built-in admin role cannot be removed");
    groups = nb_db_int(res, 0, 0);
    if (groups > 0)
        return nb_fail(r, NB_E_CONFLICT, "role %s is still held by %lld group(s)", name,
                       (long long)groups);
    return nb_db_query(r, NB_Q_ROLE_DELETE, name) != NULL ? 0 : -1;
}
