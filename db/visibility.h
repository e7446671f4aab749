/* Resource visibility: which of its members' resources a user group shares among them. */
#ifndef NB_VISIBILITY_H
#define NB_VISIBILITY_H

#include <stdbool.h>

#include "app/request.h"

/* The kinds of resource a group may share, in GROUP_SET_VISIBILITY's order. */
enum nb_visibility {
    NB_VISIBILITY_INSTANCE,
    NB_VISIBILITY_MEDIA_IMAGE,
    NB_VISIBILITY_DISK_IMAGE,
    NB_VISIBILITY__MAX
};

/* What the caller's group shares; NB_E_CONFLICT "user <name> belongs to no user group" when the
 * caller is in none. */
int nb_visibility_get(struct nb_req *r, bool shared[NB_VISIBILITY__MAX]);
/* Changes what the caller's group shares: each of set is 1 (share), 0 (do not) or -1 (keep).
 * Fails as nb_visibility_get. */
int nb_visibility_set(struct nb_req *r, const int set[NB_VISIBILITY__MAX]);

#endif
