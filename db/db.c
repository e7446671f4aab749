/* One connection per process, prepared statements by name, SQLSTATE → nb_status in one place. */
#include "db/db.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"
#include "app/metrics.h"

static const struct {
    const char *name;
    int nparams;
    const char *sql;
    bool scoped; /* its first parameters are the caller's scope */
} queries[NB_Q__MAX] = {
#define NB_QUERY(n, p, s) [NB_Q_##n] = {#n, p, s, false},
#define NB_QUERY_SCOPED(n, p, s) [NB_Q_##n] = {#n, (p) + NB_SCOPE_NPARAMS, s, true},
#include "db/queries.def"
#undef NB_QUERY_SCOPED
#undef NB_QUERY
};

/* The types of struct nb_scope's parameters, as pg_type's OIDs (int8, bool, int8), declared
 * at prepare so that a rule which leaves one unused still prepares. */
static const Oid scope_types[NB_SCOPE_NPARAMS] = {20, 16, 20};

static PGconn *conn;
static const char *const *listen_channels;
static char *conninfo_saved;
static bool in_txn;
static bool reconnected; /* notifications may have been missed while the connection was down */
static int txn_depth;    /* nested begin/commit pairs join the outermost transaction */

/* What must happen once the transaction is over (files put in place or removed after the rows
 * that name them committed). Entries live in the request's arena; a request ends its
 * transaction before its arena is reset. */
#define END_HOOKS_MAX 8
static struct {
    void (*fn)(void *arg, bool committed);
    void *arg;
} end_hooks[END_HOOKS_MAX];
static int nend_hooks;

static void
run_end_hooks(bool committed)
{
    int n = nend_hooks;

    nend_hooks = 0;
    for (int i = 0; i < n; i++)
        end_hooks[i].fn(end_hooks[i].arg, committed);
}

/* Whether PostgreSQL counts as many parameters in statement i as queries.def declares: with
 * fewer declared, PostgreSQL infers the rest and every call would fail to bind. */
static bool
check_params(int i)
{
    PGresult *desc = PQdescribePrepared(conn, queries[i].name);
    int counted = PQresultStatus(desc) == PGRES_COMMAND_OK ? PQnparams(desc) : -1;

    PQclear(desc);
    if (counted == queries[i].nparams)
        return true;
    nb_log_error(NULL, "statement %s declares %d parameters in db/queries, PostgreSQL counts %d",
                 queries[i].name, queries[i].nparams, counted);
    return false;
}

/* Prepares every statement; with check, also compares the parameter counts and goes on after
 * a failure, so that one run names every broken statement. */
static bool
prepare_all(bool check)
{
    bool all = true;

    for (int i = 0; i < NB_Q__MAX; i++) {
        PGresult *res =
            queries[i].scoped
                ? PQprepare(conn, queries[i].name, queries[i].sql, NB_SCOPE_NPARAMS, scope_types)
                : PQprepare(conn, queries[i].name, queries[i].sql, queries[i].nparams, NULL);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

        if (!ok)
            nb_log_error(NULL, "prepare %s failed: %s", queries[i].name, PQerrorMessage(conn));
        PQclear(res);
        if (ok && check)
            ok = check_params(i);
        all = all && ok;
        if (!all && !check)
            return false;
    }
    return all;
}

/* Planner settings for Nimbus's own statements, whatever the server's defaults:
 * - every statement is planned for an index or a bounded scan; JIT compilation pays off for
 *   none of them, and for the reconciler's observation of a cell with 100,000 guests its
 *   compile took 0.48 s of a 0.68 s statement, every period;
 * - the working set is in memory, so a random page costs about what a sequential one does;
 *   at the default (4) the cached plan of a 100-guest page of 1,000 guests sorted the whole
 *   table (1.9 ms) instead of reading 100 entries of guests_created_idx (0.25 ms). */
static bool
configure_session(void)
{
    PGresult *res = PQexec(conn, "SET jit = off; SET random_page_cost = 1.1");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

    if (!ok)
        nb_log_error(NULL, "session settings failed: %s", PQerrorMessage(conn));
    PQclear(res);
    return ok;
}

