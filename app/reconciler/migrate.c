/* migrate_guest: moving a guest from the cell that holds the operation (the source) to
 * params.target_cell. Cold for a stopped guest: the target gets volumes of the same names and
 * capacities (their content streamed across where both drivers can), the domain is defined
 * there from the source's XML with the new volume paths, the source's domain and volumes are
 * removed, and only then does the guest's row name the target. Live for a running guest where
 * both hosts run a driver that migrates (virDomainMigrateToURI3). Every step can run again:
 * a rerun after a crash finds the domain on the target and finishes the cleanup. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/reconciler/reconciler.h"
#include "app/reconciler/reconcilerpriv.h"
#include "app/reconciler/xpath.h"
#include "db/db.h"
#include "db/migrations.h"

/* Bytes per read when streaming a volume across. */
#define CHUNK (256 * 1024)
/* How often a live migration's progress is read. */
#define LIVE_POLL_US (500 * 1000)

/* Where the guest goes. */
struct target {
    struct nb_cell *cell; /* a held cell, or one opened for this operation */
    bool local_storage;   /* volumes are per host (cells.storage_mode 'local') */
};

/* How the volumes went across. */
struct moved {
    bool copied; /* every volume's content arrived */
    bool shared; /* nothing to copy: both hosts see the same volumes */
};

static void
close_conn(void *p)
{
    virConnectClose(p);
}

/* The target cell: this reconciler's connection when it holds that cell, otherwise one opened
 * by the cell's URI for this operation and closed with its arena. The target's own holder is
 * not asked: libvirt takes definitions from any client. (A file-backed test:///path.xml URI
 * gives every connection a host of its own, so there only a held target sees the result.) */
static int
target_open(struct nb_req *r, struct nb_op *op, struct target *t)
{
    struct json_object *v = NULL;
    const PGresult *res;
    struct nb_cell *c;
    int64_t id;

    if (!json_object_object_get_ex(op->params, "target_cell", &v) ||
        !json_object_is_type(v, json_type_int))
        return nb_fail(r, NB_E_INVALID, "migrate_guest needs a target_cell id");
    id = json_object_get_int64(v);
    if (id == op->cell->id)
        return nb_fail(r, NB_E_INVALID, "guest %s is on cell %s already", op->g.name,
                       op->cell->name);
    if ((res = nb_db_query(r, NB_Q_MIGRATE_TARGET,
                           nb_arena_printf(r->arena, "%lld", (long long)id))) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "target cell %lld not found", (long long)id);
    t->local_storage = strcmp(nb_db_text(res, 0, 4), "local") == 0;
    for (int i = 0; i < op->rc->ncells; i++)
        if (op->rc->cells[i].id == id && op->rc->cells[i].conn != NULL) {
            t->cell = &op->rc->cells[i];
            return 0;
        }
    c = nb_arena_alloc(r->arena, sizeof(*c));
    memset(c, 0, sizeof(*c));
    c->id = id;
    if (!nb_cell_copy_row(c, res, 0))
        return nb_fail(r, NB_E_INVALID, "target cell %lld: its name, URI or paths are too long",
                       (long long)id);
    if ((c->conn = virConnectOpenAuth(c->uri, virConnectAuthPtrDefault, 0)) == NULL)
        return nb_fail(r, NB_E_CONFLICT, "cell %s unreachable: %s", c->name,
                       virGetLastErrorMessage());
    nb_arena_defer(r->arena, close_conn, c->conn);
    t->cell = c;
    return 0;
}

/* Whether libvirt's last failure says the driver lacks the call (then forgotten). */
static bool
unsupported(void)
{
    bool no = virGetLastErrorCode() == VIR_ERR_NO_SUPPORT;

    if (no)
        virResetLastError();
    return no;
}

/* Streams src's content into dst: 0 with *copied, 0 with !*copied when either driver cannot
 * stream volumes, -1 with libvirt's message when a transfer fails. */
