/* Unit tests for app/credential_cache.c: hits, misses, expiry, invalidation, oversized names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "app/arena.h"
#include "app/credential_cache.h"

static const struct nb_user alice = {
    .id = 42,
    .id_text = "42",
    .uuid = "0123456789abcdef0123456789abcdef",
    .name = "alice",
    .group = "staff",
    .is_admin = false,
    .shared_group = "7",
    .roles = "instance,log",
};

static int
setup(void **state)
{
    *state = nb_arena_new(1024);
    nb_credential_cache_invalidate(); /* nothing left over from the previous test */
    return 0;
}

static int
teardown(void **state)
{
    nb_arena_free(*state);
    return 0;
}

static void
test_hit_returns_the_user_it_was_given(void **state)
{
    struct nb_user u = {0};

    nb_credential_cache_put("token-a", &alice, 30);
    assert_true(nb_credential_cache_get("token-a", &u, *state));
    assert_int_equal(u.id, 42);
    assert_string_equal(u.id_text, "42");
    assert_string_equal(u.uuid, alice.uuid);
    assert_string_equal(u.name, "alice");
    assert_string_equal(u.group, "staff");
    assert_false(u.is_admin);
    assert_string_equal(u.shared_group, "7");
    assert_string_equal(u.roles, "instance,log");
}

static void
test_user_without_group_keeps_null_group(void **state)
{
    struct nb_user lone = alice, u = {0};

    lone.group = NULL;
    lone.shared_group = NULL;
    lone.is_admin = true;
    nb_credential_cache_put("token-b", &lone, 30);
    assert_true(nb_credential_cache_get("token-b", &u, *state));
    assert_null(u.group);
    assert_null(u.shared_group);
    assert_true(u.is_admin);
}

static void
test_other_token_misses(void **state)
{
    struct nb_user u = {0};

    nb_credential_cache_put("token-a", &alice, 30);
    assert_false(nb_credential_cache_get("token-A", &u, *state));
    assert_false(nb_credential_cache_get("", &u, *state));
}

static void
test_invalidate_forgets_everything(void **state)
{
    struct nb_user u = {0};

    nb_credential_cache_put("token-a", &alice, 30);
    nb_credential_cache_put("token-c", &alice, 30);
    nb_credential_cache_invalidate();
    assert_false(nb_credential_cache_get("token-a", &u, *state));
    assert_false(nb_credential_cache_get("token-c", &u, *state));
    /* and it remembers again afterwards */
    nb_credential_cache_put("token-a", &alice, 30);
    assert_true(nb_credential_cache_get("token-a", &u, *state));
}

static void
test_nothing_is_kept_for_an_expired_ttl(void **state)
{
    struct nb_user u = {0};

    nb_credential_cache_put("token-a", &alice, 0);
    assert_false(nb_credential_cache_get("token-a", &u, *state));
    nb_credential_cache_put("token-a", &alice, -5);
    assert_false(nb_credential_cache_get("token-a", &u, *state));
}

static void
test_entry_ends_with_its_credential(void **state)
{
    struct nb_user u = {0};
    struct timespec pause = {.tv_nsec = 60 * 1000 * 1000};

    nb_credential_cache_put("token-a", &alice, 0.02);
    nanosleep(&pause, NULL);
    assert_false(nb_credential_cache_get("token-a", &u, *state));
}

static void
test_replacing_an_entry_with_an_unstorable_user_forgets_it(void **state)
{
    struct nb_user long_name = alice, u = {0};
    char name[100];

    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    long_name.name = name;
    nb_credential_cache_put("token-a", &alice, 30);
    nb_credential_cache_put("token-a", &long_name, 30);
    assert_false(nb_credential_cache_get("token-a", &u, *state));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_returns_the_user_it_was_given, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_without_group_keeps_null_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_token_misses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalidate_forgets_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_is_kept_for_an_expired_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_ends_with_its_credential, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replacing_an_entry_with_an_unstorable_user_forgets_it,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
