/* Region allocator: allocate freely, release everything at once (one per request). */
#ifndef NB_ARENA_H
#define NB_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct nb_arena;

/* A new arena whose first block holds block_size bytes. Aborts on out-of-memory. */
struct nb_arena *nb_arena_new(size_t block_size);
/* Zeroed memory that lives until the next reset; never NULL (aborts on out-of-memory). */
void *nb_arena_alloc(struct nb_arena *a, size_t n);
char *nb_arena_strdup(struct nb_arena *a, const char *s);
char *nb_arena_strndup(struct nb_arena *a, const char *s, size_t n);
char *nb_arena_printf(struct nb_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *nb_arena_vprintf(struct nb_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Run fn(p) at the next reset (or free), last registered first. */
void nb_arena_defer(struct nb_arena *a, void (*fn)(void *), void *p);
/* Remove the file at path at the next reset (or free), as nginx's ngx_pool_delete_file does: a
 * file that must not outlive the request unless renamed away first (a missing file is no
 * error). path must live as long as the arena. */
void nb_arena_defer_unlink(struct nb_arena *a, const char *path);
/* Run the deferred cleanups and forget every allocation; keeps the first block. */
void nb_arena_reset(struct nb_arena *a);
void nb_arena_free(struct nb_arena *a);
/* Bytes held from the system (for tests and metrics). */
size_t nb_arena_footprint(const struct nb_arena *a);

#endif
