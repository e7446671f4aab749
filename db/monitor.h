/* Monitor channels: single-use tickets to a running guest's console. A channel is a row
 * (bound to the guest's display address, expiring after NIMBUS_MONITOR_TTL seconds) and a
 * websockify token file "<id>: host:port" under $NIMBUS_MONITOR_DIR/tokens; a proxy lets a
 * connection through only after taking the channel here. */
#ifndef NB_MONITOR_H
#define NB_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "app/request.h"
#include "db/guests.h"

/* Why a channel was not taken. */
enum nb_channel_state {
    NB_CHANNEL_TAKEN,   /* now, by this call */
    NB_CHANNEL_UNKNOWN, /* no such channel (or its rows are gone) */
    NB_CHANNEL_USED,    /* taken before */
    NB_CHANNEL_EXPIRED,
    NB_CHANNEL_STALE, /* the guest stopped or its display moved */
    NB_CHANNEL__MAX
};

/* Whether the len characters at id can be a channel id (32 lowercase hex digits). */
bool nb_monitor_channel_id_valid(const char *id, size_t len);

/* Opens a channel of the caller to guest g, which must be created, running and have a
 * display address (NB_E_CONFLICT otherwise): its row and its token file, which is removed
 * again when the transaction does not commit. *id is the channel's id. Runs inside the
 * caller's transaction when there is one. */
int nb_monitor_channel_open(struct nb_req *r, const struct nb_guest *g, const char **id);

/* Takes channel id (nb_monitor_channel_id_valid) once; *state says whether it was taken or
 * why not. -1 only on a database error. */
int nb_monitor_channel_take(struct nb_req *r, const char *id, enum nb_channel_state *state);

#endif
