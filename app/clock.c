/* The one monotonic clock reader (app/clock.h). */
#include "app/clock.h"

#include <time.h>

double
nb_clock_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
