/* Unit tests for app/reconciler/xpath.c: libvirt's XML read with libxml2 and XPath, and the
 * round trip of what nb_xml_escape writes through that reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/reconciler/xpath.h"
#include "app/xml.h"

/* A running qemu guest as `virsh dumpxml` prints it: single-quoted attributes, entities in
 * text and attributes, a <description> and <title> that mention other elements, nested
 * elements of the same names (<source> in <disk> and in <backingStore>, <listen> inside
 * <graphics>), several disks and interfaces. */
static const char DOMAIN[] =
    "<domain type='kvm' id='7' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
    "  <name>nimbus-0b9c6f5e-8a1d-4f4e-9a43-3f5a8c2d1e70</name>\n"
    "  <uuid>0b9c6f5e-8a1d-4f4e-9a43-3f5a8c2d1e70</uuid>\n"
    "  <title>Tom &amp; Jerry&apos;s &lt;web&gt; &quot;box&quot; &#x263A;</title>\n"
    "  <description>not a <![CDATA[<disk device='cdrom'>]]> nor &lt;graphics port='1'&gt;"
    "</description>\n"
    "  <metadata><nimbus:guest xmlns:nimbus='urn:nimbus'><disk device='cdrom'>no</disk>"
    "</nimbus:guest></metadata>\n"
    "  <memory unit='KiB'>1048576</memory>\n"
    "  <vcpu placement='static'>2</vcpu>\n"
    "  <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><boot dev='hd'/></os>\n"
    "  <devices>\n"
    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "    <disk type='file' device='disk'>\n"
    "      <driver name='qemu' type='qcow2'/>\n"
    "      <source file='/var/lib/nimbus/a&amp;b/guest-0.qcow2' index='2'/>\n"
    "      <backingStore type='file' index='3'>\n"
    "        <format type='raw'/>\n"
    "        <source file='/var/lib/nimbus/base.raw'/>\n"
    "      </backingStore>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "      <alias name='virtio-disk0'/>\n"
    "    </disk>\n"
    "    <disk type=\"file\" device=\"disk\">\n"
    "      <driver name=\"qemu\" type=\"qcow2\"/>\n"
    "      <source file=\"/var/lib/nimbus/it's-1.qcow2\"/>\n"
    "      <target dev=\"vdb\" bus=\"virtio\"/>\n"
    "    </disk>\n"
    "    <disk type='file' device='cdrom'>\n"
    "      <driver name='qemu' type='raw'/>\n"
    "      <target dev='hdc' bus='ide'/>\n"
    "      <readonly/>\n"
    "    </disk>\n"
    "    <disk type='file' device='cdrom'>\n"
    "      <driver name='qemu' type='raw'/>\n"
    "      <source file='/var/lib/nimbus/media/debian 12&#x2F;netinst.iso'/>\n"
    "      <target dev='hdd' bus='sata'/>\n"
    "      <readonly/>\n"
    "    </disk>\n"
    "    <interface type='network'>\n"
    "      <mac address='52:54:00:aa:bb:01'/>\n"
    "      <source network='default'/>\n"
    "      <model type='virtio'/>\n"
    "    </interface>\n"
    "    <interface type='user'>\n"
    "      <mac address='52:54:00:aa:bb:02'/>\n"
    "      <model type='e1000'/>\n"
    "    </interface>\n"
    "    <graphics type='vnc' port='5901' autoport='yes' listen='10.0.0.5'>\n"
    "      <listen type='address' address='10.0.0.5'/>\n"
    "    </graphics>\n"
    "    <graphics type='spice' port='5902' autoport='yes' listen='0.0.0.0'/>\n"
    "  </devices>\n"
    "</domain>\n";

static struct nb_req req;

static int
setup(void **state)
{
    (void)state;
    xmlInitParser();
    req.arena = nb_arena_new(4096);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    nb_arena_free(req.arena); /* frees every document opened */
    return 0;
}

static xmlXPathContextPtr
open_domain(void)
{
    xmlXPathContextPtr x = nb_xpath_open(&req, DOMAIN);

    assert_non_null(x);
    assert_int_equal(req.err.status, NB_OK);
    return x;
}

static const char *
get(xmlXPathContextPtr x, const char *expr)
{
    return nb_xpath_string(&req, x, NULL, expr);
}

