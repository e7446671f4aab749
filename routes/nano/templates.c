/* Nano system templates: the hardware a new guest gets (disk bus, network model, display,
 * remote control, USB, tablet) and its default administrator. Built-in ones come from the
 * resources migration. */
#include <string.h>

#include "app/validate.h"
#include "db/db.h"
#include "db/templates.h"
#include "routes/nano/nano.h"

#define TEMPLATE_NAME_MAX 64

static const char *const systems[] = {"linux", "windows", NULL};
static const char *const disks[] = {"scsi", "sata", "ide", NULL};
static const char *const networks[] = {"virtio", "e1000", "rtl8139", NULL};
static const char *const displays[] = {"vga", "cirrus", NULL};
static const char *const controls[] = {"vnc", "spice", NULL};
static const char *const usbs[] = {"", "nec-xhci", NULL};
static const char *const tablets[] = {"", "usb", NULL};

/* TemplateConfigure's fields, by the setting each names. */
static const struct {
    const char *field;
    const char *const *members; /* NULL: free text */
} fields[NB_TS__MAX] = {
    [NB_TS_NAME] = {"name", NULL},
    [NB_TS_ADMIN] = {"admin", NULL},
    [NB_TS_SYSTEM] = {"operating_system", systems},
    [NB_TS_DISK] = {"disk", disks},
    [NB_TS_NETWORK] = {"network", networks},
    [NB_TS_DISPLAY] = {"display", displays},
    [NB_TS_CONTROL] = {"control", controls},
    [NB_TS_USB] = {"usb", usbs},
    [NB_TS_TABLET] = {"tablet", tablets},
};

/* Where each setting is in a template row (enum nb_template_col). */
static const enum nb_template_col column[NB_TS__MAX] = {
    [NB_TS_NAME] = NB_TC_NAME,       [NB_TS_ADMIN] = NB_TC_ADMIN,
    [NB_TS_SYSTEM] = NB_TC_SYSTEM,   [NB_TS_DISK] = NB_TC_DISK,
    [NB_TS_NETWORK] = NB_TC_NETWORK, [NB_TS_DISPLAY] = NB_TC_DISPLAY,
    [NB_TS_CONTROL] = NB_TC_CONTROL, [NB_TS_USB] = NB_TC_USB,
    [NB_TS_TABLET] = NB_TC_TABLET,
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

/* The body's fields (NULL when absent), checked. */
static int
template_body(struct nb_req *r, struct nb_template_config *c)
{
    const char **v = c->v;

    for (int i = 0; i < NB_TS__MAX; i++) {
        v[i] = nb_json_get_string(r->json, fields[i].field);
        if (v[i] != NULL && fields[i].members != NULL &&
            nb_check_enum(r, fields[i].field, v[i], fields[i].members) < 0)
            return -1;
    }
    if (v[NB_TS_ADMIN] != NULL && nb_check_name(r, "admin", v[NB_TS_ADMIN]) < 0)
        return -1;
    if (v[NB_TS_NAME] != NULL && check_template_name(r, v[NB_TS_NAME]) < 0)
        return -1;
    return 0;
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
    const PGresult *res = nb_template_list(r);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_array_ext(PQntuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct json_object *t = json_object_new_object();

        add_text(t, "id", res, i, NB_TLC_ID);
        add_text(t, "name", res, i, NB_TLC_NAME);
        add_text(t, "operating_system", res, i, NB_TLC_SYSTEM);
        add_text(t, "created_time", res, i, NB_TLC_CREATED);
        add_text(t, "modified_time", res, i, NB_TLC_MODIFIED);
        json_object_array_add(data, t);
    }
    return nano_ok(r, 200, data);
}

/* GET /templates/{id}: TemplateStatus. */
int
nano_template_get(struct nb_req *r)
{
    const PGresult *res = nb_template_load(r, r->capture[0]);
    struct json_object *data;

    if (res == NULL)
        return -1;
    data = json_object_new_object();
    add_text(data, "id", res, 0, NB_TC_ID);
    for (int i = 0; i < NB_TS__MAX; i++)
        add_text(data, fields[i].field, res, 0, column[i]);
    add_text(data, "created_time", res, 0, NB_TC_CREATED);
    add_text(data, "modified_time", res, 0, NB_TC_MODIFIED);
    return nano_ok(r, 200, data);
}

/* POST /templates/ (TemplateConfigure): answers {"id": ...}. */
int
nano_template_create(struct nb_req *r)
{
    struct nb_template_config c;
    const char *id;

    if (template_body(r, &c) < 0 || nb_template_create(r, &c, &id) < 0)
        return -1;
    return nano_id(r, 200, id);
}

/* PUT /templates/{id} (TemplateConfigure): absent fields keep their value. An unknown id is
 * reported before anything wrong in the body. */
int
nano_template_modify(struct nb_req *r)
{
    struct nb_template_config c;

    if (nb_template_load(r, r->capture[0]) == NULL || template_body(r, &c) < 0 ||
        nb_template_modify(r, r->capture[0], &c) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}

/* DELETE /templates/{id}: not while a guest was made from it. */
int
nano_template_remove(struct nb_req *r)
{
    if (nb_template_remove(r, r->capture[0]) < 0)
        return -1;
    return nano_ok(r, 200, NULL);
}
