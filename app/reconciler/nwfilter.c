/* Security policies on the host: the guest's nwfilter nimbus-<guest id>, written by
 * app/nwfilter.c, defined before the domain references it and undefined when the policy is
 * empty or the guest goes. */
#include "app/nwfilter.h"
#include "app/reconciler/reconciler.h"

/* The uuid of the guest's filter on the host, NULL when it has none yet (libvirt redefines a
 * filter only under the uuid it already has; one without gets a fresh uuid and is refused as
 * "already exists"). */
static const char *
existing_uuid(struct nb_req *r, virConnectPtr conn, const char *guest_id)
{
    virNWFilterPtr old = virNWFilterLookupByName(conn, nb_nwfilter_name(r->arena, guest_id));
    char uuid[VIR_UUID_STRING_BUFLEN];
    int ok;

    if (old == NULL) {
        virResetLastError(); /* none yet: libvirt picks the uuid */
        return NULL;
    }
    ok = virNWFilterGetUUIDString(old, uuid) == 0;
    virNWFilterFree(old);
    if (!ok) {
        virResetLastError();
        return NULL;
    }
    return nb_arena_strdup(r->arena, uuid);
}

int
nb_nwfilter_apply(struct nb_req *r, struct nb_op *op)
{
    const char *xml =
        nb_nwfilter_xml(r->arena, op->guest_id, existing_uuid(r, op->cell->conn, op->guest_id),
                        op->g.policy_default, op->g.policy_rules);
    virNWFilterPtr f = virNWFilterDefineXML(op->cell->conn, xml);

    if (f == NULL)
        return nb_vir_fail(r);
    virNWFilterFree(f);
    return 0;
}

int
nb_nwfilter_remove(struct nb_req *r, virConnectPtr conn, const char *guest_id)
{
    virNWFilterPtr f = virNWFilterLookupByName(conn, nb_nwfilter_name(r->arena, guest_id));
    int rc;

    if (f == NULL) {
        int code = virGetLastErrorCode();

        if (code == VIR_ERR_NO_NWFILTER || code == VIR_ERR_NO_SUPPORT) {
            virResetLastError(); /* none there, or a host that cannot have one */
            return 0;
        }
        return nb_vir_fail(r);
    }
    rc = virNWFilterUndefine(f);
    if (rc < 0)
        nb_vir_fail(r);
    virNWFilterFree(f);
    return rc;
}
