/* Nano FrontEnd API 1.3.1 (/api/v1/): envelope and handlers. */
#ifndef NB_NANO_H
#define NB_NANO_H

#include "app/request.h"

/* {"error_code": 0, "message": "", "data": data} with HTTP status (data NULL → ""). */
int nano_ok(struct nb_req *r, int status, struct json_object *data);
void nano_error(struct nb_req *r);

int nano_session_create(struct nb_req *r);
int nano_session_get(struct nb_req *r);
int nano_session_keep(struct nb_req *r);
int nano_session_delete(struct nb_req *r);

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

/* Compute pools, cells, storage pools and statistics (pools.c, cells.c, storage.c, status.c). */

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

#endif
