/* Nano FrontEnd API 1.3.1 (/api/v1/): envelope and handlers. */
#ifndef NB_NANO_H
#define NB_NANO_H

#include "app/request.h"
#include "db/guests.h"

/* {"error_code": 0, "message": "", "data": data} with HTTP status (data NULL → ""). */
int nano_ok(struct nb_req *r, int status, struct json_object *data);
/* nano_ok with data {"id": id}: what every create answers. */
int nano_id(struct nb_req *r, int status, const char *id);
void nano_error(struct nb_req *r);
/* The menu tags a Nano role may list and the capability each grants (menu.c). */
extern const struct nb_role_cap nano_menu[];
/* Most guests one batch creates; most rows one search page holds; most log entries one query
 * shows, and the furthest it may start (route table and handlers). */
#define BATCH_MAX 1000
#define SEARCH_LIMIT_MAX 1000
#define LOG_LIMIT_MAX 1000
#define LOG_START_MAX 1000000000

int nano_session_create(struct nb_req *r);
int nano_session_get(struct nb_req *r);
int nano_session_keep(struct nb_req *r);
int nano_session_delete(struct nb_req *r);

int nano_system_status(struct nb_req *r);
int nano_system_initialise(struct nb_req *r);

int nano_role_list(struct nb_req *r);
int nano_role_get(struct nb_req *r);
int nano_role_create(struct nb_req *r);
int nano_role_modify(struct nb_req *r);
int nano_role_remove(struct nb_req *r);

int nano_group_list(struct nb_req *r);
int nano_group_get(struct nb_req *r);
int nano_group_create(struct nb_req *r);
int nano_group_modify(struct nb_req *r);
int nano_group_remove(struct nb_req *r);
int nano_group_members(struct nb_req *r);
int nano_group_member_add(struct nb_req *r);
int nano_group_member_remove(struct nb_req *r);

int nano_user_list(struct nb_req *r);
int nano_user_get(struct nb_req *r);
int nano_user_create(struct nb_req *r);
int nano_user_modify(struct nb_req *r);
int nano_user_remove(struct nb_req *r);
int nano_user_password(struct nb_req *r);
int nano_user_search(struct nb_req *r);

int nano_visibility_get(struct nb_req *r);
int nano_visibility_set(struct nb_req *r);

int nano_log_query(struct nb_req *r);
int nano_log_add(struct nb_req *r);
int nano_log_remove(struct nb_req *r);

/* Guests (guests.c, guest_json.c), instances and snapshots (instances.c), queries (search.c),
 * batches (batch.c), migrations (migrations.c). */
struct json_object *nano_guest_json(const struct nb_guest *g, bool with_status);
struct json_object *nano_guest_list_json(const PGresult *res, bool with_status);
/* Fills spec from a body with GuestConfig's fields; NB_E_INVALID for a qos object with
 * unknown keys or values that are not integers. */
int nano_guest_spec(struct nb_req *r, struct json_object *o, struct nb_guest_spec *spec);
int nano_guest_create(struct nb_req *r);
int nano_guest_get(struct nb_req *r);
int nano_guest_delete(struct nb_req *r);
int nano_guest_auto_start(struct nb_req *r);
int nano_guest_cores(struct nb_req *r);
int nano_guest_memory(struct nb_req *r);
int nano_guest_disk_resize(struct nb_req *r);
int nano_guest_disk_shrink(struct nb_req *r);
int nano_guest_name(struct nb_req *r);
int nano_guest_monitor_secret(struct nb_req *r);
int nano_guest_qos_cpu(struct nb_req *r);
int nano_guest_qos_limits(struct nb_req *r);
int nano_guest_system(struct nb_req *r);
int nano_guest_auth_set(struct nb_req *r);
int nano_media_insert(struct nb_req *r);
int nano_media_eject(struct nb_req *r);
int nano_guest_auth_get(struct nb_req *r);
int nano_instance_get(struct nb_req *r);
int nano_instance_start(struct nb_req *r);
int nano_instance_stop(struct nb_req *r);
int nano_snapshot_list(struct nb_req *r);
int nano_snapshot_get(struct nb_req *r);
int nano_snapshot_create(struct nb_req *r);
int nano_snapshot_restore(struct nb_req *r);
int nano_snapshot_delete(struct nb_req *r);
/* Keyset paging from the query parameters the route table's PAGE_QUERY declares (search.c): the
 * page's size (default SEARCH_LIMIT_MAX) and the id it starts after (the last id of the previous
 * page, or NULL; anything but an id is NB_E_INVALID). */
