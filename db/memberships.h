/* Project memberships (MODEL.md, migration 018): joining, enrolling, leaving and the
 * project owner's answers, under the project's join and leave policies and its member limit,
 * as Synnefo Astakos has them. Every change is one transaction with its audit entry. */
#ifndef NB_MEMBERSHIPS_H
#define NB_MEMBERSHIPS_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "app/request.h"

/* Columns of a membership read, in the order of NB_MEMBERSHIP_COLUMNS
 * (db/queries/projects.def). DATES is a JSON object: each state the membership has been in
 * and when it last entered it. */
enum nb_membership_col {
    NB_MC_ID,
    NB_MC_USER,
    NB_MC_PROJECT,
    NB_MC_STATE,
    NB_MC_DATES,
    NB_MC_PROJECT_STATE,
    NB_MC_JOIN,
    NB_MC_LEAVE,
    NB_MC_MAX_MEMBERS,
    NB_MC_MEMBERS,
    NB_MC_USER_ACTIVE,
    NB_MC_CALLER_IS_MEMBER,
    NB_MC_CALLER_OWNS,
    NB_MC_USER_NAME,
    NB_MC__MAX
};

/* The membership id names, if the caller may see it (administrators, the project's owner,
 * the member): one row, or NULL with NB_E_NOT_FOUND. */
const PGresult *nb_membership_load(struct nb_req *r, const char *id);
/* The memberships the caller may see, of project (a uuid; NULL: all); pages by id: after
 * marker, at most limit (NULL: all). NB_E_INVALID for values that cannot be those. */
const PGresult *nb_membership_list(struct nb_req *r, const char *project, const char *marker,
                                   const char *limit);

/* What POST /projects/memberships/<id>/action may do. */
enum nb_membership_action {
    NB_MEMBERSHIP_LEAVE,
    NB_MEMBERSHIP_CANCEL,
    NB_MEMBERSHIP_ACCEPT,
    NB_MEMBERSHIP_REJECT,
    NB_MEMBERSHIP_REMOVE,
    NB_MEMBERSHIP_ACTION__MAX
};
extern const char *const nb_membership_action_names[NB_MEMBERSHIP_ACTION__MAX];

/* Whether the caller may take action on row row of a membership read (its allowed_actions). */
bool nb_membership_allows(struct nb_req *r, const PGresult *m, int row,
                          enum nb_membership_action action);
/* Takes action on membership id: leave (the member; removed at once under an auto leave
 * policy, else leave_requested), cancel (the member's request), accept, reject and remove
 * (the owner or an administrator). A transition the states or policies do not allow is
 * NB_E_CONFLICT, an action not the caller's NB_E_FORBIDDEN. reason may be NULL. */
int nb_membership_act(struct nb_req *r, const char *id, enum nb_membership_action action,
                      const char *reason);
/* The caller asks to join project: requested, accepted at once under an auto join policy
 * while there is room. Sets *id_out to the membership's id. */
int nb_membership_join(struct nb_req *r, const char *project, const char **id_out);
/* The project's owner or an administrator makes user (an e-mail address or a user name) an
 * accepted member of project. Sets *id_out. */
int nb_membership_enroll(struct nb_req *r, const char *project, const char *user,
                         const char **id_out);

#endif