static bool
listen_all(void)
{
    for (const char *const *c = listen_channels; c != NULL && *c != NULL; c++) {
        char sql[128];
        PGresult *res;
        bool ok;

        if (snprintf(sql, sizeof(sql), "LISTEN %s", *c) >= (int)sizeof(sql))
            return false;
        res = PQexec(conn, sql);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok)
            return false;
    }
    return true;
}

void
nb_db_listen(const char *const *channels)
{
    listen_channels = channels;
    if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
        listen_all();
}

/* Drains the notifications libpq holds; -1 when not connected. */
static int
take_notifications(void)
{
    PGnotify *n;
    int got = reconnected;

    reconnected = false;
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
        return -1;
    while ((n = PQnotifies(conn)) != NULL) {
        got = 1;
        PQfreemem(n);
    }
    return got;
}

int
nb_db_wait(int timeout_ms)
{
    struct pollfd pfd;

    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        poll(NULL, 0, timeout_ms);
        return take_notifications(); /* -1, and the missed-notifications flag cleared */
    }
    pfd.fd = PQsocket(conn);
    pfd.events = POLLIN;
    poll(&pfd, 1, timeout_ms);
    return nb_db_notified(true);
}

int
nb_db_notified(bool read_socket)
{
    if (read_socket && conn != NULL && PQstatus(conn) == CONNECTION_OK && !PQconsumeInput(conn))
        return -1;
    return take_notifications();
}

static bool
connect_now(void)
{
    if (conn != NULL)
        PQfinish(conn);
    in_txn = false;
    txn_depth = 0;
    conn = PQconnectdb(conninfo_saved);
    if (PQstatus(conn) != CONNECTION_OK) {
        nb_log_warn(NULL, "database unreachable: %s", PQerrorMessage(conn));
        PQfinish(conn);
        conn = NULL;
        return false;
    }
    if (!configure_session() || !prepare_all(false) || !listen_all()) {
        PQfinish(conn);
        conn = NULL;
        return false;
    }
    return true;
}

void
nb_db_init(const char *conninfo)
{
    free(conninfo_saved);
    conninfo_saved = strdup(conninfo != NULL ? conninfo : "");
    if (conninfo_saved == NULL)
        abort();
    connect_now();
}

int
nb_db_verify(const char *conninfo)
{
    PGconn *saved = conn;
    bool ok;

    conn = PQconnectdb(conninfo != NULL ? conninfo : "");
    if (PQstatus(conn) != CONNECTION_OK) {
        nb_log_warn(NULL, "statements not checked, database unreachable: %s", PQerrorMessage(conn));
        ok = true;
    } else {
        ok = prepare_all(true);
    }
    PQfinish(conn);
    conn = saved;
    return ok ? 0 : -1;
}

bool
nb_db_ready(void)
{
    if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
        return true;
    if (!connect_now())
        return false;
    nb_metrics_db_reconnect();
    reconnected = true;
    nb_log_info(NULL, "database connection re-established");
    return true;
}

void
nb_db_close(void)
{
    if (conn != NULL)
        PQfinish(conn);
    conn = NULL;
}

PGconn *
nb_db_conn(void)
{
    return conn;
}

bool
nb_db_in_transaction(void)
{
    return in_txn;
}

static void
clear_result(void *res)
{
    PQclear(res);
}

/* What a unique constraint's violation tells the client. PostgreSQL's own DETAIL names
 * columns, internal ids and the other row's values, which may belong to another tenant
 * ("Key (pool_id, name)=(1, web) already exists."), so it never reaches an answer. */
static const struct {
    const char *constraint;
    const char *message;
} unique_messages[] = {
    {"guests_pool_id_name_key", "a guest with that name already exists in the compute pool"},
    {"guests_ethernet_address_key", "a guest with that ethernet address already exists"},
    {"snapshots_pkey", "a snapshot with that name already exists"},
    {"images_kind_name_key", "an image with that name already exists"},
    {"users_name_key", "a user with that name already exists"},
    {"user_groups_name_key", "a user group with that name already exists"},
    {"roles_name_key", "a role with that name already exists"},
    {"group_roles_pkey", "the user group already holds that role"},
    {"templates_name_key", "a template with that name already exists"},
    {"compute_pools_name_key", "a compute pool with that name already exists"},
    {"storage_pools_name_key", "a storage pool with that name already exists"},
    {"address_pools_name_key", "an address pool with that name already exists"},
    {"address_ranges_pool_id_type_start_addr_key",
     "an address range with that start already exists"},
    {"address_allocations_pkey", "that address is already allocated"},
    {"cells_name_key", "a cell with that name already exists"},
    {"resources_name_key", "a resource with that name already exists"},
    {"projects_base_of_key", "that user already has a base project"},
    {"project_members_project_id_user_id_role_key", "that user is already a member of the project"},
    {"project_resources_pkey", "the project already has a limit for that resource"},
    {"project_application_resources_pkey", "the application already names that resource"},
};

