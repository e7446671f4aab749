/* Unit tests for each dialect's envelope (routes/<dialect>/envelope.c): what HTTP status, body
 * and headers an error of each status and reason produces, and that the neutral words the log
 * writes never carry a token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/request.h"
#include "routes/dialects.h"
#include "tests/unit/req_fixture.h"

/* Where the error arose: before routing, or on a route needing a user or none. */
enum where { BEFORE_ROUTE, USER_ROUTE, PUBLIC_ROUTE };

static const struct nb_route user_route = {NB_GET, "^/x$", NULL, NULL, NB_CAP_USER, NULL};
static const struct nb_route public_route = {NB_POST, "^/x$", NULL, NULL, NB_CAP_PUBLIC, NULL};

struct row {
    enum nb_status status;
    enum nb_reason reason;
    const char *field;
    struct nb_error_args arg;
    enum where where;
    int http;
    const char *body;
};

#define REQUIRED(f)                                                                                \
    NB_E_INVALID, NB_R_FIELD_REQUIRED, f,                                                          \
    {                                                                                              \
        0                                                                                          \
    }
#define DUPLICATE                                                                                  \
    NB_E_CONFLICT, NB_R_DUPLICATE, NULL,                                                           \
    {                                                                                              \
        .kind = "a user with that name already exists"                                             \
    }
#define MEDIA                                                                                      \
    NB_E_MEDIA_TYPE, NB_R_MEDIA_TYPE, NULL,                                                        \
    {                                                                                              \
        .id = "text/plain"                                                                         \
    }
#define METHOD                                                                                     \
    NB_E_METHOD, NB_R_METHOD, NULL,                                                                \
    {                                                                                              \
        .id = "PATCH"                                                                              \
    }
#define NO_ROUTE                                                                                   \
    NB_E_NOT_FOUND, NB_R_NO_ROUTE, NULL,                                                           \
    {                                                                                              \
        0                                                                                          \
    }
#define TOO_LARGE                                                                                  \
    NB_E_TOO_LARGE, NB_R_TOO_LARGE, NULL,                                                          \
    {                                                                                              \
        .limit = 524288                                                                            \
    }
#define NO_CREDENTIAL                                                                              \
    NB_E_UNAUTHENTICATED, NB_R_NO_CREDENTIAL, NULL,                                                \
    {                                                                                              \
        0                                                                                          \
    }
#define BAD_CREDENTIAL                                                                             \
    NB_E_UNAUTHENTICATED, NB_R_BAD_CREDENTIAL, NULL,                                               \
    {                                                                                              \
        0                                                                                          \
    }
#define FORBIDDEN                                                                                  \
    NB_E_FORBIDDEN, NB_R_FORBIDDEN, NULL,                                                          \
    {                                                                                              \
        0                                                                                          \
    }
#define DB_DOWN                                                                                    \
    NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE, NULL,                                                   \
    {                                                                                              \
        0                                                                                          \
    }
#define INTERNAL                                                                                   \
    NB_E_INTERNAL, NB_R_INTERNAL, NULL,                                                            \
    {                                                                                              \
        0                                                                                          \
    }

