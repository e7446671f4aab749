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
    {NB_POST, "^/api/v1/sessions/?$", nano_session_create, session_in, NB_CAP_PUBLIC, NULL},
    {NB_GET, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_get, NULL, NB_CAP_USER, NULL},
    {NB_PUT, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_keep, NULL, NB_CAP_USER, NULL},
    {NB_DELETE, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_delete, NULL, NB_CAP_USER,
     "logs out"},

    /* Roles. */
    {NB_GET, "^/api/v1/roles/?$", nano_role_list, NULL, NB_CAP_MANAGE_USERS, NULL},
    {NB_GET, "^/api/v1/roles/" NAME(role) "/?$", nano_role_get, NULL, NB_CAP_MANAGE_USERS, NULL},
    {NB_POST, "^/api/v1/roles/" NAME(role) "/?$", nano_role_create, role_in, NB_CAP_MANAGE_USERS,
     "creates role {1}"},
    {NB_PUT, "^/api/v1/roles/" NAME(role) "/?$", nano_role_modify, role_in, NB_CAP_MANAGE_USERS,
     "modifies role {1}"},
    {NB_DELETE, "^/api/v1/roles/" NAME(role) "/?$", nano_role_remove, NULL, NB_CAP_MANAGE_USERS,
     "removes role {1}"},

    /* User groups and their members. */
    {NB_GET, "^/api/v1/user_groups/?$", nano_group_list, NULL, NB_CAP_MANAGE_USERS, NULL},
    {NB_GET, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_get, NULL, NB_CAP_MANAGE_USERS, NULL},
    {NB_POST, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_create, group_in, NB_CAP_MANAGE_USERS,
     "creates user group {1}"},
    {NB_PUT, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_modify, group_in, NB_CAP_MANAGE_USERS,
     "modifies user group {1}"},
    {NB_DELETE, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_remove, NULL, NB_CAP_MANAGE_USERS,
     "removes user group {1}"},
    {NB_GET, "^/api/v1/user_groups/" NAME(group) "/members/?$", nano_group_members, NULL,
     NB_CAP_MANAGE_USERS, NULL},
    {NB_POST, "^/api/v1/user_groups/" NAME(group) "/members/" NAME(user) "/?$",
     nano_group_member_add, NULL, NB_CAP_MANAGE_USERS, "adds {2} to user group {1}"},
    {NB_DELETE, "^/api/v1/user_groups/" NAME(group) "/members/" NAME(user) "/?$",
     nano_group_member_remove, NULL, NB_CAP_MANAGE_USERS, "removes {2} from user group {1}"},

    /* Users. */
    {NB_GET, "^/api/v1/users/?$", nano_user_list, NULL, NB_CAP_MANAGE_USERS, NULL},
    {NB_GET, "^/api/v1/users/" NAME(user) "/?$", nano_user_get, NULL, NB_CAP_SELF, NULL},
    {NB_POST, "^/api/v1/users/" NAME(user) "/?$", nano_user_create, user_create_in, NB_CAP_MANAGE_USERS,
     "creates user {1}"},
    {NB_PUT, "^/api/v1/users/" NAME(user) "/?$", nano_user_modify, user_modify_in, NB_CAP_SELF,
     "modifies user {1}"},
    {NB_DELETE, "^/api/v1/users/" NAME(user) "/?$", nano_user_remove, NULL, NB_CAP_MANAGE_USERS,
     "deletes user {1}"},
    {NB_PUT, "^/api/v1/users/" NAME(user) "/password/?$", nano_user_password, password_in,
     NB_CAP_SELF, "changes the password of {1}"},
    {NB_GET, "^/api/v1/user_search/?$", nano_user_search, NULL, NB_CAP_MANAGE_USERS, NULL},

    /* Resource visibility of the caller's group. */
    {NB_GET, "^/api/v1/resource_visibilities/?$", nano_visibility_get, NULL, NB_CAP_USER, NULL},
    {NB_PUT, "^/api/v1/resource_visibilities/?$", nano_visibility_set, visibility_in,
     NB_CAP_MANAGE_VISIBILITY, "changes the resource visibility of its group"},

    /* Logs. */
    {NB_GET, "^/api/v1/logs/?$", nano_log_query, NULL, NB_CAP_MANAGE_LOGS, NULL},
    {NB_POST, "^/api/v1/logs/?$", nano_log_add, log_add_in, NB_CAP_MANAGE_LOGS, NULL},
    /* nano_log_remove writes its own entry, naming the entries it removed. */
    {NB_DELETE, "^/api/v1/logs/?$", nano_log_remove, log_remove_in, NB_CAP_MANAGE_LOGS, NULL},

    /* Guests. */
    {NB_POST, "^/api/v1/guests/?$", nano_guest_create, guest_in, NB_CAP_MANAGE_GUESTS,
     "creates a guest"},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/?$", nano_guest_get, NULL, NB_CAP_MANAGE_GUESTS, NULL},
    {NB_DELETE, "^/api/v1/guests/" NAME(guest) "/?$", nano_guest_delete, force_in, NB_CAP_MANAGE_GUESTS,
     "deletes guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/auto_start/?$", nano_guest_auto_start, enable_in,
     NB_CAP_MANAGE_GUESTS, "changes auto start of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/cores/?$", nano_guest_cores, cores_in,
     NB_CAP_MANAGE_GUESTS, "changes cores of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/memory/?$", nano_guest_memory, memory_in,
     NB_CAP_MANAGE_GUESTS, "changes memory of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/disks/resize/" NAME(disk) "/?$",
     nano_guest_disk_resize, resize_in, NB_CAP_MANAGE_GUESTS, "resizes disk {2} of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/disks/shrink/" NAME(disk) "/?$",
     nano_guest_disk_shrink, shrink_in, NB_CAP_MANAGE_GUESTS, "shrinks disk {2} of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/name/?$", nano_guest_name, name_in, NB_CAP_MANAGE_GUESTS,
     "renames guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/qos/cpu/?$", nano_guest_qos_cpu, priority_in,
     NB_CAP_MANAGE_GUESTS, "changes CPU priority of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/qos/disk/?$", nano_guest_qos_limits, disk_qos_in,
     NB_CAP_MANAGE_GUESTS, "changes disk QoS of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/qos/network/?$", nano_guest_qos_limits,
     network_qos_in, NB_CAP_MANAGE_GUESTS, "changes network QoS of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/system/?$", nano_guest_system, system_in,
     NB_CAP_MANAGE_GUESTS, "resets the system of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/auth/?$", nano_guest_auth_set, auth_in,
     NB_CAP_MANAGE_GUESTS, "sets the administrator password of guest {1}"},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/auth/?$", nano_guest_auth_get, NULL, NB_CAP_MANAGE_GUESTS,
     NULL},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/security_policy/?$", nano_policy_get, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/security_policy/default_action/?$",
     nano_policy_default,
     action_in, NB_CAP_MANAGE_GUESTS, "changes the default security action of guest {1}"},
    {NB_POST, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/?$", nano_policy_rule_add,
     rule_in, NB_CAP_MANAGE_GUESTS, "adds a security rule to guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/?$",
     nano_policy_rule_modify, rule_in, NB_CAP_MANAGE_GUESTS,
     "modifies security rule {2} of guest {1}"},
    {NB_PUT, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/order/?$",
     nano_policy_rule_order, direction_in, NB_CAP_MANAGE_GUESTS,
     "moves security rule {2} of guest {1}"},
    {NB_DELETE, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/?$",
     nano_policy_rule_remove, NULL, NB_CAP_MANAGE_GUESTS, "removes security rule {2} of guest {1}"},
    {NB_GET, "^/api/v1/guest_search/?$", nano_guest_search, NULL, NB_CAP_MANAGE_GUESTS, NULL},
    {NB_POST, "^/api/v1/search/guests/?$", nano_guest_keyword, keyword_in, NB_CAP_MANAGE_GUESTS,
     NULL},

    /* Instances and snapshots. */
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_get, NULL, NB_CAP_MANAGE_GUESTS,
     NULL},
    {NB_POST, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_start, start_in,
     NB_CAP_MANAGE_GUESTS, "starts guest {1}"},
    {NB_DELETE, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_stop, stop_in,
     NB_CAP_MANAGE_GUESTS, "stops guest {1}"},
    {NB_POST, "^/api/v1/instances/" NAME(instance) "/media/?$", nano_media_insert, media_in,
     NB_CAP_MANAGE_GUESTS, "inserts media into guest {1}"},
    {NB_DELETE, "^/api/v1/instances/" NAME(instance) "/media/?$", nano_media_eject, NULL,
     NB_CAP_MANAGE_GUESTS, "ejects media from guest {1}"},
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_list, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},
    {NB_POST, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_create,
     snapshot_in, NB_CAP_MANAGE_GUESTS, "snapshots guest {1}"},
    {NB_PUT, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_restore,
     restore_in, NB_CAP_MANAGE_GUESTS, "restores a snapshot of guest {1}"},
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/snapshots/" NAME(snapshot) "/?$",
     nano_snapshot_get, NULL, NB_CAP_MANAGE_GUESTS, NULL},
    {NB_DELETE, "^/api/v1/instances/" NAME(instance) "/snapshots/" NAME(snapshot) "/?$",
     nano_snapshot_delete, NULL, NB_CAP_MANAGE_GUESTS, "deletes snapshot {2} of guest {1}"},

    /* Monitor channels: the WebSocket itself is nginx's and websockify's (monitor.c). */
    {NB_POST, "^/api/v1/monitor_channels/?$", nano_monitor_channel_create, monitor_channel_in,
     NB_CAP_MANAGE_GUESTS, "opens a monitor channel"},

    /* Batches. */
    {NB_POST, "^/api/v1/batch/create_guest/?$", nano_batch_create, batch_create_in,
     NB_CAP_MANAGE_GUESTS, "creates a batch of guests"},
    {NB_GET, "^/api/v1/batch/create_guest/" NAME(batch) "/?$", nano_batch_create_status, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},
    {NB_POST, "^/api/v1/batch/delete_guest/?$", nano_batch_delete, batch_guests_in,
     NB_CAP_MANAGE_GUESTS, "deletes a batch of guests"},
    {NB_GET, "^/api/v1/batch/delete_guest/" NAME(batch) "/?$", nano_batch_delete_status, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},
    {NB_POST, "^/api/v1/batch/stop_guest/?$", nano_batch_stop, batch_guests_in,
     NB_CAP_MANAGE_GUESTS, "stops a batch of guests"},
    {NB_GET, "^/api/v1/batch/stop_guest/" NAME(batch) "/?$", nano_batch_stop_status, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},

    /* Migrations. */
    {NB_POST, "^/api/v1/migrations/?$", nano_migration_start, migration_in, NB_CAP_MANAGE_GUESTS,
     "starts a migration"},
    {NB_GET, "^/api/v1/migrations/?$", nano_migration_list, NULL, NB_CAP_MANAGE_GUESTS, NULL},
    {NB_GET, "^/api/v1/migrations/" NAME(migration) "/?$", nano_migration_get, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},

    /* Compute pools, cells, storage pools and statistics. */
    {NB_GET, "^/api/v1/compute_pools/?$", nano_pool_list, NULL, NB_CAP_MANAGE_POOLS, NULL},
    {NB_GET, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_get, NULL, NB_CAP_MANAGE_POOLS,
     NULL},
    {NB_POST, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_create, compute_pool_in,
     NB_CAP_MANAGE_POOLS, "creates compute pool {1}"},
    {NB_PUT, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_modify, compute_pool_in,
     NB_CAP_MANAGE_POOLS, "modifies compute pool {1}"},
    {NB_DELETE, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_remove, NULL,
     NB_CAP_MANAGE_POOLS, "deletes compute pool {1}"},

    {NB_GET, "^/api/v1/compute_pool_cells/?$", nano_cell_unallocated, NULL,
     NB_CAP_MANAGE_POOLS, NULL},
    {NB_GET, "^/api/v1/compute_pool_cells/" NAME(pool) "/?$", nano_cell_list, NULL,
     NB_CAP_MANAGE_POOLS, NULL},
    {NB_GET, "^/api/v1/compute_pool_cells/" NAME(pool) "/" NAME(cell) "/?$", nano_cell_get, NULL,
     NB_CAP_MANAGE_POOLS, NULL},
    {NB_POST, "^/api/v1/compute_pool_cells/" NAME(pool) "/" NAME(cell) "/?$", nano_cell_add, NULL,
     NB_CAP_MANAGE_POOLS, "adds cell {2} to compute pool {1}"},
    {NB_PUT, "^/api/v1/compute_pool_cells/" NAME(pool) "/" NAME(cell) "/?$", nano_cell_modify,
     enable_in, NB_CAP_MANAGE_POOLS, "modifies cell {2} in compute pool {1}"},
    {NB_DELETE, "^/api/v1/compute_pool_cells/" NAME(pool) "/" NAME(cell) "/?$", nano_cell_remove,
     NULL, NB_CAP_MANAGE_POOLS, "removes cell {2} from compute pool {1}"},

    {NB_GET, "^/api/v1/storage_pools/?$", nano_storage_list, NULL, NB_CAP_MANAGE_STORAGE, NULL},
    {NB_GET, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_get, NULL,
     NB_CAP_MANAGE_STORAGE, NULL},
    {NB_POST, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_create, storage_pool_in,
     NB_CAP_MANAGE_STORAGE, "creates storage pool {1}"},
    {NB_PUT, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_modify, storage_pool_in,
     NB_CAP_MANAGE_STORAGE, "modifies storage pool {1}"},
    {NB_DELETE, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_remove, NULL,
     NB_CAP_MANAGE_STORAGE, "deletes storage pool {1}"},

    {NB_GET, "^/api/v1/compute_zone_status/?$", nano_status_zone, NULL, NB_CAP_MANAGE_POOLS,
     NULL},
    {NB_GET, "^/api/v1/compute_pool_status/?$", nano_status_pools, NULL, NB_CAP_MANAGE_POOLS,
     NULL},
    {NB_GET, "^/api/v1/compute_pool_status/" NAME(pool) "/?$", nano_status_pool, NULL,
     NB_CAP_MANAGE_POOLS, NULL},
    {NB_GET, "^/api/v1/compute_cell_status/" NAME(pool) "/?$", nano_status_cells, NULL,
     NB_CAP_MANAGE_POOLS, NULL},
    {NB_GET, "^/api/v1/compute_cell_status/" NAME(pool) "/" NAME(cell) "/?$", nano_status_cell,
     NULL, NB_CAP_MANAGE_POOLS, NULL},
    {NB_GET, "^/api/v1/compute_cell_status/" NAME(pool) "/" NAME(cell) "/storages/?$",
     nano_status_storages, NULL, NB_CAP_MANAGE_POOLS, NULL},
    {NB_PUT, "^/api/v1/compute_cell_status/" NAME(pool) "/" NAME(cell) "/storages/?$",
     nano_status_storages_set, cell_storages_in, NB_CAP_MANAGE_POOLS,
     "changes the storage paths of cell {2} in compute pool {1}"},
    {NB_GET, "^/api/v1/instance_status/" NAME(pool) "/?$", nano_status_instances, NULL,
     NB_CAP_MANAGE_POOLS, NULL},
    {NB_GET, "^/api/v1/instance_status/" NAME(pool) "/" NAME(cell) "/?$",
     nano_status_cell_instances, NULL, NB_CAP_MANAGE_POOLS, NULL},

    /* Address pools and ranges; system templates. */
    {NB_GET, "^/api/v1/address_pools/?$", nano_address_pool_list, NULL, NB_CAP_MANAGE_ADDRESSES,
     NULL},
    {NB_GET, "^/api/v1/address_pools/" NAME(pool) "/?$", nano_address_pool_get, NULL,
     NB_CAP_MANAGE_ADDRESSES, NULL},
    {NB_POST, "^/api/v1/address_pools/" NAME(pool) "/?$", nano_address_pool_create,
     address_pool_create_in, NB_CAP_MANAGE_ADDRESSES, "creates address pool {1}"},
    {NB_PUT, "^/api/v1/address_pools/" NAME(pool) "/?$", nano_address_pool_modify,
     address_pool_modify_in, NB_CAP_MANAGE_ADDRESSES, "modifies address pool {1}"},
    {NB_DELETE, "^/api/v1/address_pools/" NAME(pool) "/?$", nano_address_pool_remove, NULL,
     NB_CAP_MANAGE_ADDRESSES, "deletes address pool {1}"},
    {NB_GET, "^/api/v1/address_pools/" NAME(pool) "/" NAME(type) "/ranges/?$",
     nano_address_range_list, NULL, NB_CAP_MANAGE_ADDRESSES, NULL},
    {NB_GET, "^/api/v1/address_pools/" NAME(pool) "/" NAME(type) "/ranges/" NAME(range) "/?$",
     nano_address_range_get, NULL, NB_CAP_MANAGE_ADDRESSES, NULL},
    {NB_POST, "^/api/v1/address_pools/" NAME(pool) "/" NAME(type) "/ranges/" NAME(range) "/?$",
     nano_address_range_add, address_range_in, NB_CAP_MANAGE_ADDRESSES,
     "adds {2} address range {3} to address pool {1}"},
    {NB_DELETE, "^/api/v1/address_pools/" NAME(pool) "/" NAME(type) "/ranges/" NAME(range) "/?$",
     nano_address_range_remove, NULL, NB_CAP_MANAGE_ADDRESSES,
     "removes {2} address range {3} from address pool {1}"},
    {NB_GET, "^/api/v1/templates/?$", nano_template_list, NULL, NB_CAP_USER, NULL},
    {NB_POST, "^/api/v1/templates/?$", nano_template_create, template_create_in,
     NB_CAP_MANAGE_TEMPLATES, "creates a system template"},
    {NB_GET, "^/api/v1/templates/" NAME(template) "/?$", nano_template_get, NULL, NB_CAP_USER,
     NULL},
    {NB_PUT, "^/api/v1/templates/" NAME(template) "/?$", nano_template_modify, template_modify_in,
     NB_CAP_MANAGE_TEMPLATES, "modifies system template {1}"},
    {NB_DELETE, "^/api/v1/templates/" NAME(template) "/?$", nano_template_remove, NULL,
     NB_CAP_MANAGE_TEMPLATES, "deletes system template {1}"},

    /* Security policy groups. */
    {NB_POST, "^/api/v1/security_policy_groups/?$", nano_secgroup_create, secgroup_create_in,
     NB_CAP_MANAGE_SECURITY_GROUPS, "creates a security policy group"},
    {NB_GET, "^/api/v1/security_policy_groups/" NAME(group) "/?$", nano_secgroup_get, NULL,
     NB_CAP_MANAGE_SECURITY_GROUPS, NULL},
    {NB_PUT, "^/api/v1/security_policy_groups/" NAME(group) "/?$", nano_secgroup_modify,
     secgroup_modify_in, NB_CAP_MANAGE_SECURITY_GROUPS, "modifies security policy group {1}"},
    {NB_DELETE, "^/api/v1/security_policy_groups/" NAME(group) "/?$", nano_secgroup_remove, NULL,
     NB_CAP_MANAGE_SECURITY_GROUPS, "deletes security policy group {1}"},
    {NB_GET, "^/api/v1/security_policy_groups/" NAME(group) "/rules/?$", nano_secgroup_rules, NULL,
     NB_CAP_MANAGE_SECURITY_GROUPS, NULL},
    {NB_POST, "^/api/v1/security_policy_groups/" NAME(group) "/rules/?$", nano_secgroup_rule_add,
     rule_in, NB_CAP_MANAGE_SECURITY_GROUPS, "adds a security rule to security policy group {1}"},
    {NB_PUT, "^/api/v1/security_policy_groups/" NAME(group) "/rules/" NAME(rule) "/?$",
     nano_secgroup_rule_modify, rule_in, NB_CAP_MANAGE_SECURITY_GROUPS,
     "modifies security rule {2} of security policy group {1}"},
    {NB_PUT, "^/api/v1/security_policy_groups/" NAME(group) "/rules/" NAME(rule) "/order/?$",
     nano_secgroup_rule_order, direction_in, NB_CAP_MANAGE_SECURITY_GROUPS,
     "moves security rule {2} of security policy group {1}"},
    {NB_DELETE, "^/api/v1/security_policy_groups/" NAME(group) "/rules/" NAME(rule) "/?$",
     nano_secgroup_rule_remove, NULL, NB_CAP_MANAGE_SECURITY_GROUPS,
     "removes security rule {2} of security policy group {1}"},
    {NB_GET, "^/api/v1/search/security_policy_groups/?$", nano_secgroup_search, NULL,
     NB_CAP_MANAGE_SECURITY_GROUPS, NULL},

    /* Media and disk images. File routes take no JSON: nginx spools the upload and passes
     * its file name (nginx/nimbus.conf.in), and serves downloads itself. */
    {NB_GET, "^/api/v1/media_image_search/?$", nano_media_image_search, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, NULL},
    {NB_GET, "^/api/v1/media_images/?$", nano_media_image_search, NULL, NB_CAP_MANAGE_MEDIA_IMAGES,
     NULL},
    {NB_POST, "^/api/v1/media_images/?$", nano_media_image_create, image_in,
     NB_CAP_MANAGE_MEDIA_IMAGES, "creates a media image"},
    {NB_PATCH, "^/api/v1/media_images/?$", nano_media_image_sync, image_sync_in,
     NB_CAP_ADMIN, "synchronises media images with the image store"},
    {NB_GET, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_get, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, NULL},
    {NB_PUT, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_modify, image_modify_in,
     NB_CAP_MANAGE_MEDIA_IMAGES, "modifies media image {1}"},
    {NB_DELETE, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_delete, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, "deletes media image {1}"},
    {NB_GET, "^/api/v1/media_image_files/" NAME(image) "/?$", nano_media_image_download, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, NULL},
    {NB_POST, "^/api/v1/media_image_files/" NAME(image) "/?$", nano_media_image_upload, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, "uploads the file of media image {1}"},
    {NB_GET, "^/api/v1/disk_image_search/?$", nano_disk_image_search, NULL, NB_CAP_MANAGE_DISK_IMAGES,
     NULL},
    {NB_GET, "^/api/v1/disk_images/?$", nano_disk_image_search, NULL, NB_CAP_MANAGE_DISK_IMAGES, NULL},
    {NB_POST, "^/api/v1/disk_images/?$", nano_disk_image_create, disk_image_in,
     NB_CAP_MANAGE_DISK_IMAGES, "creates a disk image"},
    {NB_PATCH, "^/api/v1/disk_images/?$", nano_disk_image_sync, image_sync_in,
     NB_CAP_ADMIN, "synchronises disk images with the image store"},
    {NB_GET, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_get, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, NULL},
    {NB_PUT, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_modify, image_modify_in,
     NB_CAP_MANAGE_DISK_IMAGES, "modifies disk image {1}"},
    {NB_DELETE, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_delete, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, "deletes disk image {1}"},
    {NB_GET, "^/api/v1/disk_image_files/" NAME(image) "/?$", nano_disk_image_download, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, NULL},
    {NB_POST, "^/api/v1/disk_image_files/" NAME(image) "/?$", nano_disk_image_upload, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, "uploads the file of disk image {1}"},
};

static const char *const nano_mounts[] = {"/api/v1/", NULL};

const struct nb_dialect nano_dialect = {
    "nano", nano_mounts, NB_ROUTES(nano_routes), nano_error,
    "unauthenticated request", "invalid session", true, nano_menu,
};
