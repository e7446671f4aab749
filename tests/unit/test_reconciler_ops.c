/* Unit tests for the reconciler's operation code that needs neither libvirt nor the database:
 * operation parameters, and the XML built for a guest (domain, CD-ROM drive, volumes,
 * migration), read back through libxml2 so that what libvirt would parse is what is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/reconciler/reconcilerpriv.h"
#include "app/reconciler/xpath.h"

#define GUEST "0b9c6f5e-8a1d-4f4e-9a43-3f5a8c2d1e70"
/* Every XML metacharacter, a control character and a tab, as a hostile value. */
#define NASTY "a'b\"c<d>e&f\x01g\th"
#define NASTY_READ "a'b\"c<d>e&f\xEF\xBF\xBDg\th"

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
    nb_arena_free(req.arena);
    return 0;
}

/* A guest as OPS_NEXT loads it: two disks, every limit set, a template. */
static struct nb_op
guest_op(void)
{
    struct nb_op op = {.id = "1", .kind = "create_guest", .guest_id = GUEST};

    op.g = (struct nb_guest_spec){
        .present = true,
        .name = "web",
        .cores = 2,
        .memory = 1024LL * 1024 * 1024,
        .disks = {10LL << 30, 20LL << 30},
        .ndisks = 2,
        .mac = "52:54:00:12:34:56",
        .monitor_secret = "s3cret",
        .cpu_priority = "high",
        .qos_read_speed = 1000000,
        .qos_write_iops = 300,
        .qos_receive_speed = 2048,
        .qos_send_speed = 100,
        .bus = "virtio",
        .nic = "virtio",
        .video = "vga",
        .control = "vnc",
        .usb = "qemu-xhci",
        .tablet = "usb",
        .from_image_file = "",
        .policy_default = "accept",
    };
    return op;
}

static const char *const PATHS[] = {"/pool/" GUEST "-0.qcow2", "/pool/" GUEST "-1.qcow2"};

static xmlXPathContextPtr
parse(const char *xml)
{
    xmlXPathContextPtr x = nb_xpath_open(&req, xml);

    if (x == NULL)
        fail_msg("%s in:\n%s", req.err.message, xml);
    return x;
}

static const char *
get(xmlXPathContextPtr x, const char *expr)
{
    const char *v = nb_xpath_string(&req, x, NULL, expr);

    if (v == NULL)
        fail_msg("%s selects nothing", expr);
    return v;
}

static void
params_are_strings_or_empty(void **state)
{
    struct nb_op op = {0};

    (void)state;
    op.params = json_tokener_parse("{\"image\":\"abc\",\"name\":\"\",\"n\":3,\"b\":true,"
                                   "\"o\":{\"image\":\"x\"},\"z\":null}");
    assert_string_equal(nb_op_param(&op, "image"), "abc");
    assert_string_equal(nb_op_param(&op, "name"), "");
    assert_string_equal(nb_op_param(&op, "n"), ""); /* not a string */
    assert_string_equal(nb_op_param(&op, "b"), "");
    assert_string_equal(nb_op_param(&op, "o"), "");
    assert_string_equal(nb_op_param(&op, "z"), "");
    assert_string_equal(nb_op_param(&op, "missing"), "");
    json_object_put(op.params);
}

static void
domain_definition_of_a_guest(void **state)
{
    struct nb_op op = guest_op();
    xmlXPathContextPtr x = parse(nb_domain_definition(&req, &op, "kvm", PATHS, true));

    (void)state;
    assert_string_equal(get(x, "/domain/@type"), "kvm");
    assert_string_equal(get(x, "/domain/name"), "nimbus-" GUEST);
    assert_string_equal(get(x, "/domain/uuid"), GUEST);
    assert_string_equal(get(x, "/domain/title"), "web");
    assert_string_equal(get(x, "/domain/memory"), "1048576");
    assert_string_equal(get(x, "/domain/memory/@unit"), "KiB");
    assert_string_equal(get(x, "/domain/vcpu"), "2");
    assert_string_equal(get(x, "/domain/cputune/shares"), "2048");
    assert_string_equal(get(x, "count(/domain/os/boot)"), "1");
    assert_string_equal(get(x, "/domain/os/boot/@dev"), "hd");
    /* Two disks in order, limits on each, then an empty CD-ROM drive after them. */
    assert_string_equal(get(x, "count(/domain/devices/disk[@device='disk'])"), "2");
    assert_string_equal(get(x, "/domain/devices/disk[1]/source/@file"), PATHS[0]);
    assert_string_equal(get(x, "/domain/devices/disk[1]/target/@dev"), "sda");
    assert_string_equal(get(x, "/domain/devices/disk[2]/source/@file"), PATHS[1]);
    assert_string_equal(get(x, "/domain/devices/disk[2]/target/@dev"), "sdb");
    assert_string_equal(get(x, "/domain/devices/disk[2]/iotune/read_bytes_sec"), "1000000");
    assert_string_equal(get(x, "/domain/devices/disk[2]/iotune/write_iops_sec"), "300");
    assert_string_equal(get(x, "count(/domain/devices/disk[1]/iotune/*)"), "2");
    assert_string_equal(get(x, "/domain/devices/disk[3]/@device"), "cdrom");
    assert_string_equal(get(x, "/domain/devices/disk[3]/target/@dev"), "sdc");
    assert_string_equal(get(x, "count(/domain/devices/disk[3]/source)"), "0");
    /* The network interface, its limits in KiB/s (never rounded down to none). */
    assert_string_equal(get(x, "/domain/devices/interface/@type"), "network");
    assert_string_equal(get(x, "/domain/devices/interface/mac/@address"), "52:54:00:12:34:56");
    assert_string_equal(get(x, "/domain/devices/interface/bandwidth/inbound/@average"), "2");
    assert_string_equal(get(x, "/domain/devices/interface/bandwidth/outbound/@average"), "1");
    assert_string_equal(get(x, "count(/domain/devices/interface/filterref)"), "0");
    assert_string_equal(get(x, "/domain/devices/channel/target/@name"), "org.qemu.guest_agent.0");
    assert_string_equal(get(x, "/domain/devices/graphics/@type"), "vnc");
    assert_string_equal(get(x, "/domain/devices/graphics/@passwd"), "s3cret");
    assert_string_equal(get(x, "/domain/devices/video/model/@type"), "vga");
    assert_string_equal(get(x, "/domain/devices/controller[@type='usb']/@model"), "qemu-xhci");
    assert_string_equal(get(x, "/domain/devices/input/@bus"), "usb");
}