static const struct row nano_rows[] = {
    {REQUIRED("name"), USER_ROUTE, 200,
     "{\"error_code\":500,\"message\":\"name: This field is required.\",\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_TOO_LONG,
     "name",
     {.limit = 255},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"name: Ensure this field has no more than 255 "
     "characters.\",\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_FIELD_TYPE,
     "cores",
     {.kind = "an integer"},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"cores: This field must be an integer.\",\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_UNKNOWN_FIELD,
     "colour",
     {0},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"colour: This field is not accepted.\",\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_FIELD_NULL,
     "name",
     {0},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"name: This field may not be null.\",\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_NOT_OBJECT,
     NULL,
     {.kind = "a number"},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"The body must be a JSON object, not a number.\","
     "\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_NOT_OBJECT,
     "creds",
     {.kind = "an array"},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"creds: This field must be a JSON object, not an "
     "array.\",\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_JSON_SYNTAX,
     NULL,
     {.id = "unexpected end of input"},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"JSON parse error - unexpected end of input\","
     "\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_JSON_NUL,
     NULL,
     {0},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"JSON parse error - strings and keys may not contain NUL "
     "(\\\\u0000)\",\"data\":\"\"}"},
    {MEDIA, USER_ROUTE, 200,
     "{\"error_code\":500,\"message\":\"Unsupported media type \\\"text/plain\\\" in "
     "request.\",\"data\":\"\"}"},
    {METHOD, BEFORE_ROUTE, 405,
     "{\"error_code\":500,\"message\":\"Method \\\"PATCH\\\" not allowed.\",\"data\":\"\"}"},
    {NO_ROUTE, BEFORE_ROUTE, 404, "{\"error_code\":500,\"message\":\"Not found.\",\"data\":\"\"}"},
    {TOO_LARGE, USER_ROUTE, 413,
     "{\"error_code\":500,\"message\":\"Request body is larger than 524288 bytes.\","
     "\"data\":\"\"}"},
    {DB_DOWN, USER_ROUTE, 503,
     "{\"error_code\":500,\"message\":\"database unavailable\",\"data\":\"\"}"},
    {NO_CREDENTIAL, USER_ROUTE, 200,
     "{\"error_code\":500,\"message\":\"unauthenticated request\",\"data\":\"\"}"},
    {BAD_CREDENTIAL, USER_ROUTE, 200,
     "{\"error_code\":500,\"message\":\"invalid session\",\"data\":\"\"}"},
    {NB_E_UNAUTHENTICATED,
     NB_R_LOGIN_FAILED,
     NULL,
     {.kind = "invalid user or password"},
     PUBLIC_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"invalid user or password\",\"data\":\"\"}"},
    {FORBIDDEN, USER_ROUTE, 200,
     "{\"error_code\":500,\"message\":\"You do not have permission to perform this action.\","
     "\"data\":\"\"}"},
    {NB_E_FORBIDDEN,
     NB_R_NO_GROUP,
     NULL,
     {.id = "bob"},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"user bob belongs to no user group\",\"data\":\"\"}"},
    {DUPLICATE, USER_ROUTE, 200,
     "{\"error_code\":500,\"message\":\"a user with that name already exists\",\"data\":\"\"}"},
    {NB_E_CONFLICT,
     NB_R_REFERENCED,
     NULL,
     {0},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"still referenced\",\"data\":\"\"}"},
    {NB_E_CONFLICT,
     NB_R_OVERLAP,
     NULL,
     {0},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"overlaps an existing range\",\"data\":\"\"}"},
    {NB_E_INVALID,
     NB_R_BAD_VALUE,
     NULL,
     {0},
     USER_ROUTE,
     200,
     "{\"error_code\":500,\"message\":\"invalid value\",\"data\":\"\"}"},
    {INTERNAL, USER_ROUTE, 200,
     "{\"error_code\":500,\"message\":\"internal error\",\"data\":\"\"}"},
    {INTERNAL, BEFORE_ROUTE, 500,
     "{\"error_code\":500,\"message\":\"internal error\",\"data\":\"\"}"},
};

static const struct row waldur_rows[] = {
    {REQUIRED("username"), PUBLIC_ROUTE, 400, "{\"username\":[\"This field is required.\"]}"},
    {NB_E_INVALID,
     NB_R_TOO_LONG,
     "password",
     {.limit = 1024},
     PUBLIC_ROUTE,
     400,
     "{\"password\":[\"Ensure this field has no more than 1024 characters.\"]}"},
    {NB_E_INVALID,
     NB_R_NOT_OBJECT,
     NULL,
     {.kind = "null"},
     PUBLIC_ROUTE,
     400,
     "{\"detail\":\"The body must be a JSON object, not null.\"}"},
    {NO_CREDENTIAL, USER_ROUTE, 401,
     "{\"detail\":\"Authentication credentials were not provided.\"}"},
    {BAD_CREDENTIAL, USER_ROUTE, 401, "{\"detail\":\"Invalid token.\"}"},
    {NB_E_UNAUTHENTICATED,
     NB_R_LOGIN_FAILED,
     NULL,
     {.kind = "Invalid username/password."},
     PUBLIC_ROUTE,
     401,
     "{\"detail\":\"Invalid username/password.\"}"},
    {FORBIDDEN, USER_ROUTE, 403,
     "{\"detail\":\"You do not have permission to perform this action.\"}"},
    {NO_ROUTE, BEFORE_ROUTE, 404, "{\"detail\":\"Not found.\"}"},
    {METHOD, BEFORE_ROUTE, 405, "{\"detail\":\"Method \\\"PATCH\\\" not allowed.\"}"},
    {DUPLICATE, USER_ROUTE, 409, "{\"detail\":\"a user with that name already exists\"}"},
    {TOO_LARGE, PUBLIC_ROUTE, 413, "{\"detail\":\"Request body is larger than 524288 bytes.\"}"},
    {MEDIA, PUBLIC_ROUTE, 415,
     "{\"detail\":\"Unsupported media type \\\"text/plain\\\" in request.\"}"},
    {INTERNAL, USER_ROUTE, 500, "{\"detail\":\"internal error\"}"},
    {DB_DOWN, USER_ROUTE, 503, "{\"detail\":\"database unavailable\"}"},
    {NB_E_INVALID, NB_R_MESSAGE, "cores", {0}, USER_ROUTE, 400, "{\"cores\":[\"free text\"]}"},
};

