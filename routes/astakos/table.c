/* Astakos's route table: the account API and its Keystone-v2 identity endpoint. */
#include <limits.h>

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

/* Commissions: provisions as astakos/api/quotas.py takes them (source null for a project's
 * own holding). */
static const struct nb_field provision_in[] = {
    NB_STRING("holder", true, 300),
    NB_STRING("source", false, 300),
    NB_STRING("resource", true, 255),
    NB_INT("quantity", true),
    NB_FIELDS_END,
};
static const struct nb_field provision_item = {.type = NB_T_OBJECT, .sub = provision_in};
static const struct nb_field serial_item = NB_INT(NULL, false);

static const struct nb_field commission_in[] = {
    {.name = "provisions", .type = NB_T_ARRAY, .required = true, .item = &provision_item},
    NB_BOOL("force", false),
    NB_BOOL("auto_accept", false),
    NB_STRING("name", false, 4096),
    NB_FIELDS_END,
};

static const struct nb_field commission_action_in[] = {
    NB_ANY("accept", false),
    NB_ANY("reject", false),
    NB_FIELDS_END,
};

static const struct nb_field commissions_action_in[] = {
    {.name = "accept", .type = NB_T_ARRAY, .item = &serial_item},
    {.name = "reject", .type = NB_T_ARRAY, .item = &serial_item},
    NB_FIELDS_END,
};

/* POST /projects and PUT /projects/<id>: what an application may say. Lengths are checked
 * in db/ with Astakos's own words; these bounds only keep bodies sane. */
static const struct nb_field project_in[] = {
    NB_STRING("name", false, 1024),
    NB_STRING("owner", false, 64),
    NB_STRING("homepage", false, 1024),
    NB_STRING("description", false, 8192),
    NB_STRING("comments", false, 8192),
    NB_STRING("start_date", false, 64),
    NB_STRING("end_date", false, 64),
    NB_STRING("join_policy", false, 32),
    NB_STRING("leave_policy", false, 32),
    NB_INT("max_members", false),
    NB_BOOL("private", false),
    NB_OBJECT("resources", false, NULL),
    NB_FIELDS_END,
};

static const struct nb_field project_action_data[] = {
    NB_STRING("reason", false, 4096),
    NB_ANY("app_id", false),
    NB_FIELDS_END,
};

static const struct nb_field project_action_in[] = {
    NB_OBJECT("suspend", false, project_action_data),
    NB_OBJECT("unsuspend", false, project_action_data),
    NB_OBJECT("terminate", false, project_action_data),
    NB_OBJECT("reinstate", false, project_action_data),
    NB_OBJECT("approve", false, project_action_data),
    NB_OBJECT("deny", false, project_action_data),
    NB_OBJECT("dismiss", false, project_action_data),
    NB_OBJECT("cancel", false, project_action_data),
    NB_FIELDS_END,
};

static const struct nb_field join_in[] = {
    NB_STRING("project", true, 64),
    NB_FIELDS_END,
};

static const struct nb_field enroll_in[] = {
    NB_STRING("project", true, 64),
    NB_STRING("user", true, 255),
    NB_FIELDS_END,
};

static const struct nb_field membership_in[] = {
    NB_OBJECT("join", false, join_in),
    NB_OBJECT("enroll", false, enroll_in),
    NB_FIELDS_END,
};

/* {"<action>": "reason"}: the reason may also be null. */
static const struct nb_field membership_action_in[] = {
    NB_ANY("leave", false),  NB_ANY("cancel", false), NB_ANY("accept", false),
    NB_ANY("reject", false), NB_ANY("remove", false), NB_FIELDS_END,
};

/* Query strings: the filters and paging of the two lists (nb_query_text). Limits and markers
 * are checked here; what a uuid or a state must be, db/ decides. */
static const struct nb_field project_list_query[] = {
    NB_STRING("state", false, 0),
    NB_STRING("owner", false, 0),
    NB_STRING("name", false, 0),
    NB_STRING("mode", false, 0), /* member | default, refused in Astakos's words by the handler */
    NB_STRING("marker", false, 0),
    NB_INT_RANGE("limit", false, 1, INT_MAX, "must be a positive integer"),
    NB_FIELDS_END,
};

static const struct nb_field membership_list_query[] = {
    NB_STRING("project", false, 0),
    NB_INT_RANGE("marker", false, 0, LLONG_MAX, "must be a membership id"),
    NB_INT_RANGE("limit", false, 1, INT_MAX, "must be a positive integer"),
    NB_FIELDS_END,
};

#define ACCOUNT "^/account/v1\\.0"

/* Comma-separated uuids (dashed or 32 hex digits): about a hundred fit. */
#define UUID_LIST_MAX 4096

static const struct nb_field service_quotas_query[] = {
    NB_STRING("user", false, UUID_LIST_MAX),
    NB_STRING("project", false, UUID_LIST_MAX),
    NB_FIELDS_END,
};

