/* Astakos's route table: the account API and its Keystone-v2 identity endpoint. */
#include "routes/astakos/astakos.h"
#include "routes/dialects.h"

static const struct nb_field password_credentials_in[] = {
    NB_STRING("username", true, 0),
    NB_STRING("password", true, 1024),
    NB_FIELDS_END,
};

static const struct nb_field token_in[] = {
    NB_STRING("id", true, 0),
    NB_FIELDS_END,
};

static const struct nb_field auth_in[] = {
    NB_OBJECT("passwordCredentials", false, password_credentials_in),
    NB_OBJECT("token", false, token_in),
    NB_STRING("tenantName", false, 0),
    NB_STRING("tenantId", false, 0),
    NB_FIELDS_END,
};

static const struct nb_field tokens_in[] = {
    NB_OBJECT("auth", true, auth_in),
    NB_FIELDS_END,
};

static const struct nb_route astakos_routes[] = {
    {NB_POST, "^/identity/v2\\.0/tokens/?$", astakos_tokens_create, tokens_in, NB_CAP_PUBLIC, NULL},
};

static const char *const astakos_mounts[] = {"/account/v1.0/", "/identity/v2.0/", NULL};

static const struct nb_credential_header astakos_credential_headers[] = {
    {"X-Auth-Token", NULL},
    {NULL, NULL},
};

/* Astakos names its faults after the status (routes/astakos/envelope.c). */
static const char astakos_edge_maps[] = "map $status $nimbus_error_astakos {\n"
                                        "    400     badRequest;\n"
                                        "    403     forbidden;\n"
                                        "    404     itemNotFound;\n"
                                        "    405     notAllowed;\n"
                                        "    413     overLimit;\n"
                                        "    429     overLimit;\n"
                                        "    500     internalServerError;\n"
                                        "    default serviceUnavailable;\n"
                                        "}\n";

const struct nb_dialect astakos_dialect = {
    .name = "astakos",
    .mounts = astakos_mounts,
    NB_ROUTES(astakos_routes),
    .render_error = astakos_error,
    .no_credential = "Access denied. No authentication token",
    .bad_credential = "Invalid token",
    .login = "/identity/v2.0/tokens",
    .credential_kind = "astakos",
    .credential_headers = astakos_credential_headers,
    .edge_error = "{\"$nimbus_error_astakos\": {\"code\": $status, \"message\": "
                  "\"$nimbus_error_message\", \"details\": \"\"}}",
    .edge_maps = astakos_edge_maps,
};
