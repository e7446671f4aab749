/* Unit tests for db/operations.c's kind table and db/db.c's check of scoped statements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "db/db.h"
#include "db/operations.h"

/* Every kind has a name of its own, and the name reads back as the kind. */
static void
kind_names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < NB_OP__MAX; k++) {
        assert_non_null(nb_op_kind_name[k]);
        assert_int_equal(nb_op_kind_parse(nb_op_kind_name[k]), k);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(nb_op_kind_name[j], nb_op_kind_name[k]);
    }
    assert_string_equal(nb_op_kind_name[NB_OP_CREATE_GUEST], "create_guest");
    assert_string_equal(nb_op_kind_name[NB_OP_SET_PASSWORD], "set_password");
}

static void
unknown_kinds_are_refused(void **state)
{
    (void)state;
    assert_int_equal(nb_op_kind_parse("reboot_guest"), -1);
    assert_int_equal(nb_op_kind_parse("create_guest "), -1);
    assert_int_equal(nb_op_kind_parse(""), -1);
    assert_int_equal(nb_op_kind_parse(NULL), -1);
}

/* A scoped call with the wrong number of parameters, or of a statement without a scope, is an
 * internal error before anything reaches the database. */
static void
scoped_calls_are_checked(void **state)
{
    struct nb_req r = {.arena = nb_arena_new(1024), .request_id = "test"};

    (void)state;
    r.scope = (struct nb_scope){"1", "f", NULL};
    assert_null(nb_db_query_scoped(&r, NB_Q_GUEST_GET, "a", "b"));
    assert_int_equal(r.err.status, NB_E_INTERNAL);
    memset(&r.err, 0, sizeof(r.err));
    assert_null(nb_db_query_scoped(&r, NB_Q_PING, "x"));
    assert_int_equal(r.err.status, NB_E_INTERNAL);
    memset(&r.err, 0, sizeof(r.err));
    r.scope.user_id = NULL;
    assert_null(nb_db_query_scoped(&r, NB_Q_GUEST_GET, "00000000-0000-0000-0000-000000000000"));
    assert_int_equal(r.err.status, NB_E_INTERNAL);
    nb_arena_free(r.arena);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kind_names_round_trip),
        cmocka_unit_test(unknown_kinds_are_refused),
        cmocka_unit_test(scoped_calls_are_checked),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
