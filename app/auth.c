/* Credentials are random tokens stored as SHA-256; any dialect's header resolves to one user. */
#include "app/auth.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/credential_cache.h"
#include "app/perm.h"
#include "app/router.h"
#include "app/secret.h"
#include "app/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/services.h"

/* A credential lives its dialect's credential_ttl (and keep-alive ends NIMBUS_SESSION_MAX_AGE
 * seconds after the log-in), or NIMBUS_TOKEN_TTL seconds when the dialect names none. */
#define DEFAULT_SESSION_MAX_AGE 43200
#define DEFAULT_TOKEN_TTL 3600

static char decoy_hash[128];
static int token_ttl = DEFAULT_TOKEN_TTL;
static int session_max_age = DEFAULT_SESSION_MAX_AGE;

void
nb_auth_init(void)
{
    struct nb_arena *a = nb_arena_new(256);

    /* A cut decoy would fail to parse, so unknown names would answer faster. */
    if (snprintf(decoy_hash, sizeof(decoy_hash), "%s", nb_password_hash(a, nb_random_hex(a, 16))) >=
        (int)sizeof(decoy_hash))
        abort();
    nb_arena_free(a);
    token_ttl = (int)nb_env_int("NIMBUS_TOKEN_TTL", 1, INT_MAX, DEFAULT_TOKEN_TTL);
    session_max_age =
        (int)nb_env_int("NIMBUS_SESSION_MAX_AGE", 1, INT_MAX, DEFAULT_SESSION_MAX_AGE);
}

/* The FastCGI parameter that carries header name ("HTTP_X_AUTH_TOKEN" for X-Auth-Token). */
static const char *
header_param(char *buf, size_t size, const char *name)
{
    size_t n = 0;

    for (const char *p = "HTTP_"; *p != '\0' && n + 1 < size; p++)
        buf[n++] = *p;
    for (const char *p = name; *p != '\0' && n + 1 < size; p++) {
        /* a table, not arithmetic: char arithmetic is int, and narrowing back is not portable */
        static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

        if (*p == '-')
            buf[n++] = '_';
        else if (*p >= 'a' && *p <= 'z')
            buf[n++] = upper[*p - 'a'];
        else
            buf[n++] = *p;
    }
    buf[n] = '\0';
    return buf;
}

/* Headers whose whole value is the token come first, in dialect order; then those with a
 * scheme, where a value in no dialect's scheme is an empty credential (refused as missing). */
const char *
nb_auth_credential(struct nb_req *r)
{
    const struct nb_credential_header *h;
    const char *v, *found = NULL;
    char name[64];

    for (size_t d = 0; nb_dialects[d] != NULL; d++)
        for (h = nb_dialects[d]->credential_headers; h != NULL && h->name != NULL; h++)
            if (h->scheme == NULL &&
                (v = r->param(r, header_param(name, sizeof(name), h->name))) != NULL)
                return v;
    for (size_t d = 0; nb_dialects[d] != NULL; d++)
        for (h = nb_dialects[d]->credential_headers; h != NULL && h->name != NULL; h++) {
            if (h->scheme == NULL ||
                (v = r->param(r, header_param(name, sizeof(name), h->name))) == NULL)
                continue;
            size_t n = strlen(h->scheme);
            if (strncmp(v, h->scheme, n) == 0 && v[n] == ' ')
                return v + n + 1;
            found = "";
        }
    return found;
}

/* Columns of CREDENTIAL_RESOLVE and USER_LOGIN, which share their first five; the last one of
 * each is the shared group. */
enum user_col { UC_ID, UC_UUID, UC_NAME, UC_PASSWORD_HASH = UC_NAME, UC_GROUP, UC_ADMIN };
enum resolve_col { RC_MENU = UC_ADMIN + 1, RC_TTL };
/* Columns of CREDENTIAL_ISSUE and CREDENTIAL_REISSUE. */
enum issue_col { IC_EXPIRES, IC_EXPIRES_ISO, IC_ISSUED_ISO };

/* The user fields both statements have. */
static void
fill_user(struct nb_req *r, const PGresult *res)
{
    r->user.id = nb_db_int(res, 0, UC_ID);
    r->user.id_text = nb_db_text(res, 0, UC_ID);
    r->user.uuid = nb_db_text(res, 0, UC_UUID);
    r->user.group = nb_db_text_or_null(res, 0, UC_GROUP);
    r->user.is_admin = nb_db_bool(res, 0, UC_ADMIN);
    r->user.shared_group = nb_db_text_or_null(res, 0, PQnfields(res) - 1);
}

