/* Nano's route table. The real frontend accepts paths with and without the trailing slash.
 * Names in paths (NAME) are checked by the handlers that create them (app/validate.h). */
#include "routes/dialects.h"
#include "routes/nano/nano.h"

#define END NB_FIELDS_END
#define TEXT_(x) #x
#define TEXT(x) TEXT_(x)

/* Items of the string lists bodies carry (menu tags, role names, log entries, tags, DNS). */
static const struct nb_field string_item[] = {NB_STRING(NULL, false, 0), END};
#define STRINGS(n, req)                                                                            \
    {                                                                                              \
        .name = (n), .type = NB_T_ARRAY, .required = (req), .item = string_item                    \
    }

static const char *const address_providers[] = {"dhcp", "cloudinit", NULL};
static const char *const address_modes[] = {"internal", "external", "both", NULL};

static const struct nb_field session_in[] = {
    NB_STRING("user", true, 0),
    NB_STRING("password", true, 1024),
    NB_STRING("nonce", false, 0),
    END,
};

static const struct nb_field initialise_in[] = {
    NB_STRING("user", true, 0),
    NB_STRING("password", true, 1024),
    NB_STRING("group", false, 0),
    NB_STRING("display", false, 0),
    NB_STRING("role", false, 0),
    STRINGS("menu", true),
    END,
};

static const struct nb_field role_in[] = {
    STRINGS("menu", true),
    END,
};

static const struct nb_field group_in[] = {
    NB_STRING("display", false, 0),
    STRINGS("role", false),
    END,
};

static const struct nb_field user_create_in[] = {
    NB_STRING("nick", false, 0),
    NB_STRING("mail", false, 0),
    NB_STRING("password", true, 1024),
    END,
};

static const struct nb_field user_modify_in[] = {
    NB_STRING("nick", false, 0),
    NB_STRING("mail", false, 0),
    END,
};

static const struct nb_field password_in[] = {
    NB_STRING("old", true, 1024),
    NB_STRING("new", true, 1024),
    END,
};

static const struct nb_field visibility_in[] = {
    NB_BOOL("instance_visible", false),
    NB_BOOL("media_image_visible", false),
    NB_BOOL("disk_image_visible", false),
    END,
};

static const struct nb_field log_add_in[] = {
    NB_STRING("format", false, 0),
    NB_STRING("content", true, 4096),
    END,
};

static const struct nb_field log_remove_in[] = {
    STRINGS("entries", true),
    END,
};

static const struct nb_field cloud_init_in[] = {
    NB_BOOL("root_enabled", false),
    NB_STRING("admin_name", false, 0),
    NB_STRING("admin_secret", false, 0),
    NB_STRING("data_path", false, 0),
    END,
};

/* GuestConfig as POST /guests/ takes it; the batch create adds its own fields. */
#define GUEST_FIELDS                                                                               \
    NB_STRING("owner", false, 0), NB_STRING("group", false, 0), NB_STRING("pool", true, 0),        \
        NB_INT("cores", true), NB_INT("memory", true), NB_ARRAY("disks", true),                    \
        NB_BOOL("auto_start", false), NB_STRING("system", false, 0),                               \
        NB_STRING("network_address", false, 0), NB_STRING("ethernet_address", false, 0),           \
        NB_STRING("from_image", false, 0), NB_ARRAY("ports", false),                               \
        NB_STRING("template", true, 0), NB_ARRAY("modules", false),                                \
        NB_OBJECT("cloud_init", false, cloud_init_in), NB_OBJECT("qos", false, NULL),              \
        NB_STRING("security_policy_group", false, 0)

static const struct nb_field guest_in[] = {
    NB_STRING("name", true, 0),
    GUEST_FIELDS,
    END,
};

static const struct nb_field batch_create_in[] = {
    NB_STRING("name_rule", false, 0),
    NB_STRING("name_prefix", false, 0),
    NB_INT_RANGE("count", true, 1, BATCH_MAX, "must be from 1 to " TEXT(BATCH_MAX)),
    GUEST_FIELDS,
    END,
};

static const struct nb_field migration_in[] = {
    NB_STRING("source_pool", true, 0),  NB_STRING("source_cell", true, 0),
    NB_STRING("target_pool", false, 0), NB_STRING("target_cell", false, 0),
    NB_ARRAY("instances", false),       END,
};

