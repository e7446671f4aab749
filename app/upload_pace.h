/* Uploads give way to API calls. A lower scheduling priority for the upload workers would order
 * only their own CPU; every byte they take, nginx has read and decrypted first (and, in a
 * benchmark on one machine, the client encrypted), as much CPU again, at normal priority. So
 * while the other pools are answering calls, the upload pool's workers take their bodies slower:
 * at most NIMBUS_UPLOAD_BUSY_RATE MiB a second, all of them together. A worker that reads slower
 * makes nginx read slower (its buffer to the worker stays full), and the client send slower;
 * when the calls stop, uploads run at full speed again. The workers themselves run at normal
 * priority, so the transaction that records an upload never holds its locks on a starved
 * process.
 *
 * The other pools stamp the time each of their requests starts in a page the master shares
 * with every worker; "busy" is a stamp younger than NB_UPLOAD_BUSY_WINDOW_NS. The pace is one
 * timeline shared by the upload workers: each read books its bytes' time from when the read
 * began (the time spent waiting for the client counts) or after the bookings before it, and
 * the worker sleeps until its booking ends. */
#ifndef NB_UPLOAD_PACE_H
#define NB_UPLOAD_PACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NB_UPLOAD_BUSY_WINDOW_NS 100000000LL /* 100 ms */
#define NB_UPLOAD_BUSY_RATE_DEFAULT 64       /* MiB/s */

/* Maps the shared page and reads NIMBUS_UPLOAD_BUSY_RATE (MiB/s; 0: never paced); call in the
 * master before the workers fork. Without it (unit tests, nimbusctl) nothing is paced. */
int nb_upload_pace_init(void);
/* A request of a pool other than the upload pool starts now. */
void nb_upload_pace_busy(void);
/* The time a read of an upload worker begins at, for nb_upload_pace_read. */
int64_t nb_upload_pace_now(void);
/* An upload worker has just read n bytes of a body in a read begun at began: sleeps as long as
 * the pace asks. */
void nb_upload_pace_read(size_t n, int64_t began);

/* The pure part, for the tests. Whether a request stamped at busy_at makes the API busy at
 * now (nanoseconds of CLOCK_MONOTONIC; 0: never stamped). */
bool nb_upload_busy(int64_t busy_at, int64_t now);
/* Books n bytes read in a read begun at began, at bytes_per_second, on a timeline whose
 * bookings end at booked_until (in the past when nothing is booked): the end of this booking,
 * which is also the new end of the timeline. */
int64_t nb_upload_book(int64_t booked_until, int64_t began, size_t n, int64_t bytes_per_second);

#endif
