/* Resource visibility: flags on the caller's user group; the caller owns the audit entry. */
#include "db/visibility.h"

#include "db/db.h"
#include "db/groups.h"

/* Where each flag is in the group row. */
static const enum nb_group_col column[NB_VISIBILITY__MAX] = {
    [NB_VISIBILITY_INSTANCE] = NB_GRC_INSTANCE_VISIBLE,
    [NB_VISIBILITY_MEDIA_IMAGE] = NB_GRC_MEDIA_IMAGE_VISIBLE,
    [NB_VISIBILITY_DISK_IMAGE] = NB_GRC_DISK_IMAGE_VISIBLE,
};

int
nb_visibility_get(struct nb_req *r, bool shared[NB_VISIBILITY__MAX])
{
    const PGresult *res;

    if (r->user.group == NULL)
        return nb_fail(r, NB_E_CONFLICT, "user %s belongs to no user group", r->user.name);
    if ((res = nb_group_load(r, r->user.group)) == NULL)
        return -1;
    for (int i = 0; i < NB_VISIBILITY__MAX; i++)
        shared[i] = nb_db_bool(res, 0, column[i]);
    return 0;
}

int
nb_visibility_set(struct nb_req *r, const int set[NB_VISIBILITY__MAX])
{
    bool shared[NB_VISIBILITY__MAX];
    const char *v[NB_VISIBILITY__MAX];

    if (nb_visibility_get(r, shared) < 0)
        return -1;
    for (int i = 0; i < NB_VISIBILITY__MAX; i++)
        v[i] = (set[i] < 0 ? shared[i] : set[i] > 0) ? "true" : "false";
    return nb_db_query(r, NB_Q_GROUP_SET_VISIBILITY, r->user.group, v[NB_VISIBILITY_INSTANCE],
                       v[NB_VISIBILITY_MEDIA_IMAGE], v[NB_VISIBILITY_DISK_IMAGE]) != NULL
               ? 0
               : -1;
}
