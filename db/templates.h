/* System templates: the hardware a new guest gets and its default administrator. */
#ifndef NB_TEMPLATES_H
#define NB_TEMPLATES_H

#include <libpq-fe.h>

#include "app/request.h"

/* A template's settings, in the order TEMPLATE_CREATE and TEMPLATE_UPDATE take them. */
enum nb_template_setting {
    NB_TS_NAME,
    NB_TS_ADMIN,
    NB_TS_SYSTEM,
    NB_TS_DISK,
    NB_TS_NETWORK,
    NB_TS_DISPLAY,
    NB_TS_CONTROL,
    NB_TS_USB,
    NB_TS_TABLET,
    NB_TS__MAX
};
/* What a create or modify sets, indexed by enum nb_template_setting; NULL: the default (create)
 * or keep (modify). The values are checked by the caller. */
struct nb_template_config {
    const char *v[NB_TS__MAX];
};

/* Columns of nb_template_list, in TEMPLATE_LIST's order. */
enum nb_template_list_col {
    NB_TLC_ID,
    NB_TLC_NAME,
    NB_TLC_SYSTEM,
    NB_TLC_CREATED,
    NB_TLC_MODIFIED,
    NB_TLC__MAX
};
/* Every template, by name; NULL with the error recorded. */
const PGresult *nb_template_list(struct nb_req *r);

/* Columns of nb_template_load, in TEMPLATE_GET's order: the id, the settings, the times and how
 * many guests were made from it. */
enum nb_template_col {
    NB_TC_ID,
    NB_TC_NAME,
    NB_TC_ADMIN,
    NB_TC_SYSTEM,
    NB_TC_DISK,
    NB_TC_NETWORK,
    NB_TC_DISPLAY,
    NB_TC_CONTROL,
    NB_TC_USB,
    NB_TC_TABLET,
    NB_TC_CREATED,
    NB_TC_MODIFIED,
    NB_TC_GUESTS,
    NB_TC__MAX
};
/* The template (one row), or NULL with NB_E_NOT_FOUND "template <id> not found" or a
 * database error. */
const PGresult *nb_template_load(struct nb_req *r, const char *id);

/* Creates a template (a name is required); *id is its id. NB_E_CONFLICT when another template
 * has the name. */
int nb_template_create(struct nb_req *r, const struct nb_template_config *c, const char **id);
/* Changes template id; NB_E_NOT_FOUND when unknown, NB_E_CONFLICT when another template has
 * the new name. */
int nb_template_modify(struct nb_req *r, const char *id, const struct nb_template_config *c);
/* Deletes template id, never while a guest made from it exists (NB_E_CONFLICT); NB_E_NOT_FOUND
 * when unknown. */
int nb_template_remove(struct nb_req *r, const char *id);

#endif
