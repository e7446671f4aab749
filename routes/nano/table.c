/* Nano's route table. The real frontend accepts paths with and without the trailing slash.
 * Names in paths ([^/]+) are checked by the handlers that create them (app/validate.h). */
#include "routes/dialects.h"
#include "routes/nano/nano.h"

#define END {NULL, 0, 0, 0, NULL}

static const struct nb_field session_in[] = {
    {"user", NB_T_STRING, true, 0, NULL},
    {"password", NB_T_STRING, true, 1024, NULL},
    {"nonce", NB_T_STRING, false, 0, NULL},
    END,
};

static const struct nb_field role_in[] = {
    {"menu", NB_T_ARRAY, true, 0, NULL},
    END,
};

static const struct nb_field group_in[] = {
    {"display", NB_T_STRING, false, 0, NULL},
    {"role", NB_T_ARRAY, false, 0, NULL},
    END,
};

static const struct nb_field user_create_in[] = {
    {"nick", NB_T_STRING, false, 0, NULL},
    {"mail", NB_T_STRING, false, 0, NULL},
    {"password", NB_T_STRING, true, 1024, NULL},
    END,
};

static const struct nb_field user_modify_in[] = {
    {"nick", NB_T_STRING, false, 0, NULL},
    {"mail", NB_T_STRING, false, 0, NULL},
    END,
};

static const struct nb_field password_in[] = {
    {"old", NB_T_STRING, true, 1024, NULL},
    {"new", NB_T_STRING, true, 1024, NULL},
    END,
};

