/* Projects and their applications: the rules of Synnefo Astakos (astakos/im/functions.py)
 * for who may apply, approve and act, and which states each action leaves, written once for
 * every dialect. Each change locks the project row, checks, writes and audits in one
 * transaction. */
#include "db/projects.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "app/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/pending_apps.h"

const char *const nb_project_states[] = {"uninitialized", "active",  "suspended",
                                         "terminated",    "deleted", NULL};
const char *const nb_project_policies[] = {"auto", "moderated", "closed", NULL};
const char *const nb_project_action_names[NB_PROJECT_ACTION__MAX] = {
    [NB_PROJECT_SUSPEND] = "suspend",     [NB_PROJECT_UNSUSPEND] = "unsuspend",
    [NB_PROJECT_TERMINATE] = "terminate", [NB_PROJECT_REINSTATE] = "reinstate",
    [NB_PROJECT_APPROVE] = "approve",     [NB_PROJECT_DENY] = "deny",
    [NB_PROJECT_DISMISS] = "dismiss",     [NB_PROJECT_CANCEL] = "cancel",
};

/* Astakos's limits on what an application says. */
#define NAME_MAX_LEN 80
#define HOMEPAGE_MAX_LEN 255
#define TEXT_MAX_LEN 4096

/* Astakos's words for two refusals too long for one line where they are made. */
#define BELOW_MEMBER_LIMIT "Project quota limit is less than member limit for resource '%s'"
#define SYSTEM_PROJECT_FIELDS                                                                      \
    "Cannot modify fields 'owner', 'name', 'homepage', and 'description' of a system project."

/* The project id names, by query q (PROJECT_GET or PROJECT_GET_FOR_UPDATE), if the caller
 * may see it. */
static const PGresult *
load(struct nb_req *r, const char *id, enum nb_query q)
{
    const char *uuid = nb_uuid_canonical(r, id);
    const PGresult *res = uuid != NULL ? nb_db_query_scoped(r, q, uuid) : NULL;

    if (uuid != NULL && res == NULL)
        return NULL;
    if (res == NULL || PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "There is no project identified by %s.", id);
        return NULL;
    }
    return res;
}

const PGresult *
nb_project_load(struct nb_req *r, const char *id)
{
    return load(r, id, NB_Q_PROJECT_GET);
}

const PGresult *
nb_project_lock(struct nb_req *r, const char *id)
{
    return load(r, id, NB_Q_PROJECT_GET_FOR_UPDATE);
}

const PGresult *
nb_project_list(struct nb_req *r, const struct nb_project_filter *f)
{
    const char *owner = NULL, *marker = NULL;
    long long limit;

    if (f->state != NULL && nb_check_enum(r, "state", f->state, nb_project_states) < 0)
        return NULL;
    if (f->owner != NULL && (owner = nb_uuid_canonical(r, f->owner)) == NULL) {
        nb_fail_field(r, NB_E_INVALID, "owner", "must be a user's uuid");
        return NULL;
    }
    if (f->marker != NULL && (marker = nb_uuid_canonical(r, f->marker)) == NULL) {
        nb_fail_field(r, NB_E_INVALID, "marker", "must be a project's uuid");
        return NULL;
    }
    if (f->limit != NULL && nb_parse_int(f->limit, 1, INT_MAX, &limit) < 0) {
        nb_fail_field(r, NB_E_INVALID, "limit", "must be a positive integer");
        return NULL;
    }
    return nb_db_query_scoped(r, NB_Q_PROJECT_LIST, f->state, owner, f->name,
                              f->member_only ? "t" : "f", marker, f->limit);
}

/* Astakos's project names are domain names: dot-separated labels of letters, digits and
 * inner hyphens, the last 2-6 letters. */
