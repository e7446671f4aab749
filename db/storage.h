/* Storage pools: shared storage (NFS exports) that compute pools keep guest disks on. A pool
 * that a compute pool uses is neither modified nor deleted. */
#ifndef NB_STORAGE_H
#define NB_STORAGE_H

#include <stdint.h>

#include "app/request.h"

/* Columns of STORAGE_POOL_LIST and STORAGE_POOL_GET (GET adds the users count). */
enum nb_storage_col {
    NB_STORAGE_NAME,
    NB_STORAGE_TYPE,
    NB_STORAGE_HOST,
    NB_STORAGE_TARGET,
    NB_STORAGE_USERS,
    NB_STORAGE__MAX
};

/* A storage pool as loaded; strings live as long as the request. */
struct nb_storage_pool {
    const char *name, *type, *host, *target;
    int64_t users; /* compute pools using it (nb_storage_pool_get only) */
};

/* A create or modify: NULL fields keep the current value (on create: type nfs, host and
 * target empty, which the checks refuse). */
struct nb_storage_config {
    const char *type, *host, *target;
};

/* Every storage pool by name into *out (request-owned); the count, or -1. */
int nb_storage_pool_list(struct nb_req *r, struct nb_storage_pool **out);
/* Loads and locks pool name; NB_E_NOT_FOUND "storage pool <name> not found". */
int nb_storage_pool_get(struct nb_req *r, const char *name, struct nb_storage_pool *out);
/* Creates pool name: NB_E_CONFLICT when it exists, NB_E_INVALID for a type other than nfs, a
 * bad host or a target that is not an absolute path. */
int nb_storage_pool_create(struct nb_req *r, const char *name, const struct nb_storage_config *c);
/* Changes pool name with the checks of create; NB_E_NOT_FOUND, or NB_E_CONFLICT while a
 * compute pool uses it. */
int nb_storage_pool_modify(struct nb_req *r, const char *name, const struct nb_storage_config *c);
/* Deletes pool name; NB_E_NOT_FOUND, or NB_E_CONFLICT while a compute pool uses it. */
int nb_storage_pool_remove(struct nb_req *r, const char *name);

#endif
