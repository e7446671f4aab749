/* Who is calling: credential resolution, password log-in and credential issue for all dialects. */
#ifndef NB_AUTH_H
#define NB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* A freshly issued credential. The raw token exists only here and in the client's hands. */
struct nb_issued {
    const char *token;
    int64_t expires;         /* unix seconds */
    const char *expires_iso; /* 2026-11-23T18:00:00.000000Z */
    const char *issued_iso;
    int ttl; /* seconds */
};

/* Prepares what log-ins need (a decoy hash so unknown users cost as much as wrong passwords). */
void nb_auth_init(void);
/* The raw credential of a request, from any dialect's credential_headers (r->param); "" when
 * an Authorization-style header carries no dialect's scheme; NULL when none came. */
const char *nb_auth_credential(struct nb_req *r);
/* Fills r->user from r->credential; NB_E_UNAUTHENTICATED with the dialect's wording. */
int nb_auth_resolve(struct nb_req *r);
/* Fills r->service_id, and r->user.name with the service's name (the audit's author), from
 * r->credential when it is a registered service's token; NB_E_UNAUTHENTICATED with the
 * dialect's wording otherwise (a user's credential is no service's). */
int nb_auth_service(struct nb_req *r);
/* Forgets resolved credentials once the database announces a change to credentials, users or
 * groups (or the connection was lost and notifications may have been missed). Runs before a
 * credential is resolved (reading what other processes announced) and after every request
 * (read_socket false: what this worker's own COMMIT brought back), so a change this worker
 * committed holds for all workers before its client hears of it. */
void nb_auth_sync(bool read_socket);
/* Checks name and password and fills r->user. One message for unknown users and wrong
 * passwords, so log-in never reveals who exists. */
int nb_auth_login(struct nb_req *r, const char *name, const char *password, const char *message);
/* Issues a credential of the dialect's credential_kind, living its credential_ttl, for the user
 * nb_auth_login has just checked and records the log-in in the audit log, in one transaction.
 * NB_E_UNAUTHENTICATED (the dialect's bad_credential) when the password changed meanwhile. */
int nb_auth_issue(struct nb_req *r, struct nb_issued *out);
/* Re-authentication: resolves r->credential, then issues a credential of the dialect's kind for
 * its user that expires no later than it (as Keystone's token method does), audited like
 * nb_auth_issue. NB_E_UNAUTHENTICATED (the dialect's bad_credential) when it is not a live
 * credential. */
int nb_auth_reissue(struct nb_req *r, struct nb_issued *out);
/* Keep-alive of the caller's own credential token: a Nano session gets its idle timeout again,
 * but never past NIMBUS_SESSION_MAX_AGE seconds (43200) after its log-in; other kinds keep
 * their expiry. 1 when token is a live credential of r->user younger than that, 0 when not,
 * -1 on a database error. */
int nb_auth_keep_alive(struct nb_req *r, const char *token);

#endif