int nano_query_page(struct nb_req *r, long long *limit, const char **after);
int nano_guest_search(struct nb_req *r);
int nano_guest_keyword(struct nb_req *r);
int nano_batch_create(struct nb_req *r);
int nano_batch_delete(struct nb_req *r);
int nano_batch_stop(struct nb_req *r);
int nano_batch_create_status(struct nb_req *r);
int nano_batch_delete_status(struct nb_req *r);
int nano_batch_stop_status(struct nb_req *r);
int nano_migration_start(struct nb_req *r);
int nano_migration_get(struct nb_req *r);
int nano_migration_list(struct nb_req *r);
/* Security policy checks (policy.c): a rule, and an action (accept|reject) given as field. */
int nano_policy_rule_check(struct nb_req *r, struct json_object *rule);
int nano_policy_action_check(struct nb_req *r, const char *field, const char *action);
/* Rule-list edits for guests and security policy groups: each edits rules (an array owned by
 * the request) in place from the request's body and rule index (capture 1); bad input is
 * NB_E_INVALID, an index out of range NB_E_NOT_FOUND. */
int nano_rules_add(struct nb_req *r, struct json_object *rules);
int nano_rules_modify(struct nb_req *r, struct json_object *rules);
int nano_rules_order(struct nb_req *r, struct json_object *rules);
int nano_rules_remove(struct nb_req *r, struct json_object *rules);
int nano_policy_get(struct nb_req *r);
int nano_policy_default(struct nb_req *r);
int nano_policy_rule_add(struct nb_req *r);
int nano_policy_rule_modify(struct nb_req *r);
int nano_policy_rule_order(struct nb_req *r);
int nano_policy_rule_remove(struct nb_req *r);

/* Compute pools, cells, storage pools and statistics (pools.c, cells.c, storage.c, status.c). */
int nano_pool_list(struct nb_req *r);
int nano_pool_get(struct nb_req *r);
int nano_pool_create(struct nb_req *r);
int nano_pool_modify(struct nb_req *r);
int nano_pool_remove(struct nb_req *r);

int nano_cell_unallocated(struct nb_req *r);
int nano_cell_list(struct nb_req *r);
int nano_cell_get(struct nb_req *r);
int nano_cell_add(struct nb_req *r);
int nano_cell_modify(struct nb_req *r);
int nano_cell_remove(struct nb_req *r);

int nano_storage_list(struct nb_req *r);
int nano_storage_get(struct nb_req *r);
int nano_storage_create(struct nb_req *r);
int nano_storage_modify(struct nb_req *r);
int nano_storage_remove(struct nb_req *r);

int nano_status_zone(struct nb_req *r);
int nano_status_pools(struct nb_req *r);
int nano_status_pool(struct nb_req *r);
int nano_status_cells(struct nb_req *r);
int nano_status_cell(struct nb_req *r);
int nano_status_storages(struct nb_req *r);
int nano_status_storages_set(struct nb_req *r);
int nano_status_instances(struct nb_req *r);
int nano_status_cell_instances(struct nb_req *r);

/* Address pools and ranges (addresses.c) and system templates (templates.c). */
int nano_address_pool_list(struct nb_req *r);
int nano_address_pool_get(struct nb_req *r);
int nano_address_pool_create(struct nb_req *r);
int nano_address_pool_modify(struct nb_req *r);
int nano_address_pool_remove(struct nb_req *r);
int nano_address_range_list(struct nb_req *r);
int nano_address_range_get(struct nb_req *r);
int nano_address_range_add(struct nb_req *r);
int nano_address_range_remove(struct nb_req *r);

int nano_template_list(struct nb_req *r);
int nano_template_get(struct nb_req *r);
int nano_template_create(struct nb_req *r);
int nano_template_modify(struct nb_req *r);
int nano_template_remove(struct nb_req *r);

/* Security policy groups (security_groups.c). */
int nano_secgroup_get(struct nb_req *r);
int nano_secgroup_create(struct nb_req *r);
int nano_secgroup_modify(struct nb_req *r);
int nano_secgroup_remove(struct nb_req *r);
int nano_secgroup_rules(struct nb_req *r);
int nano_secgroup_rule_add(struct nb_req *r);
int nano_secgroup_rule_modify(struct nb_req *r);
int nano_secgroup_rule_order(struct nb_req *r);
int nano_secgroup_rule_remove(struct nb_req *r);
int nano_secgroup_search(struct nb_req *r);

/* Monitor channels (monitor.c); the consume check is the ops dialect's (routes/ops/table.c). */
int nano_monitor_channel_create(struct nb_req *r);

/* Media and disk images (images.c). */
int nano_media_image_search(struct nb_req *r);
int nano_media_image_get(struct nb_req *r);
int nano_media_image_create(struct nb_req *r);
int nano_media_image_modify(struct nb_req *r);
int nano_media_image_delete(struct nb_req *r);
int nano_media_image_sync(struct nb_req *r);
int nano_media_image_download(struct nb_req *r);
int nano_media_image_upload(struct nb_req *r);
int nano_disk_image_search(struct nb_req *r);
int nano_disk_image_get(struct nb_req *r);
int nano_disk_image_create(struct nb_req *r);
int nano_disk_image_modify(struct nb_req *r);
int nano_disk_image_delete(struct nb_req *r);
int nano_disk_image_sync(struct nb_req *r);
int nano_disk_image_download(struct nb_req *r);
int nano_disk_image_upload(struct nb_req *r);
int nano_disk_image_upload_portal(struct nb_req *r);

#endif
