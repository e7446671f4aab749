/* Unit tests for nb_body_parse and nb_body_check (app/request.c) and the first-error-sticks rule
 * of nb_fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/request.h"
#include "routes/drf.h"
#include "tests/unit/req_fixture.h"

/* What a DRF client reads for the recorded error: the checker records reasons, the dialects
 * word them. */
static const char *
drf_text(struct nb_req *r)
{
    static nb_wording *const words[] = {nb_drf_words, NULL};

    return nb_error_text(r, words);
}

static const struct nb_field creds_in[] = {
    NB_STRING("username", true, 0),
    NB_STRING("password", true, 8),
    NB_FIELDS_END,
};

static const struct nb_field spec_in[] = {
    NB_STRING("name", true, 0),
    NB_INT("cores", false),
    NB_BOOL("running", false),
    NB_ARRAY("tags", false),
    NB_OBJECT("meta", false, NULL), /* any object */
    NB_ANY("extra", false),
    NB_STRING("note", false, 0),
    NB_OBJECT("creds", false, creds_in),
    NB_FIELDS_END,
};

static void
put_json(void *o)
{
    json_object_put(o);
}

/* Parses text into a JSON value released with the request's arena. */
static struct json_object *
json(struct nb_req *r, const char *text)
{
    struct json_object *o = json_tokener_parse(text);

    assert_non_null(o);
    nb_arena_defer(r->arena, put_json, o);
    return o;
}

/* Checks text against spec_in and expects the one recorded error. */
static void
expect_invalid(struct nb_req *r, const char *text, const char *field, const char *message)
{
    assert_int_equal(nb_body_check(r, json(r, text), spec_in, NULL), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
    if (field == NULL)
        assert_null(r->err.field);
    else
        assert_string_equal(r->err.field, field);
    assert_string_equal(drf_text(r), message);
}

static void
valid_body_passes(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_body_check(r,
                                   json(r, "{\"name\": \"vm1\", \"cores\": 2, \"running\": true,"
                                           " \"tags\": [1, \"a\"], \"meta\": {\"anything\": [1]},"
                                           " \"extra\": 1.5, \"creds\": {\"username\": \"u\","
                                           " \"password\": \"12345678\"}}"),
                                   spec_in, NULL),
                     0);
    assert_int_equal(r->err.status, NB_OK);
    assert_null(r->err.field);
}

static void
minimal_body_passes(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_body_check(r, json(r, "{\"name\": \"\"}"), spec_in, NULL), 0);
    assert_int_equal(r->err.status, NB_OK);
}

static void
required_missing(void **state)
{
    expect_invalid(*state, "{\"cores\": 1}", "name", "This field is required.");
}

static void
required_missing_from_empty(void **state)
{
    expect_invalid(*state, "{}", "name", "This field is required.");
}

static void
required_null(void **state)
{
    expect_invalid(*state, "{\"name\": null}", "name", "This field may not be null.");
}

static void
unknown_key_refused(void **state)
{
    expect_invalid(*state, "{\"name\": \"a\", \"bogus\": 1}", "bogus",
                   "This field is not accepted.");
}

static void
wrong_type_string(void **state)
{
    expect_invalid(*state, "{\"name\": 5}", "name", "This field must be a string.");
}

static void
wrong_type_int(void **state)
{
    expect_invalid(*state, "{\"name\": \"a\", \"cores\": \"2\"}", "cores",
                   "This field must be an integer.");
}

static void
wrong_type_bool(void **state)
{
    expect_invalid(*state, "{\"name\": \"a\", \"running\": 1}", "running",
                   "This field must be a boolean.");
}

static void
wrong_type_array(void **state)
{
    expect_invalid(*state, "{\"name\": \"a\", \"tags\": {}}", "tags",
                   "This field must be an array.");
}

static void
wrong_type_object(void **state)
{
    expect_invalid(*state, "{\"name\": \"a\", \"creds\": [\"u\"]}", "creds",
                   "This field must be an object.");
}

static void
top_level_not_object(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_body_check(r, json(r, "[1, 2]"), spec_in, "where"), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
    assert_string_equal(r->err.field, "where");
    assert_string_equal(drf_text(r), "This field must be a JSON object, not an array.");
}

