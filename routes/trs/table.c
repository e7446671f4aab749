/* TRS's route table: none of its own yet, so that paths under /v1/ are refused in TRS's shape;
 * its clients log in through Keystone (routes/keystone/table.c). */
#include "routes/dialects.h"
#include "routes/trs/trs.h"

static const char *const trs_mounts[] = {"/v1/", NULL};

/* TRS's codes for the statuses nginx answers itself. */
static const char trs_edge_maps[] = "map $status $nimbus_error_trs_code {\n"
                                    "    400     9;\n"
                                    "    413     9;\n"
                                    "    default 1;\n"
                                    "}\n";

const struct nb_dialect trs_dialect = {
    .name = "trs",
    .mounts = trs_mounts,
    .routes = NULL,
    .nroutes = 0,
    .render_error = trs_error,
    .no_credential = "The request you have made requires authentication.",
    .bad_credential = "The request you have made requires authentication.",
    .edge_error = "{\"error\": {\"code\": $nimbus_error_trs_code, \"message\": "
                  "\"$nimbus_error_message\", \"data\": {}}}",
    .edge_maps = trs_edge_maps,
};
