/* The FastCGI limit for `make bench`: the smallest libfcgi responder, with the same socket
 * setup as nimbus-api (app/main_api.c, app/master.c, app/worker.c): the parent binds a unix
 * socket with FCGX_OpenSocket, forks N workers, and each runs one FCGX_Accept_r loop.
 *
 *   cc -O2 -o hello hello.c -lfcgi
 *   hello <socket path> <workers> [pidfile]
 *
 * SIGTERM (or SIGINT) to the parent stops the workers and removes the socket. */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BODY "{\"error_code\":0,\"message\":\"\",\"data\":\"hello\"}"

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
    (void)sig;
    stopping = 1;
    FCGX_ShutdownPending();
}

static int
worker(int fd)
{
    static const char reply[] = "Status: 200 OK\r\nContent-Type: application/json\r\n"
                                "Content-Length: 44\r\n\r\n" BODY;
    FCGX_Request q;

    _Static_assert(sizeof(BODY) - 1 == 44, "Content-Length must match the body");
    FCGX_InitRequest(&q, fd, 0);
    while (!stopping && FCGX_Accept_r(&q) >= 0) {
        FCGX_PutStr(reply, (int)sizeof(reply) - 1, q.out);
        FCGX_Finish_r(&q);
    }
    FCGX_Free(&q, 0);
    return 0;
}

int
main(int argc, char **argv)
{
    struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART: accept must return */
    pid_t pids[256];
    char *end = NULL;
    long n = argc >= 3 ? strtol(argv[2], &end, 10) : 0;
    int fd;

    if (argc < 3 || end == argv[2] || *end != '\0' || n < 1 || n > 256) {
        (void)fprintf(stderr, "usage: hello <socket path> <workers 1-256> [pidfile]\n");
        return 2;
    }
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    (void)signal(SIGPIPE, SIG_IGN); /* fails only for an invalid signal number */
    FCGX_Init();
    unlink(argv[1]);
    if ((fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
        (void)fprintf(stderr, "hello: cannot listen on %s\n", argv[1]);
        return 1;
    }
    chmod(argv[1], 0666); /* nginx's workers may run as another user */
    for (int i = 0; i < n; i++) {
        if ((pids[i] = fork()) == 0)
            _exit(worker(fd));
    }
    if (argc > 3) {
        FILE *f = fopen(argv[3], "w");

        if (f == NULL || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
            (void)fprintf(stderr, "hello: cannot write %s\n", argv[3]);
    }
    while (!stopping)
        pause();
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            waitpid(pids[i], NULL, 0);
    unlink(argv[1]);
    return 0;
}
