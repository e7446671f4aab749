/* Unit tests for app/router.c (mounts, route rows, captures, 404/405, templates), the method
 * tables and the request id check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/router.h"
#include "routes/dialects.h"
#include "routes/nano/nano.h"
#include "tests/unit/req_fixture.h"

static int
init_router(void **state)
{
    (void)state;
    return nb_router_init();
}

/* The same request object, ready for another path (as a worker reuses its arena). */
static void
renew(struct nb_req *r)
{
    struct nb_arena *a = r->arena;

    nb_arena_reset(a);
    *r = (struct nb_req){.arena = a, .route_index = -1};
}

static int
match(struct nb_req *r, enum nb_method method, const char *name, const char *path)
{
    r->method = method;
    r->method_name = name;
    r->path = path;
    return nb_router_match(r);
}

/* A successful match names a route of r->dialect whose global number leads back to it. */
static void
assert_matched(struct nb_req *r, const struct nb_dialect *dialect, nb_handler handler)
{
    const struct nb_dialect *d = NULL;

    assert_int_equal(r->err.status, NB_OK);
    assert_ptr_equal(r->dialect, dialect);
    assert_non_null(r->route);
    assert_non_null(r->route->handler);
    if (handler != NULL)
        assert_ptr_equal(r->route->handler, handler);
    assert_true(r->route->methods & r->method);
    assert_true(r->route >= dialect->routes && r->route < dialect->routes + dialect->nroutes);
    assert_true(r->route_index >= 0);
    assert_ptr_equal(nb_router_route((size_t)r->route_index, &d), r->route);
    assert_ptr_equal(d, dialect);
}

static void
sessions_post_is_nano(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_POST, "POST", "/api/v1/sessions/"), 0);
    assert_string_equal(r->dialect->name, "nano");
    assert_matched(r, &nano_dialect, nano_session_create);
    assert_non_null(r->route->body);
    assert_null(r->capture[0]);
}

static void
sessions_post_without_slash(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_POST, "POST", "/api/v1/sessions"), 0);
    assert_matched(r, &nano_dialect, nano_session_create);
}

static void
session_get_captures_id(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_GET, "GET", "/api/v1/sessions/abc"), 0);
    assert_matched(r, &nano_dialect, nano_session_get);
    assert_string_equal(r->capture[0], "abc");
    assert_null(r->capture[1]);
}

static void
session_get_captures_id_with_slash(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_GET, "GET", "/api/v1/sessions/abc/"), 0);
    assert_matched(r, &nano_dialect, nano_session_get);
    assert_string_equal(r->capture[0], "abc");
}

static void
session_put_and_delete_pick_their_rows(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_PUT, "PUT", "/api/v1/sessions/s1"), 0);
    assert_matched(r, &nano_dialect, nano_session_keep);
    assert_string_equal(r->capture[0], "s1");
    renew(r);
    assert_int_equal(match(r, NB_DELETE, "DELETE", "/api/v1/sessions/s2/"), 0);
    assert_matched(r, &nano_dialect, nano_session_delete);
    assert_string_equal(r->capture[0], "s2");
}

static void
sessions_patch_not_allowed(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_PATCH, "PATCH", "/api/v1/sessions/"), -1);
    assert_int_equal(r->err.status, NB_E_METHOD);
    assert_ptr_equal(r->dialect, &nano_dialect);
    assert_null(r->route);
    assert_int_equal(r->allowed, NB_POST);
    assert_int_equal(r->err.reason, NB_R_METHOD);
    assert_string_equal(r->err.arg.id, "PATCH");
}

static void
session_id_post_allows_the_other_three(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_POST, "POST", "/api/v1/sessions/abc"), -1);
    assert_int_equal(r->err.status, NB_E_METHOD);
    assert_int_equal(r->allowed, NB_GET | NB_PUT | NB_DELETE);
    assert_string_equal(nb_method_list(r, r->allowed), "GET, PUT, DELETE");
}

static void
unknown_nano_path(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_GET, "GET", "/api/v1/nope"), -1);
    assert_int_equal(r->err.status, NB_E_NOT_FOUND);
    assert_ptr_equal(r->dialect, &nano_dialect);
    assert_string_equal(r->dialect->name, "nano");
    assert_null(r->route);
    assert_int_equal(r->allowed, 0);
    assert_int_equal(r->route_index, -1);
}

static void
too_deep_nano_path(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_GET, "GET", "/api/v1/sessions/abc/def"), -1);
    assert_int_equal(r->err.status, NB_E_NOT_FOUND);
    assert_ptr_equal(r->dialect, &nano_dialect);
}

static void
unmounted_path(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_GET, "GET", "/nothing"), -1);
    assert_int_equal(r->err.status, NB_E_NOT_FOUND);
    assert_null(r->dialect);
    assert_null(r->route);
}

