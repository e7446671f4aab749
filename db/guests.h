/* Guests as every dialect sees them: load (with visibility), create (placement, addresses),
 * and operations queued for the reconciler. */
#ifndef NB_GUESTS_H
#define NB_GUESTS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"
#include "db/operations.h"

/* Columns of a guest read, in the order of NB_GUEST_COLUMNS (db/queries/guests.def). */
enum nb_guest_col {
    NB_GC_ID,
    NB_GC_NAME,
    NB_GC_OWNER,
    NB_GC_GROUP,
    NB_GC_POOL,
    NB_GC_CELL,
    NB_GC_HOST,
    NB_GC_TEMPLATE,
    NB_GC_SYSTEM,
    NB_GC_CORES,
    NB_GC_MEMORY,
    NB_GC_DISKS,
    NB_GC_TOTAL_DISK,
    NB_GC_AUTO_START,
    NB_GC_CREATED,
    NB_GC_RUNNING,
    NB_GC_LOST,
    NB_GC_MIGRATING,
    NB_GC_PROGRESS,
    NB_GC_MAC,
    NB_GC_NETWORK_ADDRESS,
    NB_GC_ALLOCATED_ADDRESS,
    NB_GC_DISPLAY_ADDRESS,
    NB_GC_DISPLAY_PROTOCOL,
    NB_GC_MONITOR_SECRET,
    NB_GC_CREATE_TIME,
    NB_GC_CPU_PRIORITY,
    NB_GC_QOS_WRITE_SPEED,
    NB_GC_QOS_WRITE_IOPS,
    NB_GC_QOS_READ_SPEED,
    NB_GC_QOS_READ_IOPS,
    NB_GC_QOS_RECEIVE_SPEED,
    NB_GC_QOS_SEND_SPEED,
    NB_GC_CPU_USAGE,
    NB_GC_MEMORY_AVAILABLE,
    NB_GC_DISK_AVAILABLE,
    NB_GC_BYTES_READ,
    NB_GC_BYTES_WRITTEN,
    NB_GC_BYTES_RECEIVED,
    NB_GC_BYTES_SENT,
    NB_GC_MEDIA_ATTACHED,
    NB_GC_MEDIA_SOURCE,
    NB_GC_ADMIN_NAME,
    NB_GC_ADMIN_SECRET,
    NB_GC_POLICY_DEFAULT,
    NB_GC_POLICY_RULES,
    NB_GC_OWNER_ID,
    NB_GC_CELL_ID,
    NB_GC_FROM_IMAGE,
    NB_GC_CREATE_ERROR,
    NB_GC__MAX
};

/* One guest: a row of a result that lives as long as the request. */
struct nb_guest {
    const PGresult *res;
    int row;
};

const char *nb_guest_str(const struct nb_guest *g, enum nb_guest_col c);
int64_t nb_guest_int(const struct nb_guest *g, enum nb_guest_col c);
bool nb_guest_bool(const struct nb_guest *g, enum nb_guest_col c);
double nb_guest_double(const struct nb_guest *g, enum nb_guest_col c);

/* Loads a guest the caller may see; anything else (unknown, malformed id, someone else's)
 * is NB_E_NOT_FOUND "guest <id> not found". */
int nb_guest_load(struct nb_req *r, const char *id, struct nb_guest *g);

/* QoS settings: cpu_priority high|medium|low, and limits (bytes/s or IOPS, 0 unlimited). */
enum nb_qos_limit {
    NB_QOS_WRITE_SPEED,
    NB_QOS_WRITE_IOPS,
    NB_QOS_READ_SPEED,
    NB_QOS_READ_IOPS,
    NB_QOS_RECEIVE_SPEED,
    NB_QOS_SEND_SPEED,
    NB_QOS__MAX
};
/* Each limit's name, also the field an error about it names. */
extern const char *const nb_qos_limit_name[NB_QOS__MAX];

struct nb_guest_qos {
    const char *cpu_priority; /* NULL: unchanged (medium for a new guest) */
    unsigned set;             /* bit l: limit[l] is given */
    int64_t limit[NB_QOS__MAX];
};

/* What a create request asks for, after the body check. Arrays are the request's. */
struct nb_guest_spec {
    const char *name, *owner, *group, *pool, *template_id, *system;
    const char *network_address, *ethernet_address, *from_image, *security_policy_group;
    const char *admin_name, *admin_secret; /* from cloud-init; NULL: the template's, random */
    struct json_object *cloud_init;        /* kept with the guest as given; NULL: {} */
    const int64_t *disks;                  /* bytes */
    size_t ndisks;
    const int64_t *ports; /* NULL: none given */
    size_t nports;
    const char *const *modules; /* NULL entries are not strings */
    size_t nmodules;
    struct nb_guest_qos qos;
    int64_t cores, memory;
    bool auto_start;
};

/* Validates spec, checks the quotas of the owner's base project (db/quotas.h), places the guest on
 * a cell, inserts it (one statement, which returns it), allocates its address and queues
 * create_guest (batch_id may be NULL). A security_policy_group the caller can see gives the guest a
 * copy of its default action and rules. *id is the new guest's id. Runs inside the caller's
 * transaction. */
int nb_guest_create(struct nb_req *r, const struct nb_guest_spec *spec, const char *batch_id,
                    const char **id);