static const char *
unique_message(struct nb_req *r, const PGresult *res)
{
    const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);

    for (size_t i = 0; c != NULL && i < sizeof(unique_messages) / sizeof(unique_messages[0]); i++)
        if (strcmp(c, unique_messages[i].constraint) == 0)
            return unique_messages[i].message;
    nb_log_warn(r, "unique constraint %s has no message of its own", c != NULL ? c : "(none)");
    return "that already exists";
}

/* SQLSTATE → status and reason, the first row whose class or code prefixes the state. */
static const struct {
    const char *state;
    enum nb_status status;
    enum nb_reason reason;
} sqlstates[] = {
    {"08", NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE},  /* connection exception */
    {"57P", NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE}, /* shutdown, cannot connect now */
    {"23505", NB_E_CONFLICT, NB_R_DUPLICATE},
    /* Exclusion constraints: address ranges that would share an address (a concurrent
     * insert that passed the handler's own overlap check). */
    {"23P01", NB_E_CONFLICT, NB_R_OVERLAP},
    {"23503", NB_E_CONFLICT, NB_R_REFERENCED},
    {"23514", NB_E_INVALID, NB_R_BAD_VALUE}, /* check constraint */
    {"22", NB_E_INVALID, NB_R_BAD_VALUE},    /* data exception */
};

enum nb_status
nb_db_sqlstate(const char *state, enum nb_reason *reason)
{
    *reason = NB_R_DB_UNAVAILABLE;
    if (state == NULL)
        return NB_E_UNAVAILABLE; /* no answer from the server at all */
    for (size_t i = 0; i < sizeof(sqlstates) / sizeof(sqlstates[0]); i++) {
        if (strncmp(state, sqlstates[i].state, strlen(sqlstates[i].state)) == 0) {
            *reason = sqlstates[i].reason;
            return sqlstates[i].status;
        }
    }
    *reason = NB_R_INTERNAL;
    return NB_E_INTERNAL;
}

/* Maps a failed result to the request's error; the client never sees SQL text, nor
 * PostgreSQL's DETAIL. */
static void
record_failure(struct nb_req *r, enum nb_query q, const PGresult *res)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    enum nb_reason reason;
    enum nb_status status = nb_db_sqlstate(state, &reason);

    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        status = NB_E_UNAVAILABLE;
        reason = NB_R_DB_UNAVAILABLE;
    }
    /* The primary message only: PostgreSQL's DETAIL may quote a row, hashes and all. */
    if (reason == NB_R_INTERNAL) {
        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

        nb_log_error(r, "query %s failed: %s %s", queries[q].name, state,
                     primary != NULL ? primary : "");
    }
    nb_fail_reason(r, status, reason, NULL,
                   .kind = reason == NB_R_DUPLICATE ? unique_message(r, res) : NULL);
}

PGresult *
nb_db_exec(struct nb_req *r, enum nb_query q, const char *const *params)
{
    PGresult *res;
    ExecStatusType st;

    for (int attempt = 0;; attempt++) {
        if (!nb_db_ready()) {
            nb_fail_reason(r, NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE, NULL);
            return NULL;
        }
        res = PQexecPrepared(conn, queries[q].name, queries[q].nparams, params, NULL, NULL, 0);
        st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            nb_arena_defer(r->arena, clear_result, res);
            return res;
        }
        /* A connection that died between requests is worth one transparent retry. */
        if (PQstatus(conn) == CONNECTION_BAD && !in_txn && attempt == 0) {
            PQclear(res);
            continue;
        }
        record_failure(r, q, res);
        PQclear(res);
        if (PQstatus(conn) == CONNECTION_BAD)
            in_txn = false;
        return NULL;
    }
}

