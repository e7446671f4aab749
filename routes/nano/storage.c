/* Nano storage pools: shared storage (NFS exports) that compute pools keep guest disks on.
 * A pool in use by a compute pool is neither modified nor deleted. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

/* A storage pool's configuration; absent body fields keep these values. */
struct storage_config {
    const char *type, *host, *target;
};

/* Applies the body to c and checks the result: NFS is the one backend, and it needs the
 * export's host and absolute path. */
static int
read_config(struct nb_req *r, struct storage_config *c)
{
    const char *type = nb_json_get_string(r->json, "type");
    const char *host = nb_json_get_string(r->json, "host");
    const char *target = nb_json_get_string(r->json, "target");

    c->type = type != NULL ? type : c->type;
    c->host = host != NULL ? host : c->host;
    c->target = target != NULL ? target : c->target;
    if (strcmp(c->type, "nfs") != 0)
        return nb_fail_field(r, NB_E_INVALID, "type", "unsupported storage type '%s'", c->type);
    if (nb_check_host(r, "host", c->host) < 0 || nb_check_abs_path(r, "target", c->target) < 0)
        return -1;
    return 0;
}

/* The storage pool row (STORAGE_POOL_GET), or NULL with "not found" recorded. */
static const PGresult *
load_storage(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_STORAGE_POOL_GET, name);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "storage pool %s not found", name);
        return NULL;
    }
    return res;
}

/* Refuses changes to a storage pool that compute pools use (column 4 of the row). */
static int
check_unused(struct nb_req *r, const PGresult *res, const char *name)
{
    if (nb_db_int(res, 0, 4) > 0)
        return nb_fail(r, NB_E_CONFLICT, "storage pool %s is used by %lld compute pool(s)", name,
                       (long long)nb_db_int(res, 0, 4));
    return 0;
}

static void
add_config(struct json_object *o, const PGresult *res, int i)
{
    json_object_object_add(o, "type", json_object_new_string(nb_db_text(res, i, 1)));
    json_object_object_add(o, "host", json_object_new_string(nb_db_text(res, i, 2)));
    json_object_object_add(o, "target", json_object_new_string(nb_db_text(res, i, 3)));
}

/* GET /storage_pools/ */
int
nano_storage_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_STORAGE_POOL_LIST, NULL);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(nb_db_text(res, i, 0)));
        add_config(o, res, i);
        json_object_array_add(data, o);
    }
    return nano_ok(r, 200, data);
}

/* GET /storage_pools/{pool} */
int
nano_storage_get(struct nb_req *r)
{
    const PGresult *res = load_storage(r, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    add_config(data, res, 0);
    return nano_ok(r, 200, data);
}

/* POST /storage_pools/{pool} */
int
nano_storage_create(struct nb_req *r)
{
    const char *name = r->capture[0];
    struct storage_config c = {"nfs", "", ""};
    const PGresult *res;

    if (nb_check_name(r, "storage pool", name) < 0 ||
        (res = nb_db_query(r, NB_Q_STORAGE_POOL_GET, name)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "storage pool %s already exists", name);
    if (read_config(r, &c) < 0 ||
        nb_db_query(r, NB_Q_STORAGE_POOL_CREATE, name, c.type, c.host, c.target) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /storage_pools/{pool}: only while no compute pool uses it. */
int
nano_storage_modify(struct nb_req *r)
{
    const char *name = r->capture[0];
    const PGresult *res = load_storage(r, name);
    struct storage_config c;

    if (res == NULL || check_unused(r, res, name) < 0)
        return -1;
    c = (struct storage_config){nb_db_text(res, 0, 1), nb_db_text(res, 0, 2),
                                nb_db_text(res, 0, 3)};
    if (read_config(r, &c) < 0 ||
        (res = nb_db_query(r, NB_Q_STORAGE_POOL_UPDATE, name, c.type, c.host, c.target)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "storage pool %s is in use", name);
    return nano_ok(r, 200, NULL);
}

/* DELETE /storage_pools/{pool}: only while no compute pool uses it. */
int
nano_storage_remove(struct nb_req *r)
{
    const char *name = r->capture[0];
    const PGresult *res = load_storage(r, name);

    if (res == NULL || check_unused(r, res, name) < 0 ||
        (res = nb_db_query(r, NB_Q_STORAGE_POOL_DELETE, name)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "storage pool %s is in use", name);
    return nano_ok(r, 200, NULL);
}