static bool
domain_name(const char *name)
{
    const char *label = name, *dot;
    int labels = 0;

    while ((dot = strchr(label, '.')) != NULL) {
        size_t n = (size_t)(dot - label);

        if (n == 0 || n > 63 || label[0] == '-' || dot[-1] == '-' ||
            strspn(label, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") < n)
            return false;
        labels++;
        label = dot + 1;
    }
    size_t tld = strlen(label);
    return labels > 0 && tld >= 2 && tld <= 6 &&
           strspn(label, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == tld;
}

/* n digits at *p forming a number in [lo, hi]; advances *p. */
static bool
digits(const char **p, int n, int lo, int hi)
{
    int v = 0;

    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return false;
        v = v * 10 + (**p - '0');
    }
    return v >= lo && v <= hi;
}

/* The time of day of an ISO 8601 date: HH:MM[:SS[.fraction]]; advances *p. */
static bool
iso_time(const char **p)
{
    if (!digits(p, 2, 0, 23) || *(*p)++ != ':' || !digits(p, 2, 0, 59))
        return false;
    if (**p != ':')
        return true;
    (*p)++;
    if (!digits(p, 2, 0, 59))
        return false;
    if (**p == '.' && isdigit((unsigned char)(*p)[1]))
        for ((*p)++; isdigit((unsigned char)**p); (*p)++)
            ;
    return true;
}

/* The zone of an ISO 8601 time: nothing, Z or (+|-)HH[[:]MM]; the rest of the text. */
static bool
iso_zone(const char *s)
{
    if (*s == 'Z')
        return s[1] == '\0';
    if (*s != '+' && *s != '-')
        return *s == '\0';
    s++;
    if (!digits(&s, 2, 0, 23))
        return false;
    if (*s == ':')
        s++;
    return *s == '\0' || (digits(&s, 2, 0, 59) && *s == '\0');
}

/* An ISO 8601 date or date and time: YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]][zone]]. */
static bool
iso_date(const char *s)
{
    if (!digits(&s, 4, 1, 9999) || *s++ != '-' || !digits(&s, 2, 1, 12) || *s++ != '-' ||
        !digits(&s, 2, 1, 31))
        return false;
    if (*s == '\0')
        return true;
    if (*s != 'T' && *s != ' ')
        return false;
    s++;
    return iso_time(&s) && iso_zone(s);
}

static int
check_date(struct nb_req *r, const char *field, const char *date, bool future)
{
    const PGresult *res;

    if (date == NULL)
        return 0;
    if (!iso_date(date))
        return nb_fail_field(r, NB_E_INVALID, field, "Invalid %s", field);
    if (!future)
        return 0;
    if ((res = nb_db_query(r, NB_Q_PROJECT_DATE_FUTURE, date)) == NULL)
        return -1;
    if (!nb_db_bool(res, 0, 0))
        return nb_fail_field(r, NB_E_INVALID, field, "'%s' must be in the future", field);
    return 0;
}

static int
check_length(struct nb_req *r, const char *field, const char *value, size_t max)
{
    if (value != NULL && strlen(value) > max)
        return nb_fail_field(r, NB_E_INVALID, field, "'%s' value exceeds max length %zu", field,
                             max);
    return 0;
}

/* Each limit an object {"project_capacity": n, "member_capacity": n}, 0 <= member <= project,
 * of a resource the caller may ask for (Astakos's validate_resource_policies). */
static int
check_resources(struct nb_req *r, struct json_object *resources)
{
    const PGresult *res;

    if (resources == NULL)
        return 0;
    json_object_object_foreach(resources, name, spec)
    {
        struct json_object *p = nb_json_get(spec, "project_capacity");
        struct json_object *m = nb_json_get(spec, "member_capacity");

        if (!json_object_is_type(spec, json_type_object) || json_object_object_length(spec) != 2 ||
            !json_object_is_type(p, json_type_int) || !json_object_is_type(m, json_type_int))
            return nb_fail_field(r, NB_E_INVALID, "resources", "Malformed resource policies");
        if (json_object_get_int64(p) < 0 || json_object_get_int64(m) < 0)
            return nb_fail_field(r, NB_E_INVALID, "resources",
                                 "Negative quota limit is not allowed");
        if (json_object_get_int64(p) == INT64_MAX || json_object_get_int64(m) == INT64_MAX)
            return nb_fail_field(r, NB_E_INVALID, "resources",
                                 "Quota limit exceeds max value 9223372036854775806");
        if (json_object_get_int64(p) < json_object_get_int64(m))
            return nb_fail_field(r, NB_E_INVALID, "resources", BELOW_MEMBER_LIMIT, name);
    }
    res = nb_db_query(r, NB_Q_PROJECT_FIRST_UNKNOWN_RESOURCE,
                      json_object_to_json_string_ext(resources, JSON_C_TO_STRING_PLAIN),
                      r->user.is_admin ? "t" : "f");
    if (res == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail_field(r, NB_E_INVALID, "resources", "Unknown resource %s",
                             nb_db_text(res, 0, 0));
    return 0;
}

/* The owner an application names, as a user id; NULL owner: none named. */
static int
owner_id(struct nb_req *r, const char *owner, const char **id)
{
    const char *uuid = nb_uuid_canonical(r, owner);
    const PGresult *res;

    *id = NULL;
    if (owner == NULL)
        return 0;
    if (uuid == NULL)
        return nb_fail_field(r, NB_E_INVALID, "owner", "User does not exist.");
    if ((res = nb_db_query(r, NB_Q_PROJECT_OWNER_ID, uuid)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail_field(r, NB_E_INVALID, "owner", "User does not exist.");
    *id = nb_db_text(res, 0, 0);
    return 0;
}

/* Everything Astakos checks of an application's fields, before anything is written. */
static int
check_request(struct nb_req *r, const struct nb_project_request *q)
{
    if (q->name != NULL && (check_length(r, "name", q->name, NAME_MAX_LEN) < 0))
        return -1;
    if (q->name != NULL && !domain_name(q->name))
        return nb_fail_field(r, NB_E_INVALID, "name", "Project name should be in domain format");
    if (q->join_policy != NULL &&
        nb_check_enum(r, "join_policy", q->join_policy, nb_project_policies) < 0)
        return -1;
    if (q->leave_policy != NULL &&
        nb_check_enum(r, "leave_policy", q->leave_policy, nb_project_policies) < 0)
        return -1;
    if (check_length(r, "homepage", q->homepage, HOMEPAGE_MAX_LEN) < 0 ||
        check_length(r, "description", q->description, TEXT_MAX_LEN) < 0 ||
        check_length(r, "comments", q->comments, TEXT_MAX_LEN) < 0)
        return -1;
    if (q->has_max_members && q->max_members < 0)
        return nb_fail_field(r, NB_E_INVALID, "max_members", "max_members out of range");
    if (check_date(r, "start_date", q->start_date, false) < 0 ||
        check_date(r, "end_date", q->end_date, true) < 0)
        return -1;
    return check_resources(r, q->resources);
}

/* A modification may come from the owner or an administrator, for an initialized project; a
 * system project keeps its owner, name, homepage and description. */
static int
check_modification(struct nb_req *r, const PGresult *p, const struct nb_project_request *q)
{
    const char *state = nb_db_text(p, 0, NB_PC_STATE);

    if (!nb_db_bool(p, 0, NB_PC_PRIVILEGED))
        return nb_fail(r, NB_E_FORBIDDEN,
                       "You do not have the permissions to perform this action.");
    if (strcmp(state, "uninitialized") == 0 || strcmp(state, "deleted") == 0)
        return nb_fail(r, NB_E_CONFLICT, "Cannot modify an uninitialized project.");
    if (nb_db_bool(p, 0, NB_PC_BASE) &&
        (q->owner != NULL || q->name != NULL || q->homepage != NULL || q->description != NULL))
        return nb_fail(r, NB_E_CONFLICT, SYSTEM_PROJECT_FIELDS);
    return 0;
}

/* Writes a checked application (and, for a new project, the project) and audits it. */
static int
write_application(struct nb_req *r, const char *project, const char *owner,
                  const struct nb_project_request *q, const char **app_out)
{
    const char *grants = q->resources != NULL
                             ? json_object_to_json_string_ext(q->resources, JSON_C_TO_STRING_PLAIN)
                             : NULL;
    const char *max = q->has_max_members ? nb_arena_printf(r->arena, "%lld", q->max_members) : NULL;
    const char *priv = q->private_ < 0 ? NULL : q->private_ ? "t" : "f";
    const PGresult *res;

    res = nb_db_query(r, NB_Q_PROJECT_APPLY, project, r->user.id_text, q->name, owner, q->homepage,
                      q->description, q->start_date, q->end_date, q->join_policy, q->leave_policy,
                      max, priv, q->comments);
    if (res == NULL)
        return -1;
    *app_out = nb_db_text(res, 0, 0);
    if (grants != NULL && nb_db_query(r, NB_Q_PROJECT_APPLY_GRANTS, *app_out, grants) == NULL)
        return -1;
    return 0;
}

/* The project a first application asks for, uninitialized; its uuid, or NULL with the error.
 * owner is the owner's user id. */
static const char *
create_project(struct nb_req *r, const struct nb_project_request *q, const char *owner)
{
    const char *max = q->has_max_members ? nb_arena_printf(r->arena, "%lld", q->max_members)
                                         : "9223372036854775807";
    const PGresult *res = nb_db_query(
        r, NB_Q_PROJECT_CREATE, q->name, owner, q->homepage != NULL ? q->homepage : "",
        q->description != NULL ? q->description : "", q->start_date, q->end_date,
        q->join_policy != NULL ? q->join_policy : "moderated",
        q->leave_policy != NULL ? q->leave_policy : "auto", max, q->private_ > 0 ? "t" : "f");

    return res != NULL ? nb_db_text(res, 0, 0) : NULL;
}

/* The project an application is for, locked and checked (a change), or NULL (a new one). */
static int
application_target(struct nb_req *r, const char *project_id, const struct nb_project_request *q,
                   const char **project)
{
    const PGresult *p;

    *project = NULL;
    if (project_id == NULL && q->name == NULL)
        return nb_fail_field(r, NB_E_INVALID, "name", "Name missing.");
    if (project_id == NULL && q->end_date == NULL)
        return nb_fail_field(r, NB_E_INVALID, "end_date", "Missing end date");
    if (project_id == NULL)
        return 0;
    if ((p = nb_project_lock(r, project_id)) == NULL || check_modification(r, p, q) < 0)
        return -1;
    *project = nb_db_text(p, 0, NB_PC_ID);
    return 0;
}

int
nb_project_apply(struct nb_req *r, const char *project_id, const struct nb_project_request *q,
                 const char **project_id_out, const char **application_id_out)
{
    const char *owner, *project;

    if (nb_db_begin(r) < 0 || application_target(r, project_id, q, &project) < 0 ||
        check_request(r, q) < 0 || owner_id(r, q->owner, &owner) < 0 ||
        nb_pending_app_charge(r, project) < 0)
        return -1;
    if (project == NULL) {
        /* A new project's first application names all it is, owner too, so that approving
         * it applies it all. */
        if (owner == NULL)
            owner = r->user.id_text;
        if ((project = create_project(r, q, owner)) == NULL)
            return -1;
    }
    if (write_application(r, project, owner, q, application_id_out) < 0 ||
        (project_id == NULL &&
         nb_db_query(r, NB_Q_PROJECT_SET_GRANTS, project, *application_id_out) == NULL))
        return -1;
    if (nb_audit(r, "%s applies for %s project %s (application %s)", r->user.name,
                 project_id == NULL ? "new" : "a change of", project, *application_id_out) < 0 ||
        nb_db_commit(r) < 0)
        return -1;
    *project_id_out = project;
    return 0;
}

/* Astakos's checks of the four project actions (validate_project_action): administrators
 * only; suspend and terminate need a live project (active or suspended), unsuspend a
 * suspended and reinstate a terminated one; a system project is never terminated. The state
 * the action leaves, or NULL with the error. */
static const char *
project_transition(struct nb_req *r, const PGresult *p, enum nb_project_action action)
{
    const char *id = nb_db_text(p, 0, NB_PC_ID), *state = nb_db_text(p, 0, NB_PC_STATE);
    bool alive = strcmp(state, "active") == 0 || strcmp(state, "suspended") == 0;

    if (!r->user.is_admin) {
        nb_fail(r, NB_E_FORBIDDEN, "You do not have the permissions to perform this action.");
        return NULL;
    }
    switch (action) {
    case NB_PROJECT_SUSPEND:
        if (!alive) {
            nb_fail(r, NB_E_CONFLICT, "Project %s is not alive.", id);
            return NULL;
        }
        if (strcmp(state, "suspended") == 0) {
            nb_fail(r, NB_E_CONFLICT, "Project %s is suspended.", id);
            return NULL;
        }
        return "suspended";
    case NB_PROJECT_UNSUSPEND:
        if (strcmp(state, "suspended") != 0) {
            nb_fail(r, NB_E_CONFLICT, "Project %s is not suspended.", id);
            return NULL;
        }
        return "active";
    case NB_PROJECT_TERMINATE:
        if (!alive) {
            nb_fail(r, NB_E_CONFLICT, "Project %s is not alive.", id);
            return NULL;
        }
        if (nb_db_bool(p, 0, NB_PC_BASE)) {
            nb_fail(r, NB_E_CONFLICT, "Cannot terminate: %s is a system project.", id);
            return NULL;
        }
        return "terminated";
    default: /* NB_PROJECT_REINSTATE */
        if (strcmp(state, "terminated") != 0) {
            nb_fail(r, NB_E_CONFLICT, "Project %s is not terminated.", id);
            return NULL;
        }
        return "active";
    }
}

/* No other live project has name: Astakos keeps live project names unique. */
static int
check_name_free(struct nb_req *r, const char *project, const char *name)
{
    const PGresult *res;

    if (name == NULL)
        return 0;
    if (nb_db_query(r, NB_Q_PROJECT_NAME_LOCK, name) == NULL ||
        (res = nb_db_query(r, NB_Q_PROJECT_NAME_TAKEN, name, project)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT,
                       "cannot approve: project with name '%s' already exists (id: %s)", name,
                       nb_db_text(res, 0, 0));
    return 0;
}

/* The application actions (check_app_relevant, app_check_allowed, can_*): the application
 * must be the project's last; approve and deny are the administrators', dismiss and cancel
 * also the applicant's; approve, deny and cancel take a pending application, dismiss a
 * denied one. The state the application moves to, or NULL with the error. */
static const char *
application_transition(struct nb_req *r, const PGresult *p, enum nb_project_action action,
                       const char *app_id)
{
    static const char *const needs[] = {[NB_PROJECT_APPROVE] = "pending",
                                        [NB_PROJECT_DENY] = "pending",
                                        [NB_PROJECT_DISMISS] = "denied",
                                        [NB_PROJECT_CANCEL] = "pending"};
    static const char *const leaves[] = {[NB_PROJECT_APPROVE] = "approved",
                                         [NB_PROJECT_DENY] = "denied",
                                         [NB_PROJECT_DISMISS] = "dismissed",
                                         [NB_PROJECT_CANCEL] = "cancelled"};
    const char *last = nb_db_text_or_null(p, 0, NB_PC_APP_ID);
    const char *state = nb_db_text(p, 0, NB_PC_APP_STATE);
    bool admin_only = action == NB_PROJECT_APPROVE || action == NB_PROJECT_DENY;

    if (app_id == NULL || last == NULL || strcmp(app_id, last) != 0) {
        nb_fail(r, NB_E_CONFLICT, "%s is not a pending application for project %s.",
                app_id != NULL ? app_id : "(none)", nb_db_text(p, 0, NB_PC_ID));
        return NULL;
    }
    if (!r->user.is_admin && (admin_only || !nb_db_bool(p, 0, NB_PC_CALLER_APPLIED))) {
        nb_fail(r, NB_E_FORBIDDEN, "You do not have the permissions to perform this action.");
        return NULL;
    }
    if (strcmp(state, needs[action]) != 0) {
        nb_fail(r, NB_E_CONFLICT, "Cannot %s application %s in state '%s'",
                nb_project_action_names[action], app_id, state);
        return NULL;
    }
    return leaves[action];
}

/* Applies an allowed application action: an approval makes the application the project's
 * values and activates it; dismissing or cancelling the first application of a project never
 * approved deletes the project. */
static int
answer_application(struct nb_req *r, const PGresult *p, enum nb_project_action action,
                   const char *to, const char *reason)
{
    const char *id = nb_db_text(p, 0, NB_PC_ID), *app = nb_db_text(p, 0, NB_PC_APP_ID);

    if (action == NB_PROJECT_APPROVE &&
        check_name_free(r, id, nb_db_text_or_null(p, 0, NB_PC_APP_NAME)) < 0)
        return -1;
    /* Approving, denying or cancelling ends a pending application (dismissal takes a denied
     * one): its applicant may file another. */
    if (action != NB_PROJECT_DISMISS && nb_pending_app_release(r, id) < 0)
        return -1;
    if (nb_db_query(r, NB_Q_PROJECT_APPLICATION_SET_STATE, app, to, reason, r->user.id_text) ==
        NULL)
        return -1;
    if (action == NB_PROJECT_APPROVE)
        return nb_db_query(r, NB_Q_PROJECT_APPROVE, id, app) != NULL ? 0 : -1;
    if ((action == NB_PROJECT_DISMISS || action == NB_PROJECT_CANCEL) &&
        strcmp(nb_db_text(p, 0, NB_PC_STATE), "uninitialized") == 0)
        return nb_db_query(r, NB_Q_PROJECT_SET_STATE, id, "deleted") != NULL ? 0 : -1;
    return 0;
}

/* The audit's words for each action. */
static const char *const verbs[NB_PROJECT_ACTION__MAX] = {
    [NB_PROJECT_SUSPEND] = "suspends",     [NB_PROJECT_UNSUSPEND] = "unsuspends",
    [NB_PROJECT_TERMINATE] = "terminates", [NB_PROJECT_REINSTATE] = "reinstates",
    [NB_PROJECT_APPROVE] = "approves",     [NB_PROJECT_DENY] = "denies",
    [NB_PROJECT_DISMISS] = "dismisses",    [NB_PROJECT_CANCEL] = "cancels",
};

/* A project action (suspend, unsuspend, terminate, reinstate) on the locked project p, checked
 * and written: the one path of every change of a project's state. */
static int
change_state(struct nb_req *r, const PGresult *p, enum nb_project_action action)
{
    const char *id = nb_db_text(p, 0, NB_PC_ID), *to = project_transition(r, p, action);

    if (to == NULL)
        return -1;
    if (action == NB_PROJECT_REINSTATE && check_name_free(r, id, nb_db_text(p, 0, NB_PC_NAME)) < 0)
        return -1;
    return nb_db_query(r, NB_Q_PROJECT_SET_STATE, id, to) != NULL ? 0 : -1;
}

int
nb_project_act(struct nb_req *r, const char *id, enum nb_project_action action, const char *app_id,
               const char *reason)
{
    const PGresult *p;
    const char *to;

    if (nb_db_begin(r) < 0 || (p = nb_project_lock(r, id)) == NULL)
        return -1;
    if (action >= NB_PROJECT_APPROVE) {
        if ((to = application_transition(r, p, action, app_id)) == NULL ||
            answer_application(r, p, action, to, reason) < 0)
            return -1;
    } else if (change_state(r, p, action) < 0) {
        return -1;
    }
    if ((action >= NB_PROJECT_APPROVE
             ? nb_audit(r, "%s %s application %s of project %s", r->user.name, verbs[action],
                        app_id, nb_db_text(p, 0, NB_PC_ID))
             : nb_audit(r, "%s %s project %s", r->user.name, verbs[action],
                        nb_db_text(p, 0, NB_PC_ID))) < 0)
        return -1;
    return nb_db_commit(r);
}

const PGresult *
nb_project_expired(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_PROJECT_EXPIRED, NULL);
}

int
nb_project_terminate_expired(struct nb_req *r, const char *id)
{
    const PGresult *p, *res;

    if (nb_db_begin(r) < 0 || (p = nb_project_lock(r, id)) == NULL)
        return -1;
    /* Listed as expired, but its end date may have moved since: read it again under the lock. */
    if ((res = nb_db_query(r, NB_Q_PROJECT_HAS_EXPIRED, nb_db_text(p, 0, NB_PC_ID))) == NULL)
        return -1;
    if (!nb_db_bool(res, 0, 0))
        return nb_fail(r, NB_E_CONFLICT, "Project %s has not expired.", id);
    if (change_state(r, p, NB_PROJECT_TERMINATE) < 0 ||
        nb_audit(r, "%s terminates project %s: its end date %s has passed", r->user.name,
                 nb_db_text(p, 0, NB_PC_ID), nb_db_text(p, 0, NB_PC_END)) < 0)
        return -1;
    return nb_db_commit(r);
}