/* nb_body_parse of text (as the body of an application/json request) against spec_in. */
static int
parse(struct nb_req *r, const char *text, size_t len)
{
    r->body = text;
    r->body_len = len;
    r->content_type = "application/json";
    return nb_body_parse(r, spec_in);
}

static void
expect_parse_refused(struct nb_req *r, const char *text, size_t len, const char *message)
{
    r->err = (struct nb_error){0}; /* several cases per test; the first error would stick */
    assert_int_equal(parse(r, text, len), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
    assert_null(r->err.field);
    assert_string_equal(drf_text(r), message);
}

#define REFUSED(text, message) expect_parse_refused(*state, text, sizeof(text) - 1, message)

static void
parse_accepts_an_object(void **state)
{
    struct nb_req *r = *state;
    static const char text[] = " {\"name\": \"a\\\\u0000b\", \"tags\": [\"\\\"\\\\\"]}\r\n";

    assert_int_equal(parse(r, text, sizeof(text) - 1), 0);
    assert_int_equal(r->err.status, NB_OK);
    /* An escaped backslash before "u0000" is text, not a NUL. */
    assert_string_equal(nb_json_get_string(r->json, "name"), "a\\u0000b");
}

static void
parse_refuses_null(void **state)
{
    REFUSED("null", "The body must be a JSON object, not null.");
}

static void
parse_refuses_a_number(void **state)
{
    REFUSED("123", "The body must be a JSON object, not a number.");
    REFUSED(" -1.5e3 ", "The body must be a JSON object, not a number.");
}

static void
parse_refuses_a_string_boolean_and_array(void **state)
{
    REFUSED("\"str\"", "The body must be a JSON object, not a string.");
    REFUSED("true", "The body must be a JSON object, not a boolean.");
    REFUSED("[]", "The body must be a JSON object, not an array.");
}

static void
parse_still_reports_truncated_documents(void **state)
{
    REFUSED("{\"name\": \"a\"", "JSON parse error - unexpected end of input");
    REFUSED("12e", "JSON parse error - unexpected end of input");
    REFUSED("nul", "JSON parse error - unexpected end of input");
}

#define NUL_REFUSED "JSON parse error - strings and keys may not contain NUL (\\u0000)"

static void
parse_refuses_nul_in_a_value(void **state)
{
    REFUSED("{\"name\": \"a\\u0000b\"}", NUL_REFUSED);
    REFUSED("{\"name\": \"\\u0000\"}", NUL_REFUSED);
    REFUSED("{\"name\": \"a\\\\\\u0000\"}", NUL_REFUSED); /* \\ then \u0000 */
}

static void
parse_refuses_nul_in_a_key(void **state)
{
    /* json-c would cut the key to "name" and the body would pass. */
    REFUSED("{\"name\\u0000x\": \"a\"}", NUL_REFUSED);
}

static void
parse_refuses_nul_in_nested_values_and_keys(void **state)
{
    REFUSED("{\"name\": \"a\", \"creds\": {\"username\": \"u\\u0000\", \"password\": \"p\"}}",
            NUL_REFUSED);
    REFUSED("{\"name\": \"a\", \"meta\": {\"k\": [{\"x\\u0000\": 1}]}}", NUL_REFUSED);
    REFUSED("{\"name\": \"a\", \"tags\": [\"ok\", [\"\\u0000\"]]}", NUL_REFUSED);
}

static void
parse_refuses_a_raw_nul(void **state)
{
    REFUSED("{\"name\": \"a\0b\"}", NUL_REFUSED);
    REFUSED("{\"name\": \"a\"}\0", NUL_REFUSED);
}

/* A JSON string of n 'x' characters for the "note" field (default bound). */
static char *
note_of(struct nb_req *r, size_t n)
{
    char *x = nb_arena_alloc(r->arena, n + 1);

    memset(x, 'x', n);
    return nb_arena_printf(r->arena, "{\"name\": \"a\", \"note\": \"%s\"}", x);
}

static void
string_default_max_accepts_255(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_body_check(r, json(r, note_of(r, 255)), spec_in, NULL), 0);
    assert_int_equal(r->err.status, NB_OK);
}

static void
string_default_max_refuses_256(void **state)
{
    struct nb_req *r = *state;

    expect_invalid(r, note_of(r, 256), "note",
                   "Ensure this field has no more than 255 characters.");
}

