/* Address allocation for guests: the statement (ADDRESS_ALLOCATE) does the choosing and the
 * inserting at once; this file only retries it when a concurrent caller won the address. */
#include "db/addresses.h"

#include "app/validate.h"
#include "db/db.h"

/* Each lost race means another caller got an address, so a few tries suffice unless many
 * guests start in the same instant; then the caller's client retries the whole request. */
#define ALLOCATE_TRIES 8

/* The id of the pool a name or id names, or NULL with NB_E_NOT_FOUND recorded. */
static const char *
find_pool(struct nb_req *r, const char *pool)
{
    const PGresult *res = nb_db_query(r, NB_Q_ADDRESS_POOL_FIND, pool);

    if (res == NULL)
        return NULL;
    if (PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "address pool %s not found", pool);
        return NULL;
    }
    return nb_db_text(res, 0, 0);
}

int
nb_address_allocate(struct nb_req *r, const char *pool, const char *guest_id,
                    const char *wanted, const char **out)
{
    const char *id;

    if ((wanted != NULL && nb_check_ipv4(r, "address", wanted, NULL) < 0) ||
        (id = find_pool(r, pool)) == NULL)
        return -1;
    for (int i = 0; i < ALLOCATE_TRIES; i++) {
        const PGresult *res = nb_db_query(r, NB_Q_ADDRESS_ALLOCATE, id, guest_id, wanted);

        if (res == NULL)
            return -1;
        if (PQntuples(res) == 0 && wanted != NULL)
            return nb_fail(r, NB_E_CONFLICT, "address %s is not free in address pool %s", wanted,
                           pool);
        if (PQntuples(res) == 0)
            return nb_fail(r, NB_E_CONFLICT, "address pool %s has no free address", pool);
        if (nb_db_bool(res, 0, 1)) {
            *out = nb_db_text(res, 0, 0);
            return 0;
        }
    }
    return nb_fail(r, NB_E_CONFLICT, "address pool %s is busy, try again", pool);
}

int
nb_address_release(struct nb_req *r, const char *pool, const char *guest_id,
                   const char *address)
{
    const PGresult *res;
    const char *id;

    if ((address != NULL && nb_check_ipv4(r, "address", address, NULL) < 0) ||
        (id = find_pool(r, pool)) == NULL ||
        (res = nb_db_query(r, NB_Q_ADDRESS_RELEASE, id, guest_id, address)) == NULL)
        return -1;
    return PQntuples(res);
}
