/* The one place that decides whether a caller may use a route. */
#include "app/perm.h"

#include <string.h>

const char *const nb_perm_tag[NB_PERM__MAX] = {
    [NB_PERM_DASHBOARD] = "dashboard",
    [NB_PERM_COMPUTE_POOL] = "compute_pool",
    [NB_PERM_ADDRESS_POOL] = "address_pool",
    [NB_PERM_STORAGE_POOL] = "storage_pool",
    [NB_PERM_INSTANCE] = "instance",
    [NB_PERM_DISK_IMAGE] = "disk_image",
    [NB_PERM_MEDIA_IMAGE] = "media_image",
    [NB_PERM_USERS] = "user",
    [NB_PERM_LOG] = "log",
    [NB_PERM_VISIBILITY] = "visibility",
    [NB_PERM_SECURITY_POLICY] = "security_policy",
    [NB_PERM_SYSTEM_TEMPLATE] = "system_template",
    [NB_PERM_IMAGE_SERVER] = "image_server",
};

int
nb_perm_from_tag(const char *tag)
{
    for (int p = 0; p < NB_PERM__MAX; p++)
        if (nb_perm_tag[p] != NULL && strcmp(nb_perm_tag[p], tag) == 0)
            return p;
    return -1;
}

uint32_t
nb_perm_mask(const char *tags)
{
    uint32_t mask = 0;

    while (tags != NULL && *tags != '\0') {
        size_t n = strcspn(tags, ",");

        for (int p = 0; p < NB_PERM__MAX; p++)
            if (nb_perm_tag[p] != NULL && strlen(nb_perm_tag[p]) == n &&
                strncmp(nb_perm_tag[p], tags, n) == 0)
                mask |= 1u << p;
        tags += n + (tags[n] == ',');
    }
    return mask;
}

int
nb_perm_need_group(struct nb_req *r)
{
    if (r->user.group == NULL)
        return nb_fail_reason(r, NB_E_FORBIDDEN, NB_R_NO_GROUP, NULL, .id = r->user.name);
    return 0;
}

int
nb_authorise(struct nb_req *r)
{
    enum nb_perm p = r->route->perm;

    if (p == NB_PERM_PUBLIC)
        return 0;
    /* A credential from a dialect without groups must not open one that has them. */
    if (r->dialect->needs_group && nb_perm_need_group(r) < 0)
        return -1;
    if (p == NB_PERM_USER || r->user.is_admin)
        return 0;
    if (p == NB_PERM_SELF) {
        if (r->capture[0] != NULL && strcmp(r->capture[0], r->user.name) == 0)
            return 0;
        p = NB_PERM_USERS;
    }
    if (nb_perm_tag[p] != NULL && (r->user.perms & (1u << p)))
        return 0;
    return nb_fail_reason(r, NB_E_FORBIDDEN, NB_R_FORBIDDEN, NULL);
}
