/* Nano monitor channels: POST /monitor_channels/ {guest} → {id, protocol, username, password}.
 *
 * FastCGI cannot carry a WebSocket, so the console itself never passes through a worker:
 *   - the worker records the channel (db/monitor.c: single use, bound to the guest's current
 *     display address, expiring after NIMBUS_MONITOR_TTL seconds) and its websockify token
 *     file "<id>: host:port" under $NIMBUS_MONITOR_DIR/tokens;
 *   - nginx's location /monitor_channels/<id> first asks the worker (auth_request to the
 *     internal /_nimbus/monitor_auth) to consume the channel — 204 once, 403 after — and only
 *     then proxies the WebSocket upgrade to websockify, which looks the token up per connection
 *     (TokenFile plugin) and bridges it to the guest's VNC server. */
#include "db/monitor.h"

#include <string.h>

#include "routes/nano/nano.h"

#define CHANNEL_PATH "/monitor_channels/"

/* How a refusal ends the message "monitor channel <id> ...". */
static const char *const refusals[NB_CHANNEL__MAX] = {
    [NB_CHANNEL_UNKNOWN] = "not found",
    [NB_CHANNEL_USED] = "was already used",
    [NB_CHANNEL_EXPIRED] = "has expired",
    [NB_CHANNEL_STALE] = "is stale: the guest stopped or its display moved",
};

/* POST /monitor_channels/ {guest}: a channel to a running guest the caller can see. */
int
nano_monitor_channel_create(struct nb_req *r)
{
    const char *id;
    struct nb_guest g;
    struct json_object *data;

    if (nb_guest_load(r, nb_json_get_string(r->json, "guest"), &g) < 0 ||
        nb_monitor_channel_open(r, &g, &id) < 0)
        return -1;
    data = json_object_new_object();
    json_object_object_add(data, "id", json_object_new_string(id));
    json_object_object_add(data, "protocol",
                           json_object_new_string(nb_guest_str(&g, NB_GC_DISPLAY_PROTOCOL)));
    json_object_object_add(data, "username", json_object_new_string(""));
    json_object_object_add(data, "password",
                           json_object_new_string(nb_guest_str(&g, NB_GC_MONITOR_SECRET)));
    return nano_ok(r, 200, data);
}

/* nginx's auth_request for /monitor_channels/<id> (internal location /_nimbus/monitor_auth,
 * which alone sets NIMBUS_MONITOR_AUTH; REQUEST_URI is the client's). 204 takes the channel;
 * 403 with X-Nimbus-Error refuses it, and nginx answers the client in Nano's shape. */
int
nb_monitor_channel_consume(struct nb_req *r)
{
    const char *marker = r->param(r, "NIMBUS_MONITOR_AUTH"), *uri = r->param(r, "REQUEST_URI");
    const char *id;
    size_t len;
    enum nb_channel_state state;
    const char *why;

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
