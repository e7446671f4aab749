/* User groups as every dialect sees them: a display name, the roles their members get, the
 * members (a user is in at most one group), and who may change which. */
#ifndef NB_GROUPS_H
#define NB_GROUPS_H

#include <libpq-fe.h>

#include "app/request.h"

/* Columns of nb_group_list, in GROUP_LIST's order. */
enum nb_group_list_col { NB_GLC_NAME, NB_GLC_DISPLAY, NB_GLC_MEMBERS, NB_GLC__MAX };
/* Every group by name with its member count; NULL with the error recorded. */
const PGresult *nb_group_list(struct nb_req *r);

/* Columns of nb_group_load, in GROUP_GET's order; roles and members are JSON arrays of names. */
enum nb_group_col {
    NB_GRC_NAME,
    NB_GRC_DISPLAY,
    NB_GRC_ROLES,
    NB_GRC_MEMBERS,
    NB_GRC_ID,
    NB_GRC_INSTANCE_VISIBLE,
    NB_GRC_MEDIA_IMAGE_VISIBLE,
    NB_GRC_DISK_IMAGE_VISIBLE,
    NB_GRC__MAX
};
/* The group (one row), or NULL with NB_E_NOT_FOUND "group <name> not found" or a database
 * error. */
const PGresult *nb_group_load(struct nb_req *r, const char *name);
/* The group's members by name (columns: enum nb_user_name_col, db/users.h); NB_E_NOT_FOUND
 * for an unknown group. */
const PGresult *nb_group_members(struct nb_req *r, const char *name);

/* What a create or modify sets. display NULL: keep (create: empty). roles NULL: keep (create:
 * none); else the NULL-terminated list of role names the group holds from now on. */
struct nb_group_change {
    const char *display;
    const char *const *roles;
};
/* Creates group name. Roles must exist (NB_E_INVALID "role <x> not found"); only
 * administrators grant the admin role (NB_E_FORBIDDEN); taking the admin role from the last
 * administrator is refused (NB_E_CONFLICT). Runs in the caller's transaction. */
int nb_group_create(struct nb_req *r, const char *name, const struct nb_group_change *c);
/* Changes group name as nb_group_create's rules allow; NB_E_NOT_FOUND for an unknown group. */
int nb_group_modify(struct nb_req *r, const char *name, const struct nb_group_change *c);
/* Deletes an empty group: NB_E_NOT_FOUND when unknown, NB_E_CONFLICT while it has members. */
int nb_group_remove(struct nb_req *r, const char *name);

/* Puts user, who is in no group, into group. Only administrators add members to a group that
 * holds the admin role (NB_E_FORBIDDEN); NB_E_NOT_FOUND for an unknown group or user;
 * NB_E_CONFLICT when the user already is in this or another group. */
int nb_group_member_add(struct nb_req *r, const char *group, const char *user);
/* Takes user out of group and ends the user's credentials; never the last administrator
 * (NB_E_CONFLICT). One transaction (nested in the caller's, if any). */
int nb_group_member_remove(struct nb_req *r, const char *group, const char *user);

#endif