static const struct row danube_rows[] = {
    {REQUIRED("username"), PUBLIC_ROUTE, 400,
     "{\"detail\":{\"username\":[\"This field is required.\"]}}"},
    {NB_E_UNAUTHENTICATED,
     NB_R_LOGIN_FAILED,
     NULL,
     {.kind = "Unable to log in with provided credentials."},
     PUBLIC_ROUTE,
     400,
     "{\"detail\":\"Unable to log in with provided credentials.\"}"},
    {NO_CREDENTIAL, USER_ROUTE, 403,
     "{\"detail\":\"Authentication credentials were not provided.\"}"},
    {BAD_CREDENTIAL, USER_ROUTE, 403, "{\"detail\":\"Invalid token.\"}"},
    {FORBIDDEN, USER_ROUTE, 403,
     "{\"detail\":\"You do not have permission to perform this action.\"}"},
    {NO_ROUTE, BEFORE_ROUTE, 404, "{\"detail\":\"Not found.\"}"},
    {METHOD, BEFORE_ROUTE, 405, "{\"detail\":\"Method \\\"PATCH\\\" not allowed.\"}"},
    {MEDIA, PUBLIC_ROUTE, 415,
     "{\"detail\":\"Unsupported media type \\\"text/plain\\\" in request.\"}"},
    {DB_DOWN, USER_ROUTE, 503, "{\"detail\":\"database unavailable\"}"},
};

static const struct row astakos_rows[] = {
    {REQUIRED("username"), PUBLIC_ROUTE, 400,
     "{\"badRequest\":{\"code\":400,\"message\":\"username: This field is required.\","
     "\"details\":\"\"}}"},
    {MEDIA, PUBLIC_ROUTE, 400,
     "{\"badRequest\":{\"code\":400,\"message\":\"Unsupported media type \\\"text/plain\\\" in "
     "request.\",\"details\":\"\"}}"},
    {NO_CREDENTIAL, USER_ROUTE, 401,
     "{\"unauthorized\":{\"code\":401,\"message\":\"Access denied. No authentication token\","
     "\"details\":\"\"}}"},
    {BAD_CREDENTIAL, USER_ROUTE, 401,
     "{\"unauthorized\":{\"code\":401,\"message\":\"Invalid token\",\"details\":\"\"}}"},
    {NB_E_UNAUTHENTICATED,
     NB_R_LOGIN_FAILED,
     NULL,
     {.kind = "Invalid credentials"},
     PUBLIC_ROUTE,
     401,
     "{\"unauthorized\":{\"code\":401,\"message\":\"Invalid credentials\",\"details\":\"\"}}"},
    {FORBIDDEN, USER_ROUTE, 403,
     "{\"forbidden\":{\"code\":403,\"message\":\"You do not have permission to perform this "
     "action.\",\"details\":\"\"}}"},
    {NO_ROUTE, BEFORE_ROUTE, 404,
     "{\"itemNotFound\":{\"code\":404,\"message\":\"Not found.\",\"details\":\"\"}}"},
    {METHOD, BEFORE_ROUTE, 405,
     "{\"notAllowed\":{\"code\":405,\"message\":\"Method \\\"PATCH\\\" not allowed.\","
     "\"details\":\"\"}}"},
    {DUPLICATE, USER_ROUTE, 409,
     "{\"conflict\":{\"code\":409,\"message\":\"a user with that name already exists\","
     "\"details\":\"\"}}"},
    {TOO_LARGE, PUBLIC_ROUTE, 413,
     "{\"overLimit\":{\"code\":413,\"message\":\"Request body is larger than 524288 bytes.\","
     "\"details\":\"\"}}"},
    {INTERNAL, USER_ROUTE, 500,
     "{\"internalServerError\":{\"code\":500,\"message\":\"internal error\",\"details\":\"\"}}"},
    {DB_DOWN, USER_ROUTE, 503,
     "{\"serviceUnavailable\":{\"code\":503,\"message\":\"database unavailable\","
     "\"details\":\"\"}}"},
};

