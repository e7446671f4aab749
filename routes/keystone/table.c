/* Keystone's route table: the v3 token endpoints (password method). */
#include "routes/dialects.h"
#include "routes/keystone/keystone.h"

static const struct nb_field user_in[] = {
    {"name", NB_T_STRING, false, 0, NULL},
    {"id", NB_T_STRING, false, 0, NULL},
    {"password", NB_T_STRING, true, 1024, NULL},
    {"domain", NB_T_OBJECT, false, 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_field password_in[] = {
    {"user", NB_T_OBJECT, true, 0, user_in},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_field identity_in[] = {
    {"methods", NB_T_ARRAY, true, 0, NULL},
    {"password", NB_T_OBJECT, false, 0, password_in},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_field auth_in[] = {
    {"identity", NB_T_OBJECT, true, 0, identity_in},
    {"scope", NB_T_ANY, false, 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_field tokens_in[] = {
    {"auth", NB_T_OBJECT, true, 0, auth_in},
    {NULL, 0, 0, 0, NULL},
};

static const struct nb_route keystone_routes[] = {
    {NB_POST, "^/v3/auth/tokens/?$", keystone_tokens_create, tokens_in, NB_PERM_PUBLIC, NULL},
    {NB_GET, "^/v3/auth/tokens/?$", keystone_tokens_validate, NULL, NB_PERM_USER, NULL},
    {NB_DELETE, "^/v3/auth/tokens/?$", keystone_tokens_revoke, NULL, NB_PERM_USER, "revokes a token"},
};

static const char *const keystone_mounts[] = {"/v3/", NULL};

const struct nb_dialect keystone_dialect = {
    .name = "keystone",
    .mounts = keystone_mounts,
    .routes = keystone_routes,
    .nroutes = sizeof(keystone_routes) / sizeof(keystone_routes[0]),
    .render_error = keystone_error,
    .no_credential = "The request you have made requires authentication.",
    .bad_credential = "The request you have made requires authentication.",
    .needs_group = false,
};
