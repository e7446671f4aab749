/* Roles: named sets of menu tags, granted to the members of the groups that hold them. The
 * tags are stored and shown as given; what a tag grants is the dialect's table to say. */
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

/* Checks a NULL-terminated list of tags: none may be empty or hold a comma (NB_E_INVALID), as
 * a group's tags are kept joined by commas for the credential check (migration 008). */
int nb_role_check_menu(struct nb_req *r, const char *const *menu);
/* Creates role name with the NULL-terminated list of tags (duplicates kept once), checked as
 * nb_role_check_menu does. */
int nb_role_create(struct nb_req *r, const char *name, const char *const *menu);
/* Replaces the tags of role name, checked as nb_role_check_menu does; NB_E_NOT_FOUND for an
 * unknown role. */
int nb_role_modify(struct nb_req *r, const char *name, const char *const *menu);
/* Deletes a role no group holds; never the built-in admin role (both NB_E_CONFLICT);
 * NB_E_NOT_FOUND for an unknown role. */
int nb_role_remove(struct nb_req *r, const char *name);

#endif