static const struct row trs_rows[] = {
    {NO_ROUTE, BEFORE_ROUTE, 404,
     "{\"error\":{\"code\":1,\"data\":{},\"message\":\"Not found.\"}}"},
    {METHOD, BEFORE_ROUTE, 405,
     "{\"error\":{\"code\":1,\"data\":{},\"message\":\"Method \\\"PATCH\\\" not allowed.\"}}"},
    {REQUIRED("name"), USER_ROUTE, 400,
     "{\"error\":{\"code\":9,\"data\":{},\"message\":\"name: This field is required.\"}}"},
    {MEDIA, USER_ROUTE, 400,
     "{\"error\":{\"code\":9,\"data\":{},\"message\":\"Unsupported media type \\\"text/plain\\\" "
     "in request.\"}}"},
    {TOO_LARGE, USER_ROUTE, 400,
     "{\"error\":{\"code\":9,\"data\":{},\"message\":\"Request body is larger than 524288 "
     "bytes.\"}}"},
    {NO_CREDENTIAL, USER_ROUTE, 400,
     "{\"error\":{\"code\":6,\"data\":{},\"message\":\"The request you have made requires "
     "authentication.\"}}"},
    {FORBIDDEN, USER_ROUTE, 400,
     "{\"error\":{\"code\":1,\"data\":{},\"message\":\"You do not have permission to perform "
     "this action.\"}}"},
    {INTERNAL, USER_ROUTE, 400,
     "{\"error\":{\"code\":1,\"data\":{},\"message\":\"internal error\"}}"},
    {DB_DOWN, USER_ROUTE, 503,
     "{\"error\":{\"code\":1,\"data\":{},\"message\":\"database unavailable\"}}"},
};

static const struct row keystone_rows[] = {
    {REQUIRED("user"), PUBLIC_ROUTE, 400,
     "{\"error\":{\"code\":400,\"title\":\"Bad Request\",\"message\":\"user: This field is "
     "required.\"}}"},
    {NO_CREDENTIAL, USER_ROUTE, 401,
     "{\"error\":{\"code\":401,\"title\":\"Unauthorized\",\"message\":\"The request you have "
     "made requires authentication.\"}}"},
    {NB_E_UNAUTHENTICATED,
     NB_R_LOGIN_FAILED,
     NULL,
     {.kind = "The request you have made requires authentication."},
     PUBLIC_ROUTE,
     401,
     "{\"error\":{\"code\":401,\"title\":\"Unauthorized\",\"message\":\"The request you have "
     "made requires authentication.\"}}"},
    {FORBIDDEN, USER_ROUTE, 403,
     "{\"error\":{\"code\":403,\"title\":\"Forbidden\",\"message\":\"You do not have permission "
     "to perform this action.\"}}"},
    {NB_E_NOT_FOUND,
     NB_R_UNKNOWN_TOKEN,
     NULL,
     {.id = "0123abcd"},
     USER_ROUTE,
     404,
     "{\"error\":{\"code\":404,\"title\":\"Not Found\",\"message\":\"Could not find token: "
     "0123abcd\"}}"},
    {NB_E_NOT_FOUND,
     NB_R_UNKNOWN_TOKEN,
     NULL,
     {0},
     USER_ROUTE,
     404,
     "{\"error\":{\"code\":404,\"title\":\"Not Found\",\"message\":\"Could not find token.\"}}"},
    {NO_ROUTE, BEFORE_ROUTE, 404,
     "{\"error\":{\"code\":404,\"title\":\"Not Found\",\"message\":\"Not found.\"}}"},
    {METHOD, BEFORE_ROUTE, 405,
     "{\"error\":{\"code\":405,\"title\":\"Method Not Allowed\",\"message\":\"Method "
     "\\\"PATCH\\\" not allowed.\"}}"},
    {DUPLICATE, USER_ROUTE, 409,
     "{\"error\":{\"code\":409,\"title\":\"Conflict\",\"message\":\"a user with that name "
     "already exists\"}}"},
    {TOO_LARGE, PUBLIC_ROUTE, 413,
     "{\"error\":{\"code\":413,\"title\":\"Request Entity Too Large\",\"message\":\"Request body "
     "is larger than 524288 bytes.\"}}"},
    {MEDIA, PUBLIC_ROUTE, 415,
     "{\"error\":{\"code\":415,\"title\":\"Unsupported Media Type\",\"message\":\"Unsupported "
     "media type \\\"text/plain\\\" in request.\"}}"},
    {INTERNAL, USER_ROUTE, 500,
     "{\"error\":{\"code\":500,\"title\":\"Internal Server Error\",\"message\":\"internal "
     "error\"}}"},
    {DB_DOWN, USER_ROUTE, 503,
     "{\"error\":{\"code\":503,\"title\":\"Service Unavailable\",\"message\":\"database "
     "unavailable\"}}"},
};

