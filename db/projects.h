/* Projects and their applications (MODEL.md, migration 018): who sees a project, how an
 * application asks for a project or a change to one, and the states both move through, as
 * Synnefo Astakos has them. Every change is one transaction with its audit entry. */
#ifndef NB_PROJECTS_H
#define NB_PROJECTS_H

#include <json-c/json.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "app/request.h"

/* Columns of a project read, in the order of NB_PROJECT_COLUMNS (db/queries/projects.def).
 * Times are ISO 8601 text or NULL; RESOURCES and APP_RESOURCES are JSON objects of limits;
 * PRIVILEGED: the caller administers or owns the project; the APP_ columns are its last
 * application's, NULL when it has none. */
enum nb_project_col {
    NB_PC_ID,
    NB_PC_STATE,
    NB_PC_CREATED,
    NB_PC_NAME,
    NB_PC_OWNER,
    NB_PC_HOMEPAGE,
    NB_PC_DESCRIPTION,
    NB_PC_START,
    NB_PC_END,
    NB_PC_JOIN,
    NB_PC_LEAVE,
    NB_PC_MAX_MEMBERS,
    NB_PC_PRIVATE,
    NB_PC_BASE,
    NB_PC_RESOURCES,
    NB_PC_PRIVILEGED,
    NB_PC_DEACTIVATED,
    NB_PC_APP_ID,
    NB_PC_APP_STATE,
    NB_PC_APP_NAME,
    NB_PC_APP_OWNER,
    NB_PC_APP_APPLICANT,
    NB_PC_APP_HOMEPAGE,
    NB_PC_APP_DESCRIPTION,
    NB_PC_APP_START,
    NB_PC_APP_END,
    NB_PC_APP_COMMENTS,
    NB_PC_APP_JOIN,
    NB_PC_APP_LEAVE,
    NB_PC_APP_MAX_MEMBERS,
    NB_PC_APP_PRIVATE,
    NB_PC_APP_RESOURCES,
    NB_PC_CALLER_APPLIED,
    NB_PC__MAX
};

/* Project states, application states and membership policies, as the tables spell them. */
extern const char *const nb_project_states[];   /* NULL-terminated */
extern const char *const nb_project_policies[]; /* auto, moderated, closed; NULL-terminated */

/* The project id names, if the caller may see it: one row, or NULL with NB_E_NOT_FOUND.
 * id is a uuid with or without dashes. */
const PGresult *nb_project_load(struct nb_req *r, const char *id);
/* The same, the project's row locked until the transaction ends: every change to a project,
 * its applications or its memberships takes it first. */
const PGresult *nb_project_lock(struct nb_req *r, const char *id);

/* Which projects nb_project_list shows; NULL members do not filter. state must be one of
 * nb_project_states; member_only keeps the active projects the caller is an active member
 * of. Pages by uuid: after marker, at most limit rows (NULL: all). */
struct nb_project_filter {
    const char *state, *owner, *name;
    bool member_only;
    const char *marker, *limit;
};
/* The projects the caller may see; NB_E_INVALID for a state, owner or marker that cannot
 * name one. */
const PGresult *nb_project_list(struct nb_req *r, const struct nb_project_filter *f);

/* What an application asks for. NULL (or has_max_members false, private_ < 0, resources
 * NULL) leaves the project's value; a new project needs name and end_date. Dates are ISO
 * 8601; owner a user's uuid; resources a JSON object {"<resource>": {"project_capacity": n,
 * "member_capacity": n}}. */
struct nb_project_request {
    const char *name, *owner, *homepage, *description, *comments;
    const char *start_date, *end_date, *join_policy, *leave_policy;
    bool has_max_members;
    long long max_members;
    int private_;
    struct json_object *resources;
};
/* Applies for a new project (project_id NULL) or for a change to project_id, as Astakos's
 * submit_application: the application is pending and the project's last; a new project is
 * uninitialized until it is approved. Sets *project_id_out and *application_id_out. Fails
 * with NB_E_INVALID (bad input), NB_E_NOT_FOUND, NB_E_FORBIDDEN (neither owner nor
 * administrator) or NB_E_CONFLICT (the project is not initialized, or a system project's
 * owner, name, homepage or description). */
int nb_project_apply(struct nb_req *r, const char *project_id, const struct nb_project_request *q,
                     const char **project_id_out, const char **application_id_out);

/* What POST /projects/<id>/action may do: the first four on the project (administrators),
 * the rest on its last application. */
enum nb_project_action {
    NB_PROJECT_SUSPEND,
    NB_PROJECT_UNSUSPEND,
    NB_PROJECT_TERMINATE,
    NB_PROJECT_REINSTATE,
    NB_PROJECT_APPROVE,
    NB_PROJECT_DENY,
    NB_PROJECT_DISMISS,
    NB_PROJECT_CANCEL,
    NB_PROJECT_ACTION__MAX
};
extern const char *const nb_project_action_names[NB_PROJECT_ACTION__MAX];
/* Carries out action on project id; app_id (text of an integer, or NULL) must name the
 * project's last application for the application actions. A transition the state does not
 * allow, or another application, is NB_E_CONFLICT; an action the caller may not take
 * NB_E_FORBIDDEN. reason is kept with the application (may be NULL). */
int nb_project_act(struct nb_req *r, const char *id, enum nb_project_action action,
                   const char *app_id, const char *reason);

/* Columns of nb_project_expired: uuid, name, state, end date (ISO 8601). */
enum nb_expired_col { NB_XC_ID, NB_XC_NAME, NB_XC_STATE, NB_XC_END, NB_XC__MAX };
/* The projects whose end date has passed while they are still alive (active or suspended;
 * Astakos's expired_projects), oldest end date first; base projects, which are never
 * terminated, are left out. Reading does not change them: an expired project keeps its state
 * and its quotas until nb_project_terminate_expired ends it (`nimbusctl project
 * terminate-expired`, as Synnefo's `snf-manage project-control --terminate-expired`). */
const PGresult *nb_project_expired(struct nb_req *r);
/* Terminates project id because its end date has passed, by the path of the terminate action
 * (the caller must be an administrator), in one transaction with its audit entry. A project
 * whose end date is no longer past is NB_E_CONFLICT; one no longer alive too, as terminate. */
int nb_project_terminate_expired(struct nb_req *r, const char *id);

#endif
