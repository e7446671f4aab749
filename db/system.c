/* The system as a whole: its status and its initialisation with a first administrator. */
#include "db/system.h"

#include "db/audit.h"
#include "db/db.h"
#include "db/roles.h"
#include "db/users.h"

#define ALREADY "system already initialed" /* the real frontend's words */

const PGresult *
nb_system_status(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_SYSTEM_STATUS, NULL);
}

int
nb_system_ready(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_SYSTEM_HAS_USERS, NULL);

    return res != NULL ? nb_db_bool(res, 0, 0) : -1;
}

/* The steps after the lock, inside the transaction. */
static int
initialise(struct nb_req *r, const struct nb_system_init *in)
{
    const char *const roles[] = {"admin", in->role, NULL};
    const PGresult *res;
    int ready = nb_system_ready(r);

    if (ready < 0)
        return -1;
    if (ready)
        return nb_fail(r, NB_E_CONFLICT, ALREADY);
    if ((res = nb_db_query(r, NB_Q_ROLE_GET, in->role)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "role '%s' already exists", in->role);
    if (nb_role_create(r, in->role, in->menu) < 0 ||
        nb_user_create(r, in->user, in->password, NULL, NULL) < 0 ||
        nb_db_query(r, NB_Q_GROUP_CLAIM, in->group, in->display) == NULL ||
        nb_db_query(r, NB_Q_GROUP_CLEAR_ROLES, in->group) == NULL ||
        nb_db_query(r, NB_Q_GROUP_ADD_ROLES, in->group, nb_db_json_list(r, roles)) == NULL ||
        nb_db_query(r, NB_Q_MEMBER_ADD, in->group, in->user) == NULL)
        return -1;
    return nb_audit(r, "%s initialises the system in group %s with role %s", in->user, in->group,
                    in->role);
}

int
nb_system_initialise(struct nb_req *r, const struct nb_system_init *in)
{
    if (nb_db_begin(r) < 0)
        return -1;
    if (nb_db_query(r, NB_Q_SYSTEM_INIT_LOCK, NULL) == NULL || initialise(r, in) < 0 ||
        nb_db_commit(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    return 0;
}
