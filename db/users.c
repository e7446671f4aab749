/* User rows: the password hash is computed here so no caller ever handles one, and whatever
 * should end a user's credentials ends them here. Callers own the audit entry. */
#include "db/users.h"

#include <string.h>

#include "app/secret.h"
#include "db/db.h"

/* An e-mail address is empty or local@domain. */
static int
check_mail(struct nb_req *r, const char *mail)
{
    const char *at = mail != NULL ? strchr(mail, '@') : NULL;

    if (mail == NULL || mail[0] == '\0')
        return 0;
    if (at == NULL || at == mail || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
        strpbrk(mail, " \t\r\n") != NULL)
        return nb_fail_field(r, NB_E_INVALID, "mail", "invalid e-mail address");
    return 0;
}

int
nb_user_create(struct nb_req *r, const char *name, const char *password, const char *nick,
               const char *mail)
{
    if (check_mail(r, mail) < 0)
        return -1;
    return nb_db_query(r, NB_Q_USER_ADD, name, nb_password_hash(r->arena, password),
                       nick != NULL ? nick : "", mail != NULL ? mail : "") != NULL
               ? 0
               : -1;
}

int
nb_user_modify(struct nb_req *r, const char *name, const char *nick, const char *mail)
{
    const PGresult *res;

    if (check_mail(r, mail) < 0 ||
        (res = nb_db_query(r, NB_Q_USER_UPDATE, name, nick, mail)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "user %s not found", name);
    return 0;
}

int
nb_user_remove(struct nb_req *r, const char *name)
{
    const PGresult *res;

    if (strcmp(name, r->user.name) == 0)
        return nb_fail(r, NB_E_CONFLICT, "you cannot delete yourself");
    if ((res = nb_db_query(r, NB_Q_ADMIN_COUNT_OTHERS, name)) == NULL)
        return -1;
    if (nb_db_int(res, 0, 0) == 0)
        return nb_fail(r, NB_E_CONFLICT, "at least one administrator must remain");
    if ((res = nb_db_query(r, NB_Q_USER_GUEST_COUNT, name)) == NULL)
        return -1;
    if (nb_db_int(res, 0, 0) > 0)
        return nb_fail(r, NB_E_CONFLICT, "user %s still owns %lld guest(s); delete them first",
                       name, (long long)nb_db_int(res, 0, 0));
    if ((res = nb_db_query(r, NB_Q_USER_DELETE, name)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "user %s not found", name);
    return 0;
}

const PGresult *
nb_user_list(struct nb_req *r)
{
    return nb_db_query(r, NB_Q_USER_LIST, NULL);
}

const PGresult *
nb_user_load(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_USER_GET, name);

    if (res != NULL && PQntuples(res) == 0) {
        nb_fail(r, NB_E_NOT_FOUND, "user %s not found", name);
        return NULL;
    }
    return res;
}

/* The one place credentials end for a change to their user. res is the UPDATE of the users row
 * that made the change (its id, or no row: NB_E_NOT_FOUND with missing), inside the transaction
 * this commits or rolls back. Its row lock makes a concurrent issue either wait for this commit
 * or be seen here (CREDENTIAL_HOLDER). The DELETE announces itself on the credential channel
 * (migrations/011), so every worker forgets the credentials when this commits, before the
 * caller's client hears of it. keep: a raw token spared, or NULL. */
static int
end_credentials(struct nb_req *r, const PGresult *res, const char *keep, const char *missing)
{
    if (res != NULL && PQntuples(res) == 0)
        nb_fail(r, NB_E_NOT_FOUND, "%s", missing);
    if (res == NULL || PQntuples(res) == 0 ||
        nb_db_query(r, NB_Q_CREDENTIAL_REVOKE_USER, nb_db_text(res, 0, 0), keep) == NULL ||
        nb_db_commit(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    return 0;
}

int
nb_user_set_password(struct nb_req *r, const char *name, const char *password, const char *keep)
{
    if (nb_db_begin(r) < 0)
        return -1;
    return end_credentials(
        r, nb_db_query(r, NB_Q_USER_SET_PASSWORD, name, nb_password_hash(r->arena, password)), keep,
        nb_arena_printf(r->arena, "user %s not found", name));
}

int
nb_user_leave_group(struct nb_req *r, const char *group, const char *name)
{
    if (nb_db_begin(r) < 0)
        return -1;
    return end_credentials(r, nb_db_query(r, NB_Q_MEMBER_REMOVE, group, name), NULL,
                           nb_arena_printf(r->arena, "user %s is not a member of %s", name, group));
}

int
nb_admin_remains(struct nb_req *r)
{
    const PGresult *res = nb_db_query(r, NB_Q_ADMIN_COUNT, NULL);

    if (res == NULL)
        return -1;
    if (nb_db_int(res, 0, 0) == 0)
        return nb_fail(r, NB_E_CONFLICT, "at least one administrator must remain");
    return 0;
}

int
nb_user_check_password(struct nb_req *r, const char *name, const char *password,
                       const char *message)
{
    const PGresult *res = nb_db_query(r, NB_Q_USER_PASSWORD_HASH, name);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0 || !nb_password_verify(nb_db_text(res, 0, 0), password))
        return nb_fail(r, NB_E_INVALID, "%s", message);
    return 0;
}

int
nb_user_exists(struct nb_req *r, const char *name)
{
    const PGresult *res = nb_db_query(r, NB_Q_USER_EXISTS, name);

    return res == NULL ? -1 : PQntuples(res) > 0;
}

/* Columns of USER_OWNER. */
enum { OWNER_ID, OWNER_GROUP };

int
nb_user_owner(struct nb_req *r, const char *owner, const char *what, const char **owner_id,
              const char **group_id)
{
    const PGresult *res;

    if (owner == NULL || owner[0] == '\0')
        owner = r->user.name;
    if (strcmp(owner, r->user.name) != 0 && !r->user.is_admin)
        return nb_fail_field(r, NB_E_FORBIDDEN, "owner", "only administrators create %s for others",
                             what);
    if ((res = nb_db_query(r, NB_Q_USER_OWNER, owner)) == NULL)
        return -1;
    if (PQntuples(res) == 0)
        return nb_fail(r, NB_E_NOT_FOUND, "user %s not found", owner);
    *owner_id = nb_db_text(res, 0, OWNER_ID);
    *group_id = nb_db_text_or_null(res, 0, OWNER_GROUP);
    return 0;
}
