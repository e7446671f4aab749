/* nimbus-reconciler: makes libvirt hosts match the database and records what it observes.
 * The only part of Nimbus that talks to libvirt. */
#ifndef NB_RECONCILER_H
#define NB_RECONCILER_H

#include <libpq-fe.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/image_store.h"
#include "app/request.h"

/* A cell this reconciler holds the lease on, with its (cached) libvirt connection. */
struct nb_cell {
    int64_t id;
    char name[64];
    char uri[512];
    char paths[1024];  /* system storage paths, newline-separated */
    char address[256]; /* the host's name as its URI gives it */
    virConnectPtr conn;
    bool reported_dead; /* logged as unreachable already: log transitions, not every cycle */
    bool held;          /* still in the lease set of the current cycle */
    bool pool_failed;   /* making its storage pool failed (logged once) */
    struct nb_cpu_sample *samples; /* last cycle's guest cpu times, sorted by uuid (malloc) */
    int nsamples;
};

/* A guest's cpu time when last observed: cpu_usage comes from the delta. */
struct nb_cpu_sample {
    unsigned char uuid[VIR_UUID_BUFLEN];
    unsigned long long cpu_ns, at_ns;
};

struct nb_reconciler {
    const char *id; /* host:pid, the lease owner */
    int ttl;        /* lease lifetime, seconds */
    int period;     /* resync period, seconds */
    struct nb_cell cells[256];
    int ncells;
    struct nb_arena *op_arena; /* reset after every operation */
};

/* A guest row and its template as operations need them (present false: the row is gone). */
struct nb_guest_spec {
    bool present;
    const char *name;
    int cores;
    int64_t memory;    /* bytes */
    int64_t disks[16]; /* bytes */
    int ndisks;
    bool auto_start;
    const char *mac, *monitor_secret, *cpu_priority;
    int64_t qos_read_speed, qos_write_speed, qos_read_iops, qos_write_iops; /* bytes/s, IOPS */
    int64_t qos_receive_speed, qos_send_speed;                              /* bytes/s */
    const char *bus, *nic, *video, *control, *usb, *tablet;                 /* from the template */
    const char *from_image_file;      /* the disk image's file in the store, "" when none */
    const char *policy_default;       /* accept | reject */
    struct json_object *policy_rules; /* the security policy's rules, a JSON array */
};

/* One operation being run. Everything hangs off the operation's arena. */
struct nb_op {
    const char *id, *kind, *guest_id;
    struct json_object *params;
    struct nb_cell *cell;
    virDomainPtr dom; /* the guest's domain, NULL when not defined */
    struct nb_guest_spec g;
    struct nb_reconciler *rc;   /* the cells it holds, for kinds that reach another cell */
    struct json_object *result; /* set by a kind that reports one (operations.result) */
    const char *media;          /* ISO path for the CD-ROM drive when (re)defining, NULL: empty */
    bool boot_media;            /* boot from the CD-ROM first */
    /* What the host shows once the operation is through (read once, by nb_op_closing or
     * after the kind returns): whether the domain runs (-1: no domain), its console. */
    bool seen;
    int active;
    const char *display;
};

/* Records libvirt's last error as the operation's failure and returns -1. */
#define nb_vir_fail(r) nb_fail((r), NB_E_CONFLICT, "%s", virGetLastErrorMessage())

/* Renews, claims and releases cell leases; r->cells afterwards is the held set. */
int nb_lease_cycle(struct nb_req *r, struct nb_reconciler *rc);
/* Gives up every lease (orderly shutdown). */
void nb_lease_release_all(struct nb_req *r, struct nb_reconciler *rc);

/* Observes a held cell's host and writes its figures or its failure. */
void nb_cell_observe(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c);
/* Closes the cell's libvirt connection, if open, and forgets its guests' samples. */
void nb_cell_disconnect(struct nb_cell *c);
/* Copies name, URI and paths (columns 1, 2 and 3 of row) into c; false when one is longer
 * than its field, for a cut URI would reach another host. */
bool nb_cell_copy_row(struct nb_cell *c, const PGresult *res, int row);

/* Observes the guest domains of a held cell and writes them in one statement; an unreachable
 * cell (no connection) reports its created guests lost. */
void nb_guests_observe(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c);
/* "host:port" of a running domain's console as the observation reads it; "" when it has
 * none (stopped, no graphics, or its definition unreadable). */
const char *nb_guest_display(struct nb_req *r, const struct nb_cell *c, virDomainPtr dom);
/* Credentials stored while a guest was stopped (PUT /guests/{id}/auth) set through the guest
 * agent of each running guest of the cell that has them pending; a guest whose agent does not
 * answer yet (still booting) is tried again next period. */
void nb_guests_apply_auth(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c);

/* Runs the oldest open operation of each guest on the held, connected cells (bounded per
 * cycle); returns how many ran. */
int nb_ops_run(struct nb_req *r, struct nb_reconciler *rc);
/* Opens the transaction the operation finishes in. A kind whose last step records what the host
 * now has (a guest row's new size, whose trigger moves usage) calls it before that write; the
 * runner then commits it with the operation's status done, which releases the operation's
 * pending quota charge (migration 023), so usage never counts the growth twice nor drops it;
 * it rolls it all back when anything fails, or when the operation is no longer running (ended
 * by another reconciler meanwhile). What the runner records of the host it reads first: no
 * libvirt call is made while the transaction holds row locks. No progress write after it. */
