/* Nano's InstanceData and InstanceStatus documents, written from guest rows as JSON text
 * (app/json_text.h): the hottest replies, a page of them 4,500 values. */
#include "app/json_text.h"
#include "routes/nano/nano.h"

static void
put_str(struct nb_jw *w, const char *key, const struct nb_guest *g, enum nb_guest_col c)
{
    nb_jw_string(w, key, nb_guest_str(g, c));
}

static void
put_int(struct nb_jw *w, const char *key, const struct nb_guest *g, enum nb_guest_col c)
{
    const char *text = nb_guest_str(g, c);

    nb_jw_raw(w, key, text[0] != '\0' ? text : "0"); /* NULL reads as "" */
}

static void
put_bool(struct nb_jw *w, const char *key, const struct nb_guest *g, enum nb_guest_col c)
{
    nb_jw_bool(w, key, nb_guest_bool(g, c));
}

static void
qos(struct nb_jw *w, const struct nb_guest *g)
{
    nb_jw_open(w, "qos", '{');
    put_str(w, "cpu_priority", g, NB_GC_CPU_PRIORITY);
    put_int(w, "write_speed", g, NB_GC_QOS_WRITE_SPEED);
    put_int(w, "write_iops", g, NB_GC_QOS_WRITE_IOPS);
    put_int(w, "read_speed", g, NB_GC_QOS_READ_SPEED);
    put_int(w, "read_iops", g, NB_GC_QOS_READ_IOPS);
    put_int(w, "receive_speed", g, NB_GC_QOS_RECEIVE_SPEED);
    put_int(w, "send_speed", g, NB_GC_QOS_SEND_SPEED);
    nb_jw_close(w, '}');
}

/* The internal interface: the address the guest was given (requested or allocated). */
static void
internal(struct nb_jw *w, const struct nb_guest *g)
{
    const char *allocated = nb_guest_str(g, NB_GC_ALLOCATED_ADDRESS);

    nb_jw_open(w, "internal", '{');
    if (allocated[0] != '\0')
        nb_jw_string(w, "network_address", allocated);
    else
        put_str(w, "network_address", g, NB_GC_NETWORK_ADDRESS);
    put_str(w, "display_address", g, NB_GC_DISPLAY_ADDRESS);
    if (allocated[0] != '\0')
        nb_jw_string(w, "allocated_address", allocated);
    nb_jw_close(w, '}');
}

static void
guest(struct nb_jw *w, const struct nb_guest *g, bool with_status)
{
    nb_jw_open(w, NULL, '{');
    put_str(w, "id", g, NB_GC_ID);
    put_str(w, "name", g, NB_GC_NAME);
    put_str(w, "owner", g, NB_GC_OWNER);
    put_str(w, "group", g, NB_GC_GROUP);
    put_str(w, "pool", g, NB_GC_POOL);
    put_str(w, "cell", g, NB_GC_CELL);
    put_str(w, "host", g, NB_GC_HOST);
    put_bool(w, "created", g, NB_GC_CREATED);
    put_bool(w, "running", g, NB_GC_RUNNING);
    put_bool(w, "lost", g, NB_GC_LOST);
    put_bool(w, "migrating", g, NB_GC_MIGRATING);
    if (!nb_guest_bool(g, NB_GC_CREATED))
        put_int(w, "progress", g, NB_GC_PROGRESS);
    put_int(w, "cores", g, NB_GC_CORES);
    put_int(w, "memory", g, NB_GC_MEMORY);
    put_int(w, "total_disk", g, NB_GC_TOTAL_DISK);
    nb_jw_raw(w, "disks", nb_guest_str(g, NB_GC_DISKS));
    put_bool(w, "auto_start", g, NB_GC_AUTO_START);
    put_str(w, "system", g, NB_GC_SYSTEM);
    put_str(w, "template", g, NB_GC_TEMPLATE);
    put_str(w, "ethernet_address", g, NB_GC_MAC);
    put_str(w, "display_protocol", g, NB_GC_DISPLAY_PROTOCOL);
    put_str(w, "monitor_secret", g, NB_GC_MONITOR_SECRET);
    put_str(w, "create_time", g, NB_GC_CREATE_TIME);
    internal(w, g);
    qos(w, g);
    if (with_status) {
        nb_jw_double(w, "cpu_usage", nb_guest_double(g, NB_GC_CPU_USAGE));
        put_int(w, "memory_available", g, NB_GC_MEMORY_AVAILABLE);
        put_int(w, "disk_available", g, NB_GC_DISK_AVAILABLE);
        put_int(w, "bytes_read", g, NB_GC_BYTES_READ);
        put_int(w, "bytes_written", g, NB_GC_BYTES_WRITTEN);
        put_int(w, "bytes_received", g, NB_GC_BYTES_RECEIVED);
        put_int(w, "bytes_sent", g, NB_GC_BYTES_SENT);
        put_bool(w, "media_attached", g, NB_GC_MEDIA_ATTACHED);
        put_str(w, "media_source", g, NB_GC_MEDIA_SOURCE);
    }
    nb_jw_close(w, '}');
}

/* What the deferred writers need; the result lives as long as the request. */
struct rows {
    const PGresult *res;
    int row; /* -1: every row, as an array */
    bool with_status;
};

static void
write_rows(struct nb_jw *w, const void *ctx)
{
    const struct rows *d = ctx;

    if (d->row >= 0) {
        guest(w, &(struct nb_guest){d->res, d->row}, d->with_status);
        return;
    }
    nb_jw_open(w, NULL, '[');
    for (int i = 0; i < PQntuples(d->res); i++)
        guest(w, &(struct nb_guest){d->res, i}, d->with_status);
    nb_jw_close(w, ']');
}

struct json_object *
nano_guest_json(const struct nb_guest *g, bool with_status)
{
    return nb_json_text(write_rows, &(struct rows){g->res, g->row, with_status},
                        sizeof(struct rows));
}

struct json_object *
nano_guest_list_json(const PGresult *res, bool with_status)
{
    return nb_json_text(write_rows, &(struct rows){res, -1, with_status}, sizeof(struct rows));
}
