/* Credentials are random tokens stored as SHA-256; any dialect's header resolves to one user. */
#include "app/auth.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/credential_cache.h"
#include "app/perm.h"
#include "app/secret.h"
#include "app/validate.h"
#include "db/audit.h"
#include "db/db.h"

/* Nano sessions live 3 minutes without keep-alive, and keep-alive ends NIMBUS_SESSION_MAX_AGE
 * seconds after the log-in; other tokens live NIMBUS_TOKEN_TTL seconds. */
#define NANO_SESSION_TTL 180
#define DEFAULT_SESSION_MAX_AGE 43200
#define DEFAULT_TOKEN_TTL 3600

static char decoy_hash[128];
static int token_ttl = DEFAULT_TOKEN_TTL;
static int session_max_age = DEFAULT_SESSION_MAX_AGE;

/* A positive number of seconds from the environment, else fallback. */
static int
seconds_setting(const char *name, int fallback)
{
    return nb_env_int(name, INT_MAX, fallback);
}

void
nb_auth_init(void)
{
    struct nb_arena *a = nb_arena_new(256);

    /* A cut decoy would fail to parse, so unknown names would answer faster. */
    if (snprintf(decoy_hash, sizeof(decoy_hash), "%s", nb_password_hash(a, nb_random_hex(a, 16))) >=
        (int)sizeof(decoy_hash))
        abort();
    nb_arena_free(a);
    token_ttl = seconds_setting("NIMBUS_TOKEN_TTL", DEFAULT_TOKEN_TTL);
    session_max_age = seconds_setting("NIMBUS_SESSION_MAX_AGE", DEFAULT_SESSION_MAX_AGE);
}

/* The columns of CREDENTIAL_RESOLVE and USER_LOGIN: id, uuid, (name or password hash),
 * group, admin flag, ..., shared group last. */
static void
fill_user(struct nb_req *r, const PGresult *res)
{
    r->user.id = nb_db_int(res, 0, 0);
    r->user.id_text = nb_db_text(res, 0, 0);
    r->user.uuid = nb_db_text(res, 0, 1);
    r->user.group = nb_db_text_or_null(res, 0, 3);
    r->user.is_admin = nb_db_bool(res, 0, 4);
    r->user.shared_group = nb_db_text_or_null(res, 0, PQnfields(res) - 1);
}

int
nb_auth_resolve(struct nb_req *r)
{
    const PGresult *res;

    if (r->credential == NULL || r->credential[0] == '\0')
        return nb_fail(r, NB_E_UNAUTHENTICATED, "%s", r->dialect->no_credential);
    nb_auth_sync(true);
    if (nb_credential_cache_get(r->credential, &r->user, r->arena))
        return 0;
    res = nb_db_query(r, NB_Q_CREDENTIAL_RESOLVE, r->credential);
    if (res == NULL)
        return -1;
    if (PQntuples(res) != 1)
        return nb_fail(r, NB_E_UNAUTHENTICATED, "%s", r->dialect->bad_credential);
    fill_user(r, res);
    r->user.name = nb_db_text(res, 0, 2);
    r->user.perms = nb_perm_mask(nb_db_text(res, 0, 5));
    nb_credential_cache_put(r->credential, &r->user, strtod(nb_db_text(res, 0, 6), NULL));
    return 0;
}

void
nb_auth_sync(bool read_socket)
{
    if (nb_db_notified(read_socket) != 0)
        nb_credential_cache_invalidate();
}

int
nb_auth_login(struct nb_req *r, const char *name, const char *password, const char *message)
{
    const PGresult *res = nb_db_query(r, NB_Q_USER_LOGIN, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) != 1) {
        /* Spend the same time as a real check, so timing does not reveal unknown users. */
        (void)nb_password_verify(decoy_hash, password);
        return nb_fail(r, NB_E_UNAUTHENTICATED, "%s", message);
    }
    if (!nb_password_verify(nb_db_text(res, 0, 2), password))
        return nb_fail(r, NB_E_UNAUTHENTICATED, "%s", message);
    fill_user(r, res);
    r->user.name = nb_arena_strdup(r->arena, name);
    r->user.password_hash = nb_db_text(res, 0, 2);
    return 0;
}

/* Issues for a log-in (source NULL) or from the live credential source, with the audit entry,
 * in one transaction that first holds the user row (CREDENTIAL_HOLDER): a log-in whose
 * password changed meanwhile, or a source that ended meanwhile, gets nothing. */
static int
issue(struct nb_req *r, const char *kind, const char *source, struct nb_issued *out)
{
    const PGresult *res;
    const char *ttl;

    out->ttl = token_ttl;
    if (strcmp(kind, "nano") == 0)
        out->ttl = NANO_SESSION_TTL < session_max_age ? NANO_SESSION_TTL : session_max_age;
    ttl = nb_arena_printf(r->arena, "%d", out->ttl);
    out->token = nb_random_hex(r->arena, NB_TOKEN_BYTES);
    if (nb_db_begin(r) < 0)
        return -1;
    res = nb_db_query(r, NB_Q_CREDENTIAL_HOLDER, r->user.id_text, r->user.password_hash);
    if (res != NULL && PQntuples(res) == 1)
        res = source == NULL
                  ? nb_db_query(r, NB_Q_CREDENTIAL_ISSUE, out->token, r->user.id_text, kind, ttl)
                  : nb_db_query(r, NB_Q_CREDENTIAL_REISSUE, out->token, r->user.id_text, kind, ttl,
                                source);
    if (res != NULL && PQntuples(res) != 1) {
        nb_fail(r, NB_E_UNAUTHENTICATED, "%s", r->dialect->bad_credential);
        res = NULL;
    }
    if (res == NULL ||
        nb_audit(r, "%s %s via %s", r->user.name, source == NULL ? "logs in" : "renews a token",
                 kind) < 0 ||
        nb_db_commit(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    out->expires = nb_db_int(res, 0, 0);
    out->expires_iso = nb_db_text(res, 0, 1);
    out->issued_iso = nb_db_text(res, 0, 2);
    return 0;
}

int
nb_auth_issue(struct nb_req *r, const char *kind, struct nb_issued *out)
{
    return issue(r, kind, NULL, out);
}

int
nb_auth_reissue(struct nb_req *r, const char *kind, struct nb_issued *out)
{
    const char *source = r->credential;

    if (nb_auth_resolve(r) < 0)
        return -1;
    return issue(r, kind, source, out);
}

int
nb_auth_keep_alive(struct nb_req *r, const char *token)
{
    const PGresult *res;
    const char *age = nb_arena_printf(r->arena, "%d", session_max_age);

    res = nb_db_query(r, NB_Q_CREDENTIAL_TOUCH, token, r->user.id_text, age);
    return res == NULL ? -1 : PQntuples(res) == 1;
}
