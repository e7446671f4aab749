/* Project memberships: Astakos's membership checks (astakos/im/functions.py, *_checks) written
 * once, read both by the actions and by the allowed_actions every membership shows. Each change
 * locks the project row first, so a member limit is never overrun by two at once. */
#include "db/memberships.h"

#include <limits.h>
#include <string.h>

#include "app/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/projects.h"

const char *const nb_membership_action_names[NB_MEMBERSHIP_ACTION__MAX] = {
    [NB_MEMBERSHIP_LEAVE] = "leave",   [NB_MEMBERSHIP_CANCEL] = "cancel",
    [NB_MEMBERSHIP_ACCEPT] = "accept", [NB_MEMBERSHIP_REJECT] = "reject",
    [NB_MEMBERSHIP_REMOVE] = "remove",
};

#define NOT_ALLOWED "You do not have the permissions to perform this action."
#define NOT_REQUEST "This is not a valid membership request."
#define NOT_ACCEPTED "This is not an accepted membership."
#define JOIN_CLOSED "The Project's member join policy is closed."
#define LEAVE_CLOSED "The project's member leave policy is closed."
#define LIMIT_REACHED "You have reached the maximum number of members for this Project."

/* States that hold a place in the project (Astakos's ACCEPTED_STATES) and those that also
 * stand in the way of a new request (ASSOCIATED_STATES). */
static bool
holds_place(const char *state)
{
    return strcmp(state, "accepted") == 0 || strcmp(state, "leave_requested") == 0 ||
           strcmp(state, "suspended") == 0;
}

static bool
associated(const char *state)
{
    return strcmp(state, "requested") == 0 || holds_place(state);
}

static bool
alive(const char *project_state)
{
    return strcmp(project_state, "active") == 0 || strcmp(project_state, "suspended") == 0;
}

static enum nb_status
refuse(const char **why, const char *message, enum nb_status status)
{
    *why = message;
    return status;
}

/* Why the caller may not take action on row row of m: the status, and the message in *why;
 * NB_OK when it may. The checks come in Astakos's order, so each refusal is the one its
 * server gives. */
static enum nb_status
refusal(struct nb_req *r, const PGresult *m, int row, enum nb_membership_action action,
        const char **why)
{
    const char *state = nb_db_text(m, row, NB_MC_STATE);
    const char *pstate = nb_db_text(m, row, NB_MC_PROJECT_STATE);
    bool member = r->user.is_admin || nb_db_bool(m, row, NB_MC_CALLER_IS_MEMBER);
    bool owner = r->user.is_admin || nb_db_bool(m, row, NB_MC_CALLER_OWNS);
    bool requested = strcmp(state, "requested") == 0;

    *why = NULL;
    if (action == NB_MEMBERSHIP_LEAVE || action == NB_MEMBERSHIP_REMOVE) {
        if (!holds_place(state))
            return refuse(why, NOT_ACCEPTED, NB_E_CONFLICT);
    } else if (!requested) {
        return refuse(why, NOT_REQUEST, NB_E_CONFLICT);
    }
    if (action == NB_MEMBERSHIP_ACCEPT && !nb_db_bool(m, row, NB_MC_USER_ACTIVE))
        return refuse(why, "User account is not active.", NB_E_CONFLICT);
    if (!(action == NB_MEMBERSHIP_LEAVE || action == NB_MEMBERSHIP_CANCEL ? member : owner))
        return refuse(why, NOT_ALLOWED, NB_E_FORBIDDEN);
    if (!alive(pstate))
        return refuse(why,
                      nb_arena_printf(r->arena, "Project %s is not alive.",
                                      nb_db_text(m, row, NB_MC_PROJECT)),
                      NB_E_CONFLICT);
    if ((action == NB_MEMBERSHIP_LEAVE || action == NB_MEMBERSHIP_REMOVE) &&
        strcmp(nb_db_text(m, row, NB_MC_LEAVE), "closed") == 0)
        return refuse(why, LEAVE_CLOSED, NB_E_CONFLICT);
    if (action == NB_MEMBERSHIP_ACCEPT && strcmp(nb_db_text(m, row, NB_MC_JOIN), "closed") == 0)
        return refuse(why, JOIN_CLOSED, NB_E_CONFLICT);
    if (action == NB_MEMBERSHIP_ACCEPT &&
        nb_db_int(m, row, NB_MC_MEMBERS) >= nb_db_int(m, row, NB_MC_MAX_MEMBERS))
        return refuse(why, LIMIT_REACHED, NB_E_CONFLICT);
    return NB_OK;
}