static int
copy_volume(struct nb_req *r, virStorageVolPtr src, virStorageVolPtr dst, bool *copied)
{
    virStreamPtr in = virStreamNew(virStorageVolGetConnect(src), 0);
    virStreamPtr out = virStreamNew(virStorageVolGetConnect(dst), 0);
    char *buf = nb_arena_alloc(r->arena, CHUNK);
    int rc = -1, n;

    *copied = false;
    if (in == NULL || out == NULL) {
        rc = nb_vir_fail(r);
    } else if (virStorageVolDownload(src, in, 0, 0, 0) < 0) {
        rc = unsupported() ? 0 : nb_vir_fail(r);
    } else if (virStorageVolUpload(dst, out, 0, 0, 0) < 0) {
        rc = unsupported() ? 0 : nb_vir_fail(r);
        virStreamAbort(in);
    } else {
        while ((n = virStreamRecv(in, buf, CHUNK)) > 0)
            for (int off = 0, w = 0; off < n && w >= 0; off += w)
                if ((w = virStreamSend(out, buf + off, (size_t)(n - off))) < 0)
                    n = -1;
        if (n < 0 || virStreamFinish(in) < 0 || virStreamFinish(out) < 0) {
            rc = nb_vir_fail(r);
            virStreamAbort(in);
            virStreamAbort(out);
        } else {
            *copied = true;
            rc = 0;
        }
    }
    if (in != NULL)
        virStreamFree(in);
    if (out != NULL)
        virStreamFree(out);
    return rc;
}

/* Gives the target a volume of each disk's name and capacity (kept when there already) and,
 * for copy, streams the content across; NULL with the failure recorded. */
static struct nb_disk_move *
volumes_move(struct nb_req *r, struct nb_op *op, const struct target *t, bool copy,
             struct moved *how)
{
    struct nb_disk_move *m = nb_arena_alloc(r->arena, sizeof(*m) * (size_t)op->g.ndisks);

    how->copied = copy;
    how->shared = false;
    for (int n = 0; n < op->g.ndisks; n++) {
        const char *name = nb_volume_name(r, op->guest_id, n);
        virStorageVolPtr src = nb_volume_find(r, op->cell->conn, name), dst;
        virStorageVolInfo info;
        bool one = false;

        if (src == NULL) {
            nb_fail(r, NB_E_NOT_FOUND, "volume %s not found on cell %s", name, op->cell->name);
            return NULL;
        }
        if (virStorageVolGetInfo(src, &info) < 0 ||
            (m[n].from = nb_own_malloc(r, virStorageVolGetPath(src))) == NULL) {
            nb_vir_fail(r);
            return NULL;
        }
        if ((m[n].to = nb_volume_ensure(r, t->cell, name, (int64_t)info.capacity)) == NULL)
            return NULL;
        how->shared |= strcmp(m[n].from, m[n].to) == 0;
        if (copy && !how->shared) {
            dst = nb_volume_find(r, t->cell->conn, name);
            if (dst == NULL || copy_volume(r, src, dst, &one) < 0) {
                if (dst == NULL)
                    nb_fail(r, NB_E_NOT_FOUND, "volume %s not found on cell %s", name,
                            t->cell->name);
                return NULL;
            }
            how->copied &= one;
        }
        nb_op_progress(r, op, 10 + 60 * (n + 1) / op->g.ndisks);
    }
    how->copied &= !how->shared;
    return m;
}

const char *
nb_migrate_domain_xml(struct nb_req *r, const char *domain_xml, const struct nb_disk_move *m, int n)
{
    xmlXPathContextPtr x = nb_xpath_open(r, domain_xml);
    xmlNodePtr *sources;
    int count;

    if (x == NULL)
        return NULL;
    count = nb_xpath_nodes(r, x, NULL, "/domain/devices/disk/source[@file]", &sources);
    for (int i = 0; i < count; i++) {
        const char *file = nb_xpath_string(r, x, sources[i], "@file");

        for (int k = 0; k < n && file != NULL; k++)
            if (strcmp(file, m[k].from) == 0) {
                xmlSetProp(sources[i], (const xmlChar *)"file", (const xmlChar *)m[k].to);
                break;
            }
    }
    return nb_xpath_format(r, x);
}

