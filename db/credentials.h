/* Credentials as every dialect shows and ends them (issue and resolve are app/auth.c's). Raw
 * tokens are only ever compared by their SHA-256. */
#ifndef NB_CREDENTIALS_H
#define NB_CREDENTIALS_H

#include <libpq-fe.h>

#include "app/request.h"

/* Columns of nb_credential_load, in CREDENTIAL_SHOW's order. Times are ISO 8601 UTC; the menu
 * is the JSON array of the tags of the user's group's roles. */
enum nb_credential_col {
    NB_CC_USER_ID,
    NB_CC_USER,
    NB_CC_GROUP,
    NB_CC_KIND,
    NB_CC_IDLE_TIMEOUT,
    NB_CC_EXPIRES,
    NB_CC_ISSUED,
    NB_CC_USER_UUID,
    NB_CC_MENU,
    NB_CC__MAX
};
/* The live credential token, when the caller may see it (its own; an administrator's: any):
 * 1 with *res its row, 0 when there is no such credential for the caller (the dialect words
 * that), -1 on a database error. */
int nb_credential_load(struct nb_req *r, const char *token, const PGresult **res);
/* Ends credential token of user_id (its id as text): 1 when it ended, 0 when user_id has no
 * such credential, -1 on a database error. */
int nb_credential_revoke(struct nb_req *r, const char *token, const char *user_id);

#endif