bool
nb_membership_allows(struct nb_req *r, const PGresult *m, int row, enum nb_membership_action action)
{
    const char *why;

    return refusal(r, m, row, action, &why) == NB_OK;
}

/* A membership id is a positive integer; anything else names none. */
static bool
valid_id(const char *id)
{
    long long n;

    return nb_parse_int(id, 1, LLONG_MAX, &n) == 0;
}

const PGresult *
nb_membership_load(struct nb_req *r, const char *id)
{
    const PGresult *res = valid_id(id) ? nb_db_query_scoped(r, NB_Q_MEMBERSHIP_GET, id) : NULL;

    if (valid_id(id) && res == NULL)
        return NULL;
    if (res == NULL || PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, NOT_REQUEST);
        return NULL;
    }
    return res;
}

const PGresult *
nb_membership_list(struct nb_req *r, const char *project, const char *marker, const char *limit)
{
    const char *uuid = project != NULL ? nb_uuid_canonical(r, project) : NULL;
    long long n;

    if (project != NULL && uuid == NULL) {
        nb_fail_field(r, NB_E_INVALID, "project", "must be a project's uuid");
        return NULL;
    }
    if (marker != NULL && nb_parse_int(marker, 0, LLONG_MAX, &n) < 0) {
        nb_fail_field(r, NB_E_INVALID, "marker", "must be a membership id");
        return NULL;
    }
    if (limit != NULL && nb_parse_int(limit, 1, INT_MAX, &n) < 0) {
        nb_fail_field(r, NB_E_INVALID, "limit", "must be a positive integer");
        return NULL;
    }
    return nb_db_query_scoped(r, NB_Q_MEMBERSHIP_LIST, uuid, marker, limit);
}

int
nb_membership_act(struct nb_req *r, const char *id, enum nb_membership_action action,
                  const char *reason)
{
    static const char *const leaves[] = {
        [NB_MEMBERSHIP_LEAVE] = "removed",   [NB_MEMBERSHIP_CANCEL] = "cancelled",
        [NB_MEMBERSHIP_ACCEPT] = "accepted", [NB_MEMBERSHIP_REJECT] = "rejected",
        [NB_MEMBERSHIP_REMOVE] = "removed",
    };
    const PGresult *m;
    const char *why, *to = leaves[action];
    enum nb_status st;

    /* The project's lock first, so that what the checks read is what the change applies to. */
    if (nb_db_begin(r) < 0 ||
        (valid_id(id) && nb_db_query(r, NB_Q_MEMBERSHIP_LOCK_PROJECT, id) == NULL) ||
        (m = nb_membership_load(r, id)) == NULL)
        return -1;
    if ((st = refusal(r, m, 0, action, &why)) != NB_OK)
        return nb_fail(r, st, "%s", why);
    /* Leaving under a moderated policy only asks the owner (Astakos's leave_request). */
    if (action == NB_MEMBERSHIP_LEAVE && strcmp(nb_db_text(m, 0, NB_MC_LEAVE), "auto") != 0)
        to = "leave_requested";
    if (nb_db_query(r, NB_Q_MEMBERSHIP_SET_STATE, id, to) == NULL ||
        nb_audit(r, "%s %ss membership %s of %s in project %s%s%.200s: %s", r->user.name,
                 nb_membership_action_names[action], id, nb_db_text(m, 0, NB_MC_USER_NAME),
                 nb_db_text(m, 0, NB_MC_PROJECT), reason != NULL ? ", saying " : "",
                 reason != NULL ? reason : "", to) < 0)
        return -1;
    return nb_db_commit(r);
}

