/* Nano's log API over the audit log every dialect writes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "routes/nano/nano.h"

#define LOG_LIMIT_DEFAULT 20
#define LOG_LIMIT_MAX 1000

/* A non-negative integer query parameter; fallback when absent. */
static int
int_param(struct nb_req *r, const char *name, long fallback, long max, long *out)
{
    const char *v = nb_query_param(r, name);
    char *end;

    *out = fallback;
    if (v == NULL || v[0] == '\0')
        return 0;
    *out = strtol(v, &end, 10);
    if (*end != '\0' || *out < 0 || *out > max)
        return nb_fail_field(r, NB_E_INVALID, name, "must be an integer from 0 to %ld", max);
    return 0;
}

/* A 'YYYY-MM-DD HH:MI:SS' query parameter (a bare date is midnight), NULL when absent. */
static int
time_param(struct nb_req *r, const char *name, const char **out)
{
    const char *v = nb_query_param(r, name);
    struct tm tm = {0};
    const char *end;

    *out = NULL;
    if (v == NULL || v[0] == '\0')
        return 0;
    end = strptime(v, "%Y-%m-%d %H:%M:%S", &tm);
    if (end == NULL)
        end = strptime(v, "%Y-%m-%d", &tm);
    if (end == NULL || *end != '\0')
        return nb_fail_field(r, NB_E_INVALID, name, "must be a time as 'YYYY-MM-DD HH:MI:SS'");
    *out = v;
    return 0;
}

/* GET /logs/?limit&start&after&before → {logs: [{id, time, content}], total}. */
int
nano_log_query(struct nb_req *r)
{
    long limit, start;
    const char *after, *before;
    const PGresult *res, *count;
    struct json_object *logs, *data;

    if (int_param(r, "limit", LOG_LIMIT_DEFAULT, LOG_LIMIT_MAX, &limit) < 0 ||
        int_param(r, "start", 0, 1000000000L, &start) < 0 || time_param(r, "after", &after) < 0 ||
        time_param(r, "before", &before) < 0)
        return -1;
    res = nb_db_query(r, NB_Q_LOG_QUERY, nb_arena_printf(r->arena, "%ld", limit),
                      nb_arena_printf(r->arena, "%ld", start), after, before);
    if (res == NULL || (count = nb_db_query(r, NB_Q_LOG_COUNT, after, before)) == NULL)
        return -1;
    logs = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *e = json_object_new_object();

        json_object_object_add(e, "id", json_object_new_string(nb_db_text(res, i, 0)));
        json_object_object_add(e, "time", json_object_new_string(nb_db_text(res, i, 1)));
        json_object_object_add(e, "content", json_object_new_string(nb_db_text(res, i, 2)));
        json_object_array_add(logs, e);
    }
    data = json_object_new_object();
    json_object_object_add(data, "logs", logs);
    json_object_object_add(data, "total", json_object_new_int64(nb_db_int(count, 0, 0)));
    return nano_ok(r, 200, data);
}

/* POST /logs/ {format, content}: the entry is the content itself. */
int
nano_log_add(struct nb_req *r)
{
    const char *content = nb_json_get_string(r->json, "content");

    if (content[0] == '\0')
        return nb_fail_field(r, NB_E_INVALID, "content", "This field may not be blank.");
    if (nb_audit(r, "%s", content) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /logs/ {entries}: all named entries, or none when one does not exist. */
int
nano_log_remove(struct nb_req *r)
{
    const char *list = nb_check_string_array(r, "entries", nb_json_get(r->json, "entries"));
    const PGresult *res;

    if (list == NULL || (res = nb_db_query(r, NB_Q_LOG_FIRST_UNKNOWN, list)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_NOT_FOUND, "log entry %s not found", nb_db_text(res, 0, 0));
    if (nb_db_query(r, NB_Q_LOG_DELETE, list) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}
