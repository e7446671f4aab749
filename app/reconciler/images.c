/* Disk images and guest volumes: a volume filled from an image file of the store (create from
 * an image, reset the system disk) and an image file made from a stopped guest's volume 0
 * (create_disk_image). Bytes travel through libvirt streams (virStorageVolUpload and
 * virStorageVolDownload), so the host may be another machine; a driver without them (the
 * test driver) fails with libvirt's message before anything of the guest is touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/reconciler/reconciler.h"
#include "app/reconciler/xpath.h"
#include "db/db.h"
#include "db/images.h"

/* A stream's bytes and the operation's progress between from% and to%. */
struct copy {
    struct nb_req *r;
    const struct nb_op *op;
    int fd;
    unsigned long long done, total;
    int from, to, shown;
};

static void
free_stream(void *p)
{
    virStreamFree(p);
}

static void
close_fd(void *p)
{
    (void)close(*(int *)p);
}

static virStreamPtr
own_stream(struct nb_req *r, virStreamPtr s)
{
    if (s != NULL)
        nb_arena_defer(r->arena, free_stream, s);
    return s;
}

/* An fd closed when the arena resets. */
static int
own_fd(struct nb_req *r, int fd)
{
    int *p;

    if (fd < 0)
        return fd;
    p = nb_arena_alloc(r->arena, sizeof(*p));
    *p = fd;
    nb_arena_defer(r->arena, close_fd, p);
    return fd;
}

static void
moved(struct copy *c, size_t n)
{
    int pct;

    c->done += n;
    pct = c->total > 0 ? c->from + (int)((unsigned long long)(c->to - c->from) *
                                         (c->done > c->total ? c->total : c->done) / c->total)
                       : c->from;
    if (pct >= c->shown + 5) {
        c->shown = pct;
        nb_op_progress(c->r, c->op, pct);
    }
}

static int
read_source(virStreamPtr st, char *buf, size_t n, void *opaque)
{
    struct copy *c = opaque;
    ssize_t got;

    (void)st;
    do
        got = read(c->fd, buf, n);
    while (got < 0 && errno == EINTR);
    if (got > 0)
        moved(c, (size_t)got);
    return (int)got;
}

static int
write_sink(virStreamPtr st, const char *buf, size_t n, void *opaque)
{
    struct copy *c = opaque;
    size_t off = 0;

    (void)st;
    while (off < n) {
        ssize_t put = write(c->fd, buf + off, n - off);

        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return -1;
        off += (size_t)put;
    }
    moved(c, n);
    return (int)n;
}

/* Deletes the volume of that name when it exists; 0 or -1 with libvirt's message. */
static int
drop_volume(struct nb_req *r, virConnectPtr conn, const char *name)
{
    virStorageVolPtr vol = nb_volume_find(r, conn, name);

    return vol == NULL || virStorageVolDelete(vol, 0) == 0 ? 0 : nb_vir_fail(r);
}

/* Uploads the file at path into a new raw volume name of pool; the pool is refreshed so the
 * host sees the uploaded format. The volume is removed again when the upload fails. */
static virStorageVolPtr
upload(struct nb_req *r, struct nb_op *op, virStoragePoolPtr pool, const char *name,
       const char *path)
{
    struct copy c = {.r = r, .op = op, .from = 10, .to = 60, .shown = 10};
    struct stat st;
    virStorageVolPtr vol;
    virStreamPtr s;

    if ((c.fd = own_fd(r, open(path, O_RDONLY | O_CLOEXEC))) < 0 || fstat(c.fd, &st) < 0) {
        nb_fail(r, NB_E_NOT_FOUND, "image file %s cannot be read: %s", path, strerror(errno));
        return NULL;
    }
    c.total = (unsigned long long)st.st_size;
    vol = nb_own_volume(
        r, virStorageVolCreateXML(
               pool, nb_volume_xml(r, name, (unsigned long long)st.st_size, "raw"), 0));
    if (vol == NULL) {
        nb_vir_fail(r);
        return NULL;
    }
    s = own_stream(r, virStreamNew(virStoragePoolGetConnect(pool), 0));
    if (s == NULL || virStorageVolUpload(vol, s, 0, c.total, 0) < 0 ||
        virStreamSendAll(s, read_source, &c) < 0 || virStreamFinish(s) < 0) {
        nb_vir_fail(r);
        if (s != NULL)
            (void)virStreamAbort(s);
        (void)virStorageVolDelete(vol, 0);
        return NULL;
    }
    if (virStoragePoolRefresh(pool, 0) < 0) {
        nb_vir_fail(r);
        return NULL;
    }
    if ((vol = nb_own_volume(r, virStorageVolLookupByName(pool, name))) == NULL)
        nb_vir_fail(r);
    return vol;
}

