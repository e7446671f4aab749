/* Operator endpoints outside every dialect: /healthz (database check) and /metrics. */
#include "db/db.h"
#include "app/metrics.h"
#include "routes/dialects.h"
#include "routes/drf.h"
#include "routes/nano/nano.h"

static int
ops_health(struct nb_req *r)
{
    struct json_object *o = json_object_new_object();

    if (nb_db_query(r, NB_Q_PING, NULL) == NULL) {
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
    {NB_GET, "^/_nimbus/monitor_auth$", nb_monitor_channel_consume, NULL, NB_CAP_PUBLIC, NULL},
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
