/* System templates: names are unique, and a template stays while guests made from it exist.
 * The caller owns the audit entry. */
#include "db/templates.h"

#include "db/db.h"

/* The settings as TEMPLATE_CREATE's and TEMPLATE_UPDATE's parameters, in their order. */
#define SETTINGS(c)                                                                                \
    (c)->v[NB_TS_NAME], (c)->v[NB_TS_ADMIN], (c)->v[NB_TS_SYSTEM], (c)->v[NB_TS_DISK],             \
        (c)->v[NB_TS_NETWORK], (c)->v[NB_TS_DISPLAY], (c)->v[NB_TS_CONTROL], (c)->v[NB_TS_USB],    \
        (c)->v[NB_TS_TABLET]

const PGresult *
nb_template_list(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_TEMPLATE_LIST, NULL);
}

const PGresult *
nb_template_load(struct nb_req *r, const char *id)
{
    const PGresult *res = nb_db_query(r, NB_Q_TEMPLATE_GET, id);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "template %s not found", id);
        return NULL;
    }
    return res;
}

/* Refuses a name another template (not self, the canonical id or NULL) has. */
static int
name_free(struct nb_req *r, const char *name, const char *self)
{
    const PGresult *res;

    if (name == NULL)
        return 0;
    if ((res = nb_db_query(r, NB_Q_TEMPLATE_NAME_TAKEN, name, self)) == NULL)
        return -1;
    if (PQntuples(res) > 0)
        return nb_fail(r, NB_E_CONFLICT, "template name '%s' is already used by template %s", name,
                       nb_db_text(res, 0, 0));
    return 0;
}

int
nb_template_create(struct nb_req *r, const struct nb_template_config *c, const char **id)
{
    const PGresult *res;

    if (name_free(r, c->v[NB_TS_NAME], NULL) < 0 ||
        (res = nb_db_query(r, NB_Q_TEMPLATE_CREATE, SETTINGS(c))) == NULL)
        return -1;
    *id = nb_db_text(res, 0, 0);
    return 0;
}

int
nb_template_modify(struct nb_req *r, const char *id, const struct nb_template_config *c)
{
    const PGresult *res = nb_template_load(r, id);

    if (res == NULL || name_free(r, c->v[NB_TS_NAME], nb_db_text(res, 0, NB_TC_ID)) < 0 ||
        nb_db_query(r, NB_Q_TEMPLATE_UPDATE, id, SETTINGS(c)) == NULL)
        return -1;
    return 0;
}

int
nb_template_remove(struct nb_req *r, const char *id)
{
    const PGresult *res = nb_template_load(r, id);
    int64_t guests;

    if (res == NULL)
        return -1;
    guests = nb_db_int(res, 0, NB_TC_GUESTS);
    if (guests > 0)
        return nb_fail(r, NB_E_CONFLICT, "template %s is used by %lld guest(s)",
                       nb_db_text(res, 0, NB_TC_NAME), (long long)guests);
    return nb_db_query(r, NB_Q_TEMPLATE_DELETE, id) != NULL ? 0 : -1;
}
