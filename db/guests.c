/* Guests: visibility-checked loads, creation with placement, and queued operations. */
#include "db/guests.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/secret.h"
#include "app/validate.h"
#include "db/addresses.h"
#include "db/db.h"
#include "db/images.h"
#include "db/security_groups.h"
#include "db/users.h"

#define MAX_DISKS 8

const char *
nb_guest_str(const struct nb_guest *g, enum nb_guest_col c)
{
    return nb_db_text(g->res, g->row, (int)c);
}

int64_t
nb_guest_int(const struct nb_guest *g, enum nb_guest_col c)
{
    return nb_db_int(g->res, g->row, (int)c);
}

bool
nb_guest_bool(const struct nb_guest *g, enum nb_guest_col c)
{
    return nb_db_bool(g->res, g->row, (int)c);
}

double
nb_guest_double(const struct nb_guest *g, enum nb_guest_col c)
{
    return strtod(nb_guest_str(g, c), NULL);
}

int
nb_guest_load(struct nb_req *r, const char *id, struct nb_guest *g)
{
    const PGresult *res;

    if (!nb_is_uuid(id))
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s not found", id);
    res = nb_db_query(r, NB_Q_GUEST_GET, id, r->user.id_text, r->user.is_admin ? "t" : "f",
                      r->user.shared_group);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s not found", id);
    g->res = res;
    g->row = 0;
    return 0;
}

static const char *
json_text(struct json_object *o)
{
    return o != NULL ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;
}

void
nb_guest_spec_from_json(struct nb_req *r, struct json_object *o, struct nb_guest_spec *s)
{
    (void)r;
    memset(s, 0, sizeof(*s));
    s->name = nb_json_get_string(o, "name");
    s->owner = nb_json_get_string(o, "owner");
    s->group = nb_json_get_string(o, "group");
    s->pool = nb_json_get_string(o, "pool");
    s->template_id = nb_json_get_string(o, "template");
    s->system = nb_json_get_string(o, "system");
    s->network_address = nb_json_get_string(o, "network_address");
    s->ethernet_address = nb_json_get_string(o, "ethernet_address");
    s->from_image = nb_json_get_string(o, "from_image");
    s->security_policy_group = nb_json_get_string(o, "security_policy_group");
    s->disks = nb_json_get(o, "disks");
    s->modules = nb_json_get(o, "modules");
    s->cloud_init = nb_json_get(o, "cloud_init");
    s->qos = nb_json_get(o, "qos");
    s->ports = nb_json_get(o, "ports");
    s->disks_json = json_text(s->disks);
    s->modules_json = json_text(s->modules);
    s->cloud_init_json = json_text(s->cloud_init);
    s->qos_json = json_text(s->qos);
    s->ports_json = json_text(s->ports);
    s->cores = json_object_get_int64(nb_json_get(o, "cores"));
    s->memory = json_object_get_int64(nb_json_get(o, "memory"));
    s->auto_start = json_object_get_boolean(nb_json_get(o, "auto_start"));
}

/* Every item of an integer array within [min, max]; returns the sum, -1 on failure. */
static int64_t
check_sizes(struct nb_req *r, const char *field, struct json_object *a, size_t max_items,
            int64_t min, int64_t max)
{
    int64_t sum = 0;
    size_t n = a != NULL ? json_object_array_length(a) : 0;

    if (n == 0 || n > max_items)
        return nb_fail_field(r, NB_E_INVALID, field, "must list 1 to %zu values", max_items);
    for (size_t i = 0; i < n; i++) {
        struct json_object *v = json_object_array_get_idx(a, i);
        int64_t x = json_object_get_int64(v);

        if (!json_object_is_type(v, json_type_int) || x < min || x > max)
            return nb_fail_field(r, NB_E_INVALID, field, "each value must be an integer from %lld to %lld",
                                 (long long)min, (long long)max);
        sum += x;
    }
    return sum;
}

static int
check_modules(struct nb_req *r, struct json_object *modules)
{
    for (size_t i = 0; modules != NULL && i < json_object_array_length(modules); i++) {
        const char *m = json_object_get_string(json_object_array_get_idx(modules, i));

        if (!json_object_is_type(json_object_array_get_idx(modules, i), json_type_string) ||
            (strcmp(m, "qemu") != 0 && strcmp(m, "cloud-init") != 0))
            return nb_fail_field(r, NB_E_INVALID, "modules", "unknown module '%s' (qemu, cloud-init)",
                                 m != NULL ? m : "");
    }
    return 0;
}

/* A guest made from a disk image needs one the caller sees, with its file uploaded. */
static int
check_image(struct nb_req *r, const char *id)
{
    struct nb_image img;

    return nb_image_load_ready(r, NB_IMAGE_DISK, id, "from_image", &img);
}