/* The source's domain XML with its disks pointing at the target's volumes. */
static const char *
target_xml(struct nb_req *r, const struct nb_op *op, const struct nb_disk_move *m)
{
    const char *xml = nb_domain_xml(r, op->dom);

    return xml != NULL ? nb_migrate_domain_xml(r, xml, m, op->g.ndisks) : NULL;
}

/* What operations.result says about the move: honest about content that did not travel. */
static void
report(struct nb_req *r, struct nb_op *op, const struct target *t, const char *mode,
       const struct moved *how)
{
    struct json_object *o = nb_own_json(r, json_object_new_object());

    json_object_object_add(o, "mode", json_object_new_string(mode));
    json_object_object_add(o, "source_cell", json_object_new_string(op->cell->name));
    json_object_object_add(o, "target_cell", json_object_new_string(t->cell->name));
    json_object_object_add(o, "volumes", json_object_new_int(op->g.ndisks));
    json_object_object_add(o, "content_copied", json_object_new_boolean(how->copied));
    json_object_object_add(o, "shared_storage", json_object_new_boolean(how->shared));
    if (how->shared)
        json_object_object_add(
            o, "note",
            json_object_new_string("both hosts see the same volumes: only the domain moved"));
    else if (!how->copied && strcmp(mode, "cold") == 0)
        json_object_object_add(
            o, "note",
            json_object_new_string(
                "a driver cannot stream volume content (the test driver keeps none): only the "
                "domain definition and empty volumes of the same capacities moved"));
    op->result = o;
}

/* The last step, once the domain is on the target: the guest's row follows it. */
static int
moved_to(struct nb_req *r, struct nb_op *op, const struct target *t)
{
    nb_op_progress(r, op, 95);
    return nb_db_query(r, NB_Q_GUEST_MIGRATED, op->guest_id,
                       nb_arena_printf(r->arena, "%lld", (long long)t->cell->id)) != NULL
               ? 0
               : -1;
}

/* Source volumes go unless both hosts share them. */
static int
volumes_release(struct nb_req *r, struct nb_op *op, const struct target *t, bool shared)
{
    if (shared || !t->local_storage)
        return 0;
    return nb_volumes_delete(r, op->cell->conn, op->guest_id);
}

static int
cold(struct nb_req *r, struct nb_op *op, const struct target *t)
{
    struct moved how;
    const struct nb_disk_move *m = volumes_move(r, op, t, true, &how);
    const char *xml = m != NULL ? target_xml(r, op, m) : NULL;
    int autostart = 0;
    virDomainPtr dom;

    if (xml == NULL)
        return -1;
    if (virDomainGetAutostart(op->dom, &autostart) < 0)
        virResetLastError(); /* not every driver keeps the flag: the target starts manually */
    dom = nb_own_domain(r, virDomainDefineXML(t->cell->conn, xml));
    if (dom == NULL || virDomainSetAutostart(dom, autostart) < 0)
        return nb_vir_fail(r);
    nb_op_progress(r, op, 80);
    if (nb_domain_undefine(r, op->dom) < 0 || volumes_release(r, op, t, how.shared) < 0)
        return -1;
    report(r, op, t, "cold", &how);
    return moved_to(r, op, t);
}

/* A live migration runs in a thread of its own while the operation's thread reads its
 * progress; libvirt connections take calls from any thread, the database only this one. */
struct live_job {
    virDomainPtr dom;
    const char *uri;
    virTypedParameterPtr params;
    int nparams;
    unsigned int flags;
    atomic_bool done;
    int rc;
    char error[1024];
};

static void *
live_run(void *arg)
{
    struct live_job *j = arg;

    j->rc = virDomainMigrateToURI3(j->dom, j->uri, j->params, (unsigned int)j->nparams, j->flags);
    if (j->rc < 0)
        (void)snprintf(j->error, sizeof(j->error), "%s",
                       virGetLastErrorMessage()); /* cut if longer */
    atomic_store(&j->done, true);
    return NULL;
}

