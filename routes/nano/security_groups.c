/* Nano security policy groups: named rule sets that guests copy their security policy from
 * when created. Who may see and change a group is db/security_groups.c's business. */

#include "db/security_groups.h"
#include "db/db.h"
#include "routes/nano/nano.h"

/* SecurityPolicyGroupStatus. */
static struct json_object *
group_json(const struct nb_secgroup *sg)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_string(nb_secgroup_str(sg, NB_SC_ID)));
    json_object_object_add(o, "name", json_object_new_string(nb_secgroup_str(sg, NB_SC_NAME)));
    json_object_object_add(o, "description",
                           json_object_new_string(nb_secgroup_str(sg, NB_SC_DESCRIPTION)));
    json_object_object_add(o, "user", json_object_new_string(nb_secgroup_str(sg, NB_SC_OWNER)));
    json_object_object_add(o, "group", json_object_new_string(nb_secgroup_str(sg, NB_SC_GROUP)));
    json_object_object_add(o, "enabled",
                           json_object_new_boolean(nb_secgroup_bool(sg, NB_SC_ENABLED)));
    json_object_object_add(o, "global",
                           json_object_new_boolean(nb_secgroup_bool(sg, NB_SC_GLOBAL)));
    json_object_object_add(o, "default_action",
                           json_object_new_string(nb_secgroup_str(sg, NB_SC_DEFAULT_ACTION)));
    return o;
}

/* The group's rules as a JSON array owned by the request. */
static struct json_object *
rules_of(struct nb_req *r, const struct nb_secgroup *sg)
{
    return nb_json_own(r, nb_db_json(sg->res, sg->row, NB_SC_RULES));
}

/* SecurityPolicyGroupConfig as a group's fields. */
static void
spec_from_json(struct json_object *o, struct nb_secgroup_spec *s)
{
    struct json_object *enabled = nb_json_get(o, "enabled"), *global = nb_json_get(o, "global");

    *s = (struct nb_secgroup_spec){
        .name = nb_json_get_string(o, "name"),
        .description = nb_json_get_string(o, "description"),
        .default_action = nb_json_get_string(o, "default_action"),
        .owner = nb_json_get_string(o, "user"),
        .group = nb_json_get_string(o, "group"),
        .enabled = json_object_get_boolean(enabled),
        .global = json_object_get_boolean(global),
    };
    s->set = (enabled != NULL ? NB_SECGROUP_SET_ENABLED : 0u) |
             (global != NULL ? NB_SECGROUP_SET_GLOBAL : 0u);
}

/* Applies edit to the rules of the group of capture 0 and stores them. */
static int
edit_rules(struct nb_req *r, int (*edit)(struct nb_req *, struct json_object *))
{
    struct nb_secgroup sg;
    struct nb_secgroup_spec c = {.set = NB_SECGROUP_SET_RULES};

    if (nb_secgroup_load_writable(r, r->capture[0], &sg) < 0 ||
        edit(r, c.rules = rules_of(r, &sg)) < 0 || nb_secgroup_set(r, &sg, &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* GET /security_policy_groups/{id} */
int
nano_secgroup_get(struct nb_req *r)
{
    struct nb_secgroup sg;

    if (nb_secgroup_load(r, r->capture[0], &sg) < 0)
        return -1;
    return nano_ok(r, 200, group_json(&sg));
}

/* POST /security_policy_groups/ {SecurityPolicyGroupConfig} → {id} */
int
nano_secgroup_create(struct nb_req *r)
{
    struct nb_secgroup_spec spec;
    const char *id;

    spec_from_json(r->json, &spec);
    if (nb_secgroup_create(r, &spec, &id) < 0)
        return -1;
    return nano_id(r, 200, id);
}

/* PUT /security_policy_groups/{id}: the fields given change; owner and group stay. */
int
nano_secgroup_modify(struct nb_req *r)
{
    struct nb_secgroup sg;
    struct nb_secgroup_spec changes;

    spec_from_json(r->json, &changes);
    if (nb_secgroup_load_writable(r, r->capture[0], &sg) < 0 ||
        nb_secgroup_set(r, &sg, &changes) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /security_policy_groups/{id}: only a group no guest was created with. */
int
nano_secgroup_remove(struct nb_req *r)
{
    struct nb_secgroup sg;

    if (nb_secgroup_load_writable(r, r->capture[0], &sg) < 0 || nb_secgroup_remove(r, &sg) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* GET /security_policy_groups/{id}/rules/ */
int
nano_secgroup_rules(struct nb_req *r)
{
    struct nb_secgroup sg;

    if (nb_secgroup_load(r, r->capture[0], &sg) < 0)
        return -1;
    return nano_ok(r, 200, nb_db_json(sg.res, sg.row, NB_SC_RULES));
}

/* POST /security_policy_groups/{id}/rules/: append. */
int
nano_secgroup_rule_add(struct nb_req *r)
{
    return edit_rules(r, nano_rules_add);
}

/* PUT /security_policy_groups/{id}/rules/{index}: replace. */
int
nano_secgroup_rule_modify(struct nb_req *r)
{
    return edit_rules(r, nano_rules_modify);
}

/* PUT /security_policy_groups/{id}/rules/{index}/order {direction: up|down} */
int
nano_secgroup_rule_order(struct nb_req *r)
{
    return edit_rules(r, nano_rules_order);
}

/* DELETE /security_policy_groups/{id}/rules/{index} */
int
nano_secgroup_rule_remove(struct nb_req *r)
{
    return edit_rules(r, nano_rules_remove);
}

/* GET /search/security_policy_groups/?enabled_only&global_only&owner&group, among the groups
 * the caller sees, paged (limit, after). */
int
nano_secgroup_search(struct nb_req *r)
{
    const char *after;
    long long limit;
    const PGresult *res;
    struct json_object *data;

    if (nano_query_page(r, &limit, &after) < 0)
        return -1;
    res = nb_secgroup_search(
        r, &(struct nb_secgroup_filter){.enabled_only = nb_query_bool(r, "enabled_only", 0),
                                        .global_only = nb_query_bool(r, "global_only", 0),
                                        .owner = nb_query_text(r, "owner"),
                                        .group = nb_query_text(r, "group"),
                                        .after = after,
                                        .limit = limit});
    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct nb_secgroup sg = {res, i};

        json_object_array_add(data, group_json(&sg));
    }
    return nano_ok(r, 200, data);
}
