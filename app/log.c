/* JSON-lines logger. Lines are written with one write(2) so workers never interleave. */
#include "app/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/request.h"
#include "app/router.h"

static const char *const level_names[] = {"debug", "info", "warn", "error"};
static const char *process_name = "nimbus";

void
nb_log_set_process(const char *name)
{
    process_name = name;
}

/* snprintf that never moves *at past the end of buf. */
static void __attribute__((format(printf, 4, 5)))
put(char *buf, size_t *at, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*at >= cap - 1)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *at, cap - *at, fmt, ap);
    va_end(ap);
    if (n > 0)
        *at = *at + (size_t)n < cap - 1 ? *at + (size_t)n : cap - 1;
}

/* Appends s as a JSON string body (no quotes) to buf, escaping what JSON requires. */
static size_t
escape(char *buf, size_t at, size_t cap, const char *s)
{
    for (; *s != '\0' && at + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            buf[at++] = '\\';
            buf[at++] = (char)c;
        } else if (c < 0x20) {
            put(buf, &at, cap, "\\u%04x", c);
        } else {
            buf[at++] = (char)c;
        }
    }
    return at;
}

static size_t
stamp(char *buf, size_t cap, enum nb_log_level level, const struct nb_req *r)
{
    struct timespec ts;
    struct tm tm;
    size_t at;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    at = strftime(buf, cap, "{\"ts\":\"%Y-%m-%dT%H:%M:%S", &tm);
    put(buf, &at, cap, ".%03ldZ\",\"level\":\"%s\",\"proc\":\"%s\",\"pid\":%d",
        ts.tv_nsec / 1000000, level_names[level], process_name, (int)getpid());
    if (r != NULL && r->request_id != NULL) {
        put(buf, &at, cap, ",\"request_id\":\"");
        at = escape(buf, at, cap, r->request_id);
        put(buf, &at, cap, "\"");
    }
    return at;
}

static void
finish(char *buf, size_t at, size_t cap)
{
    if (at > cap - 3)
        at = cap - 3;
    buf[at++] = '}';
    buf[at++] = '\n';
    (void)!write(STDERR_FILENO, buf, at);
}

void
nb_log(enum nb_log_level level, const struct nb_req *r, const char *fmt, ...)
{
    char buf[2048], msg[1024];
    size_t at;
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap); /* cut if longer */
    va_end(ap);
    msg[strcspn(msg, "\n")] = '\0';
    at = stamp(buf, sizeof(buf), level, r);
    put(buf, &at, sizeof(buf), ",\"msg\":\"");
    at = escape(buf, at, sizeof(buf), msg);
    put(buf, &at, sizeof(buf), "\"");
    finish(buf, at, sizeof(buf));
}

void
nb_log_request(const struct nb_req *r, double seconds)
{
    char buf[2048];
    size_t at = stamp(buf, sizeof(buf), NB_LOG_INFO, r);

    put(buf, &at, sizeof(buf), ",\"method\":\"%s\",\"path\":\"",
        r->method_name != NULL ? r->method_name : "");
    at = escape(buf, at, sizeof(buf), r->path != NULL ? nb_router_log_path(r) : "");
    put(buf, &at, sizeof(buf), "\",\"dialect\":\"%s\",\"status\":%d,\"duration_ms\":%.3f",
        r->dialect != NULL ? r->dialect->name : "", r->status, seconds * 1e3);
    if (r->user.name != NULL) {
        put(buf, &at, sizeof(buf), ",\"user\":\"");
        at = escape(buf, at, sizeof(buf), r->user.name);
        put(buf, &at, sizeof(buf), "\"");
    }
    if (r->err.status != NB_OK) {
        put(buf, &at, sizeof(buf), ",\"error\":\"%s\",\"at\":\"%s:%d\",\"detail\":\"",
            nb_status_name[r->err.status], r->err.file, r->err.line);
        at = escape(buf, at, sizeof(buf), r->err.message);
        put(buf, &at, sizeof(buf), "\"");
        if (r->err.reason != NB_R_MESSAGE)
            put(buf, &at, sizeof(buf), ",\"reason\":\"%s\"", nb_reason_name[r->err.reason]);
        if (r->err.field != NULL) {
            put(buf, &at, sizeof(buf), ",\"field\":\"");
            at = escape(buf, at, sizeof(buf), r->err.field);
            put(buf, &at, sizeof(buf), "\"");
        }
    }
    finish(buf, at, sizeof(buf));
}
