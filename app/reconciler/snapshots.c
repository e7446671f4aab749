/* Guest snapshots: create, revert and delete libvirt snapshots, then rewrite the guest's
 * snapshots rows from what libvirt lists (the API never asks libvirt). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "app/reconciler/reconciler.h"
#include "app/reconciler/xpath.h"
#include "app/validate.h"
#include "app/xml.h"
#include "db/db.h"

/* The named snapshot, or NULL with a failure recorded unless missing is fine. */
static virDomainSnapshotPtr
snapshot(struct nb_req *r, const struct nb_op *op, bool missing_ok)
{
    const char *name = nb_op_param(op, "name");
    virDomainSnapshotPtr s;

    if (name[0] == '\0') {
        nb_fail(r, NB_E_INVALID, "snapshot name is required");
        return NULL;
    }
    s = nb_own_snapshot(r, virDomainSnapshotLookupByName(op->dom, name, 0));
    if (s == NULL && !missing_ok)
        nb_vir_fail(r);
    virResetLastError();
    return s;
}

/* One snapshot as SNAPSHOTS_RECORD reads it. */
static struct json_object *
describe(struct nb_req *r, virDomainSnapshotPtr s)
{
    struct json_object *o = json_object_new_object();
    long long n;
    virDomainSnapshotPtr parent = nb_own_snapshot(r, virDomainSnapshotGetParent(s, 0));
    const char *xml = nb_own_malloc(r, virDomainSnapshotGetXMLDesc(s, 0));
    xmlXPathContextPtr x = xml != NULL ? nb_xpath_open(r, xml) : NULL;
    /* The snapshot's own fields, not those of the <domain> it holds. */
    const char *description = nb_xpath_string(r, x, NULL, "/domainsnapshot/description");
    const char *state = nb_xpath_string(r, x, NULL, "/domainsnapshot/state");
    const char *created = nb_xpath_string(r, x, NULL, "/domainsnapshot/creationTime");

    if (xml != NULL && x == NULL)
        r->err.status = NB_OK; /* XML that does not parse: described by its name only */
    virResetLastError();       /* a root snapshot has no parent */
    json_object_object_add(o, "name", json_object_new_string(virDomainSnapshotGetName(s)));
    json_object_object_add(
        o, "parent",
        json_object_new_string(parent != NULL ? virDomainSnapshotGetName(parent) : ""));
    json_object_object_add(o, "description",
                           json_object_new_string(description != NULL ? description : ""));
    json_object_object_add(o, "is_current",
                           json_object_new_boolean(virDomainSnapshotIsCurrent(s, 0) == 1));
    json_object_object_add(o, "running",
                           json_object_new_boolean(state != NULL && strcmp(state, "running") == 0));
    json_object_object_add(
        o, "created", json_object_new_int64(nb_parse_int(created, 0, LLONG_MAX, &n) == 0 ? n : 0));
    return o;
}

int
nb_snapshots_refresh(struct nb_req *r, struct nb_op *op)
{
    virDomainSnapshotPtr *snaps = NULL;
    int n = virDomainListAllSnapshots(op->dom, &snaps, 0);
    struct json_object *list;

    if (n < 0)
        return nb_vir_fail(r);
    nb_own_malloc(r, snaps);
    list = nb_own_json(r, json_object_new_array_ext(n));
    for (int i = 0; i < n; i++)
        json_object_array_add(list, describe(r, nb_own_snapshot(r, snaps[i])));
    if (nb_db_begin(r) < 0)
        return -1;
    if (nb_db_query(r, NB_Q_SNAPSHOTS_FORGET, op->guest_id) == NULL ||
        nb_db_query(r, NB_Q_SNAPSHOTS_RECORD, op->guest_id,
                    json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN)) == NULL) {
        nb_db_rollback();
        return -1;
    }
    return nb_db_commit(r);
}

int
nb_op_create_snapshot(struct nb_req *r, struct nb_op *op)
{
    virDomainSnapshotPtr s = snapshot(r, op, true);
    const char *xml;

    if (r->err.status != NB_OK)
        return -1;
    if (s == NULL) {
        xml = nb_arena_printf(r->arena,
                              "<domainsnapshot><name>%s</name><description>%s</description>"
                              "</domainsnapshot>",
                              nb_xml_escape(r->arena, nb_op_param(op, "name")),
                              nb_xml_escape(r->arena, nb_op_param(op, "description")));
        if (nb_own_snapshot(r, virDomainSnapshotCreateXML(op->dom, xml, 0)) == NULL)
            return nb_vir_fail(r);
    }
    return nb_snapshots_refresh(r, op);
}

int
nb_op_restore_snapshot(struct nb_req *r, struct nb_op *op)
{
    virDomainSnapshotPtr s = snapshot(r, op, false);

    if (s == NULL)
        return -1;
    if (virDomainRevertToSnapshot(s, 0) < 0)
        return nb_vir_fail(r);
    return nb_snapshots_refresh(r, op);
}

/* Deleting a snapshot that is gone already is done. */
int
nb_op_delete_snapshot(struct nb_req *r, struct nb_op *op)
{
    virDomainSnapshotPtr s = snapshot(r, op, true);

    if (r->err.status != NB_OK)
        return -1;
    if (s != NULL && virDomainSnapshotDelete(s, 0) < 0)
        return nb_vir_fail(r);
    return nb_snapshots_refresh(r, op);
}
