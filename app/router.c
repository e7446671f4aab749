/* Route matching: mount prefix picks the dialect, then its rows are tried in table order. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "app/router.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"

/* Compiled patterns and their templates, indexed by the global route number; built once,
 * read-only afterwards. */
static pcre2_code **compiled;
static const char **templates;
static size_t *dialect_base; /* first global route number of each dialect */
static size_t total;
static pcre2_match_data *match_data;

/* Captures that hold a credential, by name: logs show the name in their place. */
static const char *const secret_captures[] = {"{session}", "{token}"};
#define SECRET_PATHS_MAX 8
/* The literal path before each such capture ("/api/v1/sessions/"), from the templates. */
static struct {
    const char *prefix;
    size_t len;
    const char *name;
} secret_paths[SECRET_PATHS_MAX];
static size_t nsecret_paths;

/* Remembers where template t holds a credential; -1 (logged) when there are too many. */
static int
note_secret_path(const char *t)
{
    for (size_t i = 0; i < sizeof(secret_captures) / sizeof(secret_captures[0]); i++) {
        const char *at = strstr(t, secret_captures[i]);
        size_t j;

        if (at == NULL)
            continue;
        for (j = 0; j < nsecret_paths; j++)
            if (secret_paths[j].len == (size_t)(at - t) &&
                strncmp(secret_paths[j].prefix, t, secret_paths[j].len) == 0)
                break;
        if (j < nsecret_paths)
            continue;
        if (nsecret_paths == SECRET_PATHS_MAX) {
            nb_log_error(NULL, "more than %d paths hold a credential", SECRET_PATHS_MAX);
            return -1;
        }
        secret_paths[nsecret_paths].prefix = t;
        secret_paths[nsecret_paths].len = (size_t)(at - t);
        secret_paths[nsecret_paths].name = secret_captures[i];
        nsecret_paths++;
    }
    return 0;
}

/* Length of the group that opens at p, up to and including its ")". */
static size_t
group_length(const char *p)
{
    size_t depth = 0, i = 0;
    bool in_class = false;

    for (; p[i] != '\0'; i++) {
        if (p[i] == '\\' && p[i + 1] != '\0')
            i++;
        else if (in_class)
            in_class = p[i] != ']';
        else if (p[i] == '[')
            in_class = true;
        else if (p[i] == '(')
            depth++;
        else if (p[i] == ')' && --depth == 0)
            return i + 1;
    }
    return 0;
}

/* The template a metrics label shows for a pattern: "^/api/v1/users/(?<user>[^/]+)/?$" is
 * "/api/v1/users/{user}". Patterns may hold only literal path characters (escaped or not),
 * named groups and an optional final slash; anything else is NULL, so that a regex never
 * reaches a label. The result is malloc'd. */
char *
nb_router_template(const char *pattern)
{
    size_t n = strlen(pattern), at = 0;
    char *out = malloc(n + 1);

    if (out == NULL)
        abort();
    if (*pattern == '^')
        pattern++;
    n = strlen(pattern);
    if (n >= 1 && pattern[n - 1] == '$')
        n--;
    if (n >= 2 && strncmp(pattern + n - 2, "/?", 2) == 0)
        n -= 2;
    for (size_t i = 0; i < n;) {
        if (strncmp(pattern + i, "(?<", 3) == 0) {
            size_t name = strcspn(pattern + i + 3, ">"), len = group_length(pattern + i);

            if (len == 0 || i + len > n || name == 0 || 3 + name >= len)
                goto bad;
            at += (size_t)sprintf(out + at, "{%.*s}", (int)name, pattern + i + 3);
            i += len;
            continue;
        }
        if (pattern[i] == '\\' && i + 1 < n)
            i++;
        if (!isalnum((unsigned char)pattern[i]) && strchr("/._-", pattern[i]) == NULL)
            goto bad;
        out[at++] = pattern[i++];
    }
    out[at] = '\0';
    return out;
bad:
    free(out);
    return NULL;
}

