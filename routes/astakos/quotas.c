/* Quotas and resources as Astakos shows them (docs/quota-api-guide.rst): per holder, source
 * and resource, limit, usage and pending, the project's own figures beside them. */
#include <string.h>

#include "db/db.h"
#include "db/quotas.h"
#include "routes/astakos/astakos.h"

/* The member of o named key, added empty when missing. */
static struct json_object *
member(struct json_object *o, const char *key)
{
    struct json_object *m;

    if (!json_object_object_get_ex(o, key, &m)) {
        m = json_object_new_object();
        json_object_object_add(o, key, m);
    }
    return m;
}

/* limit, usage (usage_max) and pending (usage_max - usage_min) of one holding, from column
 * col of row i on, each name prefixed with prefix (astakos/im/quotas.py, from_holding). */
static void
add_holding(struct json_object *o, const PGresult *res, int i, int col, const char *prefix)
{
    static const char *const names[2][3] = {{"limit", "usage", "pending"},
                                            {"project_limit", "project_usage", "project_pending"}};
    const char *const *n = names[prefix[0] != '\0'];
    int64_t usage_min = nb_db_int(res, i, col + 1), usage_max = nb_db_int(res, i, col + 2);

    json_object_object_add(o, n[0], json_object_new_int64(nb_db_int(res, i, col)));
    json_object_object_add(o, n[1], json_object_new_int64(usage_max));
    json_object_object_add(o, n[2], json_object_new_int64(usage_max - usage_min));
}

/* {source: {resource: {limit, usage, pending, project_limit, …}}} from the rows of a quota
 * read, whose enum nb_quota_col columns start at off, into doc (each row's member of doc
 * named by column key when key >= 0). */
static void
add_quotas(struct json_object *doc, const PGresult *res, int off, int key)
{
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *holder = key >= 0 ? member(doc, nb_db_text(res, i, key)) : doc;
        struct json_object *q = json_object_new_object();

        add_holding(q, res, i, off + NB_QC_LIMIT, "");
        add_holding(q, res, i, off + NB_QC_PROJECT_LIMIT, "project_");
        json_object_object_add(member(holder, nb_db_text(res, i, off + NB_QC_SOURCE)),
                               nb_db_text(res, i, off + NB_QC_RESOURCE), q);
    }
}

/* GET /quotas: the caller's, per source. */
int
astakos_quotas_get(struct nb_req *r)
{
    const PGresult *res = nb_quota_of_user(r);
    struct json_object *doc;

    if (res == NULL)
        return -1;
    doc = json_object_new_object();
    add_quotas(doc, res, 0, -1);
    return nb_reply(r, 200, doc);
}

/* A comma-separated query parameter as a NULL-terminated list; NULL when not given. */
static const char *const *
param_list(struct nb_req *r, const char *name)
{
    const char *v = nb_query_text(r, name);
    size_t n = 1;
    const char **list;
    char *s, *save = NULL;

    if (v == NULL)
        return NULL;
    for (const char *p = v; *p != '\0'; p++)
        n += *p == ',';
    list = nb_arena_alloc(r->arena, (n + 1) * sizeof(*list));
    n = 0;
    for (s = strtok_r(nb_arena_strdup(r->arena, v), ",", &save); s != NULL;
         s = strtok_r(NULL, ",", &save))
        list[n++] = s;
    list[n] = NULL;
    return list;
}

/* GET /service_quotas[?user=<uuid>[,…]][&project=<uuid>[,…]]: per user, then as GET /quotas,
 * for the calling service's resources. Users asked for and not found: itemNotFound. */
int
astakos_service_quotas_get(struct nb_req *r)
{
    const char *const *users = param_list(r, "user");
    const PGresult *res = nb_quota_of_users(r, users, param_list(r, "project"));
    struct json_object *doc;

    if (res == NULL)
        return -1;
    if (users != NULL && PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "No user with UUID '%s'", nb_query_text(r, "user"));
    doc = json_object_new_object();
    add_quotas(doc, res, 1, 0);
    return nb_reply(r, 200, doc);
}

/* GET /service_project_quotas[?project=<uuid>[,…]]: each project's own figures. */
int
astakos_service_project_quotas_get(struct nb_req *r)
{
    const char *const *projects = param_list(r, "project");
    const PGresult *res = nb_quota_of_projects(r, projects);
    struct json_object *doc;

    if (res == NULL)
        return -1;
    if (projects != NULL && PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "No project with UUID '%s'", nb_query_text(r, "project"));
    doc = json_object_new_object();
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *q = json_object_new_object();

        add_holding(q, res, i, NB_PQC_LIMIT, "project_");
        json_object_object_add(member(doc, nb_db_text(res, i, NB_PQC_PROJECT)),
                               nb_db_text(res, i, NB_PQC_RESOURCE), q);
    }
    return nb_reply(r, 200, doc);
}

/* GET /resources: {name: {service, description, unit, ui_visible, api_visible}}. */
int
astakos_resources_get(struct nb_req *r)
{
    const PGresult *res = nb_resource_list(r);
    struct json_object *doc;

    if (res == NULL)
        return -1;
    doc = json_object_new_object();
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *o = json_object_new_object();
        const char *unit = nb_db_text_or_null(res, i, NB_RC_UNIT);

        json_object_object_add(o, "service",
                               json_object_new_string(nb_db_text(res, i, NB_RC_SERVICE)));
        json_object_object_add(o, "description",
                               json_object_new_string(nb_db_text(res, i, NB_RC_DESCRIPTION)));
        json_object_object_add(o, "unit", unit != NULL ? json_object_new_string(unit) : NULL);
        json_object_object_add(o, "ui_visible",
                               json_object_new_boolean(nb_db_bool(res, i, NB_RC_UI)));
        json_object_object_add(o, "api_visible",
                               json_object_new_boolean(nb_db_bool(res, i, NB_RC_API)));
        json_object_object_add(doc, nb_db_text(res, i, NB_RC_NAME), o);
    }
    return nb_reply(r, 200, doc);
}