/* A change of a guest's desired state: the fields whose NB_GUEST_SET_* bit is in set. */
enum {
    NB_GUEST_SET_NAME = 1u << 0,
    NB_GUEST_SET_AUTO_START = 1u << 1,
    NB_GUEST_SET_CORES = 1u << 2,
    NB_GUEST_SET_MEMORY = 1u << 3,
    NB_GUEST_SET_QOS = 1u << 4, /* qos.cpu_priority when not NULL, the limits qos.set names */
    NB_GUEST_SET_POLICY_DEFAULT = 1u << 5,
    NB_GUEST_SET_POLICY_RULES = 1u << 6,
};
struct nb_guest_change {
    unsigned set;
    const char *name;
    bool auto_start;
    int64_t cores, memory;
    bool immediate; /* cores: now, so only while the guest is stopped */
    struct nb_guest_qos qos;
    const char *policy_default;       /* accept | reject */
    struct json_object *policy_rules; /* a JSON array of checked rules */
};
/* Checks and applies a change: a name is a valid name; cores and memory fit the largest cell
 * of the guest's pool; memory, and cores given immediate, only while the guest is stopped;
 * QoS as nb_guest_check_qos. A name alone is written at once; anything else is queued as
 * sync_guest with the change in its params ({"set": …}), and the row takes it only once the
 * host has it (the reconciler writes it), so a change the host refuses changes nothing. */
int nb_guest_modify(struct nb_req *r, const struct nb_guest *g, const struct nb_guest_change *c);
/* The security-policy rules guest g will have once its queued changes have run (a JSON array
 * the request owns), with the guest's row locked to the end of the transaction: the list a rule
 * edit starts from, so that edits of one guest queued one behind the other all hold. NULL on
 * failure. */
struct json_object *nb_guest_rules_ahead(struct nb_req *r, const struct nb_guest *g);
/* Queues a new random monitor secret (the VNC password of the guest's console) as sync_guest:
 * the domain is defined with it and, while it runs, its graphics device takes it live; the row
 * takes it only once the host has it. A cell that lacks "device update" is refused up front. */
int nb_guest_reset_monitor_secret(struct nb_req *r, const struct nb_guest *g);
/* Queues growing disk number disk of the guest from current to size bytes, once the quotas
 * of its project and owner have room for the difference (db/quotas.h); the guest row
 * changes, and the quotas are charged, when the host has grown it. */
int nb_guest_resize_disk(struct nb_req *r, const struct nb_guest *g, long disk, int64_t size,
                         int64_t current);
/* Refuses (conflict) while the guest runs: "<what> only while it is stopped". */
int nb_guest_stopped(struct nb_req *r, const struct nb_guest *g, const char *what);
/* QoS settings: cpu_priority high, medium or low; limits at least 0. */
int nb_guest_check_qos(struct nb_req *r, const struct nb_guest_qos *qos);

/* Queues an operation of kind on the guest's cell; params a JSON object (NULL: {}). */
int nb_guest_enqueue(struct nb_req *r, const struct nb_guest *g, enum nb_op_kind kind,
                     struct json_object *params, const char *batch_id, const char **op_id);
/* Stores the administrator's credentials of a stopped guest at once; the reconciler sets them
 * through the guest agent when the guest next runs. Refused (conflict) when it runs. */
int nb_guest_auth_store(struct nb_req *r, const struct nb_guest *g, const char *user,
                        const char *password);
/* Refuses (conflict) while another operation on the guest is open. */
int nb_guest_idle(struct nb_req *r, const struct nb_guest *g);

/* Filters of a guest search: NULL (or -1 for running and created) when not given. */
struct nb_guest_filter {
    const char *pool, *cell, *owner, *group;
    int running, created;
    const char *keyword;
    const char *after; /* keyset paging: the last id of the previous page */
    int64_t limit, offset;
};
/* The guests the caller may see that match f, oldest first, at most f->limit from after;
 * NULL with the error recorded. */
const PGresult *nb_guest_search(struct nb_req *r, const struct nb_guest_filter *f);
/* The same by keyword (name, address, cell name or address) from f->offset, each row ending
 * with the count of all matches (column NB_GC__MAX). */
const PGresult *nb_guest_keyword(struct nb_req *r, const struct nb_guest_filter *f);

/* Columns of a snapshot read, in the order of SNAPSHOT_LIST (db/queries/guests.def). */
enum nb_snapshot_col {
    NB_SNC_NAME,
    NB_SNC_PARENT,
    NB_SNC_CURRENT,
    NB_SNC_DESCRIPTION,
    NB_SNC_RUNNING,
    NB_SNC_CREATED,
    NB_SNC__MAX
};
/* The snapshots of a loaded guest, oldest first; NULL with the error recorded. */
const PGresult *nb_guest_snapshots(struct nb_req *r, const struct nb_guest *g);

/* Creates a disk image record (db/images.h) cloned from the caller's guest guest_id, which
 * must be created, stopped and idle, and queues create_disk_image on its cell
 * (docs/operations.md). */
struct nb_image_spec;
int nb_guest_clone_disk(struct nb_req *r, const struct nb_image_spec *spec, const char *guest_id,
                        const char **id);

#endif
