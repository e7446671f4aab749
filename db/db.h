/* The worker's PostgreSQL connection: named prepared statements, reconnect, transactions. */
#ifndef NB_DB_H
#define NB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

enum nb_query {
#define NB_QUERY(name, nparams, sql) NB_Q_##name,
#include "db/queries.def"
#undef NB_QUERY
    NB_Q__MAX
};

/* Remember the conninfo and try to connect; a failure is logged, not fatal. */
void nb_db_init(const char *conninfo);
/* Prepares every statement on a connection of its own and checks that PostgreSQL counts the
 * parameters queries.def declares; -1 (each broken statement logged by name) when one fails,
 * 0 when all hold or the database cannot be reached. Run once at start, before any fork. */
int nb_db_verify(const char *conninfo);
/* Connected and prepared, reconnecting when the connection dropped. */
bool nb_db_ready(void);
void nb_db_close(void);

/* Runs a prepared statement. The result is cleared at the request's end. On failure records
 * the error (unique violation: conflict; connection lost: unavailable) and returns NULL.
 * Outside a transaction a lost connection is re-established and the statement retried once. */
PGresult *nb_db_exec(struct nb_req *r, enum nb_query q, const char *const *params);
#define nb_db_query(r, q, ...) nb_db_exec((r), (q), (const char *const[]){__VA_ARGS__})
/* nb_db_exec of a statement that shows what the caller may see: the caller's scope (struct
 * nb_scope) as $1..$NB_SCOPE_NPARAMS, then the n params as the following ones. A statement
 * whose parameter count is not the scope's plus n is an internal error. */
PGresult *nb_db_exec_scoped(struct nb_req *r, enum nb_query q, const char *const *params, int n);
#define nb_db_query_scoped(r, q, ...)                                                              \
    nb_db_exec_scoped((r), (q), (const char *const[]){__VA_ARGS__},                                \
                      (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)))

/* The status a failure's SQLSTATE (NULL: no answer) maps to, and in *reason why. */
enum nb_status nb_db_sqlstate(const char *state, enum nb_reason *reason);

/* Channels to LISTEN on after every (re)connect; constant identifiers, NULL-terminated. */
void nb_db_listen(const char *const *channels);
/* Waits up to timeout_ms for a notification on the listened channels and drains them all.
 * 1 when one came or the connection was re-established since the last call (notifications
 * may have been missed), 0 on timeout, -1 when not connected (after sleeping the timeout). */
int nb_db_wait(int timeout_ms);
/* nb_db_wait without waiting: the notifications that have arrived, reading the socket once
 * (without blocking) when read_socket, else only those libpq already holds (the ones a
 * statement's reply brought along, such as this connection's own at COMMIT). */
int nb_db_notified(bool read_socket);
/* Waits, outside a transaction, until done(r, arg) returns 1, for at most timeout_ms: LISTENs
 * on channel (a constant identifier) first, then reads done once and again whenever a
 * notification on channel with payload arrives (and at least once a second, whatever comes);
 * UNLISTENs before it returns. 1 when done, 0 on timeout, -1 with the error recorded (done's
 * own, or the database gone). Notifications of the listened channels that arrive meanwhile
 * are kept for nb_db_notified. */
int nb_db_await(struct nb_req *r, const char *channel, const char *payload, int timeout_ms,
                int (*done)(struct nb_req *r, void *arg), void *arg);

/* Transactions: begin/commit return 0 or -1 with the error recorded; rollback is idempotent
 * and undoes the whole transaction. A begin inside a transaction nests: only the outermost
 * commit commits. */
int nb_db_begin(struct nb_req *r);
int nb_db_commit(struct nb_req *r);
void nb_db_rollback(void);
bool nb_db_in_transaction(void);
/* Runs fn(arg, committed) once the current transaction has ended: after its COMMIT (committed
 * tells whether it succeeded) or its ROLLBACK (false). Outside a transaction, at once (true).
 * For what cannot be part of the transaction, such as renaming a file into the image store
 * only after the row that names it is committed. */
void nb_db_on_end(void (*fn)(void *arg, bool committed), void *arg);

/* Applies the .sql files of dir in order on a connection of its own (see migrate.c); 0, or -1 with
 * a message on stderr. */
int nb_db_migrate(const char *conninfo, const char *dir);

/* Runs the PING statement: 0 when the database answers, -1 with the error recorded. */
int nb_db_ping(struct nb_req *r);
/* An arena array with one element of size bytes per row of res (room for one when there are
 * none, so never NULL); *n is the row count. */
void *nb_db_row_array(struct nb_req *r, const PGresult *res, size_t size, int *n);

/* Cells of a result as text ("" for NULL) and as integers / booleans. */
const char *nb_db_text(const PGresult *res, int row, int col);
const char *nb_db_text_or_null(const PGresult *res, int row, int col);
int64_t nb_db_int(const PGresult *res, int row, int col);
bool nb_db_bool(const PGresult *res, int row, int col);

/* Column col of every row as a JSON array of strings. */
struct json_object *nb_db_column_json(const PGresult *res, int col);
/* A NULL-terminated list of strings as the text of a JSON array, in r's arena: how lists
 * travel to statements ($n::json), so that no array literal is ever pasted together. */
const char *nb_db_json_list(struct nb_req *r, const char *const *list);
/* A JSON text cell parsed (json_agg / array_to_json results); an empty array for NULL. */
struct json_object *nb_db_json(const PGresult *res, int row, int col);

/* The raw connection, for migrate and LISTEN; NULL when not connected. */
PGconn *nb_db_conn(void);

#endif
