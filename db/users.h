/* Users as every dialect sees them: created and re-keyed here, shown by the dialects. */
#ifndef NB_USERS_H
#define NB_USERS_H

#include <libpq-fe.h>

#include "app/request.h"

/* Creates name (in no group) with an argon2id hash of password; mail is empty, NULL or
 * local@domain (NB_E_INVALID on field mail otherwise). -1 with the error. */
int nb_user_create(struct nb_req *r, const char *name, const char *password, const char *nick,
                   const char *mail);
/* Sets nick and mail (NULL: keep; mail checked as for create); NB_E_NOT_FOUND "user <name> not
 * found". */
int nb_user_modify(struct nb_req *r, const char *name, const char *nick, const char *mail);
/* Deletes name: never the caller, never the last administrator, never a user who still owns
 * guests (all NB_E_CONFLICT); NB_E_NOT_FOUND for an unknown user. */
int nb_user_remove(struct nb_req *r, const char *name);

/* Columns of nb_user_list and nb_group_members (db/groups.h): one name a row, by name. */
enum nb_user_name_col { NB_UNC_NAME, NB_UNC__MAX };
/* Every user, by name. NULL with the error recorded. */
const PGresult *nb_user_list(struct nb_req *r);

/* Columns of nb_user_load, in USER_GET's order. */
enum nb_user_col { NB_UC_NICK, NB_UC_MAIL, NB_UC_GROUP, NB_UC__MAX };
/* The user's profile (one row; group NULL when in none), or NULL with NB_E_NOT_FOUND "user
 * <name> not found" or a database error. */
const PGresult *nb_user_load(struct nb_req *r, const char *name);
/* Sets a new password and ends every credential of the user in every dialect but keep (the
 * raw credential of a user changing their own password; NULL or another user's: none is
 * kept), in one transaction (nested in the caller's, if any). NB_E_NOT_FOUND for an unknown
 * user. */
int nb_user_set_password(struct nb_req *r, const char *name, const char *password,
                         const char *keep);
/* Takes name out of its Nano group and ends all of its credentials, in one transaction (nested
 * in the caller's, if any); NB_E_NOT_FOUND when name is not a member of group. */
int nb_user_leave_group(struct nb_req *r, const char *group, const char *name);
/* Inside a transaction that may have taken the admin role from someone: refuses (conflict)
 * when no active administrator is left, so the caller rolls back. */
int nb_admin_remains(struct nb_req *r);
/* 0 when password is name's password; NB_E_INVALID (message) when not. */
int nb_user_check_password(struct nb_req *r, const char *name, const char *password,
                           const char *message);
/* The id and group id (NULL: none) of the user who will own what the caller creates: the
 * caller when owner is NULL or empty, else owner, whom only administrators may name
 * (NB_E_FORBIDDEN "only administrators create <what> for others"). */
int nb_user_owner(struct nb_req *r, const char *owner, const char *what, const char **owner_id,
                  const char **group_id);
/* 1 when the user exists, 0 when not, -1 on error. */
int nb_user_exists(struct nb_req *r, const char *name);

#endif
