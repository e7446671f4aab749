/* Unit tests for the dialect descriptors (routes/dialects.c), the credential headers they name
 * (app/auth.c, nb_auth_credential) and what is printed from them (app/dialect_export.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "app/auth.h"
#include "app/dialect_export.h"
#include "app/router.h"
#include "routes/dialects.h"

/* Headers of the request under test, as FastCGI parameters: name, value, ..., NULL. */
static const char *const *headers;

static const char *
param(struct nb_req *r, const char *name)
{
    (void)r;
    for (const char *const *h = headers; h != NULL && h[0] != NULL; h += 2)
        if (strcmp(h[0], name) == 0)
            return h[1];
    return NULL;
}

static const char *
credential_of(const char *const *h)
{
    struct nb_req r = {.param = param};

    headers = h;
    return nb_auth_credential(&r);
}

static void
test_each_credential_header_yields_the_token(void **state)
{
    (void)state;
    assert_string_equal(credential_of((const char *const[]){"HTTP_NANO_SESSION", "n1", NULL}),
                        "n1");
    assert_string_equal(credential_of((const char *const[]){"HTTP_X_AUTH_TOKEN", "x1", NULL}),
                        "x1");
    assert_string_equal(
        credential_of((const char *const[]){"HTTP_AUTHORIZATION", "Token t1", NULL}), "t1");
    assert_string_equal(
        credential_of((const char *const[]){"HTTP_AUTHORIZATION", "Bearer b1", NULL}), "b1");
}

static void
test_bare_headers_win_over_authorization_and_nano_session_first(void **state)
{
    (void)state;
    assert_string_equal(
        credential_of((const char *const[]){"HTTP_AUTHORIZATION", "Token t", "HTTP_X_AUTH_TOKEN",
                                            "x", "HTTP_NANO_SESSION", "n", NULL}),
        "n");
    assert_string_equal(credential_of((const char *const[]){"HTTP_AUTHORIZATION", "Token t",
                                                            "HTTP_X_AUTH_TOKEN", "x", NULL}),
                        "x");
}

static void
test_unknown_scheme_is_an_empty_credential_and_no_header_none(void **state)
{
    (void)state;
    assert_string_equal(
        credential_of((const char *const[]){"HTTP_AUTHORIZATION", "Basic YWI6Yw==", NULL}), "");
    assert_string_equal(credential_of((const char *const[]){"HTTP_AUTHORIZATION", "Tokenx", NULL}),
                        "");
    assert_null(credential_of((const char *const[]){"HTTP_X_OTHER", "v", NULL}));
}

static bool
mounted(const struct nb_dialect *d, const char *path)
{
    for (const char *const *m = d->mounts; *m != NULL; m++)
        if (strncmp(path, *m, strlen(*m)) == 0)
            return true;
    return false;
}

/* What the generators rely on: names unique, a log-in under the dialect's own mounts with a
 * credential kind, a header to present it in, and nginx templates nginx can quote. */
static void
test_descriptors_are_complete(void **state)
{
    size_t n = 0;

    (void)state;
    for (const struct nb_dialect *const *d = nb_dialects; *d != NULL; d++, n++) {
        assert_non_null((*d)->name);
        assert_non_null((*d)->mounts[0]);
        assert_non_null((*d)->render_error);
        assert_non_null((*d)->edge_error);
        assert_null(strchr((*d)->edge_error, '\''));
        for (const struct nb_dialect *const *e = nb_dialects; e != d; e++)
            assert_string_not_equal((*e)->name, (*d)->name);
        if ((*d)->login == NULL)
            continue;
        assert_true(mounted(*d, (*d)->login));
        assert_non_null((*d)->credential_kind);
        assert_non_null((*d)->credential_headers);
        assert_non_null((*d)->credential_headers[0].name);
    }
    assert_int_equal(n, 7);
}

/* The text printed for one part of nginx's configuration. */
static char *
nginx_part(const char *part, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    *rc = nb_dialect_print_nginx(f, part);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void
test_nginx_logins_are_one_escaped_alternation(void **state)
{
    int rc;
    char *s = nginx_part("logins", &rc);

    (void)state;
    assert_int_equal(rc, 0);
    assert_string_equal(s, "api/v1/sessions|api-auth/password|identity/v2\\.0/tokens|"
                           "v3/auth/tokens|api/accounts/login\n");
    free(s);
}

static void
test_nginx_mounts_map_every_prefix_to_its_dialect(void **state)
{
    int rc;
    char *s = nginx_part("mounts", &rc);

    (void)state;
    assert_int_equal(rc, 0);
    assert_non_null(strstr(s, "~^/_nimbus_error/account/v1\\.0/                   astakos;\n"));
    assert_non_null(strstr(s, "~^/_nimbus_error/monitor_channels/                nano;\n"));
    assert_non_null(strstr(s, "~^/_nimbus_error/healthz                          ops;\n"));
    free(s);
    s = nginx_part("bodies", &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(s, "waldur   '{\"detail\": \"$nimbus_error_message\"}';\n"));
    free(s);
    s = nginx_part("menu", &rc);
    assert_int_equal(rc, -1);
    free(s);
}

static void
test_json_lists_every_dialect_with_its_routes(void **state)
{
    char *buf = NULL;
    size_t len = 0, routes = 0;
    FILE *f = open_memstream(&buf, &len);
    struct json_object *a, *nano;

    (void)state;
    assert_int_equal(nb_dialect_print_json(f), 0);
    assert_int_equal(fclose(f), 0);
    a = json_tokener_parse(buf);
    assert_non_null(a);
    assert_int_equal(json_object_array_length(a), 7);
    for (size_t i = 0; i < json_object_array_length(a); i++)
        routes += json_object_array_length(
            json_object_object_get(json_object_array_get_idx(a, i), "routes"));
    for (size_t i = 0; nb_dialects[i] != NULL; i++)
        routes -= nb_dialects[i]->nroutes;
    assert_int_equal(routes, 0);
    nano = json_object_array_get_idx(a, 1);
    assert_string_equal(json_object_get_string(json_object_object_get(nano, "login")),
                        "/api/v1/sessions/");
    assert_int_equal(json_object_get_int(json_object_object_get(nano, "credential_ttl")), 180);
    json_object_put(a);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_credential_header_yields_the_token),
        cmocka_unit_test(test_bare_headers_win_over_authorization_and_nano_session_first),
        cmocka_unit_test(test_unknown_scheme_is_an_empty_credential_and_no_header_none),
        cmocka_unit_test(test_descriptors_are_complete),
        cmocka_unit_test(test_nginx_logins_are_one_escaped_alternation),
        cmocka_unit_test(test_nginx_mounts_map_every_prefix_to_its_dialect),
        cmocka_unit_test(test_json_lists_every_dialect_with_its_routes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
