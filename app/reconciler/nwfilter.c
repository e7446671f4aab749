/* Security policies on the host: the guest's nwfilter nimbus-<guest id>, written by
 * app/nwfilter.c, defined before the domain references it and undefined when the policy is
 * empty or the guest goes. */
#include "app/nwfilter.h"
#include "app/reconciler/reconciler.h"

#include <string.h>

/* libvirt redefines a filter only under the uuid it already has (a definition without one
 * gets a fresh uuid and is refused as "already exists"): the existing filter's uuid goes into
 * the XML, right after the opening <filter> tag. */
static const char *
with_existing_uuid(struct nb_req *r, virConnectPtr conn, const char *guest_id, const char *xml)
{
    virNWFilterPtr old = virNWFilterLookupByName(conn, nb_nwfilter_name(r->arena, guest_id));
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *end = strchr(xml, '>');
    int ok;

    if (old == NULL) {
        virResetLastError(); /* none yet: libvirt picks the uuid */
        return xml;
    }
    ok = virNWFilterGetUUIDString(old, uuid) == 0;
    virNWFilterFree(old);
    if (!ok || end == NULL) {
        virResetLastError();
        return xml;
    }
    return nb_arena_printf(r->arena, "%.*s\n  <uuid>%s</uuid>%s", (int)(end - xml + 1), xml, uuid,
                           end + 1);
}

int
nb_nwfilter_apply(struct nb_req *r, struct nb_op *op)
{
    const char *xml =
        nb_nwfilter_xml(r->arena, op->guest_id, op->g.policy_default, op->g.policy_rules);
    virNWFilterPtr f = virNWFilterDefineXML(
        op->cell->conn, with_existing_uuid(r, op->cell->conn, op->guest_id, xml));

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