static void
patterns_are_anchored_at_both_ends(void **state)
{
    struct nb_req *r = *state;

    /* "$" must not match before a final newline (PCRE2_DOLLAR_ENDONLY). */
    assert_int_equal(match(r, NB_GET, "GET", "/healthz\n"), -1);
    assert_int_equal(r->err.status, NB_E_NOT_FOUND);
    assert_ptr_equal(r->dialect, &nb_ops_dialect);
    renew(r);
    assert_int_equal(match(r, NB_GET, "GET", "/healthzz"), -1);
    assert_int_equal(r->err.status, NB_E_NOT_FOUND);
}

static void
each_dialect_is_reached(void **state)
{
    static const struct {
        enum nb_method method;
        const char *method_name, *path, *dialect;
    } cases[] = {
        {NB_POST, "POST", "/api-auth/password/", "waldur"},
        {NB_POST, "POST", "/identity/v2.0/tokens", "astakos"},
        {NB_POST, "POST", "/v3/auth/tokens", "keystone"},
        {NB_GET, "GET", "/v3/auth/tokens", "keystone"},
        {NB_DELETE, "DELETE", "/v3/auth/tokens/", "keystone"},
        {NB_POST, "POST", "/api/accounts/login/", "danube"},
        {NB_GET, "GET", "/api/accounts/logout", "danube"},
        {NB_GET, "GET", "/healthz", "ops"},
        {NB_GET, "GET", "/metrics", "ops"},
    };

    struct nb_req *r = *state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        renew(r);
        if (match(r, cases[i].method, cases[i].method_name, cases[i].path) != 0)
            fail_msg("%s %s: %s", cases[i].method_name, cases[i].path, r->err.message);
        assert_non_null(r->dialect);
        assert_string_equal(r->dialect->name, cases[i].dialect);
        assert_matched(r, r->dialect, NULL);
    }
}

static void
trs_and_keystone_are_two_dialects(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_GET, "GET", "/v1/projects"), -1);
    assert_int_equal(r->err.status, NB_E_NOT_FOUND);
    assert_int_equal(r->err.reason, NB_R_NO_ROUTE);
    assert_ptr_equal(r->dialect, &trs_dialect);
    renew(r);
    assert_int_equal(match(r, NB_GET, "GET", "/v3/projects"), -1);
    assert_ptr_equal(r->dialect, &keystone_dialect);
}

/* A session id in the path never reaches a log line, whether the path matched or not. */
static void
log_path_hides_credentials(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_GET, "GET", "/api/v1/sessions/0123abcd"), 0);
    assert_string_equal(nb_router_log_path(r), "/api/v1/sessions/{session}");
    renew(r);
    assert_int_equal(match(r, NB_GET, "GET", "/api/v1/sessions/0123abcd/more"), -1);
    assert_string_equal(nb_router_log_path(r), "/api/v1/sessions/{session}");
    renew(r);
    assert_int_equal(match(r, NB_POST, "POST", "/api/v1/sessions/"), 0);
    assert_string_equal(nb_router_log_path(r), "/api/v1/sessions/");
    renew(r);
    assert_int_equal(match(r, NB_GET, "GET", "/api/v1/users/bob"), 0);
    assert_string_equal(nb_router_log_path(r), "/api/v1/users/bob");
}

static void
astakos_dot_is_literal(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(match(r, NB_POST, "POST", "/identity/v2.0/tokensX"), -1);
    assert_int_equal(r->err.status, NB_E_NOT_FOUND);
    assert_ptr_equal(r->dialect, &astakos_dialect);
}

static void
count_is_sum_of_tables(void **state)
{
    size_t sum = 0, ndialects = 0;
    const struct nb_dialect *d = NULL;

    (void)state;
    for (; nb_dialects[ndialects] != NULL; ndialects++)
        sum += nb_dialects[ndialects]->nroutes;
    assert_int_equal(ndialects, 7); /* ops and six dialects */
    assert_int_equal(nb_router_count(), sum);
    assert_true(sum > 0);
    /* The global numbering walks every row of every dialect in order. */
    for (size_t g = 0, di = 0, i = 0; g < sum; g++, i++) {
        while (i >= nb_dialects[di]->nroutes) {
            di++;
            i = 0;
        }
        assert_ptr_equal(nb_router_route(g, &d), &nb_dialects[di]->routes[i]);
        assert_ptr_equal(d, nb_dialects[di]);
    }
    assert_null(nb_router_route(sum, &d));
}

static void
method_parse_and_list_round_trip(void **state)
{
    static const struct {
        unsigned bit;
        const char *name;
    } all[] = {
        {NB_GET, "GET"},       {NB_POST, "POST"},   {NB_PUT, "PUT"},
        {NB_DELETE, "DELETE"}, {NB_PATCH, "PATCH"},
    };
    struct nb_req *r = *state;

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        assert_int_equal(nb_method_parse(all[i].name), all[i].bit);
        assert_string_equal(nb_method_list(r, all[i].bit), all[i].name);
        assert_int_equal(nb_method_parse(nb_method_list(r, all[i].bit)), all[i].bit);
    }
    assert_string_equal(nb_method_list(r, NB_GET | NB_POST | NB_PUT | NB_DELETE | NB_PATCH),
                        "GET, POST, PUT, DELETE, PATCH");
    assert_string_equal(nb_method_list(r, NB_PATCH | NB_GET), "GET, PATCH");
    assert_string_equal(nb_method_list(r, 0), "");
    assert_int_equal(nb_method_parse("get"), 0);
    assert_int_equal(nb_method_parse("HEAD"), 0);
    assert_int_equal(nb_method_parse(""), 0);
    assert_int_equal(nb_method_parse("GETX"), 0);
}

