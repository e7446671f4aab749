/* Services and their tokens: random, NB_TOKEN_BYTES long, only SHA-256 of them stored. */
#include "db/services.h"

#include "app/secret.h"
#include "db/db.h"

int
nb_service_resolve(struct nb_req *r, const char *token, const char **id, const char **name)
{
    const PGresult *res = nb_db_query(r, NB_Q_SERVICE_RESOLVE, token);

    *id = *name = NULL;
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 1) {
        *id = nb_db_text(res, 0, 0);
        *name = nb_db_text(res, 0, 1);
    }
    return 0;
}

int
nb_service_add(struct nb_req *r, const char *name, const char **token)
{
    *token = nb_random_hex(r->arena, NB_TOKEN_BYTES);
    return nb_db_query(r, NB_Q_SERVICE_ADD, name, *token) == NULL ? -1 : 0;
}
