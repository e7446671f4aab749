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
    "/api-auth/", "/api/ip-mappings/", "/api/stats/", "/api/customers/", "/api/projects/",
    "/api/project-groups/", NULL,
};

const struct nb_dialect waldur_dialect = {
    "waldur", waldur_mounts, NB_ROUTES(waldur_routes), waldur_error,
    "Authentication credentials were not provided.", "Invalid token.", false, NULL,
};