static const char *
header(const struct nb_req *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* Records row's error as the dispatcher or a handler would, and renders it. */
static void
render(struct nb_req *r, const struct nb_dialect *d, const struct row *row)
{
    struct nb_arena *a = r->arena;

    nb_arena_reset(a);
    *r = (struct nb_req){.arena = a, .dialect = d, .scheme_host = "https://h:1"};
    r->route = row->where == USER_ROUTE     ? &user_route
               : row->where == PUBLIC_ROUTE ? &public_route
                                            : NULL;
    if (row->reason == NB_R_MESSAGE)
        nb_fail_field(r, row->status, row->field, "free text");
    else
        nb_fail_reason_at(r, "test", 1, row->status, row->reason, row->field, row->arg);
    d->render_error(r);
}

static void
check_rows(struct nb_req *r, const struct nb_dialect *d, const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *body;

        render(r, d, &rows[i]);
        body = json_object_to_json_string_ext(r->reply, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
        if (r->status != rows[i].http || strcmp(body, rows[i].body) != 0)
            fail_msg("%s row %zu (%s/%s): got %d %s, want %d %s", d->name, i,
                     nb_status_name[rows[i].status], nb_reason_name[rows[i].reason], r->status,
                     body, rows[i].http, rows[i].body);
    }
}

#define CHECK(d, rows) check_rows(*state, &(d), (rows), sizeof(rows) / sizeof((rows)[0]))

static void
nano_answers_http_200_but_before_a_handler(void **state)
{
    CHECK(nano_dialect, nano_rows);
}

static void
waldur_answers_as_drf(void **state)
{
    CHECK(waldur_dialect, waldur_rows);
}

static void
danube_nests_field_errors_and_refuses_with_403(void **state)
{
    CHECK(danube_dialect, danube_rows);
}

static void
astakos_names_its_faults(void **state)
{
    CHECK(astakos_dialect, astakos_rows);
}

static void
trs_answers_400_with_its_codes(void **state)
{
    CHECK(trs_dialect, trs_rows);
}

static void
keystone_titles_each_status(void **state)
{
    CHECK(keystone_dialect, keystone_rows);
}

/* The 401s of Waldur and Keystone say how to authenticate; the others add no header. */
static void
unauthenticated_headers(void **state)
{
    struct nb_req *r = *state;
    const struct row row = {NO_CREDENTIAL, USER_ROUTE, 0, NULL};

    render(r, &waldur_dialect, &row);
    assert_string_equal(header(r, "WWW-Authenticate"), "Token");
    render(r, &keystone_dialect, &row);
    assert_string_equal(header(r, "WWW-Authenticate"), "Keystone uri=\"https://h:1/v3\"");
    render(r, &astakos_dialect, &row);
    assert_null(header(r, "WWW-Authenticate"));
    render(r, &nano_dialect, &row);
    assert_null(header(r, "WWW-Authenticate"));
}

/* The token Keystone names back to its caller stays out of the words the log writes. */
static void
unknown_token_stays_out_of_the_log_words(void **state)
{
    struct nb_req *r = *state;
    const struct row row = {
        NB_E_NOT_FOUND, NB_R_UNKNOWN_TOKEN, NULL, {.id = "0123abcd"}, USER_ROUTE, 0, NULL};

    render(r, &keystone_dialect, &row);
    assert_null(strstr(r->err.message, "0123abcd"));
    assert_string_equal(r->err.message, "unknown token");
}

/* The first error sticks, whether recorded as text or as a reason. */
static void
first_error_sticks_across_both_recorders(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_fail_reason(r, NB_E_INVALID, NB_R_FIELD_REQUIRED, "name"), -1);
    assert_int_equal(nb_fail(r, NB_E_INTERNAL, "later"), -1);
    assert_int_equal(nb_fail_reason(r, NB_E_CONFLICT, NB_R_DUPLICATE, NULL, .kind = "x"), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
    assert_int_equal(r->err.reason, NB_R_FIELD_REQUIRED);
    assert_string_equal(r->err.field, "name");
}

/* Every reason has a name for the log. */
static void
every_reason_is_named(void **state)
{
    (void)state;
    for (int i = 0; i < NB_REASON__MAX; i++)
        assert_non_null(nb_reason_name[i]);
}

#define T(f) REQ_TEST(f)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(nano_answers_http_200_but_before_a_handler),
        T(waldur_answers_as_drf),
        T(danube_nests_field_errors_and_refuses_with_403),
        T(astakos_names_its_faults),
        T(trs_answers_400_with_its_codes),
        T(keystone_titles_each_status),
        T(unauthenticated_headers),
        T(unknown_token_stays_out_of_the_log_words),
        T(first_error_sticks_across_both_recorders),
        T(every_reason_is_named),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
