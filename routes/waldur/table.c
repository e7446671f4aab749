/* Waldur's route table. */
#include "routes/dialects.h"
#include "routes/waldur/waldur.h"

static const struct nb_field password_in[] = {
    NB_STRING("username", true, 0),
    NB_STRING("password", true, 1024),
    NB_FIELDS_END,
};

static const struct nb_route waldur_routes[] = {
    {NB_POST, "^/api-auth/password/?$", waldur_auth_password, password_in, NB_CAP_PUBLIC, NULL},
};

static const char *const waldur_mounts[] = {
    "/api-auth/",     "/api/ip-mappings/",    "/api/stats/", "/api/customers/",
    "/api/projects/", "/api/project-groups/", NULL,
};

static const struct nb_credential_header waldur_credential_headers[] = {
    {"Authorization", "Token"},
    {NULL, NULL},
};

const struct nb_dialect waldur_dialect = {
    .name = "waldur",
    .mounts = waldur_mounts,
    NB_ROUTES(waldur_routes),
    .render_error = waldur_error,
    .no_credential = "Authentication credentials were not provided.",
    .bad_credential = "Invalid token.",
    .login = "/api-auth/password/",
    .credential_kind = "waldur",
    .credential_headers = waldur_credential_headers,
    .edge_error = "{\"detail\": \"$nimbus_error_message\"}",
};
