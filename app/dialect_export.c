/* What other programs need to know of the dialects, printed from their descriptors: nginx's
 * per-dialect configuration and the API tests' list of dialects (nimbusctl dialects|nginx). */
#include "app/dialect_export.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "app/router.h"

/* s without its leading and trailing '/', as a PCRE literal, into buf (size bytes, cut short
 * if need be); returns buf. */
static char *
literal(char *buf, size_t size, const char *s)
{
    size_t n = strlen(s), o = 0;

    while (n > 0 && s[n - 1] == '/')
        n--;
    for (size_t i = s[0] == '/' ? 1 : 0; i < n && o + 2 < size; i++) {
        if (strchr(".^$|?*+()[]{}\\", s[i]) != NULL)
            buf[o++] = '\\';
        buf[o++] = s[i];
    }
    buf[o] = '\0';
    return buf;
}

/* One map line per prefix: the error page's path under it → the dialect. */
static int
print_mounts(FILE *out, const struct nb_dialect *d, const char *const *prefixes)
{
    char re[256], line[300];

    for (const char *const *m = prefixes; m != NULL && *m != NULL; m++) {
        int n = snprintf(line, sizeof(line), "~^/_nimbus_error/%s%s", literal(re, sizeof(re), *m),
                         (*m)[strlen(*m) - 1] == '/' ? "/" : "");

        /* a cut line would be another regex */
        if (n < 0 || (size_t)n >= sizeof(line))
            return -1;
        /* output errors: ferror() at the end of nb_dialect_print_nginx tells */
        (void)fprintf(out, "%-49s %s;\n", line, d->name);
    }
    return 0;
}

/* A route's pattern without its leading '^' and with its named groups made plain, into buf
 * (size bytes); false when it does not fit or holds a '"' (either would be another regex). */
static bool
wait_regex(char *buf, size_t size, const char *p)
{
    size_t o = 0;

    for (p += p[0] == '^'; *p != '\0' && o + 4 < size; p++) {
        if (strncmp(p, "(?<", 3) == 0 && strchr(p, '>') != NULL) {
            memcpy(buf + o, "(?:", 3);
            o += 3;
            p = strchr(p, '>');
        } else {
            buf[o++] = *p;
        }
    }
    buf[o] = '\0';
    return *p == '\0' && strchr(buf, '"') == NULL;
}

/* The route's pattern keeps its meaning in the map; its named groups become plain groups,
 * which set no nginx variable. */
int
nb_dialect_print_waits(FILE *out)
{
    struct nb_req r = {.arena = nb_arena_new(256)};
    const struct nb_dialect *d;
    char re[512];
    int rc = 0;

    for (size_t i = 0; rc == 0 && (d = nb_dialects[i]) != NULL; i++)
        for (size_t j = 0; rc == 0 && j < d->nroutes; j++) {
            unsigned methods = d->routes[j].methods;

            if (!(methods & NB_WAITS))
                continue;
            if (!wait_regex(re, sizeof(re), d->routes[j].pattern))
                rc = -1;
            for (unsigned bit = NB_GET; rc == 0 && bit <= NB_PATCH; bit <<= 1)
                if (methods & bit)
                    (void)fprintf(out, "\"~^%s %s\" nimbus_wait;\n", nb_method_list(&r, bit), re);
        }
    nb_arena_free(r.arena);
    return rc == 0 && !ferror(out) ? 0 : -1;
}

int
nb_dialect_print_nginx(FILE *out, const char *part)
{
    const struct nb_dialect *d;
    bool first = true;
    char re[256];

    for (size_t i = 0; (d = nb_dialects[i]) != NULL; i++) {
        if (strcmp(part, "mounts") == 0) {
            if (print_mounts(out, d, d->mounts) < 0 || print_mounts(out, d, d->edge_mounts) < 0)
                return -1;
        } else if (strcmp(part, "maps") == 0) {
            if (d->edge_maps != NULL)
                (void)fputs(d->edge_maps, out);
        } else if (strcmp(part, "bodies") == 0) {
            if (d->edge_error != NULL)
                (void)fprintf(out, "%-8s '%s';\n", d->name, d->edge_error);
        } else if (strcmp(part, "logins") == 0) {
            if (d->login == NULL)
                continue;
            (void)fprintf(out, "%s%s", first ? "" : "|", literal(re, sizeof(re), d->login));
            first = false;
        } else {
            return -1;
        }
    }
    if (strcmp(part, "logins") == 0)
        (void)fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

static struct json_object *
string_or_null(const char *s)
{
    return s != NULL ? json_object_new_string(s) : NULL;
}

static struct json_object *
string_list(const char *const *list)
{
    struct json_object *a = json_object_new_array();

    for (const char *const *s = list; s != NULL && *s != NULL; s++)
        json_object_array_add(a, json_object_new_string(*s));
    return a;
}

static struct json_object *
route_list(const struct nb_dialect *d)
{
    struct json_object *a = json_object_new_array();
    struct nb_req r = {.arena = nb_arena_new(256)};

    for (size_t i = 0; i < d->nroutes; i++) {
        struct json_object *o = json_object_new_object(), *ms = json_object_new_array();

        for (unsigned bit = NB_GET; bit <= NB_PATCH; bit <<= 1)
            if (d->routes[i].methods & bit)
                json_object_array_add(ms, json_object_new_string(nb_method_list(&r, bit)));
        json_object_object_add(o, "methods", ms);
        json_object_object_add(o, "pattern", json_object_new_string(d->routes[i].pattern));
        json_object_array_add(a, o);
    }
    nb_arena_free(r.arena);
    return a;
}

static struct json_object *
dialect_object(const struct nb_dialect *d)
{
    struct json_object *o = json_object_new_object(), *hs = json_object_new_array();

    for (const struct nb_credential_header *h = d->credential_headers; h != NULL && h->name != NULL;
         h++) {
        struct json_object *ho = json_object_new_object();

        json_object_object_add(ho, "name", json_object_new_string(h->name));
        json_object_object_add(ho, "scheme", string_or_null(h->scheme));
        json_object_array_add(hs, ho);
    }
    json_object_object_add(o, "name", json_object_new_string(d->name));
    json_object_object_add(o, "mounts", string_list(d->mounts));
    json_object_object_add(o, "edge_mounts", string_list(d->edge_mounts));
    json_object_object_add(o, "login", string_or_null(d->login));
    json_object_object_add(o, "credential_kind", string_or_null(d->credential_kind));
    json_object_object_add(o, "credential_ttl", json_object_new_int(d->credential_ttl));
    json_object_object_add(o, "credential_headers", hs);
    json_object_object_add(o, "routes", route_list(d));
    return o;
}

int
nb_dialect_print_json(FILE *out)
{
    struct json_object *a = json_object_new_array();

    for (size_t i = 0; nb_dialects[i] != NULL; i++)
        json_object_array_add(a, dialect_object(nb_dialects[i]));
    (void)fprintf(out, "%s\n",
                  json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(a);
    return ferror(out) ? -1 : 0;
}
