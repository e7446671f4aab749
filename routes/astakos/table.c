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

const struct nb_dialect astakos_dialect = {
    "astakos", astakos_mounts, NB_ROUTES(astakos_routes), astakos_error,
    "Access denied. No authentication token", "Invalid token", false, NULL,
};
