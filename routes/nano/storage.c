/* Nano storage pools: shared storage (NFS exports) that compute pools keep guest disks on.
 * A pool in use by a compute pool is neither modified nor deleted (db/storage.c). */
#include "db/storage.h"

#include "app/validate.h"
#include "routes/nano/nano.h"

/* The body's fields; absent ones are NULL and keep their value. */
static struct nb_storage_config
read_config(struct nb_req *r)
{
    return (struct nb_storage_config){
        .type = nb_json_get_string(r->json, "type"),
        .host = nb_json_get_string(r->json, "host"),
        .target = nb_json_get_string(r->json, "target"),
    };
}

static void
add_config(struct json_object *o, const struct nb_storage_pool *p)
{
    json_object_object_add(o, "type", json_object_new_string(p->type));
    json_object_object_add(o, "host", json_object_new_string(p->host));
    json_object_object_add(o, "target", json_object_new_string(p->target));
}

/* GET /storage_pools/ */
int
nano_storage_list(struct nb_req *r)
{
    struct nb_storage_pool *p;
    int n = nb_storage_pool_list(r, &p);
    struct json_object *data;

    if (n < 0)
        return -1;
    data = json_object_new_array_ext(n);
    for (int i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(p[i].name));
        add_config(o, &p[i]);
        json_object_array_add(data, o);
    }
    return nano_ok(r, 200, data);
}

/* GET /storage_pools/{pool} */
int
nano_storage_get(struct nb_req *r)
{
    struct nb_storage_pool p;
    struct json_object *data;

    if (nb_storage_pool_get(r, r->capture[0], &p) < 0)
        return -1;
    data = json_object_new_object();
    add_config(data, &p);
    return nano_ok(r, 200, data);
}

/* POST /storage_pools/{pool} */
int
nano_storage_create(struct nb_req *r)
{
    struct nb_storage_config c = read_config(r);

    if (nb_check_name(r, "storage pool", r->capture[0]) < 0 ||
        nb_storage_pool_create(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* PUT /storage_pools/{pool}: only while no compute pool uses it. */
int
nano_storage_modify(struct nb_req *r)
{
    struct nb_storage_config c = read_config(r);

    if (nb_storage_pool_modify(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /storage_pools/{pool}: only while no compute pool uses it. */
int
nano_storage_remove(struct nb_req *r)
{
    if (nb_storage_pool_remove(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
