/* Media in a running guest's CD-ROM drive: inserted from the image store or ejected through
 * virDomainUpdateDeviceFlags on the live domain. The drive is part of every domain
 * (domain.c); the host's answer is observed back into guests.media_attached/media_source. */
#include <string.h>

#include "app/reconciler/reconciler.h"
#include "db/db.h"

/* The CD-ROM drive of the live domain as a <disk> holding source (NULL: empty). */
static const char *
cdrom_xml(struct nb_req *r, const struct nb_op *op, const char *source)
{
    const char *xml = nb_own_malloc(r, virDomainGetXMLDesc(op->dom, 0));

    for (const char *p = xml; p != NULL && (p = strstr(p, "<disk ")) != NULL;) {
        const char *end = strstr(p, "</disk>"), *cur = p, *dev, *bus;

        if (end == NULL)
            break;
        if (strstr(p, "device='cdrom'") != NULL && strstr(p, "device='cdrom'") < end &&
            (dev = nb_xml_attr(r, &cur, "target", "dev")) != NULL && cur <= end) {
            cur = p;
            bus = nb_xml_attr(r, &cur, "target", "bus");
            return nb_arena_printf(
                r->arena,
                "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>%s%s%s"
                "<target dev='%s' bus='%s'/><readonly/></disk>",
                source != NULL ? "<source file='" : "",
                source != NULL ? nb_xml_escape(r, source) : "", source != NULL ? "'/>" : "",
                nb_xml_escape(r, dev), nb_xml_escape(r, bus != NULL ? bus : "ide"));
        }
        p = end;
    }
    if (xml == NULL)
        nb_vir_fail(r);
    else
        nb_fail(r, NB_E_CONFLICT, "guest %s has no CD-ROM drive; it gets one when it is redefined",
                op->g.name);
    return NULL;
}

static int
change_media(struct nb_req *r, const struct nb_op *op, const char *source, unsigned flags)
{
    const char *xml;

    if (virDomainIsActive(op->dom) != 1)
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not running; media go into a running guest",
                       op->g.name);
    if ((xml = cdrom_xml(r, op, source)) == NULL)
        return -1;
    return virDomainUpdateDeviceFlags(op->dom, xml, VIR_DOMAIN_AFFECT_LIVE | flags) < 0
               ? nb_vir_fail(r)
               : 0;
}

int
nb_op_insert_media(struct nb_req *r, struct nb_op *op)
{
    const char *path = nb_op_image_path(r, op, "media");

    return path != NULL ? change_media(r, op, path, 0) : -1;
}

/* Forced: a guest that locked its tray still gets the media out. */
int
nb_op_eject_media(struct nb_req *r, struct nb_op *op)
{
    return change_media(r, op, NULL, VIR_DOMAIN_DEVICE_MODIFY_FORCE);
}
