/* Media in a running guest's CD-ROM drive: inserted from the image store or ejected through
 * virDomainUpdateDeviceFlags on the live domain. The drive is part of every domain
 * (domain.c); the host's answer is observed back into guests.media_attached/media_source. */
#include <string.h>

#include "app/reconciler/reconciler.h"
#include "app/reconciler/reconcilerpriv.h"
#include "app/reconciler/xpath.h"
#include "app/xml.h"
#include "db/db.h"

/* The domain's CD-ROM drives that have a target to address them by. */
#define CDROM_DRIVES "/domain/devices/disk[@device='cdrom'][target/@dev]"

const char *
nb_media_drive_xml(struct nb_req *r, const char *domain_xml, const char *source,
                   const char *guest_name)
{
    xmlXPathContextPtr x = nb_xpath_open(r, domain_xml);
    xmlNodePtr *drives;
    const char *dev, *bus;

    if (x == NULL)
        return NULL;
    if (nb_xpath_nodes(r, x, NULL, CDROM_DRIVES, &drives) == 0) {
        nb_fail(r, NB_E_CONFLICT, "guest %s has no CD-ROM drive; it gets one when it is redefined",
                guest_name);
        return NULL;
    }
    dev = nb_xpath_string(r, x, drives[0], "target/@dev");
    bus = nb_xpath_string(r, x, drives[0], "target/@bus");
    return nb_arena_printf(r->arena,
                           "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>%s"
                           "<target dev='%s' bus='%s'/><readonly/></disk>",
                           source != NULL ? nb_arena_printf(r->arena, "<source file='%s'/>",
                                                            nb_xml_escape(r->arena, source))
                                          : "",
                           nb_xml_escape(r->arena, dev),
                           nb_xml_escape(r->arena, bus != NULL ? bus : "ide"));
}

static int
change_media(struct nb_req *r, const struct nb_op *op, const char *source, unsigned flags)
{
    const char *xml;

    if (virDomainIsActive(op->dom) != 1)
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not running; media go into a running guest",
                       op->g.name);
    if ((xml = nb_own_malloc(r, virDomainGetXMLDesc(op->dom, 0))) == NULL)
        return nb_vir_fail(r);
    if ((xml = nb_media_drive_xml(r, xml, source, op->g.name)) == NULL)
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
