/* Nano guest queries: GET /guest_search/ and POST /search/guests/, visibility applied; and the
 * keyset paging other searches share. */
#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

int
nano_query_page(struct nb_req *r, long long *limit, const char **after)
{
    *limit = nb_query_int(r, "limit", SEARCH_LIMIT_MAX);
    *after = nb_query_text(r, "after");
    if (*after != NULL && !nb_is_uuid(*after))
        return nb_fail_field(r, NB_E_INVALID, "after", "must be an id from the previous page");
    return 0;
}

/* GET /guest_search/?pool&cell&owner&group&status&created, paged; the boolean filters are -1
 * (any) when absent. */
int
nano_guest_search(struct nb_req *r)
{
    const char *after;
    long long limit;
    const PGresult *res;

    if (nano_query_page(r, &limit, &after) < 0)
        return -1;
    res = nb_guest_search(r, &(struct nb_guest_filter){.pool = nb_query_text(r, "pool"),
                                                       .cell = nb_query_text(r, "cell"),
                                                       .owner = nb_query_text(r, "owner"),
                                                       .group = nb_query_text(r, "group"),
                                                       .running = nb_query_bool(r, "status", -1),
                                                       .created = nb_query_bool(r, "created", -1),
                                                       .after = after,
                                                       .limit = limit});
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
