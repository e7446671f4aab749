/* Guest domains: the domain XML made from a guest row and its template, and the operations
 * that define, start, stop, redefine and remove it. The domain is named nimbus-<guest id> and
 * its UUID is the guest id, so a lookup by UUID always tells whether it exists. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/nwfilter.h"
#include "app/reconciler/reconciler.h"
#include "app/reconciler/reconcilerpriv.h"
#include "app/reconciler/xpath.h"
#include "app/xml.h"
#include "db/db.h"

/* The domain type this host runs: the test driver's own, kvm when the host offers it. */
static const char *
domain_type(struct nb_req *r, virConnectPtr conn)
{
    const char *t = virConnectGetType(conn);
    const char *caps;
    xmlXPathContextPtr x;
    char *lower;

    if (t == NULL)
        return NULL;
    if (strcasecmp(t, "QEMU") == 0) {
        caps = nb_own_malloc(r, virConnectGetCapabilities(conn));
        if (caps == NULL || (x = nb_xpath_open(r, caps)) == NULL) {
            r->err.status = NB_OK; /* capabilities that cannot be read: plain emulation */
            return "qemu";
        }
        return nb_xpath_string(r, x, NULL, "/capabilities/guest/arch/domain[@type='kvm']") != NULL
                   ? "kvm"
                   : "qemu";
    }
    lower = nb_arena_strdup(r->arena, t);
    for (char *p = lower; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return lower;
}

/* The host's network named default, when it is active; otherwise guests get user networking. */
static bool
default_network(virConnectPtr conn)
{
    virNetworkPtr net = virNetworkLookupByName(conn, "default");
    bool active = net != NULL && virNetworkIsActive(net) == 1;

    if (net != NULL)
        virNetworkFree(net);
    virResetLastError();
    return active;
}

/* Writes to the in-memory XML stream; it only fails out of memory, which aborts at the end. */
static void __attribute__((format(printf, 2, 3))) out(FILE *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vfprintf(f, fmt, ap);
    va_end(ap);
}

static int
cpu_shares(const char *priority)
{
    return strcmp(priority, "high") == 0 ? 2048 : strcmp(priority, "low") == 0 ? 512 : 1024;
}

static void
write_disks(FILE *f, struct nb_req *r, const struct nb_guest_spec *g, const char *const *paths)
{
    const char *prefix = strcmp(g->bus, "ide") == 0 ? "hd" : "sd";
    const char *bus = nb_xml_escape(r->arena, g->bus);

    if (strcmp(g->bus, "scsi") == 0)
        out(f, "    <controller type='scsi' index='0' model='virtio-scsi'/>\n");
    for (int n = 0; n < g->ndisks; n++) {
        out(f,
            "    <disk type='file' device='disk'>\n"
            "      <driver name='qemu' type='qcow2'/>\n"
            "      <source file='%s'/>\n"
            "      <target dev='%s%c' bus='%s'/>\n",
            nb_xml_escape(r->arena, paths[n]), prefix, 'a' + n, bus);
        if (g->qos_read_speed || g->qos_write_speed || g->qos_read_iops || g->qos_write_iops) {
            out(f, "      <iotune>\n");
            if (g->qos_read_speed)
                out(f, "        <read_bytes_sec>%lld</read_bytes_sec>\n",
                    (long long)g->qos_read_speed);
            if (g->qos_write_speed)
                out(f, "        <write_bytes_sec>%lld</write_bytes_sec>\n",
                    (long long)g->qos_write_speed);
            if (g->qos_read_iops)
                out(f, "        <read_iops_sec>%lld</read_iops_sec>\n",
                    (long long)g->qos_read_iops);
            if (g->qos_write_iops)
                out(f, "        <write_iops_sec>%lld</write_iops_sec>\n",
                    (long long)g->qos_write_iops);
            out(f, "      </iotune>\n");
        }
        out(f, "    </disk>\n");
    }
}

/* The CD-ROM drive after the disks: empty unless media is given, so that media can be
 * inserted into the running guest (virDomainUpdateDeviceFlags needs the drive to exist). */
static void
write_cdrom(FILE *f, struct nb_req *r, const struct nb_guest_spec *g, const char *media)
{
    const char *prefix = strcmp(g->bus, "ide") == 0 ? "hd" : "sd";

    out(f, "    <disk type='file' device='cdrom'>\n      <driver name='qemu' type='raw'/>\n");
    if (media != NULL)
        out(f, "      <source file='%s'/>\n", nb_xml_escape(r->arena, media));
    out(f, "      <target dev='%s%c' bus='%s'/>\n      <readonly/>\n    </disk>\n", prefix,
        'a' + g->ndisks, nb_xml_escape(r->arena, g->bus));
}

/* libvirt's bandwidth is in KiB/s; a non-zero limit never rounds down to "unlimited". */
static long long
kib_per_sec(int64_t bytes)
{
    return bytes / 1024 > 0 ? bytes / 1024 : 1;
}

static void
write_interface(FILE *f, struct nb_req *r, const struct nb_op *op, bool network)
{
    const struct nb_guest_spec *g = &op->g;

    out(f, "    <interface type='%s'>\n", network ? "network" : "user");
    if (g->mac[0] != '\0')
        out(f, "      <mac address='%s'/>\n", nb_xml_escape(r->arena, g->mac));
    if (network)
        out(f, "      <source network='default'/>\n");
    out(f, "      <model type='%s'/>\n", nb_xml_escape(r->arena, g->nic));
    /* Only virtual networks (and bridges) carry bandwidth limits. */
    if (network && (g->qos_receive_speed || g->qos_send_speed)) {
        out(f, "      <bandwidth>\n");
        if (g->qos_receive_speed)
            out(f, "        <inbound average='%lld'/>\n", kib_per_sec(g->qos_receive_speed));
        if (g->qos_send_speed)
            out(f, "        <outbound average='%lld'/>\n", kib_per_sec(g->qos_send_speed));
        out(f, "      </bandwidth>\n");
    }
    if (nb_nwfilter_needed(g->policy_default, g->policy_rules))
        out(f, "      <filterref filter='%s'/>\n",
            nb_xml_escape(r->arena, nb_nwfilter_name(r->arena, op->guest_id)));
    out(f, "    </interface>\n");
}

const char *
nb_domain_definition(struct nb_req *r, const struct nb_op *op, const char *type,
                     const char *const *paths, bool network)
{
    const struct nb_guest_spec *g = &op->g;
    const char *id = nb_xml_escape(r->arena, op->guest_id);
    char *xml = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&xml, &len);

    if (f == NULL)
        abort(); /* out of memory, as the arena does */
    out(f,
        "<domain type='%s'>\n"
        "  <name>nimbus-%s</name>\n"
        "  <uuid>%s</uuid>\n"
        "  <title>%s</title>\n"
        "  <memory unit='KiB'>%lld</memory>\n"
        "  <currentMemory unit='KiB'>%lld</currentMemory>\n"
        "  <vcpu placement='static'>%d</vcpu>\n"
        "  <cputune><shares>%d</shares></cputune>\n"
        "  <os><type>hvm</type>%s<boot dev='hd'/></os>\n"
        "  <features><acpi/><apic/></features>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_reboot>restart</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n",
        nb_xml_escape(r->arena, type), id, id, nb_xml_escape(r->arena, g->name),
        (long long)(g->memory / 1024), (long long)(g->memory / 1024), g->cores,
        cpu_shares(g->cpu_priority), op->boot_media ? "<boot dev='cdrom'/>" : "");
    write_disks(f, r, g, paths);
    write_cdrom(f, r, g, op->media);
    write_interface(f, r, op, network);
    /* The guest agent's channel (administrator passwords); the test driver has no agent. */
    if (strcmp(type, "test") != 0)
        out(f, "    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>"
               "</channel>\n");
    out(f, "    <graphics type='%s' autoport='yes' listen='127.0.0.1'",
        nb_xml_escape(r->arena, g->control));
    if (g->monitor_secret[0] != '\0')
        out(f, " passwd='%s'", nb_xml_escape(r->arena, g->monitor_secret));
    out(f, "/>\n    <video><model type='%s'/></video>\n", nb_xml_escape(r->arena, g->video));
    if (g->usb[0] != '\0')
        out(f, "    <controller type='usb' model='%s'/>\n", nb_xml_escape(r->arena, g->usb));
    if (g->tablet[0] != '\0')
        out(f, "    <input type='tablet' bus='%s'/>\n", nb_xml_escape(r->arena, g->tablet));
    out(f, "  </devices>\n</domain>\n");
    if (ferror(f) || fclose(f) != 0)
        abort(); /* out of memory */
    return nb_own_malloc(r, xml);
}

