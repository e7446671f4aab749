/* Astakos projects: GET/POST /projects, GET/PUT /projects/<id>, POST /projects/<id>/action,
 * in the shapes of the Astakos project API guide (the new side of the seed). */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/projects.h"
#include "routes/astakos/astakos.h"

static struct json_object *
text_or_null(const PGresult *res, int row, int col)
{
    const char *s = nb_db_text_or_null(res, row, col);

    return s != NULL ? json_object_new_string(s) : NULL;
}

/* A project's last application, as Astakos's _application_details shows it. */
static struct json_object *
application_json(const PGresult *res, int row)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64(nb_db_int(res, row, NB_PC_APP_ID)));
    json_object_object_add(o, "state", text_or_null(res, row, NB_PC_APP_STATE));
    json_object_object_add(o, "name", text_or_null(res, row, NB_PC_APP_NAME));
    json_object_object_add(o, "owner", text_or_null(res, row, NB_PC_APP_OWNER));
    json_object_object_add(o, "applicant", text_or_null(res, row, NB_PC_APP_APPLICANT));
    json_object_object_add(o, "homepage", text_or_null(res, row, NB_PC_APP_HOMEPAGE));
    json_object_object_add(o, "description", text_or_null(res, row, NB_PC_APP_DESCRIPTION));
    json_object_object_add(o, "start_date", text_or_null(res, row, NB_PC_APP_START));
    json_object_object_add(o, "end_date", text_or_null(res, row, NB_PC_APP_END));
    json_object_object_add(o, "comments", text_or_null(res, row, NB_PC_APP_COMMENTS));
    json_object_object_add(o, "join_policy", text_or_null(res, row, NB_PC_APP_JOIN));
    json_object_object_add(o, "leave_policy", text_or_null(res, row, NB_PC_APP_LEAVE));
    json_object_object_add(o, "max_members",
                           PQgetisnull(res, row, NB_PC_APP_MAX_MEMBERS)
                               ? NULL
                               : json_object_new_int64(nb_db_int(res, row, NB_PC_APP_MAX_MEMBERS)));
    json_object_object_add(o, "private",
                           PQgetisnull(res, row, NB_PC_APP_PRIVATE)
                               ? NULL
                               : json_object_new_boolean(nb_db_bool(res, row, NB_PC_APP_PRIVATE)));
    json_object_object_add(o, "resources", nb_db_json(res, row, NB_PC_APP_RESOURCES));
    return o;
}

/* A project as Astakos's get_projects_details shows it: its last application and deactivation
 * date only to its owner and administrators. */
static struct json_object *
project_json(const PGresult *res, int row)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", text_or_null(res, row, NB_PC_ID));
    json_object_object_add(o, "state", text_or_null(res, row, NB_PC_STATE));
    json_object_object_add(o, "creation_date", text_or_null(res, row, NB_PC_CREATED));
    json_object_object_add(o, "name", text_or_null(res, row, NB_PC_NAME));
    json_object_object_add(o, "owner", text_or_null(res, row, NB_PC_OWNER));
    json_object_object_add(o, "homepage", text_or_null(res, row, NB_PC_HOMEPAGE));
    json_object_object_add(o, "description", text_or_null(res, row, NB_PC_DESCRIPTION));
    json_object_object_add(o, "end_date", text_or_null(res, row, NB_PC_END));
    json_object_object_add(o, "join_policy", text_or_null(res, row, NB_PC_JOIN));
    json_object_object_add(o, "leave_policy", text_or_null(res, row, NB_PC_LEAVE));
    json_object_object_add(o, "max_members",
                           json_object_new_int64(nb_db_int(res, row, NB_PC_MAX_MEMBERS)));
    json_object_object_add(o, "private",
                           json_object_new_boolean(nb_db_bool(res, row, NB_PC_PRIVATE)));
    json_object_object_add(o, "system_project",
                           json_object_new_boolean(nb_db_bool(res, row, NB_PC_BASE)));
    json_object_object_add(o, "resources", nb_db_json(res, row, NB_PC_RESOURCES));
    if (nb_db_bool(res, row, NB_PC_PRIVILEGED)) {
        json_object_object_add(o, "last_application",
                               PQgetisnull(res, row, NB_PC_APP_ID) ? NULL
                                                                   : application_json(res, row));
        if (!PQgetisnull(res, row, NB_PC_DEACTIVATED))
            json_object_object_add(o, "deactivation_date",
                                   text_or_null(res, row, NB_PC_DEACTIVATED));
    }
    return o;
}

