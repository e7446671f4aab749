/* A worker: one FastCGI request at a time, one arena reset per request. */
#include "app/worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "app/auth.h"
#include "app/clock.h"
#include "app/credential_cache.h"
#include "app/log.h"
#include "app/metrics.h"
#include "app/request.h"
#include "app/upload_pace.h"
#include "app/validate.h"
#include "db/db.h"

static volatile sig_atomic_t stopping;
static bool paced;             /* this worker's pool reads bodies at app/upload_pace.h's pace */
static const char *public_url; /* nb_public_url(), checked by the master before any fork */
static const char *const credential_channels[] = {NB_CREDENTIAL_CHANNEL, NULL};

static void
on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static const char *
param(struct nb_req *r, const char *name)
{
    return FCGX_GetParam(name, ((FCGX_Request *)r->transport)->envp);
}

static const char *
reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 503:
        return "Service Unavailable";
    default:
        return status < 400 ? "OK" : "Error";
    }
}

const char *
nb_public_url(void)
{
    static char url[512];
    const char *v = getenv("NIMBUS_PUBLIC_URL"), *port = getenv("NIMBUS_HTTPS_PORT"), *host;
    int n;

    if (v != NULL && v[0] != '\0')
        n = snprintf(url, sizeof(url), "%s", v);
    else
        n = snprintf(url, sizeof(url), "https://127.0.0.1:%s",
                     port != NULL && port[0] != '\0' ? port : "8443");
    if (n < 0 || (size_t)n >= sizeof(url))
        return NULL;
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
    host = strncmp(url, "https://", 8) == 0  ? url + 8
           : strncmp(url, "http://", 7) == 0 ? url + 7
                                             : NULL;
    if (host == NULL || host[0] == '\0' || host[0] == '/')
        return NULL;
    /* It goes into headers (WWW-Authenticate: Keystone uri="...") as well as bodies. */
    for (const char *p = url; *p != '\0'; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("\"'<>\\", *p) != NULL)
            return NULL;
    return url;
}

static long
read_body(struct nb_req *r, char *buf, size_t n)
{
    FCGX_Stream *in = ((FCGX_Request *)r->transport)->in;
    int64_t began = paced ? nb_upload_pace_now() : 0;
    int got = FCGX_GetStr(buf, n > INT_MAX ? INT_MAX : (int)n, in);

    if (got == 0 && FCGX_GetError(in) != 0)
        return -1;
    if (paced)
        nb_upload_pace_read((size_t)got, began);
    return got;
}

static void
read_request(struct nb_req *r, FCGX_Request *q)
{
    const char *uri;
    long long n = 0;

    /* A missing or malformed length (never from nginx) leaves n at 0: no body. */
    (void)nb_parse_int(param(r, "CONTENT_LENGTH"), 0, LLONG_MAX, &n);

    r->method_name = param(r, "REQUEST_METHOD");
    r->method = r->method_name != NULL ? nb_method_parse(r->method_name) : 0;
    uri = param(r, "DOCUMENT_URI");
    if (uri == NULL && (uri = param(r, "REQUEST_URI")) != NULL)
        uri = nb_arena_strndup(r->arena, uri, strcspn(uri, "?"));
    r->path = uri != NULL ? uri : "/";
    r->query = param(r, "QUERY_STRING");
    r->content_type = param(r, "CONTENT_TYPE");
    r->remote_addr = param(r, "REMOTE_ADDR");
    /* nginx sends only good ids; anything else on the socket is logged without one. */
    r->request_id = param(r, "HTTP_X_REQUEST_ID");
    if (!nb_request_id_ok(r->request_id))
        r->request_id = NULL;
    r->scheme_host = public_url;
    r->credential = nb_auth_credential(r);
    r->body_len = n > 0 ? (size_t)n : 0;
    /* Set only by nginx's image file locations, which stream the body to the upload pool:
     * the handler reads it as it comes, never all of it at once. */
    if (param(r, "NIMBUS_BODY_STREAM") != NULL) {
        r->body_streamed = true;
        r->read_body = read_body;
        return;
    }
    if (n <= 0)
        return;
    if (n > NB_MAX_BODY)
        return; /* refused unread by the dispatcher */
    char *body = nb_arena_alloc(r->arena, (size_t)n + 1);
    r->body_len = (size_t)FCGX_GetStr(body, (int)n, q->in);
    r->body = body;
}

/* Headers are formatted here: libfcgi's own printf lacks the C99 length modifiers. */
static void
write_response(struct nb_req *r, FCGX_Request *q)
{
    const char *text = r->reply_text;
    char head[2048];
    size_t len;
    int n;

    if (text == NULL && r->reply != NULL)
        text = json_object_to_json_string_ext(r->reply, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
    len = text != NULL ? strlen(text) : 0;
    n = snprintf(head, sizeof(head), "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n",
                 r->status, reason(r->status), r->reply_type ? r->reply_type : "application/json",
                 len);
    for (int i = 0; i < r->nheaders && n > 0 && (size_t)n < sizeof(head); i++)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "%s: %s\r\n", r->headers[i].name,
                      r->headers[i].value);
    if (n < 0 || (size_t)n >= sizeof(head) - 2)
        n = snprintf(head, sizeof(head), "Status: 500 Error\r\nContent-Length: 0\r\n");
    FCGX_PutStr(head, n, q->out);
    FCGX_PutStr("\r\n", 2, q->out);
    if (len > 0)
        FCGX_PutStr(text, (int)len, q->out);
}

