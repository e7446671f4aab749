/* Unit tests for the streaming multipart/form-data reader (app/multipart.c): parts whose
 * delimiter straddles the reader's buffer, small fields, and malformed bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/multipart.h"

struct seen {
    char names[4][32];
    int parts;
    char *data;
    size_t len[4];
};

static int
on_begin(void *ctx, const char *name, const char *filename)
{
    struct seen *s = ctx;

    (void)filename;
    assert_true(snprintf(s->names[s->parts], sizeof(s->names[0]), "%s", name) <
                (int)sizeof(s->names[0]));
    s->parts++;
    return 0;
}

static int
on_data(void *ctx, const char *buf, size_t n)
{
    struct seen *s = ctx;
    size_t at = 0;

    for (int i = 0; i < s->parts - 1; i++)
        at += s->len[i];
    memcpy(s->data + at + s->len[s->parts - 1], buf, n);
    s->len[s->parts - 1] += n;
    return 0;
}

static const struct nb_multipart_handler handler = {on_begin, on_data};

/* A temporary file holding body, at offset 0. */
static FILE *
body_file(const char *body, size_t n)
{
    FILE *f = tmpfile();

    assert_non_null(f);
    assert_int_equal(fwrite(body, 1, n, f), n);
    assert_int_equal(fflush(f), 0);
    rewind(f);
    return f;
}

/* The streamed body, as the worker reads it from FastCGI: in pieces of whatever size. */
static FILE *streamed;

static long
read_streamed(struct nb_req *r, char *buf, size_t n)
{
    (void)r;
    return (long)fread(buf, 1, n > 777 ? 777 : n, streamed);
}

static int
run(struct nb_arena *a, const char *body, size_t n, const char *ct, struct seen *s)
{
    struct nb_req r = {.arena = a, .body_streamed = true, .read_body = read_streamed};
    const char *b = nb_multipart_boundary(&r, ct);
    int rc;

    if (b == NULL)
        return -2;
    streamed = body_file(body, n);
    rc = nb_multipart_read(&r, b, &handler, s);
    assert_int_equal(fclose(streamed), 0);
    return rc;
}

static void
test_file_part_sizes_around_the_buffer(void **state)
{
    struct nb_arena *a = nb_arena_new(4096);

    (void)state;
    for (size_t size = 65400; size < 65600; size += 7) {
        char *file = malloc(size), *body = malloc(size + 512);
        struct seen s = {.data = malloc(size + 64)};
        int n;

        for (size_t i = 0; i < size; i++)
            file[i] = (char)('a' + i % 23);
        n = sprintf(body,
                    "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"checksum\"\r\n\r\n"
                    "abc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; "
                    "filename=\"a;b.iso\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        memcpy(body + n, file, size);
        n += (int)size;
        n += sprintf(body + n, "\r\n--XyZ--\r\nepilogue");
        assert_int_equal(run(a, body, (size_t)n, "multipart/form-data; boundary=\"XyZ\"", &s), 0);
        assert_int_equal(s.parts, 2);
        assert_string_equal(s.names[0], "checksum");
        assert_string_equal(s.names[1], "image");
        assert_int_equal(s.len[0], 3);
        assert_memory_equal(s.data, "abc", 3);
        assert_int_equal(s.len[1], size);
        assert_memory_equal(s.data + 3, file, size);
        free(file);
        free(body);
        free(s.data);
        nb_arena_reset(a);
    }
    nb_arena_free(a);
}

static void
test_malformed_bodies_are_refused(void **state)
{
    static const char *const bodies[] = {
        "--b\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nno end",
        "--b\r\nContent-Disposition: attachment; name=\"image\"\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=\"image\"",
        "no delimiter at all",
        "--bjunk\r\n",
    };
    struct nb_arena *a = nb_arena_new(4096);
    struct seen s = {.data = malloc(4096)};

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        memset(s.len, 0, sizeof(s.len));
        s.parts = 0;
        assert_int_equal(
            run(a, bodies[i], strlen(bodies[i]), "multipart/form-data; boundary=b", &s), -1);
        nb_arena_reset(a);
    }
    assert_int_equal(run(a, "", 0, "multipart/form-data", &s), -2);
    assert_int_equal(run(a, "", 0, "application/json; boundary=b", &s), -2);
    free(s.data);
    nb_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_part_sizes_around_the_buffer),
        cmocka_unit_test(test_malformed_bodies_are_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
