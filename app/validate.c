/* Input checks with one documented rule each, so every dialect refuses the same things. */
#include "app/validate.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"

#define NAME_MAX_LEN 64

int
nb_check_name(struct nb_req *r, const char *what, const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;
    const char *bad;

    if (n == 0 || n > NAME_MAX_LEN)
        return nb_fail(r, NB_E_INVALID, "%s name must have 1 to %d characters", what, NAME_MAX_LEN);
    if (strchr("_.@-", name[0]) != NULL)
        return nb_fail(r, NB_E_INVALID, "%s name must start with a letter or digit", what);
    bad = name + strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@-");
    if (*bad != '\0')
        return nb_fail(r, NB_E_INVALID, "%s name may only hold letters, digits and _ . @ -", what);
    return 0;
}

int
nb_check_password(struct nb_req *r, const char *field, const char *password)
{
    if (password == NULL || strlen(password) < NB_PASSWORD_MIN)
        return nb_fail_field(r, NB_E_INVALID, field, "password must have at least %d characters",
                             NB_PASSWORD_MIN);
    return 0;
}

int
nb_check_libvirt_uri(struct nb_req *r, const char *uri)
{
    static const char *const drivers[] = {"test", "qemu",  "lxc", "xen", "libxl", "vbox",
                                          "esx",  "bhyve", "ch",  "vz",  NULL};
    size_t n = uri != NULL ? strcspn(uri, "+:") : 0;
    const char *rest;

    for (const char *const *d = drivers; uri != NULL && *d != NULL; d++) {
        if (strlen(*d) != n || strncmp(uri, *d, n) != 0)
            continue;
        rest = uri + n;
        if (*rest == '+')
            rest += 1 + strspn(rest + 1, "abcdefghijklmnopqrstuvwxyz");
        if (strncmp(rest, "://", 3) == 0 && strlen(uri) < 512 &&
            strpbrk(rest, " \t\r\n\"'<>") == NULL && strchr(rest + 3, '/') != NULL)
            return 0;
        break;
    }
    return nb_fail(r, NB_E_INVALID, "invalid libvirt URI '%s'", uri != NULL ? uri : "");
}

bool
nb_is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (s == NULL || s[i] == '\0' || (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])))
            return false;
    }
    return s[36] == '\0';
}

const char *
nb_uuid_canonical(struct nb_req *r, const char *text)
{
    size_t n = text != NULL ? strlen(text) : 0;

    if (n == 36 && nb_is_uuid(text))
        return text;
    if (n != 32 || strspn(text, "0123456789abcdefABCDEF") != 32)
        return NULL;
    return nb_arena_printf(r->arena, "%.8s-%.4s-%.4s-%.4s-%.12s", text, text + 8, text + 12,
                           text + 16, text + 20);
}

int
nb_check_mac(struct nb_req *r, const char *field, const char *mac)
{
    for (int i = 0; i < 17; i++) {
        bool colon = i % 3 == 2;

        if (mac[i] == '\0' || (colon ? mac[i] != ':' : !isxdigit((unsigned char)mac[i])))
            return nb_fail_field(r, NB_E_INVALID, field, "invalid MAC address '%s'", mac);
    }
    if (mac[17] != '\0')
        return nb_fail_field(r, NB_E_INVALID, field, "invalid MAC address '%s'", mac);
    return 0;
}

int
nb_check_abs_path(struct nb_req *r, const char *field, const char *path)
{
    if (path == NULL || path[0] != '/')
        return nb_fail_field(r, NB_E_INVALID, field, "must be an absolute path");
    for (const char *p = path; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return nb_fail_field(r, NB_E_INVALID, field, "must not hold control characters");
    for (const char *seg = path; seg != NULL; seg = strchr(seg + 1, '/')) {
        size_t n = strcspn(seg + 1, "/");

        if ((n == 1 && seg[1] == '.') || (n == 2 && strncmp(seg + 1, "..", 2) == 0))
            return nb_fail_field(r, NB_E_INVALID, field, "must not hold . or .. segments");
    }
    return 0;
}

int
nb_check_host(struct nb_req *r, const char *field, const char *host)
{
    size_t n = host != NULL ? strlen(host) : 0;

    if (n == 0 || n > 253 || host[0] == '-' ||
        host[strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-")] !=
            '\0')
        return nb_fail_field(r, NB_E_INVALID, field, "must be a host name or IP address");
    return 0;
}

const char *
nb_check_string_array(struct nb_req *r, const char *field, struct json_object *a)
{
    if (a == NULL || !json_object_is_type(a, json_type_array)) {
        nb_fail_field(r, NB_E_INVALID, field, "This field must be an array.");
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string)) {
            nb_fail_field(r, NB_E_INVALID, field, "Every item must be a string.");
            return NULL;
        }
    }
    return json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
}

