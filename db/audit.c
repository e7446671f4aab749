/* Audit entries carry the caller, the dialect and the request id nginx assigned. */
#include "db/audit.h"

#include <stdarg.h>
#include <stdio.h>

#include "db/db.h"

int
nb_audit(struct nb_req *r, const char *fmt, ...)
{
    va_list ap;
    char *entry;

    va_start(ap, fmt);
    entry = nb_arena_vprintf(r->arena, fmt, ap);
    va_end(ap);
    if (nb_db_query(r, NB_Q_AUDIT_ADD, r->user.id_text,
                    r->dialect != NULL ? r->dialect->name : "cli",
                    r->request_id != NULL ? r->request_id : "", entry) == NULL)
        return -1;
    return 0;
}
