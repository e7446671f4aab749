/* Unit tests for the SQLSTATE → status map of db/db.c (nb_db_sqlstate). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "db/db.h"

static void
each_state_maps_to_its_status_and_reason(void **state)
{
    static const struct {
        const char *state;
        enum nb_status status;
        enum nb_reason reason;
    } cases[] = {
        {NULL, NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE},    /* no answer at all */
        {"08006", NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE}, /* connection failure */
        {"08003", NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE}, /* connection does not exist */
        {"57P01", NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE}, /* admin shutdown */
        {"57P03", NB_E_UNAVAILABLE, NB_R_DB_UNAVAILABLE}, /* cannot connect now */
        {"23505", NB_E_CONFLICT, NB_R_DUPLICATE},         /* unique violation */
        {"23P01", NB_E_CONFLICT, NB_R_OVERLAP},           /* exclusion violation */
        {"23503", NB_E_CONFLICT, NB_R_REFERENCED},        /* foreign key violation */
        {"23514", NB_E_INVALID, NB_R_BAD_VALUE},          /* check violation */
        {"22P02", NB_E_INVALID, NB_R_BAD_VALUE},          /* invalid text representation */
        {"22001", NB_E_INVALID, NB_R_BAD_VALUE},          /* string data right truncation */
        {"22003", NB_E_INVALID, NB_R_BAD_VALUE},          /* numeric value out of range */
        {"23502", NB_E_INTERNAL, NB_R_INTERNAL},          /* not-null: a bug of ours */
        {"42P01", NB_E_INTERNAL, NB_R_INTERNAL},          /* undefined table */
        {"42883", NB_E_INTERNAL, NB_R_INTERNAL},          /* undefined function */
        {"40001", NB_E_INTERNAL, NB_R_INTERNAL},          /* serialization failure */
        {"57014", NB_E_INTERNAL, NB_R_INTERNAL},          /* query cancelled: not 57P */
        {"", NB_E_INTERNAL, NB_R_INTERNAL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum nb_reason reason = NB_R_MESSAGE;
        enum nb_status st = nb_db_sqlstate(cases[i].state, &reason);

        if (st != cases[i].status || reason != cases[i].reason)
            fail_msg("%s: got %s/%s, want %s/%s", cases[i].state ? cases[i].state : "(null)",
                     nb_status_name[st], nb_reason_name[reason], nb_status_name[cases[i].status],
                     nb_reason_name[cases[i].reason]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_state_maps_to_its_status_and_reason),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
