/* Unit tests for app/arena.c: zeroed aligned allocations, resets, deferred cleanups and
 * file removals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/arena.h"

#define BLOCK 1024

/* Records the order cleanups ran in: each cleanup appends its tag. */
struct trail {
    int order[16];
    int n;
};

struct mark {
    struct trail *trail;
    int tag;
};

static void
record(void *p)
{
    struct mark *m = p;

    assert_true(m->trail->n < 16);
    m->trail->order[m->trail->n++] = m->tag;
}

static bool
all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

static bool
aligned(const void *p)
{
    return (uintptr_t)p % _Alignof(max_align_t) == 0;
}

static void
alloc_is_zeroed_and_aligned(void **state)
{
    struct nb_arena *a = nb_arena_new(BLOCK);
    size_t sizes[] = {1, 3, 7, 16, 17, 33, 100, 255};

    (void)state;
    /* Dirty the block first so zeroing is observable on reuse after reset. */
    memset(nb_arena_alloc(a, BLOCK / 2), 0xAB, BLOCK / 2);
    nb_arena_reset(a);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *p = nb_arena_alloc(a, sizes[i]);

        assert_non_null(p);
        assert_true(aligned(p));
        assert_true(all_zero(p, sizes[i]));
        memset(p, 0xCD, sizes[i]);
    }
    nb_arena_free(a);
}

static void
many_small_allocations_survive(void **state)
{
    struct nb_arena *a = nb_arena_new(BLOCK);
    enum { N = 1000 }; /* far more than one block holds: forces new blocks */
    unsigned *p[N];

    (void)state;
    for (unsigned i = 0; i < N; i++) {
        p[i] = nb_arena_alloc(a, sizeof(unsigned) * 4);
        assert_true(aligned(p[i]));
        assert_true(all_zero((const unsigned char *)p[i], sizeof(unsigned) * 4));
        for (int k = 0; k < 4; k++)
            p[i][k] = i * 4 + (unsigned)k;
    }
    for (unsigned i = 0; i < N; i++)
        for (int k = 0; k < 4; k++)
            assert_int_equal(p[i][k], i * 4 + (unsigned)k);
    assert_true(nb_arena_footprint(a) > BLOCK);
    nb_arena_free(a);
}

static void
oversized_allocation_survives(void **state)
{
    struct nb_arena *a = nb_arena_new(BLOCK);
    size_t big = BLOCK * 10 + 5;
    unsigned char *small1 = nb_arena_alloc(a, 24);
    unsigned char *huge;
    unsigned char *small2;
    size_t before;

    (void)state;
    memset(small1, 0x11, 24);
    huge = nb_arena_alloc(a, big);
    assert_true(aligned(huge));
    assert_true(all_zero(huge, big));
    memset(huge, 0x22, big);
    assert_true(nb_arena_footprint(a) >= BLOCK + big);
    /* The first block still has room: a small allocation must not take a new block. */
    before = nb_arena_footprint(a);
    (void)nb_arena_alloc(a, 64);
    assert_int_equal(nb_arena_footprint(a), before);
    /* The oversized block must not take over small allocations, nor be overwritten by them. */
    for (int i = 0; i < 200; i++) {
        small2 = nb_arena_alloc(a, 40);
        assert_true(all_zero(small2, 40));
        memset(small2, 0x33, 40);
    }
    for (size_t i = 0; i < big; i++)
        assert_int_equal(huge[i], 0x22);
    for (size_t i = 0; i < 24; i++)
        assert_int_equal(small1[i], 0x11);
    nb_arena_free(a);
}

static void
reset_runs_cleanups_lifo_once(void **state)
{
    struct nb_arena *a = nb_arena_new(BLOCK);
    struct trail t = {{0}, 0};
    struct mark m[3] = {{&t, 1}, {&t, 2}, {&t, 3}};

    (void)state;
    for (int i = 0; i < 3; i++)
        nb_arena_defer(a, record, &m[i]);
    assert_int_equal(t.n, 0);
    nb_arena_reset(a);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.order[0], 3);
    assert_int_equal(t.order[1], 2);
    assert_int_equal(t.order[2], 1);
    nb_arena_reset(a);
    assert_int_equal(t.n, 3);
    nb_arena_free(a);
    assert_int_equal(t.n, 3);
}