static const struct nb_field visibility_in[] = {
    {"instance_visible", NB_T_BOOL, false, 0, NULL},
    {"media_image_visible", NB_T_BOOL, false, 0, NULL},
    {"disk_image_visible", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field log_add_in[] = {
    {"format", NB_T_STRING, false, 0, NULL},
    {"content", NB_T_STRING, true, 4096, NULL},
    END,
};

static const struct nb_field log_remove_in[] = {
    {"entries", NB_T_ARRAY, true, 0, NULL},
    END,
};

static const struct nb_field address_pool_create_in[] = {
    {"gateway", NB_T_STRING, true, 0, NULL},
    {"dns", NB_T_ARRAY, false, 0, NULL},
    {"provider", NB_T_STRING, false, 0, NULL},
    {"mode", NB_T_STRING, false, 0, NULL},
    END,
};

static const struct nb_field address_pool_modify_in[] = {
    {"gateway", NB_T_STRING, false, 0, NULL},
    {"dns", NB_T_ARRAY, false, 0, NULL},
    {"provider", NB_T_STRING, false, 0, NULL},
    {"mode", NB_T_STRING, false, 0, NULL},
    END,
};

static const struct nb_field address_range_in[] = {
    {"end", NB_T_STRING, true, 0, NULL},
    {"netmask", NB_T_STRING, true, 0, NULL},
    END,
};

#define TEMPLATE_FIELDS(name_required)                                                         \
    {"name", NB_T_STRING, name_required, 0, NULL}, {"admin", NB_T_STRING, false, 0, NULL},     \
        {"operating_system", NB_T_STRING, false, 0, NULL},                                     \
        {"disk", NB_T_STRING, false, 0, NULL}, {"network", NB_T_STRING, false, 0, NULL},       \
        {"display", NB_T_STRING, false, 0, NULL}, {"control", NB_T_STRING, false, 0, NULL},    \
        {"usb", NB_T_STRING, false, 0, NULL}, {"tablet", NB_T_STRING, false, 0, NULL}

static const struct nb_field template_create_in[] = {TEMPLATE_FIELDS(true), END};
static const struct nb_field template_modify_in[] = {TEMPLATE_FIELDS(false), END};

#define NAME "([^/]+)"

static const struct nb_route nano_routes[] = {
    /* Sessions. */
    {NB_POST, "^/api/v1/sessions/?$", nano_session_create, session_in, NB_PERM_PUBLIC, NULL},
    {NB_GET, "^/api/v1/sessions/" NAME "/?$", nano_session_get, NULL, NB_PERM_USER, NULL},
    {NB_PUT, "^/api/v1/sessions/" NAME "/?$", nano_session_keep, NULL, NB_PERM_USER, NULL},
    {NB_DELETE, "^/api/v1/sessions/" NAME "/?$", nano_session_delete, NULL, NB_PERM_USER,
     "logs out"},

    /* Roles. */
    {NB_GET, "^/api/v1/roles/?$", nano_role_list, NULL, NB_PERM_USERS, NULL},
    {NB_GET, "^/api/v1/roles/" NAME "/?$", nano_role_get, NULL, NB_PERM_USERS, NULL},
    {NB_POST, "^/api/v1/roles/" NAME "/?$", nano_role_create, role_in, NB_PERM_USERS,
     "creates role {1}"},
    {NB_PUT, "^/api/v1/roles/" NAME "/?$", nano_role_modify, role_in, NB_PERM_USERS,
     "modifies role {1}"},
    {NB_DELETE, "^/api/v1/roles/" NAME "/?$", nano_role_remove, NULL, NB_PERM_USERS,
     "removes role {1}"},

    /* User groups and their members. */
    {NB_GET, "^/api/v1/user_groups/?$", nano_group_list, NULL, NB_PERM_USERS, NULL},
    {NB_GET, "^/api/v1/user_groups/" NAME "/?$", nano_group_get, NULL, NB_PERM_USERS, NULL},
    {NB_POST, "^/api/v1/user_groups/" NAME "/?$", nano_group_create, group_in, NB_PERM_USERS,
     "creates user group {1}"},
    {NB_PUT, "^/api/v1/user_groups/" NAME "/?$", nano_group_modify, group_in, NB_PERM_USERS,
     "modifies user group {1}"},
    {NB_DELETE, "^/api/v1/user_groups/" NAME "/?$", nano_group_remove, NULL, NB_PERM_USERS,
     "removes user group {1}"},
    {NB_GET, "^/api/v1/user_groups/" NAME "/members/?$", nano_group_members, NULL,
     NB_PERM_USERS, NULL},
    {NB_POST, "^/api/v1/user_groups/" NAME "/members/" NAME "/?$", nano_group_member_add, NULL,
     NB_PERM_USERS, "adds {2} to user group {1}"},
    {NB_DELETE, "^/api/v1/user_groups/" NAME "/members/" NAME "/?$", nano_group_member_remove,
     NULL, NB_PERM_USERS, "removes {2} from user group {1}"},

    /* Users. */
    {NB_GET, "^/api/v1/users/?$", nano_user_list, NULL, NB_PERM_USERS, NULL},
    {NB_GET, "^/api/v1/users/" NAME "/?$", nano_user_get, NULL, NB_PERM_SELF, NULL},
    {NB_POST, "^/api/v1/users/" NAME "/?$", nano_user_create, user_create_in, NB_PERM_USERS,
     "creates user {1}"},
    {NB_PUT, "^/api/v1/users/" NAME "/?$", nano_user_modify, user_modify_in, NB_PERM_SELF,
     "modifies user {1}"},
    {NB_DELETE, "^/api/v1/users/" NAME "/?$", nano_user_remove, NULL, NB_PERM_USERS,
     "deletes user {1}"},
    {NB_PUT, "^/api/v1/users/" NAME "/password/?$", nano_user_password, password_in,
     NB_PERM_SELF, "changes the password of {1}"},
    {NB_GET, "^/api/v1/user_search/?$", nano_user_search, NULL, NB_PERM_USERS, NULL},

    /* Resource visibility of the caller's group. */
    {NB_GET, "^/api/v1/resource_visibilities/?$", nano_visibility_get, NULL, NB_PERM_USER, NULL},
    {NB_PUT, "^/api/v1/resource_visibilities/?$", nano_visibility_set, visibility_in,
     NB_PERM_VISIBILITY, "changes the resource visibility of its group"},

    /* Logs. */
    {NB_GET, "^/api/v1/logs/?$", nano_log_query, NULL, NB_PERM_LOG, NULL},
    {NB_POST, "^/api/v1/logs/?$", nano_log_add, log_add_in, NB_PERM_LOG, NULL},
    {NB_DELETE, "^/api/v1/logs/?$", nano_log_remove, log_remove_in, NB_PERM_LOG,
     "deletes log entries"},

    /* Compute pools, cells, storage pools and statistics. */

    /* Address pools and ranges; system templates. */
    {NB_GET, "^/api/v1/address_pools/?$", nano_address_pool_list, NULL, NB_PERM_ADDRESS_POOL,
     NULL},
    {NB_GET, "^/api/v1/address_pools/" NAME "/?$", nano_address_pool_get, NULL,
     NB_PERM_ADDRESS_POOL, NULL},
    {NB_POST, "^/api/v1/address_pools/" NAME "/?$", nano_address_pool_create,
     address_pool_create_in, NB_PERM_ADDRESS_POOL, "creates address pool {1}"},
    {NB_PUT, "^/api/v1/address_pools/" NAME "/?$", nano_address_pool_modify,
     address_pool_modify_in, NB_PERM_ADDRESS_POOL, "modifies address pool {1}"},
    {NB_DELETE, "^/api/v1/address_pools/" NAME "/?$", nano_address_pool_remove, NULL,
     NB_PERM_ADDRESS_POOL, "deletes address pool {1}"},
    {NB_GET, "^/api/v1/address_pools/" NAME "/" NAME "/ranges/?$", nano_address_range_list, NULL,
     NB_PERM_ADDRESS_POOL, NULL},
    {NB_GET, "^/api/v1/address_pools/" NAME "/" NAME "/ranges/" NAME "/?$",
     nano_address_range_get, NULL, NB_PERM_ADDRESS_POOL, NULL},
    {NB_POST, "^/api/v1/address_pools/" NAME "/" NAME "/ranges/" NAME "/?$",
     nano_address_range_add, address_range_in, NB_PERM_ADDRESS_POOL,
     "adds {2} address range {3} to address pool {1}"},
    {NB_DELETE, "^/api/v1/address_pools/" NAME "/" NAME "/ranges/" NAME "/?$",
     nano_address_range_remove, NULL, NB_PERM_ADDRESS_POOL,
     "removes {2} address range {3} from address pool {1}"},
    {NB_GET, "^/api/v1/templates/?$", nano_template_list, NULL, NB_PERM_USER, NULL},
    {NB_POST, "^/api/v1/templates/?$", nano_template_create, template_create_in,
     NB_PERM_SYSTEM_TEMPLATE, "creates a system template"},
    {NB_GET, "^/api/v1/templates/" NAME "/?$", nano_template_get, NULL, NB_PERM_USER, NULL},
    {NB_PUT, "^/api/v1/templates/" NAME "/?$", nano_template_modify, template_modify_in,
     NB_PERM_SYSTEM_TEMPLATE, "modifies system template {1}"},
    {NB_DELETE, "^/api/v1/templates/" NAME "/?$", nano_template_remove, NULL,
     NB_PERM_SYSTEM_TEMPLATE, "deletes system template {1}"},
};

static const char *const nano_mounts[] = {"/api/v1/", NULL};

const struct nb_dialect nano_dialect = {
    "nano", nano_mounts, NB_ROUTES(nano_routes), nano_error,
    "unauthenticated request", "invalid session",
};
