/* Unit tests for app/json_text.c: the text it writes is what json-c writes for the same tree. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/json_text.h"

#define FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const char *const strings[] = {
    "",
    "plain",
    "a/b",
    "quote \" and backslash \\",
    "tab\tnew\nline\rret\bback\fform",
    "\x01\x02\x1f control",
    "caf\xc3\xa9 \xe2\x82\xac",
    "end\\",
};

/* The document both ways: json-c's tree and the writer. */
static void
tree_strings(struct json_object *o)
{
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        json_object_object_add(o, strings[i], json_object_new_string(strings[i]));
}

static void
write_strings(struct nb_jw *w, const void *ctx)
{
    (void)ctx;
    nb_jw_open(w, NULL, '{');
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        nb_jw_string(w, strings[i], strings[i]);
    nb_jw_close(w, '}');
}

static void
assert_same_text(struct json_object *expected, struct json_object *written)
{
    char *want = strdup(json_object_to_json_string_ext(expected, FLAGS));

    assert_string_equal(json_object_to_json_string_ext(written, FLAGS), want);
    free(want);
    json_object_put(expected);
    json_object_put(written);
}

static void
test_strings_are_escaped_as_json_c_escapes_them(void **state)
{
    struct json_object *tree = json_object_new_object();

    (void)state;
    tree_strings(tree);
    assert_same_text(tree, nb_json_text(write_strings, NULL, 0));
}

static const double doubles[] = {0, 0.1, 12, -3.5, 1e21, 123.456, 1e-7, 100};

static void
write_numbers(struct nb_jw *w, const void *ctx)
{
    const int *n = ctx;

    nb_jw_open(w, NULL, '[');
    for (int i = 0; i < *n; i++)
        nb_jw_double(w, NULL, doubles[i]);
    nb_jw_raw(w, NULL, "-42");
    nb_jw_bool(w, NULL, true);
    nb_jw_bool(w, NULL, false);
    nb_jw_raw(w, NULL, "[1,2]");
    nb_jw_open(w, NULL, '[');
    nb_jw_close(w, ']');
    nb_jw_open(w, NULL, '{');
    nb_jw_close(w, '}');
    nb_jw_close(w, ']');
}

static void
test_numbers_booleans_raw_and_empty_containers_match_json_c(void **state)
{
    struct json_object *tree = json_object_new_array();
    int n = (int)(sizeof(doubles) / sizeof(doubles[0]));

    (void)state;
    for (int i = 0; i < n; i++)
        json_object_array_add(tree, json_object_new_double(doubles[i]));
    json_object_array_add(tree, json_object_new_int64(-42));
    json_object_array_add(tree, json_object_new_boolean(1));
    json_object_array_add(tree, json_object_new_boolean(0));
    json_object_array_add(tree, json_tokener_parse("[1,2]"));
    json_object_array_add(tree, json_object_new_array());
    json_object_array_add(tree, json_object_new_object());
    assert_same_text(tree, nb_json_text(write_numbers, &n, sizeof(n)));
}

static void
write_not_finite(struct nb_jw *w, const void *ctx)
{
    (void)ctx;
    nb_jw_open(w, NULL, '[');
    nb_jw_double(w, NULL, NAN);
    nb_jw_double(w, NULL, INFINITY);
    nb_jw_close(w, ']');
}

static void
test_a_number_that_is_not_finite_is_null(void **state)
{
    struct json_object *o = nb_json_text(write_not_finite, NULL, 0);

    (void)state;
    assert_string_equal(json_object_to_json_string_ext(o, FLAGS), "[null,null]");
    json_object_put(o);
}

struct person {
    const char *name;
    int depth;
};

static void
write_nested(struct nb_jw *w, const void *ctx)
{
    const struct person *p = ctx;

    nb_jw_open(w, NULL, '{');
    nb_jw_string(w, "name", p->name);
    for (int i = 0; i < p->depth; i++)
        nb_jw_open(w, "child", '{');
    nb_jw_raw(w, "leaf", "1");
    for (int i = 0; i < p->depth; i++)
        nb_jw_close(w, '}');
    nb_jw_open(w, "tags", '[');
    nb_jw_string(w, NULL, "a");
    nb_jw_string(w, NULL, "b");
    nb_jw_close(w, ']');
    nb_jw_close(w, '}');
}

/* The context is copied: the caller's may be gone by the time the reply is written. */
static struct json_object *
nested_from_a_dead_frame(void)
{
    struct person p = {"ann", 3};

    return nb_json_text(write_nested, &p, sizeof(p));
}

static void
test_a_deferred_value_nests_inside_a_json_c_tree_and_parses_back(void **state)
{
    struct json_object *envelope = json_object_new_object(), *back, *data, *v;

    (void)state;
    json_object_object_add(envelope, "error_code", json_object_new_int(0));
    json_object_object_add(envelope, "data", nested_from_a_dead_frame());
    json_object_object_add(envelope, "after", json_object_new_string("x"));
    back = json_tokener_parse(json_object_to_json_string_ext(envelope, FLAGS));
    assert_non_null(back);
    assert_true(json_object_object_get_ex(back, "data", &data));
    assert_true(json_object_object_get_ex(data, "name", &v));
    assert_string_equal(json_object_get_string(v), "ann");
    assert_true(json_object_object_get_ex(data, "child", &v));
    assert_true(json_object_object_get_ex(v, "child", &v));
    assert_true(json_object_object_get_ex(v, "child", &v));
    assert_true(json_object_object_get_ex(v, "leaf", &v));
    assert_int_equal(json_object_get_int(v), 1);
    assert_true(json_object_object_get_ex(data, "tags", &v));
    assert_int_equal(json_object_array_length(v), 2);
    assert_true(json_object_object_get_ex(back, "after", &v));
    json_object_put(back);
    json_object_put(envelope);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_are_escaped_as_json_c_escapes_them),
        cmocka_unit_test(test_numbers_booleans_raw_and_empty_containers_match_json_c),
        cmocka_unit_test(test_a_number_that_is_not_finite_is_null),
        cmocka_unit_test(test_a_deferred_value_nests_inside_a_json_c_tree_and_parses_back),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