static void
reset_keeps_first_block_only(void **state)
{
    struct nb_arena *a = nb_arena_new(BLOCK);

    (void)state;
    assert_int_equal(nb_arena_footprint(a), BLOCK);
    (void)nb_arena_alloc(a, BLOCK * 8);
    for (int i = 0; i < 100; i++)
        (void)nb_arena_alloc(a, 64);
    assert_true(nb_arena_footprint(a) > BLOCK * 8);
    nb_arena_reset(a);
    assert_int_equal(nb_arena_footprint(a), BLOCK);
    /* The kept block is served from its start again: filling it takes no new block. */
    for (size_t i = 0; i < BLOCK / 64; i++)
        assert_true(all_zero(nb_arena_alloc(a, 64), 64));
    assert_int_equal(nb_arena_footprint(a), BLOCK);
    nb_arena_reset(a);
    /* The kept block is usable again, and the cycle repeats without growth. */
    for (int round = 0; round < 3; round++) {
        unsigned char *p = nb_arena_alloc(a, BLOCK * 4);

        assert_true(all_zero(p, BLOCK * 4));
        memset(p, 0xEE, BLOCK * 4);
        nb_arena_reset(a);
        assert_int_equal(nb_arena_footprint(a), BLOCK);
    }
    nb_arena_free(a);
}

static void
string_helpers(void **state)
{
    struct nb_arena *a = nb_arena_new(64);
    const char *src = "hello, arena";
    char *d = nb_arena_strdup(a, src);
    char *n = nb_arena_strndup(a, src, 5);
    char *z = nb_arena_strndup(a, src, 0);
    char *e = nb_arena_strdup(a, "");
    char *f = nb_arena_printf(a, "%s-%d-%05.1f-%x", "id", -42, 3.14159, 255u);
    char longer[300];
    char *g;

    (void)state;
    assert_string_equal(d, src);
    assert_ptr_not_equal(d, src);
    assert_string_equal(n, "hello");
    assert_string_equal(z, "");
    assert_string_equal(e, "");
    assert_string_equal(f, "id--42-003.1-ff");
    /* Longer than the block: printf must size the result, not truncate it. */
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    g = nb_arena_printf(a, "<%s>", longer);
    assert_int_equal(strlen(g), sizeof(longer) + 1);
    assert_int_equal(g[0], '<');
    assert_int_equal(g[sizeof(longer)], '>');
    assert_int_equal(g[150], 'x');
    /* The earlier strings are intact after the later allocations. */
    assert_string_equal(d, src);
    assert_string_equal(n, "hello");
    nb_arena_free(a);
}

static void
free_runs_remaining_cleanups(void **state)
{
    struct nb_arena *a = nb_arena_new(BLOCK);
    struct trail t = {{0}, 0};
    struct mark m[3] = {{&t, 1}, {&t, 2}, {&t, 3}};

    (void)state;
    nb_arena_defer(a, record, &m[0]);
    nb_arena_reset(a);
    assert_int_equal(t.n, 1);
    nb_arena_defer(a, record, &m[1]);
    nb_arena_defer(a, record, &m[2]);
    nb_arena_free(a);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.order[0], 1);
    assert_int_equal(t.order[1], 3);
    assert_int_equal(t.order[2], 2);
    nb_arena_free(NULL); /* tolerated, like free(NULL) */
}

static void
deferred_unlink_removes_the_file_at_reset(void **state)
{
    struct nb_arena *a = nb_arena_new(BLOCK);
    char path[] = "/tmp/nimbus-arena-XXXXXX";
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(close(fd), 0);
    nb_arena_defer_unlink(a, nb_arena_strdup(a, path));
    assert_int_equal(access(path, F_OK), 0); /* not before the reset */
    nb_arena_reset(a);
    assert_int_equal(access(path, F_OK), -1);
    /* a file renamed away (or never made) is no error */
    nb_arena_defer_unlink(a, "/tmp/nimbus-arena-no-such-file");
    nb_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_is_zeroed_and_aligned),
        cmocka_unit_test(many_small_allocations_survive),
        cmocka_unit_test(oversized_allocation_survives),
        cmocka_unit_test(reset_runs_cleanups_lifo_once),
        cmocka_unit_test(reset_keeps_first_block_only),
        cmocka_unit_test(string_helpers),
        cmocka_unit_test(free_runs_remaining_cleanups),
        cmocka_unit_test(deferred_unlink_removes_the_file_at_reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
