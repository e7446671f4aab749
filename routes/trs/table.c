/* TRS's route table: the Keystone v3 token endpoints its clients log in with. */
#include "routes/dialects.h"
#include "routes/trs/trs.h"

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

static const struct nb_route trs_routes[] = {
    {NB_POST, "^/v3/auth/tokens/?$", keystone_tokens_create, tokens_in, NB_CAP_PUBLIC, NULL},
    {NB_GET, "^/v3/auth/tokens/?$", keystone_tokens_validate, NULL, NB_CAP_USER, NULL},
    {NB_DELETE, "^/v3/auth/tokens/?$", keystone_tokens_revoke, NULL, NB_CAP_USER, "revokes a token"},
};

static const char *const trs_mounts[] = {"/v1/", "/v3/", NULL};

const struct nb_dialect trs_dialect = {
    "trs", trs_mounts, NB_ROUTES(trs_routes), trs_error,
    "The request you have made requires authentication.",
    "The request you have made requires authentication.", false, NULL,
};
