/* TRS's route table: none of its own yet, so that paths under /v1/ are refused in TRS's shape;
 * its clients log in through Keystone (routes/keystone/table.c). */
#include "routes/dialects.h"
#include "routes/trs/trs.h"

static const char *const trs_mounts[] = {"/v1/", NULL};

const struct nb_dialect trs_dialect = {
    .name = "trs",
    .mounts = trs_mounts,
    .routes = NULL,
    .nroutes = 0,
    .render_error = trs_error,
    .no_credential = "The request you have made requires authentication.",
    .bad_credential = "The request you have made requires authentication.",
    .needs_group = false,
};
