/* Unit tests for the IPv4, enum, integer and uuid checks of app/validate.c. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/validate.h"
#include "tests/unit/req_fixture.h"

/* The first error sticks; tests that check several inputs forget it in between. */
static void
forget_error(struct nb_req *r)
{
    memset(&r->err, 0, sizeof(r->err));
}

static void
ipv4_parse_accepts_dotted_quads(void **state)
{
    uint32_t a = 1;

    (void)state;
    assert_true(nb_ipv4_parse("0.0.0.0", &a));
    assert_int_equal(a, 0);
    assert_true(nb_ipv4_parse("255.255.255.255", &a));
    assert_int_equal(a, 0xffffffffu);
    assert_true(nb_ipv4_parse("172.16.3.254", &a));
    assert_int_equal(a, 0xac1003feu);
    assert_true(nb_ipv4_parse("10.0.0.1", NULL));
}

static void
ipv4_parse_refuses_other_forms(void **state)
{
    static const char *const bad[] = {
        "",         "1.2.3",    "1.2.3.4.5", "256.1.1.1",  "1.2.3.256",   "01.2.3.4",
        "1.2.3.04", "1.2.3.00", "0x1.2.3.4", " 1.2.3.4",   "1.2.3.4 ",    "1..2.3",
        "1.2.3.",   ".1.2.3",   "1.2.3.-4",  "1.2.3.4/24", "1234.1.1.1",  "a.b.c.d",
        "10",       "::1",      "1.2.3.4\n", "+1.2.3.4",   "99999.0.0.0",
    };
    uint32_t a = 7;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (nb_ipv4_parse(bad[i], &a))
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_false(nb_ipv4_parse(NULL, &a));
    assert_int_equal(a, 7); /* untouched on failure */
}

static void
prefix_of_contiguous_masks(void **state)
{
    (void)state;
    assert_int_equal(nb_ipv4_prefix(0xffffff00u), 24);
    assert_int_equal(nb_ipv4_prefix(0xffffffffu), 32);
    assert_int_equal(nb_ipv4_prefix(0x80000000u), 1);
    assert_int_equal(nb_ipv4_prefix(0xfffffffcu), 30);
    assert_int_equal(nb_ipv4_prefix(0), -1);
    assert_int_equal(nb_ipv4_prefix(0xffff00ffu), -1);
    assert_int_equal(nb_ipv4_prefix(0x00ffffffu), -1);
    assert_int_equal(nb_ipv4_prefix(0xfffffffeu), 31);
    assert_int_equal(nb_ipv4_prefix(0x7fffffffu), -1);
}