int
nb_router_init(void)
{
    size_t ndialects = 0, at = 0;

    if (compiled != NULL)
        return 0;
    for (; nb_dialects[ndialects] != NULL; ndialects++)
        total += nb_dialects[ndialects]->nroutes;
    if (ndialects == 0 || total == 0)
        abort(); /* a build without routes; calloc(0) need not return memory */
    compiled = calloc(total, sizeof(pcre2_code *));
    templates = calloc(total, sizeof(*templates));
    dialect_base = calloc(ndialects, sizeof(*dialect_base));
    match_data = pcre2_match_data_create(NB_MAX_CAPTURES + 1, NULL);
    if (compiled == NULL || templates == NULL || dialect_base == NULL || match_data == NULL)
        abort();
    for (size_t d = 0; d < ndialects; d++) {
        dialect_base[d] = at;
        for (size_t i = 0; i < nb_dialects[d]->nroutes; i++, at++) {
            const char *pattern = nb_dialects[d]->routes[i].pattern;
            int err;
            PCRE2_SIZE off;

            compiled[at] = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                         PCRE2_ANCHORED | PCRE2_DOLLAR_ENDONLY, &err, &off, NULL);
            if (compiled[at] == NULL) {
                nb_log_error(NULL, "route pattern %s does not compile at %zu", pattern, off);
                return -1;
            }
            (void)pcre2_jit_compile(compiled[at], PCRE2_JIT_COMPLETE);
            /* Metrics label routes by template; every capture is named so it has one. */
            templates[at] = nb_router_template(pattern);
            if (templates[at] == NULL) {
                nb_log_error(NULL, "route pattern %s has no template (name its groups)", pattern);
                return -1;
            }
            if (note_secret_path(templates[at]) < 0)
                return -1;
        }
    }
    return 0;
}

const char *
nb_router_log_path(const struct nb_req *r)
{
    for (size_t i = 0; r->path != NULL && i < nsecret_paths; i++)
        if (strncmp(r->path, secret_paths[i].prefix, secret_paths[i].len) == 0 &&
            r->path[secret_paths[i].len] != '\0')
            return nb_arena_printf(r->arena, "%.*s%s", (int)secret_paths[i].len,
                                   secret_paths[i].prefix, secret_paths[i].name);
    return r->path;
}

size_t
nb_router_count(void)
{
    return total;
}

const char *
nb_router_route_template(size_t i)
{
    return i < total ? templates[i] : NULL;
}

const struct nb_route *
nb_router_route(size_t i, const struct nb_dialect **dialect)
{
    for (size_t d = 0; nb_dialects[d] != NULL; d++) {
        if (i < dialect_base[d] + nb_dialects[d]->nroutes) {
            *dialect = nb_dialects[d];
            return &nb_dialects[d]->routes[i - dialect_base[d]];
        }
    }
    return NULL;
}

static bool
mounted(const struct nb_dialect *d, const char *path)
{
    for (const char *const *m = d->mounts; *m != NULL; m++)
        if (strncmp(path, *m, strlen(*m)) == 0)
            return true;
    return false;
}

static void
capture(struct nb_req *r, int rc)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(match_data);

    for (int i = 1; i < rc && i <= NB_MAX_CAPTURES; i++)
        r->capture[i - 1] =
            ov[2 * i] == PCRE2_UNSET
                ? NULL
                : nb_arena_strndup(r->arena, r->path + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
}

int
nb_router_match(struct nb_req *r)
{
    size_t len = strlen(r->path), d;

    for (d = 0; nb_dialects[d] != NULL; d++)
        if (mounted(nb_dialects[d], r->path))
            break;
    if (nb_dialects[d] == NULL)
        return nb_fail_reason(r, NB_E_NOT_FOUND, NB_R_NO_API, NULL);
    r->dialect = nb_dialects[d];
    for (size_t i = 0; i < r->dialect->nroutes; i++) {
        const struct nb_route *rt = &r->dialect->routes[i];
        size_t g = dialect_base[d] + i;
        int rc = pcre2_match(compiled[g], (PCRE2_SPTR)r->path, len, 0, 0, match_data, NULL);

        if (rc < 0)
            continue;
        if (!(rt->methods & r->method)) {
            r->allowed |= rt->methods & ~NB_WAITS;
            continue;
        }
        r->route = rt;
        r->route_index = (int)g;
        capture(r, rc);
        return 0;
    }
    if (r->allowed != 0)
        return nb_fail_reason(r, NB_E_METHOD, NB_R_METHOD, NULL, .id = r->method_name);
    return nb_fail_reason(r, NB_E_NOT_FOUND, NB_R_NO_ROUTE, NULL);
}
