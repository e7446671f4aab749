/* The master: binds nothing itself (main does), forks the pools and keeps them at strength. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/clock.h"
#include "app/log.h"
#include "app/metrics.h"
#include "app/worker.h"

#define MAX_WORKERS 256
#define MAX_BACKOFF_MS 5000
#define DRAIN_TIMEOUT_S 20

struct slot {
    const struct nb_pool *pool;
    double started, respawn_at;
    pid_t pid;
    int failures; /* consecutive deaths soon after start, for back-off */
};

static sigset_t handled;

static pid_t
spawn(const struct nb_pool *pool)
{
    pid_t pid = fork();

    if (pid == 0) /* the stop signals stay blocked until the worker has its own handlers */
        _exit(nb_worker_run(pool));
    if (pid < 0)
        nb_log_error(NULL, "fork failed: %s", strerror(errno));
    return pid;
}

/* Old workers left from a reload finish their request and exit; they are only reaped. */
static pid_t draining[MAX_WORKERS * 4];
static int ndraining;

/* The slot's worker died with status: respawn it at once, or later when it keeps dying soon
 * after its start. */
static void
schedule_respawn(struct slot *s, int status)
{
    double up = nb_clock_now() - s->started;
    int delay_ms;

    s->failures = up < 1.0 ? s->failures + 1 : 0;
    delay_ms = s->failures == 0 ? 0 : 100 << (s->failures < 6 ? s->failures : 6);
    if (delay_ms > MAX_BACKOFF_MS)
        delay_ms = MAX_BACKOFF_MS;
    s->respawn_at = nb_clock_now() + delay_ms / 1e3;
    nb_metrics_worker_restart();
    nb_log_warn(NULL, "worker %d died (%s %d) after %.1fs; respawning in %d ms", (int)s->pid,
                WIFSIGNALED(status) ? "signal" : "exit",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), up, delay_ms);
    s->pid = 0;
}

static void
reap(struct slot *slots, int n, bool stopping)
{
    pid_t pid;
    int status;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < ndraining; i++)
            if (draining[i] == pid)
                draining[i--] = draining[--ndraining];
        for (int i = 0; i < n; i++) {
            if (slots[i].pid != pid)
                continue;
            if (stopping)
                slots[i].pid = 0;
            else
                schedule_respawn(&slots[i], status);
            break;
        }
    }
}

static void
fill(struct slot *slots, int n)
{
    for (int i = 0; i < n; i++) {
        if (slots[i].pid != 0 || nb_clock_now() < slots[i].respawn_at)
            continue;
        slots[i].pid = spawn(slots[i].pool);
        slots[i].started = nb_clock_now();
        if (slots[i].pid < 0)
            slots[i].pid = 0;
    }
}

static void
reload(struct slot *slots, int n)
{
    nb_log_info(NULL, "SIGHUP: replacing %d workers", n);
    for (int i = 0; i < n; i++) {
        if (slots[i].pid == 0)
            continue;
        if (ndraining < (int)(sizeof(draining) / sizeof(draining[0])))
            draining[ndraining++] = slots[i].pid;
        kill(slots[i].pid, SIGTERM);
        slots[i] = (struct slot){.pool = slots[i].pool};
    }
    fill(slots, n);
}

static int
alive(const struct slot *slots, int n)
{
    int k = ndraining;

    for (int i = 0; i < n; i++)
        k += slots[i].pid != 0;
    return k;
}

static void
drain(struct slot *slots, int n)
{
    double deadline = nb_clock_now() + DRAIN_TIMEOUT_S;

    for (int i = 0; i < n; i++)
        if (slots[i].pid != 0)
            kill(slots[i].pid, SIGTERM);
    for (int i = 0; i < ndraining; i++)
        kill(draining[i], SIGTERM);
    while (alive(slots, n) > 0 && nb_clock_now() < deadline) {
        usleep(20000);
        reap(slots, n, true);
    }
    if (alive(slots, n) == 0)
        return;
    nb_log_warn(NULL, "workers did not drain in %ds; killing them", DRAIN_TIMEOUT_S);
    for (int i = 0; i < n; i++)
        if (slots[i].pid != 0)
            kill(slots[i].pid, SIGKILL);
    for (int i = 0; i < ndraining; i++)
        kill(draining[i], SIGKILL);
    while (alive(slots, n) > 0) {
        usleep(20000);
        reap(slots, n, true);
    }
}

int
nb_master_run(const struct nb_pool *pools, int npools)
{
    struct slot slots[MAX_WORKERS] = {0};
    struct timespec tick = {0, 100 * 1000 * 1000};
    int n = 0;

    for (int p = 0; p < npools; p++)
        for (int i = 0; i < pools[p].workers && n < MAX_WORKERS; i++)
            slots[n++].pool = &pools[p];
    nb_log_set_process("master");
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGHUP);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigprocmask(SIG_BLOCK, &handled, NULL);
    fill(slots, n);
    nb_log_info(NULL, "master %d serving with %d workers in %d pools", (int)getpid(), n, npools);
    for (;;) {
        int sig = sigtimedwait(&handled, NULL, &tick);

        if (sig == SIGTERM || sig == SIGINT) {
            nb_log_info(NULL, "%s: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            drain(slots, n);
            return 0;
        }
        if (sig == SIGHUP)
            reload(slots, n);
        reap(slots, n, false);
        fill(slots, n);
    }
}
