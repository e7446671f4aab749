/* Quotas: what each holder may use of each resource and what it uses (the Astakos
 * quotaholder over the project model), and the check that keeps guests inside them. */
#ifndef NB_QUOTAS_H
#define NB_QUOTAS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* What a guest change adds: VMs, cores, bytes of memory and of disk (negative: gives back). */
struct nb_quota_guest {
    int64_t vms, cores, memory, disk;
};

/* Checks that guest_id's growth, already charged in this transaction, fits the quotas of the
 * project it is charged to and of its owner there: a new guest's or a resize's row written
 * (migration 019's trigger charged and locked those holdings, after the cells, as every
 * path locks them), or a growth charged as pending by nb_quota_guest_pend. The caller rolls
 * back on a refusal. Over a limit: NB_E_CONFLICT with NB_R_OVER_LIMIT. */
int nb_quota_guest_fits(struct nb_req *r, const char *guest_id,
                        const struct nb_quota_guest *growth);

/* Charges guest_id's growth (its parts above 0; vms ignored) as pending on operation op_id,
 * queued in this transaction for the host to carry it out, then checks it as
 * nb_quota_guest_fits does. The holdings stay locked to the end of the transaction, so a
 * concurrent growth waits and is refused if both do not fit; the operation's end releases
 * the charge in the transaction that ends it (migration 023). Locks holdings last: call it
 * after the operation's row is written. */
int nb_quota_guest_pend(struct nb_req *r, const char *op_id, const char *guest_id,
                        const struct nb_quota_guest *growth);

/* Columns of a quota read: source project, resource, then limit, usage_min and usage_max of
 * the member's holding and of the project's own (pending = usage_max - usage_min). The reads
 * for services put the user's uuid before them (NB_QC__USER_OFFSET). */
enum nb_quota_col {
    NB_QC_SOURCE,
    NB_QC_RESOURCE,
    NB_QC_LIMIT,
    NB_QC_USAGE_MIN,
    NB_QC_USAGE_MAX,
    NB_QC_PROJECT_LIMIT,
    NB_QC_PROJECT_USAGE_MIN,
    NB_QC_PROJECT_USAGE_MAX,
    NB_QC__MAX
};
/* Columns of a project quota read: project, resource, limit, usage_min, usage_max. */
enum nb_project_quota_col {
    NB_PQC_PROJECT,
    NB_PQC_RESOURCE,
    NB_PQC_LIMIT,
    NB_PQC_USAGE_MIN,
    NB_PQC_USAGE_MAX,
    NB_PQC__MAX
};

/* The caller's quotas: per source (the base project and each project the caller actually
 * belongs to) and visible resource, in no order. NULL with the error recorded. */
const PGresult *nb_quota_of_user(struct nb_req *r);
/* The calling service's (r->service_id) resources' quotas of the users whose uuids users
 * lists (NULL-terminated; NULL: all) in the projects projects lists (NULL: all), the user's
 * uuid in column 0 and enum nb_quota_col from column 1; NB_E_INVALID for a malformed uuid. */
const PGresult *nb_quota_of_users(struct nb_req *r, const char *const *users,
                                  const char *const *projects);
/* The projects' own quotas (projects as above) of the calling service's resources, in the
 * columns of enum nb_project_quota_col. */
const PGresult *nb_quota_of_projects(struct nb_req *r, const char *const *projects);

/* Columns of nb_resource_list: name, service, description, unit (NULL: a count),
 * ui_visible, api_visible. */
enum nb_resource_col {
    NB_RC_NAME,
    NB_RC_SERVICE,
    NB_RC_DESCRIPTION,
    NB_RC_UNIT,
    NB_RC_UI,
    NB_RC_API,
    NB_RC__MAX
};
/* The resources clients see, by name. */
const PGresult *nb_resource_list(struct nb_req *r);

#endif
