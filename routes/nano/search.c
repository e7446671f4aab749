/* Nano guest queries: GET /guest_search/ and POST /search/guests/, visibility applied; and the
 * query-string filters and paging other searches share. */
#include <stdlib.h>
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

#define SEARCH_LIMIT_DEFAULT 1000

const char *
nano_query_text(struct nb_req *r, const char *name)
{
    const char *v = nb_query_param(r, name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

int
nano_query_bool(struct nb_req *r, const char *name, const char **out)
{
    const char *v = nano_query_text(r, name);

    *out = NULL;
    if (v == NULL)
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = "t";
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = "f";
    else
        return nb_fail_field(r, NB_E_INVALID, name, "must be true or false (1 or 0)");
    return 0;
}

int
nano_query_page(struct nb_req *r, const char **limit, const char **after)
{
    const char *v = nano_query_text(r, "limit");
    long long n = SEARCH_LIMIT_DEFAULT;

    if (v != NULL && nb_parse_int(v, 1, SEARCH_LIMIT_MAX, &n) < 0)
        return nb_fail_field(r, NB_E_INVALID, "limit", "must be an integer from 1 to %d",
                             SEARCH_LIMIT_MAX);
    *after = nano_query_text(r, "after");
    if (*after != NULL && !nb_is_uuid(*after))
        return nb_fail_field(r, NB_E_INVALID, "after", "must be an id from the previous page");
    *limit = nb_arena_printf(r->arena, "%lld", n);
    return 0;
}

/* A boolean filter as nb_guest_filter takes it: -1 (any), 0 or 1. */
static int
tristate(const char *v)
{
    return v == NULL ? -1 : v[0] == 't';
}

/* GET /guest_search/?pool&cell&owner&group&status&created, paged. */
int
nano_guest_search(struct nb_req *r)
{
    const char *running, *created, *limit, *after;
    const PGresult *res;

    if (nano_query_bool(r, "status", &running) < 0 || nano_query_bool(r, "created", &created) < 0 ||
        nano_query_page(r, &limit, &after) < 0)
        return -1;
    res = nb_guest_search(r, &(struct nb_guest_filter){.pool = nano_query_text(r, "pool"),
                                                       .cell = nano_query_text(r, "cell"),
                                                       .owner = nano_query_text(r, "owner"),
                                                       .group = nano_query_text(r, "group"),
                                                       .running = tristate(running),
                                                       .created = tristate(created),
                                                       .after = after,
                                                       .limit = strtoll(limit, NULL, 10)});
    return res != NULL ? nano_ok(r, 200, nano_guest_list_json(res, false)) : -1;
}

/* POST /search/guests/ {limit, offset, pool, cell, keyword} → {result, total, limit, offset}. */
int
nano_guest_keyword(struct nb_req *r)
{
    int64_t limit = json_object_get_int64(nb_json_get(r->json, "limit"));
    int64_t offset = json_object_get_int64(nb_json_get(r->json, "offset"));
    const PGresult *res;
    struct json_object *data;

    res = nb_guest_keyword(
        r, &(struct nb_guest_filter){.pool = nb_json_get_string(r->json, "pool"),
                                     .cell = nb_json_get_string(r->json, "cell"),
                                     .keyword = nb_json_get_string(r->json, "keyword"),
                                     .limit = limit,
                                     .offset = offset});
    if (res == NULL)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "result", nano_guest_list_json(res, true));
    json_object_object_add(
        data, "total",
        json_object_new_int64(PQntuples(res) > 0 ? nb_db_int(res, 0, NB_GC__MAX) : 0));
    json_object_object_add(data, "limit", json_object_new_int64(limit));
    json_object_object_add(data, "offset", json_object_new_int64(offset));
    return nano_ok(r, 200, data);
}
