/* Permissions: the route table's column, and the Nano menu tags roles grant. */
#ifndef NB_PERM_H
#define NB_PERM_H

#include <stdint.h>

#include "app/request.h"

/* The menu tag of a tag permission, NULL for the others. */
extern const char *const nb_perm_tag[NB_PERM__MAX];

/* The permission a menu tag grants, or -1 for an unknown tag. */
int nb_perm_from_tag(const char *tag);
/* The permission bits of a comma-separated tag list (as CREDENTIAL_RESOLVE returns it). */
uint32_t nb_perm_mask(const char *tags);
/* Records NB_E_FORBIDDEN unless r->user belongs to a user group; the Nano log-in and every
 * route of a dialect that needs_group say the same. */
int nb_perm_need_group(struct nb_req *r);
/* Whether r->user may use r->route; records NB_E_FORBIDDEN when not. */
int nb_authorise(struct nb_req *r);

#endif
