/* Observing a cell: node info, free memory and storage capacity through libvirt. A call that
 * fails drops the connection and reports the cell offline; the next cycle reconnects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>

#include "app/log.h"
#include "app/reconciler/reconciler.h"
#include "db/db.h"

void
nb_cell_disconnect(struct nb_cell *c)
{
    if (c->conn != NULL)
        virConnectClose(c->conn);
    c->conn = NULL;
    free(c->samples);
    c->samples = NULL;
    c->nsamples = 0;
}

/* Capacity and free space of the host's active storage pools. */
static bool
pool_space(virConnectPtr conn, unsigned long long *total, unsigned long long *avail)
{
    virStoragePoolPtr *pools = NULL;
    int n = virConnectListAllStoragePools(conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);

    *total = *avail = 0;
    for (int i = 0; i < n; i++) {
        virStoragePoolInfo info;

        if (virStoragePoolGetInfo(pools[i], &info) == 0) {
            *total += info.capacity;
            *avail += info.available;
        }
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    return n > 0;
}

/* Without storage pools, a local host's storage paths (each file system counted once). */
static void
path_space(const char *paths, unsigned long long *total, unsigned long long *avail)
{
    unsigned long seen[16];
    int nseen = 0;
    char buf[1024];

    (void)snprintf(buf, sizeof(buf), "%s", paths); /* paths is a struct nb_cell's, as long */
    for (char *save = NULL, *p = strtok_r(buf, "\n", &save); p != NULL;
         p = strtok_r(NULL, "\n", &save)) {
        struct statvfs st;
        bool dup = false;

        if (statvfs(p, &st) != 0)
            continue;
        for (int i = 0; i < nseen; i++)
            dup |= seen[i] == st.f_fsid;
        if (dup || nseen == 16)
            continue;
        seen[nseen++] = st.f_fsid;
        *total += (unsigned long long)st.f_blocks * st.f_frsize;
        *avail += (unsigned long long)st.f_bavail * st.f_frsize;
    }
}

/* The host part of a libvirt URI, or "localhost" for a local one. */
static const char *
host_of(struct nb_req *r, const char *uri)
{
    const char *h = strstr(uri, "://");
    size_t n;

    if (h == NULL || h[3] == '/' || h[3] == '\0')
        return "localhost";
    h += 3;
    if (strchr(h, '@') != NULL && strchr(h, '@') < strchr(h, '/'))
        h = strchr(h, '@') + 1;
    n = strcspn(h, ":/?");
    return nb_arena_strndup(r->arena, h, n);
}

static void
report_dead(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c)
{
    /* Copied: closing the connection resets libvirt's error and frees its message. */
    const char *why = nb_arena_strdup(r->arena, virGetLastErrorMessage());
    const char *id = nb_arena_printf(r->arena, "%lld", (long long)c->id);

    if (!c->reported_dead)
        nb_log_warn(NULL, "cell %s (%s) unreachable: %s", c->name, c->uri, why);
    c->reported_dead = true;
    nb_cell_disconnect(c);
    (void)nb_db_query(r, NB_Q_RECON_CELL_DEAD, id, rc->id, why);
}

bool
nb_cell_copy_row(struct nb_cell *c, const PGresult *res, int row)
{
    return snprintf(c->name, sizeof(c->name), "%s", nb_db_text(res, row, 1)) <
               (int)sizeof(c->name) &&
           snprintf(c->uri, sizeof(c->uri), "%s", nb_db_text(res, row, 2)) < (int)sizeof(c->uri) &&
           snprintf(c->paths, sizeof(c->paths), "%s", nb_db_text(res, row, 3)) <
               (int)sizeof(c->paths);
}

/* The cell's storage in bytes, from its libvirt pools; a host without one gets the cell's
 * (a directory pool at its first system path), so that capacity, and later the guests'
 * volumes, come through libvirt. */
static void
storage_space(struct nb_req *r, struct nb_cell *c, unsigned long long *total,
              unsigned long long *avail)
{
    if (pool_space(c->conn, total, avail))
        return;
    if (nb_storage_pool_ensure(r, c) != NULL && pool_space(c->conn, total, avail)) {
        if (c->pool_failed)
            nb_log_info(NULL, "cell %s: storage pool nimbus ready", c->name);
        c->pool_failed = false;
        return;
    }
    if (!c->pool_failed)
        nb_log_warn(NULL, "cell %s: no storage pool and none could be made: %s", c->name,
                    r->err.status != NB_OK ? r->err.message : "no active pool");
    c->pool_failed = true;
    r->err.status = NB_OK;
    virResetLastError();
    if (strcmp(host_of(r, c->uri), "localhost") == 0)
        path_space(c->paths, total, avail);
}

/* What each libvirt driver lacks of what operations need (virConnectGetType's name, any case). The
 * test driver answers "not supported" for these; drivers not listed are taken to have them all. */
static const struct {
    const char *driver;
    const char *lacks[6];
} driver_lacks[] = {
    {"test",
     {"nwfilter", "volume resize", "volume download", "volume upload", "device update", NULL}},
};

/* Records the cell's driver and what it lacks, so db/ refuses what the cell cannot do. */
static void
record_driver(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c)
{
    static const char *const none[] = {NULL};
    const char *type = virConnectGetType(c->conn);
    const char *const *lacks = none;

    if (type == NULL) {
        virResetLastError();
        return;
    }
    for (size_t i = 0; i < sizeof(driver_lacks) / sizeof(driver_lacks[0]); i++)
        if (strcasecmp(driver_lacks[i].driver, type) == 0)
            lacks = driver_lacks[i].lacks;
    (void)nb_db_query(r, NB_Q_RECON_CELL_DRIVER,
                      nb_arena_printf(r->arena, "%lld", (long long)c->id), rc->id, type,
                      nb_db_json_list(r, lacks));
}

void
nb_cell_observe(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c)
{
    virNodeInfo info;
    unsigned long long total = 0, avail = 0, free_mem;
    bool cached = c->conn != NULL;

    if (c->conn == NULL) {
        c->conn = virConnectOpenAuth(c->uri, virConnectAuthPtrDefault, 0);
        if (c->conn == NULL)
            return report_dead(r, rc, c);
        nb_log_info(NULL, "cell %s connected (%s)", c->name, c->uri);
        c->reported_dead = false;
        record_driver(r, rc, c);
    }
    if (virNodeGetInfo(c->conn, &info) < 0) {
        if (!cached)
            return report_dead(r, rc, c);
        /* A cached connection may be stale (libvirtd restarted since): one fresh try before
         * the cell, and with it every guest on it, is reported gone. */
        nb_cell_disconnect(c);
        return nb_cell_observe(r, rc, c);
    }
    (void)snprintf(c->address, sizeof(c->address), "%s", host_of(r, c->uri)); /* from uri[512] */
    free_mem = virNodeGetFreeMemory(c->conn);
    if (free_mem == 0 || free_mem > (unsigned long long)info.memory * 1024)
        free_mem = (unsigned long long)info.memory * 1024;
    storage_space(r, c, &total, &avail);
    (void)nb_db_query(r, NB_Q_RECON_CELL_ALIVE, nb_arena_printf(r->arena, "%lld", (long long)c->id),
                      rc->id, host_of(r, c->uri), nb_arena_printf(r->arena, "%u", info.cpus),
                      nb_arena_printf(r->arena, "%llu", (unsigned long long)info.memory * 1024),
                      nb_arena_printf(r->arena, "%llu", free_mem),
                      nb_arena_printf(r->arena, "%llu", total),
                      nb_arena_printf(r->arena, "%llu", avail));
}
