/* Nano resource visibility: which of its members' resources a group shares among them. */
#include "db/db.h"
#include "routes/nano/nano.h"

static const char *const flags[] = {"instance_visible", "media_image_visible",
                                    "disk_image_visible"};

/* The caller's group row (GROUP_GET), or NULL with the error recorded. */
static const PGresult *
callers_group(struct nb_req *r)
{
    const PGresult *res;

    if (r->user.group == NULL) {
        nb_fail(r, NB_E_CONFLICT, "user %s belongs to no user group", r->user.name);
        return NULL;
    }
    res = nb_db_query(r, NB_Q_GROUP_GET, r->user.group);
    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "group %s not found", r->user.group);
        return NULL;
    }
    return res;
}

/* GET /resource_visibilities/ */
int
nano_visibility_get(struct nb_req *r)
{
    const PGresult *res = callers_group(r);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    for (int i = 0; i < 3; i++)
        json_object_object_add(data, flags[i], json_object_new_boolean(nb_db_bool(res, 0, 5 + i)));
    return nano_ok(r, 200, data);
}

/* PUT /resource_visibilities/: absent flags keep their value. */
int
nano_visibility_set(struct nb_req *r)
{
    const PGresult *res = callers_group(r);
    const char *v[3];

    if (res == NULL)
        return -1;
    for (int i = 0; i < 3; i++) {
        struct json_object *f = nb_json_get(r->json, flags[i]);
        bool on = f != NULL ? json_object_get_boolean(f) : nb_db_bool(res, 0, 5 + i);

        v[i] = on ? "true" : "false";
    }
    if (nb_db_query(r, NB_Q_GROUP_SET_VISIBILITY, r->user.group, v[0], v[1], v[2]) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}
