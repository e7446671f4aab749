/* Checks on input values shared by every dialect. */
#ifndef NB_VALIDATE_H
#define NB_VALIDATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* Names of users, groups and roles: 1-64 characters from [A-Za-z0-9_.@-], starting with a
 * letter or digit. Records NB_E_INVALID naming what when not. */
int nb_check_name(struct nb_req *r, const char *what, const char *name);
/* Passwords: at least NB_PASSWORD_MIN characters. */
#define NB_PASSWORD_MIN 6
int nb_check_password(struct nb_req *r, const char *field, const char *password);
/* A libvirt connection URI: driver[+transport]://[user@][host][:port]/path[?query], driver one
 * libvirt knows (test, qemu, lxc, xen, libxl, vbox, esx, bhyve, ch, vz). */
int nb_check_libvirt_uri(struct nb_req *r, const char *uri);
/* Whether s is a UUID in its canonical text form (36 characters, hex and dashes). */
bool nb_is_uuid(const char *s);
/* The canonical form (36 characters, lower or upper case as given) of a UUID written with or
 * without dashes (32 hex digits, as Waldur prints them), in r's arena; NULL when text is
 * neither. Every dialect accepts both forms on input (MODEL.md, Ids). */
const char *nb_uuid_canonical(struct nb_req *r, const char *text);
/* A MAC address as six colon-separated hex pairs. */
int nb_check_mac(struct nb_req *r, const char *field, const char *mac);
/* An absolute path: starts with '/', no control characters, no "." or ".." segments. */
int nb_check_abs_path(struct nb_req *r, const char *field, const char *path);
/* A host name or IP address: 1-253 characters from [A-Za-z0-9._:-], not starting with '-'
 * (underscores occur in real DNS names). */
int nb_check_host(struct nb_req *r, const char *field, const char *host);
/* A JSON array whose items are all strings; the array's JSON text, or NULL with the error. */
const char *nb_check_string_array(struct nb_req *r, const char *field, struct json_object *a);
/* The same check; the items as a NULL-terminated array in r's arena, or NULL with the error. */
const char **nb_check_string_list(struct nb_req *r, const char *field, struct json_object *a);

/* IPv4 addresses in dotted-quad form only: four decimal parts 0-255 without leading zeros
 * ("10.0.0.1"; not "10.1", "010.0.0.1", "0x0a.0.0.1" or " 10.0.0.1"). Sets *out (host byte
 * order) when out is not NULL; false when text is not such an address. */
bool nb_ipv4_parse(const char *text, uint32_t *out);
/* The prefix length (1-32) of a netmask whose ones are contiguous from the top; -1 otherwise. */
int nb_ipv4_prefix(uint32_t mask);
/* nb_ipv4_parse, recording NB_E_INVALID naming field when text is no IPv4 address. */
int nb_check_ipv4(struct nb_req *r, const char *field, const char *text, uint32_t *out);
/* A netmask in dotted-quad form (255.255.255.0); records NB_E_INVALID naming field. */
int nb_check_netmask(struct nb_req *r, const char *field, const char *text, uint32_t *out);
/* An address range under mask: start <= end and both in one network (start & mask ==
 * end & mask). Records NB_E_INVALID when not. */
int nb_check_ipv4_range(struct nb_req *r, uint32_t start, uint32_t end, uint32_t mask);
/* value is one of members (NULL-terminated); records NB_E_INVALID listing them when not. */
int nb_check_enum(struct nb_req *r, const char *field, const char *value,
                  const char *const *members);

/* The one integer parser (strtonum-style): text must be a whole decimal integer, an optional
 * '-' then 1-19 digits, nothing before or after (no blanks, no '+', no other base), within
 * [min, max]. Sets *out and returns 0; returns -1 and leaves *out alone otherwise (NULL, empty,
 * junk, overflow, out of range). */
int nb_parse_int(const char *text, long long min, long long max, long long *out);
/* An integer setting from the environment: the value of variable name when nb_parse_int takes
 * it within [min, max]; fallback when it is unset or empty, and (with a warning in the log)
 * when it is anything else. */
long long nb_env_int(const char *name, long long min, long long max, long long fallback);

#endif
