/* Roles: named sets of menu tags, granted to the members of the groups that hold them. The
 * tags are stored as given; which tags exist is the dialect's to check. */
#ifndef NB_ROLES_H
#define NB_ROLES_H

#include <libpq-fe.h>

#include "app/request.h"

/* Columns of nb_role_list, in ROLE_LIST's order. */
enum nb_role_list_col { NB_RLC_NAME, NB_RLC__MAX };
/* Every role, by name; NULL with the error recorded. */
const PGresult *nb_role_list(struct nb_req *r);

/* Columns of nb_role_load, in ROLE_GET's order: the menu as a JSON array of tags. */
enum nb_role_col { NB_RC_MENU, NB_RC__MAX };
/* The role (one row), or NULL with NB_E_NOT_FOUND "role <name> not found" or a database
 * error. */
const PGresult *nb_role_load(struct nb_req *r, const char *name);

/* Creates role name with the NULL-terminated list of tags (duplicates kept once). */
int nb_role_create(struct nb_req *r, const char *name, const char *const *menu);
/* Replaces the tags of role name; NB_E_NOT_FOUND for an unknown role. */
int nb_role_modify(struct nb_req *r, const char *name, const char *const *menu);
/* Deletes a role no group holds; never the built-in admin role (both NB_E_CONFLICT);
 * NB_E_NOT_FOUND for an unknown role. */
int nb_role_remove(struct nb_req *r, const char *name);

#endif
