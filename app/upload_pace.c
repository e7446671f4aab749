/* Uploads give way to API calls (app/upload_pace.h). */
#include "app/upload_pace.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>

#include "app/validate.h"

struct shared {
    _Atomic int64_t busy_at;      /* when a request of another pool last started */
    _Atomic int64_t booked_until; /* the end of the upload workers' last booking */
};

static struct shared *shared; /* NULL: nothing is paced */
static int64_t busy_rate;     /* bytes a second, all upload workers together, while busy */

int64_t
nb_upload_pace_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
nb_upload_pace_init(void)
{
    long long mib = nb_env_int("NIMBUS_UPLOAD_BUSY_RATE", 0, 1 << 20, NB_UPLOAD_BUSY_RATE_DEFAULT);
    void *p;

    if (mib == 0)
        return 0;
    p = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    shared = p;
    atomic_init(&shared->busy_at, 0);
    atomic_init(&shared->booked_until, 0);
    busy_rate = mib * 1024 * 1024;
    return 0;
}

void
nb_upload_pace_busy(void)
{
    if (shared != NULL)
        atomic_store_explicit(&shared->busy_at, nb_upload_pace_now(), memory_order_relaxed);
}

bool
nb_upload_busy(int64_t busy_at, int64_t now)
{
    return busy_at != 0 && now - busy_at < NB_UPLOAD_BUSY_WINDOW_NS;
}

int64_t
nb_upload_book(int64_t booked_until, int64_t began, size_t n, int64_t bytes_per_second)
{
    int64_t start = booked_until > began ? booked_until : began;

    return start + (int64_t)((double)n * 1e9 / (double)bytes_per_second);
}

void
nb_upload_pace_read(size_t n, int64_t began)
{
    int64_t now, until, booked;
    struct timespec ts;

    if (shared == NULL || n == 0)
        return;
    now = nb_upload_pace_now();
    if (!nb_upload_busy(atomic_load_explicit(&shared->busy_at, memory_order_relaxed), now))
        return;
    booked = atomic_load(&shared->booked_until);
    do
        until = nb_upload_book(booked, began, n, busy_rate);
    while (!atomic_compare_exchange_weak(&shared->booked_until, &booked, until));
    ts = (struct timespec){.tv_sec = until / 1000000000LL, .tv_nsec = until % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}