static void
string_custom_max(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_body_check(r,
                                   json(r, "{\"name\": \"a\", \"creds\": {\"username\": \"u\","
                                           " \"password\": \"12345678\"}}"),
                                   spec_in, NULL),
                     0);
    expect_invalid(
        r, "{\"name\": \"a\", \"creds\": {\"username\": \"u\", \"password\": \"123456789\"}}",
        "password", "Ensure this field has no more than 8 characters.");
}

static void
nested_required_missing(void **state)
{
    expect_invalid(*state, "{\"name\": \"a\", \"creds\": {\"password\": \"p\"}}", "username",
                   "This field is required.");
}

static void
nested_wrong_type(void **state)
{
    expect_invalid(*state, "{\"name\": \"a\", \"creds\": {\"username\": 7, \"password\": \"p\"}}",
                   "username", "This field must be a string.");
}

static void
nested_unknown_key(void **state)
{
    expect_invalid(*state,
                   "{\"name\": \"a\", \"creds\": {\"username\": \"u\", \"password\": \"p\","
                   " \"otp\": \"1\"}}",
                   "otp", "This field is not accepted.");
}

static void
optional_null_accepted(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_body_check(r,
                                   json(r, "{\"name\": \"a\", \"note\": null, \"cores\": null,"
                                           " \"creds\": null, \"extra\": null}"),
                                   spec_in, NULL),
                     0);
    assert_int_equal(r->err.status, NB_OK);
}

static void
first_error_sticks(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_fail(r, NB_E_CONFLICT, "first %d", 1), -1);
    assert_int_equal(nb_fail_field(r, NB_E_INVALID, "x", "second"), -1);
    assert_int_equal(r->err.status, NB_E_CONFLICT);
    assert_null(r->err.field);
    assert_string_equal(r->err.message, "first 1");
    assert_non_null(r->err.file);
    assert_true(r->err.line > 0);
    /* A failing check afterwards still returns -1 but leaves the first error in place. */
    assert_int_equal(nb_body_check(r, json(r, "{}"), spec_in, NULL), -1);
    assert_int_equal(r->err.status, NB_E_CONFLICT);
    assert_string_equal(r->err.message, "first 1");
}

