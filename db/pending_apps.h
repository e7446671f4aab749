/* The limit on pending project applications (Synnefo's astakos.pending_app, migration 024):
 * each user's base project grants a number of applications that may wait for an answer at
 * once; every pending application of the user's uses one of them. */
#ifndef NB_PENDING_APPS_H
#define NB_PENDING_APPS_H

#include "app/request.h"

/* In the caller's transaction, before the application is written: the caller files a new
 * application for project (NULL: a new project), which replaces project's pending ones; their
 * applicants get theirs back (Synnefo's qh_add_pending_app). Over the caller's limit is
 * NB_E_CONFLICT "You have reached the maximum number of pending project applications: N."
 * and the caller must roll back; administrators may go over (Astakos's force for project
 * admins). project is a canonical uuid. */
int nb_pending_app_charge(struct nb_req *r, const char *project);

/* In the caller's transaction, before project's pending application is answered (approved,
 * denied or cancelled): its applicant gets the application back (qh_release_pending_app). */
int nb_pending_app_release(struct nb_req *r, const char *project);

#endif
