/* The reconciler's pure pieces (XML in, XML out, no libvirt call), exported for the unit
 * tests only; the operations that use them are in reconciler.h. */
#ifndef NB_RECONCILERPRIV_H
#define NB_RECONCILERPRIV_H

#include "app/reconciler/reconciler.h"

/* The whole domain definition of op's guest (domain.c): type is the host's domain type,
 * paths[n] the volume of disk n, network whether the host's network "default" is active.
 * Every value from the guest row, its template and the operation is escaped. */
const char *nb_domain_definition(struct nb_req *r, const struct nb_op *op, const char *type,
                                 const char *const *paths, bool network);

/* The <disk> for virDomainUpdateDeviceFlags (media.c): the CD-ROM drive of domain_xml (its
 * first cdrom disk with a target) holding the file source, or empty when source is NULL. NULL
 * with the failure recorded when the XML does not parse or has no drive. */
const char *nb_media_drive_xml(struct nb_req *r, const char *domain_xml, const char *source,
                               const char *guest_name);

/* A disk's volume on both hosts of a migration (migrate.c); the same path on both means
 * storage they share. */
struct nb_disk_move {
    const char *from, *to;
};

/* domain_xml with each disk whose source file is m[i].from pointing at m[i].to instead; NULL
 * with the failure recorded when it does not parse. */
const char *nb_migrate_domain_xml(struct nb_req *r, const char *domain_xml,
                                  const struct nb_disk_move *m, int n);

#endif
