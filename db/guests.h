/* Guests as every dialect sees them: load (with visibility), create (placement, addresses),
 * and operations queued for the reconciler. */
#ifndef NB_GUESTS_H
#define NB_GUESTS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* Columns of a guest read, in the order of NB_GUEST_COLUMNS (db/queries/guests.def). */
enum nb_guest_col {
    NB_GC_ID, NB_GC_NAME, NB_GC_OWNER, NB_GC_GROUP, NB_GC_POOL, NB_GC_CELL, NB_GC_HOST,
    NB_GC_TEMPLATE, NB_GC_SYSTEM, NB_GC_CORES, NB_GC_MEMORY, NB_GC_DISKS, NB_GC_TOTAL_DISK,
    NB_GC_AUTO_START, NB_GC_CREATED, NB_GC_RUNNING, NB_GC_LOST, NB_GC_MIGRATING, NB_GC_PROGRESS,
    NB_GC_MAC, NB_GC_NETWORK_ADDRESS, NB_GC_ALLOCATED_ADDRESS, NB_GC_DISPLAY_ADDRESS,
    NB_GC_DISPLAY_PROTOCOL, NB_GC_MONITOR_SECRET, NB_GC_CREATE_TIME, NB_GC_CPU_PRIORITY,
    NB_GC_QOS_WRITE_SPEED, NB_GC_QOS_WRITE_IOPS, NB_GC_QOS_READ_SPEED, NB_GC_QOS_READ_IOPS,
    NB_GC_QOS_RECEIVE_SPEED, NB_GC_QOS_SEND_SPEED, NB_GC_CPU_USAGE, NB_GC_MEMORY_AVAILABLE,
    NB_GC_DISK_AVAILABLE, NB_GC_BYTES_READ, NB_GC_BYTES_WRITTEN, NB_GC_BYTES_RECEIVED,
    NB_GC_BYTES_SENT, NB_GC_MEDIA_ATTACHED, NB_GC_MEDIA_SOURCE, NB_GC_ADMIN_NAME,
    NB_GC_ADMIN_SECRET, NB_GC_POLICY_DEFAULT, NB_GC_POLICY_RULES, NB_GC_OWNER_ID, NB_GC_CELL_ID,
    NB_GC_FROM_IMAGE, NB_GC_CREATE_ERROR,
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

/* What a create request asks for, after the body check. JSON fields stay JSON text. */
struct nb_guest_spec {
    const char *name, *owner, *group, *pool, *template_id, *system;
    const char *network_address, *ethernet_address, *from_image, *security_policy_group;
    const char *disks_json, *modules_json, *cloud_init_json, *qos_json, *ports_json;
    struct json_object *disks, *modules, *cloud_init, *qos, *ports;
    int64_t cores, memory;
    bool auto_start;
};

/* Validates spec, places the guest on a cell, allocates its address, inserts it and queues
 * create_guest (batch_id may be NULL). A security_policy_group the caller can see gives the
 * guest a copy of its default action and rules. *id is the new guest's id. Runs inside the
 * caller's transaction. */
int nb_guest_create(struct nb_req *r, const struct nb_guest_spec *spec, const char *batch_id,
                    const char **id);
/* Fills spec from a JSON body with the GuestConfig fields. */
void nb_guest_spec_from_json(struct nb_req *r, struct json_object *o, struct nb_guest_spec *spec);

/* QoS settings: cpu_priority high|medium|low, the six limits integers >= 0, nothing else. */
int nb_guest_check_qos(struct nb_req *r, struct json_object *qos);
/* Queues an operation of kind on the guest's cell; params is JSON text (NULL: {}). */
int nb_guest_enqueue(struct nb_req *r, const struct nb_guest *g, const char *kind,
                     const char *params, const char *batch_id, const char **op_id);
/* Refuses (conflict) while another operation on the guest is open. */
int nb_guest_idle(struct nb_req *r, const struct nb_guest *g);
/* Applies desired-state changes given as a JSON object of GUEST_SET's keys. */
int nb_guest_set(struct nb_req *r, const struct nb_guest *g, struct json_object *changes);

#endif
