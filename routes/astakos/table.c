/* Astakos's route table: the account API and its Keystone-v2 identity endpoint. */
#include "routes/astakos/astakos.h"
#include "routes/dialects.h"

static const struct nb_field password_credentials_in[] = {
    {"username", NB_T_STRING, true, 0, NULL},
    {"password", NB_T_STRING, true, 1024, NULL},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_field token_in[] = {
    {"id", NB_T_STRING, true, 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_field auth_in[] = {
    {"passwordCredentials", NB_T_OBJECT, false, 0, password_credentials_in},
    {"token", NB_T_OBJECT, false, 0, token_in},
    {"tenantName", NB_T_STRING, false, 0, NULL},
    {"tenantId", NB_T_STRING, false, 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_field tokens_in[] = {
    {"auth", NB_T_OBJECT, true, 0, auth_in},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_route astakos_routes[] = {
    {NB_POST, "^/identity/v2\\.0/tokens/?$", astakos_tokens_create, tokens_in, NB_CAP_PUBLIC, NULL},
};

static const char *const astakos_mounts[] = {"/account/v1.0/", "/identity/v2.0/", NULL};

const struct nb_dialect astakos_dialect = {
    "astakos", astakos_mounts, NB_ROUTES(astakos_routes), astakos_error,
    "Access denied. No authentication token", "Invalid token", false, NULL,
};