static const struct nb_field batch_guests_in[] = {
    NB_ARRAY("guest", false),
    NB_ARRAY("guests", false),
    NB_BOOL("force", false),
    END,
};

static const struct nb_field force_in[] = {
    NB_BOOL("force", false),
    END,
};

static const struct nb_field compute_pool_in[] = {
    NB_STRING("storage", false, 0),
    NB_STRING("network", false, 0),
    NB_BOOL("failover", false),
    END,
};

static const struct nb_field enable_in[] = {
    NB_BOOL("enable", true),
    END,
};

static const struct nb_field cores_in[] = {
    NB_INT("cores", true),
    NB_BOOL("immediate", false),
    END,
};

static const struct nb_field memory_in[] = {
    NB_INT("memory", true),
    NB_BOOL("immediate", false),
    END,
};

static const struct nb_field resize_in[] = {
    NB_INT("size", true),
    NB_BOOL("immediate", false),
    END,
};

static const struct nb_field shrink_in[] = {
    NB_BOOL("immediate", false),
    END,
};

static const struct nb_field name_in[] = {
    NB_STRING("name", true, 0),
    END,
};

static const struct nb_field priority_in[] = {
    NB_STRING("priority", true, 0),
    END,
};

static const struct nb_field disk_qos_in[] = {
    NB_INT("write_speed", false),
    NB_INT("write_iops", false),
    NB_INT("read_speed", false),
    NB_INT("read_iops", false),
    END,
};

static const struct nb_field network_qos_in[] = {
    NB_INT("receive_speed", false),
    NB_INT("send_speed", false),
    END,
};

static const struct nb_field start_in[] = {
    NB_BOOL("from_media", false),
    NB_BOOL("from_network", false),
    NB_STRING("source", false, 0),
    END,
};

static const struct nb_field system_in[] = {
    NB_STRING("from_image", true, 0),
    END,
};

static const struct nb_field auth_in[] = {
    NB_STRING("password", false, 0),
    NB_STRING("user", false, 0),
    END,
};

static const struct nb_field media_in[] = {
    NB_STRING("source", true, 0),
    NB_INT("type", false),
    END,
};

static const struct nb_field stop_in[] = {
    NB_BOOL("reboot", false),
    NB_BOOL("force", false),
    END,
};

static const struct nb_field snapshot_in[] = {
    NB_STRING("name", true, 0),
    NB_STRING("description", false, 1024),
    END,
};

static const struct nb_field restore_in[] = {
    NB_STRING("target", true, 0),
    END,
};

static const struct nb_field rule_in[] = {
    NB_STRING("action", true, 0),        NB_INT("to_port", false),   NB_STRING("protocol", true, 0),
    NB_STRING("from_address", false, 0), NB_INT("interface", false), END,
};

static const struct nb_field action_in[] = {
    NB_STRING("action", true, 0),
    END,
};

static const struct nb_field direction_in[] = {
    NB_STRING("direction", true, 0),
    END,
};

/* SecurityPolicyGroupConfig but the name; user and group name the owner (see
 * db/security_groups.h). */
#define SECGROUP_FIELDS                                                                            \
    NB_STRING("description", false, 1024), NB_STRING("user", false, 0),                            \
        NB_STRING("group", false, 0), NB_BOOL("enabled", false), NB_BOOL("global", false),         \
        NB_STRING("default_action", false, 0)

static const struct nb_field secgroup_create_in[] = {
    NB_STRING("name", true, 0),
    SECGROUP_FIELDS,
    END,
};

static const struct nb_field secgroup_modify_in[] = {
    NB_STRING("name", false, 0),
    SECGROUP_FIELDS,
    END,
};

static const struct nb_field keyword_in[] = {
    NB_INT_RANGE("limit", true, 1, SEARCH_LIMIT_MAX, "must be from 1 to " TEXT(SEARCH_LIMIT_MAX)),
    NB_INT_RANGE("offset", false, 0, INT64_MAX, "must be at least 0"),
    NB_STRING("pool", false, 0),
    NB_STRING("cell", false, 0),
    NB_STRING("keyword", false, 0),
    END,
};