/* Volume paths of the guest's disks: created when missing (create) or required to exist. */
static const char *const *
guest_paths(struct nb_req *r, struct nb_op *op, bool create)
{
    const char **paths = nb_arena_alloc(r->arena, sizeof(*paths) * (size_t)(op->g.ndisks + 1));

    for (int n = 0; n < op->g.ndisks; n++) {
        const char *name = nb_volume_name(r, op->guest_id, n);
        virStorageVolPtr vol;

        if (create) {
            if ((paths[n] = nb_volume_ensure(r, op->cell, name, op->g.disks[n])) == NULL)
                return NULL;
            nb_op_progress(r, op, 10 + 70 * (n + 1) / op->g.ndisks);
        } else if ((vol = nb_volume_find(r, op->cell->conn, name)) == NULL) {
            nb_fail(r, NB_E_NOT_FOUND, "volume %s not found on cell %s", name, op->cell->name);
            return NULL;
        } else if ((paths[n] = nb_own_malloc(r, virStorageVolGetPath(vol))) == NULL) {
            nb_vir_fail(r);
            return NULL;
        }
    }
    return paths;
}

/* Defines (or redefines) the domain from the row and sets its autostart flag. The security
 * policy's filter exists before the domain names it and goes after the domain stops naming
 * it; a policy on a guest without a virtual network has nothing to filter and is refused. */
