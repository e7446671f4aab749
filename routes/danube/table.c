/* Danube Cloud's route table. */
#include "routes/danube/danube.h"
#include "routes/dialects.h"

static const struct nb_field login_in[] = {
    NB_STRING("username", true, 0),
    NB_STRING("password", true, 1024),
    NB_FIELDS_END,
};

static const struct nb_route danube_routes[] = {
    {NB_POST, "^/api/accounts/login/?$", danube_login, login_in, NB_CAP_PUBLIC, NULL},
    {NB_GET, "^/api/accounts/logout/?$", danube_logout, NULL, NB_CAP_USER, "logs out"},
};

static const char *const danube_mounts[] = {"/api/vm/", "/api/accounts/", NULL};

static const struct nb_credential_header danube_credential_headers[] = {
    {"Authorization", "Token"},
    {NULL, NULL},
};

const struct nb_dialect danube_dialect = {
    .name = "danube",
    .mounts = danube_mounts,
    NB_ROUTES(danube_routes),
    .render_error = danube_error,
    .no_credential = "Authentication credentials were not provided.",
    .bad_credential = "Invalid token.",
    .login = "/api/accounts/login/",
    .credential_kind = "danube",
    .credential_headers = danube_credential_headers,
    .edge_error = "{\"detail\": \"$nimbus_error_message\"}",
};