static const struct nb_field storage_pool_in[] = {
    NB_STRING("type", false, 0),
    NB_STRING("host", false, 0),
    NB_STRING("target", false, 1024),
    END,
};
/* Creating a pool names its type (StoragePoolConfig); a change may leave it as it is. */
static const struct nb_field storage_pool_create_in[] = {
    NB_STRING("type", true, 0),
    NB_STRING("host", false, 0),
    NB_STRING("target", false, 1024),
    END,
};

static const struct nb_field cell_storages_in[] = {
    NB_STRING("default", true, 1024),
    END,
};

/* ImageConfigure; DiskImage adds the guest to clone. The group is always the owner's. */
#define IMAGE_FIELDS                                                                               \
    NB_STRING("owner", false, 0), NB_STRING("group", false, 0),                                    \
        NB_STRING("description", false, 1024), STRINGS("tags", false)

static const struct nb_field image_in[] = {
    NB_STRING("name", true, 0),
    IMAGE_FIELDS,
    END,
};

static const struct nb_field image_modify_in[] = {
    NB_STRING("name", false, 0),
    NB_STRING("guest", false, 0), /* DiskImage's; a clone's source never changes */
    IMAGE_FIELDS,
    END,
};

static const struct nb_field disk_image_in[] = {
    NB_STRING("name", true, 0),
    NB_STRING("guest", false, 0),
    IMAGE_FIELDS,
    END,
};

static const struct nb_field monitor_channel_in[] = {
    NB_STRING("guest", true, 0),
    END,
};

static const struct nb_field image_sync_in[] = {
    NB_STRING("owner", false, 0),
    NB_STRING("group", false, 0),
    END,
};
static const struct nb_field address_pool_create_in[] = {
    NB_STRING("gateway", true, 0),
    STRINGS("dns", false),
    {.name = "provider", .type = NB_T_STRING, .members = address_providers},
    {.name = "mode", .type = NB_T_STRING, .members = address_modes},
    END,
};

static const struct nb_field address_pool_modify_in[] = {
    NB_STRING("gateway", false, 0),
    STRINGS("dns", false),
    {.name = "provider", .type = NB_T_STRING, .members = address_providers},
    {.name = "mode", .type = NB_T_STRING, .members = address_modes},
    END,
};

static const struct nb_field address_range_in[] = {
    NB_STRING("end", true, 0),
    NB_STRING("netmask", true, 0),
    END,
};

#define TEMPLATE_FIELDS(name_required)                                                             \
    NB_STRING("name", name_required, 0), NB_STRING("admin", false, 0),                             \
        NB_STRING("operating_system", false, 0), NB_STRING("disk", false, 0),                      \
        NB_STRING("network", false, 0), NB_STRING("display", false, 0),                            \
        NB_STRING("control", false, 0), NB_STRING("usb", false, 0), NB_STRING("tablet", false, 0)

static const struct nb_field template_create_in[] = {TEMPLATE_FIELDS(true), END};
static const struct nb_field template_modify_in[] = {TEMPLATE_FIELDS(false), END};

/* Query strings: the parameters each route's handler reads (nb_query_text and friends). */
static const struct nb_field user_search_query[] = {
    NB_STRING("group", false, 0),
    END,
};

static const struct nb_field log_query[] = {
    NB_INT_RANGE("limit", false, 0, LOG_LIMIT_MAX,
                 "must be an integer from 0 to " TEXT(LOG_LIMIT_MAX)),
    NB_INT_RANGE("start", false, 0, LOG_START_MAX,
                 "must be an integer from 0 to " TEXT(LOG_START_MAX)),
    NB_STRING("after", false, 0), /* times as 'YYYY-MM-DD HH:MI:SS', checked by the handler */
    NB_STRING("before", false, 0),
    END,
};

/* Keyset paging (nano_query_page): after is the last id of the previous page. */
#define PAGE_QUERY                                                                                 \
    NB_INT_RANGE("limit", false, 1, SEARCH_LIMIT_MAX,                                              \
                 "must be an integer from 1 to " TEXT(SEARCH_LIMIT_MAX)),                          \
        NB_STRING("after", false, 0)

static const struct nb_field guest_search_query[] = {
    NB_STRING("pool", false, 0),
    NB_STRING("cell", false, 0),
    NB_STRING("owner", false, 0),
    NB_STRING("group", false, 0),
    NB_BOOL("status", false),
    NB_BOOL("created", false),
    PAGE_QUERY,
    END,
};

