/* Secrets: random tokens from getrandom(2) and argon2id password hashes. */
#ifndef NB_SECRET_H
#define NB_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "app/arena.h"

/* Fills buf from the kernel's CSPRNG; aborts if it cannot (never returns weak bytes). */
void nb_random_bytes(void *buf, size_t n);
/* 2*bytes lowercase hex digits of fresh randomness; bytes is at most 64. */
char *nb_random_hex(struct nb_arena *a, size_t bytes);
/* The argon2id encoded hash ($argon2id$v=19$m=…) of password with a fresh salt. */
char *nb_password_hash(struct nb_arena *a, const char *password);
/* Whether password matches the encoded hash; false for a malformed hash. */
bool nb_password_verify(const char *encoded, const char *password);

/* Credentials are 160-bit random values, shown as 40 hex digits (a Waldur token's shape). */
#define NB_TOKEN_BYTES 20

#endif
