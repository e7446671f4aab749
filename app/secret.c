/* getrandom-backed tokens and argon2id (OWASP parameters: 19 MiB, t=2, p=1). */
#include "app/secret.h"

#include <argon2.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define ARGON_T 2
#define ARGON_M_KIB 19456
#define ARGON_P 1
#define SALT_LEN 16
#define HASH_LEN 32

void
nb_random_bytes(void *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t k = getrandom((char *)buf + got, n - got, 0);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            abort();
        got += (size_t)k;
    }
}

char *
nb_random_hex(struct nb_arena *a, size_t bytes)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[64];
    char *s;

    if (bytes > sizeof(raw))
        abort();
    nb_random_bytes(raw, bytes);
    s = nb_arena_alloc(a, bytes * 2 + 1);
    for (size_t i = 0; i < bytes; i++) {
        s[2 * i] = digits[raw[i] >> 4];
        s[2 * i + 1] = digits[raw[i] & 15];
    }
    return s;
}

char *
nb_password_hash(struct nb_arena *a, const char *password)
{
    unsigned char salt[SALT_LEN];
    size_t len = argon2_encodedlen(ARGON_T, ARGON_M_KIB, ARGON_P, SALT_LEN, HASH_LEN, Argon2_id);
    char *out = nb_arena_alloc(a, len);

    nb_random_bytes(salt, sizeof(salt));
    if (argon2id_hash_encoded(ARGON_T, ARGON_M_KIB, ARGON_P, password, strlen(password), salt,
                              sizeof(salt), HASH_LEN, out, len) != ARGON2_OK)
        abort();
    return out;
}

bool
nb_password_verify(const char *encoded, const char *password)
{
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}
