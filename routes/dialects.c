/* The dialects Nimbus speaks, in the order their mount points are tried. */
#include "app/router.h"
#include "routes/dialects.h"

const struct nb_dialect *const nb_dialects[] = {
    &nb_ops_dialect, &nano_dialect, &waldur_dialect, &astakos_dialect,
    &trs_dialect,    &keystone_dialect, &danube_dialect, NULL,
};
