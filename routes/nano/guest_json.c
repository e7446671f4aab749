/* Nano's InstanceData and InstanceStatus documents, rendered from a guest row. */
#include "db/db.h"
#include "routes/nano/nano.h"

static void
put_str(struct json_object *o, const char *key, const struct nb_guest *g, enum nb_guest_col c)
{
    json_object_object_add(o, key, json_object_new_string(nb_guest_str(g, c)));
}

static void
put_int(struct json_object *o, const char *key, const struct nb_guest *g, enum nb_guest_col c)
{
    json_object_object_add(o, key, json_object_new_int64(nb_guest_int(g, c)));
}

static void
put_bool(struct json_object *o, const char *key, const struct nb_guest *g, enum nb_guest_col c)
{
    json_object_object_add(o, key, json_object_new_boolean(nb_guest_bool(g, c)));
}

static struct json_object *
qos(const struct nb_guest *g)
{
    struct json_object *o = json_object_new_object();

    put_str(o, "cpu_priority", g, NB_GC_CPU_PRIORITY);
    put_int(o, "write_speed", g, NB_GC_QOS_WRITE_SPEED);
    put_int(o, "write_iops", g, NB_GC_QOS_WRITE_IOPS);
    put_int(o, "read_speed", g, NB_GC_QOS_READ_SPEED);
    put_int(o, "read_iops", g, NB_GC_QOS_READ_IOPS);
    put_int(o, "receive_speed", g, NB_GC_QOS_RECEIVE_SPEED);
    put_int(o, "send_speed", g, NB_GC_QOS_SEND_SPEED);
    return o;
}

/* The internal interface: the address the guest was given (requested or allocated). */
static struct json_object *
internal(const struct nb_guest *g)
{
    struct json_object *o = json_object_new_object();
    const char *allocated = nb_guest_str(g, NB_GC_ALLOCATED_ADDRESS);
    const char *requested = nb_guest_str(g, NB_GC_NETWORK_ADDRESS);

    json_object_object_add(o, "network_address",
                           json_object_new_string(allocated[0] != '\0' ? allocated : requested));
    put_str(o, "display_address", g, NB_GC_DISPLAY_ADDRESS);
    if (allocated[0] != '\0')
        json_object_object_add(o, "allocated_address", json_object_new_string(allocated));
    return o;
}

struct json_object *
nano_guest_json(const struct nb_guest *g, bool with_status)
{
    struct json_object *o = json_object_new_object();

    put_str(o, "id", g, NB_GC_ID);
    put_str(o, "name", g, NB_GC_NAME);
    put_str(o, "owner", g, NB_GC_OWNER);
    put_str(o, "group", g, NB_GC_GROUP);
    put_str(o, "pool", g, NB_GC_POOL);
    put_str(o, "cell", g, NB_GC_CELL);
    put_str(o, "host", g, NB_GC_HOST);
    put_bool(o, "created", g, NB_GC_CREATED);
    put_bool(o, "running", g, NB_GC_RUNNING);
    put_bool(o, "lost", g, NB_GC_LOST);
    put_bool(o, "migrating", g, NB_GC_MIGRATING);
    if (!nb_guest_bool(g, NB_GC_CREATED))
        put_int(o, "progress", g, NB_GC_PROGRESS);
    put_int(o, "cores", g, NB_GC_CORES);
    put_int(o, "memory", g, NB_GC_MEMORY);
    put_int(o, "total_disk", g, NB_GC_TOTAL_DISK);
    json_object_object_add(o, "disks", nb_db_json(g->res, g->row, NB_GC_DISKS));
    put_bool(o, "auto_start", g, NB_GC_AUTO_START);
    put_str(o, "system", g, NB_GC_SYSTEM);
    put_str(o, "template", g, NB_GC_TEMPLATE);
    put_str(o, "ethernet_address", g, NB_GC_MAC);
    put_str(o, "display_protocol", g, NB_GC_DISPLAY_PROTOCOL);
    put_str(o, "monitor_secret", g, NB_GC_MONITOR_SECRET);
    put_str(o, "create_time", g, NB_GC_CREATE_TIME);
    json_object_object_add(o, "internal", internal(g));
    json_object_object_add(o, "qos", qos(g));
    if (!with_status)
        return o;
    json_object_object_add(o, "cpu_usage",
                           json_object_new_double(nb_guest_double(g, NB_GC_CPU_USAGE)));
    put_int(o, "memory_available", g, NB_GC_MEMORY_AVAILABLE);
    put_int(o, "disk_available", g, NB_GC_DISK_AVAILABLE);
    put_int(o, "bytes_read", g, NB_GC_BYTES_READ);
    put_int(o, "bytes_written", g, NB_GC_BYTES_WRITTEN);
    put_int(o, "bytes_received", g, NB_GC_BYTES_RECEIVED);
    put_int(o, "bytes_sent", g, NB_GC_BYTES_SENT);
    put_bool(o, "media_attached", g, NB_GC_MEDIA_ATTACHED);
    put_str(o, "media_source", g, NB_GC_MEDIA_SOURCE);
    return o;
}

struct json_object *
nano_guest_list_json(const PGresult *res, bool with_status)
{
    struct json_object *a = json_object_new_array_ext(PQntuples(res));

    for (int i = 0; i < PQntuples(res); i++) {
        struct nb_guest g = {res, i};

        json_object_array_add(a, nano_guest_json(&g, with_status));
    }
    return a;
}
