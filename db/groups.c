/* User groups: the rules about roles and members live here, so every dialect obeys them; the
 * caller owns the audit entry. */
#include "db/groups.h"

#include <string.h>

#include "db/db.h"
#include "db/users.h"

const PGresult *
nb_group_list(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_GROUP_LIST, NULL);
}

const PGresult *
nb_group_load(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_GROUP_GET, name);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "group %s not found", name);
        return NULL;
    }
    return res;
}

const PGresult *
nb_group_members(struct nb_req *r, const char *name)
{
    if (nb_group_load(r, name) == NULL)
        return NULL;
    return nb_db_query(r, NB_Q_GROUP_MEMBERS, name);
}

/* Replaces the group's roles with roles (NULL: keeps them). */
static int
set_roles(struct nb_req *r, const char *group, const char *const *roles)
{
    const char *list;
    const PGresult *res;

    if (roles == NULL)
        return 0;
    list = nb_db_json_list(r, roles);
    if ((res = nb_db_query(r, NB_Q_ROLE_FIRST_UNKNOWN, list)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_INVALID, "role %s not found", nb_db_text(res, 0, 0));
    for (const char *const *p = roles; *p != NULL && !r->user.is_admin; p++)
        if (strcmp(*p, "admin") == 0)
            return nb_fail(r, NB_E_FORBIDDEN, "only administrators may grant the admin role");
    if (nb_db_query(r, NB_Q_GROUP_CLEAR_ROLES, group) == NULL ||
        nb_db_query(r, NB_Q_GROUP_ADD_ROLES, group, list) == NULL)
        return -1;
    return nb_admin_remains(r);
}

int
nb_group_create(struct nb_req *r, const char *name, const struct nb_group_change *c)
{
    if (nb_db_query(r, NB_Q_GROUP_CREATE, name, c->display != NULL ? c->display : "") == NULL)
        return -1;
    return set_roles(r, name, c->roles);
}

int
nb_group_modify(struct nb_req *r, const char *name, const struct nb_group_change *c)
{
    const PGresult *res = nb_db_query(r, NB_Q_GROUP_SET_DISPLAY, name, c->display);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "group %s not found", name);
    return set_roles(r, name, c->roles);
}

int
nb_group_remove(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_GROUP_DELETE, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 1)
        return 0;
    /* Nothing went: the group is unknown, or it has members. */
    if (nb_group_load(r, name) == NULL)
        return -1;
    return nb_fail(r, NB_E_CONFLICT, "group %s still has members", name);
}

int
nb_group_member_add(struct nb_req *r, const char *group, const char *user)
{
    const PGresult *res;
    const char *current;

    if (nb_group_load(r, group) == NULL ||
        (res = nb_db_query(r, NB_Q_GROUP_IS_ADMIN, group)) == NULL)
        return -1;
    if (PQntuples(res) > 0 && !r->user.is_admin)
        return nb_fail(r, NB_E_FORBIDDEN, "only administrators may add members to an admin group");
    if ((res = nb_db_query(r, NB_Q_MEMBER_ADD, group, user)) == NULL)
        return -1;
    if (PQntuples(res) == 1)
        return 0;
    if ((res = nb_user_load(r, user)) == NULL)
        return -1;
    current = nb_db_text(res, 0, NB_UC_GROUP);
    if (strcmp(current, group) == 0)
        return nb_fail(r, NB_E_CONFLICT, "user %s is already a member of %s", user, group);
    return nb_fail(r, NB_E_CONFLICT, "user %s already belongs to group %s", user, current);
}

int
nb_group_member_remove(struct nb_req *r, const char *group, const char *user)
{
    if (nb_group_load(r, group) == NULL || nb_db_begin(r) < 0)
        return -1;
    if (nb_user_leave_group(r, group, user) < 0)
        return -1;
    if (nb_admin_remains(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    return nb_db_commit(r);
}
