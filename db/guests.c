/* Guests: visibility-checked loads and searches, creation with placement, typed changes of
 * the desired state, and the operations queued on them. */
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
#include "db/operations.h"
#include "db/quotas.h"
#include "db/security_groups.h"
#include "db/users.h"

#define MAX_DISKS 8
#define MAX_PORTS 64

/* Columns of POOL_LIMITS. */
enum { PL_ID, PL_ENABLED, PL_ADDRESS_POOL, PL_CORES, PL_MEMORY, PL_CELLS };
/* Columns of TEMPLATE_SYSTEM. */
enum { TS_SYSTEM, TS_ADMIN };

const char *const nb_qos_limit_name[NB_QOS__MAX] = {
    [NB_QOS_WRITE_SPEED] = "write_speed",     [NB_QOS_WRITE_IOPS] = "write_iops",
    [NB_QOS_READ_SPEED] = "read_speed",       [NB_QOS_READ_IOPS] = "read_iops",
    [NB_QOS_RECEIVE_SPEED] = "receive_speed", [NB_QOS_SEND_SPEED] = "send_speed",
};

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
    res = nb_db_query_scoped(r, NB_Q_GUEST_GET, id);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s not found", id);
    g->res = res;
    g->row = 0;
    return 0;
}

/* Every item of an integer array within [min, max]; returns the sum, -1 on failure. */
static int64_t
check_sizes(struct nb_req *r, const char *field, const int64_t *v, size_t n, size_t max_items,
            int64_t min, int64_t max)
{
    int64_t sum = 0;

    if (n == 0 || n > max_items)
        return nb_fail_field(r, NB_E_INVALID, field, "must list 1 to %zu values", max_items);
    for (size_t i = 0; i < n; i++) {
        if (v[i] < min || v[i] > max)
            return nb_fail_field(r, NB_E_INVALID, field,
                                 "each value must be an integer from %lld to %lld", (long long)min,
                                 (long long)max);
        sum += v[i];
    }
    return sum;
}

static int
check_modules(struct nb_req *r, const char *const *modules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *m = modules[i];

        if (m == NULL || (strcmp(m, "qemu") != 0 && strcmp(m, "cloud-init") != 0))
            return nb_fail_field(r, NB_E_INVALID, "modules",
                                 "unknown module '%s' (qemu, cloud-init)", m != NULL ? m : "");
    }
    return 0;
}

/* An array parameter ({1,2}) of n integers. */
static const char *
int_array(struct nb_req *r, const int64_t *v, size_t n)
{
    const char *a = "{";

    for (size_t i = 0; i < n; i++)
        a = nb_arena_printf(r->arena, "%s%s%lld", a, i > 0 ? "," : "", (long long)v[i]);
    return nb_arena_printf(r->arena, "%s}", a);
}

/* An array parameter of n checked module names (no character needs quoting). */
static const char *
text_array(struct nb_req *r, const char *const *v, size_t n)
{
    const char *a = "{";

    for (size_t i = 0; i < n; i++)
        a = nb_arena_printf(r->arena, "%s%s\"%s\"", a, i > 0 ? "," : "", v[i]);
    return nb_arena_printf(r->arena, "%s}", a);
}

static const char *
int_param(struct nb_req *r, int64_t v)
{
    return nb_arena_printf(r->arena, "%lld", (long long)v);
}

/* A guest made from a disk image needs one the caller sees, with its file uploaded. */
static int
check_image(struct nb_req *r, const char *id)
{
    struct nb_image img;

    return nb_image_load_ready(r, NB_IMAGE_DISK, id, "from_image", &img);
}

/* A monitor secret: the VNC password of the guest's console. VNC authentication takes at most
 * 8 characters (libvirt refuses a longer passwd), so each is one of 64 (6 random bits: 48 in
 * all), not a hex digit. What guards the console is its monitor channel (a single-use,
 * authorised, 128-bit id; VNC listens on the host's loopback only); this is the second lock. */
