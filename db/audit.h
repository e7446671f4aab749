/* The audit log: "<user> <verb> <object>", written in the transaction of the change, and the
 * text users post to it. Each entry records its author and whether the system wrote it. */
#ifndef NB_AUDIT_H
#define NB_AUDIT_H

#include <libpq-fe.h>
#include <stdint.h>

#include "app/request.h"

/* Records a change or a log-in, as the system, for the caller (r->user, NULL for nimbusctl). */
int nb_audit(struct nb_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records text the caller posted: shown as theirs, never as the system's. */
int nb_audit_post(struct nb_req *r, const char *text);
/* Removes the entries whose ids the NULL-terminated list ids names, all or none
 * (NB_E_NOT_FOUND naming an unknown id), and records in the same transaction which went: ids,
 * times and authors. */
int nb_audit_remove(struct nb_req *r, const char *const *ids);

/* Which entries nb_audit_list shows: newest first, skipping offset, at most limit, after and
 * before as 'YYYY-MM-DD[ HH:MI:SS]' or NULL (no bound). */
struct nb_audit_filter {
    int64_t limit, offset;
    const char *after, *before;
};
/* Columns of nb_audit_list's page, in LOG_QUERY's order. author is NULL for nimbusctl; source
 * is "system" or "user" ("unknown" before migration 017). */
enum nb_audit_col { NB_AC_ID, NB_AC_TIME, NB_AC_ENTRY, NB_AC_AUTHOR, NB_AC_SOURCE, NB_AC__MAX };
/* A page of entries and how many match the time bounds in all. */
struct nb_audit_page {
    const PGresult *res;
    int64_t total;
};
int nb_audit_list(struct nb_req *r, const struct nb_audit_filter *f, struct nb_audit_page *out);

#endif
