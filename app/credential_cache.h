/* A worker's memory of credentials it has resolved, so that a request costs one database round
 * trip instead of two. An entry lives until the credential's own expiry (at most
 * NB_CREDENTIAL_CACHE_SECONDS) and dies with any change to credentials, users or groups:
 * PostgreSQL announces those on the channel NB_CREDENTIAL_CHANNEL (migrations/011), and the
 * worker that hears it bumps a generation shared by every worker of this nimbus-api before it
 * answers, so a log-out or a role change holds on the next request whichever worker serves it. */
#ifndef NB_CREDENTIAL_CACHE_H
#define NB_CREDENTIAL_CACHE_H

#include <stdbool.h>

#include "app/arena.h"
#include "app/request.h"

#define NB_CREDENTIAL_CHANNEL "nimbus_credentials"
#define NB_CREDENTIAL_CACHE_SECONDS 60

/* Maps the generation shared by the workers; call in the master before they fork. Without it
 * (unit tests, nimbusctl) the generation is the process's own. */
int nb_credential_cache_init(void);
/* Fills *user (strings in a) from the entry for token; false when there is none or it has
 * expired or been invalidated. */
bool nb_credential_cache_get(const char *token, struct nb_user *user, struct nb_arena *a);
/* Remembers token → user for ttl seconds (capped; nothing is kept for ttl <= 0). */
void nb_credential_cache_put(const char *token, const struct nb_user *user, double ttl);
/* Forgets every entry of every worker. */
void nb_credential_cache_invalidate(void);

#endif
