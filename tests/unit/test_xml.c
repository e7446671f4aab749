/* Unit tests for app/xml.c: the one escaping function for the XML Nimbus writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/xml.h"

static struct nb_arena *arena;

static int
setup(void **state)
{
    (void)state;
    arena = nb_arena_new(1024);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    nb_arena_free(arena);
    return 0;
}

static const char *
esc(const char *s)
{
    return nb_xml_escape(arena, s);
}

static void
each_metacharacter_becomes_its_entity(void **state)
{
    (void)state;
    assert_string_equal(esc("&"), "&amp;");
    assert_string_equal(esc("<"), "&lt;");
    assert_string_equal(esc(">"), "&gt;");
    assert_string_equal(esc("\""), "&quot;");
    assert_string_equal(esc("'"), "&apos;");
    assert_string_equal(esc("a'b\"c<d>e&f"), "a&apos;b&quot;c&lt;d&gt;e&amp;f");
    /* Already escaped text is escaped again: the function is not idempotent by design. */
    assert_string_equal(esc("&amp;"), "&amp;amp;");
}

static void
plain_text_is_copied(void **state)
{
    (void)state;
    assert_string_equal(esc(""), "");
    assert_string_equal(esc("/var/lib/nimbus/images/disk-1.qcow2"),
                        "/var/lib/nimbus/images/disk-1.qcow2");
    assert_string_equal(esc("web server #1 (prod) ~ 100% = ok; DEL\x7f"),
                        "web server #1 (prod) ~ 100% = ok; DEL\x7f");
}

/* Tab, newline and carriage return survive attribute-value normalisation only as references. */
static void
whitespace_controls_become_character_references(void **state)
{
    (void)state;
    assert_string_equal(esc("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
}

/* XML 1.0 cannot carry the other C0 controls, even as references: they become U+FFFD. */
static void
other_control_characters_are_replaced(void **state)
{
    char in[2] = {0};

    (void)state;
    for (int c = 1; c < 0x20; c++) {
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        in[0] = (char)c;
        assert_string_equal(esc(in), "\xEF\xBF\xBD");
    }
    assert_string_equal(esc("a\x01\x1f"
                            "b"),
                        "a\xEF\xBF\xBD\xEF\xBF\xBD"
                        "b");
}

static void
utf8_is_kept(void **state)
{
    (void)state;
    assert_string_equal(esc("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBD"),
                        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBD");
    /* The last characters of each length XML allows. */
    assert_string_equal(esc("\xDF\xBF\xEF\xBF\xBD\xF4\x8F\xBF\xBF"),
                        "\xDF\xBF\xEF\xBF\xBD\xF4\x8F\xBF\xBF");
}

/* Bytes that are not UTF-8 and characters XML forbids: one U+FFFD for each. */
static void
what_xml_cannot_carry_is_replaced(void **state)
{
    (void)state;
    assert_string_equal(esc("a\xFF"
                            "b"),
                        "a\xEF\xBF\xBD"
                        "b"); /* never a lead byte */
    assert_string_equal(esc("a\x80"
                            "b"),
                        "a\xEF\xBF\xBD"
                        "b");                           /* stray continuation */
    assert_string_equal(esc("a\xC3"), "a\xEF\xBF\xBD"); /* truncated at the end */
    assert_string_equal(esc("\xE2\x82<"), "\xEF\xBF\xBD\xEF\xBF\xBD&lt;"); /* truncated */
    assert_string_equal(esc("\xC0\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD");      /* overlong '<' */
    assert_string_equal(esc("\xF4\x90\x80\x80"),
                        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* past U+10FFFF */
    assert_string_equal(esc("\xED\xA0\x80"), "\xEF\xBF\xBD");                /* a surrogate */
    assert_string_equal(esc("\xEF\xBF\xBE"), "\xEF\xBF\xBD");                /* U+FFFE */
    assert_string_equal(esc("\xEF\xBF\xBF"), "\xEF\xBF\xBD");                /* U+FFFF */
}

/* The worst case grows six times: the output buffer is big enough. */
static void
worst_case_fits(void **state)
{
    char in[1001];
    const char *out;

    (void)state;
    memset(in, '"', 1000);
    in[1000] = '\0';
    out = esc(in);
    assert_int_equal(strlen(out), 6000);
    assert_memory_equal(out + 5994, "&quot;", 6);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_metacharacter_becomes_its_entity),
        cmocka_unit_test(plain_text_is_copied),
        cmocka_unit_test(whitespace_controls_become_character_references),
        cmocka_unit_test(other_control_characters_are_replaced),
        cmocka_unit_test(utf8_is_kept),
        cmocka_unit_test(what_xml_cannot_carry_is_replaced),
        cmocka_unit_test(worst_case_fits),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
