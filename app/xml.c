/* Escaping for the XML Nimbus writes (domains, filters, volumes, snapshots): one function, so
 * that no value reaches libvirt's parser unescaped. */
#include "app/xml.h"

#include <stdbool.h>
#include <string.h>

/* The replacement character, for what XML cannot carry. */
#define REPLACEMENT "\xEF\xBF\xBD"

/* The entity or character reference standing for an ASCII c, or NULL when c stands for
 * itself (other C0 controls are handled as forbidden characters). */
static const char *
reference(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '\'':
        return "&apos;";
    case '"':
        return "&quot;";
    case '\t':
        return "&#9;";
    case '\n':
        return "&#10;";
    case '\r':
        return "&#13;";
    default:
        return NULL;
    }
}

/* Whether the non-ASCII UTF-8 sequence at s encodes a character XML 1.0 allows; *len is its
 * length, or 1 for a byte that starts no well-formed sequence (overlong forms, stray or
 * missing continuation bytes, beyond U+10FFFF). Surrogates, U+FFFE and U+FFFF are
 * well-formed but forbidden. */
static bool
xml_char(const unsigned char *s, size_t *len)
{
    size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    unsigned long cp;

    *len = 1;
    if (n == 0 || s[0] > 0xF4)
        return false;
    cp = s[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return false;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF)
        return false;
    *len = n;
    return !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF;
}

const char *
nb_xml_escape(struct nb_arena *a, const char *s)
{
    /* Each input byte grows to at most six ("&quot;"); U+FFFD takes three. */
    char *out = nb_arena_alloc(a, strlen(s) * 6 + 1), *o = out;
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        const char *ref = reference(*p);
        size_t len = 1;

        if (ref == NULL && *p >= 0x20 && *p < 0x80) {
            *o++ = (char)*p++;
            continue;
        }
        if (ref == NULL && *p >= 0x80 && xml_char(p, &len)) {
            memcpy(o, p, len);
            o += len;
            p += len;
            continue;
        }
        /* An entity; else a C0 control or a sequence XML cannot carry, len bytes long. */
        o = stpcpy(o, ref != NULL ? ref : REPLACEMENT);
        p += len;
    }
    *o = '\0';
    return out;
}
