/* multipart/form-data (RFC 7578) read as a stream: the body never has to fit in memory, only
 * one part's headers do. */
#include "app/multipart.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define BUFFER_SIZE (64 * 1024)
#define BOUNDARY_MAX 70

struct reader {
    struct nb_req *r;
    char *buf;
    size_t pos, len; /* unread bytes are buf[pos, len) */
    bool eof;
};

static int
truncated(struct reader *m)
{
    return nb_fail(m->r, NB_E_INVALID, "multipart body ends before its closing boundary");
}

/* Moves the unread bytes to the front and reads more after them; sets eof at the end. */
static int
fill(struct reader *m)
{
    long n;

    if (m->pos > 0) {
        memmove(m->buf, m->buf + m->pos, m->len - m->pos);
        m->len -= m->pos;
        m->pos = 0;
    }
    if (m->len == BUFFER_SIZE)
        return 0;
    n = m->r->read_body(m->r, m->buf + m->len, BUFFER_SIZE - m->len);
    if (n < 0)
        return nb_fail(m->r, NB_E_INVALID, "the upload was cut short");
    if (n == 0)
        m->eof = true;
    m->len += (size_t)n;
    return 0;
}

/* At least n unread bytes, or the body is truncated. */
static int
need(struct reader *m, size_t n)
{
    while (m->len - m->pos < n && !m->eof)
        if (fill(m) < 0)
            return -1;
    return m->len - m->pos >= n ? 0 : truncated(m);
}

/* Consumes everything up to and including the next delimiter, handing the bytes before it to
 * h->data when emit is set. A delimiter can straddle two reads, so its length less one byte
 * stays in the buffer until more arrives. */
static int
until_delimiter(struct reader *m, const char *d, size_t dlen, const struct nb_multipart_handler *h,
                void *ctx, bool emit)
{
    for (;;) {
        size_t avail = m->len - m->pos, n;
        const char *at = memmem(m->buf + m->pos, avail, d, dlen);

        n = at != NULL         ? (size_t)(at - (m->buf + m->pos))
            : avail > dlen - 1 ? avail - (dlen - 1)
                               : 0;
        if (n > 0 && emit && h->data(ctx, m->buf + m->pos, n) < 0)
            return -1;
        m->pos += n;
        if (at != NULL) {
            m->pos += dlen;
            return 0;
        }
        if (m->eof)
            return truncated(m);
        if (fill(m) < 0)
            return -1;
    }
}

/* The quoted string that starts at s (at its opening quote) without its quotes and
 * backslashes, or NULL when it does not end before end. */
static const char *
unquote(struct nb_req *r, const char *s, const char *end)
{
    char *out = nb_arena_alloc(r->arena, (size_t)(end - s)), *o = out;

    for (s++; s < end && *s != '"'; s++) {
        if (*s == '\\' && s + 1 < end)
            s++;
        *o++ = *s;
    }
    return s < end ? out : NULL;
}

/* The value of parameter key in a header's "; key=value; ..." list, unquoted, or NULL. */
static const char *
header_param(struct nb_req *r, const char *s, const char *end, const char *key)
{
    size_t klen = strlen(key);

    while (s < end) {
        const char *semi = memchr(s, ';', (size_t)(end - s));

        if (semi == NULL)
            return NULL;
        s = semi + 1;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        if ((size_t)(end - s) <= klen || strncasecmp(s, key, klen) != 0 || s[klen] != '=')
            continue;
        s += klen + 1;
        if (s < end && *s == '"')
            return unquote(r, s, end);
        semi = memchr(s, ';', (size_t)(end - s));
        return nb_arena_strndup(r->arena, s, (size_t)((semi != NULL ? semi : end) - s));
    }
    return NULL;
}

/* Reads until the buffer holds one part's whole header block, from m->pos; sets *block_len
 * to its length with the last header's CRLF but not the empty line's. */