/* A MAC address in QEMU's 52:54:00 range that no guest has yet. */
static const char *
random_mac(struct nb_req *r)
{
    const char *m[4];
    const PGresult *res;

    for (int i = 0; i < 4; i++) {
        unsigned char b[3];

        nb_random_bytes(b, sizeof(b));
        m[i] = nb_arena_printf(r->arena, "52:54:00:%02x:%02x:%02x", b[0], b[1], b[2]);
    }
    if ((res = nb_db_query(r, NB_Q_MAC_FREE, m[0], m[1], m[2], m[3])) == NULL)
        return NULL;
    if (PQntuples(res) == 0) {
        nb_fail(r, NB_E_CONFLICT, "no free MAC address found; try again");
        return NULL;
    }
    return nb_db_text(res, 0, 0);
}

/* NOLINTBEGIN(readability-function-cognitive-complexity): issue 14 item 1 rewrites it
 * as one statement that returns the row; split it there, not twice at once. */
int
nb_guest_create(struct nb_req *r, const struct nb_guest_spec *s, const char *batch_id,
                const char **id)
{
    const PGresult *pool, *tmpl, *cell, *row;
    const char *owner_id = NULL, *group_id = NULL, *mac = s->ethernet_address, *admin_secret;
    const char *wanted_address, *allocated;
    int64_t disk_total;
    struct in_addr addr;
    struct nb_guest g;
    struct nb_secgroup sg = {NULL, 0};

    if (nb_check_name(r, "guest", s->name) < 0)
        return -1;
    if ((pool = nb_db_query(r, NB_Q_POOL_LIMITS, s->pool)) == NULL)
        return -1;
    if (PQntuples(pool) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", s->pool);
    if (!nb_db_bool(pool, 0, 1) || nb_db_int(pool, 0, 5) == 0)
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s has no enabled cells", s->pool);
    if (s->cores < 1 || s->cores > nb_db_int(pool, 0, 3))
        return nb_fail_field(r, NB_E_INVALID, "cores", "must be 1 to %lld in pool %s",
                             (long long)nb_db_int(pool, 0, 3), s->pool);
    if (s->memory < 1 || s->memory > nb_db_int(pool, 0, 4))
        return nb_fail_field(r, NB_E_INVALID, "memory", "must be 1 to %lld bytes in pool %s",
                             (long long)nb_db_int(pool, 0, 4), s->pool);
    if ((disk_total = check_sizes(r, "disks", s->disks, MAX_DISKS, 1, INT64_MAX / MAX_DISKS)) < 0 ||
        check_modules(r, s->modules) < 0 ||
        nb_user_owner(r, s->owner, "guests", &owner_id, &group_id) < 0)
        return -1;
    if (s->ports != NULL && check_sizes(r, "ports", s->ports, 64, 1, 65535) < 0)
        return -1;
    if (s->network_address != NULL && s->network_address[0] != '\0' &&
        inet_pton(AF_INET, s->network_address, &addr) != 1)
        return nb_fail_field(r, NB_E_INVALID, "network_address", "invalid IPv4 address '%s'",
                             s->network_address);
    if (mac == NULL || mac[0] == '\0') {
        if ((mac = random_mac(r)) == NULL)
            return -1;
    } else if (nb_check_mac(r, "ethernet_address", mac) < 0) {
        return -1;
    }
    if (s->qos != NULL && nb_guest_check_qos(r, s->qos) < 0)
        return -1;
    if (s->from_image != NULL && s->from_image[0] != '\0' && check_image(r, s->from_image) < 0)
        return -1;
    if (s->security_policy_group != NULL && s->security_policy_group[0] != '\0' &&
        nb_secgroup_load(r, s->security_policy_group, &sg) < 0)
        return -1;
    if ((tmpl = nb_db_query(r, NB_Q_TEMPLATE_SYSTEM, s->template_id)) == NULL)
        return -1;
    if (PQntuples(tmpl) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "template %s not found", s->template_id ? s->template_id : "");
    if ((cell = nb_db_query(r, NB_Q_GUEST_PLACE, nb_db_text(pool, 0, 0),
                            nb_arena_printf(r->arena, "%lld", (long long)s->cores),
                            nb_arena_printf(r->arena, "%lld", (long long)s->memory),
                            nb_arena_printf(r->arena, "%lld", (long long)disk_total))) == NULL)
        return -1;
    if (PQntuples(cell) == 0)
        return nb_fail(r, NB_E_CONFLICT, "no cell in pool %s has room for %lld cores, %lld bytes of memory and %lld bytes of disk",
                       s->pool, (long long)s->cores, (long long)s->memory, (long long)disk_total);
    admin_secret = nb_json_get_string(s->cloud_init, "admin_secret");
    wanted_address = s->network_address != NULL && s->network_address[0] != '\0' ? s->network_address
                                                                           : NULL;
    row = nb_db_query(r, NB_Q_GUEST_INSERT, s->name, owner_id, group_id, nb_db_text(pool, 0, 0),
                      nb_db_text(cell, 0, 0), s->template_id,
                      nb_arena_printf(r->arena, "%lld", (long long)s->cores),
                      nb_arena_printf(r->arena, "%lld", (long long)s->memory), s->disks_json,
                      s->auto_start ? "t" : "f",
                      s->system != NULL && s->system[0] != '\0' ? s->system : nb_db_text(tmpl, 0, 0),
                      nb_db_text(pool, 0, 2)[0] == '\0' ? wanted_address : NULL,
                      mac, s->from_image != NULL ? s->from_image : "",
                      s->modules_json != NULL ? s->modules_json : "[]",
                      s->cloud_init_json != NULL ? s->cloud_init_json : "{}",
                      nb_json_get_string(s->cloud_init, "admin_name") != NULL
                          ? nb_json_get_string(s->cloud_init, "admin_name")
                          : nb_db_text(tmpl, 0, 1),
                      admin_secret != NULL ? admin_secret : nb_random_hex(r->arena, 8),
                      nb_random_hex(r->arena, 4));
    if (row == NULL)
        return -1;
    *id = nb_db_text(row, 0, 0);
    /* A pool with an address pool hands out its addresses (the requested one, if any). */
    if (nb_db_text(pool, 0, 2)[0] != '\0' &&
        nb_address_allocate(r, nb_db_text(pool, 0, 2), *id, wanted_address, &allocated) < 0)
        return -1;
    /* The guest starts with a copy of the group's policy; later edits of either stay apart. */
    if ((sg.res != NULL && nb_secgroup_apply(r, *id, &sg) < 0) || nb_guest_load(r, *id, &g) < 0)
        return -1;
    if (s->qos != NULL || s->ports != NULL) {
        struct json_object *changes = nb_json_own(r, json_object_new_object());

        if (s->qos != NULL) {
            json_object_object_foreach(s->qos, k, v) {
                json_object_object_add(changes, k, json_object_get(v));
            }
        }
        if (s->ports != NULL)
            json_object_object_add(changes, "ports", json_object_get(s->ports));
        if (nb_guest_set(r, &g, changes) < 0)
            return -1;
    }
    return nb_guest_enqueue(r, &g, "create_guest", NULL, batch_id, NULL);
}
/* NOLINTEND(readability-function-cognitive-complexity) */

int
nb_guest_check_qos(struct nb_req *r, struct json_object *qos)
{
    static const char *const limits[] = {"write_speed", "write_iops", "read_speed", "read_iops",
                                         "receive_speed", "send_speed", NULL};
    const char *prio = nb_json_get_string(qos, "cpu_priority");

    if (nb_json_get(qos, "cpu_priority") != NULL &&
        (prio == NULL || (strcmp(prio, "high") != 0 && strcmp(prio, "medium") != 0 &&
                          strcmp(prio, "low") != 0)))
        return nb_fail_field(r, NB_E_INVALID, "cpu_priority", "must be high, medium or low");
    json_object_object_foreach(qos, key, val) {
        const char *const *l = limits;

        if (strcmp(key, "cpu_priority") == 0)
            continue;
        while (*l != NULL && strcmp(*l, key) != 0)
            l++;
        if (*l == NULL)
            return nb_fail_field(r, NB_E_INVALID, nb_arena_strdup(r->arena, key),
                                 "This field is not accepted.");
        if (!json_object_is_type(val, json_type_int) || json_object_get_int64(val) < 0)
            return nb_fail_field(r, NB_E_INVALID, nb_arena_strdup(r->arena, key),
                                 "must be an integer of at least 0 (0 = unlimited)");
    }
    return 0;
}

int
nb_guest_enqueue(struct nb_req *r, const struct nb_guest *g, const char *kind,
                 const char *params, const char *batch_id, const char **op_id)
{
    const PGresult *res = nb_db_query(r, NB_Q_OP_ADD, kind, nb_guest_str(g, NB_GC_ID),
                                      nb_guest_str(g, NB_GC_CELL_ID), r->user.id_text,
                                      params != NULL ? params : "{}", batch_id);

    if (res == NULL)
        return -1;
    if (op_id != NULL)
        *op_id = nb_db_text(res, 0, 0);
    return 0;
}

int
nb_guest_idle(struct nb_req *r, const struct nb_guest *g)
{
    const PGresult *res = nb_db_query(r, NB_Q_GUEST_BUSY, nb_guest_str(g, NB_GC_ID));

    if (res == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "guest %s is busy (%s in progress)",
                       nb_guest_str(g, NB_GC_NAME), nb_db_text(res, 0, 0));
    return 0;
}

int
nb_guest_set(struct nb_req *r, const struct nb_guest *g, struct json_object *changes)
{
    return nb_db_query(r, NB_Q_GUEST_SET, nb_guest_str(g, NB_GC_ID), json_text(changes)) != NULL
               ? 0
               : -1;
}
