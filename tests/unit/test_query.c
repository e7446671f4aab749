/* Unit tests for the query-string checker and its typed accessors (app/query.c): each type,
 * bounds, members, length, required, repeated and undeclared parameters, percent-decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/request.h"
#include "routes/drf.h"
#include "tests/unit/req_fixture.h"

static const char *const modes[] = {"fast", "safe", NULL};

static const struct nb_field query_in[] = {
    NB_STRING("name", true, 8),                           /* required, 8 characters at most */
    NB_INT_RANGE("cores", false, 1, 64, "must be 1..64"), /* bounded */
    NB_INT("offset", false),                              /* any integer nb_parse_int takes */
    NB_BOOL("running", false),
    {.name = "mode", .type = NB_T_STRING, .members = modes},
    NB_STRING("note", false, 0), /* the default limit, 255 characters */
    NB_FIELDS_END,
};

/* What a DRF client (and, after "field: ", a Nano client) reads for the recorded error. */
static const char *
drf_text(struct nb_req *r)
{
    static nb_wording *const words[] = {nb_drf_words, NULL};

    return nb_error_text(r, words);
}

static int
check(struct nb_req *r, const char *query)
{
    r->query = query;
    return nb_query_check(r, query_in);
}

/* Checks query and expects the one recorded error, naming field, in message's words. */
static void
expect_refused(struct nb_req *r, const char *query, const char *field, const char *message)
{
    assert_int_equal(check(r, query), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
    assert_string_equal(r->err.field, field);
    assert_string_equal(drf_text(r), message);
}

static void
each_type_is_read_typed(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(check(r, "name=vm1&cores=4&offset=-7&running=true&mode=safe"), 0);
    assert_string_equal(nb_query_text(r, "name"), "vm1");
    assert_int_equal(nb_query_int(r, "cores", 1), 4);
    assert_int_equal(nb_query_int(r, "offset", 0), -7);
    assert_int_equal(nb_query_bool(r, "running", -1), 1);
    assert_string_equal(nb_query_text(r, "mode"), "safe");
    assert_null(nb_query_text(r, "note"));
    /* an integer's text is its canonical decimal, ready for a statement */
    assert_int_equal(check(r, "name=vm1&cores=004"), 0);
    assert_string_equal(nb_query_text(r, "cores"), "4");
}

static void
absent_parameters_read_as_the_fallback(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(check(r, "name=a"), 0);
    assert_int_equal(nb_query_int(r, "cores", 9), 9);
    assert_int_equal(nb_query_bool(r, "running", -1), -1);
    assert_null(nb_query_text(r, "mode"));
    /* read as another type than declared: the fallback, never a conversion */
    assert_int_equal(nb_query_int(r, "name", 5), 5);
}

static void
a_route_without_a_query_spec_reads_nothing(void **state)
{
    struct nb_req *r = *state;

    r->query = "name=a&cores=2";
    assert_null(nb_query_text(r, "name"));
    assert_int_equal(nb_query_int(r, "cores", 3), 3);
    assert_int_equal(nb_query_bool(r, "running", 0), 0);
}

static void
booleans_are_true_false_1_or_0(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(check(r, "name=a&running=0"), 0);
    assert_int_equal(nb_query_bool(r, "running", -1), 0);
    assert_int_equal(check(r, "name=a&running=1"), 0);
    assert_int_equal(nb_query_bool(r, "running", -1), 1);
    assert_int_equal(check(r, "name=a&running=false"), 0);
    assert_int_equal(nb_query_bool(r, "running", -1), 0);
}

static void
other_booleans_are_refused(void **state)
{
    expect_refused(*state, "name=a&running=yes", "running", "This field must be a boolean.");
}

static void
boolean_case_matters(void **state)
{
    expect_refused(*state, "name=a&running=True", "running", "This field must be a boolean.");
}

static void
integer_junk_is_refused(void **state)
{
    expect_refused(*state, "name=a&cores=4x", "cores", "This field must be an integer.");
}

static void
integer_with_a_plus_sign_is_refused(void **state)
{
    expect_refused(*state, "name=a&cores=%2B4", "cores", "This field must be an integer.");
}

static void
integer_with_a_blank_is_refused(void **state)
{
    expect_refused(*state, "name=a&cores=+4", "cores", "This field must be an integer.");
}

static void
integer_overflow_is_refused(void **state)
{
    expect_refused(*state, "name=a&offset=99999999999999999999", "offset",
                   "This field must be an integer.");
}

static void
integer_bounds_are_inclusive(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(check(r, "name=a&cores=64"), 0);
    assert_int_equal(nb_query_int(r, "cores", 0), 64);
    assert_int_equal(check(r, "name=a&cores=1"), 0);
}

static void
integer_below_the_bounds_takes_the_rows_words(void **state)
{
    expect_refused(*state, "name=a&cores=0", "cores", "must be 1..64");
}

static void
integer_above_the_bounds_takes_the_rows_words(void **state)
{
    expect_refused(*state, "name=a&cores=65", "cores", "must be 1..64");
}

static void
members_are_checked(void **state)
{
    expect_refused(*state, "name=a&mode=slow", "mode", "must be one of 'fast', 'safe'");
}

static void
strings_are_bounded_in_characters(void **state)
{
    struct nb_req *r = *state;

    /* eight two-byte characters (é) are eight characters */
    assert_int_equal(check(r, "name=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9"), 0);
    expect_refused(r, "name=123456789", "name", "Ensure this field has no more than 8 characters.");
}

static void
strings_have_the_default_limit(void **state)
{
    struct nb_req *r = *state;
    char q[300] = "name=a&note=";
    size_t at = strlen(q);

    memset(q + at, 'x', 256);
    q[at + 256] = '\0';
    expect_refused(r, q, "note", "Ensure this field has no more than 255 characters.");
}

static void
required_parameter_missing(void **state)
{
    expect_refused(*state, "cores=2", "name", "This field is required.");
}

static void
an_empty_value_is_no_value(void **state)
{
    struct nb_req *r = *state;

    expect_refused(r, "name=&cores=2", "name", "This field is required.");
    memset(&r->err, 0, sizeof(r->err));
    expect_refused(r, "name&cores=2", "name", "This field is required.");
    memset(&r->err, 0, sizeof(r->err));
    assert_int_equal(check(r, "name=a&cores="), 0);
    assert_int_equal(nb_query_int(r, "cores", 7), 7);
}

static void
no_query_string_at_all(void **state)
{
    struct nb_req *r = *state;
    static const struct nb_field optional_in[] = {NB_INT("limit", false), NB_FIELDS_END};

    r->query = NULL;
    assert_int_equal(nb_query_check(r, optional_in), 0);
    assert_int_equal(nb_query_int(r, "limit", 20), 20);
    r->query = "";
    assert_int_equal(nb_query_check(r, optional_in), 0);
    assert_int_equal(nb_query_int(r, "limit", 20), 20);
}

static void
a_repeated_parameter_is_refused(void **state)
{
    expect_refused(*state, "name=a&cores=1&cores=2", "cores",
                   "This parameter may be given only once.");
}

static void
a_repeated_parameter_is_refused_even_when_one_is_empty(void **state)
{
    expect_refused(*state, "name=a&cores=&cores=2", "cores",
                   "This parameter may be given only once.");
}

static void
undeclared_parameters_are_ignored_and_unreadable(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(check(r, "debug=1&name=a&debug=2&&x"), 0);
    assert_int_equal(r->err.status, NB_OK);
    assert_null(nb_query_text(r, "debug"));
    assert_int_equal(nb_query_int(r, "debug", -1), -1);
}

static void
values_are_percent_decoded(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(check(r, "name=a%2Fb+c%41&note=100%25+%zz%4"), 0);
    assert_string_equal(nb_query_text(r, "name"), "a/b cA");
    assert_string_equal(nb_query_text(r, "note"), "100% %zz%4");
}

static void
names_are_percent_decoded(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(check(r, "n%61me=vm&c%6Fres=3"), 0);
    assert_string_equal(nb_query_text(r, "name"), "vm");
    assert_int_equal(nb_query_int(r, "cores", 0), 3);
}

static void
a_decoded_integer_is_still_checked(void **state)
{
    expect_refused(*state, "name=a&cores=%36%35", "cores", "must be 1..64");
}

static void
a_nul_in_a_value_is_refused(void **state)
{
    /* C strings end at a NUL: "ad%00min" must not become "ad" */
    expect_refused(*state, "name=ad%00min", "name", "This parameter may not contain NUL.");
}

static void
a_nul_in_a_name_makes_it_undeclared(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(check(r, "name=a&cores%00x=9"), 0);
    assert_int_equal(nb_query_int(r, "cores", 1), 1);
}

static void
checking_stops_at_the_first_error(void **state)
{
    expect_refused(*state, "cores=0&running=maybe", "cores", "must be 1..64");
}

#define T(f) REQ_TEST(f)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(each_type_is_read_typed),
        T(absent_parameters_read_as_the_fallback),
        T(a_route_without_a_query_spec_reads_nothing),
        T(booleans_are_true_false_1_or_0),
        T(other_booleans_are_refused),
        T(boolean_case_matters),
        T(integer_junk_is_refused),
        T(integer_with_a_plus_sign_is_refused),
        T(integer_with_a_blank_is_refused),
        T(integer_overflow_is_refused),
        T(integer_bounds_are_inclusive),
        T(integer_below_the_bounds_takes_the_rows_words),
        T(integer_above_the_bounds_takes_the_rows_words),
        T(members_are_checked),
        T(strings_are_bounded_in_characters),
        T(strings_have_the_default_limit),
        T(required_parameter_missing),
        T(an_empty_value_is_no_value),
        T(no_query_string_at_all),
        T(a_repeated_parameter_is_refused),
        T(a_repeated_parameter_is_refused_even_when_one_is_empty),
        T(undeclared_parameters_are_ignored_and_unreadable),
        T(values_are_percent_decoded),
        T(names_are_percent_decoded),
        T(a_decoded_integer_is_still_checked),
        T(a_nul_in_a_value_is_refused),
        T(a_nul_in_a_name_makes_it_undeclared),
        T(checking_stops_at_the_first_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
