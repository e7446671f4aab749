/* Nano's log API over the audit log every dialect writes. */
#include <string.h>
#include <time.h>

#include "app/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "routes/nano/nano.h"

#define LOG_LIMIT_DEFAULT 20

/* A 'YYYY-MM-DD HH:MI:SS' query parameter (a bare date is midnight), NULL when absent. */
static int
time_param(struct nb_req *r, const char *name, const char **out)
{
    const char *v = nb_query_text(r, name);
    struct tm tm = {0};
    const char *end;

    *out = NULL;
    if (v == NULL)
        return 0;
    end = strptime(v, "%Y-%m-%d %H:%M:%S", &tm);
    if (end == NULL)
        end = strptime(v, "%Y-%m-%d", &tm);
    if (end == NULL || *end != '\0')
        return nb_fail_field(r, NB_E_INVALID, name, "must be a time as 'YYYY-MM-DD HH:MI:SS'");
    *out = v;
    return 0;
}

/* One entry in Nano's shape plus who it is recorded for ("user", null for nimbusctl) and
 * "source": "system" or "user" ("unknown" before migration 017). Text a user posted names its
 * author in the content too, so that a reader of the content alone never takes it for a
 * record the system wrote. */
static struct json_object *
log_entry(struct nb_req *r, const PGresult *res, int i)
{
    struct json_object *e = json_object_new_object();
    const char *author = nb_db_text_or_null(res, i, NB_AC_AUTHOR);
    const char *content = nb_db_text(res, i, NB_AC_ENTRY);

    if (strcmp(nb_db_text(res, i, NB_AC_SOURCE), "user") == 0)
        content =
            nb_arena_printf(r->arena, "%s writes: %s", author != NULL ? author : "?", content);
    json_object_object_add(e, "id", json_object_new_string(nb_db_text(res, i, NB_AC_ID)));
    json_object_object_add(e, "time", json_object_new_string(nb_db_text(res, i, NB_AC_TIME)));
    json_object_object_add(e, "content", json_object_new_string(content));
    json_object_object_add(e, "user", author != NULL ? json_object_new_string(author) : NULL);
    json_object_object_add(e, "source", json_object_new_string(nb_db_text(res, i, NB_AC_SOURCE)));
    return e;
}

/* GET /logs/?limit&start&after&before → {logs: [{id, time, content, user, source}], total}. */
int
nano_log_query(struct nb_req *r)
{
    struct nb_audit_filter f;
    struct nb_audit_page page;
    struct json_object *logs, *data;

    if (time_param(r, "after", &f.after) < 0 || time_param(r, "before", &f.before) < 0)
        return -1;
    f.limit = nb_query_int(r, "limit", LOG_LIMIT_DEFAULT);
    f.offset = nb_query_int(r, "start", 0);
    if (nb_audit_list(r, &f, &page) < 0)
        return -1;
    logs = json_object_new_array_ext(PQntuples(page.res));
    for (int i = 0; i < PQntuples(page.res); i++)
        json_object_array_add(logs, log_entry(r, page.res, i));
    data = json_object_new_object();
    json_object_object_add(data, "logs", logs);
    json_object_object_add(data, "total", json_object_new_int64(page.total));
    return nano_ok(r, 200, data);
}

/* POST /logs/ {format, content}: the content, recorded as the caller's. */
int
nano_log_add(struct nb_req *r)
{
    const char *content = nb_json_get_string(r->json, "content");

    if (content[0] == '\0')
        return nb_fail_field(r, NB_E_INVALID, "content", "This field may not be blank.");
    if (nb_audit_post(r, content) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /logs/ {entries}: all named entries, or none when one does not exist; the audit
 * entry it writes lists what went. */
int
nano_log_remove(struct nb_req *r)
{
    const char *const *list = nb_check_string_list(r, "entries", nb_json_get(r->json, "entries"));

    if (list == NULL || nb_audit_remove(r, list) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
