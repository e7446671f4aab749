/* Unit tests for app/nwfilter.c: a guest's security policy as a libvirt nwfilter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/nwfilter.h"

#define GUEST "0b9c6f5e-8a1d-4f4e-9a43-3f5a8c2d1e70"

static struct json_object *
rules(const char *json)
{
    return json_tokener_parse(json);
}

/* The position of needle in hay, failing the test when it is not there. */
static size_t
at(const char *hay, const char *needle)
{
    const char *p = strstr(hay, needle);

    if (p == NULL)
        fail_msg("'%s' not in:\n%s", needle, hay);
    return (size_t)(p - hay);
}

static void
empty_policy_needs_no_filter(void **state)
{
    struct json_object *none = rules("[]"), *one = rules("[{\"action\":\"accept\"}]");

    (void)state;
    assert_false(nb_nwfilter_needed("accept", none));
    assert_false(nb_nwfilter_needed("accept", NULL));
    assert_true(nb_nwfilter_needed("reject", none));
    assert_true(nb_nwfilter_needed("accept", one));
    json_object_put(none);
    json_object_put(one);
}

static void
name_is_nimbus_and_the_guest_id(void **state)
{
    struct nb_arena *a = nb_arena_new(1024);

    (void)state;
    assert_string_equal(nb_nwfilter_name(a, GUEST), "nimbus-" GUEST);
    nb_arena_free(a);
}

static void
rules_keep_their_order_and_the_default_comes_last(void **state)
{
    struct nb_arena *a = nb_arena_new(1024);
    struct json_object *r =
        rules("[{\"action\":\"accept\",\"protocol\":\"tcp\",\"to_port\":22},"
              " {\"action\":\"reject\",\"protocol\":\"udp\",\"to_port\":53,\"from_address\":\"10.0."
              "0.1\"},"
              " {\"action\":\"accept\",\"protocol\":\"icmp\"},"
              " {\"action\":\"reject\",\"protocol\":\"all\",\"from_address\":\"192.168.1.9\"}]");
    const char *xml = nb_nwfilter_xml(a, GUEST, NULL, "reject", r);
    size_t ssh, dns, icmp, all, dflt;

    (void)state;
    assert_int_equal(at(xml, "<filter name='nimbus-" GUEST "' chain='root'>"), 0);
    at(xml,
       "<rule action='accept' direction='in' priority='100'><all state='ESTABLISHED,RELATED'/>");
    at(xml, "<rule action='accept' direction='out' priority='100'><all/></rule>");
    ssh = at(xml,
             "<rule action='accept' direction='in' priority='200'><tcp dstportstart='22'/></rule>");
    dns = at(xml, "<rule action='reject' direction='in' priority='201'>"
                  "<udp dstportstart='53' srcipaddr='10.0.0.1'/></rule>");
    icmp = at(xml, "<rule action='accept' direction='in' priority='202'><icmp/></rule>");
    all = at(xml, "<rule action='reject' direction='in' priority='203'>"
                  "<all srcipaddr='192.168.1.9'/></rule>");
    dflt = at(xml, "<rule action='reject' direction='in' priority='900'><all/></rule>");
    assert_true(ssh < dns && dns < icmp && icmp < all && all < dflt);
    assert_non_null(strstr(xml, "</filter>\n"));
    json_object_put(r);
    nb_arena_free(a);
}

static void
accept_default_without_rules_is_a_final_accept(void **state)
{
    struct nb_arena *a = nb_arena_new(1024);
    const char *xml = nb_nwfilter_xml(a, GUEST, NULL, "accept", NULL);

    (void)state;
    at(xml, "<rule action='accept' direction='in' priority='900'><all/></rule>");
    assert_null(strstr(xml, "priority='200'"));
    nb_arena_free(a);
}

static void
nothing_unexpected_reaches_the_xml(void **state)
{
    struct nb_arena *a = nb_arena_new(1024);
    struct json_object *r =
        rules("[{\"action\":\"drop'\",\"protocol\":\"sctp\",\"from_address\":\"1.2.3.4'/><x a='\"},"
              " {\"action\":\"accept\",\"protocol\":\"icmp\",\"to_port\":22}]");
    const char *xml = nb_nwfilter_xml(a, GUEST, NULL, "maybe", r);

    (void)state;
    /* Unknown action: accept; unknown protocol: all; an odd address is left out. */
    at(xml, "<rule action='accept' direction='in' priority='200'><all/></rule>");
    /* Ports belong to tcp and udp only. */
    at(xml, "<rule action='accept' direction='in' priority='201'><icmp/></rule>");
    at(xml, "<rule action='accept' direction='in' priority='900'><all/></rule>");
    assert_null(strstr(xml, "<x "));
    json_object_put(r);
    nb_arena_free(a);
}

static void
an_existing_filter_keeps_its_uuid(void **state)
{
    struct nb_arena *a = nb_arena_new(1024);
    const char *uuid = "5a1e3f0c-7d2b-4c8e-9f61-2b3c4d5e6f70";
    const char *xml = nb_nwfilter_xml(a, GUEST, uuid, "accept", NULL);
    const char *fresh = nb_nwfilter_xml(a, GUEST, NULL, "accept", NULL);

    (void)state;
    /* Right after the opening tag, before the first rule. */
    assert_int_equal(at(xml, "<uuid>5a1e3f0c-7d2b-4c8e-9f61-2b3c4d5e6f70</uuid>"),
                     at(xml, "chain='root'>") + strlen("chain='root'>\n  "));
    assert_true(at(xml, "<uuid>") < at(xml, "<rule "));
    assert_null(strstr(fresh, "<uuid>"));
    nb_arena_free(a);
}

/* Whatever the caller passes, every value reaches the XML escaped. */
static void
every_value_is_escaped(void **state)
{
    struct nb_arena *a = nb_arena_new(1024);
    const char *xml = nb_nwfilter_xml(a, "x'/><rule a=\"&<", "u'<&\"", "accept", NULL);

    (void)state;
    at(xml, "<filter name='nimbus-x&apos;/&gt;&lt;rule a=&quot;&amp;&lt;' chain='root'>");
    at(xml, "<uuid>u&apos;&lt;&amp;&quot;</uuid>");
    assert_null(strstr(xml, "x'"));
    assert_null(strstr(xml, "u'"));
    nb_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_policy_needs_no_filter),
        cmocka_unit_test(name_is_nimbus_and_the_guest_id),
        cmocka_unit_test(rules_keep_their_order_and_the_default_comes_last),
        cmocka_unit_test(accept_default_without_rules_is_a_final_accept),
        cmocka_unit_test(nothing_unexpected_reaches_the_xml),
        cmocka_unit_test(an_existing_filter_keeps_its_uuid),
        cmocka_unit_test(every_value_is_escaped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
