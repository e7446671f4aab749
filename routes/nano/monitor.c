/* Nano monitor channels: POST /monitor_channels/ {guest} → {id, protocol, username, password}.
 *
 * FastCGI cannot carry a WebSocket, so the console itself never passes through a worker:
 *   - the worker records the channel (db/monitor.c: single use, bound to the guest's current
 *     display address, expiring after NIMBUS_MONITOR_TTL seconds) and its websockify token
 *     file "<id>: host:port" under $NIMBUS_MONITOR_DIR/tokens;
 *   - nginx's location /monitor_channels/<id> first asks the worker (auth_request to the
 *     internal /_nimbus/monitor_auth) to consume the channel — 204 once, 403 after — and only
 *     then proxies the WebSocket upgrade to websockify, which looks the token up per connection
 *     (TokenFile plugin) and bridges it to the guest's VNC server. That check is the ops
 *     dialect's (routes/ops/table.c), outside every dialect's mount. */
#include "db/monitor.h"

#include <string.h>

#include "routes/nano/nano.h"

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