static void
first_body_error_sticks(void **state)
{
    struct nb_req *r = *state;

    expect_invalid(r, "{\"name\": 1}", "name", "This field must be a string.");
    assert_int_equal(nb_fail(r, NB_E_INTERNAL, "later"), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
    assert_string_equal(r->err.field, "name");
    assert_string_equal(drf_text(r), "This field must be a string.");
}

static void
fail_message_is_bounded(void **state)
{
    struct nb_req *r = *state;
    char longer[600];

    memset(longer, 'm', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_int_equal(nb_fail(r, NB_E_INVALID, "%s", longer), -1);
    assert_int_equal(strlen(r->err.message), sizeof(r->err.message) - 1);
}

static const char *const colours[] = {"red", "green", NULL};
static const struct nb_field short_string[] = {NB_STRING(NULL, false, 3), NB_FIELDS_END};
static const struct nb_field colour_item[] = {{.type = NB_T_STRING, .members = colours},
                                              NB_FIELDS_END};
static const struct nb_field int_item[] = {NB_INT(NULL, false), NB_FIELDS_END};
static const struct nb_field any_string[] = {NB_STRING(NULL, false, 0), NB_FIELDS_END};

static const struct nb_field declared_in[] = {
    {.name = "count",
     .type = NB_T_INT,
     .min = 1,
     .max = 10,
     .out_of_range = "must be from 1 to 10"},
    {.name = "colour", .type = NB_T_STRING, .members = colours},
    {.name = "names", .type = NB_T_ARRAY, .item = any_string},
    {.name = "shorts", .type = NB_T_ARRAY, .item = short_string},
    {.name = "colours", .type = NB_T_ARRAY, .item = colour_item},
    {.name = "numbers", .type = NB_T_ARRAY, .item = int_item},
    NB_INT("free", false),
    NB_FIELDS_END,
};

/* Checks text against declared_in; -1 expects that one error, 0 expects none. */
static void
expect_declared(struct nb_req *r, const char *text, int rc, const char *field, const char *message)
{
    memset(&r->err, 0, sizeof(r->err));
    assert_int_equal(nb_body_check(r, json(r, text), declared_in, NULL), rc);
    if (rc == 0) {
        assert_int_equal(r->err.status, NB_OK);
        return;
    }
    assert_int_equal(r->err.status, NB_E_INVALID);
    assert_string_equal(r->err.field, field);
    assert_string_equal(drf_text(r), message);
}

static void
integer_range_is_checked_in_the_rows_words(void **state)
{
    expect_declared(*state, "{\"count\": 1}", 0, NULL, NULL);
    expect_declared(*state, "{\"count\": 10}", 0, NULL, NULL);
    expect_declared(*state, "{\"count\": 0}", -1, "count", "must be from 1 to 10");
    expect_declared(*state, "{\"count\": 11}", -1, "count", "must be from 1 to 10");
    expect_declared(*state, "{\"count\": -9223372036854775808}", -1, "count",
                    "must be from 1 to 10");
    /* a row without bounds takes any integer */
    expect_declared(*state, "{\"free\": -5}", 0, NULL, NULL);
}

static void
string_members_are_checked(void **state)
{
    expect_declared(*state, "{\"colour\": \"red\"}", 0, NULL, NULL);
    expect_declared(*state, "{\"colour\": \"blue\"}", -1, "colour",
                    "must be one of 'red', 'green'");
    expect_declared(*state, "{\"colour\": \"Red\"}", -1, "colour", "must be one of 'red', 'green'");
}

static void
array_items_are_checked(void **state)
{
    expect_declared(*state, "{\"names\": []}", 0, NULL, NULL);
    expect_declared(*state, "{\"names\": [\"a\", \"b\"]}", 0, NULL, NULL);
    expect_declared(*state, "{\"names\": [\"a\", 1]}", -1, "names", "Every item must be a string.");
    expect_declared(*state, "{\"names\": [null]}", -1, "names", "Every item must be a string.");
    expect_declared(*state, "{\"numbers\": [1, 2]}", 0, NULL, NULL);
    expect_declared(*state, "{\"numbers\": [1, \"2\"]}", -1, "numbers",
                    "Every item must be an integer.");
    expect_declared(*state, "{\"colours\": [\"green\", \"red\"]}", 0, NULL, NULL);
    expect_declared(*state, "{\"colours\": [\"green\", \"blue\"]}", -1, "colours",
                    "must be one of 'red', 'green'");
    expect_declared(*state, "{\"shorts\": [\"abc\"]}", 0, NULL, NULL);
    expect_declared(*state, "{\"shorts\": [\"abcd\"]}", -1, "shorts",
                    "Ensure this field has no more than 3 characters.");
}

static void
array_items_have_no_default_length_limit(void **state)
{
    struct nb_req *r = *state;
    char text[400];

    (void)snprintf(text, sizeof(text), "{\"names\": [\"%0300d\"]}", 0);
    expect_declared(r, text, 0, NULL, NULL);
}

#define T(f) REQ_TEST(f)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(valid_body_passes),
        T(integer_range_is_checked_in_the_rows_words),
        T(string_members_are_checked),
        T(array_items_are_checked),
        T(array_items_have_no_default_length_limit),
        T(minimal_body_passes),
        T(required_missing),
        T(required_missing_from_empty),
        T(required_null),
        T(unknown_key_refused),
        T(wrong_type_string),
        T(wrong_type_int),
        T(wrong_type_bool),
        T(wrong_type_array),
        T(wrong_type_object),
        T(top_level_not_object),
        T(parse_accepts_an_object),
        T(parse_refuses_null),
        T(parse_refuses_a_number),
        T(parse_refuses_a_string_boolean_and_array),
        T(parse_still_reports_truncated_documents),
        T(parse_refuses_nul_in_a_value),
        T(parse_refuses_nul_in_a_key),
        T(parse_refuses_nul_in_nested_values_and_keys),
        T(parse_refuses_a_raw_nul),
        T(string_default_max_accepts_255),
        T(string_default_max_refuses_256),
        T(string_custom_max),
        T(nested_required_missing),
        T(nested_wrong_type),
        T(nested_unknown_key),
        T(optional_null_accepted),
        T(first_error_sticks),
        T(first_body_error_sticks),
        T(fail_message_is_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
