/* The system as a whole: whether it has its first user yet, the most one guest may have, and
 * the initialisation that makes the first user (Nano's portal asks both before its log-in). */
#ifndef NB_SYSTEM_H
#define NB_SYSTEM_H

#include <libpq-fe.h>

#include "app/request.h"

/* Columns of nb_system_status, in SYSTEM_STATUS's order: ready is whether any user exists;
 * cores, memory (GiB) and disk (GiB) the most one guest may have on the enabled cells. */
enum nb_system_col {
    NB_SYS_READY,
    NB_SYS_MAX_CORES,
    NB_SYS_MAX_MEMORY,
    NB_SYS_MAX_DISK,
    NB_SYS__MAX
};
/* One row; NULL with the error recorded. */
const PGresult *nb_system_status(struct nb_req *r);

/* 1 when any user exists, 0 when none, -1 on error. */
int nb_system_ready(struct nb_req *r);

/* The first user, administrator of the system, in group (made, or taken over when it exists)
 * with display, holding the built-in admin role and role, a new role with menu. */
struct nb_system_init {
    const char *user, *password, *group, *display, *role;
    const char *const *menu;
};
/* Makes in's user, role and group in one transaction, with its audit entry. NB_E_CONFLICT
 * "system already initialed" once any user exists, and "role '<role>' already exists";
 * names, password and menu are the caller's to check, except the menu's tags
 * (nb_role_check_menu). */
int nb_system_initialise(struct nb_req *r, const struct nb_system_init *in);

#endif