/* The test driver has no guest agent; a host without the network gets user networking and no
 * bandwidth; a policy names the guest's filter; media boots first when asked. */
static void
domain_definition_follows_the_host_and_the_operation(void **state)
{
    struct nb_op op = guest_op();
    xmlXPathContextPtr x;

    (void)state;
    op.g.bus = "ide";
    op.g.policy_default = "reject";
    op.media = "/images/media/<live>.iso";
    op.boot_media = true;
    x = parse(nb_domain_definition(&req, &op, "test", PATHS, false));
    assert_string_equal(get(x, "count(/domain/devices/channel)"), "0");
    assert_string_equal(get(x, "/domain/devices/interface/@type"), "user");
    assert_string_equal(get(x, "count(/domain/devices/interface/bandwidth)"), "0");
    assert_string_equal(get(x, "/domain/devices/interface/filterref/@filter"), "nimbus-" GUEST);
    assert_string_equal(get(x, "/domain/devices/disk[1]/target/@dev"), "hda");
    assert_string_equal(get(x, "/domain/devices/disk[3]/target/@dev"), "hdc");
    assert_string_equal(get(x, "/domain/devices/disk[3]/source/@file"), "/images/media/<live>.iso");
    assert_string_equal(get(x, "/domain/os/boot[1]/@dev"), "cdrom");
    assert_string_equal(get(x, "/domain/os/boot[2]/@dev"), "hd");
}

/* Every value that comes from a user (the guest's name, its console password, template
 * fields, the media path) reaches libvirt exactly as given, whatever it holds. */
