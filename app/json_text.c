/* JSON text written into json-c's printbuf (see app/json_text.h). */
#include "app/json_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
append(struct nb_jw *w, const char *s, size_t n)
{
    printbuf_memappend_fast(w->pb, s, (int)n);
}

/* A string literal with json-c's escapes (no "\/": replies are written with NOSLASHESCAPE):
 * the short forms where JSON has one, \u00XX for the other control characters. */
static void
quoted(struct nb_jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    static const char short_form[' '] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
    };
    const char *run = s;

    append(w, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[6] = {'\\', (char)c, '0', '0', 0, 0};
        size_t n = 2;

        if (c >= ' ' && c != '"' && c != '\\')
            continue;
        append(w, run, (size_t)(s - run));
        run = s + 1;
        if (c < ' ' && short_form[c] != 0) {
            esc[1] = short_form[c];
        } else if (c < ' ') {
            esc[1] = 'u';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xf];
            n = 6;
        }
        append(w, esc, n);
    }
    append(w, run, (size_t)(s - run));
    append(w, "\"", 1);
}

/* The separator and key that come before a value. */
static void
member(struct nb_jw *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->first[w->depth - 1])
            append(w, ",", 1);
        w->first[w->depth - 1] = false;
    }
    if (key != NULL) {
        quoted(w, key);
        append(w, ":", 1);
    }
}

void
nb_jw_open(struct nb_jw *w, const char *key, char bracket)
{
    member(w, key);
    append(w, &bracket, 1);
    if (w->depth >= NB_JW_DEPTH)
        abort(); /* a programming error: documents here are shallow */
    w->first[w->depth++] = true;
}

void
nb_jw_close(struct nb_jw *w, char bracket)
{
    w->depth--;
    append(w, &bracket, 1);
}

void
nb_jw_string(struct nb_jw *w, const char *key, const char *s)
{
    member(w, key);
    quoted(w, s);
}

void
nb_jw_double(struct nb_jw *w, const char *key, double v)
{
    char buf[32];
    int n;

    member(w, key);
    if (!isfinite(v)) {
        append(w, "null", 4);
        return;
    }
    n = snprintf(buf, sizeof(buf), "%.17g", v);
    append(w, buf, (size_t)n);
    if (strpbrk(buf, ".e") == NULL)
        append(w, ".0", 2);
}

void
nb_jw_bool(struct nb_jw *w, const char *key, bool v)
{
    member(w, key);
    if (v)
        append(w, "true", 4);
    else
        append(w, "false", 5);
}

void
nb_jw_raw(struct nb_jw *w, const char *key, const char *json)
{
    member(w, key);
    append(w, json, strlen(json));
}

struct deferred {
    nb_jw_fn *fn;
    max_align_t ctx[]; /* the caller's context, copied */
};

static int
serialise(struct json_object *jso, struct printbuf *pb, int level, int flags)
{
    const struct deferred *d = json_object_get_userdata(jso);
    struct nb_jw w = {.pb = pb};

    (void)level;
    (void)flags;
    d->fn(&w, d->ctx);
    return 0;
}

struct json_object *
nb_json_text(nb_jw_fn *fn, const void *ctx, size_t size)
{
    struct json_object *o = json_object_new_object();
    struct deferred *d = malloc(sizeof(*d) + size);

    if (o == NULL || d == NULL)
        abort();
    d->fn = fn;
    if (size > 0)
        memcpy(d->ctx, ctx, size);
    json_object_set_serializer(o, serialise, d, json_object_free_userdata);
    return o;
}
