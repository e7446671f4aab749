/* Monitor channel rows and their websockify token files. Token files older than a channel's
 * lifetime plus a minute (websockify reads one within milliseconds of the take) are removed,
 * and so are the rows of channels used or expired a minute ago, when the next channel is
 * made. */
#include "db/monitor.h"

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
#include "app/validate.h"
#include "db/db.h"

#define ID_HEX 32 /* 128 random bits */

/* Columns of MONITOR_CHANNEL_STATE. */
enum { STATE_USED, STATE_EXPIRED };

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
    return (int)nb_env_int("NIMBUS_MONITOR_TTL", 1, 86400, 60);
}

bool
nb_monitor_channel_id_valid(const char *id, size_t len)
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

/* A token whose row did not commit opens nothing: remove it. */
static void
withdraw_token(void *path, bool committed)
{
    if (!committed)
        (void)unlink(path);
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

        if (nb_monitor_channel_id_valid(e->d_name, strlen(e->d_name)) &&
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime < cutoff)
            (void)unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

int
nb_monitor_channel_open(struct nb_req *r, const struct nb_guest *g, const char **id)
{
    const char *name = nb_guest_str(g, NB_GC_NAME), *address;

    if (!nb_guest_bool(g, NB_GC_CREATED))
        return nb_fail(r, NB_E_CONFLICT, "guest %s is not created yet", name);
    if (!nb_guest_bool(g, NB_GC_RUNNING))
        return nb_fail(r, NB_E_CONFLICT,
                       "guest %s is not running: monitor channels need a running guest", name);
    address = nb_guest_str(g, NB_GC_DISPLAY_ADDRESS);
    if (address[0] == '\0' || strchr(address, ':') == NULL)
        return nb_fail(r, NB_E_CONFLICT, "guest %s has no display address yet", name);
    *id = nb_random_hex(r->arena, ID_HEX / 2);
    if (nb_db_begin(r) < 0 || nb_db_query(r, NB_Q_MONITOR_CHANNEL_PURGE, NULL) == NULL ||
        nb_db_query(r, NB_Q_MONITOR_CHANNEL_ADD, *id, nb_guest_str(g, NB_GC_ID), r->user.id_text,
                    address, nb_arena_printf(r->arena, "%d", channel_ttl())) == NULL ||
        write_token(r, *id, address) < 0)
        return -1;
    nb_db_on_end(withdraw_token, (void *)token_path(r, *id));
    if (nb_db_commit(r) < 0)
        return -1;
    remove_stale_tokens(r);
    return 0;
}

int
nb_monitor_channel_take(struct nb_req *r, const char *id, enum nb_channel_state *state)
{
    const PGresult *res;

    if ((res = nb_db_query(r, NB_Q_MONITOR_CHANNEL_CONSUME, id)) == NULL)
        return -1;
    if (PQntuples(res) == 1) {
        *state = NB_CHANNEL_TAKEN;
        return 0;
    }
    if ((res = nb_db_query(r, NB_Q_MONITOR_CHANNEL_STATE, id)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        *state = NB_CHANNEL_UNKNOWN;
    else if (nb_db_bool(res, 0, STATE_USED))
        *state = NB_CHANNEL_USED;
    else if (nb_db_bool(res, 0, STATE_EXPIRED))
        *state = NB_CHANNEL_EXPIRED;
    else
        *state = NB_CHANNEL_STALE;
    return 0;
}