static void
domain_definition_escapes_every_value(void **state)
{
    struct nb_op op = guest_op();
    xmlXPathContextPtr x;

    (void)state;
    op.g.name = NASTY "</title><devices><disk/></devices><title>";
    op.g.monitor_secret = NASTY;
    op.g.mac = NASTY;
    op.g.nic = NASTY;
    op.g.video = NASTY;
    op.g.control = NASTY;
    op.g.usb = NASTY;
    op.g.tablet = NASTY;
    op.g.bus = NASTY;
    op.media = "/m/" NASTY;
    x = parse(
        nb_domain_definition(&req, &op, "kvm", (const char *const[]){"/p/" NASTY, "/q"}, true));
    assert_string_equal(get(x, "/domain/title"),
                        NASTY_READ "</title><devices><disk/></devices><title>");
    assert_string_equal(get(x, "count(/domain/devices)"), "1");
    assert_string_equal(get(x, "count(/domain/devices/disk)"), "3");
    assert_string_equal(get(x, "/domain/devices/graphics/@passwd"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/graphics/@type"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/interface/mac/@address"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/interface/model/@type"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/video/model/@type"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/controller[@type='usb']/@model"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/input/@bus"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/disk[1]/target/@bus"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/disk[1]/source/@file"), "/p/" NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/disk[3]/target/@bus"), NASTY_READ);
    assert_string_equal(get(x, "/domain/devices/disk[3]/source/@file"), "/m/" NASTY_READ);
}

/* A live domain as libvirt reports it: the drive's target is copied, the source escaped. */
static const char LIVE[] =
    "<domain type='kvm' id='3'><name>nimbus-" GUEST "</name><devices>"
    "<disk type='file' device='disk'><source file='/p/0.qcow2'/><target dev='vda' bus='virtio'/>"
    "</disk>"
    "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
    "<target dev='sdc' bus='sata'/><readonly/><alias name='sata0-0-2'/></disk>"
    "</devices></domain>";

static void
media_drive_holds_the_source_or_nothing(void **state)
{
    const char *with = nb_media_drive_xml(&req, LIVE, "/images/media/" NASTY ".iso", "web");
    const char *without = nb_media_drive_xml(&req, LIVE, NULL, "web");
    xmlXPathContextPtr x;

    (void)state;
    assert_non_null(with);
    x = parse(with);
    assert_string_equal(get(x, "/disk/@device"), "cdrom");
    assert_string_equal(get(x, "/disk/source/@file"), "/images/media/" NASTY_READ ".iso");
    assert_string_equal(get(x, "/disk/target/@dev"), "sdc");
    assert_string_equal(get(x, "/disk/target/@bus"), "sata");
    assert_string_equal(get(x, "count(/disk/readonly)"), "1");
    x = parse(without);
    assert_string_equal(get(x, "count(/disk/source)"), "0");
    assert_string_equal(get(x, "/disk/target/@dev"), "sdc");
}

static void
media_drive_missing_or_unreadable_fails(void **state)
{
    (void)state;
    assert_null(nb_media_drive_xml(
        &req, "<domain><devices><disk device='disk'><target dev='vda'/></disk></devices></domain>",
        NULL, "web"));
    assert_int_equal(req.err.status, NB_E_CONFLICT);
    assert_string_equal(req.err.message,
                        "guest web has no CD-ROM drive; it gets one when it is redefined");
    req.err.status = NB_OK;
    assert_null(nb_media_drive_xml(&req, "<domain><devices>", NULL, "web"));
    assert_int_equal(req.err.status, NB_E_CONFLICT);
    req.err.status = NB_OK;
}

static void
volume_definition(void **state)
{
    xmlXPathContextPtr x = parse(nb_volume_xml(&req, GUEST "-0.qcow2", 10737418240ULL, "qcow2"));

    (void)state;
    assert_string_equal(get(x, "/volume/name"), GUEST "-0.qcow2");
    assert_string_equal(get(x, "/volume/capacity"), "10737418240");
    assert_string_equal(get(x, "/volume/capacity/@unit"), "bytes");
    assert_string_equal(get(x, "/volume/target/format/@type"), "qcow2");
    x = parse(nb_volume_xml(&req, NASTY, 1, NASTY));
    assert_string_equal(get(x, "/volume/name"), NASTY_READ);
    assert_string_equal(get(x, "/volume/target/format/@type"), NASTY_READ);
}

/* Only the disks' own sources move to the target's paths; everything else stays. */
static void
migration_points_disks_at_the_target(void **state)
{
    static const char src[] =
        "<domain type='kvm'><name>nimbus-" GUEST "</name>"
        "<description>file='/a/0.qcow2'</description><devices>"
        "<disk type='file' device='disk'><source file='/a/0.qcow2'/><target dev='vda'/></disk>"
        "<disk type='file' device='disk'><source file=\"/a/it's&amp;1.qcow2\"/>"
        "<target dev='vdb'/></disk>"
        "<disk type='file' device='cdrom'><source file='/iso/x.iso'/><target dev='hdc'/></disk>"
        "</devices></domain>";
    const struct nb_disk_move m[] = {{"/a/0.qcow2", "/b/0.qcow2"},
                                     {"/a/it's&1.qcow2", "/b/it's&1.qcow2"}};
    const char *out = nb_migrate_domain_xml(&req, src, m, 2);
    xmlXPathContextPtr x;

    (void)state;
    assert_non_null(out);
    x = parse(out);
    assert_string_equal(get(x, "/domain/devices/disk[1]/source/@file"), "/b/0.qcow2");
    assert_string_equal(get(x, "/domain/devices/disk[2]/source/@file"), "/b/it's&1.qcow2");
    assert_string_equal(get(x, "/domain/devices/disk[3]/source/@file"), "/iso/x.iso");
    assert_string_equal(get(x, "/domain/description"), "file='/a/0.qcow2'");
    assert_string_equal(get(x, "/domain/name"), "nimbus-" GUEST);
    assert_null(nb_migrate_domain_xml(&req, "<domain>", m, 2));
    assert_int_equal(req.err.status, NB_E_CONFLICT);
    req.err.status = NB_OK;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(params_are_strings_or_empty),
        cmocka_unit_test(domain_definition_of_a_guest),
        cmocka_unit_test(domain_definition_follows_the_host_and_the_operation),
        cmocka_unit_test(domain_definition_escapes_every_value),
        cmocka_unit_test(media_drive_holds_the_source_or_nothing),
        cmocka_unit_test(media_drive_missing_or_unreadable_fails),
        cmocka_unit_test(volume_definition),
        cmocka_unit_test(migration_points_disks_at_the_target),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
