/* Time for measuring intervals and deadlines: CLOCK_MONOTONIC, never stepped by the wall
 * clock. */
#ifndef NB_CLOCK_H
#define NB_CLOCK_H

/* Seconds since an arbitrary fixed point (boot), with nanosecond resolution. */
double nb_clock_now(void);

#endif
