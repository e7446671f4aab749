/* Storage pool rows and their rules: NFS is the one backend, and a pool in use stays as it is. */
#include "db/storage.h"

#include <string.h>

#include "app/validate.h"
#include "db/db.h"

static void
row(const PGresult *res, int i, struct nb_storage_pool *p)
{
    p->name = nb_db_text(res, i, NB_STORAGE_NAME);
    p->type = nb_db_text(res, i, NB_STORAGE_TYPE);
    p->host = nb_db_text(res, i, NB_STORAGE_HOST);
    p->target = nb_db_text(res, i, NB_STORAGE_TARGET);
    p->users = 0;
}

int
nb_storage_pool_list(struct nb_req *r, struct nb_storage_pool **out)
{
    const PGresult *res = nb_db_query(r, NB_Q_STORAGE_POOL_LIST, NULL);
    int n;

    if (res == NULL)
        return -1;
    *out = nb_db_row_array(r, res, sizeof(**out), &n);
    for (int i = 0; i < n; i++)
        row(res, i, &(*out)[i]);
    return n;
}

int
nb_storage_pool_get(struct nb_req *r, const char *name, struct nb_storage_pool *out)
{
    const PGresult *res = nb_db_query(r, NB_Q_STORAGE_POOL_GET, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "storage pool %s not found", name);
    row(res, 0, out);
    out->users = nb_db_int(res, 0, NB_STORAGE_USERS);
    return 0;
}

/* Applies the change c to the configuration cur and checks the result. */
static int
merge(struct nb_req *r, const struct nb_storage_config *c, struct nb_storage_config *cur)
{
    cur->type = c->type != NULL ? c->type : cur->type;
    cur->host = c->host != NULL ? c->host : cur->host;
    cur->target = c->target != NULL ? c->target : cur->target;
    if (strcmp(cur->type, "nfs") != 0)
        return nb_fail_field(r, NB_E_INVALID, "type", "unsupported storage type '%s'", cur->type);
    if (nb_check_host(r, "host", cur->host) < 0 || nb_check_abs_path(r, "target", cur->target) < 0)
        return -1;
    return 0;
}

static int
check_unused(struct nb_req *r, const struct nb_storage_pool *p, const char *name)
{
    if (p->users > 0)
        return nb_fail(r, NB_E_CONFLICT, "storage pool %s is used by %lld compute pool(s)", name,
                       (long long)p->users);
    return 0;
}

int
nb_storage_pool_create(struct nb_req *r, const char *name, const struct nb_storage_config *c)
{
    struct nb_storage_config cur = {"nfs", "", ""};
    const PGresult *res = nb_db_query(r, NB_Q_STORAGE_POOL_GET, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "storage pool %s already exists", name);
    if (merge(r, c, &cur) < 0 ||
        nb_db_query(r, NB_Q_STORAGE_POOL_CREATE, name, cur.type, cur.host, cur.target) == NULL)
        return -1;
    return 0;
}

int
nb_storage_pool_modify(struct nb_req *r, const char *name, const struct nb_storage_config *c)
{
    struct nb_storage_pool p;
    struct nb_storage_config cur;
    const PGresult *res;

    if (nb_storage_pool_get(r, name, &p) < 0 || check_unused(r, &p, name) < 0)
        return -1;
    cur = (struct nb_storage_config){p.type, p.host, p.target};
    if (merge(r, c, &cur) < 0 || (res = nb_db_query(r, NB_Q_STORAGE_POOL_UPDATE, name, cur.type,
                                                    cur.host, cur.target)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "storage pool %s is in use", name);
    return 0;
}

int
nb_storage_pool_remove(struct nb_req *r, const char *name)
{
    struct nb_storage_pool p;
    const PGresult *res;

    if (nb_storage_pool_get(r, name, &p) < 0 || check_unused(r, &p, name) < 0 ||
        (res = nb_db_query(r, NB_Q_STORAGE_POOL_DELETE, name)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "storage pool %s is in use", name);
    return 0;
}