static const char *
monitor_secret(struct nb_req *r)
{
    static const char symbols[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char b[8];
    char *s = nb_arena_alloc(r->arena, sizeof(b) + 1);

    nb_random_bytes(b, sizeof(b));
    for (size_t i = 0; i < sizeof(b); i++)
        s[i] = symbols[b[i] & 63]; /* 256 is a multiple of 64: no bias */
    s[sizeof(b)] = '\0';
    return s;
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

/* What a create has found out before it inserts: rows read, ids resolved, values chosen. */
struct guest_plan {
    const PGresult *pool, *tmpl, *cell;
    const char *owner_id, *group_id, *mac, *wanted_address;
    int64_t disk_total;
};

/* The compute pool of a create: it exists, has enabled cells, and its cells may hold the
 * cores and memory asked for. */
static int
plan_pool(struct nb_req *r, const struct nb_guest_spec *s, struct guest_plan *p)
{
    if ((p->pool = nb_db_query(r, NB_Q_POOL_LIMITS, s->pool)) == NULL)
        return -1;
    if (PQntuples(p->pool) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", s->pool);
    if (!nb_db_bool(p->pool, 0, PL_ENABLED) || nb_db_int(p->pool, 0, PL_CELLS) == 0)
        return nb_fail(r, NB_E_CONFLICT, "compute pool %s has no enabled cells", s->pool);
    if (s->cores < 1 || s->cores > nb_db_int(p->pool, 0, PL_CORES))
        return nb_fail_field(r, NB_E_INVALID, "cores", "must be 1 to %lld in pool %s",
                             (long long)nb_db_int(p->pool, 0, PL_CORES), s->pool);
    if (s->memory < 1 || s->memory > nb_db_int(p->pool, 0, PL_MEMORY))
        return nb_fail_field(r, NB_E_INVALID, "memory", "must be 1 to %lld bytes in pool %s",
                             (long long)nb_db_int(p->pool, 0, PL_MEMORY), s->pool);
    return 0;
}

/* The create's own values: disks, modules, owner, ports, address, MAC, QoS, image. */
static int
plan_values(struct nb_req *r, const struct nb_guest_spec *s, struct guest_plan *p)
{
    struct in_addr addr;

    if ((p->disk_total = check_sizes(r, "disks", s->disks, s->ndisks, MAX_DISKS, 1,
                                     INT64_MAX / MAX_DISKS)) < 0 ||
        check_modules(r, s->modules, s->nmodules) < 0 ||
        nb_user_owner(r, s->owner, "guests", &p->owner_id, &p->group_id) < 0)
        return -1;
    if (s->ports != NULL && check_sizes(r, "ports", s->ports, s->nports, MAX_PORTS, 1, 65535) < 0)
        return -1;
    p->wanted_address =
        s->network_address != NULL && s->network_address[0] != '\0' ? s->network_address : NULL;
    if (p->wanted_address != NULL && inet_pton(AF_INET, p->wanted_address, &addr) != 1)
        return nb_fail_field(r, NB_E_INVALID, "network_address", "invalid IPv4 address '%s'",
                             s->network_address);
    p->mac = s->ethernet_address;
    if (p->mac == NULL || p->mac[0] == '\0') {
        if ((p->mac = random_mac(r)) == NULL)
            return -1;
    } else if (nb_check_mac(r, "ethernet_address", p->mac) < 0) {
        return -1;
    }
    if (nb_guest_check_qos(r, &s->qos) < 0)
        return -1;
    if (s->from_image != NULL && s->from_image[0] != '\0' && check_image(r, s->from_image) < 0)
        return -1;
    return 0;
}

/* The template's defaults and a cell with room for the guest. */
static int
plan_place(struct nb_req *r, const struct nb_guest_spec *s, struct guest_plan *p)
{
    if ((p->tmpl = nb_db_query(r, NB_Q_TEMPLATE_SYSTEM, s->template_id)) == NULL)
        return -1;
    if (PQntuples(p->tmpl) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "template %s not found",
                       s->template_id ? s->template_id : "");
    if ((p->cell =
             nb_db_query(r, NB_Q_GUEST_PLACE, nb_db_text(p->pool, 0, PL_ID), int_param(r, s->cores),
                         int_param(r, s->memory), int_param(r, p->disk_total))) == NULL)
        return -1;
    if (PQntuples(p->cell) == 0)
        return nb_fail(r, NB_E_CONFLICT,
                       "no cell in pool %s has room for %lld cores, %lld bytes of memory and %lld "
                       "bytes of disk",
                       s->pool, (long long)s->cores, (long long)s->memory,
                       (long long)p->disk_total);
    return 0;
}

static const char *
or_default(const char *v, const char *fallback)
{
    return v != NULL && v[0] != '\0' ? v : fallback;
}

/* GUEST_INSERT … RETURNING the guest's columns: one statement, the row as every read shows it. */
static const PGresult *
insert_guest(struct nb_req *r, const struct nb_guest_spec *s, const struct guest_plan *p)
{
    const char *limit[NB_QOS__MAX];
    bool own_addresses = nb_db_text(p->pool, 0, PL_ADDRESS_POOL)[0] == '\0';

    for (int l = 0; l < NB_QOS__MAX; l++)
        limit[l] = int_param(r, s->qos.set & (1u << l) ? s->qos.limit[l] : 0);
    return nb_db_query(
        r, NB_Q_GUEST_INSERT, s->name, p->owner_id, p->group_id, nb_db_text(p->pool, 0, PL_ID),
        nb_db_text(p->cell, 0, 0), s->template_id, int_param(r, s->cores), int_param(r, s->memory),
        int_array(r, s->disks, s->ndisks), s->auto_start ? "t" : "f",
        or_default(s->system, nb_db_text(p->tmpl, 0, TS_SYSTEM)),
        own_addresses ? p->wanted_address : NULL, p->mac,
        s->from_image != NULL ? s->from_image : "", text_array(r, s->modules, s->nmodules),
        s->cloud_init != NULL
            ? json_object_to_json_string_ext(s->cloud_init, JSON_C_TO_STRING_PLAIN)
            : "{}",
        s->admin_name != NULL ? s->admin_name : nb_db_text(p->tmpl, 0, TS_ADMIN),
        s->admin_secret != NULL ? s->admin_secret : nb_random_hex(r->arena, 8), monitor_secret(r),
        s->qos.cpu_priority != NULL ? s->qos.cpu_priority : "medium", limit[NB_QOS_WRITE_SPEED],
        limit[NB_QOS_WRITE_IOPS], limit[NB_QOS_READ_SPEED], limit[NB_QOS_READ_IOPS],
        limit[NB_QOS_RECEIVE_SPEED], limit[NB_QOS_SEND_SPEED],
        s->ports != NULL ? int_array(r, s->ports, s->nports) : "{}");
}

int
nb_guest_create(struct nb_req *r, const struct nb_guest_spec *s, const char *batch_id,
                const char **id)
{
    struct guest_plan p = {0};
    const PGresult *row;
    const char *address_pool, *allocated;
    struct nb_guest g;
    struct nb_secgroup sg = {NULL, 0};

    if (nb_check_name(r, "guest", s->name) < 0 || plan_pool(r, s, &p) < 0 ||
        plan_values(r, s, &p) < 0)
        return -1;
    if (s->security_policy_group != NULL && s->security_policy_group[0] != '\0' &&
        nb_secgroup_load(r, s->security_policy_group, &sg) < 0)
        return -1;
    if (plan_place(r, s, &p) < 0 || (row = insert_guest(r, s, &p)) == NULL)
        return -1;
    g = (struct nb_guest){row, 0};
    *id = nb_guest_str(&g, NB_GC_ID);
    if (nb_quota_guest_fits(r, *id,
                            &(struct nb_quota_guest){1, s->cores, s->memory, p.disk_total}) < 0)
        return -1;
    /* A pool with an address pool hands out its addresses (the requested one, if any). */
    address_pool = nb_db_text(p.pool, 0, PL_ADDRESS_POOL);
    if (address_pool[0] != '\0' &&
        nb_address_allocate(r, address_pool, *id, p.wanted_address, &allocated) < 0)
        return -1;
    /* The guest starts with a copy of the group's policy; later edits of either stay apart. */
    if (sg.res != NULL && nb_secgroup_apply(r, *id, &sg) < 0)
        return -1;
    return nb_guest_enqueue(r, &g, NB_OP_CREATE_GUEST, NULL, batch_id, NULL);
}

int
nb_guest_check_qos(struct nb_req *r, const struct nb_guest_qos *qos)
{
    const char *prio = qos->cpu_priority;

    if (prio != NULL && strcmp(prio, "high") != 0 && strcmp(prio, "medium") != 0 &&
        strcmp(prio, "low") != 0)
        return nb_fail_field(r, NB_E_INVALID, "cpu_priority", "must be high, medium or low");
    for (int l = 0; l < NB_QOS__MAX; l++)
        if ((qos->set & (1u << l)) && qos->limit[l] < 0)
            return nb_fail_field(r, NB_E_INVALID, nb_qos_limit_name[l],
                                 "must be an integer of at least 0 (0 = unlimited)");
    return 0;
}

int
nb_guest_stopped(struct nb_req *r, const struct nb_guest *g, const char *what)
{
    if (nb_guest_bool(g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is running; %s only while it is stopped",
                       nb_guest_str(g, NB_GC_NAME), what);
    return 0;
}

/* New cores and memory fit the largest cell of the guest's pool; memory, and cores now,
 * change only while the guest is stopped. */
static int
check_resources(struct nb_req *r, const struct nb_guest *g, const struct nb_guest_change *c)
{
    const PGresult *pool = nb_db_query(r, NB_Q_POOL_LIMITS, nb_guest_str(g, NB_GC_POOL));
    int64_t cores, memory;

    if (pool == NULL)
        return -1;
    cores = PQntuples(pool) > 0 ? nb_db_int(pool, 0, PL_CORES) : 0;
    memory = PQntuples(pool) > 0 ? nb_db_int(pool, 0, PL_MEMORY) : 0;
    if (c->set & NB_GUEST_SET_CORES) {
        if (c->cores < 1 || c->cores > cores)
            return nb_fail_field(r, NB_E_INVALID, "cores", "must be 1 to %lld", (long long)cores);
        if (c->immediate && nb_guest_stopped(r, g, "cores change immediately") < 0)
            return -1;
    }
    if (c->set & NB_GUEST_SET_MEMORY) {
        if (c->memory < 1 || c->memory > memory)
            return nb_fail_field(r, NB_E_INVALID, "memory", "must be 1 to %lld bytes",
                                 (long long)memory);
        if (nb_guest_stopped(r, g, "memory can change") < 0)
            return -1;
    }
    return 0;
}

/* The columns a change sets, as GUEST_APPLY takes them. */
static struct json_object *
change_json(struct nb_req *r, const struct nb_guest_change *c)
{
    /* GUEST_APPLY's names of the QoS limits, in the order of enum nb_qos_limit. */
    static const char *const qos_column[NB_QOS__MAX] = {
        "qos_write_speed", "qos_write_iops",    "qos_read_speed",
        "qos_read_iops",   "qos_receive_speed", "qos_send_speed",
    };
    struct json_object *set = nb_json_own(r, json_object_new_object());

    if (c->set & NB_GUEST_SET_NAME)
        json_object_object_add(set, "name", json_object_new_string(c->name));
    if (c->set & NB_GUEST_SET_AUTO_START)
        json_object_object_add(set, "auto_start", json_object_new_boolean(c->auto_start));
    if (c->set & NB_GUEST_SET_CORES)
        json_object_object_add(set, "cores", json_object_new_int64(c->cores));
    if (c->set & NB_GUEST_SET_MEMORY)
        json_object_object_add(set, "memory", json_object_new_int64(c->memory));
    if ((c->set & NB_GUEST_SET_QOS) && c->qos.cpu_priority != NULL)
        json_object_object_add(set, "cpu_priority", json_object_new_string(c->qos.cpu_priority));
    for (int l = 0; (c->set & NB_GUEST_SET_QOS) && l < NB_QOS__MAX; l++)
        if (c->qos.set & (1u << l))
            json_object_object_add(set, qos_column[l], json_object_new_int64(c->qos.limit[l]));
    if (c->set & NB_GUEST_SET_POLICY_DEFAULT)
        json_object_object_add(set, "policy_default", json_object_new_string(c->policy_default));
    if (c->set & NB_GUEST_SET_POLICY_RULES)
        json_object_object_add(set, "policy_rules", json_object_get(c->policy_rules));
    return set;
}

static int check_cell_can(struct nb_req *r, const struct nb_guest *g, enum nb_op_kind kind,
                          struct json_object *params);

/* Queues an operation that grows guest g by growth and charges the growth as pending on it:
 * the row (and the usage its trigger keeps) takes the growth only when the host has it, and
 * until then the charge keeps a concurrent growth from passing the same check. Lock order,
 * as on every path that moves usage (docs/architecture.md): the operation's insert takes its
 * key-share lock on the cell, then the charge locks the holdings, last. The quota is checked
 * before what the cell can do (a refusal of either rolls the operation back). */
static int
enqueue_growth(struct nb_req *r, const struct nb_guest *g, enum nb_op_kind kind,
               struct json_object *params, const struct nb_quota_guest *growth)
{
    const char *op;

    if (nb_op_add(r, kind, nb_guest_str(g, NB_GC_ID), nb_guest_str(g, NB_GC_CELL_ID), params, NULL,
                  &op) < 0 ||
        nb_quota_guest_pend(r, op, nb_guest_str(g, NB_GC_ID), growth) < 0)
        return -1;
    return check_cell_can(r, g, kind, params);
}

int
nb_guest_resize_disk(struct nb_req *r, const struct nb_guest *g, long disk, int64_t size,
                     int64_t current)
{
    struct json_object *params = nb_json_own(r, json_object_new_object());

    json_object_object_add(params, "disk", json_object_new_int64(disk));
    json_object_object_add(params, "size", json_object_new_int64(size));
    return enqueue_growth(r, g, NB_OP_RESIZE_DISK, params,
                          &(struct nb_quota_guest){.disk = size - current});
}

struct json_object *
nb_guest_rules_ahead(struct nb_req *r, const struct nb_guest *g)
{
    const char *id = nb_guest_str(g, NB_GC_ID);
    const PGresult *res;

    if (nb_db_query(r, NB_Q_GUEST_LOCK, id) == NULL ||
        (res = nb_db_query(r, NB_Q_GUEST_RULES_AHEAD, id)) == NULL)
        return NULL;
    if (PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "guest %s not found", id);
        return NULL;
    }
    return nb_json_own(r, nb_db_json(res, 0, 0));
}

/* The growth of cores and memory change c asks of guest g, priced from the least the guest can
 * have when its operation runs (GUEST_LEAST), under the guest's row lock. */
static int
growth_from_least(struct nb_req *r, const struct nb_guest *g, const struct nb_guest_change *c,
                  struct nb_quota_guest *growth)
{
    const char *id = nb_guest_str(g, NB_GC_ID);
    const PGresult *res;

    if (nb_db_query(r, NB_Q_GUEST_LOCK, id) == NULL ||
        (res = nb_db_query(r, NB_Q_GUEST_LEAST, id)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s not found", id);
    if (c->set & NB_GUEST_SET_CORES)
        growth->cores = c->cores - nb_db_int(res, 0, 0);
    if (c->set & NB_GUEST_SET_MEMORY)
        growth->memory = c->memory - nb_db_int(res, 0, 1);
    return 0;
}

int
nb_guest_modify(struct nb_req *r, const struct nb_guest *g, const struct nb_guest_change *c)
{
    struct json_object *set, *params;
    struct nb_quota_guest growth = {0};

    if ((c->set & NB_GUEST_SET_NAME) && nb_check_name(r, "guest", c->name) < 0)
        return -1;
    if ((c->set & (NB_GUEST_SET_CORES | NB_GUEST_SET_MEMORY)) && check_resources(r, g, c) < 0)
        return -1;
    if ((c->set & NB_GUEST_SET_QOS) && nb_guest_check_qos(r, &c->qos) < 0)
        return -1;
    set = change_json(r, c);
    /* A name is the API's alone: it holds at once. */
    if ((c->set & ~(unsigned)NB_GUEST_SET_NAME) == 0)
        return nb_db_query(r, NB_Q_GUEST_APPLY, nb_guest_str(g, NB_GC_ID),
                           json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN)) != NULL
                   ? 0
                   : -1;
    /* Everything else the guest's domain reflects: the row takes it only once sync_guest has
     * carried it to the host, so a change the host refuses leaves the row as it was. */
    params = nb_json_own(r, json_object_new_object());
    json_object_object_add(params, "set", json_object_get(set));
    if ((c->set & (NB_GUEST_SET_CORES | NB_GUEST_SET_MEMORY)) &&
        growth_from_least(r, g, c, &growth) < 0)
        return -1;
    return enqueue_growth(r, g, NB_OP_SYNC_GUEST, params, &growth);
}

int
nb_guest_reset_monitor_secret(struct nb_req *r, const struct nb_guest *g)
{
    struct json_object *set = json_object_new_object();
    struct json_object *params = nb_json_own(r, json_object_new_object());

    json_object_object_add(set, "monitor_secret", json_object_new_string(monitor_secret(r)));
    json_object_object_add(params, "set", set);
    return nb_guest_enqueue(r, g, NB_OP_SYNC_GUEST, params, NULL, NULL);
}

/* What the guest's cell must be able to do for an operation of kind: the names recorded in
 * cells.lacks by the reconciler (migration 021); NULL when the kind needs nothing special. */
static const char *const *
kind_needs(enum nb_op_kind kind, struct json_object *set)
{
    static const char *const define[] = {"nwfilter", "volume upload", NULL};
    static const char *const resize[] = {"volume resize", NULL};
    static const char *const download[] = {"volume download", NULL};
    static const char *const upload[] = {"volume upload", NULL};
    static const char *const device[] = {"device update", NULL};
    /* a new monitor secret reaches a running domain's graphics: virDomainUpdateDeviceFlags */
    static const char *const define_graphics[] = {"nwfilter", "volume upload", "device update",
                                                  NULL};

    switch (kind) {
    case NB_OP_SYNC_GUEST:
        return nb_json_get(set, "monitor_secret") != NULL ? define_graphics : define;
    case NB_OP_CREATE_GUEST:
        return define;
    case NB_OP_RESIZE_DISK:
        return resize;
    case NB_OP_CREATE_DISK_IMAGE:
        return download;
    case NB_OP_RESET_SYSTEM:
        return upload;
    case NB_OP_INSERT_MEDIA:
    case NB_OP_EJECT_MEDIA: /* a running domain's cdrom: virDomainUpdateDeviceFlags */
        return device;
    default:
        return NULL;
    }
}

/* Refuses (conflict) an operation the guest's cell cannot carry out, as the guest's row now
 * reads with the change params carries (its security policy, its image), before it is queued:
 * never accepted to fail later. */
static int
check_cell_can(struct nb_req *r, const struct nb_guest *g, enum nb_op_kind kind,
               struct json_object *params)
{
    struct json_object *set = kind == NB_OP_SYNC_GUEST ? nb_json_get(params, "set") : NULL;
    const char *const *needs = kind_needs(kind, set);
    const PGresult *res;

    if (needs == NULL || nb_guest_str(g, NB_GC_CELL_ID)[0] == '\0')
        return 0;
    res = nb_db_query(
        r, NB_Q_GUEST_CELL_LACKS, nb_guest_str(g, NB_GC_ID), nb_db_json_list(r, needs),
        kind == NB_OP_CREATE_GUEST || kind == NB_OP_SYNC_GUEST ? "t" : "f",
        set != NULL ? json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN) : NULL);
    if (res == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "cell %s lacks %s (libvirt driver %s)",
                       nb_db_text(res, 0, 0), nb_db_text(res, 0, 2), nb_db_text(res, 0, 1));
    return 0;
}

int
nb_guest_enqueue(struct nb_req *r, const struct nb_guest *g, enum nb_op_kind kind,
                 struct json_object *params, const char *batch_id, const char **op_id)
{
    if (check_cell_can(r, g, kind, params) < 0)
        return -1;
    return nb_op_add(r, kind, nb_guest_str(g, NB_GC_ID), nb_guest_str(g, NB_GC_CELL_ID), params,
                     batch_id, op_id);
}

int
nb_guest_auth_store(struct nb_req *r, const struct nb_guest *g, const char *user,
                    const char *password)
{
    const PGresult *res =
        nb_db_query(r, NB_Q_GUEST_AUTH_STORE, nb_guest_str(g, NB_GC_ID), user, password);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_CONFLICT, "guest %s started meanwhile; set its password again",
                       nb_guest_str(g, NB_GC_NAME));
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

const PGresult *
nb_guest_search(struct nb_req *r, const struct nb_guest_filter *f)
{
    static const char *const tristate[] = {"f", "t"};

    return nb_db_query_scoped(r, NB_Q_GUEST_SEARCH, f->pool, f->cell, f->owner, f->group,
                              f->running >= 0 ? tristate[f->running != 0] : NULL,
                              f->created >= 0 ? tristate[f->created != 0] : NULL, f->after,
                              int_param(r, f->limit));
}

const PGresult *
nb_guest_keyword(struct nb_req *r, const struct nb_guest_filter *f)
{
    return nb_db_query_scoped(r, NB_Q_GUEST_KEYWORD, f->pool, f->cell, f->keyword,
                              int_param(r, f->limit), int_param(r, f->offset));
}

const PGresult *
nb_guest_snapshots(struct nb_req *r, const struct nb_guest *g)
{
    return nb_db_query(r, NB_Q_SNAPSHOT_LIST, nb_guest_str(g, NB_GC_ID));
}

int
nb_guest_clone_disk(struct nb_req *r, const struct nb_image_spec *spec, const char *guest_id,
                    const char **id)
{
    struct nb_guest g;
    struct json_object *params = nb_json_own(r, json_object_new_object());
    const char *op;

    if (nb_guest_load(r, guest_id, &g) < 0)
        return -1;
    if (!nb_guest_bool(&g, NB_GC_CREATED))
        return nb_fail_field(r, NB_E_CONFLICT, "guest", "guest %s is not created yet",
                             nb_guest_str(&g, NB_GC_NAME));
    if (nb_guest_bool(&g, NB_GC_RUNNING))
        return nb_fail_field(r, NB_E_CONFLICT, "guest",
                             "guest %s is running; stop it before cloning its disk",
                             nb_guest_str(&g, NB_GC_NAME));
    if (nb_guest_idle(r, &g) < 0 ||
        nb_image_create(r, NB_IMAGE_DISK, spec, nb_guest_str(&g, NB_GC_ID), id) < 0)
        return -1;
    json_object_object_add(params, "image", json_object_new_string(*id));
    if (nb_guest_enqueue(r, &g, NB_OP_CREATE_DISK_IMAGE, params, NULL, &op) < 0)
        return -1;
    return nb_image_set_operation(r, *id, op);
}