static void
check_ipv4_records_the_field(void **state)
{
    struct nb_req *r = *state;
    uint32_t a;

    assert_int_equal(nb_check_ipv4(r, "gateway", "192.168.1.1", &a), 0);
    assert_int_equal(a, 0xc0a80101u);
    assert_int_equal(r->err.status, NB_OK);
    assert_int_equal(nb_check_ipv4(r, "gateway", "192.168.1", &a), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
    assert_string_equal(r->err.field, "gateway");
    assert_string_equal(r->err.message, "invalid IPv4 address '192.168.1'");
    forget_error(r);
    assert_int_equal(nb_check_ipv4(r, "dns", NULL, NULL), -1);
    assert_string_equal(r->err.message, "invalid IPv4 address ''");
}

static void
check_netmask_refuses_holes_and_zero(void **state)
{
    struct nb_req *r = *state;
    uint32_t m;

    assert_int_equal(nb_check_netmask(r, "netmask", "255.255.255.0", &m), 0);
    assert_int_equal(m, 0xffffff00u);
    assert_int_equal(nb_check_netmask(r, "netmask", "255.255.255.255", &m), 0);
    assert_int_equal(r->err.status, NB_OK);
    assert_int_equal(nb_check_netmask(r, "netmask", "255.0.255.0", &m), -1);
    assert_string_equal(r->err.message, "invalid netmask '255.0.255.0'");
    assert_string_equal(r->err.field, "netmask");
    forget_error(r);
    assert_int_equal(nb_check_netmask(r, "netmask", "0.0.0.0", &m), -1);
    forget_error(r);
    assert_int_equal(nb_check_netmask(r, "netmask", "24", &m), -1);
    assert_string_equal(r->err.message, "invalid netmask '24'");
}

static void
range_start_after_end_refused(void **state)
{
    struct nb_req *r = *state;

    assert_int_equal(nb_check_ipv4_range(r, 0x0a000005u, 0x0a000004u, 0xffffff00u), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
    assert_string_equal(r->err.message, "range start is after its end");
}

static void
range_across_networks_refused(void **state)
{
    struct nb_req *r = *state;

    /* 10.0.0.1 - 10.0.1.1 under /24: two networks; under /16: one. */
    assert_int_equal(nb_check_ipv4_range(r, 0x0a000001u, 0x0a000101u, 0xffff0000u), 0);
    assert_int_equal(nb_check_ipv4_range(r, 0x0a000001u, 0x0a000001u, 0xffffffffu), 0);
    assert_int_equal(r->err.status, NB_OK);
    assert_int_equal(nb_check_ipv4_range(r, 0x0a000001u, 0x0a000101u, 0xffffff00u), -1);
    assert_string_equal(r->err.message, "range start and end are not in the same /24 network");
}

static void
enum_lists_its_members(void **state)
{
    static const char *const usb[] = {"", "nec-xhci", NULL};
    struct nb_req *r = *state;

    assert_int_equal(nb_check_enum(r, "usb", "", usb), 0);
    assert_int_equal(nb_check_enum(r, "usb", "nec-xhci", usb), 0);
    assert_int_equal(r->err.status, NB_OK);
    assert_int_equal(nb_check_enum(r, "usb", "none", usb), -1);
    assert_string_equal(r->err.field, "usb");
    assert_string_equal(r->err.message, "must be one of '', 'nec-xhci'");
    forget_error(r);
    assert_int_equal(nb_check_enum(r, "usb", NULL, usb), -1);
    assert_int_equal(r->err.status, NB_E_INVALID);
}

static void
parse_int_takes_whole_decimal_integers(void **state)
{
    long long n = -1;

    (void)state;
    assert_int_equal(nb_parse_int("0", 0, 10, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(nb_parse_int("10", 0, 10, &n), 0);
    assert_int_equal(n, 10);
    assert_int_equal(nb_parse_int("-7", -10, 10, &n), 0);
    assert_int_equal(n, -7);
    assert_int_equal(nb_parse_int("-0", 0, 1, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(nb_parse_int("007", 0, 10, &n), 0); /* decimal, never octal */
    assert_int_equal(n, 7);
}

static void
parse_int_refuses_junk_and_leaves_out_alone(void **state)
{
    static const char *const bad[] = {"",    "-",   "+5",  " 5",  "5 ",  "5x",       "x5", "0x10",
                                      "1e3", "1.0", "--1", "\t1", "1\n", "\xd9\xa3", NULL};
    long long n = 42;

    (void)state;
    assert_int_equal(nb_parse_int(NULL, 0, 10, &n), -1);
    for (const char *const *b = bad; *b != NULL; b++)
        assert_int_equal(nb_parse_int(*b, LLONG_MIN, LLONG_MAX, &n), -1);
    assert_int_equal(n, 42);
}

static void
parse_int_checks_the_range(void **state)
{
    long long n = 42;

    (void)state;
    assert_int_equal(nb_parse_int("11", 0, 10, &n), -1);
    assert_int_equal(nb_parse_int("-1", 0, 10, &n), -1);
    assert_int_equal(nb_parse_int("0", 1, 10, &n), -1);
    /* no sign surprise: -1 is not a huge unsigned number */
    assert_int_equal(nb_parse_int("-1", 0, LLONG_MAX, &n), -1);
    assert_int_equal(n, 42);
}

static void
parse_int_reaches_the_limits_and_no_further(void **state)
{
    long long n = 0;

    (void)state;
    assert_int_equal(nb_parse_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &n), 0);
    assert_true(n == LLONG_MAX);
    assert_int_equal(nb_parse_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &n), 0);
    assert_true(n == LLONG_MIN);
    assert_int_equal(nb_parse_int("9223372036854775808", LLONG_MIN, LLONG_MAX, &n), -1);
    assert_int_equal(nb_parse_int("-9223372036854775809", LLONG_MIN, LLONG_MAX, &n), -1);
    assert_int_equal(nb_parse_int("18446744073709551616", LLONG_MIN, LLONG_MAX, &n), -1);
    assert_int_equal(nb_parse_int("99999999999999999999999", LLONG_MIN, LLONG_MAX, &n), -1);
    assert_true(n == LLONG_MIN);
}

static void
env_int_reads_bounded_settings(void **state)
{
    (void)state;
    unsetenv("NB_TEST_SETTING");
    assert_int_equal(nb_env_int("NB_TEST_SETTING", 1, 100, 60), 60);
    setenv("NB_TEST_SETTING", "", 1);
    assert_int_equal(nb_env_int("NB_TEST_SETTING", 1, 100, 60), 60);
    setenv("NB_TEST_SETTING", "30", 1);
    assert_int_equal(nb_env_int("NB_TEST_SETTING", 1, 100, 60), 30);
    setenv("NB_TEST_SETTING", "100", 1);
    assert_int_equal(nb_env_int("NB_TEST_SETTING", 1, 100, 60), 100);
    unsetenv("NB_TEST_SETTING");
}

static void
env_int_falls_back_on_bad_settings(void **state)
{
    static const char *const bad[] = {"0", "101", "-5", "30s", "abc", " 30", "1e2", NULL};

    (void)state;
    for (const char *const *b = bad; *b != NULL; b++) {
        setenv("NB_TEST_SETTING", *b, 1);
        assert_int_equal(nb_env_int("NB_TEST_SETTING", 1, 100, 60), 60);
    }
    unsetenv("NB_TEST_SETTING");
}

/* Both forms every dialect accepts come out dashed; the dashed form is returned as given. */
static void
uuid_canonical_reads_both_forms(void **state)
{
    struct nb_req *r = *state;
    const char *dashed = "0f8fad5b-d9cb-469f-a165-70867728950e";

    assert_ptr_equal(nb_uuid_canonical(r, dashed), dashed);
    assert_string_equal(nb_uuid_canonical(r, "0f8fad5bd9cb469fa16570867728950e"), dashed);
    assert_string_equal(nb_uuid_canonical(r, "0F8FAD5BD9CB469FA16570867728950E"),
                        "0F8FAD5B-D9CB-469F-A165-70867728950E");
}

static void
uuid_canonical_refuses_everything_else(void **state)
{
    static const char *const bad[] = {
        "",
        "nobody",
        "0f8fad5bd9cb469fa16570867728950",               /* 31 digits */
        "0f8fad5bd9cb469fa16570867728950e0",             /* 33 */
        "0f8fad5bd9cb469fa16570867728950g",              /* not hex */
        "0f8fad5b-d9cb-469f-a165-70867728950",           /* 35 */
        "0f8fad5b-d9cb-469f-a165-70867728950e0",         /* 37 */
        "0f8fad5bd-9cb-469f-a165-70867728950e",          /* a dash out of place */
        "0f8fad5b-d9cb-469f-a165_70867728950e",          /* another separator */
        " 0f8fad5bd9cb469fa16570867728950e",             /* space */
        "0f8fad5b-d9cb469fa16570867728950e",             /* some dashes only */
        "{0f8fad5b-d9cb-469f-a165-70867728950e}",        /* braces */
        "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e", /* a URN */
    };
    struct nb_req *r = *state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (nb_uuid_canonical(r, bad[i]) != NULL)
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_null(nb_uuid_canonical(r, NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv4_parse_accepts_dotted_quads),
        cmocka_unit_test(ipv4_parse_refuses_other_forms),
        cmocka_unit_test(prefix_of_contiguous_masks),
        REQ_TEST(check_ipv4_records_the_field),
        REQ_TEST(check_netmask_refuses_holes_and_zero),
        REQ_TEST(range_start_after_end_refused),
        REQ_TEST(range_across_networks_refused),
        REQ_TEST(enum_lists_its_members),
        cmocka_unit_test(parse_int_takes_whole_decimal_integers),
        cmocka_unit_test(parse_int_refuses_junk_and_leaves_out_alone),
        cmocka_unit_test(parse_int_checks_the_range),
        cmocka_unit_test(parse_int_reaches_the_limits_and_no_further),
        cmocka_unit_test(env_int_reads_bounded_settings),
        cmocka_unit_test(env_int_falls_back_on_bad_settings),
        REQ_TEST(uuid_canonical_reads_both_forms),
        REQ_TEST(uuid_canonical_refuses_everything_else),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
