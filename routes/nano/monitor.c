/* Nano monitor channels: POST /monitor_channels/ {guest} → {id, protocol, username, password}.
 *
 * FastCGI cannot carry a WebSocket, so the console itself never passes through a worker:
 *   - the worker records the channel (single use, bound to the guest's current display address,
 *     expiring after NIMBUS_MONITOR_TTL seconds) and writes a websockify token file
 *     "<id>: host:port" under $NIMBUS_MONITOR_DIR/tokens (temporary file + rename);
 *   - nginx's location /monitor_channels/<id> first asks the worker (auth_request to the
 *     internal /_nimbus/monitor_auth) to consume the channel — 204 once, 403 after — and only
 *     then proxies the WebSocket upgrade to websockify, which looks the token up per connection
 *     (TokenFile plugin) and bridges it to the guest's VNC server.
 * Token files older than a channel's lifetime plus a minute (websockify reads one within
 * milliseconds of the consume) are removed, and so are the rows of channels used or expired a
 * minute ago, when the next channel is made. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/log.h"
#include "app/secret.h"
#include "db/db.h"
#include "routes/nano/nano.h"

#define CHANNEL_PATH "/monitor_channels/"
#define ID_HEX 32 /* 128 random bits */

/* $NIMBUS_MONITOR_DIR, else $NIMBUS_STATE_DIR/monitor: tokens/ (websockify reads) and tmp/. */
static const char *
monitor_dir(void)
{
    static char dir[PATH_MAX];
    const char *v = getenv("NIMBUS_MONITOR_DIR"), *state = getenv("NIMBUS_STATE_DIR");

    int n;

    if (dir[0] == '\0') {
        if (v != NULL && v[0] != '\0')
            n = snprintf(dir, sizeof(dir), "%s", v);
        else
            n = snprintf(dir, sizeof(dir), "%s/monitor",
                         state != NULL && state[0] != '\0' ? state : ".run");
        if (n < 0 || (size_t)n >= sizeof(dir)) {
            nb_log_error(NULL, "the monitor directory's path is longer than %zu bytes",
                         sizeof(dir) - 1);
            abort(); /* a cut path would be another directory */
        }
    }
    return dir;
}

/* Seconds a channel waits for its connection: NIMBUS_MONITOR_TTL, 60 by default. */
static int
channel_ttl(void)
{
    const char *v = getenv("NIMBUS_MONITOR_TTL");
    long ttl = v != NULL ? strtol(v, NULL, 10) : 0;

    return ttl > 0 && ttl <= 86400 ? (int)ttl : 60;
}

static bool
is_channel_id(const char *id, size_t len)
{
    return len == ID_HEX && strspn(id, "0123456789abcdef") >= ID_HEX;
}

static const char *
token_path(struct nb_req *r, const char *id)
{
    return nb_arena_printf(r->arena, "%s/tokens/%s", monitor_dir(), id);
}

/* Writes tokens/<id> atomically: the whole line lands in tmp/ first, then is renamed. */
static int
write_token(struct nb_req *r, const char *id, const char *address)
{
    const char *tmp = nb_arena_printf(r->arena, "%s/tmp/%s", monitor_dir(), id);
    const char *line = nb_arena_printf(r->arena, "%s: %s\n", id, address);
    size_t len = strlen(line);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    bool ok = fd >= 0;

    ok = ok && write(fd, line, len) == (ssize_t)len;
    ok = (fd < 0 || close(fd) == 0) && ok;
    ok = ok && rename(tmp, token_path(r, id)) == 0;
    if (!ok) {
        int e = errno;

        (void)unlink(tmp);
        return nb_fail(r, NB_E_INTERNAL, "cannot write the monitor channel token under %s: %s",
                       monitor_dir(), strerror(e));
    }
    return 0;
}

/* Removes token files no connection can use any more: older than the lifetime plus a minute
 * (a channel's rows may be gone already, with its guest). */
static void
remove_stale_tokens(struct nb_req *r)
{
    const char *dir = nb_arena_printf(r->arena, "%s/tokens", monitor_dir());
    time_t cutoff = time(NULL) - channel_ttl() - 60;
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat st;

        if (is_channel_id(e->d_name, strlen(e->d_name)) &&
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime < cutoff)
            (void)unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

/* POST /monitor_channels/ {guest}: a channel to a running guest the caller can see. */
int
nano_monitor_channel_create(struct nb_req *r)
{
    const char *guest = nb_json_get_string(r->json, "guest"), *address, *id;
    struct nb_guest g;
    struct json_object *data;

    if (nb_guest_load(r, guest, &g) < 0)
        return -1;
    if (!nb_guest_bool(&g, NB_GC_CREATED))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not created yet",
                       nb_guest_str(&g, NB_GC_NAME));
    if (!nb_guest_bool(&g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT,
                       "guest %s is not running: monitor channels need a running guest",
                       nb_guest_str(&g, NB_GC_NAME));
    address = nb_guest_str(&g, NB_GC_DISPLAY_ADDRESS);
    if (address[0] == '\0' || strchr(address, ':') == NULL)
        return nb_fail(r, NB_E_CONFLICT, "guest %s has no display address yet",
                       nb_guest_str(&g, NB_GC_NAME));
    id = nb_random_hex(r->arena, ID_HEX / 2);
    if (nb_db_begin(r) < 0 || nb_db_query(r, NB_Q_MONITOR_CHANNEL_PURGE, NULL) == NULL ||
        nb_db_query(r, NB_Q_MONITOR_CHANNEL_ADD, id, nb_guest_str(&g, NB_GC_ID), r->user.id_text,
                    address, nb_arena_printf(r->arena, "%d", channel_ttl())) == NULL ||
        write_token(r, id, address) < 0)
        return -1;
    if (nb_db_commit(r) < 0) {
        (void)unlink(token_path(r, id));
        return -1;
    }
    remove_stale_tokens(r);
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
    const PGresult *res;
    const char *why;

    if (marker == NULL || strcmp(marker, "1") != 0 || uri == NULL ||
        strncmp(uri, CHANNEL_PATH, strlen(CHANNEL_PATH)) != 0)
        return nb_fail(r, NB_E_NOT_FOUND, "no API is mounted at this path");
    id = uri + strlen(CHANNEL_PATH);
    len = strcspn(id, "/?");
    if (!is_channel_id(id, len)) {
        why = "monitor channel not found";
    } else {
        id = nb_arena_strndup(r->arena, id, len);
        if ((res = nb_db_query(r, NB_Q_MONITOR_CHANNEL_CONSUME, id)) == NULL)
            return -1;
        if (PQntuples(res) == 1) {
            r->status = 204;
            return 0;
        }
        if ((res = nb_db_query(r, NB_Q_MONITOR_CHANNEL_STATE, id)) == NULL)
            return -1;
        if (PQntuples(res) == 0)
            why = "not found";
        else if (nb_db_bool(res, 0, 0))
            why = "was already used";
        else if (nb_db_bool(res, 0, 1))
            why = "has expired";
        else
            why = "is stale: the guest stopped or its display moved";
        why = nb_arena_printf(r->arena, "monitor channel %s %s", id, why);
    }
    nb_reply_header(r, "X-Nimbus-Error", why);
    return nb_fail(r, NB_E_FORBIDDEN, "%s", why);
}