static const struct nb_field service_project_quotas_query[] = {
    NB_STRING("project", false, UUID_LIST_MAX),
    NB_FIELDS_END,
};

/* Memberships before /projects/<id>, which would take "memberships" for a project id. Every
 * project and membership handler audits its own change, in its own transaction (db/). */
static const struct nb_route astakos_routes[] = {
    {NB_POST, "^/identity/v2\\.0/tokens/?$", astakos_tokens_create, tokens_in, NB_CAP_PUBLIC, NULL},
    {NB_GET, "^/account/v1\\.0/projects/memberships/?$", astakos_membership_list, NULL, NB_CAP_USER,
     NULL, membership_list_query},
    {NB_POST, "^/account/v1\\.0/projects/memberships/?$", astakos_membership_create, membership_in,
     NB_CAP_USER, NULL},
    {NB_GET, "^/account/v1\\.0/projects/memberships/(?<membership_id>[^/]+)/?$",
     astakos_membership_get, NULL, NB_CAP_USER, NULL},
    {NB_POST, "^/account/v1\\.0/projects/memberships/(?<membership_id>[^/]+)/action/?$",
     astakos_membership_action, membership_action_in, NB_CAP_USER, NULL},
    {NB_GET, "^/account/v1\\.0/projects/?$", astakos_project_list, NULL, NB_CAP_USER, NULL,
     project_list_query},
    {NB_POST, "^/account/v1\\.0/projects/?$", astakos_project_create, project_in, NB_CAP_USER,
     NULL},
    {NB_GET, "^/account/v1\\.0/projects/(?<project_id>[^/]+)/?$", astakos_project_get, NULL,
     NB_CAP_USER, NULL},
    {NB_PUT, "^/account/v1\\.0/projects/(?<project_id>[^/]+)/?$", astakos_project_modify,
     project_in, NB_CAP_USER, NULL},
    {NB_POST, "^/account/v1\\.0/projects/(?<project_id>[^/]+)/action/?$", astakos_project_action,
     project_action_in, NB_CAP_USER, NULL},
    {NB_GET, ACCOUNT "/quotas/?$", astakos_quotas_get, NULL, NB_CAP_USER, NULL},
    {NB_GET, ACCOUNT "/service_quotas/?$", astakos_service_quotas_get, NULL, NB_CAP_SERVICE, NULL,
     service_quotas_query},
    {NB_GET, ACCOUNT "/service_project_quotas/?$", astakos_service_project_quotas_get, NULL,
     NB_CAP_SERVICE, NULL, service_project_quotas_query},
    {NB_GET, ACCOUNT "/resources/?$", astakos_resources_get, NULL, NB_CAP_PUBLIC, NULL},
    {NB_GET, ACCOUNT "/commissions/?$", astakos_commission_list, NULL, NB_CAP_SERVICE, NULL},
    {NB_POST, ACCOUNT "/commissions/?$", astakos_commission_create, commission_in, NB_CAP_SERVICE,
     "issues a commission"},
    {NB_POST, ACCOUNT "/commissions/action/?$", astakos_commissions_resolve, commissions_action_in,
     NB_CAP_SERVICE, "resolves commissions"},
    {NB_GET, ACCOUNT "/commissions/(?<serial>[^/]+)/?$", astakos_commission_get, NULL,
     NB_CAP_SERVICE, NULL},
    {NB_POST, ACCOUNT "/commissions/(?<serial>[^/]+)/action/?$", astakos_commission_action,
     commission_action_in, NB_CAP_SERVICE, "resolves commission {1}"},
};

static const char *const astakos_mounts[] = {"/account/v1.0/", "/identity/v2.0/", NULL};

static const struct nb_credential_header astakos_credential_headers[] = {
    {"X-Auth-Token", NULL},
    {NULL, NULL},
};

/* Astakos names its faults after the status (routes/astakos/envelope.c). */
static const char astakos_edge_maps[] = "map $status $nimbus_error_astakos {\n"
                                        "    400     badRequest;\n"
                                        "    403     forbidden;\n"
                                        "    404     itemNotFound;\n"
                                        "    405     notAllowed;\n"
                                        "    413     overLimit;\n"
                                        "    429     overLimit;\n"
                                        "    500     internalServerError;\n"
                                        "    default serviceUnavailable;\n"
                                        "}\n";

const struct nb_dialect astakos_dialect = {
    .name = "astakos",
    .mounts = astakos_mounts,
    NB_ROUTES(astakos_routes),
    .render_error = astakos_error,
    .no_credential = "Access denied. No authentication token",
    .bad_credential = "Invalid token",
    .login = "/identity/v2.0/tokens",
    .credential_kind = "astakos",
    .credential_headers = astakos_credential_headers,
    .edge_error = "{\"$nimbus_error_astakos\": {\"code\": $status, \"message\": "
                  "\"$nimbus_error_message\", \"details\": \"\"}}",
    .edge_maps = astakos_edge_maps,
};