static int
define(struct nb_req *r, struct nb_op *op, const char *const *paths)
{
    const char *type = domain_type(r, op->cell->conn);
    bool filtered = nb_nwfilter_needed(op->g.policy_default, op->g.policy_rules);
    bool network = default_network(op->cell->conn);
    virDomainPtr dom;

    if (type == NULL)
        return nb_vir_fail(r);
    if (filtered && !network)
        return nb_fail(r, NB_E_CONFLICT,
                       "cell %s has no active network default: a security policy cannot be applied",
                       op->cell->name);
    if (filtered && nb_nwfilter_apply(r, op) < 0)
        return -1;
    dom = nb_own_domain(
        r, virDomainDefineXML(op->cell->conn, nb_domain_definition(r, op, type, paths, network)));
    if (dom == NULL || virDomainSetAutostart(dom, op->g.auto_start) < 0)
        return nb_vir_fail(r);
    op->dom = dom;
    return filtered ? 0 : nb_nwfilter_remove(r, op->cell->conn, op->guest_id);
}

/* A guest made from a disk image gets volume 0 from it first; the domain, defined last, marks
 * the volume complete, so a rerun before that rebuilds it. */
int
nb_op_create_guest(struct nb_req *r, struct nb_op *op)
{
    const char *const *paths;

    nb_op_progress(r, op, 5);
    if (op->g.from_image_file[0] != '\0' && op->dom == NULL && op->g.ndisks > 0 &&
        nb_volume_from_image(r, op, nb_image_path(r, NB_IMAGE_DISK, op->g.from_image_file)) < 0)
        return -1;
    if ((paths = guest_paths(r, op, true)) == NULL || define(r, op, paths) < 0)
        return -1;
    nb_op_progress(r, op, 90);
    return nb_db_query(r, NB_Q_GUEST_CREATED, op->guest_id) != NULL ? 0 : -1;
}

/* " name='value'" of the first graphics device's attribute in x, "" when it has none. */
static const char *
graphics_attr(struct nb_req *r, xmlXPathContextPtr x, const char *name)
{
    const char *v = nb_xpath_string(
        r, x, NULL, nb_arena_printf(r->arena, "/domain/devices/graphics[1]/@%s", name));

    return v != NULL ? nb_arena_printf(r->arena, " %s='%s'", name, nb_xml_escape(r->arena, v)) : "";
}

/* A running domain's console takes a new monitor secret at once (define gave it to the
 * persistent definition, for the next start): its graphics device as the domain has it, type,
 * port and listen address unchanged (libvirt refuses to change those live), with the new
 * password. */
static int
update_console_secret(struct nb_req *r, struct nb_op *op)
{
    int active = virDomainIsActive(op->dom);
    const char *xml, *type;
    xmlXPathContextPtr x;

    if (active < 0)
        return nb_vir_fail(r);
    if (active == 0)
        return 0;
    if ((xml = nb_own_malloc(r, virDomainGetXMLDesc(op->dom, 0))) == NULL)
        return nb_vir_fail(r);
    if ((x = nb_xpath_open(r, xml)) == NULL)
        return -1;
    if ((type = graphics_attr(r, x, "type"))[0] == '\0')
        return nb_fail(r, NB_E_CONFLICT, "guest %s has no console", op->g.name);
    xml = nb_arena_printf(r->arena, "<graphics%s%s%s%s passwd='%s'/>", type,
                          graphics_attr(r, x, "port"), graphics_attr(r, x, "autoport"),
                          graphics_attr(r, x, "listen"),
                          nb_xml_escape(r->arena, op->g.monitor_secret));
    return virDomainUpdateDeviceFlags(op->dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0 ? nb_vir_fail(r)
                                                                                : 0;
}

int
nb_op_sync_guest(struct nb_req *r, struct nb_op *op)
{
    const char *const *paths = guest_paths(r, op, false);
    struct json_object *set = NULL;

    if (paths == NULL || define(r, op, paths) < 0)
        return -1;
    if (!json_object_object_get_ex(op->params, "set", &set))
        return 0;
    if (json_object_object_get_ex(set, "monitor_secret", NULL) && update_console_secret(r, op) < 0)
        return -1;
    /* The change it carries (OPS_NEXT laid it over the row) is the row's only now that the
     * host has it, in the transaction that finishes the operation and releases its pending
     * charge; a rerun after a crash here defines the same domain again. */
    return nb_op_closing(r, op) < 0 ||
                   nb_db_query(r, NB_Q_GUEST_APPLY, op->guest_id,
                               json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN)) == NULL
               ? -1
               : 0;
}

