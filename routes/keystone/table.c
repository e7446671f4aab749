/* Keystone's route table: the v3 token endpoints (password method). */
#include "routes/dialects.h"
#include "routes/keystone/keystone.h"

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

static const struct nb_route keystone_routes[] = {
    {NB_POST, "^/v3/auth/tokens/?$", keystone_tokens_create, tokens_in, NB_CAP_PUBLIC, NULL},
    {NB_GET, "^/v3/auth/tokens/?$", keystone_tokens_validate, NULL, NB_CAP_USER, NULL},
    {NB_DELETE, "^/v3/auth/tokens/?$", keystone_tokens_revoke, NULL, NB_CAP_USER,
     "revokes a token"},
};

static const char *const keystone_mounts[] = {"/v3/", NULL};

static const struct nb_credential_header keystone_credential_headers[] = {
    {"X-Auth-Token", NULL},
    {"Authorization", "Bearer"},
    {NULL, NULL},
};

/* Keystone's titles for the statuses nginx answers itself. */
static const char keystone_edge_maps[] = "map $status $nimbus_error_title {\n"
                                         "    400     \"Bad Request\";\n"
                                         "    403     \"Forbidden\";\n"
                                         "    404     \"Not Found\";\n"
                                         "    405     \"Method Not Allowed\";\n"
                                         "    413     \"Request Entity Too Large\";\n"
                                         "    414     \"Request-URI Too Long\";\n"
                                         "    429     \"Too Many Requests\";\n"
                                         "    500     \"Internal Server Error\";\n"
                                         "    502     \"Bad Gateway\";\n"
                                         "    504     \"Gateway Timeout\";\n"
                                         "    default \"Service Unavailable\";\n"
                                         "}\n";

const struct nb_dialect keystone_dialect = {
    .name = "keystone",
    .mounts = keystone_mounts,
    NB_ROUTES(keystone_routes),
    .render_error = keystone_error,
    .no_credential = "The request you have made requires authentication.",
    .bad_credential = "The request you have made requires authentication.",
    .login = "/v3/auth/tokens",
    .credential_kind = "keystone",
    .credential_headers = keystone_credential_headers,
    .edge_error = "{\"error\": {\"code\": $status, \"title\": \"$nimbus_error_title\", "
                  "\"message\": \"$nimbus_error_message\"}}",
    .edge_maps = keystone_edge_maps,
};