/* Whether nginx gave up on the request while it waited in the queue (its client went away, or
 * a timeout): then nginx has closed the connection, and the work — an argon2id hash, say —
 * would be for nobody. */
static bool
abandoned(FCGX_Request *q)
{
    struct pollfd p = {.fd = q->ipcFd, .events = POLLRDHUP};

    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static void
serve(FCGX_Request *q, struct nb_arena *a)
{
    struct nb_req r = {.arena = a, .transport = q, .param = param, .status = 200};
    double start = nb_clock_now(), took;

    read_request(&r, q);
    if (abandoned(q)) {
        r.status = 499; /* nginx's "client closed request"; nobody reads an answer */
        nb_log_request(&r, nb_clock_now() - start);
        return;
    }
    nb_request_handle(&r);
    nb_auth_sync(false);
    write_response(&r, q);
    took = nb_clock_now() - start;
    nb_metrics_request(&r, took);
    nb_log_request(&r, took);
}

/* A large request (a 1,000-guest batch, a long list) leaves megabytes of freed heap behind
 * (libpq results, json-c objects); glibc keeps them resident unless they sit at the top of the
 * heap. Handing them back after such a request keeps every worker near its idle size; the
 * check is a walk of malloc's bins, a few microseconds. */
#define HEAP_SLACK_MAX (2 * 1024 * 1024)

static void
release_heap_slack(void)
{
    if (mallinfo2().fordblks > HEAP_SLACK_MAX)
        malloc_trim(0);
}

/* Waits for a connection with the stop signals deliverable only while waiting: a signal never
 * interrupts a request half-read or half-written (nginx would answer 502). The listening
 * socket is non-blocking, so a worker that loses the race for a connection to another one
 * comes back here instead of sleeping in accept() where a stop signal could not reach it. */
static bool
wait_for_connection(int listen_fd, const sigset_t *deliverable)
{
    struct pollfd p = {.fd = listen_fd, .events = POLLIN};

    return ppoll(&p, 1, NULL, deliverable) > 0 && !stopping;
}

int
nb_worker_run(const struct nb_pool *pool)
{
    struct sigaction sa = {.sa_handler = on_stop};
    int listen_fd = pool->fd;
    sigset_t stop, deliverable;
    FCGX_Request q;
    struct nb_arena *a;
    char comm[16];

    /* "worker" in the API pool's log lines, as always; the other pools say which they are. */
    nb_log_set_process(strcmp(pool->name, "api") == 0 ? "worker" : pool->name);
    (void)snprintf(comm, sizeof(comm), "nimbus-%s", pool->name); /* the kernel keeps 15 bytes */
    prctl(PR_SET_NAME, comm);
    paced = pool->paced;
    /* The master forked this process with its signals blocked, so a stop signal sent since
     * is pending, not lost: until here the master's handlers (libfcgi's SIGTERM handler among
     * them) would have swallowed it, and a worker stopped during a quick series of reloads
     * lived on. From now on only the stop signals are blocked, and waiting unblocks them. */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    (void)signal(SIGHUP, SIG_IGN); /* fails only for an invalid signal number */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_SETMASK, &stop, NULL);
    sigemptyset(&deliverable);
    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
    (void)signal(SIGPIPE, SIG_IGN); /* fails only for an invalid signal number */
    /* argon2id takes 19 MiB per hash (the decoy below, every log-in). With glibc's dynamic
     * mmap threshold, the first free of such a block raises the threshold to 32 MiB, so every
     * later hash comes from the heap and stays resident: ~20 MiB per worker for good. A fixed
     * threshold keeps blocks of 1 MiB and more in mmap, given back to the kernel on free. */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
    nb_db_listen(credential_channels);
    nb_db_init(getenv("NIMBUS_DB"));
    nb_auth_init();
    public_url = nb_public_url();
    a = nb_arena_new(16 * 1024);
    FCGX_InitRequest(&q, listen_fd, 0);
    while (!stopping) {
        if (!wait_for_connection(listen_fd, &deliverable) || FCGX_Accept_r(&q) < 0)
            continue; /* stopping, a spurious wake-up, or another worker took it */
        if (!paced)
            nb_upload_pace_busy();
        serve(&q, a);
        FCGX_Finish_r(&q);
        nb_arena_reset(a);
        release_heap_slack();
    }
    FCGX_Free(&q, 0);
    nb_arena_free(a);
    nb_db_close();
    return 0;
}