int nb_op_closing(struct nb_req *r, struct nb_op *op);
/* Records an operation's progress (0-100); a failed write is only logged. */
void nb_op_progress(struct nb_req *r, const struct nb_op *op, int percent);
/* libvirt objects released when the arena resets; NULL passes through. */
virDomainPtr nb_own_domain(struct nb_req *r, virDomainPtr d);
virStoragePoolPtr nb_own_pool(struct nb_req *r, virStoragePoolPtr p);
virStorageVolPtr nb_own_volume(struct nb_req *r, virStorageVolPtr v);
virDomainSnapshotPtr nb_own_snapshot(struct nb_req *r, virDomainSnapshotPtr s);
void *nb_own_malloc(struct nb_req *r, void *p);
struct json_object *nb_own_json(struct nb_req *r, struct json_object *o);
/* Operation kinds (docs/operations.md): 0 done, or -1 with the failure recorded in r->err. */
int nb_op_create_guest(struct nb_req *r, struct nb_op *op);
int nb_op_delete_guest(struct nb_req *r, struct nb_op *op);
int nb_op_start_guest(struct nb_req *r, struct nb_op *op);
int nb_op_stop_guest(struct nb_req *r, struct nb_op *op);
int nb_op_sync_guest(struct nb_req *r, struct nb_op *op);
int nb_op_resize_disk(struct nb_req *r, struct nb_op *op);
int nb_op_shrink_disk(struct nb_req *r, struct nb_op *op);
int nb_op_create_snapshot(struct nb_req *r, struct nb_op *op);
int nb_op_restore_snapshot(struct nb_req *r, struct nb_op *op);
int nb_op_delete_snapshot(struct nb_req *r, struct nb_op *op);
int nb_op_migrate_guest(struct nb_req *r, struct nb_op *op);
int nb_op_create_disk_image(struct nb_req *r, struct nb_op *op);
int nb_op_reset_system(struct nb_req *r, struct nb_op *op);
int nb_op_insert_media(struct nb_req *r, struct nb_op *op);
int nb_op_eject_media(struct nb_req *r, struct nb_op *op);
int nb_op_set_password(struct nb_req *r, struct nb_op *op);

/* A string param of the operation, "" when absent. */
const char *nb_op_param(const struct nb_op *op, const char *key);
/* The store path of image params.image of kind ("media", "disk") that has its file, or NULL
 * with the failure recorded. */
const char *nb_op_image_path(struct nb_req *r, const struct nb_op *op, const char *kind);

/* Rebuilds volume 0 of the guest from the disk image file at path: uploaded (a stream) into a
 * staging volume, seen by the host as qcow2, copied into <guest id>-0.qcow2 at disks[0]
 * bytes (or the image's size when bigger), staging removed. The old volume 0 goes only once
 * the upload worked. 0, or -1 with libvirt's message. */
int nb_volume_from_image(struct nb_req *r, struct nb_op *op, const char *path);

/* Makes the host's nwfilter nimbus-<guest id> match the guest's policy before the domain is
 * (re)defined: defined when the policy needs one; 0 or -1 with libvirt's message. */
int nb_nwfilter_apply(struct nb_req *r, struct nb_op *op);
/* Removes the guest's filter when the policy needs none (after the domain stopped naming it);
 * a host without nwfilter support has none to remove. */
int nb_nwfilter_remove(struct nb_req *r, virConnectPtr conn, const char *guest_id);

/* Volumes are named <guest id>-<n>.qcow2 and live in the cell's storage pools. */
const char *nb_volume_name(struct nb_req *r, const char *guest_id, int n);
/* The <volume> definition of a new volume: name, capacity in bytes, format (qcow2, raw). */
const char *nb_volume_xml(struct nb_req *r, const char *name, unsigned long long capacity,
                          const char *format);
/* The volume's path, creating it (capacity bytes, qcow2) in the cell's first active pool when
 * missing; NULL with the failure recorded. */
const char *nb_volume_ensure(struct nb_req *r, struct nb_cell *c, const char *name,
                             int64_t capacity);
/* The pool new volumes go to: the host's first active pool, else "nimbus" at the cell's first
 * system path (defined and started); NULL with libvirt's message. */
virStoragePoolPtr nb_volume_pool(struct nb_req *r, struct nb_cell *c);
/* The volume of that name in any active pool of the host, or NULL (no failure recorded). */
virStorageVolPtr nb_volume_find(struct nb_req *r, virConnectPtr conn, const char *name);
/* A host without an active pool gets a directory pool "nimbus" at the cell's first system path
 * (defined, built, started, autostarted); the pool, or NULL with libvirt's message recorded. */
virStoragePoolPtr nb_storage_pool_ensure(struct nb_req *r, struct nb_cell *c);
/* Deletes every volume of the guest; 0, or -1 with libvirt's message. */
int nb_volumes_delete(struct nb_req *r, virConnectPtr conn, const char *guest_id);
/* Free bytes (capacity - allocation) of the volume at path; false when unknown. */
bool nb_volume_free(virConnectPtr conn, const char *path, unsigned long long *bytes);

/* The domain XML libvirt keeps for dom (inactive, with secrets), or NULL with the failure. */
const char *nb_domain_xml(struct nb_req *r, virDomainPtr dom);
/* Undefines dom with its snapshot metadata, managed save and NVRAM as far as the driver
 * supports them; 0, or -1 with libvirt's message. */
int nb_domain_undefine(struct nb_req *r, virDomainPtr dom);

/* Rewrites the guest's snapshots rows from libvirt's list; 0 or -1. */
int nb_snapshots_refresh(struct nb_req *r, struct nb_op *op);

#endif
