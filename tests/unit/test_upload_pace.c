/* Unit tests for app/upload_pace.c: when the API counts as busy, and the shared timeline of
 * the upload workers' bookings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/upload_pace.h"

#define S 1000000000LL
#define MIB (1024 * 1024)

static void
test_busy_only_within_the_window_after_a_request(void **state)
{
    (void)state;
    assert_false(nb_upload_busy(0, 5 * S)); /* no request ever */
    assert_true(nb_upload_busy(5 * S, 5 * S));
    assert_true(nb_upload_busy(5 * S, 5 * S + NB_UPLOAD_BUSY_WINDOW_NS - 1));
    assert_false(nb_upload_busy(5 * S, 5 * S + NB_UPLOAD_BUSY_WINDOW_NS));
    assert_false(nb_upload_busy(5 * S, 60 * S));
}

static void
test_a_booking_on_an_empty_timeline_starts_now(void **state)
{
    (void)state;
    /* 1 MiB read at once at 64 MiB/s: 1/64 s from when the read began, whatever ended long
     * ago. */
    assert_int_equal(nb_upload_book(0, 10 * S, MIB, 64 * MIB), 10 * S + S / 64);
    assert_int_equal(nb_upload_book(3 * S, 10 * S, MIB, 64 * MIB), 10 * S + S / 64);
}

static void
test_bookings_queue_after_each_other(void **state)
{
    int64_t until = 0;

    (void)state;
    /* Four workers read 256 KiB each at the same instant: together they take 1 MiB at
     * 8 MiB/s, so the last one waits 1/8 s, and the rate of all of them is the limit. */
    for (int w = 0; w < 4; w++)
        until = nb_upload_book(until, 10 * S, 256 * 1024, 8 * MIB);
    assert_int_equal(until, 10 * S + S / 8);
    /* A booking made later, while the timeline is still booked, goes after it. */
    assert_int_equal(nb_upload_book(until, 10 * S + 1, MIB, 8 * MIB), 10 * S + S / 8 + S / 8);
}

static void
test_the_time_a_read_took_counts(void **state)
{
    (void)state;
    /* A client sending at exactly the rate: 256 KiB at 64 MiB/s take 1/256 s to arrive, and
     * the booking made when they have ends then — no sleep on top of the wait. */
    assert_int_equal(nb_upload_book(0, 10 * S - S / 256, 256 * 1024, 64 * MIB), 10 * S);
    /* A read begun before the bookings of others ends after them. */
    assert_int_equal(nb_upload_book(10 * S, 9 * S, MIB, 64 * MIB), 10 * S + S / 64);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_only_within_the_window_after_a_request),
        cmocka_unit_test(test_a_booking_on_an_empty_timeline_starts_now),
        cmocka_unit_test(test_bookings_queue_after_each_other),
        cmocka_unit_test(test_the_time_a_read_took_counts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
