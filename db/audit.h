/* The audit log: "<user> <verb> <object>", written in the transaction of the change, and the
 * text users post to it. Each entry records its author and whether the system wrote it. */
#ifndef NB_AUDIT_H
#define NB_AUDIT_H

#include "app/request.h"

/* Records a change or a log-in, as the system, for the caller (r->user, NULL for nimbusctl). */
int nb_audit(struct nb_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records text the caller posted: shown as theirs, never as the system's. */
int nb_audit_post(struct nb_req *r, const char *text);
/* Removes the entries whose ids a JSON array lists, all or none (NB_E_NOT_FOUND naming an
 * unknown id), and records in the same transaction which went: ids, times and authors. */
int nb_audit_remove(struct nb_req *r, const char *ids);

#endif
