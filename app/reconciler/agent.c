/* The guest agent: the administrator's password is set inside the running guest
 * (virDomainSetUserPassword); only then does the guest row record it. Credentials stored while
 * the guest was stopped are set the same way once it runs again. */
#include "app/log.h"
#include "app/reconciler/reconciler.h"
#include "db/db.h"

/* The password leaves the operation's params whatever happened; a failed write is logged. */
static void
forget_password(struct nb_req *r, const struct nb_op *op)
{
    struct nb_req w = {.arena = r->arena, .request_id = "reconciler"};

    if (nb_db_query(&w, NB_Q_OP_FORGET_PASSWORD, op->id) == NULL)
        nb_log_warn(NULL, "operation %s: password not cleared: %s", op->id, w.err.message);
}

int
nb_op_set_password(struct nb_req *r, struct nb_op *op)
{
    const char *user = nb_op_param(op, "user"), *password = nb_op_param(op, "password");
    int rc;

    if (user[0] == '\0' || password[0] == '\0') {
        forget_password(r, op);
        return nb_fail(r, NB_E_INVALID, "set_password needs a user and a password");
    }
    rc = virDomainSetUserPassword(op->dom, user, password, 0);
    if (rc < 0)
        nb_vir_fail(r);
    forget_password(r, op);
    if (rc < 0)
        return -1;
    return nb_db_query(r, NB_Q_OP_PASSWORD_SET, op->guest_id, user, password) != NULL ? 0 : -1;
}

void
nb_guests_apply_auth(struct nb_req *r, struct nb_reconciler *rc, struct nb_cell *c)
{
    const PGresult *res;

    if (c->conn == NULL)
        return;
    res = nb_db_query(r, NB_Q_OP_AUTH_PENDING, nb_arena_printf(r->arena, "%lld", (long long)c->id),
                      rc->id);
    for (int i = 0; res != NULL && i < PQntuples(res); i++) {
        const char *id = nb_db_text(res, i, 0), *user = nb_db_text(res, i, 1);
        const char *password = nb_db_text(res, i, 2);
        virDomainPtr dom = nb_own_domain(r, virDomainLookupByUUIDString(c->conn, id));

        /* Not there or no agent yet: the guest is still booting, or its domain is observed
         * lost; either way the next period tries again. */
        if (dom == NULL || virDomainSetUserPassword(dom, user, password, 0) < 0) {
            virResetLastError();
            continue;
        }
        nb_log_info(NULL, "guest %s: credentials of %s set through its guest agent", id, user);
        (void)nb_db_query(r, NB_Q_OP_AUTH_APPLIED, id, user, password);
    }
    r->err.status = NB_OK;
}