const char **
nb_check_string_list(struct nb_req *r, const char *field, struct json_object *a)
{
    const char **list;
    size_t n;

    if (nb_check_string_array(r, field, a) == NULL)
        return NULL;
    n = json_object_array_length(a);
    list = nb_arena_alloc(r->arena, (n + 1) * sizeof(*list));
    for (size_t i = 0; i < n; i++)
        list[i] = json_object_get_string(json_object_array_get_idx(a, i));
    list[n] = NULL;
    return list;
}

bool
nb_ipv4_parse(const char *text, uint32_t *out)
{
    uint32_t addr = 0;
    const char *p = text;

    if (p == NULL)
        return false;
    for (int part = 0; part < 4; part++) {
        unsigned value = 0;
        int digits = 0;

        if (part > 0 && *p++ != '.')
            return false;
        for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
            value = value * 10 + (unsigned)(*p - '0');
        /* "0" alone, never "01": a leading zero means octal to inet_aton. */
        if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && p[-digits] == '0'))
            return false;
        addr = addr << 8 | value;
    }
    if (*p != '\0')
        return false;
    if (out != NULL)
        *out = addr;
    return true;
}

int
nb_ipv4_prefix(uint32_t mask)
{
    uint32_t hosts = ~mask;

    /* Contiguous ones from the top: the host part is 2^k - 1. */
    if (mask == 0 || (hosts & (hosts + 1)) != 0)
        return -1;
    return __builtin_popcount(mask);
}

int
nb_check_ipv4(struct nb_req *r, const char *field, const char *text, uint32_t *out)
{
    if (!nb_ipv4_parse(text, out))
        return nb_fail_field(r, NB_E_INVALID, field, "invalid IPv4 address '%.64s'",
                             text != NULL ? text : "");
    return 0;
}

int
nb_check_netmask(struct nb_req *r, const char *field, const char *text, uint32_t *out)
{
    uint32_t mask;

    if (!nb_ipv4_parse(text, &mask) || nb_ipv4_prefix(mask) < 0)
        return nb_fail_field(r, NB_E_INVALID, field, "invalid netmask '%.64s'",
                             text != NULL ? text : "");
    if (out != NULL)
        *out = mask;
    return 0;
}

int
nb_check_ipv4_range(struct nb_req *r, uint32_t start, uint32_t end, uint32_t mask)
{
    if (start > end)
        return nb_fail(r, NB_E_INVALID, "range start is after its end");
    if ((start & mask) != (end & mask))
        return nb_fail(r, NB_E_INVALID, "range start and end are not in the same /%d network",
                       nb_ipv4_prefix(mask));
    return 0;
}

int
nb_check_enum(struct nb_req *r, const char *field, const char *value, const char *const *members)
{
    char list[256];
    size_t at = 0;

    for (const char *const *m = members; *m != NULL; m++) {
        if (value != NULL && strcmp(value, *m) == 0)
            return 0;
        at +=
            (size_t)snprintf(list + at, sizeof(list) - at, "%s'%s'", m == members ? "" : ", ", *m);
        if (at >= sizeof(list))
            break;
    }
    return nb_fail_field(r, NB_E_INVALID, field, "must be one of %s", list);
}

int
nb_parse_int(const char *text, long long min, long long max, long long *out)
{
    bool negative;
    unsigned long long n = 0, limit;
    long long v;
    const char *p = text;

    if (p == NULL)
        return -1;
    negative = *p == '-';
    p += negative;
    /* Accumulate as unsigned: the magnitude of LLONG_MIN is one more than LLONG_MAX. */
    limit = negative ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    if (*p == '\0')
        return -1;
    for (; *p != '\0'; p++) {
        unsigned digit = (unsigned)(*p - '0');

        if (digit > 9 || n > (limit - digit) / 10)
            return -1;
        n = n * 10 + digit;
    }
    v = negative ? (n == 0 ? 0 : -(long long)(n - 1) - 1) : (long long)n;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

long long
nb_env_int(const char *name, long long min, long long max, long long fallback)
{
    const char *v = getenv(name);
    long long n;

    if (v == NULL || v[0] == '\0')
        return fallback;
    if (nb_parse_int(v, min, max, &n) < 0) {
        nb_log_warn(NULL, "%s=%.32s is not an integer from %lld to %lld; using %lld", name, v, min,
                    max, fallback);
        return fallback;
    }
    return n;
}
