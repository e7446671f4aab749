/* Checks on input values shared by every dialect. */
#ifndef NB_VALIDATE_H
#define NB_VALIDATE_H

#include <json-c/json.h>
#include <stdbool.h>

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
/* A MAC address as six colon-separated hex pairs. */
int nb_check_mac(struct nb_req *r, const char *field, const char *mac);
/* An absolute path: starts with '/', no control characters, no "." or ".." segments. */
int nb_check_abs_path(struct nb_req *r, const char *field, const char *path);
/* A host name or IP address: 1-253 characters from [A-Za-z0-9._:-], not starting with '-'
 * (underscores occur in real DNS names). */
int nb_check_host(struct nb_req *r, const char *field, const char *host);
/* A JSON array whose items are all strings; the array's JSON text, or NULL with the error. */
const char *nb_check_string_array(struct nb_req *r, const char *field, struct json_object *a);

#endif
