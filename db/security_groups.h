/* Security policy groups as every dialect sees them: who may see and change one, creation,
 * changes, removal while no guest uses it, and handing a group's policy to a new guest. */
#ifndef NB_SECURITY_GROUPS_H
#define NB_SECURITY_GROUPS_H

#include <json-c/json.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* Columns of a group read, in the order of NB_SECGROUP_COLUMNS (db/queries/security.def). */
enum nb_secgroup_col {
    NB_SC_ID,
    NB_SC_NAME,
    NB_SC_DESCRIPTION,
    NB_SC_OWNER,
    NB_SC_GROUP,
    NB_SC_ENABLED,
    NB_SC_GLOBAL,
    NB_SC_DEFAULT_ACTION,
    NB_SC_RULES,
    NB_SC_OWNER_ID,
    NB_SC__MAX
};

/* One group: a row of a result that lives as long as the request. */
struct nb_secgroup {
    const PGresult *res;
    int row;
};

const char *nb_secgroup_str(const struct nb_secgroup *sg, enum nb_secgroup_col c);
bool nb_secgroup_bool(const struct nb_secgroup *sg, enum nb_secgroup_col c);

/* Loads a group the caller may see: the owner, admins, the members of the owner's group, and
 * everyone for a global group. Anything else (unknown, malformed id, not visible) is
 * NB_E_NOT_FOUND "security policy group <id> not found". */
int nb_secgroup_load(struct nb_req *r, const char *id, struct nb_secgroup *sg);
/* Loads a group the caller may change (its owner or an admin), locked until the transaction
 * ends. Not visible: NB_E_NOT_FOUND as above; visible but not the caller's: NB_E_FORBIDDEN. */
int nb_secgroup_load_writable(struct nb_req *r, const char *id, struct nb_secgroup *sg);

/* Filters of a group search: NULL (false) when not given. */
struct nb_secgroup_filter {
    bool enabled_only, global_only;
    const char *owner, *group;
    const char *after; /* keyset paging: the last id of the previous page */
    int64_t limit;
};
/* The groups the caller may see that match f, oldest first, at most f->limit from after; NULL
 * with the error recorded. */
const PGresult *nb_secgroup_search(struct nb_req *r, const struct nb_secgroup_filter *f);

/* A group as a create or a change gives it: the fields whose NB_SECGROUP_SET_* bit is in set.
 * owner and group name the owner and the owner's group. */
enum {
    NB_SECGROUP_SET_ENABLED = 1u << 0,
    NB_SECGROUP_SET_GLOBAL = 1u << 1,
    NB_SECGROUP_SET_RULES = 1u << 2,
};
struct nb_secgroup_spec {
    unsigned set;
    const char *name, *description, *default_action; /* NULL: not given */
    const char *owner, *group;                       /* NULL: not given */
    bool enabled, global;
    struct json_object *rules; /* a JSON array of checked rules */
};

/* Creates a group (name required; description, enabled, global, default_action accept or
 * reject; owner and group name the owner, who is the caller unless an admin names another
 * user, and must match). *id is the new group's id. */
int nb_secgroup_create(struct nb_req *r, const struct nb_secgroup_spec *spec, const char **id);
/* Changes a writable group: the fields given (owner and group only as they already are). */
int nb_secgroup_set(struct nb_req *r, const struct nb_secgroup *sg,
                    const struct nb_secgroup_spec *changes);
/* Deletes a writable group; refused (conflict, naming them) while guests use it. */
int nb_secgroup_remove(struct nb_req *r, const struct nb_secgroup *sg);
/* Gives the new guest guest_id the group's default action and rules and records that it uses
 * the group. Runs inside the caller's transaction. */
int nb_secgroup_apply(struct nb_req *r, const char *guest_id, const struct nb_secgroup *sg);

#endif
