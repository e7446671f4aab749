/* TRS's route table: the Keystone v3 token endpoints its clients log in with. */
#include "routes/dialects.h"
#include "routes/trs/trs.h"

static const struct nb_field user_in[] = {
    NB_STRING("name", false, 0),
    NB_STRING("id", false, 0),
    NB_STRING("password", true, 1024),
    NB_OBJECT("domain", false, NULL),
    NB_FIELDS_END,
};

static const struct nb_field password_in[] = {
    NB_OBJECT("user", true, user_in),
    NB_FIELDS_END,
};

static const struct nb_field identity_in[] = {
    NB_ARRAY("methods", true),
    NB_OBJECT("password", false, password_in),
    NB_FIELDS_END,
};

static const struct nb_field auth_in[] = {
    NB_OBJECT("identity", true, identity_in),
    NB_ANY("scope", false),
    NB_FIELDS_END,
};

static const struct nb_field tokens_in[] = {
    NB_OBJECT("auth", true, auth_in),
    NB_FIELDS_END,
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
