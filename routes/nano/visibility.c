/* Nano resource visibility: which of its members' resources a group shares among them. */
#include "db/visibility.h"
#include "routes/nano/nano.h"

static const char *const flags[NB_VISIBILITY__MAX] = {
    [NB_VISIBILITY_INSTANCE] = "instance_visible",
    [NB_VISIBILITY_MEDIA_IMAGE] = "media_image_visible",
    [NB_VISIBILITY_DISK_IMAGE] = "disk_image_visible",
};

/* GET /resource_visibilities/ */
int
nano_visibility_get(struct nb_req *r)
{
    bool shared[NB_VISIBILITY__MAX];
    struct json_object *data;

    if (nb_visibility_get(r, shared) < 0)
        return -1;
    data = json_object_new_object();
    for (int i = 0; i < NB_VISIBILITY__MAX; i++)
        json_object_object_add(data, flags[i], json_object_new_boolean(shared[i]));
    return nano_ok(r, 200, data);
}

/* PUT /resource_visibilities/: absent flags keep their value. */
int
nano_visibility_set(struct nb_req *r)
{
    int set[NB_VISIBILITY__MAX];

    for (int i = 0; i < NB_VISIBILITY__MAX; i++) {
        struct json_object *f = nb_json_get(r->json, flags[i]);

        set[i] = f != NULL ? json_object_get_boolean(f) : -1;
    }
    if (nb_visibility_set(r, set) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