/* GET /projects?state=&owner=&name=&mode=member|default */
int
astakos_project_list(struct nb_req *r)
{
    const char *mode = nb_query_param(r, "mode");
    struct nb_project_filter f = {
        .state = nb_query_param(r, "state"),
        .owner = nb_query_param(r, "owner"),
        .name = nb_query_param(r, "name"),
        .marker = nb_query_param(r, "marker"),
        .limit = nb_query_param(r, "limit"),
    };
    const PGresult *res;
    struct json_object *list;

    if (mode != NULL && strcmp(mode, "member") != 0 && strcmp(mode, "default") != 0)
        return nb_fail(r, NB_E_INVALID, "Unrecognized mode '%s'.", mode);
    f.member_only = mode != NULL && strcmp(mode, "member") == 0;
    if ((res = nb_project_list(r, &f)) == NULL)
        return -1;
    list = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++)
        json_object_array_add(list, project_json(res, i));
    return nb_reply(r, 200, list);
}

/* GET /projects/<id> */
int
astakos_project_get(struct nb_req *r)
{
    const PGresult *res = nb_project_load(r, r->capture[0]);

    if (res == NULL)
        return -1;
    return nb_reply(r, 200, project_json(res, 0));
}

/* The body of POST /projects and PUT /projects/<id>, as db/ takes it. */
static void
project_request(struct nb_req *r, struct nb_project_request *q)
{
    struct json_object *b = r->json, *v;

    *q = (struct nb_project_request){
        .name = nb_json_get_string(b, "name"),
        .owner = nb_json_get_string(b, "owner"),
        .homepage = nb_json_get_string(b, "homepage"),
        .description = nb_json_get_string(b, "description"),
        .comments = nb_json_get_string(b, "comments"),
        .start_date = nb_json_get_string(b, "start_date"),
        .end_date = nb_json_get_string(b, "end_date"),
        .join_policy = nb_json_get_string(b, "join_policy"),
        .leave_policy = nb_json_get_string(b, "leave_policy"),
        .private_ = -1,
        .resources = nb_json_get(b, "resources"),
    };
    if ((v = nb_json_get(b, "max_members")) != NULL) {
        q->has_max_members = true;
        q->max_members = json_object_get_int64(v);
    }
    if ((v = nb_json_get(b, "private")) != NULL)
        q->private_ = json_object_get_boolean(v);
}

/* {"id": project, "application": application}, 201, for both a new project and a change. */
static int
applied(struct nb_req *r, const char *project_id)
{
    struct nb_project_request q;
    const char *project, *application;
    struct json_object *o;

    project_request(r, &q);
    if (nb_project_apply(r, project_id, &q, &project, &application) < 0)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(project));
    json_object_object_add(o, "application", json_object_new_int64(strtoll(application, NULL, 10)));
    return nb_reply(r, 201, o);
}

/* POST /projects: an application for a new project. */
int
astakos_project_create(struct nb_req *r)
{
    return applied(r, NULL);
}

/* PUT /projects/<id>: an application to modify the project. */
int
astakos_project_modify(struct nb_req *r)
{
    return applied(r, r->capture[0]);
}

/* POST /projects/<id>/action {"<action>": {"reason": ..., "app_id": ...}} → 200, no body. */
int
astakos_project_action(struct nb_req *r)
{
    struct json_object *data, *app;
    const char *app_id = NULL;
    int action = astakos_action_pick(r, nb_project_action_names, NB_PROJECT_ACTION__MAX, &data);

    if (action < 0)
        return -1;
    if ((app = nb_json_get(data, "app_id")) != NULL) {
        if (json_object_is_type(app, json_type_int))
            app_id = nb_arena_printf(r->arena, "%lld", (long long)json_object_get_int64(app));
        else if (json_object_is_type(app, json_type_string))
            app_id = json_object_get_string(app);
        else
            return nb_fail_field(r, NB_E_INVALID, "app_id", "Invalid app_id");
    }
    if (nb_project_act(r, r->capture[0], (enum nb_project_action)action, app_id,
                       nb_json_get_string(data, "reason")) < 0)
        return -1;
    return nb_reply(r, 200, NULL);
}