int
nb_domain_undefine(struct nb_req *r, virDomainPtr dom)
{
    static const unsigned flags[] = {
        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
            VIR_DOMAIN_UNDEFINE_NVRAM,
        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE,
        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
    };

    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        int code;

        if (virDomainUndefineFlags(dom, flags[i]) == 0)
            return 0;
        code = virGetLastErrorCode();
        if (code != VIR_ERR_INVALID_ARG && code != VIR_ERR_NO_SUPPORT &&
            code != VIR_ERR_OPERATION_INVALID)
            return nb_vir_fail(r);
    }
    return virDomainUndefine(dom) == 0 ? 0 : nb_vir_fail(r);
}

int
nb_op_delete_guest(struct nb_req *r, struct nb_op *op)
{
    if (op->dom != NULL) {
        int active = virDomainIsActive(op->dom);

        /* The API refuses to delete a running guest without force; here it is decided. */
        if (active < 0 || (active == 1 && virDomainDestroy(op->dom) < 0))
            return nb_vir_fail(r);
        if (nb_domain_undefine(r, op->dom) < 0)
            return -1;
    }
    nb_op_progress(r, op, 50);
    if (nb_nwfilter_remove(r, op->cell->conn, op->guest_id) < 0 ||
        nb_volumes_delete(r, op->cell->conn, op->guest_id) < 0)
        return -1;
    nb_op_progress(r, op, 90);
    return nb_db_query(r, NB_Q_GUEST_REMOVE, op->guest_id) != NULL ? 0 : -1;
}

static bool param_bool(const struct nb_op *op, const char *key);

/* from_media: the domain is defined with the ISO in its CD-ROM drive, booting from it, and
 * started; then the persistent definition is put back, so that only this run has the media
 * (the host reports it; eject takes it out) and the next start boots from disk. */
int
nb_op_start_guest(struct nb_req *r, struct nb_op *op)
{
    int active = virDomainIsActive(op->dom);
    const char *const *paths;

    if (active < 0)
        return nb_vir_fail(r);
    if (active == 1)
        return 0;
    if (!param_bool(op, "from_media"))
        return virDomainCreate(op->dom) < 0 ? nb_vir_fail(r) : 0;
    if ((op->media = nb_op_image_path(r, op, "media")) == NULL ||
        (paths = guest_paths(r, op, false)) == NULL)
        return -1;
    op->boot_media = true;
    if (define(r, op, paths) < 0)
        return -1;
    if (virDomainCreate(op->dom) < 0)
        return nb_vir_fail(r);
    op->media = NULL;
    op->boot_media = false;
    return define(r, op, paths);
}

static bool
param_bool(const struct nb_op *op, const char *key)
{
    struct json_object *v = NULL;

    return json_object_object_get_ex(op->params, key, &v) && json_object_get_boolean(v);
}

/* Shutdown or destroy; reboot or reset. Stopping a stopped guest is done already; rebooting
 * one starts it. */
int
nb_op_stop_guest(struct nb_req *r, struct nb_op *op)
{
    bool reboot = param_bool(op, "reboot"), force = param_bool(op, "force");
    int active = virDomainIsActive(op->dom), rc = 0;

    if (active < 0)
        return nb_vir_fail(r);
    if (reboot && active == 0)
        rc = virDomainCreate(op->dom);
    else if (reboot)
        rc = force ? virDomainReset(op->dom, 0) : virDomainReboot(op->dom, 0);
    else if (active == 1)
        rc = force ? virDomainDestroy(op->dom) : virDomainShutdown(op->dom);
    return rc < 0 ? nb_vir_fail(r) : 0;
}

const char *
nb_domain_xml(struct nb_req *r, virDomainPtr dom)
{
    const char *xml =
        nb_own_malloc(r, virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE));

    if (xml == NULL)
        nb_vir_fail(r);
    return xml;
}