/* Peer to peer from the source's libvirtd to the target's URI; the target gets the volumes
 * first (empty: the migration copies local disks) and the XML naming them. */
static int
live(struct nb_req *r, struct nb_op *op, const struct target *t)
{
    struct live_job j = {.dom = op->dom,
                         .uri = t->cell->uri,
                         .flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER |
                                  VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE};
    struct moved how;
    const struct nb_disk_move *m;
    const char *xml;
    pthread_t th;
    int max = 0;

    if (!nb_migration_live(op->cell->uri, t->cell->uri))
        return nb_fail(r, NB_E_CONFLICT,
                       "guest %s is running and cells %s and %s cannot migrate it live; stop it "
                       "for a cold migration",
                       op->g.name, op->cell->name, t->cell->name);
    if ((m = volumes_move(r, op, t, false, &how)) == NULL || (xml = target_xml(r, op, m)) == NULL)
        return -1;
    if (t->local_storage && !how.shared)
        j.flags |= VIR_MIGRATE_NON_SHARED_DISK;
    if (virTypedParamsAddString(&j.params, &j.nparams, &max, VIR_MIGRATE_PARAM_DEST_XML, xml) < 0)
        return nb_vir_fail(r);
    if (pthread_create(&th, NULL, live_run, &j) != 0) {
        virTypedParamsFree(j.params, j.nparams);
        return nb_fail(r, NB_E_INTERNAL, "cannot start the migration thread");
    }
    while (!atomic_load(&j.done)) {
        virDomainJobInfo info;

        if (virDomainGetJobInfo(op->dom, &info) == 0 && info.dataTotal > 0)
            nb_op_progress(r, op, 10 + (int)(85 * info.dataProcessed / info.dataTotal));
        virResetLastError();
        usleep(LIVE_POLL_US);
    }
    pthread_join(th, NULL);
    virTypedParamsFree(j.params, j.nparams);
    if (j.rc < 0)
        return nb_fail(r, NB_E_CONFLICT, "%s", j.error);
    how.copied = t->local_storage && !how.shared;
    if (volumes_release(r, op, t, how.shared) < 0)
        return -1;
    report(r, op, t, "live", &how);
    return moved_to(r, op, t);
}

/* No domain on the source: an earlier run got as far as the target (its row may not say so
 * yet), so only the source's volumes are left to remove. No domain anywhere fails. */
static int
resume(struct nb_req *r, struct nb_op *op, const struct target *t)
{
    virDomainPtr there = nb_own_domain(r, virDomainLookupByUUIDString(t->cell->conn, op->guest_id));
    struct moved how = {0};

    virResetLastError();
    if (there == NULL)
        return nb_fail(r, NB_E_NOT_FOUND, "guest %s has no domain on cell %s or cell %s",
                       op->g.name, op->cell->name, t->cell->name);
    for (int n = 0; n < op->g.ndisks && !how.shared; n++) {
        const char *name = nb_volume_name(r, op->guest_id, n);
        virStorageVolPtr a = nb_volume_find(r, op->cell->conn, name);
        virStorageVolPtr b = nb_volume_find(r, t->cell->conn, name);
        const char *pa = a != NULL ? nb_own_malloc(r, virStorageVolGetPath(a)) : NULL;
        const char *pb = b != NULL ? nb_own_malloc(r, virStorageVolGetPath(b)) : NULL;

        how.shared = pa != NULL && pb != NULL && strcmp(pa, pb) == 0;
    }
    virResetLastError();
    if (volumes_release(r, op, t, how.shared) < 0)
        return -1;
    report(r, op, t, "resumed", &how);
    return moved_to(r, op, t);
}

int
nb_op_migrate_guest(struct nb_req *r, struct nb_op *op)
{
    struct target t = {0};
    int active;

    if (target_open(r, op, &t) < 0)
        return -1;
    nb_op_progress(r, op, 5);
    if (op->dom == NULL)
        return resume(r, op, &t);
    if ((active = virDomainIsActive(op->dom)) < 0)
        return nb_vir_fail(r);
    return active == 1 ? live(r, op, &t) : cold(r, op, &t);
}
