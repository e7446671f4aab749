/* Commissions (Synnefo's quotaholder, astakos/quotaholder_app): a service asks for resources
 * in provisions, holds them pending, then accepts or rejects them. All of a service's calls
 * act on its own commissions only (r->service_id). */
#ifndef NB_COMMISSIONS_H
#define NB_COMMISSIONS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/request.h"

/* One provision as the service wrote it: holder "user:<uuid>" with source "project:<uuid>",
 * or holder "project:<uuid>" with source NULL; quantity negative to release. */
struct nb_provision {
    const char *holder, *source, *resource;
    int64_t quantity;
};

struct nb_commission_spec {
    const char *name;
    const struct nb_provision *provisions;
    size_t nprovisions;
    bool force;  /* imports may go over their limit (releases never go below zero) */
    bool accept; /* accepted at once: nothing stays pending */
};

/* Issues a commission, all its provisions or none, in the caller's transaction: a malformed
 * provision is NB_E_INVALID; one for a holding that does not exist is NB_E_NOT_FOUND, one
 * that goes over NB_E_CONFLICT, both with NB_R_OVER_LIMIT naming the first such provision in
 * the order given; the caller must then roll back. *serial is the new commission's. */
int nb_commission_issue(struct nb_req *r, const struct nb_commission_spec *spec,
                        const char **serial);

/* The serials of the service's pending commissions, in column 0, oldest first. */
const PGresult *nb_commission_pending(struct nb_req *r);

/* Columns of nb_commission_get. */
enum nb_commission_col { NB_CC_SERIAL, NB_CC_ISSUED, NB_CC_NAME, NB_CC_PROVISIONS, NB_CC__MAX };
/* One pending commission of the service, provisions as a JSON array; NB_E_NOT_FOUND when the
 * service has no such pending commission, NB_E_INVALID when serial is not an integer. */
const PGresult *nb_commission_get(struct nb_req *r, const char *serial);

/* What a resolution did: the serials accepted and rejected, those the service had no pending
 * commission for, and those both accepted and rejected (left alone). Lists in the request's
 * arena. */
struct nb_resolution {
    const int64_t *accepted, *rejected, *not_found, *conflicting;
    size_t naccepted, nrejected, nnot_found, nconflicting;
};
/* Accepts the commissions in accept and rejects those in reject, in the caller's
 * transaction. */
int nb_commission_resolve(struct nb_req *r, const int64_t *accept, size_t naccept,
                          const int64_t *reject, size_t nreject, struct nb_resolution *out);

#endif
