/* The one place that decides whether a caller may use a route. It knows capabilities only:
 * which role names grant them is each dialect's table (struct nb_dialect's roles). */
#include "app/perm.h"

#include <string.h>

uint32_t
nb_cap_mask(const struct nb_role_cap *map, const char *roles)
{
    uint32_t mask = 0;

    while (map != NULL && roles != NULL && *roles != '\0') {
        size_t n = strcspn(roles, ",");

        for (const struct nb_role_cap *m = map; m->role != NULL; m++)
            if (strlen(m->role) == n && strncmp(m->role, roles, n) == 0)
                mask |= 1u << m->cap;
        roles += n + (roles[n] == ',');
    }
    return mask;
}

bool
nb_role_known(const struct nb_role_cap *map, const char *role)
{
    for (const struct nb_role_cap *m = map; m != NULL && m->role != NULL; m++)
        if (strcmp(m->role, role) == 0)
            return true;
    return false;
}

bool
nb_cap_allows(enum nb_cap cap, bool is_admin, uint32_t caps, const char *user_name,
              const char *self_name)
{
    if (cap == NB_CAP_PUBLIC || cap == NB_CAP_USER || is_admin)
        return true;
    if (cap == NB_CAP_SELF) {
        if (self_name != NULL && user_name != NULL && strcmp(self_name, user_name) == 0)
            return true;
        cap = NB_CAP_MANAGE_USERS;
    }
    /* NB_CAP_ADMIN is granted by no role: only the admin flag passes it. */
    return cap > NB_CAP_ADMIN && cap < NB_CAP__MAX && (caps & (1u << cap)) != 0;
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
    enum nb_cap cap = r->route->perm;

    if (cap == NB_CAP_PUBLIC || cap == NB_CAP_SERVICE) /* a service's token is its permission */
        return 0;
    /* A credential from a dialect without groups must not open one that has them. */
    if (r->dialect->needs_group && nb_perm_need_group(r) < 0)
        return -1;
    if (nb_cap_allows(cap, r->user.is_admin, r->user.caps, r->user.name, r->capture[0]))
        return 0;
    return nb_fail_reason(r, NB_E_FORBIDDEN, NB_R_FORBIDDEN, NULL);
}
