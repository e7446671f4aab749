/* Permissions: the capability a route demands, and the capabilities a caller's roles grant. */
#ifndef NB_PERM_H
#define NB_PERM_H

#include <stdint.h>

#include "app/request.h"

/* The capabilities the roles of a comma-separated list (as CREDENTIAL_RESOLVE returns it)
 * grant under map (a dialect's role table); names map does not list grant nothing, and a NULL
 * map or list grants nothing. */
uint32_t nb_cap_mask(const struct nb_role_cap *map, const char *roles);
/* Whether map lists role. */
bool nb_role_known(const struct nb_role_cap *map, const char *role);
/* Whether a caller may use a route that demands cap: PUBLIC and USER admit everyone (the
 * credential is checked before), administrators pass every check, SELF admits the user named
 * self_name and otherwise demands NB_CAP_MANAGE_USERS, the rest demand their bit in caps.
 * user_name and self_name may be NULL. */
bool nb_cap_allows(enum nb_cap cap, bool is_admin, uint32_t caps, const char *user_name,
                   const char *self_name);
/* Records NB_E_FORBIDDEN unless r->user belongs to a user group; the Nano log-in and every
 * route of a dialect that needs_group say the same. */
int nb_perm_need_group(struct nb_req *r);
/* Whether r->user may use r->route; records NB_E_FORBIDDEN when not. */
int nb_authorise(struct nb_req *r);

#endif