static const struct nb_field secgroup_search_query[] = {
    NB_BOOL("enabled_only", false),
    NB_BOOL("global_only", false),
    NB_STRING("owner", false, 0),
    NB_STRING("group", false, 0),
    PAGE_QUERY,
    END,
};

static const struct nb_field image_search_query[] = {
    NB_STRING("tags", false, 1024), /* comma-separated */
    END,
};

/* An upload that is not multipart/form-data carries its checksum here. */
static const struct nb_field image_upload_query[] = {
    NB_STRING("checksum", false, 0),
    END,
};

/* A path segment captured under a name: metrics show the route as /api/v1/users/{user}. */
#define NAME(name) "(?<" #name ">[^/]+)"

static const struct nb_route nano_routes[] = {
    /* Sessions. */
    {NB_POST, "^/api/v1/sessions/?$", nano_session_create, session_in, NB_CAP_PUBLIC, NULL},
    {NB_GET, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_get, NULL, NB_CAP_USER, NULL},
    {NB_PUT, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_keep, NULL, NB_CAP_USER, NULL},
    {NB_DELETE, "^/api/v1/sessions/" NAME(session) "/?$", nano_session_delete, NULL, NB_CAP_USER,
     "logs out"},

    /* The system: asked by the web portal before its log-in; initialised with the first user. */
    {NB_GET, "^/api/v1/system/?$", nano_system_status, NULL, NB_CAP_PUBLIC, NULL},
    {NB_POST, "^/api/v1/system/?$", nano_system_initialise, initialise_in, NB_CAP_PUBLIC, NULL},

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
    {NB_GET, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_get, NULL, NB_CAP_MANAGE_USERS,
     NULL},
    {NB_POST, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_create, group_in,
     NB_CAP_MANAGE_USERS, "creates user group {1}"},
    {NB_PUT, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_modify, group_in,
     NB_CAP_MANAGE_USERS, "modifies user group {1}"},
    {NB_DELETE, "^/api/v1/user_groups/" NAME(group) "/?$", nano_group_remove, NULL,
     NB_CAP_MANAGE_USERS, "removes user group {1}"},
    {NB_GET, "^/api/v1/user_groups/" NAME(group) "/members/?$", nano_group_members, NULL,
     NB_CAP_MANAGE_USERS, NULL},
    {NB_POST, "^/api/v1/user_groups/" NAME(group) "/members/" NAME(user) "/?$",
     nano_group_member_add, NULL, NB_CAP_MANAGE_USERS, "adds {2} to user group {1}"},
    {NB_DELETE, "^/api/v1/user_groups/" NAME(group) "/members/" NAME(user) "/?$",
     nano_group_member_remove, NULL, NB_CAP_MANAGE_USERS, "removes {2} from user group {1}"},

    /* Users. */
    {NB_GET, "^/api/v1/users/?$", nano_user_list, NULL, NB_CAP_MANAGE_USERS, NULL},
    {NB_GET, "^/api/v1/users/" NAME(user) "/?$", nano_user_get, NULL, NB_CAP_SELF, NULL},
    {NB_POST, "^/api/v1/users/" NAME(user) "/?$", nano_user_create, user_create_in,
     NB_CAP_MANAGE_USERS, "creates user {1}"},
    {NB_PUT, "^/api/v1/users/" NAME(user) "/?$", nano_user_modify, user_modify_in, NB_CAP_SELF,
     "modifies user {1}"},
    {NB_DELETE, "^/api/v1/users/" NAME(user) "/?$", nano_user_remove, NULL, NB_CAP_MANAGE_USERS,
     "deletes user {1}"},
    {NB_PUT, "^/api/v1/users/" NAME(user) "/password/?$", nano_user_password, password_in,
     NB_CAP_SELF, "changes the password of {1}"},
    {NB_GET, "^/api/v1/user_search/?$", nano_user_search, NULL, NB_CAP_MANAGE_USERS, NULL,
     user_search_query},

    /* Resource visibility of the caller's group. */
    {NB_GET, "^/api/v1/resource_visibilities/?$", nano_visibility_get, NULL, NB_CAP_USER, NULL},
    {NB_PUT, "^/api/v1/resource_visibilities/?$", nano_visibility_set, visibility_in,
     NB_CAP_MANAGE_VISIBILITY, "changes the resource visibility of its group"},

    /* Logs. */
    {NB_GET, "^/api/v1/logs/?$", nano_log_query, NULL, NB_CAP_MANAGE_LOGS, NULL, log_query},
    /* Any member may add an entry, as in the real frontend: its web portal posts one after each
     * action a user takes ("group.user(address): …"). The entry records its author (issue 13),
     * so it cannot pass for Nimbus's own; reading and removing stay with the "log" tag. */
    {NB_POST, "^/api/v1/logs/?$", nano_log_add, log_add_in, NB_CAP_USER, NULL},
    /* nano_log_remove writes its own entry, naming the entries it removed. */
    {NB_DELETE, "^/api/v1/logs/?$", nano_log_remove, log_remove_in, NB_CAP_MANAGE_LOGS, NULL},

    /* Guests. */
    {NB_POST, "^/api/v1/guests/?$", nano_guest_create, guest_in, NB_CAP_MANAGE_GUESTS,
     "creates a guest"},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/?$", nano_guest_get, NULL, NB_CAP_MANAGE_GUESTS,
     NULL},
    {NB_DELETE | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/?$", nano_guest_delete, force_in,
     NB_CAP_MANAGE_GUESTS, "deletes guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/auto_start/?$", nano_guest_auto_start,
     enable_in, NB_CAP_MANAGE_GUESTS, "changes auto start of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/cores/?$", nano_guest_cores, cores_in,
     NB_CAP_MANAGE_GUESTS, "changes cores of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/memory/?$", nano_guest_memory, memory_in,
     NB_CAP_MANAGE_GUESTS, "changes memory of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/disks/resize/" NAME(disk) "/?$",
     nano_guest_disk_resize, resize_in, NB_CAP_MANAGE_GUESTS, "resizes disk {2} of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/disks/shrink/" NAME(disk) "/?$",
     nano_guest_disk_shrink, shrink_in, NB_CAP_MANAGE_GUESTS, "shrinks disk {2} of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/name/?$", nano_guest_name, name_in,
     NB_CAP_MANAGE_GUESTS, "renames guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/monitor/secret/?$",
     nano_guest_monitor_secret, NULL, NB_CAP_MANAGE_GUESTS,
     "resets the monitor secret of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/qos/cpu/?$", nano_guest_qos_cpu,
     priority_in, NB_CAP_MANAGE_GUESTS, "changes CPU priority of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/qos/disk/?$", nano_guest_qos_limits,
     disk_qos_in, NB_CAP_MANAGE_GUESTS, "changes disk QoS of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/qos/network/?$", nano_guest_qos_limits,
     network_qos_in, NB_CAP_MANAGE_GUESTS, "changes network QoS of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/system/?$", nano_guest_system, system_in,
     NB_CAP_MANAGE_GUESTS, "resets the system of guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/auth/?$", nano_guest_auth_set, auth_in,
     NB_CAP_MANAGE_GUESTS, "sets the administrator password of guest {1}"},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/auth/?$", nano_guest_auth_get, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},
    {NB_GET, "^/api/v1/guests/" NAME(guest) "/security_policy/?$", nano_policy_get, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/security_policy/default_action/?$",
     nano_policy_default, action_in, NB_CAP_MANAGE_GUESTS,
     "changes the default security action of guest {1}"},
    {NB_POST | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/?$",
     nano_policy_rule_add, rule_in, NB_CAP_MANAGE_GUESTS, "adds a security rule to guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/?$",
     nano_policy_rule_modify, rule_in, NB_CAP_MANAGE_GUESTS,
     "modifies security rule {2} of guest {1}"},
    {NB_PUT | NB_WAITS,
     "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/order/?$",
     nano_policy_rule_order, direction_in, NB_CAP_MANAGE_GUESTS,
     "moves security rule {2} of guest {1}"},
    {NB_DELETE | NB_WAITS,
     "^/api/v1/guests/" NAME(guest) "/security_policy/rules/" NAME(rule) "/?$",
     nano_policy_rule_remove, NULL, NB_CAP_MANAGE_GUESTS, "removes security rule {2} of guest {1}"},
    {NB_GET, "^/api/v1/guest_search/?$", nano_guest_search, NULL, NB_CAP_MANAGE_GUESTS, NULL,
     guest_search_query},
    {NB_POST, "^/api/v1/search/guests/?$", nano_guest_keyword, keyword_in, NB_CAP_MANAGE_GUESTS,
     NULL},

    /* Instances and snapshots. */
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_get, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},
    {NB_POST | NB_WAITS, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_start, start_in,
     NB_CAP_MANAGE_GUESTS, "starts guest {1}"},
    {NB_DELETE | NB_WAITS, "^/api/v1/instances/" NAME(instance) "/?$", nano_instance_stop, stop_in,
     NB_CAP_MANAGE_GUESTS, "stops guest {1}"},
    {NB_POST | NB_WAITS, "^/api/v1/instances/" NAME(instance) "/media/?$", nano_media_insert,
     media_in, NB_CAP_MANAGE_GUESTS, "inserts media into guest {1}"},
    {NB_DELETE | NB_WAITS, "^/api/v1/instances/" NAME(instance) "/media/?$", nano_media_eject, NULL,
     NB_CAP_MANAGE_GUESTS, "ejects media from guest {1}"},
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_list, NULL,
     NB_CAP_MANAGE_GUESTS, NULL},
    {NB_POST | NB_WAITS, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_create,
     snapshot_in, NB_CAP_MANAGE_GUESTS, "snapshots guest {1}"},
    {NB_PUT | NB_WAITS, "^/api/v1/instances/" NAME(instance) "/snapshots/?$", nano_snapshot_restore,
     restore_in, NB_CAP_MANAGE_GUESTS, "restores a snapshot of guest {1}"},
    {NB_GET, "^/api/v1/instances/" NAME(instance) "/snapshots/" NAME(snapshot) "/?$",
     nano_snapshot_get, NULL, NB_CAP_MANAGE_GUESTS, NULL},
    {NB_DELETE | NB_WAITS, "^/api/v1/instances/" NAME(instance) "/snapshots/" NAME(snapshot) "/?$",
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
    {NB_GET, "^/api/v1/compute_pools/?$", nano_pool_list, NULL, NB_CAP_VIEW_POOLS, NULL},
    {NB_GET, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_get, NULL, NB_CAP_MANAGE_POOLS,
     NULL},
    {NB_POST, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_create, compute_pool_in,
     NB_CAP_MANAGE_POOLS, "creates compute pool {1}"},
    {NB_PUT, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_modify, compute_pool_in,
     NB_CAP_MANAGE_POOLS, "modifies compute pool {1}"},
    {NB_DELETE, "^/api/v1/compute_pools/" NAME(pool) "/?$", nano_pool_remove, NULL,
     NB_CAP_MANAGE_POOLS, "deletes compute pool {1}"},

    {NB_GET, "^/api/v1/compute_pool_cells/?$", nano_cell_unallocated, NULL, NB_CAP_MANAGE_POOLS,
     NULL},
    {NB_GET, "^/api/v1/compute_pool_cells/" NAME(pool) "/?$", nano_cell_list, NULL,
     NB_CAP_VIEW_POOLS, NULL},
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
    {NB_POST, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_create,
     storage_pool_create_in, NB_CAP_MANAGE_STORAGE, "creates storage pool {1}"},
    {NB_PUT, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_modify, storage_pool_in,
     NB_CAP_MANAGE_STORAGE, "modifies storage pool {1}"},
    {NB_DELETE, "^/api/v1/storage_pools/" NAME(pool) "/?$", nano_storage_remove, NULL,
     NB_CAP_MANAGE_STORAGE, "deletes storage pool {1}"},

    /* The portal's dashboard page reads these four. */
    {NB_GET, "^/api/v1/compute_zone_status/?$", nano_status_zone, NULL, NB_CAP_VIEW_DASHBOARD,
     NULL},
    {NB_GET, "^/api/v1/compute_pool_status/?$", nano_status_pools, NULL, NB_CAP_VIEW_DASHBOARD,
     NULL},
    {NB_GET, "^/api/v1/compute_pool_status/" NAME(pool) "/?$", nano_status_pool, NULL,
     NB_CAP_VIEW_DASHBOARD, NULL},
    {NB_GET, "^/api/v1/compute_cell_status/" NAME(pool) "/?$", nano_status_cells, NULL,
     NB_CAP_VIEW_DASHBOARD, NULL},
    {NB_GET, "^/api/v1/compute_cell_status/" NAME(pool) "/" NAME(cell) "/?$", nano_status_cell,
     NULL, NB_CAP_VIEW_DASHBOARD, NULL},
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
     NB_CAP_VIEW_SECURITY_GROUPS, NULL, secgroup_search_query},

    /* Media and disk images. File routes take no JSON: nginx spools the upload and passes
     * its file name (nginx/nimbus.conf.in), and serves downloads itself. */
    {NB_GET, "^/api/v1/media_image_search/?$", nano_media_image_search, NULL,
     NB_CAP_VIEW_MEDIA_IMAGES, NULL, image_search_query},
    {NB_GET, "^/api/v1/media_images/?$", nano_media_image_search, NULL, NB_CAP_MANAGE_MEDIA_IMAGES,
     NULL, image_search_query},
    {NB_POST, "^/api/v1/media_images/?$", nano_media_image_create, image_in,
     NB_CAP_MANAGE_MEDIA_IMAGES, "creates a media image"},
    {NB_PATCH, "^/api/v1/media_images/?$", nano_media_image_sync, image_sync_in, NB_CAP_ADMIN,
     "synchronises media images with the image store"},
    {NB_GET, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_get, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, NULL},
    {NB_PUT, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_modify, image_modify_in,
     NB_CAP_MANAGE_MEDIA_IMAGES, "modifies media image {1}"},
    {NB_DELETE, "^/api/v1/media_images/" NAME(image) "/?$", nano_media_image_delete, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, "deletes media image {1}"},
    {NB_GET, "^/api/v1/media_image_files/" NAME(image) "/?$", nano_media_image_download, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, NULL},
    {NB_POST, "^/api/v1/media_image_files/" NAME(image) "/?$", nano_media_image_upload, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, "uploads the file of media image {1}", image_upload_query},
    /* The real frontend's paths for the same files, which its web portal uses. */
    {NB_POST, "^/api/v1/media_images/" NAME(image) "/file/?$", nano_media_image_upload, NULL,
     NB_CAP_MANAGE_MEDIA_IMAGES, "uploads the file of media image {1}", image_upload_query},
    {NB_GET, "^/api/v1/disk_image_search/?$", nano_disk_image_search, NULL, NB_CAP_VIEW_DISK_IMAGES,
     NULL, image_search_query},
    {NB_GET, "^/api/v1/disk_images/?$", nano_disk_image_search, NULL, NB_CAP_MANAGE_DISK_IMAGES,
     NULL, image_search_query},
    {NB_POST, "^/api/v1/disk_images/?$", nano_disk_image_create, disk_image_in,
     NB_CAP_MANAGE_DISK_IMAGES, "creates a disk image"},
    {NB_PATCH, "^/api/v1/disk_images/?$", nano_disk_image_sync, image_sync_in, NB_CAP_ADMIN,
     "synchronises disk images with the image store"},
    {NB_GET, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_get, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, NULL},
    {NB_PUT, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_modify, image_modify_in,
     NB_CAP_MANAGE_DISK_IMAGES, "modifies disk image {1}"},
    {NB_DELETE, "^/api/v1/disk_images/" NAME(image) "/?$", nano_disk_image_delete, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, "deletes disk image {1}"},
    {NB_GET, "^/api/v1/disk_image_files/" NAME(image) "/?$", nano_disk_image_download, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, NULL},
    {NB_POST, "^/api/v1/disk_image_files/" NAME(image) "/?$", nano_disk_image_upload, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, "uploads the file of disk image {1}", image_upload_query},
    {NB_GET, "^/api/v1/disk_images/" NAME(image) "/file/?$", nano_disk_image_download, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, NULL},
    /* The portal sends no checksum here, as the real image server allows (images.c). */
    {NB_POST, "^/api/v1/disk_images/" NAME(image) "/file/?$", nano_disk_image_upload_portal, NULL,
     NB_CAP_MANAGE_DISK_IMAGES, "uploads the file of disk image {1}", image_upload_query},
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
    .roles = nano_menu,
    .login = "/api/v1/sessions/",
    .credential_kind = "nano",
    .credential_ttl = 180, /* idle timeout; PUT /sessions/<id> keeps it alive */
    .credential_headers = nano_credential_headers,
    .edge_error = "{\"error_code\": 500, \"message\": \"$nimbus_error_message\", \"data\": \"\"}",
    .edge_mounts = nano_edge_mounts,
};
