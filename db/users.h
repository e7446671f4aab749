/* Users as every dialect sees them: created and re-keyed here, shown by the dialects. */
#ifndef NB_USERS_H
#define NB_USERS_H

#include "app/request.h"

/* Creates name with an argon2id hash of password in group (NULL: none); -1 with the error. */
int nb_user_create(struct nb_req *r, const char *name, const char *password, const char *group);
/* Sets a new password; NB_E_NOT_FOUND for an unknown user. */
int nb_user_set_password(struct nb_req *r, const char *name, const char *password);
/* 1 when the user exists, 0 when not, -1 on error. */
int nb_user_exists(struct nb_req *r, const char *name);

#endif