/* Metrics name routes by template; the template is derived from the pattern. */
static void
templates_name_their_captures(void **state)
{
    static const struct {
        const char *pattern, *template;
    } cases[] = {
        {"^/api/v1/users/(?<user>[^/]+)/?$", "/api/v1/users/{user}"},
        {"^/api/v1/users/?$", "/api/v1/users"},
        {"^/identity/v2\\.0/tokens/?$", "/identity/v2.0/tokens"},
        {"^/healthz$", "/healthz"},
        {"^/a/(?<p>[^/]+)/(?<c>[^/()]+)/x/?$", "/a/{p}/{c}/x"},
    };
    /* An unnamed group, alternatives, classes or repeats would put a regex into a label. */
    static const char *const refused[] = {
        "^/a/([^/]+)/?$",  "^/a|/b$", "^/a/[0-9]$",  "^/a/.*$",
        "^/a/(?<x>[^/]+$", "^/a+$",   "^/a/(?<>b)$", "^/a\"b$",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *t = nb_router_template(cases[i].pattern);

        assert_non_null(t);
        assert_string_equal(t, cases[i].template);
        free(t);
    }
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (nb_router_template(refused[i]) != NULL)
            fail_msg("%s has a template", refused[i]);
}

static void
every_route_has_a_template_of_its_own(void **state)
{
    struct nb_req *r = *state;
    size_t n = nb_router_count();
    const struct nb_dialect *d = NULL, *e = NULL;

    assert_null(nb_router_route_template(n));
    assert_int_equal(match(r, NB_PUT, "PUT", "/api/v1/users/bob/password/"), 0);
    assert_string_equal(nb_router_route_template((size_t)r->route_index),
                        "/api/v1/users/{user}/password");
    /* No two rows that share a method share a template: each (route, method) is one series. */
    for (size_t i = 0; i < n; i++) {
        const struct nb_route *a = nb_router_route(i, &d);
        const char *ta = nb_router_route_template(i);

        assert_non_null(ta);
        assert_null(strpbrk(ta, "()[]?*+|^$\\\""));
        for (size_t j = i + 1; j < n; j++)
            if ((a->methods & nb_router_route(j, &e)->methods & ~NB_WAITS) != 0 &&
                strcmp(ta, nb_router_route_template(j)) == 0)
                fail_msg("%s rows %zu and %zu share a method", ta, i, j);
    }
}

static void
request_ids_are_short_tokens(void **state)
{
    char longest[NB_REQUEST_ID_MAX + 2];

    (void)state;
    memset(longest, 'a', sizeof(longest));
    longest[NB_REQUEST_ID_MAX] = '\0';
    assert_true(nb_request_id_ok(longest));
    longest[NB_REQUEST_ID_MAX] = 'a';
    longest[NB_REQUEST_ID_MAX + 1] = '\0';
    assert_false(nb_request_id_ok(longest));
    assert_true(nb_request_id_ok("0123456789abcdef0123456789abcdef"));
    assert_true(nb_request_id_ok("Trace-1.2:3_x"));
    assert_false(nb_request_id_ok(NULL));
    assert_false(nb_request_id_ok(""));
    assert_false(nb_request_id_ok("a b"));
    assert_false(nb_request_id_ok("a\"b"));
    assert_false(nb_request_id_ok("a\nb"));
    assert_false(nb_request_id_ok("a/b"));
    assert_false(nb_request_id_ok("caf\xc3\xa9"));
}

#define T(f) REQ_TEST(f)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(sessions_post_is_nano),
        T(sessions_post_without_slash),
        T(session_get_captures_id),
        T(session_get_captures_id_with_slash),
        T(session_put_and_delete_pick_their_rows),
        T(sessions_patch_not_allowed),
        T(session_id_post_allows_the_other_three),
        T(unknown_nano_path),
        T(too_deep_nano_path),
        T(unmounted_path),
        T(patterns_are_anchored_at_both_ends),
        T(each_dialect_is_reached),
        T(trs_and_keystone_are_two_dialects),
        T(log_path_hides_credentials),
        T(astakos_dot_is_literal),
        T(count_is_sum_of_tables),
        T(method_parse_and_list_round_trip),
        T(templates_name_their_captures),
        T(every_route_has_a_template_of_its_own),
        T(request_ids_are_short_tokens),
    };

    return cmocka_run_group_tests(tests, init_router, NULL);
}
