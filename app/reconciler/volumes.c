/* Guest volumes: qcow2 volumes named <guest id>-<n>.qcow2 in the cell's storage pools, looked
 * up by name before anything is created so that every step can run twice. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/reconciler/reconciler.h"
#include "app/xml.h"
#include "db/db.h"

const char *
nb_volume_name(struct nb_req *r, const char *guest_id, int n)
{
    return nb_arena_printf(r->arena, "%s-%d.qcow2", guest_id, n);
}

const char *
nb_volume_xml(struct nb_req *r, const char *name, unsigned long long capacity, const char *format)
{
    return nb_arena_printf(r->arena,
                           "<volume><name>%s</name><capacity unit='bytes'>%llu</capacity>"
                           "<target><format type='%s'/></target></volume>",
                           nb_xml_escape(r->arena, name), capacity,
                           nb_xml_escape(r->arena, format));
}

/* The host's active pools, released with the arena; n < 0 on failure. */
static virStoragePoolPtr *
active_pools(struct nb_req *r, virConnectPtr conn, int *n)
{
    virStoragePoolPtr *pools = NULL;

    *n = virConnectListAllStoragePools(conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
    for (int i = 0; i < *n; i++)
        nb_own_pool(r, pools[i]);
    return nb_own_malloc(r, pools);
}

virStorageVolPtr
nb_volume_find(struct nb_req *r, virConnectPtr conn, const char *name)
{
    int n;
    virStoragePoolPtr *pools = active_pools(r, conn, &n);
    virStorageVolPtr vol = NULL;

    for (int i = 0; i < n && vol == NULL; i++)
        vol = nb_own_volume(r, virStorageVolLookupByName(pools[i], name));
    virResetLastError();
    return vol;
}

virStoragePoolPtr
nb_storage_pool_ensure(struct nb_req *r, struct nb_cell *c)
{
    virStoragePoolPtr pool = nb_own_pool(r, virStoragePoolLookupByName(c->conn, "nimbus"));

    if (pool == NULL) {
        const char *path = nb_arena_strndup(r->arena, c->paths, strcspn(c->paths, "\n"));
        const char *xml = nb_arena_printf(
            r->arena, "<pool type='dir'><name>nimbus</name><target><path>%s</path></target></pool>",
            nb_xml_escape(r->arena, path));

        pool = nb_own_pool(r, virStoragePoolDefineXML(c->conn, xml, 0));
        if (pool == NULL || virStoragePoolBuild(pool, 0) < 0)
            return nb_vir_fail(r), NULL;
    }
    if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) < 0)
        return nb_vir_fail(r), NULL;
    if (virStoragePoolSetAutostart(pool, 1) < 0)
        return nb_vir_fail(r), NULL;
    return pool;
}

virStoragePoolPtr
nb_volume_pool(struct nb_req *r, struct nb_cell *c)
{
    int n;
    virStoragePoolPtr *pools = active_pools(r, c->conn, &n);

    return n > 0 ? pools[0] : nb_storage_pool_ensure(r, c);
}

const char *
nb_volume_ensure(struct nb_req *r, struct nb_cell *c, const char *name, int64_t capacity)
{
    virStorageVolPtr vol = nb_volume_find(r, c->conn, name);
    const char *path;

    if (vol == NULL) {
        virStoragePoolPtr pool = nb_volume_pool(r, c);
        const char *xml = nb_volume_xml(r, name, (unsigned long long)capacity, "qcow2");

        if (pool == NULL)
            return NULL;
        if ((vol = nb_own_volume(r, virStorageVolCreateXML(pool, xml, 0))) == NULL)
            return nb_vir_fail(r), NULL;
    }
    if ((path = nb_own_malloc(r, virStorageVolGetPath(vol))) == NULL)
        return nb_vir_fail(r), NULL;
    return path;
}

static bool
is_guest_volume(const char *name, const char *guest_id)
{
    size_t n = strlen(guest_id), len = strlen(name);

    return strncmp(name, guest_id, n) == 0 && name[n] == '-' && len > n + 6 &&
           strcmp(name + len - 6, ".qcow2") == 0;
}

int
nb_volumes_delete(struct nb_req *r, virConnectPtr conn, const char *guest_id)
{
    int n;
    virStoragePoolPtr *pools = active_pools(r, conn, &n);

    for (int i = 0; i < n; i++) {
        virStorageVolPtr *vols = NULL;
        int nvols = virStoragePoolListAllVolumes(pools[i], &vols, 0);

        nb_own_malloc(r, vols);
        for (int v = 0; v < nvols; v++) {
            const char *name = virStorageVolGetName(nb_own_volume(r, vols[v]));

            if (name != NULL && is_guest_volume(name, guest_id) &&
                virStorageVolDelete(vols[v], 0) < 0)
                return nb_vir_fail(r);
        }
    }
    return 0;
}

bool
nb_volume_free(virConnectPtr conn, const char *path, unsigned long long *bytes)
{
    virStorageVolPtr vol = virStorageVolLookupByPath(conn, path);
    virStorageVolInfo info;
    bool ok = vol != NULL && virStorageVolGetInfo(vol, &info) == 0;

    if (ok)
        *bytes = info.capacity > info.allocation ? info.capacity - info.allocation : 0;
    if (vol != NULL)
        virStorageVolFree(vol);
    virResetLastError();
    return ok;
}