PGresult *
nb_db_exec_scoped(struct nb_req *r, enum nb_query q, const char *const *params, int n)
{
    const char **all;

    if (!queries[q].scoped || queries[q].nparams != NB_SCOPE_NPARAMS + n) {
        nb_log_error(r, "query %s takes %d parameters%s, given the scope and %d", queries[q].name,
                     queries[q].nparams, queries[q].scoped ? "" : " and no scope", n);
        nb_fail(r, NB_E_INTERNAL, "internal error");
        return NULL;
    }
    if (r->scope.user_id == NULL) {
        nb_fail(r, NB_E_INTERNAL, "no caller scope");
        return NULL;
    }
    all = nb_arena_alloc(r->arena, (size_t)queries[q].nparams * sizeof(*all));
    all[0] = r->scope.user_id;
    all[1] = r->scope.admin;
    all[2] = r->scope.shared_group;
    memcpy(all + NB_SCOPE_NPARAMS, params, (size_t)n * sizeof(*all));
    return nb_db_exec(r, q, all);
}

static int
simple(struct nb_req *r, const char *sql)
{
    PGresult *res;
    bool ok;

    if (!nb_db_ready())
        return nb_fail_reason(r, NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE, NULL);
    res = PQexec(conn, sql);
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        record_failure(r, NB_Q_PING, res);
    PQclear(res);
    return ok ? 0 : -1;
}

int
nb_db_begin(struct nb_req *r)
{
    if (in_txn) {
        txn_depth++;
        return 0;
    }
    if (simple(r, "BEGIN") < 0)
        return -1;
    in_txn = true;
    txn_depth = 1;
    return 0;
}

int
nb_db_commit(struct nb_req *r)
{
    int rc;

    if (!in_txn)
        return nb_fail(r, NB_E_INTERNAL, "commit outside a transaction");
    if (--txn_depth > 0)
        return 0;
    rc = simple(r, "COMMIT");
    in_txn = false;
    run_end_hooks(rc == 0);
    return rc;
}

void
nb_db_on_end(void (*fn)(void *arg, bool committed), void *arg)
{
    if (!in_txn) {
        fn(arg, true);
        return;
    }
    if (nend_hooks == END_HOOKS_MAX)
        abort(); /* a handler registers one or two; more is a bug */
    end_hooks[nend_hooks].fn = fn;
    end_hooks[nend_hooks].arg = arg;
    nend_hooks++;
}

void
nb_db_rollback(void)
{
    if (in_txn) {
        in_txn = false;
        txn_depth = 0;
        if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
            PQclear(PQexec(conn, "ROLLBACK"));
    }
    run_end_hooks(false); /* also when a lost connection ended the transaction already */
}

int
nb_db_ping(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_PING, NULL) != NULL ? 0 : -1;
}

void *
nb_db_row_array(struct nb_req *r, const PGresult *res, size_t size, int *n)
{
    *n = PQntuples(res);
    return nb_arena_alloc(r->arena, (size_t)(*n > 0 ? *n : 1) * size);
}

const char *
nb_db_text(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col);
}

const char *
nb_db_text_or_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

int64_t
nb_db_int(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

struct json_object *
nb_db_column_json(const PGresult *res, int col)
{
    struct json_object *a = json_object_new_array_ext(PQntuples(res));

    for (int i = 0; i < PQntuples(res); i++)
        json_object_array_add(a, json_object_new_string(PQgetvalue(res, i, col)));
    return a;
}

const char *
nb_db_json_list(struct nb_req *r, const char *const *list)
{
    struct json_object *a = json_object_new_array();
    const char *text;

    for (; *list != NULL; list++)
        json_object_array_add(a, json_object_new_string(*list));
    text = nb_arena_strdup(r->arena, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
    json_object_put(a);
    return text;
}

struct json_object *
nb_db_json(const PGresult *res, int row, int col)
{
    struct json_object *o =
        PQgetisnull(res, row, col) ? NULL : json_tokener_parse(PQgetvalue(res, row, col));

    return o != NULL ? o : json_object_new_array();
}

bool
nb_db_bool(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col)[0] == 't';
}
