/* Nano security policy: a default action and an ordered rule list, kept on the guest and
 * applied to its interfaces by the reconciler (sync_guest); rule checks and rule-list edits
 * shared with security policy groups (security_groups.c). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

static bool
one_of(const char *v, const char *const *set)
{
    for (; v != NULL && *set != NULL; set++)
        if (strcmp(v, *set) == 0)
            return true;
    return false;
}

int
nano_policy_action_check(struct nb_req *r, const char *field, const char *action)
{
    static const char *const actions[] = {"accept", "reject", NULL};

    if (!one_of(action, actions))
        return nb_fail_field(r, NB_E_INVALID, field, "must be accept or reject");
    return 0;
}

/* SecurityPolicyRule: action, protocol, to_port (tcp/udp), from_address, interface. */
int
nano_policy_rule_check(struct nb_req *r, struct json_object *rule)
{
    static const char *const protocols[] = {"all", "tcp", "udp", "icmp", NULL};
    const char *protocol = nb_json_get_string(rule, "protocol");
    const char *from = nb_json_get_string(rule, "from_address");
    int64_t port = json_object_get_int64(nb_json_get(rule, "to_port"));
    struct in_addr addr;

    if (nano_policy_action_check(r, "action", nb_json_get_string(rule, "action")) < 0)
        return -1;
    if (!one_of(protocol, protocols))
        return nb_fail_field(r, NB_E_INVALID, "protocol", "must be all, tcp, udp or icmp");
    if ((strcmp(protocol, "tcp") == 0 || strcmp(protocol, "udp") == 0) &&
        (port < 1 || port > 65535))
        return nb_fail_field(r, NB_E_INVALID, "to_port", "must be a port from 1 to 65535");
    if (nb_json_get(rule, "to_port") != NULL && (port < 0 || port > 65535))
        return nb_fail_field(r, NB_E_INVALID, "to_port", "must be a port from 0 to 65535");
    if (from != NULL && from[0] != '\0' && inet_pton(AF_INET, from, &addr) != 1)
        return nb_fail_field(r, NB_E_INVALID, "from_address", "invalid IPv4 address '%s'", from);
    if (json_object_get_int64(nb_json_get(rule, "interface")) < 0)
        return nb_fail_field(r, NB_E_INVALID, "interface",
                             "must be 0 (all) or an interface number");
    return 0;
}

/* Rule-list edits shared by guests and security policy groups. */

/* The rule index of capture 1, checked against the list. */
static int
rule_index(struct nb_req *r, struct json_object *rules, size_t *index)
{
    const char *s = r->capture[1];
    long long i;

    if (nb_parse_int(s, 0, (long long)json_object_array_length(rules) - 1, &i) < 0)
        return nb_fail(r, NB_E_NOT_FOUND, "no security policy rule %s (there are %zu)", s,
                       json_object_array_length(rules));
    *index = (size_t)i;
    return 0;
}

int
nano_rules_add(struct nb_req *r, struct json_object *rules)
{
    if (nano_policy_rule_check(r, r->json) < 0)
        return -1;
    json_object_array_add(rules, json_object_get(r->json));
    return 0;
}

int
nano_rules_modify(struct nb_req *r, struct json_object *rules)
{
    size_t i;

    if (nano_policy_rule_check(r, r->json) < 0 || rule_index(r, rules, &i) < 0)
        return -1;
    json_object_array_put_idx(rules, i, json_object_get(r->json));
    return 0;
}

int
nano_rules_order(struct nb_req *r, struct json_object *rules)
{
    const char *dir = nb_json_get_string(r->json, "direction");
    struct json_object *a, *b;
    size_t i, j;

    if (rule_index(r, rules, &i) < 0)
        return -1;
    if (dir == NULL || (strcmp(dir, "up") != 0 && strcmp(dir, "down") != 0))
        return nb_fail_field(r, NB_E_INVALID, "direction", "must be up or down");
    if ((strcmp(dir, "up") == 0 && i == 0) ||
        (strcmp(dir, "down") == 0 && i + 1 == json_object_array_length(rules)))
        return nb_fail(r, NB_E_INVALID, "rule %zu cannot move %s", i, dir);
    j = strcmp(dir, "up") == 0 ? i - 1 : i + 1;
    a = json_object_get(json_object_array_get_idx(rules, i));
    b = json_object_get(json_object_array_get_idx(rules, j));
    json_object_array_put_idx(rules, i, b);
    json_object_array_put_idx(rules, j, a);
    return 0;
}

int
nano_rules_remove(struct nb_req *r, struct json_object *rules)
{
    size_t i;

    if (rule_index(r, rules, &i) < 0)
        return -1;
    json_object_array_del_idx(rules, i, 1);
    return 0;
}

/* Stores the rule list or the default action (the guest's domain follows). */
static int
store(struct nb_req *r, const struct nb_guest *g, struct json_object *rules, const char *action)
{
    struct nb_guest_change c = {.policy_rules = rules, .policy_default = action};

    c.set = (rules != NULL ? NB_GUEST_SET_POLICY_RULES : 0u) |
            (action != NULL ? NB_GUEST_SET_POLICY_DEFAULT : 0u);
    if (nb_guest_modify(r, g, &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* Applies edit to the rules of the guest of capture 0 (as they will be once its queued changes
 * have run) and stores them. */
static int
edit_rules(struct nb_req *r, int (*edit)(struct nb_req *, struct json_object *))
{
    struct nb_guest g;
    struct json_object *rules;

    if (nb_guest_load(r, r->capture[0], &g) < 0 || (rules = nb_guest_rules_ahead(r, &g)) == NULL)
        return -1;
    if (edit(r, rules) < 0)
        return -1;
    return store(r, &g, rules, NULL);
}

/* GET /guests/{id}/security_policy/ */
int
nano_policy_get(struct nb_req *r)
{
    struct nb_guest g;
    struct json_object *data;

    if (nb_guest_load(r, r->capture[0], &g) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "default_action",
                           json_object_new_string(nb_guest_str(&g, NB_GC_POLICY_DEFAULT)));
    json_object_object_add(data, "rules", nb_db_json(g.res, g.row, NB_GC_POLICY_RULES));
    return nano_ok(r, 200, data);
}

/* PUT /guests/{id}/security_policy/default_action {action} */
int
nano_policy_default(struct nb_req *r)
{
    const char *action = nb_json_get_string(r->json, "action");
    struct nb_guest g;

    if (nb_guest_load(r, r->capture[0], &g) < 0 ||
        nano_policy_action_check(r, "action", action) < 0)
        return -1;
    return store(r, &g, NULL, action);
}

/* POST /guests/{id}/security_policy/rules/: append. */
int
nano_policy_rule_add(struct nb_req *r)
{
    return edit_rules(r, nano_rules_add);
}

/* PUT /guests/{id}/security_policy/rules/{index}: replace. */
int
nano_policy_rule_modify(struct nb_req *r)
{
    return edit_rules(r, nano_rules_modify);
}

/* PUT /guests/{id}/security_policy/rules/{index}/order {direction: up|down} */
int
nano_policy_rule_order(struct nb_req *r)
{
    return edit_rules(r, nano_rules_order);
}

/* DELETE /guests/{id}/security_policy/rules/{index} */
int
nano_policy_rule_remove(struct nb_req *r)
{
    return edit_rules(r, nano_rules_remove);
}
