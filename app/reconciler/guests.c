/* Observing guests: every cycle, each held cell's nimbus-* domains are read (state, display
 * port, cpu time, memory, volumes, block and interface counters) and written in one statement
 * per cell. cpu_usage is the cpu time delta since the previous cycle, kept here per cell. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/log.h"
#include "app/reconciler/reconciler.h"
#include "app/reconciler/xpath.h"
#include "app/validate.h"
#include "db/db.h"

#define DOMAIN_PREFIX "nimbus-"

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
by_uuid(const void *a, const void *b)
{
    return memcmp(((const struct nb_cpu_sample *)a)->uuid, ((const struct nb_cpu_sample *)b)->uuid,
                  VIR_UUID_BUFLEN);
}

static void
add_int(struct json_object *o, const char *key, long long v)
{
    json_object_object_add(o, key, json_object_new_int64(v));
}

/* Percent of the guest's cores used since the last sample (0 on the first). */
static double
cpu_percent(const struct nb_cell *c, const struct nb_cpu_sample *now, unsigned vcpus)
{
    const struct nb_cpu_sample *prev =
        c->samples != NULL ? bsearch(now, c->samples, (size_t)c->nsamples, sizeof(*now), by_uuid)
                           : NULL;
    double pct;

    if (prev == NULL || now->at_ns <= prev->at_ns || now->cpu_ns < prev->cpu_ns || vcpus == 0)
        return 0;
    pct = 100.0 * (double)(now->cpu_ns - prev->cpu_ns) / (double)(now->at_ns - prev->at_ns) / vcpus;
    return pct > 100 ? 100 : pct;
}

/* The file name (no directory) in the domain's CD-ROM drive, "" when it is empty. */
static const char *
media_file(struct nb_req *r, xmlXPathContextPtr x)
{
    const char *src =
        nb_xpath_string(r, x, NULL, "/domain/devices/disk[@device='cdrom']/source/@file");
    const char *slash = src != NULL ? strrchr(src, '/') : NULL;

    return slash != NULL ? slash + 1 : src != NULL ? src : "";
}

/* Disk figures from the domain's disks: free volume space always, I/O counters when running. */
static void
observe_disks(struct nb_req *r, virDomainPtr dom, xmlXPathContextPtr x, bool running,
              struct json_object *o)
{
    unsigned long long avail = 0, rd = 0, wr = 0;
    bool have_space = false;
    xmlNodePtr *disks;
    int n = nb_xpath_nodes(r, x, NULL, "/domain/devices/disk[not(@device='cdrom')]", &disks);

    for (int i = 0; i < n; i++) {
        const char *src = nb_xpath_string(r, x, disks[i], "source/@file");
        const char *dev = nb_xpath_string(r, x, disks[i], "target/@dev");
        unsigned long long free_bytes;
        virDomainBlockStatsStruct st;

        if (src != NULL && nb_volume_free(virDomainGetConnect(dom), src, &free_bytes)) {
            avail += free_bytes;
            have_space = true;
        }
        if (running && dev != NULL && virDomainBlockStats(dom, dev, &st, sizeof(st)) == 0) {
            rd += st.rd_bytes > 0 ? (unsigned long long)st.rd_bytes : 0;
            wr += st.wr_bytes > 0 ? (unsigned long long)st.wr_bytes : 0;
        }
    }
    if (have_space)
        add_int(o, "disk", (long long)avail);
    if (running) {
        add_int(o, "read", (long long)rd);
        add_int(o, "written", (long long)wr);
    }
}

static void
observe_interfaces(struct nb_req *r, virDomainPtr dom, xmlXPathContextPtr x, struct json_object *o)
{
    unsigned long long rx = 0, tx = 0;
    xmlNodePtr *nics;
    int n = nb_xpath_nodes(r, x, NULL, "/domain/devices/interface", &nics);

    for (int i = 0; i < n; i++) {
        const char *mac = nb_xpath_string(r, x, nics[i], "mac/@address");
        virDomainInterfaceStatsStruct st;

        if (mac != NULL && virDomainInterfaceStats(dom, mac, &st, sizeof(st)) == 0) {
            rx += st.rx_bytes > 0 ? (unsigned long long)st.rx_bytes : 0;
            tx += st.tx_bytes > 0 ? (unsigned long long)st.tx_bytes : 0;
        }
    }
    add_int(o, "received", (long long)rx);
    add_int(o, "sent", (long long)tx);
}

/* Free guest memory from the balloon's statistics, else the whole of it. */
static unsigned long long
memory_free(virDomainPtr dom, const virDomainInfo *info)
{
    virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
    int n = virDomainMemoryStats(dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    unsigned long long unused = 0, available = 0;

    for (int i = 0; i < n; i++) {
        if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_UNUSED)
            unused = st[i].val;
        else if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_AVAILABLE)
            available = st[i].val;
    }
    return (unused ? unused : available ? available : info->memory) * 1024;
}

