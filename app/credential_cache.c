/* A direct-mapped table of resolved credentials, keyed by the token's SHA-256 (the raw token is
 * never kept), validated by an expiry and by the generation the workers share. */
#include "app/credential_cache.h"

#include <openssl/sha.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "app/clock.h"

#define SLOTS 256
#define NAME_SIZE 65 /* names are at most 64 characters (app/validate.h) */
#define UUID_SIZE 33
#define ROLES_SIZE 512 /* a longer role list is not cached: the next request reads it again */

struct entry {
    unsigned char key[SHA256_DIGEST_LENGTH];
    unsigned long generation;
    double until;             /* CLOCK_MONOTONIC seconds; 0 marks an empty slot */
    int64_t id, shared_group; /* shared_group 0: none */
    bool is_admin, has_group;
    char uuid[UUID_SIZE], name[NAME_SIZE], group[NAME_SIZE], roles[ROLES_SIZE];
};

static struct entry slots[SLOTS];
static atomic_ulong own_generation;
static atomic_ulong *generation = &own_generation;

int
nb_credential_cache_init(void)
{
    void *p =
        mmap(NULL, sizeof(atomic_ulong), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        return -1;
    generation = p;
    atomic_init(generation, 1);
    return 0;
}

static struct entry *
slot_of(const char *token, unsigned char key[SHA256_DIGEST_LENGTH])
{
    uint32_t h;

    SHA256((const unsigned char *)token, strlen(token), key);
    memcpy(&h, key, sizeof(h));
    return &slots[h % SLOTS];
}

bool
nb_credential_cache_get(const char *token, struct nb_user *user, struct nb_arena *a)
{
    unsigned char key[SHA256_DIGEST_LENGTH];
    const struct entry *e = slot_of(token, key);

    if (e->until == 0 || memcmp(e->key, key, sizeof(key)) != 0 ||
        e->generation != atomic_load_explicit(generation, memory_order_acquire) ||
        nb_clock_now() >= e->until)
        return false;
    user->id = e->id;
    user->id_text = nb_arena_printf(a, "%lld", (long long)e->id);
    user->uuid = nb_arena_strdup(a, e->uuid);
    user->name = nb_arena_strdup(a, e->name);
    user->group = e->has_group ? nb_arena_strdup(a, e->group) : NULL;
    user->is_admin = e->is_admin;
    user->shared_group =
        e->shared_group != 0 ? nb_arena_printf(a, "%lld", (long long)e->shared_group) : NULL;
    user->roles = nb_arena_strdup(a, e->roles);
    return true;
}

static bool
copy(char *dst, size_t size, const char *src)
{
    return src != NULL && (size_t)snprintf(dst, size, "%s", src) < size;
}

void
nb_credential_cache_put(const char *token, const struct nb_user *user, double ttl)
{
    unsigned char key[SHA256_DIGEST_LENGTH];
    struct entry *e = slot_of(token, key);

    e->until = 0;
    if (ttl <= 0 || !copy(e->uuid, sizeof(e->uuid), user->uuid) ||
        !copy(e->name, sizeof(e->name), user->name) ||
        (user->group != NULL && !copy(e->group, sizeof(e->group), user->group)) ||
        !copy(e->roles, sizeof(e->roles), user->roles != NULL ? user->roles : ""))
        return;
    memcpy(e->key, key, sizeof(key));
    e->generation = atomic_load_explicit(generation, memory_order_acquire);
    e->id = user->id;
    e->is_admin = user->is_admin;
    e->shared_group = user->shared_group != NULL ? strtoll(user->shared_group, NULL, 10) : 0;
    e->has_group = user->group != NULL;
    e->until =
        nb_clock_now() + (ttl < NB_CREDENTIAL_CACHE_SECONDS ? ttl : NB_CREDENTIAL_CACHE_SECONDS);
}

void
nb_credential_cache_invalidate(void)
{
    atomic_fetch_add_explicit(generation, 1, memory_order_acq_rel);
}
