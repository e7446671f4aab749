/* Nano system templates: the hardware a new guest gets (disk bus, network model, display,
 * remote control, USB, tablet) and its default administrator. Built-in ones come from the
 * resources migration. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "routes/nano/nano.h"

#define TEMPLATE_NAME_MAX 64

static const char *const systems[] = {"linux", "windows", NULL};
static const char *const disks[] = {"scsi", "sata", "ide", NULL};
static const char *const networks[] = {"virtio", "e1000", "rtl8139", NULL};
static const char *const displays[] = {"vga", "cirrus", NULL};
static const char *const controls[] = {"vnc", "spice", NULL};
static const char *const usbs[] = {"", "nec-xhci", NULL};
static const char *const tablets[] = {"", "usb", NULL};

/* TemplateConfigure's fields in the order TEMPLATE_CREATE and TEMPLATE_UPDATE take them. */
enum { T_NAME, T_ADMIN, T_SYSTEM, T_DISK, T_NETWORK, T_DISPLAY, T_CONTROL, T_USB, T_TABLET, T__MAX };

static const struct {
    const char *field;
    const char *const *members; /* NULL: free text */
} fields[T__MAX] = {
    {"name", NULL},         {"admin", NULL},      {"operating_system", systems},
    {"disk", disks},        {"network", networks}, {"display", displays},
    {"control", controls},  {"usb", usbs},        {"tablet", tablets},
};

/* A template name: 1-64 printable characters (spaces allowed inside: "CentOS 7"). */
static int
check_template_name(struct nb_req *r, const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > TEMPLATE_NAME_MAX)
        return nb_fail_field(r, NB_E_INVALID, "name", "must have 1 to %d characters",
                             TEMPLATE_NAME_MAX);
    if (name[0] == ' ' || name[n - 1] == ' ')
        return nb_fail_field(r, NB_E_INVALID, "name", "must not start or end with a space");
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7f)
            return nb_fail_field(r, NB_E_INVALID, "name", "must not hold control characters");
    return 0;
}

/* The body's fields (NULL when absent), checked; a name another template (not self) has is
 * refused. */
static int
template_body(struct nb_req *r, const char *self, const char *v[T__MAX])
{
    const PGresult *res;

    for (int i = 0; i < T__MAX; i++) {
        v[i] = nb_json_get_string(r->json, fields[i].field);
        if (v[i] != NULL && fields[i].members != NULL &&
            nb_check_enum(r, fields[i].field, v[i], fields[i].members) < 0)
            return -1;
    }
    if (v[T_ADMIN] != NULL && nb_check_name(r, "admin", v[T_ADMIN]) < 0)
        return -1;
    if (v[T_NAME] == NULL)
        return 0;
    if (check_template_name(r, v[T_NAME]) < 0 ||
        (res = nb_db_query(r, NB_Q_TEMPLATE_NAME_TAKEN, v[T_NAME], self)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "template name '%s' is already used by template %s",
                       v[T_NAME], nb_db_text(res, 0, 0));
    return 0;
}

/* The template of the first capture (TEMPLATE_GET), or NULL with "not found" recorded. */
static const PGresult *
load_template(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_TEMPLATE_GET, r->capture[0]);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "template %s not found", r->capture[0]);
        return NULL;
    }
    return res;
}

static void
add_text(struct json_object *o, const char *key, const PGresult *res, int row, int col)
{
    json_object_object_add(o, key, json_object_new_string(nb_db_text(res, row, col)));
}

/* GET /templates/: TemplateBrief of each, by name. */
int
nano_template_list(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_TEMPLATE_LIST, NULL);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *t = json_object_new_object();

        add_text(t, "id", res, i, 0);
        add_text(t, "name", res, i, 1);
        add_text(t, "operating_system", res, i, 2);
        add_text(t, "created_time", res, i, 3);
        add_text(t, "modified_time", res, i, 4);
        json_object_array_add(data, t);
    }
    return nano_ok(r, 200, data);
}

/* GET /templates/{id}: TemplateStatus. */
int
nano_template_get(struct nb_req *r)
{
    const PGresult *res = load_template(r);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    add_text(data, "id", res, 0, 0);
    for (int i = 0; i < T__MAX; i++)
        add_text(data, fields[i].field, res, 0, 1 + i);
    add_text(data, "created_time", res, 0, 10);
    add_text(data, "modified_time", res, 0, 11);
    return nano_ok(r, 200, data);
}

/* POST /templates/ (TemplateConfigure): answers {"id": ...}. */
int
nano_template_create(struct nb_req *r)
{
    const char *v[T__MAX];
    const PGresult *res;

    if (template_body(r, NULL, v) < 0 ||
        (res = nb_db_query(r, NB_Q_TEMPLATE_CREATE, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
                           v[7], v[8])) == NULL)
        return -1;
    return nano_id(r, 200, nb_db_text(res, 0, 0));
}

/* PUT /templates/{id} (TemplateConfigure): absent fields keep their value. */
int
nano_template_modify(struct nb_req *r)
{
    const char *v[T__MAX];
    const PGresult *res = load_template(r);

    if (res == NULL || template_body(r, nb_db_text(res, 0, 0), v) < 0 ||
        nb_db_query(r, NB_Q_TEMPLATE_UPDATE, r->capture[0], v[0], v[1], v[2], v[3], v[4], v[5],
                    v[6], v[7], v[8]) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /templates/{id}: not while a guest was made from it. */
int
nano_template_remove(struct nb_req *r)
{
    const PGresult *res = load_template(r);

    if (res == NULL)
        return -1;
    if (nb_db_int(res, 0, 12) > 0)
        return nb_fail(r, NB_E_CONFLICT, "template %s is used by %lld guest(s)",
                       nb_db_text(res, 0, 1), (long long)nb_db_int(res, 0, 12));
    if (nb_db_query(r, NB_Q_TEMPLATE_DELETE, r->capture[0]) == NULL)
        return -1;
    return nano_ok(r, 200, NULL);
}
