/* The audit log: "<user> <verb> <object>", written in the transaction of the change. */
#ifndef NB_AUDIT_H
#define NB_AUDIT_H

#include "app/request.h"

int nb_audit(struct nb_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
