/* Nano's route table. The real frontend accepts paths with and without the trailing slash.
 * Names in paths (NAME) are checked by the handlers that create them (app/validate.h). */
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

static const struct nb_field cloud_init_in[] = {
    {"root_enabled", NB_T_BOOL, false, 0, NULL},
    {"admin_name", NB_T_STRING, false, 0, NULL},
    {"admin_secret", NB_T_STRING, false, 0, NULL},
    {"data_path", NB_T_STRING, false, 0, NULL},
    END,
};

/* GuestConfig as POST /guests/ takes it; the batch create adds its own fields. */
#define GUEST_FIELDS                                                                            \
    {"owner", NB_T_STRING, false, 0, NULL}, {"group", NB_T_STRING, false, 0, NULL},             \
        {"pool", NB_T_STRING, true, 0, NULL}, {"cores", NB_T_INT, true, 0, NULL},               \
        {"memory", NB_T_INT, true, 0, NULL}, {"disks", NB_T_ARRAY, true, 0, NULL},              \
        {"auto_start", NB_T_BOOL, false, 0, NULL}, {"system", NB_T_STRING, false, 0, NULL},     \
        {"network_address", NB_T_STRING, false, 0, NULL},                                      \
        {"ethernet_address", NB_T_STRING, false, 0, NULL},                                     \
        {"from_image", NB_T_STRING, false, 0, NULL}, {"ports", NB_T_ARRAY, false, 0, NULL},    \
        {"template", NB_T_STRING, true, 0, NULL}, {"modules", NB_T_ARRAY, false, 0, NULL},     \
        {"cloud_init", NB_T_OBJECT, false, 0, cloud_init_in},                                  \
        {"qos", NB_T_OBJECT, false, 0, NULL},                                                  \
        {"security_policy_group", NB_T_STRING, false, 0, NULL}

static const struct nb_field guest_in[] = {
    {"name", NB_T_STRING, true, 0, NULL},
    GUEST_FIELDS,
    END,
};

static const struct nb_field batch_create_in[] = {
    {"name_rule", NB_T_STRING, false, 0, NULL},
    {"name_prefix", NB_T_STRING, false, 0, NULL},
    {"count", NB_T_INT, true, 0, NULL},
    GUEST_FIELDS,
    END,
};

static const struct nb_field migration_in[] = {
    {"source_pool", NB_T_STRING, true, 0, NULL},
    {"source_cell", NB_T_STRING, true, 0, NULL},
    {"target_pool", NB_T_STRING, false, 0, NULL},
    {"target_cell", NB_T_STRING, false, 0, NULL},
    {"instances", NB_T_ARRAY, false, 0, NULL},
    END,
};