/* Records the new size in the guest's row, which the API left alone until the host agreed, in
 * the transaction that finishes the operation and releases its pending charge. */
static int
disk_resized(struct nb_req *r, struct nb_op *op, int disk, int64_t size)
{
    if (nb_op_closing(r, op) < 0)
        return -1;
    return nb_db_query(r, NB_Q_OP_DISK_RESIZED, op->guest_id, nb_arena_printf(r->arena, "%d", disk),
                       nb_arena_printf(r->arena, "%lld", (long long)size)) != NULL
               ? 0
               : -1;
}

/* Grows volume params.disk to params.size bytes: through the running domain when it runs, so
 * the guest sees the new size; a volume already that big is done. */
int
nb_op_resize_disk(struct nb_req *r, struct nb_op *op)
{
    struct json_object *v;
    int disk = json_object_object_get_ex(op->params, "disk", &v) ? json_object_get_int(v) : -1;
    int64_t size = json_object_object_get_ex(op->params, "size", &v) ? json_object_get_int64(v) : 0;
    const char *name = nb_volume_name(r, op->guest_id, disk);
    virStorageVolPtr vol;
    virStorageVolInfo info;
    const char *path;

    if (disk < 0 || disk >= op->g.ndisks || size <= 0)
        return nb_fail(r, NB_E_INVALID, "resize needs a disk of the guest and a positive size");
    if ((vol = nb_volume_find(r, op->cell->conn, name)) == NULL)
        return nb_fail(r, NB_E_NOT_FOUND, "volume %s not found on cell %s", name, op->cell->name);
    if (virStorageVolGetInfo(vol, &info) < 0)
        return nb_vir_fail(r);
    if (info.capacity == (unsigned long long)size)
        return disk_resized(r, op, disk, size);
    if (info.capacity > (unsigned long long)size)
        return nb_fail(r, NB_E_INVALID, "volume %s is %llu bytes: disks only grow", name,
                       info.capacity);
    if (op->dom != NULL && virDomainIsActive(op->dom) == 1) {
        if ((path = nb_own_malloc(r, virStorageVolGetPath(vol))) == NULL ||
            virDomainBlockResize(op->dom, path, (unsigned long long)size,
                                 VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0)
            return nb_vir_fail(r);
        return disk_resized(r, op, disk, size);
    }
    if (virStorageVolResize(vol, (unsigned long long)size, 0) < 0)
        return nb_vir_fail(r);
    return disk_resized(r, op, disk, size);
}

/* Runs qemu-img convert -O qcow2 from → to; 0 or -1 with its exit status recorded. */
static int
qemu_img_convert(struct nb_req *r, const char *from, const char *to)
{
    char *argv[] = {"qemu-img", "convert", "-O", "qcow2", (char *)from, (char *)to, NULL};
    pid_t pid;
    int status;

    if (posix_spawnp(&pid, "qemu-img", NULL, NULL, argv, environ) != 0)
        return nb_fail(r, NB_E_INTERNAL, "cannot run qemu-img: %s", strerror(errno));
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return nb_fail(r, NB_E_CONFLICT, "qemu-img convert of %s failed (status %d)", from,
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

/* Compacts volume params.disk of a stopped guest: qemu-img rewrites the qcow2 file with only
 * the clusters in use, then the pool is refreshed. qemu-img needs the file itself, so the cell
 * must be this reconciler's own host; elsewhere the operation fails saying so. */
int
nb_op_shrink_disk(struct nb_req *r, struct nb_op *op)
{
    struct json_object *v;
    int disk = json_object_object_get_ex(op->params, "disk", &v) ? json_object_get_int(v) : -1;
    const char *name = nb_volume_name(r, op->guest_id, disk), *path, *tmp;
    virStorageVolPtr vol;
    virStoragePoolPtr pool;

    if (disk < 0 || disk >= op->g.ndisks)
        return nb_fail(r, NB_E_INVALID, "shrink needs a disk of the guest");
    if (strcmp(op->cell->address, "localhost") != 0 || strncmp(op->cell->uri, "test", 4) == 0)
        return nb_fail(
            r, NB_E_CONFLICT,
            "shrinking a disk needs its qcow2 file on this reconciler's host; cell %s (%s) is not",
            op->cell->name, op->cell->uri);
    if (op->dom != NULL && virDomainIsActive(op->dom) == 1)
        return nb_fail(r, NB_E_CONFLICT, "guest is running; disks shrink only while it is stopped");
    if ((vol = nb_volume_find(r, op->cell->conn, name)) == NULL)
        return nb_fail(r, NB_E_NOT_FOUND, "volume %s not found on cell %s", name, op->cell->name);
    if ((path = nb_own_malloc(r, virStorageVolGetPath(vol))) == NULL)
        return nb_vir_fail(r);
    tmp = nb_arena_printf(r->arena, "%s.shrink", path);
    if (qemu_img_convert(r, path, tmp) < 0) {
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) < 0) {
        unlink(tmp);
        return nb_fail(r, NB_E_INTERNAL, "cannot replace %s: %s", path, strerror(errno));
    }
    if ((pool = virStoragePoolLookupByVolume(vol)) != NULL) {
        virStoragePoolRefresh(pool, 0);
        virStoragePoolFree(pool);
    }
    return 0;
}
