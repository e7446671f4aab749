/* Astakos memberships: GET/POST /projects/memberships, GET /projects/memberships/<id>,
 * POST /projects/memberships/<id>/action, in the shapes of the Astakos project API guide. */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/memberships.h"
#include "routes/astakos/astakos.h"

/* A membership as Astakos's get_memberships_details shows it: with the date it last entered
 * each state it has been in, under the state's name, and what the caller may do with it. */
static struct json_object *
membership_json(struct nb_req *r, const PGresult *res, int row)
{
    struct json_object *o = json_object_new_object(), *actions = json_object_new_array();
    struct json_object *dates = nb_db_json(res, row, NB_MC_DATES);

    json_object_object_add(o, "id", json_object_new_int64(nb_db_int(res, row, NB_MC_ID)));
    json_object_object_add(o, "user", json_object_new_string(nb_db_text(res, row, NB_MC_USER)));
    json_object_object_add(o, "project",
                           json_object_new_string(nb_db_text(res, row, NB_MC_PROJECT)));
    json_object_object_add(o, "state", json_object_new_string(nb_db_text(res, row, NB_MC_STATE)));
    for (int a = 0; a < NB_MEMBERSHIP_ACTION__MAX; a++)
        if (nb_membership_allows(r, res, row, (enum nb_membership_action)a))
            json_object_array_add(actions, json_object_new_string(nb_membership_action_names[a]));
    json_object_object_add(o, "allowed_actions", actions);
    if (json_object_is_type(dates, json_type_object)) {
        json_object_object_foreach(dates, state, when)
        {
            json_object_object_add(o, state, json_object_get(when));
        }
    }
    json_object_put(dates);
    return o;
}

/* GET /projects/memberships?project= */
int
astakos_membership_list(struct nb_req *r)
{
    const PGresult *res = nb_membership_list(r, nb_query_text(r, "project"),
                                             nb_query_text(r, "marker"), nb_query_text(r, "limit"));
    struct json_object *list;

    if (res == NULL)
        return -1;
    list = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++)
        json_object_array_add(list, membership_json(r, res, i));
    return nb_reply(r, 200, list);
}

/* GET /projects/memberships/<id> */
int
astakos_membership_get(struct nb_req *r)
{
    const PGresult *res = nb_membership_load(r, r->capture[0]);

    if (res == NULL)
        return -1;
    return nb_reply(r, 200, membership_json(r, res, 0));
}

/* POST /projects/memberships {"join": {"project"}} | {"enroll": {"project", "user"}} →
 * {"id": membership}. */
int
astakos_membership_create(struct nb_req *r)
{
    static const char *const kinds[] = {"join", "enroll"};
    struct json_object *data, *o;
    const char *id;
    int kind = astakos_action_pick(r, kinds, 2, &data);

    if (kind < 0)
        return -1;
    if ((kind == 0 ? nb_membership_join(r, nb_json_get_string(data, "project"), &id)
                   : nb_membership_enroll(r, nb_json_get_string(data, "project"),
                                          nb_json_get_string(data, "user"), &id)) < 0)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(strtoll(id, NULL, 10)));
    return nb_reply(r, 200, o);
}

/* POST /projects/memberships/<id>/action {"<action>": "reason"} → 200, no body. */
int
astakos_membership_action(struct nb_req *r)
{
    struct json_object *reason;
    int action =
        astakos_action_pick(r, nb_membership_action_names, NB_MEMBERSHIP_ACTION__MAX, &reason);

    if (action < 0)
        return -1;
    if (reason != NULL && !json_object_is_type(reason, json_type_string))
        return nb_fail_field(r, NB_E_INVALID, nb_membership_action_names[action],
                             "The reason must be a string");
    if (nb_membership_act(r, r->capture[0], (enum nb_membership_action)action,
                          reason != NULL ? json_object_get_string(reason) : NULL) < 0)
        return -1;
    return nb_reply(r, 200, NULL);
}