static const struct nb_field batch_guests_in[] = {
    {"guest", NB_T_ARRAY, false, 0, NULL},
    {"guests", NB_T_ARRAY, false, 0, NULL},
    {"force", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field force_in[] = {
    {"force", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field compute_pool_in[] = {
    {"storage", NB_T_STRING, false, 0, NULL},
    {"network", NB_T_STRING, false, 0, NULL},
    {"failover", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field enable_in[] = {
    {"enable", NB_T_BOOL, true, 0, NULL},
    END,
};

static const struct nb_field cores_in[] = {
    {"cores", NB_T_INT, true, 0, NULL},
    {"immediate", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field memory_in[] = {
    {"memory", NB_T_INT, true, 0, NULL},
    {"immediate", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field resize_in[] = {
    {"size", NB_T_INT, true, 0, NULL},
    {"immediate", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field shrink_in[] = {
    {"immediate", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field name_in[] = {
    {"name", NB_T_STRING, true, 0, NULL},
    END,
};

static const struct nb_field priority_in[] = {
    {"priority", NB_T_STRING, true, 0, NULL},
    END,
};

static const struct nb_field disk_qos_in[] = {
    {"write_speed", NB_T_INT, false, 0, NULL},
    {"write_iops", NB_T_INT, false, 0, NULL},
    {"read_speed", NB_T_INT, false, 0, NULL},
    {"read_iops", NB_T_INT, false, 0, NULL},
    END,
};

static const struct nb_field network_qos_in[] = {
    {"receive_speed", NB_T_INT, false, 0, NULL},
    {"send_speed", NB_T_INT, false, 0, NULL},
    END,
};

static const struct nb_field start_in[] = {
    {"from_media", NB_T_BOOL, false, 0, NULL},
    {"from_network", NB_T_BOOL, false, 0, NULL},
    {"source", NB_T_STRING, false, 0, NULL},
    END,
};

static const struct nb_field system_in[] = {
    {"from_image", NB_T_STRING, true, 0, NULL},
    END,
};

static const struct nb_field auth_in[] = {
    {"password", NB_T_STRING, false, 0, NULL},
    {"user", NB_T_STRING, false, 0, NULL},
    END,
};

static const struct nb_field media_in[] = {
    {"source", NB_T_STRING, true, 0, NULL},
    {"type", NB_T_INT, false, 0, NULL},
    END,
};

static const struct nb_field stop_in[] = {
    {"reboot", NB_T_BOOL, false, 0, NULL},
    {"force", NB_T_BOOL, false, 0, NULL},
    END,
};

static const struct nb_field snapshot_in[] = {
    {"name", NB_T_STRING, true, 0, NULL},
    {"description", NB_T_STRING, false, 1024, NULL},
    END,
};

static const struct nb_field restore_in[] = {
    {"target", NB_T_STRING, true, 0, NULL},
    END,
};

static const struct nb_field rule_in[] = {
    {"action", NB_T_STRING, true, 0, NULL},
    {"to_port", NB_T_INT, false, 0, NULL},
    {"protocol", NB_T_STRING, true, 0, NULL},
    {"from_address", NB_T_STRING, false, 0, NULL},
    {"interface", NB_T_INT, false, 0, NULL},
    END,
};

static const struct nb_field action_in[] = {
    {"action", NB_T_STRING, true, 0, NULL},
    END,
};

static const struct nb_field direction_in[] = {
    {"direction", NB_T_STRING, true, 0, NULL},
    END,
};

/* SecurityPolicyGroupConfig but the name; user and group name the owner (see
 * db/security_groups.h). */
#define SECGROUP_FIELDS                                                                         \
    {"description", NB_T_STRING, false, 1024, NULL}, {"user", NB_T_STRING, false, 0, NULL},     \
        {"group", NB_T_STRING, false, 0, NULL}, {"enabled", NB_T_BOOL, false, 0, NULL},         \
        {"global", NB_T_BOOL, false, 0, NULL}, {"default_action", NB_T_STRING, false, 0, NULL}

static const struct nb_field secgroup_create_in[] = {
    {"name", NB_T_STRING, true, 0, NULL},
    SECGROUP_FIELDS,
    END,
};

static const struct nb_field secgroup_modify_in[] = {
    {"name", NB_T_STRING, false, 0, NULL},
    SECGROUP_FIELDS,
    END,
};

static const struct nb_field keyword_in[] = {
    {"limit", NB_T_INT, true, 0, NULL},
    {"offset", NB_T_INT, false, 0, NULL},
    {"pool", NB_T_STRING, false, 0, NULL},
    {"cell", NB_T_STRING, false, 0, NULL},
    {"keyword", NB_T_STRING, false, 0, NULL},
    END,
};

static const struct nb_field storage_pool_in[] = {
    {"type", NB_T_STRING, false, 0, NULL},
    {"host", NB_T_STRING, false, 0, NULL},
    {"target", NB_T_STRING, false, 1024, NULL},
    END,
};

static const struct nb_field cell_storages_in[] = {
    {"default", NB_T_STRING, true, 1024, NULL},
    END,
};

/* ImageConfigure; DiskImage adds the guest to clone. The group is always the owner's. */
#define IMAGE_FIELDS                                                                            \
    {"owner", NB_T_STRING, false, 0, NULL}, {"group", NB_T_STRING, false, 0, NULL},             \
        {"description", NB_T_STRING, false, 1024, NULL}, {"tags", NB_T_ARRAY, false, 0, NULL}

static const struct nb_field image_in[] = {
    {"name", NB_T_STRING, true, 0, NULL},
    IMAGE_FIELDS,
    END,
};

static const struct nb_field image_modify_in[] = {
    {"name", NB_T_STRING, false, 0, NULL},
    {"guest", NB_T_STRING, false, 0, NULL}, /* DiskImage's; a clone's source never changes */
    IMAGE_FIELDS,
    END,
};

static const struct nb_field disk_image_in[] = {
    {"name", NB_T_STRING, true, 0, NULL},
    {"guest", NB_T_STRING, false, 0, NULL},
    IMAGE_FIELDS,
    END,
};

static const struct nb_field monitor_channel_in[] = {
    {"guest", NB_T_STRING, true, 0, NULL},
    END,
};

static const struct nb_field image_sync_in[] = {
    {"owner", NB_T_STRING, false, 0, NULL},
    {"group", NB_T_STRING, false, 0, NULL},
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

/* A path segment captured under a name: metrics show the route as /api/v1/users/{user}. */
#define NAME(name) "(?<" #name ">[^/]+)"

static const struct nb_route nano_routes[] = {
    /* Sessions. */
    {NB_POST, "^/api/v1/sessions/?$", nano_session_create, session_in, NB_PERM_PUBLIC, NULL},
    {NB_GET, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_get, NULL, NB_PERM_USER, NULL},
    {NB_PUT, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_keep, NULL, NB_PERM_USER, NULL},
    {NB_DELETE, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_delete, NULL, NB_PERM_USER,
     "logs out"},

    /* Roles. */
    {NB_GET, "^/api/v1/roles/?$", nano_role_list, NULL, NB_PERM_USERS, NULL},
    {NB_GET, "^/api/v1/roles/" NAME(role) "/?$", nano_role_get, NULL, NB_PERM_USERS, NULL},
    {NB_POST, "^/api/v1/roles/" NAME(role) "/?$", nano_role_create, role_in, NB_PERM_USERS,
     "creates role {1}"},
    {NB_PUT, "^/api/v1/roles/" NAME(role) "/?$", nano_role_modify, role_in, NB_PERM_USERS,
     "modifies role {1}"},
    {NB_DELETE, "^/api/v1/roles/" NAME(role) "/?$", nano_role_remove, NULL, NB_PERM_USERS,
     "removes role {1}"},

    /* User groups and their members. */
    {NB_GET, "^/api/v1/user_groups/?$", nano_group_list, NULL, NB_PERM_USERS, NULL},
    {NB_GET, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_get, NULL, NB_PERM_USERS, NULL},
    {NB_POST, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_create, group_in, NB_PERM_USERS,
     "creates user group {1}"},
    {NB_PUT, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_modify, group_in, NB_PERM_USERS,
     "modifies user group {1}"},
    {NB_DELETE, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_remove, NULL, NB_PERM_USERS,
     "removes user group {1}"},
    {NB_GET, "^/api/v1/user_groups/" NAME(group) "/members/?$", nano_group_members, NULL,
     NB_PERM_USERS, NULL},
    {NB_POST, "^/api/v1/user_groups/" NAME(group) "/members/" NAME(user) "/?$",
     nano_group_member_add, NULL, NB_PERM_USERS, "adds {2} to user group {1}"},
    {NB_DELETE, "^/api/v1/user_groups/" NAME(group) "/members/" NAME(user) "/?$",
     nano_group_member_remove, NULL, NB_PERM_USERS, "removes {2} from user group {1}"},

    /* Users. */
    {NB_GET, "^/api/v1/users/?$", nano_user_list, NULL, NB_PERM_USERS, NULL},
    {NB_GET, "^/api/v1/users/" NAME(user) "/?$", nano_user_get, NULL, NB_PERM_SELF, NULL},
    {NB_POST, "^/api/v1/users/" NAME(user) "/?$", nano_user_create, user_create_in, NB_PERM_USERS,
     "creates user {1}"},
    {NB_PUT, "^/api/v1/users/" NAME(user) "/?$", nano_user_modify, user_modify_in, NB_PERM_SELF,
     "modifies user {1}"},
    {NB_DELETE, "^/api/v1/users/" NAME(user) "/?$", nano_user_remove, NULL, NB_PERM_USERS,
     "deletes user {1}"},
    {NB_PUT, "^/api/v1/users/" NAME(user) "/password/?$", nano_user_password, password_in,
     NB_PERM_SELF, "changes the password of {1}"},
    {NB_GET, "^/api/v1/user_search/?$", nano_user_search, NULL, NB_PERM_USERS, NULL},

    /* Resource visibility of the caller's group. */
    {NB_GET, "^/api/v1/resource_visibilities/?$", nano_visibility_get, NULL, NB_PERM_USER, NULL},
    {NB_PUT, "^/api/v1/resource_visibilities/?$", nano_visibility_set, visibility_in,
     NB_PERM_VISIBILITY, "changes the resource visibility of its group"},

    /* Logs. */
    {NB_GET, "^/api/v1/logs/?$", nano_log_query, NULL, NB_PERM_LOG, NULL},
    {NB_POST, "^/api/v1/logs/?$", nano_log_add, log_add_in, NB_PERM_LOG, NULL},
    /* nano_log_remove writes its own entry, naming the entries it removed. */
    {NB_DELETE, "^/api/v1/logs/?$", nano_log_remove, log_remove_in, NB_PERM_LOG, NULL},

    /* Guests. */
    {NB_POST, "^/api/v1/guests/?$", nano_guest_create, guest_in, NB_PERM_INSTANCE,
     "creates a guest"},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/?$", nano_guest_get, NULL, NB_PERM_INSTANCE, NULL},
    {NB_DELETE, "^/api/v1/guests/" NAME(guest) "/?$", nano_guest_delete, force_in, NB_PERM_INSTANCE,
     "deletes guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/auto_start/?$", nano_guest_auto_start, enable_in,
     NB_PERM_INSTANCE, "changes auto start of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/cores/?$", nano_guest_cores, cores_in,
     NB_PERM_INSTANCE, "changes cores of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/memory/?$", nano_guest_memory, memory_in,
     NB_PERM_INSTANCE, "changes memory of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/disks/resize/" NAME(disk) "/?$",
     nano_guest_disk_resize, resize_in, NB_PERM_INSTANCE, "resizes disk {2} of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/disks/shrink/" NAME(disk) "/?$",
     nano_guest_disk_shrink, shrink_in, NB_PERM_INSTANCE, "shrinks disk {2} of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/name/?$", nano_guest_name, name_in, NB_PERM_INSTANCE,
     "renames guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/qos/cpu/?$", nano_guest_qos_cpu, priority_in,
     NB_PERM_INSTANCE, "changes CPU priority of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/qos/disk/?$", nano_guest_qos_limits, disk_qos_in,
     NB_PERM_INSTANCE, "changes disk QoS of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/qos/network/?$", nano_guest_qos_limits,
     network_qos_in, NB_PERM_INSTANCE, "changes network QoS of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/system/?$", nano_guest_system, system_in,
     NB_PERM_INSTANCE, "resets the system of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/auth/?$", nano_guest_auth_set, auth_in,
     NB_PERM_INSTANCE, "sets the administrator password of guest {1}"},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/auth/?$", nano_guest_auth_get, NULL, NB_PERM_INSTANCE,
     NULL},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/security_policy/?$", nano_policy_get, NULL,
     NB_PERM_INSTANCE, NULL},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/security_policy/default_action/?$",
     nano_policy_default,
     action_in, NB_PERM_INSTANCE, "changes the default security action of guest {1}"},
    {NB_POST, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/?$", nano_policy_rule_add,
     rule_in, NB_PERM_INSTANCE, "adds a security rule to guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/?$",
     nano_policy_rule_modify, rule_in, NB_PERM_INSTANCE,
     "modifies security rule {2} of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/order/?$",
     nano_policy_rule_order, direction_in, NB_PERM_INSTANCE,
     "moves security rule {2} of guest {1}"},
    {NB_DELETE, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/?$",
     nano_policy_rule_remove, NULL, NB_PERM_INSTANCE, "removes security rule {2} of guest {1}"},
    {NB_GET, "^/api/v1/guest_search/?$", nano_guest_search, NULL, NB_PERM_INSTANCE, NULL},
    {NB_POST, "^/api/v1/search/guests/?$", nano_guest_keyword, keyword_in, NB_PERM_INSTANCE,
     NULL},

    /* Instances and snapshots. */
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_get, NULL, NB_PERM_INSTANCE,
     NULL},
    {NB_POST, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_start, start_in,
     NB_PERM_INSTANCE, "starts guest {1}"},
    {NB_DELETE, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_stop, stop_in,
     NB_PERM_INSTANCE, "stops guest {1}"},
    {NB_POST, "^/api/v1/instances/" NAME(instance) "/media/?$", nano_media_insert, media_in,
     NB_PERM_INSTANCE, "inserts media into guest {1}"},
    {NB_DELETE, "^/api/v1/instances/" NAME(instance) "/media/?$", nano_media_eject, NULL,
     NB_PERM_INSTANCE, "ejects media from guest {1}"},
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_list, NULL,
     NB_PERM_INSTANCE, NULL},
    {NB_POST, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_create,
     snapshot_in, NB_PERM_INSTANCE, "snapshots guest {1}"},
    {NB_PUT, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_restore,
     restore_in, NB_PERM_INSTANCE, "restores a snapshot of guest {1}"},
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/snapshots/" NAME(snapshot) "/?$",
     nano_snapshot_get, NULL, NB_PERM_INSTANCE, NULL},
    {NB_DELETE, "^/api/v1/instances/" NAME(instance) "/snapshots/" NAME(snapshot) "/?$",
     nano_snapshot_delete, NULL, NB_PERM_INSTANCE, "deletes snapshot {2} of guest {1}"},

    /* Monitor channels: the WebSocket itself is nginx's and websockify's (monitor.c). */
    {NB_POST, "^/api/v1/monitor_channels/?$", nano_monitor_channel_create, monitor_channel_in,
     NB_PERM_INSTANCE, "opens a monitor channel"},

    /* Batches. */
    {NB_POST, "^/api/v1/batch/create_guest/?$", nano_batch_create, batch_create_in,
     NB_PERM_INSTANCE, "creates a batch of guests"},
    {NB_GET, "^/api/v1/batch/create_guest/" NAME(batch) "/?$", nano_batch_create_status, NULL,
     NB_PERM_INSTANCE, NULL},
    {NB_POST, "^/api/v1/batch/delete_guest/?$", nano_batch_delete, batch_guests_in,
     NB_PERM_INSTANCE, "deletes a batch of guests"},
    {NB_GET, "^/api/v1/batch/delete_guest/" NAME(batch) "/?$", nano_batch_delete_status, NULL,
     NB_PERM_INSTANCE, NULL},
    {NB_POST, "^/api/v1/batch/stop_guest/?$", nano_batch_stop, batch_guests_in,
     NB_PERM_INSTANCE, "stops a batch of guests"},
    {NB_GET, "^/api/v1/batch/stop_guest/" NAME(batch) "/?$", nano_batch_stop_status, NULL,
     NB_PERM_INSTANCE, NULL},

    /* Migrations. */
    {NB_POST, "^/api/v1/migrations/?$", nano_migration_start, migration_in, NB_PERM_INSTANCE,
     "starts a migration"},
    {NB_GET, "^/api/v1/migrations/?$", nano_migration_list, NULL, NB_PERM_INSTANCE, NULL},
    {NB_GET, "^/api/v1/migrations/" NAME(migration) "/?$", nano_migration_get, NULL,
     NB_PERM_INSTANCE, NULL},

    /* Compute pools, cells, storage pools and statistics. */
    {NB_GET, "^/api/v1/compute_pools/?$", nano_pool_list, NULL, NB_PERM_COMPUTE_POOL, NULL},
    {NB_GET, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_get, NULL, NB_PERM_COMPUTE_POOL,
     NULL},
    {NB_POST, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_create, compute_pool_in,
     NB_PERM_COMPUTE_POOL, "creates compute pool {1}"},
    {NB_PUT, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_modify, compute_pool_in,
     NB_PERM_COMPUTE_POOL, "modifies compute pool {1}"},
    {NB_DELETE, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_remove, NULL,
     NB_PERM_COMPUTE_POOL, "deletes compute pool {1}"},

    {NB_GET, "^/api/v1/compute_pool_cells/?$", nano_cell_unallocated, NULL,
     NB_PERM_COMPUTE_POOL, NULL},
    {NB_GET, "^/api/v1/compute_pool_cells/" NAME(pool) "/?$", nano_cell_list, NULL,
     NB_PERM_COMPUTE_POOL, NULL},
    {NB_GET, "^/api/v1/compute_pool_cells/" NAME(pool) "/" NAME(cell) "/?$", nano_cell_get, NULL,
     NB_PERM_COMPUTE_POOL, NULL},
    {NB_POST, "^/api/v1/compute_pool_cells/" NAME(pool) "/" NAME(cell) "/?$", nano_cell_add, NULL,
     NB_PERM_COMPUTE_POOL, "adds cell {2} to compute pool {1}"},
    {NB_PUT, "^/api/v1/compute_pool_cells/" NAME(pool) "/" NAME(cell) "/?$", nano_cell_modify,
     enable_in, NB_PERM_COMPUTE_POOL, "modifies cell {2} in compute pool {1}"},
    {NB_DELETE, "^/api/v1/compute_pool_cells/" NAME(pool) "/" NAME(cell) "/?$", nano_cell_remove,
     NULL, NB_PERM_COMPUTE_POOL, "removes cell {2} from compute pool {1}"},

    {NB_GET, "^/api/v1/storage_pools/?$", nano_storage_list, NULL, NB_PERM_STORAGE_POOL, NULL},
    {NB_GET, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_get, NULL,
     NB_PERM_STORAGE_POOL, NULL},
    {NB_POST, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_create, storage_pool_in,
     NB_PERM_STORAGE_POOL, "creates storage pool {1}"},
    {NB_PUT, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_modify, storage_pool_in,
     NB_PERM_STORAGE_POOL, "modifies storage pool {1}"},
    {NB_DELETE, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_remove, NULL,
     NB_PERM_STORAGE_POOL, "deletes storage pool {1}"},

    {NB_GET, "^/api/v1/compute_zone_status/?$", nano_status_zone, NULL, NB_PERM_COMPUTE_POOL,
     NULL},
    {NB_GET, "^/api/v1/compute_pool_status/?$", nano_status_pools, NULL, NB_PERM_COMPUTE_POOL,
     NULL},
    {NB_GET, "^/api/v1/compute_pool_status/" NAME(pool) "/?$", nano_status_pool, NULL,
     NB_PERM_COMPUTE_POOL, NULL},
    {NB_GET, "^/api/v1/compute_cell_status/" NAME(pool) "/?$", nano_status_cells, NULL,
     NB_PERM_COMPUTE_POOL, NULL},
    {NB_GET, "^/api/v1/compute_cell_status/" NAME(pool) "/" NAME(cell) "/?$", nano_status_cell,
     NULL, NB_PERM_COMPUTE_POOL, NULL},
    {NB_GET, "^/api/v1/compute_cell_status/" NAME(pool) "/" NAME(cell) "/storages/?$",
     nano_status_storages, NULL, NB_PERM_COMPUTE_POOL, NULL},
    {NB_PUT, "^/api/v1/compute_cell_status/" NAME(pool) "/" NAME(cell) "/storages/?$",
     nano_status_storages_set, cell_storages_in, NB_PERM_COMPUTE_POOL,
     "changes the storage paths of cell {2} in compute pool {1}"},
    {NB_GET, "^/api/v1/instance_status/" NAME(pool) "/?$", nano_status_instances, NULL,
     NB_PERM_COMPUTE_POOL, NULL},
    {NB_GET, "^/api/v1/instance_status/" NAME(pool) "/" NAME(cell) "/?$",
     nano_status_cell_instances, NULL, NB_PERM_COMPUTE_POOL, NULL},

    /* Address pools and ranges; system templates. */
    {NB_GET, "^/api/v1/address_pools/?$", nano_address_pool_list, NULL, NB_PERM_ADDRESS_POOL,
     NULL},
    {NB_GET, "^/api/v1/address_pools/" NAME(pool) "/?$", nano_address_pool_get, NULL,
     NB_PERM_ADDRESS_POOL, NULL},
    {NB_POST, "^/api/v1/address_pools/" NAME(pool) "/?$", nano_address_pool_create,
     address_pool_create_in, NB_PERM_ADDRESS_POOL, "creates address pool {1}"},
    {NB_PUT, "^/api/v1/address_pools/" NAME(pool) "/?$", nano_address_pool_modify,
     address_pool_modify_in, NB_PERM_ADDRESS_POOL, "modifies address pool {1}"},
    {NB_DELETE, "^/api/v1/address_pools/" NAME(pool) "/?$", nano_address_pool_remove, NULL,
     NB_PERM_ADDRESS_POOL, "deletes address pool {1}"},
    {NB_GET, "^/api/v1/address_pools/" NAME(pool) "/" NAME(type) "/ranges/?$",
     nano_address_range_list, NULL, NB_PERM_ADDRESS_POOL, NULL},
    {NB_GET, "^/api/v1/address_pools/" NAME(pool) "/" NAME(type) "/ranges/" NAME(range) "/?$",
     nano_address_range_get, NULL, NB_PERM_ADDRESS_POOL, NULL},
    {NB_POST, "^/api/v1/address_pools/" NAME(pool) "/" NAME(type) "/ranges/" NAME(range) "/?$",
     nano_address_range_add, address_range_in, NB_PERM_ADDRESS_POOL,
     "adds {2} address range {3} to address pool {1}"},
    {NB_DELETE, "^/api/v1/address_pools/" NAME(pool) "/" NAME(type) "/ranges/" NAME(range) "/?$",
     nano_address_range_remove, NULL, NB_PERM_ADDRESS_POOL,
     "removes {2} address range {3} from address pool {1}"},
    {NB_GET, "^/api/v1/templates/?$", nano_template_list, NULL, NB_PERM_USER, NULL},
    {NB_POST, "^/api/v1/templates/?$", nano_template_create, template_create_in,
     NB_PERM_SYSTEM_TEMPLATE, "creates a system template"},
    {NB_GET, "^/api/v1/templates/" NAME(template) "/?$", nano_template_get, NULL, NB_PERM_USER,
     NULL},
    {NB_PUT, "^/api/v1/templates/" NAME(template) "/?$", nano_template_modify, template_modify_in,
     NB_PERM_SYSTEM_TEMPLATE, "modifies system template {1}"},
    {NB_DELETE, "^/api/v1/templates/" NAME(template) "/?$", nano_template_remove, NULL,
     NB_PERM_SYSTEM_TEMPLATE, "deletes system template {1}"},

    /* Security policy groups. */
    {NB_POST, "^/api/v1/security_policy_groups/?$", nano_secgroup_create, secgroup_create_in,
     NB_PERM_SECURITY_POLICY, "creates a security policy group"},
    {NB_GET, "^/api/v1/security_policy_groups/" NAME(group) "/?$", nano_secgroup_get, NULL,
     NB_PERM_SECURITY_POLICY, NULL},
    {NB_PUT, "^/api/v1/security_policy_groups/" NAME(group) "/?$", nano_secgroup_modify,
     secgroup_modify_in, NB_PERM_SECURITY_POLICY, "modifies security policy group {1}"},
    {NB_DELETE, "^/api/v1/security_policy_groups/" NAME(group) "/?$", nano_secgroup_remove, NULL,
     NB_PERM_SECURITY_POLICY, "deletes security policy group {1}"},
    {NB_GET, "^/api/v1/security_policy_groups/" NAME(group) "/rules/?$", nano_secgroup_rules, NULL,
     NB_PERM_SECURITY_POLICY, NULL},
    {NB_POST, "^/api/v1/security_policy_groups/" NAME(group) "/rules/?$", nano_secgroup_rule_add,
     rule_in, NB_PERM_SECURITY_POLICY, "adds a security rule to security policy group {1}"},
    {NB_PUT, "^/api/v1/security_policy_groups/" NAME(group) "/rules/" NAME(rule) "/?$",
     nano_secgroup_rule_modify, rule_in, NB_PERM_SECURITY_POLICY,
     "modifies security rule {2} of security policy group {1}"},
    {NB_PUT, "^/api/v1/security_policy_groups/" NAME(group) "/rules/" NAME(rule) "/order/?$",
     nano_secgroup_rule_order, direction_in, NB_PERM_SECURITY_POLICY,
     "moves security rule {2} of security policy group {1}"},
    {NB_DELETE, "^/api/v1/security_policy_groups/" NAME(group) "/rules/" NAME(rule) "/?$",
     nano_secgroup_rule_remove, NULL, NB_PERM_SECURITY_POLICY,
     "removes security rule {2} of security policy group {1}"},
    {NB_GET, "^/api/v1/search/security_policy_groups/?$", nano_secgroup_search, NULL,
     NB_PERM_SECURITY_POLICY, NULL},

    /* Media and disk images. File routes take no JSON: nginx spools the upload and passes
     * its file name (nginx/nimbus.conf.in), and serves downloads itself. */
    {NB_GET, "^/api/v1/media_image_search/?$", nano_media_image_search, NULL,
     NB_PERM_MEDIA_IMAGE, NULL},
    {NB_GET, "^/api/v1/media_images/?$", nano_media_image_search, NULL, NB_PERM_MEDIA_IMAGE,
     NULL},
    {NB_POST, "^/api/v1/media_images/?$", nano_media_image_create, image_in,
     NB_PERM_MEDIA_IMAGE, "creates a media image"},
    {NB_PATCH, "^/api/v1/media_images/?$", nano_media_image_sync, image_sync_in,
     NB_PERM_ADMIN, "synchronises media images with the image store"},
    {NB_GET, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_get, NULL,
     NB_PERM_MEDIA_IMAGE, NULL},
    {NB_PUT, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_modify, image_modify_in,
     NB_PERM_MEDIA_IMAGE, "modifies media image {1}"},
    {NB_DELETE, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_delete, NULL,
     NB_PERM_MEDIA_IMAGE, "deletes media image {1}"},
    {NB_GET, "^/api/v1/media_image_files/" NAME(image) "/?$", nano_media_image_download, NULL,
     NB_PERM_MEDIA_IMAGE, NULL},
    {NB_POST, "^/api/v1/media_image_files/" NAME(image) "/?$", nano_media_image_upload, NULL,
     NB_PERM_MEDIA_IMAGE, "uploads the file of media image {1}"},
    {NB_GET, "^/api/v1/disk_image_search/?$", nano_disk_image_search, NULL, NB_PERM_DISK_IMAGE,
     NULL},
    {NB_GET, "^/api/v1/disk_images/?$", nano_disk_image_search, NULL, NB_PERM_DISK_IMAGE, NULL},
    {NB_POST, "^/api/v1/disk_images/?$", nano_disk_image_create, disk_image_in,
     NB_PERM_DISK_IMAGE, "creates a disk image"},
    {NB_PATCH, "^/api/v1/disk_images/?$", nano_disk_image_sync, image_sync_in,
     NB_PERM_ADMIN, "synchronises disk images with the image store"},
    {NB_GET, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_get, NULL,
     NB_PERM_DISK_IMAGE, NULL},
    {NB_PUT, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_modify, image_modify_in,
     NB_PERM_DISK_IMAGE, "modifies disk image {1}"},
    {NB_DELETE, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_delete, NULL,
     NB_PERM_DISK_IMAGE, "deletes disk image {1}"},
    {NB_GET, "^/api/v1/disk_image_files/" NAME(image) "/?$", nano_disk_image_download, NULL,
     NB_PERM_DISK_IMAGE, NULL},
    {NB_POST, "^/api/v1/disk_image_files/" NAME(image) "/?$", nano_disk_image_upload, NULL,
     NB_PERM_DISK_IMAGE, "uploads the file of disk image {1}"},
};

static const char *const nano_mounts[] = {"/api/v1/", NULL};
/* Monitor channels are nginx's and websockify's (nginx/nimbus.conf.in); no worker sees them. */
static const char *const nano_edge_mounts[] = {"/monitor_channels/", NULL};
static const struct nb_credential_header nano_credential_headers[] = {
    {"Nano-Session", NULL},
    {NULL, NULL},
};

const struct nb_dialect nano_dialect = {
    .name = "nano",
    .mounts = nano_mounts,
    NB_ROUTES(nano_routes),
    .render_error = nano_error,
    .no_credential = "unauthenticated request",
    .bad_credential = "invalid session",
    .needs_group = true,
    .login = "/api/v1/sessions/",
    .credential_kind = "nano",
    .credential_ttl = 180, /* idle timeout; PUT /sessions/<id> keeps it alive */
    .credential_headers = nano_credential_headers,
    .edge_error = "{\"error_code\": 500, \"message\": \"$nimbus_error_message\", \"data\": \"\"}",
    .edge_mounts = nano_edge_mounts,
};