/* The open projects' checks of join and enroll: alive, not closed to joining. */
static int
check_open(struct nb_req *r, const PGresult *p)
{
    if (!alive(nb_db_text(p, 0, NB_PC_STATE)))
        return nb_fail(r, NB_E_CONFLICT, "Project %s is not alive.", nb_db_text(p, 0, NB_PC_ID));
    if (strcmp(nb_db_text(p, 0, NB_PC_JOIN), "closed") == 0)
        return nb_fail(r, NB_E_CONFLICT, JOIN_CLOSED);
    return 0;
}

/* Whether the project has room for one more member. */
static int
has_room(struct nb_req *r, const PGresult *p, bool *room)
{
    const PGresult *res =
        nb_db_query(r, NB_Q_MEMBERSHIP_ACCEPTED_COUNT, nb_db_text(p, 0, NB_PC_ID));

    if (res == NULL)
        return -1;
    *room = nb_db_int(res, 0, 0) < nb_db_int(p, 0, NB_PC_MAX_MEMBERS);
    return 0;
}

/* User user_id's membership of project p moves to state, or is made in it; refused with
 * conflict when its present state is one of those busy says stand in the way. */
static int
put_membership(struct nb_req *r, const PGresult *p, const char *user_id, const char *state,
               bool (*busy)(const char *), const char *busy_message, const char **id_out)
{
    const char *project = nb_db_text(p, 0, NB_PC_ID);
    const PGresult *res = nb_db_query(r, NB_Q_MEMBERSHIP_FIND, project, user_id);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0) {
        if ((res = nb_db_query(r, NB_Q_MEMBERSHIP_CREATE, project, user_id, state)) == NULL)
            return -1;
        *id_out = nb_db_text(res, 0, 0);
        return 0;
    }
    if (busy(nb_db_text(res, 0, 1)))
        return nb_fail(r, NB_E_CONFLICT, "%s", busy_message);
    *id_out = nb_db_text(res, 0, 0);
    return nb_db_query(r, NB_Q_MEMBERSHIP_SET_STATE, *id_out, state) != NULL ? 0 : -1;
}

int
nb_membership_join(struct nb_req *r, const char *project, const char **id_out)
{
    const PGresult *p;
    bool room = false;

    if (nb_db_begin(r) < 0 || (p = nb_project_lock(r, project)) == NULL || check_open(r, p) < 0 ||
        put_membership(r, p, r->user.id_text, "requested", associated,
                       "Request or membership already exists.", id_out) < 0)
        return -1;
    if (strcmp(nb_db_text(p, 0, NB_PC_JOIN), "auto") == 0 && has_room(r, p, &room) < 0)
        return -1;
    if (room && nb_db_query(r, NB_Q_MEMBERSHIP_SET_STATE, *id_out, "accepted") == NULL)
        return -1;
    if (nb_audit(r, "%s joins project %s: membership %s is %s", r->user.name,
                 nb_db_text(p, 0, NB_PC_ID), *id_out, room ? "accepted" : "requested") < 0)
        return -1;
    return nb_db_commit(r);
}

int
nb_membership_enroll(struct nb_req *r, const char *project, const char *user, const char **id_out)
{
    const PGresult *u, *p;
    bool room;

    if (nb_db_begin(r) < 0 || (u = nb_db_query(r, NB_Q_MEMBERSHIP_USER_BY_MAIL, user)) == NULL)
        return -1;
    if (PQntuples(u) == 0)
        return nb_fail(r, NB_E_CONFLICT, "Unknown users: %s", user);
    if ((p = nb_project_lock(r, project)) == NULL)
        return -1;
    if (!nb_db_bool(p, 0, NB_PC_PRIVILEGED))
        return nb_fail(r, NB_E_FORBIDDEN, NOT_ALLOWED);
    if (check_open(r, p) < 0 || has_room(r, p, &room) < 0)
        return -1;
    if (!room)
        return nb_fail(r, NB_E_CONFLICT, LIMIT_REACHED);
    if (put_membership(r, p, nb_db_text(u, 0, 0), "accepted", holds_place,
                       "Membership already exists.", id_out) < 0 ||
        nb_audit(r, "%s enrolls %s in project %s: membership %s is accepted", r->user.name, user,
                 nb_db_text(p, 0, NB_PC_ID), *id_out) < 0)
        return -1;
    return nb_db_commit(r);
}
