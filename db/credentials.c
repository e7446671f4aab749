/* Credentials shown and ended on request: who may see which is decided here. */
#include "db/credentials.h"

#include "db/db.h"

int
nb_credential_load(struct nb_req *r, const char *token, const PGresult **res)
{
    *res = nb_db_query(r, NB_Q_CREDENTIAL_SHOW, token);
    if (*res == NULL)
        return -1;
    return PQntuples(*res) == 1 &&
           (nb_db_int(*res, 0, NB_CC_USER_ID) == r->user.id || r->user.is_admin);
}

int
nb_credential_revoke(struct nb_req *r, const char *token, const char *user_id)
{
    const PGresult *res = nb_db_query(r, NB_Q_CREDENTIAL_REVOKE, token, user_id);

    return res == NULL ? -1 : PQntuples(res) == 1;
}
