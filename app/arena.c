/* Region allocator with deferred cleanups, in the spirit of PostgreSQL memory contexts. */
#include "app/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct block {
    struct block *next;
    size_t size, used;
    max_align_t data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *p;
};

struct nb_arena {
    struct block *first; /* kept across resets */
    struct block *head;  /* serves small allocations; blocks after first chain from it */
    struct cleanup *cleanups;
    size_t block_size;
};

static void *
xmalloc(size_t n)
{
    void *p = malloc(n);

    if (p == NULL) {
        (void)fputs("{\"level\":\"fatal\",\"msg\":\"out of memory\"}\n", stderr); /* then abort */
        abort();
    }
    return p;
}

static struct block *
block_new(size_t size)
{
    struct block *b = xmalloc(sizeof(*b) + size);

    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct nb_arena *
nb_arena_new(size_t block_size)
{
    struct nb_arena *a = xmalloc(sizeof(*a));

    a->block_size = block_size;
    a->first = a->head = block_new(block_size);
    a->cleanups = NULL;
    return a;
}

void *
nb_arena_alloc(struct nb_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    size_t need = (n + align - 1) & ~(align - 1);
    struct block *b = a->head;
    char *p;

    if (need < n || need > SIZE_MAX / 2)
        abort(); /* a size computed from a count overflowed */
    if (b->size - b->used < need) {
        /* Oversized requests get a block of their own; the head keeps serving small ones. */
        b = block_new(need > a->block_size ? need : a->block_size);
        b->next = a->first->next;
        a->first->next = b;
        if (need <= a->block_size)
            a->head = b;
    }
    p = (char *)b->data + b->used;
    b->used += need;
    memset(p, 0, n);
    return p;
}

char *
nb_arena_strndup(struct nb_arena *a, const char *s, size_t n)
{
    char *d = nb_arena_alloc(a, n + 1);

    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *
nb_arena_strdup(struct nb_arena *a, const char *s)
{
    return nb_arena_strndup(a, s, strlen(s));
}

char *
nb_arena_vprintf(struct nb_arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    int n;
    char *s;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        abort();
    s = nb_arena_alloc(a, (size_t)n + 1);
    if (vsnprintf(s, (size_t)n + 1, fmt, ap) != n)
        abort(); /* the arguments changed between the two runs */
    return s;
}

char *
nb_arena_printf(struct nb_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = nb_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

void
nb_arena_defer(struct nb_arena *a, void (*fn)(void *), void *p)
{
    struct cleanup *c = nb_arena_alloc(a, sizeof(*c));

    c->fn = fn;
    c->p = p;
    c->next = a->cleanups;
    a->cleanups = c;
}

static void
unlink_path(void *path)
{
    (void)unlink(path); /* gone already once renamed away */
}

void
nb_arena_defer_unlink(struct nb_arena *a, const char *path)
{
    nb_arena_defer(a, unlink_path, (void *)path);
}

void
nb_arena_reset(struct nb_arena *a)
{
    struct cleanup *c;
    struct block *b, *next;

    /* Cleanups live in the arena itself: run them all before any block goes away. */
    for (c = a->cleanups; c != NULL; c = c->next)
        c->fn(c->p);
    a->cleanups = NULL;
    for (b = a->first->next; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    a->first->next = NULL;
    a->first->used = 0;
    a->head = a->first;
}

void
nb_arena_free(struct nb_arena *a)
{
    if (a == NULL)
        return;
    nb_arena_reset(a);
    free(a->first);
    free(a);
}

size_t
nb_arena_footprint(const struct nb_arena *a)
{
    size_t n = 0;

    for (const struct block *b = a->first; b != NULL; b = b->next)
        n += b->size;
    return n;
}