static void
attributes_in_either_quote_with_entities_resolved(void **state)
{
    xmlXPathContextPtr x = open_domain();

    (void)state;
    assert_string_equal(get(x, "/domain/@type"), "kvm");
    assert_string_equal(get(x, "/domain/devices/disk[1]/source/@file"),
                        "/var/lib/nimbus/a&b/guest-0.qcow2");
    assert_string_equal(get(x, "/domain/devices/disk[2]/source/@file"),
                        "/var/lib/nimbus/it's-1.qcow2");
    assert_string_equal(get(x, "/domain/devices/disk[2]/target/@dev"), "vdb");
    assert_string_equal(get(x, "/domain/devices/disk[@device='cdrom']/source/@file"),
                        "/var/lib/nimbus/media/debian 12/netinst.iso");
}

static void
text_with_entities_and_character_references(void **state)
{
    xmlXPathContextPtr x = open_domain();

    (void)state;
    assert_string_equal(get(x, "/domain/title"), "Tom & Jerry's <web> \"box\" \xE2\x98\xBA");
    assert_string_equal(get(x, "/domain/description"),
                        "not a <disk device='cdrom'> nor <graphics port='1'>");
    assert_string_equal(get(x, "/domain/name"), "nimbus-0b9c6f5e-8a1d-4f4e-9a43-3f5a8c2d1e70");
}

/* Markup-looking text, metadata elements of the same name and nested <source>s are not what
 * the paths select: the first <graphics> is the device's, not the description's. */
static void
nesting_decides_not_the_first_tag_in_the_text(void **state)
{
    xmlXPathContextPtr x = open_domain();

    (void)state;
    assert_string_equal(get(x, "/domain/devices/graphics[1]/@port"), "5901");
    assert_string_equal(get(x, "/domain/devices/graphics[1]/@listen"), "10.0.0.5");
    assert_string_equal(get(x, "/domain/devices/graphics[2]/@port"), "5902");
    assert_string_equal(get(x, "count(/domain/devices/disk[@device='cdrom'])"), "2");
    assert_string_equal(get(x, "count(//disk[@device='cdrom'])"), "3"); /* with the metadata's */
    assert_string_equal(get(x, "count(/domain/devices/disk[1]//source)"), "2");
    assert_string_equal(get(x, "/domain/devices/disk[1]/backingStore/source/@file"),
                        "/var/lib/nimbus/base.raw");
}

static void
every_matching_element_in_document_order(void **state)
{
    xmlXPathContextPtr x = open_domain();
    xmlNodePtr *nodes;
    int n = nb_xpath_nodes(&req, x, NULL, "/domain/devices/disk[not(@device='cdrom')]", &nodes);

    (void)state;
    assert_int_equal(n, 2);
    /* Relative paths read from each node. */
    assert_string_equal(nb_xpath_string(&req, x, nodes[0], "target/@dev"), "vda");
    assert_string_equal(nb_xpath_string(&req, x, nodes[1], "target/@dev"), "vdb");
    assert_string_equal(nb_xpath_string(&req, x, nodes[0], "source/@file"),
                        "/var/lib/nimbus/a&b/guest-0.qcow2");
    n = nb_xpath_nodes(&req, x, NULL, "/domain/devices/interface", &nodes);
    assert_int_equal(n, 2);
    assert_string_equal(nb_xpath_string(&req, x, nodes[0], "mac/@address"), "52:54:00:aa:bb:01");
    assert_string_equal(nb_xpath_string(&req, x, nodes[1], "mac/@address"), "52:54:00:aa:bb:02");
    /* The relative read did not move the context: absolute and root-relative paths still work. */
    assert_string_equal(get(x, "vcpu"), "2");
}

static void
nothing_selected_is_null(void **state)
{
    xmlXPathContextPtr x = open_domain();
    xmlNodePtr *nodes = (xmlNodePtr *)&nodes;

    (void)state;
    assert_null(get(x, "/domain/devices/disk[@device='cdrom'][1]/source/@file"));
    assert_null(get(x, "/domain/devices/graphics[3]/@port"));
    assert_null(get(x, "/domain/devices/interface/@nope"));
    assert_null(get(x, "/domain/[")); /* not an expression */
    assert_int_equal(nb_xpath_nodes(&req, x, NULL, "/domain/devices/hostdev", &nodes), 0);
    assert_null(nodes);
    /* An empty attribute is there, and empty. */
    assert_string_equal(nb_xpath_string(&req, nb_xpath_open(&req, "<a b=''/>"), NULL, "/a/@b"), "");
}