/* The caller's scope, from the user just resolved. */
static void
fill_scope(struct nb_req *r)
{
    r->scope.user_id = r->user.id_text;
    r->scope.admin = r->user.is_admin ? "t" : "f";
    r->scope.shared_group = r->user.shared_group;
}

int
nb_auth_resolve(struct nb_req *r)
{
    const PGresult *res;

    if (r->credential == NULL || r->credential[0] == '\0')
        return nb_fail_reason(r, NB_E_UNAUTHENTICATED, NB_R_NO_CREDENTIAL, NULL);
    nb_auth_sync(true);
    if (!nb_credential_cache_get(r->credential, &r->user, r->arena)) {
        res = nb_db_query(r, NB_Q_CREDENTIAL_RESOLVE, r->credential);
        if (res == NULL)
            return -1;
        if (PQntuples(res) != 1)
            return nb_fail_reason(r, NB_E_UNAUTHENTICATED, NB_R_BAD_CREDENTIAL, NULL);
        fill_user(r, res);
        r->user.name = nb_db_text(res, 0, UC_NAME);
        r->user.roles = nb_db_text(res, 0, RC_MENU);
        nb_credential_cache_put(r->credential, &r->user, strtod(nb_db_text(res, 0, RC_TTL), NULL));
    }
    /* The roles are stored in one dialect's words; the request's dialect says what they grant
     * here (a dialect without roles grants nothing beyond what its routes' USER admits). */
    r->user.caps = nb_cap_mask(r->dialect->roles, r->user.roles);
    fill_scope(r);
    return 0;
}

int
nb_auth_service(struct nb_req *r)
{
    const char *name;

    if (r->credential == NULL || r->credential[0] == '\0')
        return nb_fail_reason(r, NB_E_UNAUTHENTICATED, NB_R_NO_CREDENTIAL, NULL);
    if (nb_service_resolve(r, r->credential, &r->service_id, &name) < 0)
        return -1;
    if (r->service_id == NULL)
        return nb_fail_reason(r, NB_E_UNAUTHENTICATED, NB_R_BAD_CREDENTIAL, NULL);
    r->user.name = name;
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
        return nb_fail_reason(r, NB_E_UNAUTHENTICATED, NB_R_LOGIN_FAILED, NULL, .kind = message);
    }
    if (!nb_password_verify(nb_db_text(res, 0, UC_PASSWORD_HASH), password))
        return nb_fail_reason(r, NB_E_UNAUTHENTICATED, NB_R_LOGIN_FAILED, NULL, .kind = message);
    fill_user(r, res);
    r->user.name = nb_arena_strdup(r->arena, name);
    r->user.password_hash = nb_db_text(res, 0, UC_PASSWORD_HASH);
    fill_scope(r);
    return 0;
}

/* Issues for a log-in (source NULL) or from the live credential source, with the audit entry,
 * in one transaction that first holds the user row (CREDENTIAL_HOLDER): a log-in whose
 * password changed meanwhile, or a source that ended meanwhile, gets nothing. */
static int
issue(struct nb_req *r, const char *source, struct nb_issued *out)
{
    const char *kind = r->dialect->credential_kind;
    int own = r->dialect->credential_ttl;
    const PGresult *res;
    const char *ttl;

    out->ttl = own <= 0 ? token_ttl : own < session_max_age ? own : session_max_age;
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
        nb_fail_reason(r, NB_E_UNAUTHENTICATED, NB_R_BAD_CREDENTIAL, NULL);
        res = NULL;
    }
    if (res == NULL ||
        nb_audit(r, "%s %s via %s", r->user.name, source == NULL ? "logs in" : "renews a token",
                 kind) < 0 ||
        nb_db_commit(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    out->expires = nb_db_int(res, 0, IC_EXPIRES);
    out->expires_iso = nb_db_text(res, 0, IC_EXPIRES_ISO);
    out->issued_iso = nb_db_text(res, 0, IC_ISSUED_ISO);
    return 0;
}

int
nb_auth_issue(struct nb_req *r, struct nb_issued *out)
{
    return issue(r, NULL, out);
}

int
nb_auth_reissue(struct nb_req *r, struct nb_issued *out)
{
    const char *source = r->credential;

    if (nb_auth_resolve(r) < 0)
        return -1;
    return issue(r, source, out);
}

int
nb_auth_keep_alive(struct nb_req *r, const char *token)
{
    const PGresult *res;
    const char *age = nb_arena_printf(r->arena, "%d", session_max_age);

    res = nb_db_query(r, NB_Q_CREDENTIAL_TOUCH, token, r->user.id_text, age);
    return res == NULL ? -1 : PQntuples(res) == 1;
}
