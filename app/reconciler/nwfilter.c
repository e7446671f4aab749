/* Security policies on the host: the guest's nwfilter nimbus-<guest id>, written by
 * app/nwfilter.c, defined before the domain references it and undefined when the policy is
 * empty or the guest goes. */
#include "app/nwfilter.h"
#include "app/reconciler/reconciler.h"

int
nb_nwfilter_apply(struct nb_req *r, struct nb_op *op)
{
    virNWFilterPtr f = virNWFilterDefineXML(
        op->cell->conn,
        nb_nwfilter_xml(r->arena, op->guest_id, op->g.policy_default, op->g.policy_rules));

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