int
nb_volume_from_image(struct nb_req *r, struct nb_op *op, const char *path)
{
    const char *staging = nb_arena_printf(r->arena, "%s-staging.qcow2", op->guest_id);
    const char *name = nb_volume_name(r, op->guest_id, 0);
    virStoragePoolPtr pool = nb_volume_pool(r, op->cell);
    virStorageVolPtr vol;
    virStorageVolInfo info;
    const char *xml;
    xmlXPathContextPtr x;
    unsigned long long size;

    if (pool == NULL || drop_volume(r, op->cell->conn, staging) < 0 ||
        (vol = upload(r, op, pool, staging, path)) == NULL)
        return -1;
    if ((xml = nb_own_malloc(r, virStorageVolGetXMLDesc(vol, 0))) == NULL ||
        virStorageVolGetInfo(vol, &info) < 0)
        return nb_vir_fail(r);
    if ((x = nb_xpath_open(r, xml)) == NULL)
        return -1;
    if (nb_xpath_string(r, x, NULL, "/volume/target/format[@type='qcow2']") == NULL)
        return nb_fail(r, NB_E_CONFLICT, "the host does not see the uploaded image as qcow2");
    size = info.capacity > (unsigned long long)op->g.disks[0] ? info.capacity
                                                              : (unsigned long long)op->g.disks[0];
    if (drop_volume(r, op->cell->conn, name) < 0)
        return -1;
    nb_op_progress(r, op, 65);
    if (nb_own_volume(r, virStorageVolCreateXMLFrom(pool, nb_volume_xml(r, name, size, "qcow2"),
                                                    vol, 0)) == NULL)
        return nb_vir_fail(r);
    if (virStorageVolDelete(vol, 0) < 0)
        return nb_vir_fail(r);
    nb_op_progress(r, op, 75);
    return 0;
}

/* Streams volume vol of the stopped guest into tmp (a new file); 0 or -1. */
static int
download(struct nb_req *r, struct nb_op *op, virStorageVolPtr vol, const char *tmp)
{
    struct copy c = {.r = r, .op = op, .from = 5, .to = 85, .shown = 5};
    virStorageVolInfo info;
    virStreamPtr s;

    if (virStorageVolGetInfoFlags(vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) == 0)
        c.total = info.allocation; /* the file's size with GET_PHYSICAL */
    virResetLastError();
    c.fd = own_fd(r, open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (c.fd < 0)
        return nb_fail(r, NB_E_INTERNAL, "%s cannot be written: %s", tmp, strerror(errno));
    s = own_stream(r, virStreamNew(virStorageVolGetConnect(vol), 0));
    if (s == NULL || virStorageVolDownload(vol, s, 0, 0, 0) < 0 ||
        virStreamRecvAll(s, write_sink, &c) < 0 || virStreamFinish(s) < 0) {
        nb_vir_fail(r);
        if (s != NULL)
            (void)virStreamAbort(s);
        return -1;
    }
    if (fsync(c.fd) < 0)
        return nb_fail(r, NB_E_INTERNAL, "%s cannot be written: %s", tmp, strerror(errno));
    return 0;
}

/* Copies volume 0 into staging/, checks it like an upload and records it as the image's file
 * (nb_image_file_commit: within the owner's limit; renamed into the store once recorded). An
 * image that has its file is done; one deleted meanwhile fails and leaves no file. */
int
nb_op_create_disk_image(struct nb_req *r, struct nb_op *op)
{
    const char *id = nb_op_param(op, "image"), *file, *staged;
    const PGresult *res = nb_db_query(r, NB_Q_OP_IMAGE_TARGET, id);
    struct nb_image_upload up;
    virStorageVolPtr vol;

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "disk image %s not found", id);
    if (nb_db_bool(res, 0, 0))
        return 0;
    if (op->dom == NULL)
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s has no domain on cell %s", op->guest_id,
                       op->cell->name);
    if (virDomainIsActive(op->dom) != 0)
        return nb_fail(r, NB_E_CONFLICT,
                       "guest %s is running; its disk is copied only while it is stopped",
                       op->g.name);
    if ((vol = nb_volume_find(r, op->cell->conn, nb_volume_name(r, op->guest_id, 0))) == NULL)
        return nb_fail(r, NB_E_NOT_FOUND, "volume %s not found on cell %s",
                       nb_volume_name(r, op->guest_id, 0), op->cell->name);
    file = nb_image_new_file(r, NB_IMAGE_DISK, id);
    staged = nb_image_staging_path(r, file);
    nb_arena_defer_unlink(r->arena, staged);
    if (download(r, op, vol, staged) < 0)
        return -1;
    nb_op_progress(r, op, 90);
    if (nb_image_staged_check(r, NB_IMAGE_DISK, file, &up) < 0)
        return -1;
    return nb_image_file_commit(r, NB_IMAGE_DISK, id, &up);
}

/* Volume 0 rebuilt from params.image; the domain (stopped) keeps its definition. */
int
nb_op_reset_system(struct nb_req *r, struct nb_op *op)
{
    const char *path = nb_op_image_path(r, op, "disk");

    if (path == NULL)
        return -1;
    if (virDomainIsActive(op->dom) != 0)
        return nb_fail(r, NB_E_CONFLICT,
                       "guest %s is running; its system is reset only while it is stopped",
                       op->g.name);
    if (nb_volume_from_image(r, op, path) < 0)
        return -1;
    return nb_db_query(r, NB_Q_OP_SYSTEM_RESET, op->guest_id, nb_op_param(op, "image")) != NULL
               ? 0
               : -1;
}
