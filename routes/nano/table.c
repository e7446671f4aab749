/* Nano's route table. The real frontend accepts paths with and without the trailing slash. */
#include "routes/dialects.h"
#include "routes/nano/nano.h"

static const struct nb_field session_in[] = {
    {"user", NB_T_STRING, true, 0, NULL},
    {"password", NB_T_STRING, true, 1024, NULL},
    {"nonce", NB_T_STRING, false, 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_route nano_routes[] = {
    {NB_POST, "^/api/v1/sessions/?$", nano_session_create, session_in, NB_PERM_PUBLIC},
    {NB_GET, "^/api/v1/sessions/([^/]+)/?$", nano_session_get, NULL, NB_PERM_USER},
    {NB_PUT, "^/api/v1/sessions/([^/]+)/?$", nano_session_keep, NULL, NB_PERM_USER},
    {NB_DELETE, "^/api/v1/sessions/([^/]+)/?$", nano_session_delete, NULL, NB_PERM_USER},
};

static const char *const nano_mounts[] = {"/api/v1/", NULL};

const struct nb_dialect nano_dialect = {
    "nano", nano_mounts, NB_ROUTES(nano_routes), nano_error,
    "unauthenticated request", "invalid session",
};