static void
malformed_xml_fails_once_and_reads_as_empty(void **state)
{
    static const char *const bad[] = {
        "",
        "<domain type='kvm'><name>x</domain>",
        "<domain type='kvm' type='qemu'/>",
        "<domain>&unknown;</domain>",
        "<domain a='<'/>",
        "not xml at all",
    };
    xmlNodePtr *nodes;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req.err.status = NB_OK;
        assert_null(nb_xpath_open(&req, bad[i]));
        assert_int_equal(req.err.status, NB_E_CONFLICT);
        assert_non_null(strstr(req.err.message, "XML from libvirt does not parse: line "));
    }
    req.err.status = NB_OK;
    assert_null(nb_xpath_string(&req, NULL, NULL, "/domain/@type"));
    assert_int_equal(nb_xpath_nodes(&req, NULL, NULL, "/domain", &nodes), 0);
}

/* No entity from outside the document is read (no XXE): the reference stays unresolved. */
static void
external_entities_are_not_loaded(void **state)
{
    xmlXPathContextPtr x = nb_xpath_open(&req, "<!DOCTYPE d [<!ENTITY e SYSTEM "
                                               "'file:///etc/passwd'>]><d><t>&e;</t></d>");

    (void)state;
    assert_non_null(x);
    assert_string_equal(nb_xpath_string(&req, x, NULL, "/d/t"), "");
}

static void
format_gives_changes_back(void **state)
{
    xmlXPathContextPtr x = open_domain();
    xmlNodePtr *nodes;
    const char *text;

    (void)state;
    assert_int_equal(nb_xpath_nodes(&req, x, NULL, "/domain/devices/disk[2]/source", &nodes), 1);
    xmlSetProp(nodes[0], (const xmlChar *)"file", (const xmlChar *)"/new/<path>'&\"");
    text = nb_xpath_format(&req, x);
    assert_null(strstr(text, "<?xml")); /* the element, not a document with its declaration */
    x = nb_xpath_open(&req, text);
    assert_non_null(x);
    assert_string_equal(get(x, "/domain/devices/disk[2]/source/@file"), "/new/<path>'&\"");
    assert_string_equal(get(x, "/domain/devices/disk[1]/source/@file"),
                        "/var/lib/nimbus/a&b/guest-0.qcow2");
    assert_string_equal(get(x, "/domain/title"), "Tom & Jerry's <web> \"box\" \xE2\x98\xBA");
}

/* What nb_xml_escape writes parses back to the input in text and in both quotes, for every
 * byte value: the characters XML allows unchanged (tab, newline and carriage return
 * included), the rest as U+FFFD. */
static void
escaped_values_read_back_unchanged(void **state)
{
    char in[256], want[256 * 3 + 1], *w = want;

    (void)state;
    for (int c = 1; c < 128; c++)
        in[c - 1] = (char)c;
    in[127] = '\0';
    for (int c = 1; c < 128; c++)
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            w = stpcpy(w, "\xEF\xBF\xBD");
        else
            *w++ = (char)c;
    *w = '\0';
    for (int q = 0; q < 2; q++) {
        const char *e = nb_xml_escape(req.arena, in);
        const char *doc =
            nb_arena_printf(req.arena, q ? "<a v=\"%s\">%s</a>" : "<a v='%s'>%s</a>", e, e);
        xmlXPathContextPtr x = nb_xpath_open(&req, doc);

        assert_non_null(x);
        assert_string_equal(nb_xpath_string(&req, x, NULL, "/a/@v"), want);
        assert_string_equal(nb_xpath_string(&req, x, NULL, "/a"), want);
    }
    /* High bytes: valid UTF-8 is kept, anything else replaced, the document still parses. */
    {
        const char *e = nb_xml_escape(req.arena, "\xC3\xA9\xFF\xED\xA0\x80\xF0\x9F\x98\x80\x80");
        xmlXPathContextPtr x = nb_xpath_open(&req, nb_arena_printf(req.arena, "<a v='%s'/>", e));

        assert_non_null(x);
        assert_string_equal(nb_xpath_string(&req, x, NULL, "/a/@v"),
                            "\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xF0\x9F\x98\x80\xEF\xBF\xBD");
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attributes_in_either_quote_with_entities_resolved),
        cmocka_unit_test(text_with_entities_and_character_references),
        cmocka_unit_test(nesting_decides_not_the_first_tag_in_the_text),
        cmocka_unit_test(every_matching_element_in_document_order),
        cmocka_unit_test(nothing_selected_is_null),
        cmocka_unit_test(malformed_xml_fails_once_and_reads_as_empty),
        cmocka_unit_test(external_entities_are_not_loaded),
        cmocka_unit_test(format_gives_changes_back),
        cmocka_unit_test(escaped_values_read_back_unchanged),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
