/* User rows: the password hash is computed here so no caller ever handles one. */
#include "db/users.h"

#include "app/secret.h"
#include "db/audit.h"
#include "db/db.h"

int
nb_user_create(struct nb_req *r, const char *name, const char *password, const char *group)
{
    const char *hash = nb_password_hash(r->arena, password);

    if (nb_db_begin(r) < 0)
        return -1;
    if (nb_db_query(r, NB_Q_USER_CREATE, name, hash, group) == NULL ||
        nb_audit(r, "%s creates user %s", r->user.name, name) < 0 || nb_db_commit(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    return 0;
}

int
nb_user_set_password(struct nb_req *r, const char *name, const char *password)
{
    const PGresult *res;

    if (nb_db_begin(r) < 0)
        return -1;
    res = nb_db_query(r, NB_Q_USER_SET_PASSWORD, name, nb_password_hash(r->arena, password));
    if (res != NULL && PQntuples(res) == 0)
        nb_fail(r, NB_E_NOT_FOUND, "no user %s", name);
    if (res == NULL || PQntuples(res) == 0 ||
        nb_audit(r, "%s changes the password of %s", r->user.name, name) < 0 ||
        nb_db_commit(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    return 0;
}

int
nb_user_exists(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_USER_EXISTS, name);

    return res == NULL ? -1 : PQntuples(res) > 0;
}
