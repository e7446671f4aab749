/* nimbus-reconciler: makes libvirt hosts match the database and records what it observes.
 * The only part of Nimbus that talks to libvirt. */
#ifndef NB_RECONCILER_H
#define NB_RECONCILER_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* A cell this reconciler holds the lease on, with its (cached) libvirt connection. */
struct nb_cell {
    int64_t id;
    char name[64];
    char uri[512];
    char paths[1024]; /* system storage paths, newline-separated */
    virConnectPtr conn;
    bool reported_dead; /* logged as unreachable already: log transitions, not every cycle */
    bool held; /* still in the lease set of the current cycle */
};

struct nb_reconciler {
    const char *id; /* host:pid, the lease owner */
    int ttl;        /* lease lifetime, seconds */
    int period;     /* resync period, seconds */
    struct nb_cell cells[256];
    int ncells;
};

/* Renews, claims and releases cell leases; r->cells afterwards is the held set. */
int nb_lease_cycle(struct nb_req *r, struct nb_reconciler *rc);
/* Gives up every lease (orderly shutdown). */
void nb_lease_release_all(struct nb_req *r, struct nb_reconciler *rc);

/* Observes a held cell's host and writes its figures or its failure. */
void nb_cell_observe(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c);
/* Closes the cell's libvirt connection, if open. */
void nb_cell_disconnect(struct nb_cell *c);

#endif
