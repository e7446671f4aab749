/* Security policy groups: visibility-checked loads, creation for an owner, changes, and
 * removal only while no guest uses the group. */
#include "db/security_groups.h"

#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/users.h"

const char *
nb_secgroup_str(const struct nb_secgroup *sg, enum nb_secgroup_col c)
{
    return nb_db_text(sg->res, sg->row, (int)c);
}

bool
nb_secgroup_bool(const struct nb_secgroup *sg, enum nb_secgroup_col c)
{
    return nb_db_bool(sg->res, sg->row, (int)c);
}

/* The group id as the caller may see it through q (SECGROUP_GET or SECGROUP_LOCK). */
static int
load(struct nb_req *r, enum nb_query q, const char *id, struct nb_secgroup *sg)
{
    const PGresult *res;

    if (!nb_is_uuid(id))
        return nb_fail(r, NB_E_NOT_FOUND, "security policy group %s not found", id);
    res = nb_db_query_scoped(r, q, id);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "security policy group %s not found", id);
    sg->res = res;
    sg->row = 0;
    return 0;
}

int
nb_secgroup_load(struct nb_req *r, const char *id, struct nb_secgroup *sg)
{
    return load(r, NB_Q_SECGROUP_GET, id, sg);
}

int
nb_secgroup_load_writable(struct nb_req *r, const char *id, struct nb_secgroup *sg)
{
    if (load(r, NB_Q_SECGROUP_LOCK, id, sg) < 0)
        return -1;
    if (!r->user.is_admin && nb_db_int(sg->res, sg->row, NB_SC_OWNER_ID) != r->user.id)
        return nb_fail(r, NB_E_FORBIDDEN,
                       "only its owner %s or an administrator may change security policy group %s",
                       nb_secgroup_str(sg, NB_SC_OWNER), nb_secgroup_str(sg, NB_SC_NAME));
    return 0;
}

/* What any create or change may carry: a valid name and default action. */
static int
check_config(struct nb_req *r, const struct nb_secgroup_spec *s)
{
    if (s->name != NULL && nb_check_name(r, "security policy group", s->name) < 0)
        return -1;
    if (s->default_action != NULL && strcmp(s->default_action, "accept") != 0 &&
        strcmp(s->default_action, "reject") != 0)
        return nb_fail_field(r, NB_E_INVALID, "default_action", "must be accept or reject");
    return 0;
}

/* user and group, when given, must name the owner and the owner's group: a group belongs to
 * its creator and the creator's group, and keeps them. */
static int
check_owner(struct nb_req *r, const struct nb_secgroup_spec *s, const char *owner,
            const char *group)
{
    if (s->owner != NULL && s->owner[0] != '\0' && strcmp(s->owner, owner) != 0)
        return nb_fail_field(r, NB_E_INVALID, "user", "must be the owner %s", owner);
    if (s->group != NULL && s->group[0] != '\0' && strcmp(s->group, group) != 0)
        return nb_fail_field(r, NB_E_INVALID, "group", "must be the group of %s (%s)", owner,
                             group[0] != '\0' ? group : "none");
    return 0;
}

int
nb_secgroup_create(struct nb_req *r, const struct nb_secgroup_spec *s, const char **id)
{
    const char *owner_id, *group_id;
    const PGresult *row;
    struct nb_secgroup sg;

    if (check_config(r, s) < 0 ||
        nb_user_owner(r, s->owner, "security policy groups", &owner_id, &group_id) < 0)
        return -1;
    row = nb_db_query(r, NB_Q_SECGROUP_INSERT, s->name,
                      s->description != NULL ? s->description : "", owner_id, group_id,
                      !(s->set & NB_SECGROUP_SET_ENABLED) || s->enabled ? "t" : "f",
                      (s->set & NB_SECGROUP_SET_GLOBAL) && s->global ? "t" : "f",
                      s->default_action != NULL ? s->default_action : "accept");
    if (row == NULL)
        return -1;
    *id = nb_db_text(row, 0, 0);
    /* A group named in the config must be the owner's; the caller's transaction undoes the
     * insert when it is not. */
    if (load(r, NB_Q_SECGROUP_GET, *id, &sg) < 0)
        return -1;
    return check_owner(r, s, nb_secgroup_str(&sg, NB_SC_OWNER), nb_secgroup_str(&sg, NB_SC_GROUP));
}

int
nb_secgroup_set(struct nb_req *r, const struct nb_secgroup *sg, const struct nb_secgroup_spec *c)
{
    const char *owner = nb_secgroup_str(sg, NB_SC_OWNER), *group = nb_secgroup_str(sg, NB_SC_GROUP);
    static const char *const flag[] = {"f", "t"};

    if (check_config(r, c) < 0 || check_owner(r, c, owner, group) < 0)
        return -1;
    return nb_db_query(r, NB_Q_SECGROUP_SET, nb_secgroup_str(sg, NB_SC_ID), c->name, c->description,
                       c->set & NB_SECGROUP_SET_ENABLED ? flag[c->enabled] : NULL,
                       c->set & NB_SECGROUP_SET_GLOBAL ? flag[c->global] : NULL, c->default_action,
                       c->set & NB_SECGROUP_SET_RULES
                           ? json_object_to_json_string_ext(c->rules, JSON_C_TO_STRING_PLAIN)
                           : NULL) != NULL
               ? 0
               : -1;
}

int
nb_secgroup_remove(struct nb_req *r, const struct nb_secgroup *sg)
{
    const char *id = nb_secgroup_str(sg, NB_SC_ID);
    const PGresult *users = nb_db_query(r, NB_Q_SECGROUP_USERS, id);

    if (users == NULL)
        return -1;
    /* A global group serves every tenant: the guests are counted, never named. */
    if (nb_db_int(users, 0, 0) > 0)
        return nb_fail(r, NB_E_CONFLICT, "security policy group %s is used by %lld guest(s)",
                       nb_secgroup_str(sg, NB_SC_NAME), (long long)nb_db_int(users, 0, 0));
    return nb_db_query(r, NB_Q_SECGROUP_DELETE, id) != NULL ? 0 : -1;
}

int
nb_secgroup_apply(struct nb_req *r, const char *guest_id, const struct nb_secgroup *sg)
{
    const PGresult *res =
        nb_db_query(r, NB_Q_SECGROUP_APPLY, guest_id, nb_secgroup_str(sg, NB_SC_ID));

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "security policy group %s not found",
                       nb_secgroup_str(sg, NB_SC_ID));
    return 0;
}

const PGresult *
nb_secgroup_search(struct nb_req *r, const struct nb_secgroup_filter *f)
{
    return nb_db_query_scoped(r, NB_Q_SECGROUP_SEARCH, f->enabled_only ? "t" : NULL,
                              f->global_only ? "t" : NULL, f->owner, f->group, f->after,
                              nb_arena_printf(r->arena, "%lld", (long long)f->limit));
}