static int
header_block(struct reader *m, size_t *block_len)
{
    for (;;) {
        size_t avail = m->len - m->pos;
        const char *at;

        if (avail >= 2 && memcmp(m->buf + m->pos, "\r\n", 2) == 0) {
            *block_len = 0; /* no headers at all */
            return 0;
        }
        at = memmem(m->buf + m->pos, avail, "\r\n\r\n", 4);
        if (at != NULL && (size_t)(at - (m->buf + m->pos)) <= NB_MULTIPART_HEADERS_MAX) {
            *block_len = (size_t)(at - (m->buf + m->pos)) + 2;
            return 0;
        }
        if (avail > NB_MULTIPART_HEADERS_MAX)
            return nb_fail(m->r, NB_E_INVALID, "multipart part headers exceed %d bytes",
                           NB_MULTIPART_HEADERS_MAX);
        if (m->eof)
            return truncated(m);
        if (fill(m) < 0)
            return -1;
    }
}

/* Reads one part's header block and announces the part. */
static int
part_headers(struct reader *m, const struct nb_multipart_handler *h, void *ctx)
{
    const char *name = NULL, *filename = "", *line, *block, *end;
    size_t block_len;

    if (header_block(m, &block_len) < 0)
        return -1;
    block = m->buf + m->pos;
    end = block + block_len;
    for (line = block; line < end;) {
        const char *eol = memmem(line, (size_t)(end - line), "\r\n", 2);

        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - line) > 20 && strncasecmp(line, "Content-Disposition:", 20) == 0) {
            const char *v = line + 20;

            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            if ((size_t)(eol - v) < 9 || strncasecmp(v, "form-data", 9) != 0)
                return nb_fail(m->r, NB_E_INVALID, "multipart part is not form-data");
            name = header_param(m->r, v, eol, "name");
            filename = header_param(m->r, v, eol, "filename");
            if (filename == NULL)
                filename = "";
        }
        line = eol + 2;
    }
    m->pos += block_len + 2;
    if (name == NULL)
        return nb_fail(m->r, NB_E_INVALID, "multipart part without a form-data name");
    return h->begin(ctx, name, filename);
}

const char *
nb_multipart_boundary(struct nb_req *r, const char *ct)
{
    static const char type[] = "multipart/form-data";
    const char *b;
    size_t n;

    if (ct == NULL || strncasecmp(ct, type, sizeof(type) - 1) != 0)
        return NULL;
    b = header_param(r, ct, ct + strlen(ct), "boundary");
    n = b != NULL ? strlen(b) : 0;
    return n >= 1 && n <= BOUNDARY_MAX ? b : NULL;
}

int
nb_multipart_read(struct nb_req *r, const char *boundary, const struct nb_multipart_handler *h,
                  void *ctx)
{
    struct reader m = {.r = r, .buf = nb_arena_alloc(r->arena, BUFFER_SIZE)};
    const char *d = nb_arena_printf(r->arena, "\r\n--%s", boundary);
    size_t dlen = strlen(d);

    /* The first delimiter has no line break before it: pretend the body starts with one. */
    memcpy(m.buf, "\r\n", 2);
    m.len = 2;
    if (until_delimiter(&m, d, dlen, h, ctx, false) < 0)
        return -1;
    for (;;) {
        while (need(&m, 1) == 0 && (m.buf[m.pos] == ' ' || m.buf[m.pos] == '\t'))
            m.pos++;
        if (need(&m, 2) < 0)
            return -1;
        if (memcmp(m.buf + m.pos, "--", 2) == 0)
            return 0; /* the closing delimiter; an epilogue is ignored */
        if (memcmp(m.buf + m.pos, "\r\n", 2) != 0)
            return nb_fail(r, NB_E_INVALID, "malformed multipart boundary line");
        m.pos += 2;
        if (part_headers(&m, h, ctx) < 0 || until_delimiter(&m, d, dlen, h, ctx, true) < 0)
            return -1;
    }
}
