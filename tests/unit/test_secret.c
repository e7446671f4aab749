/* Unit tests for app/secret.c: random hex tokens and argon2id password hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "app/secret.h"

static int
setup(void **state)
{
    *state = nb_arena_new(4096);
    return 0;
}

static int
teardown(void **state)
{
    nb_arena_free(*state);
    return 0;
}

static void
assert_lower_hex(const char *s, size_t len)
{
    assert_non_null(s);
    assert_int_equal(strlen(s), len);
    assert_int_equal(strspn(s, "0123456789abcdef"), len);
}

static void
random_hex_shape(void **state)
{
    struct nb_arena *a = *state;
    size_t sizes[] = {0, 1, 8, NB_TOKEN_BYTES, 32, 64};

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        assert_lower_hex(nb_random_hex(a, sizes[i]), 2 * sizes[i]);
}

static void
random_hex_differs(void **state)
{
    struct nb_arena *a = *state;
    char *first = nb_random_hex(a, NB_TOKEN_BYTES);
    char *second = nb_random_hex(a, NB_TOKEN_BYTES);

    assert_string_not_equal(first, second);
}

static void
random_hex_uses_every_digit(void **state)
{
    static const char digits[] = "0123456789abcdef";
    struct nb_arena *a = *state;
    char *s = nb_arena_alloc(a, 1025);
    unsigned seen[2] = {0, 0}; /* digits seen at even (high nibble) and odd (low) positions */

    for (int i = 0; i < 8; i++)
        memcpy(s + 128 * i, nb_random_hex(a, 64), 128);
    assert_lower_hex(s, 1024);
    /* 512 random digits miss one of 16 values with probability ~16 * (15/16)^512 ≈ 7e-14. */
    for (size_t i = 0; i < 1024; i++)
        seen[i % 2] |= 1u << (strchr(digits, s[i]) - digits);
    assert_int_equal(seen[0], 0xffff);
    assert_int_equal(seen[1], 0xffff);
}

static void
random_bytes_fill(void **state)
{
    unsigned char buf[64] = {0};
    size_t zeros = 0;

    (void)state;
    nb_random_bytes(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++)
        zeros += buf[i] == 0;
    assert_true(zeros < 16); /* ~0.25 expected */
}

static void
hash_format_and_verify(void **state)
{
    struct nb_arena *a = *state;
    static const char prefix[] = "$argon2id$v=19$m=19456,t=2,p=1$";
    char *h = nb_password_hash(a, "correct horse");
    const char *salt, *dollar;

    assert_non_null(h);
    assert_memory_equal(h, prefix, sizeof(prefix) - 1);
    /* Then "<salt>$<hash>", both unpadded base64: 16 bytes → 22 chars, 32 bytes → 43 chars. */
    salt = h + sizeof(prefix) - 1;
    dollar = strchr(salt, '$');
    assert_non_null(dollar);
    assert_int_equal(dollar - salt, 22);
    assert_int_equal(strlen(dollar + 1), 43);
    assert_true(nb_password_verify(h, "correct horse"));
    assert_false(nb_password_verify(h, "correct horsE"));
    assert_false(nb_password_verify(h, "correct horse "));
    assert_false(nb_password_verify(h, ""));
}

static void
verify_rejects_malformed_hash(void **state)
{
    struct nb_arena *a = *state;
    char *h = nb_password_hash(a, "pw");
    char *cut = nb_arena_strndup(a, h, strlen(h) - 10);
    /* A different argon2 variant's tag is not accepted by the argon2id verifier. */
    char *other = nb_arena_printf(a, "$argon2i$%s", h + strlen("$argon2id$"));

    assert_false(nb_password_verify("", "pw"));
    assert_false(nb_password_verify("not a hash", "pw"));
    assert_false(nb_password_verify("$argon2id$v=19$m=19456,t=2,p=1$", "pw"));
    assert_false(nb_password_verify(cut, "pw"));
    assert_false(nb_password_verify(other, "pw"));
    assert_true(nb_password_verify(h, "pw"));
}

static void
hashes_are_salted(void **state)
{
    struct nb_arena *a = *state;
    char *h1 = nb_password_hash(a, "same password");
    char *h2 = nb_password_hash(a, "same password");

    assert_string_not_equal(h1, h2);
    assert_true(nb_password_verify(h1, "same password"));
    assert_true(nb_password_verify(h2, "same password"));
}

static void
empty_and_long_passwords(void **state)
{
    struct nb_arena *a = *state;
    char longpw[1025];
    char *h;

    memset(longpw, 'p', sizeof(longpw) - 1);
    longpw[sizeof(longpw) - 1] = '\0';
    h = nb_password_hash(a, longpw);
    assert_true(nb_password_verify(h, longpw));
    longpw[1000] = 'q';
    assert_false(nb_password_verify(h, longpw));
    h = nb_password_hash(a, "");
    assert_true(nb_password_verify(h, ""));
    assert_false(nb_password_verify(h, "x"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(random_hex_shape),  T(random_hex_differs),       T(random_hex_uses_every_digit),
        T(random_bytes_fill), T(hash_format_and_verify),   T(verify_rejects_malformed_hash),
        T(hashes_are_salted), T(empty_and_long_passwords),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
