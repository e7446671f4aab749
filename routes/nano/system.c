/* Nano's /system/: not in the API document, but the real frontend answers it and its web portal
 * asks it before showing the log-in form (GET), or to make the first user (POST). */
#include "db/system.h"
#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

/* The real frontend's defaults for what the portal leaves out. */
#define DEFAULT_GROUP "admin"
#define DEFAULT_DISPLAY "Administrators of Nano Portal"
#define DEFAULT_ROLE "super"

static const char *
or_default(const char *value, const char *fallback)
{
    return value != NULL && value[0] != '\0' ? value : fallback;
}

/* GET /system/: public. ready once any user exists; the most one guest may have (the portal's
 * create dialog sets its sliders with them), 0 while no cell is enabled. */
int
nano_system_status(struct nb_req *r)
{
    const PGresult *res = nb_system_status(r);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "ready",
                           json_object_new_boolean(nb_db_bool(res, 0, NB_SYS_READY)));
    json_object_object_add(data, "max_cores",
                           json_object_new_int64(nb_db_int(res, 0, NB_SYS_MAX_CORES)));
    json_object_object_add(data, "max_memory",
                           json_object_new_int64(nb_db_int(res, 0, NB_SYS_MAX_MEMORY)));
    json_object_object_add(data, "max_disk",
                           json_object_new_int64(nb_db_int(res, 0, NB_SYS_MAX_DISK)));
    return nano_ok(r, 200, data);
}

/* POST /system/ {user, password, menu, group?, display?, role?}: public, and only while no user
 * exists; refused without hashing anything afterwards. */
int
nano_system_initialise(struct nb_req *r)
{
    struct nb_system_init in = {
        .user = nb_json_get_string(r->json, "user"),
        .password = nb_json_get_string(r->json, "password"),
        .group = or_default(nb_json_get_string(r->json, "group"), DEFAULT_GROUP),
        .display = or_default(nb_json_get_string(r->json, "display"), DEFAULT_DISPLAY),
        .role = or_default(nb_json_get_string(r->json, "role"), DEFAULT_ROLE),
    };
    int ready = nb_system_ready(r);

    if (ready < 0)
        return -1;
    if (ready)
        return nb_fail(r, NB_E_CONFLICT, "system already initialed");
    if ((in.menu = nb_check_string_list(r, "menu", nb_json_get(r->json, "menu"))) == NULL)
        return -1;
    if (in.menu[0] == NULL)
        return nb_fail(r, NB_E_INVALID, "require at least one menu item");
    if (nb_check_name(r, "user", in.user) < 0 || nb_check_name(r, "group", in.group) < 0 ||
        nb_check_name(r, "role", in.role) < 0 ||
        nb_check_password(r, "password", in.password) < 0 || nb_system_initialise(r, &in) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