/* "host:port" of the running domain's console; "" when it has none yet. */
static const char *
display(struct nb_req *r, const struct nb_cell *c, xmlXPathContextPtr x)
{
    const char *port = nb_xpath_string(r, x, NULL, "/domain/devices/graphics[1]/@port");
    const char *listen = nb_xpath_string(r, x, NULL, "/domain/devices/graphics[1]/@listen");
    long long n;

    if (nb_parse_int(port, 1, 65535, &n) < 0)
        return "";
    if (listen == NULL || listen[0] == '\0' || strcmp(listen, "0.0.0.0") == 0)
        listen = c->address;
    return nb_arena_printf(r->arena, "%s:%s", listen, port);
}

const char *
nb_guest_display(struct nb_req *r, const struct nb_cell *c, virDomainPtr dom)
{
    const char *xml;
    xmlXPathContextPtr x;

    if (virDomainIsActive(dom) != 1 ||
        (xml = nb_own_malloc(r, virDomainGetXMLDesc(dom, 0))) == NULL)
        return "";
    if ((x = nb_xpath_open(r, xml)) == NULL) {
        r->err.status = NB_OK; /* read as none: the next observation tries again */
        return "";
    }
    return display(r, c, x);
}

/* One domain's observation, or NULL when it is not a guest of Nimbus. */
static struct json_object *
observe(struct nb_req *r, struct nb_cell *c, virDomainPtr dom, struct nb_cpu_sample *sample)
{
    const char *name = virDomainGetName(dom), *xml;
    char uuid[VIR_UUID_STRING_BUFLEN];
    virDomainInfo info;
    xmlXPathContextPtr x;
    struct json_object *o;
    bool running;

    if (name == NULL || strncmp(name, DOMAIN_PREFIX, strlen(DOMAIN_PREFIX)) != 0 ||
        virDomainGetUUIDString(dom, uuid) < 0 || virDomainGetUUID(dom, sample->uuid) < 0 ||
        virDomainGetInfo(dom, &info) < 0 ||
        (xml = nb_own_malloc(r, virDomainGetXMLDesc(dom, 0))) == NULL)
        return NULL;
    if ((x = nb_xpath_open(r, xml)) == NULL) {
        /* Read as empty (no console, media or disk figures): the guest is still seen. */
        nb_log_warn(NULL, "domain %s: %s", name, r->err.message);
        r->err.status = NB_OK;
    }
    running = virDomainIsActive(dom) == 1;
    sample->cpu_ns = info.cpuTime;
    sample->at_ns = now_ns();
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(uuid));
    json_object_object_add(o, "running", json_object_new_boolean(running));
    json_object_object_add(o, "display", json_object_new_string(running ? display(r, c, x) : ""));
    json_object_object_add(
        o, "cpu", json_object_new_double(running ? cpu_percent(c, sample, info.nrVirtCpu) : 0));
    add_int(o, "memory", (long long)(running ? memory_free(dom, &info) : info.maxMem * 1024));
    json_object_object_add(o, "media", json_object_new_string(media_file(r, x)));
    observe_disks(r, dom, x, running, o);
    if (running)
        observe_interfaces(r, dom, x, o);
    return o;
}

void
nb_guests_observe(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c)
{
    virDomainPtr *doms = NULL;
    int n = c->conn != NULL ? virConnectListAllDomains(c->conn, &doms, 0) : 0;
    struct json_object *list = nb_own_json(r, json_object_new_array());
    struct nb_cpu_sample *samples = calloc(n > 0 ? (size_t)n : 1, sizeof(*samples));
    int nsamples = 0;

    if (samples == NULL)
        abort();
    if (n < 0) { /* listing failed on a live connection: nothing learnt, nothing written */
        free(samples);
        return;
    }
    nb_own_malloc(r, doms);
    for (int i = 0; i < n; i++) {
        struct json_object *o = observe(r, c, nb_own_domain(r, doms[i]), &samples[nsamples]);

        if (o != NULL) {
            json_object_array_add(list, o);
            nsamples++;
        }
    }
    virResetLastError();
    qsort(samples, (size_t)nsamples, sizeof(*samples), by_uuid);
    free(c->samples);
    c->samples = samples;
    c->nsamples = nsamples;
    /* A host that cannot be listed shows no guests: its created guests are reported lost. */
    (void)nb_db_query(r, NB_Q_GUESTS_OBSERVE, nb_arena_printf(r->arena, "%lld", (long long)c->id),
                      rc->id, json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN));
}
