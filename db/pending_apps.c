/* The pending-application count: one statement moves it with the applications (charge when
 * one is filed, release when one stops pending), on the holdings of the applicants' base
 * projects, under their row locks; a filing over the limit is refused before anything else
 * is written, as Synnefo's submit_application does. */
#include "db/pending_apps.h"

#include <stdbool.h>

#include "db/db.h"

/* Columns of PENDING_APP_MOVE. */
enum { PA_LIMIT, PA_USAGE };

/* Astakos's words (astakos/im/messages.py, REACHED_PENDING_APPLICATION_LIMIT). */
#define LIMIT_REACHED "You have reached the maximum number of pending project applications: %lld."

int
nb_pending_app_charge(struct nb_req *r, const char *project)
{
    const PGresult *res = nb_db_query(r, NB_Q_PENDING_APP_MOVE, r->user.id_text, project);

    if (res == NULL)
        return -1;
    if (r->user.is_admin)
        return 0;
    for (int i = 0; i < PQntuples(res); i++) {
        bool no_holding = PQgetisnull(res, i, PA_LIMIT);

        if (no_holding || nb_db_int(res, i, PA_USAGE) > nb_db_int(res, i, PA_LIMIT))
            return nb_fail(r, NB_E_CONFLICT, LIMIT_REACHED,
                           no_holding ? 0LL : (long long)nb_db_int(res, i, PA_LIMIT));
    }
    return 0;
}

int
nb_pending_app_release(struct nb_req *r, const char *project)
{
    return nb_db_query(r, NB_Q_PENDING_APP_MOVE, NULL, project) != NULL ? 0 : -1;
}
