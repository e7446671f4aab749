/* Audit entries carry the caller, the dialect and the request id nginx assigned, and say
 * whether the system wrote them or a user posted them. */
#include "db/audit.h"

#include <stdarg.h>
#include <stdio.h>

#include "db/db.h"

/* source is "system" or "user" (migration 017's check). */
static int
add(struct nb_req *r, const char *source, const char *entry)
{
    if (nb_db_query(r, NB_Q_AUDIT_ADD, r->user.id_text, r->user.name, source,
                    r->dialect != NULL ? r->dialect->name : "cli",
                    r->request_id != NULL ? r->request_id : "", entry) == NULL)
        return -1;
    return 0;
}

int
nb_audit(struct nb_req *r, const char *fmt, ...)
{
    va_list ap;
    char *entry;

    va_start(ap, fmt);
    entry = nb_arena_vprintf(r->arena, fmt, ap);
    va_end(ap);
    return add(r, "system", entry);
}

int
nb_audit_post(struct nb_req *r, const char *text)
{
    return add(r, "user", text);
}

/* Columns of LOG_DELETE. */
enum { DELETE_LISTED, DELETE_GONE, DELETE_WHICH };

int
nb_audit_remove(struct nb_req *r, const char *const *ids)
{
    const char *list = nb_db_json_list(r, ids);
    const PGresult *res;

    if (nb_db_begin(r) < 0 || (res = nb_db_query(r, NB_Q_LOG_FIRST_UNKNOWN, list)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_NOT_FOUND, "log entry %s not found", nb_db_text(res, 0, 0));
    if ((res = nb_db_query(r, NB_Q_LOG_DELETE, list)) == NULL)
        return -1;
    /* Another delete took some of them after the check: all or none. */
    if (nb_db_int(res, 0, DELETE_GONE) != nb_db_int(res, 0, DELETE_LISTED))
        return nb_fail(r, NB_E_NOT_FOUND, "a log entry was deleted meanwhile");
    if (nb_audit(r, "%s deletes %lld log entries: %s", r->user.name,
                 (long long)nb_db_int(res, 0, DELETE_GONE), nb_db_text(res, 0, DELETE_WHICH)) < 0)
        return -1;
    return nb_db_commit(r);
}

int
nb_audit_list(struct nb_req *r, const struct nb_audit_filter *f, struct nb_audit_page *out)
{
    const PGresult *count;

    out->res =
        nb_db_query(r, NB_Q_LOG_QUERY, nb_arena_printf(r->arena, "%lld", (long long)f->limit),
                    nb_arena_printf(r->arena, "%lld", (long long)f->offset), f->after, f->before);
    if (out->res == NULL || (count = nb_db_query(r, NB_Q_LOG_COUNT, f->after, f->before)) == NULL)
        return -1;
    out->total = nb_db_int(count, 0, 0);
    return 0;
}
