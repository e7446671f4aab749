/* Operator endpoints outside every dialect: /healthz (database check), /metrics, and the
 * monitor channel check nginx asks for before a console's WebSocket (db/monitor.c). */
#include <string.h>

#include "app/metrics.h"
#include "db/db.h"
#include "db/monitor.h"
#include "routes/dialects.h"
#include "routes/drf.h"

#define CHANNEL_PATH "/monitor_channels/"
#define NANO_MOUNT "/api/v1" /* the real frontend's path for channels, the portal's too */

/* How a refusal ends the message "monitor channel <id> ...". */
static const char *const refusals[NB_CHANNEL__MAX] = {
    [NB_CHANNEL_UNKNOWN] = "not found",
    [NB_CHANNEL_USED] = "was already used",
    [NB_CHANNEL_EXPIRED] = "has expired",
    [NB_CHANNEL_STALE] = "is stale: the guest stopped or its display moved",
};

/* nginx's auth_request for [/api/v1]/monitor_channels/<id> (internal location
 * /_nimbus/monitor_auth, which alone sets NIMBUS_MONITOR_AUTH; REQUEST_URI is the client's). 204
 * takes the channel; 403 with X-Nimbus-Error refuses it, and nginx answers the client in Nano's
 * shape. */
static int
ops_monitor_auth(struct nb_req *r)
{
    const char *marker = r->param(r, "NIMBUS_MONITOR_AUTH"), *uri = r->param(r, "REQUEST_URI");
    const char *id;
    size_t len;
    enum nb_channel_state state;
    const char *why;

    if (uri != NULL && strncmp(uri, NANO_MOUNT CHANNEL_PATH, strlen(NANO_MOUNT CHANNEL_PATH)) == 0)
        uri += strlen(NANO_MOUNT);
    if (marker == NULL || strcmp(marker, "1") != 0 || uri == NULL ||
        strncmp(uri, CHANNEL_PATH, strlen(CHANNEL_PATH)) != 0)
        return nb_fail(r, NB_E_NOT_FOUND, "no API is mounted at this path");
    id = uri + strlen(CHANNEL_PATH);
    len = strcspn(id, "/?");
    if (!nb_monitor_channel_id_valid(id, len)) {
        why = "monitor channel not found";
    } else {
        id = nb_arena_strndup(r->arena, id, len);
        if (nb_monitor_channel_take(r, id, &state) < 0)
            return -1;
        if (state == NB_CHANNEL_TAKEN) {
            r->status = 204;
            return 0;
        }
        why = nb_arena_printf(r->arena, "monitor channel %s %s", id, refusals[state]);
    }
    nb_reply_header(r, "X-Nimbus-Error", why);
    return nb_fail(r, NB_E_FORBIDDEN, "%s", why);
}

static int
ops_health(struct nb_req *r)
{
    struct json_object *o = json_object_new_object();

    if (nb_db_ping(r) < 0) {
        json_object_put(o);
        return -1;
    }
    json_object_object_add(o, "status", json_object_new_string("ok"));
    return nb_reply(r, 200, o);
}

static int
ops_metrics(struct nb_req *r)
{
    r->reply_text = nb_metrics_render(r);
    r->reply_type = "text/plain; version=0.0.4";
    r->status = 200;
    return 0;
}

/* Operators read DRF's words for the errors the dispatcher finds, as the dialects' clients do. */
static nb_wording *const ops_words[] = {nb_drf_words, NULL};

static void
ops_error(struct nb_req *r)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "status", json_object_new_string(nb_status_name[r->err.status]));
    json_object_object_add(o, "detail", json_object_new_string(nb_error_text(r, ops_words)));
    nb_reply(r, nb_status_http[r->err.status], o);
}

static const struct nb_route ops_routes[] = {
    {NB_GET, "^/healthz$", ops_health, NULL, NB_CAP_PUBLIC, NULL},
    {NB_GET, "^/metrics$", ops_metrics, NULL, NB_CAP_PUBLIC, NULL},
    /* nginx's auth_request before a monitor channel's WebSocket (internal location only). */
    {NB_GET, "^/_nimbus/monitor_auth$", ops_monitor_auth, NULL, NB_CAP_PUBLIC, NULL},
};

static const char *const ops_mounts[] = {"/healthz", "/metrics", "/_nimbus/", NULL};

/* ops_error's status names for the statuses nginx answers itself. */
static const char ops_edge_maps[] = "map $status $nimbus_error_ops {\n"
                                    "    400     invalid;\n"
                                    "    403     forbidden;\n"
                                    "    404     not_found;\n"
                                    "    405     method;\n"
                                    "    413     too_large;\n"
                                    "    414     invalid;\n"
                                    "    429     too_many_requests;\n"
                                    "    500     internal;\n"
                                    "    default unavailable;\n"
                                    "}\n";

const struct nb_dialect nb_ops_dialect = {
    .name = "ops",
    .mounts = ops_mounts,
    NB_ROUTES(ops_routes),
    .render_error = ops_error,
    .no_credential = "",
    .bad_credential = "",
    .edge_error = "{\"status\": \"$nimbus_error_ops\", \"detail\": \"$nimbus_error_message\"}",
    .edge_maps = ops_edge_maps,
};
