/* Cell leases. Every cycle a reconciler heartbeats, renews what it holds, hands back what is
 * above its fair share (cells / live reconcilers, rounded up) and claims free or expired cells
 * up to that share. A dead reconciler stops renewing; its leases expire and others claim them. */
#include <stdio.h>
#include <string.h>

#include "app/log.h"
#include "app/reconciler/reconciler.h"
#include "db/db.h"

static struct nb_cell *
find(struct nb_reconciler *rc, int64_t id)
{
    for (int i = 0; i < rc->ncells; i++)
        if (rc->cells[i].id == id)
            return &rc->cells[i];
    return NULL;
}

/* Rebuilds rc->cells from the held rows, keeping connections of cells still held. */
static void
adopt(struct nb_reconciler *rc, const PGresult *res)
{
    int n = 0;

    for (int i = 0; i < rc->ncells; i++)
        rc->cells[i].held = false;
    for (int i = 0; i < PQntuples(res) && i < (int)(sizeof(rc->cells) / sizeof(rc->cells[0]));
         i++) {
        int64_t id = nb_db_int(res, i, 0);
        struct nb_cell *c = find(rc, id);

        if (c != NULL && strcmp(c->uri, nb_db_text(res, i, 2)) != 0)
            nb_cell_disconnect(c); /* pointed elsewhere: reconnect */
        if (c == NULL) {
            c = &rc->cells[rc->ncells++];
            memset(c, 0, sizeof(*c));
            c->id = id;
        }
        if (!nb_cell_copy_row(c, res, i)) {
            nb_log_warn(NULL, "cell %lld: its name, URI or paths are too long", (long long)id);
            continue; /* not held: compacted below */
        }
        c->held = true;
    }
    /* Compact: cells no longer held lose their connection and their slot. */
    for (int i = 0; i < rc->ncells; i++) {
        if (rc->cells[i].held)
            rc->cells[n++] = rc->cells[i];
        else
            nb_cell_disconnect(&rc->cells[i]);
    }
    rc->ncells = n;
}

int
nb_lease_cycle(struct nb_req *r, struct nb_reconciler *rc)
{
    const char *ttl = nb_arena_printf(r->arena, "%d", rc->ttl);
    const PGresult *share, *held;

    if (nb_db_query(r, NB_Q_RECON_HEARTBEAT, rc->id) == NULL ||
        nb_db_query(r, NB_Q_RECON_FORGET_DEAD, ttl) == NULL ||
        (share = nb_db_query(r, NB_Q_RECON_SHARE, ttl)) == NULL ||
        nb_db_query(r, NB_Q_RECON_RENEW, rc->id, ttl) == NULL ||
        nb_db_query(r, NB_Q_RECON_RELEASE_EXCESS, rc->id, nb_db_text(share, 0, 0)) == NULL ||
        nb_db_query(r, NB_Q_RECON_CLAIM, rc->id, ttl, nb_db_text(share, 0, 0)) == NULL ||
        (held = nb_db_query(r, NB_Q_RECON_HELD, rc->id)) == NULL)
        return -1;
    adopt(rc, held);
    return 0;
}

void
nb_lease_release_all(struct nb_req *r, struct nb_reconciler *rc)
{
    (void)nb_db_query(r, NB_Q_RECON_RELEASE_ALL, rc->id);
    for (int i = 0; i < rc->ncells; i++)
        nb_cell_disconnect(&rc->cells[i]);
    rc->ncells = 0;
}
