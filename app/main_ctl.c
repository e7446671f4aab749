/* nimbusctl: the operator's command line (migrations, users, the first admin, cells,
 * services, expired projects). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/dialect_export.h"
#include "app/log.h"
#include "app/secret.h"
#include "app/validate.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/projects.h"
#include "db/services.h"
#include "db/users.h"

static const char usage[] =
    "usage: nimbusctl <command> [args]\n"
    "\n"
    "commands:\n"
    "  migrate                  apply migrations/*.sql not yet applied (NIMBUS_MIGRATIONS)\n"
    "  bootstrap                create the first admin (NIMBUS_ADMIN_USER, NIMBUS_ADMIN_PASSWORD;\n"
    "                           a generated password is printed once and stored in\n"
    "                           $NIMBUS_STATE_DIR/admin-password)\n"
    "  user add NAME [GROUP]    create a user; the password comes from NIMBUS_PASSWORD or stdin\n"
    "  user passwd NAME         set a user's password (NIMBUS_PASSWORD or stdin); ends every\n"
    "                           credential the user holds\n"
    "  cell add NAME --uri URI [--pool POOL] [--storage PATH]\n"
    "                           register a libvirt host (again: point it at URI); with --pool\n"
    "                           attach it to that compute pool, else it stays unallocated;\n"
    "                           --storage: where its guests' volumes go (system and data path)\n"
    "  pool add NAME            create a compute pool unless it exists (the stack's pool sim)\n"
    "  cell list                cells with their pool, liveness and lease holder\n"
    "  cell remove NAME         unregister a cell that hosts no guests\n"
    "  service add NAME         register an Astakos service (again: a new token) and print\n"
    "                           its token, which issues commissions for the resources that\n"
    "                           name it (cyclades_compute: cyclades.vm, .cpu, .ram, .disk)\n"
    "  project check-expired    list the live projects whose end date has passed\n"
    "  project terminate-expired\n"
    "                           terminate them, as an administrator would (run it from cron:\n"
    "                           an expired project keeps its quotas until then)\n"
    "  dialects                 the dialects as JSON: mounts, log-in, credential headers,\n"
    "                           routes (for the API tests; no database)\n"
    "  nginx PART               PART of nginx's configuration from the dialects: mounts,\n"
    "                           maps, bodies, logins or waits (app/stack.sh; no database)\n"
    "\n"
    "The database is NIMBUS_DB (a libpq conninfo string).\n";

static const char *
env(const char *name, const char *fallback)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : fallback;
}

static int
fail(struct nb_req *r)
{
    (void)fprintf(stderr, "nimbusctl: %s\n", r->err.message);
    return 1;
}

/* The password from NIMBUS_PASSWORD, else the first line of stdin. */
static const char *
read_password(struct nb_req *r)
{
    static char line[1024];
    const char *pw = getenv("NIMBUS_PASSWORD");

    if (pw == NULL) {
        if (isatty(STDIN_FILENO))
            (void)fputs("password: ", stderr);
        if (fgets(line, sizeof(line), stdin) == NULL)
            line[0] = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        pw = line;
    }
    return nb_check_password(r, "password", pw) < 0 ? NULL : pw;
}

static int
save_password(const char *state, const char *password)
{
    char path[4096];
    int fd;

    if (snprintf(path, sizeof(path), "%s/admin-password", state) >= (int)sizeof(path)) {
        (void)fprintf(stderr, "nimbusctl: the state directory's path is too long\n");
        return -1;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, password, strlen(password)) < 0 || write(fd, "\n", 1) < 0) {
        (void)fprintf(stderr, "nimbusctl: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Commits the work since nb_db_begin with its audit entry, or rolls it all back. */
static int
commit_audited(struct nb_req *r, int rc, const char *entry)
{
    if (rc < 0 || nb_audit(r, "nimbusctl %s", entry) < 0 || nb_db_commit(r) < 0) {
        nb_db_rollback();
        return -1;
    }
    return 0;
}

/* Creates a user, in group unless that is NULL, in one transaction. */
static int
create_user(struct nb_req *r, const char *name, const char *password, const char *group)
{
    const PGresult *res = NULL;
    int rc;

    if (nb_check_name(r, "user", name) < 0 || nb_db_begin(r) < 0)
        return -1;
    rc = nb_user_create(r, name, password, NULL, NULL);
    if (rc == 0 && group != NULL && (res = nb_db_query(r, NB_Q_MEMBER_ADD, group, name)) == NULL)
        rc = -1;
    if (rc == 0 && group != NULL && PQntuples(res) == 0)
        rc = nb_fail(r, NB_E_NOT_FOUND, "group %s not found", group);
    return commit_audited(r, rc, nb_arena_printf(r->arena, "creates user %s", name));
}

/* Sets name's password and ends every credential of name (an operator keeps none). */
static int
set_password(struct nb_req *r, const char *name, const char *password)
{
    if (nb_db_begin(r) < 0)
        return -1;
    return commit_audited(r, nb_user_set_password(r, name, password, NULL),
                          nb_arena_printf(r->arena, "changes the password of %s", name));
}

/* 1 when password already is name's: a restart with the same NIMBUS_ADMIN_PASSWORD changes no
 * password, so it must not end the administrator's sessions. */
static int
password_is(struct nb_req *r, const char *name, const char *password)
{
    const PGresult *res = nb_db_query(r, NB_Q_USER_PASSWORD_HASH, name);

    if (res == NULL)
        return -1;
    return PQntuples(res) == 1 && nb_password_verify(nb_db_text(res, 0, 0), password);
}

/* Idempotent: an existing admin keeps its password unless NIMBUS_ADMIN_PASSWORD says another. */
static int
bootstrap(struct nb_req *r)
{
    const char *name = env("NIMBUS_ADMIN_USER", "admin");
    const char *password = env("NIMBUS_ADMIN_PASSWORD", NULL);
    const char *state = env("NIMBUS_STATE_DIR", ".run");
    int exists = nb_user_exists(r, name), same;

    if (exists < 0)
        return fail(r);
    if (exists) {
        if (password != NULL && ((same = password_is(r, name, password)) < 0 ||
                                 (!same && set_password(r, name, password) < 0)))
            return fail(r);
        printf("admin user %s exists\n", name);
        return 0;
    }
    if (password == NULL) {
        password = nb_random_hex(r->arena, 12);
        if (save_password(state, password) < 0)
            return 1;
        printf("generated admin password for %s: %s (saved in %s/admin-password)\n", name, password,
               state);
    }
    if (create_user(r, name, password, "admin") < 0)
        return fail(r);
    printf("created admin user %s\n", name);
    return 0;
}

static int
user_command(struct nb_req *r, int argc, char **argv)
{
    const char *pw;

    if (argc >= 3 && strcmp(argv[1], "add") == 0) {
        if ((pw = read_password(r)) == NULL ||
            create_user(r, argv[2], pw, argc > 3 ? argv[3] : NULL) < 0)
            return fail(r);
        printf("created user %s\n", argv[2]);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "passwd") == 0) {
        if ((pw = read_password(r)) == NULL || set_password(r, argv[2], pw) < 0)
            return fail(r);
        printf("password of %s changed\n", argv[2]);
        return 0;
    }
    (void)fputs(usage, stderr);
    return 2;
}

static const char *
option(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static int
cell_add(struct nb_req *r, const char *name, const char *uri, const char *pool, const char *storage)
{
    const PGresult *res;
    int rc;

    if (nb_check_name(r, "cell", name) < 0 || nb_check_libvirt_uri(r, uri) < 0 ||
        (storage != NULL && storage[0] != '/' &&
         nb_fail(r, NB_E_INVALID, "--storage must be an absolute path") < 0) ||
        nb_db_begin(r) < 0)
        return fail(r);
    res = nb_db_query(r, NB_Q_CELL_REGISTER, name, uri);
    rc = res != NULL ? 0 : -1;
    if (rc == 0 && storage != NULL &&
        nb_db_query(r, NB_Q_CELL_SET_PATHS, nb_db_text(res, 0, 0), storage) == NULL)
        rc = -1;
    if (rc == 0 && pool != NULL) {
        res = nb_db_query(r, NB_Q_CELL_ATTACH, pool, name);
        rc = res == NULL           ? -1
             : PQntuples(res) == 0 ? nb_fail(r, NB_E_NOT_FOUND, "compute pool %s not found", pool)
                                   : 0;
    }
    if (commit_audited(r, rc, nb_arena_printf(r->arena, "registers cell %s at %s", name, uri)) < 0)
        return fail(r);
    printf("cell %s registered at %s%s%s\n", name, uri, pool ? " in pool " : "", pool ? pool : "");
    return 0;
}

static int
pool_add(struct nb_req *r, const char *name)
{
    int rc;

    if (nb_check_name(r, "compute pool", name) < 0 || nb_db_begin(r) < 0)
        return fail(r);
    rc = nb_db_query(r, NB_Q_POOL_ENSURE, name) != NULL ? 0 : -1;
    if (commit_audited(r, rc, nb_arena_printf(r->arena, "adds compute pool %s", name)) < 0)
        return fail(r);
    printf("compute pool %s ready\n", name);
    return 0;
}

static int
cell_command(struct nb_req *r, int argc, char **argv)
{
    const PGresult *res;

    if (argc >= 3 && strcmp(argv[1], "add") == 0 && option(argc, argv, "--uri") != NULL)
        return cell_add(r, argv[2], option(argc, argv, "--uri"), option(argc, argv, "--pool"),
                        option(argc, argv, "--storage"));
    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        if ((res = nb_db_query(r, NB_Q_CELL_LIST_ALL, NULL)) == NULL)
            return fail(r);
        printf("%-16s %-8s %-7s %-6s %5s %14s  %-24s %s\n", "NAME", "POOL", "ENABLED", "ALIVE",
               "CORES", "MEMORY", "LEASE", "URI");
        for (int i = 0; i < PQntuples(res); i++)
            printf("%-16s %-8s %-7s %-6s %5s %14s  %-24s %s %s\n", nb_db_text(res, i, 0),
                   nb_db_text(res, i, 2), nb_db_text(res, i, 3), nb_db_text(res, i, 4),
                   nb_db_text(res, i, 5), nb_db_text(res, i, 6), nb_db_text(res, i, 7),
                   nb_db_text(res, i, 1), nb_db_text(res, i, 8));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "remove") == 0) {
        if (nb_db_begin(r) < 0)
            return fail(r);
        res = nb_db_query(r, NB_Q_CELL_UNREGISTER, argv[2]);
        if (commit_audited(
                r,
                res == NULL ? -1
                : PQntuples(res) == 0
                    ? nb_fail(r, NB_E_CONFLICT, "cell %s not found or hosts guests", argv[2])
                    : 0,
                nb_arena_printf(r->arena, "removes cell %s", argv[2])) < 0)
            return fail(r);
        printf("cell %s removed\n", argv[2]);
        return 0;
    }
    (void)fputs(usage, stderr);
    return 2;
}

/* service add NAME: the token is printed once; only its hash is kept. */
static int
service_command(struct nb_req *r, int argc, char **argv)
{
    const char *token;

    if (argc < 3 || strcmp(argv[1], "add") != 0) {
        (void)fputs(usage, stderr);
        return 2;
    }
    if (nb_check_name(r, "service", argv[2]) < 0 || nb_db_begin(r) < 0 ||
        commit_audited(r, nb_service_add(r, argv[2], &token),
                       nb_arena_printf(r->arena, "registers service %s", argv[2])) < 0)
        return fail(r);
    printf("%s\n", token);
    return 0;
}

/* project check-expired | terminate-expired: Synnefo's `snf-manage project-control
 * --check-expired` and `--terminate-expired`. The list goes to stdout as a table (tab-
 * separated), the counts to stderr. Each project is terminated in its own transaction by the
 * terminate action's path; one that cannot be (changed meanwhile) is reported and the others
 * go on. */
static int
project_command(struct nb_req *r, int argc, char **argv)
{
    bool terminate = argc == 2 && strcmp(argv[1], "terminate-expired") == 0;
    const PGresult *res;
    int failed = 0, n;

    if (argc != 2 || (!terminate && strcmp(argv[1], "check-expired") != 0)) {
        (void)fputs(usage, stderr);
        return 2;
    }
    /* The operator acts as an administrator, seeing every project. */
    r->user.is_admin = true;
    r->scope = (struct nb_scope){.user_id = "0", .admin = "t"};
    if ((res = nb_project_expired(r)) == NULL)
        return fail(r);
    if ((n = PQntuples(res)) == 0) {
        (void)fputs("No expired projects.\n", stderr);
        return 0;
    }
    printf("Project\tName\tStatus\tExpiration date\n");
    for (int i = 0; i < n; i++)
        printf("%s\t%s\t%s\t%s\n", nb_db_text(res, i, NB_XC_ID), nb_db_text(res, i, NB_XC_NAME),
               nb_db_text(res, i, NB_XC_STATE), nb_db_text(res, i, NB_XC_END));
    for (int i = 0; terminate && i < n; i++) {
        memset(&r->err, 0, sizeof(r->err));
        if (nb_project_terminate_expired(r, nb_db_text(res, i, NB_XC_ID)) < 0) {
            nb_db_rollback();
            (void)fprintf(stderr, "nimbusctl: %s\n", r->err.message);
            failed++;
        }
    }
    if (terminate)
        (void)fprintf(stderr, "%d projects have been terminated.\n", n - failed);
    return failed > 0;
}

static int
bootstrap_command(struct nb_req *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return bootstrap(r);
}

static int
pool_command(struct nb_req *r, int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "add") == 0)
        return pool_add(r, argv[2]);
    (void)fputs(usage, stderr);
    return 2;
}

/* The commands that work on the database: each gets its own words (argv[0] its name). */
static const struct db_command {
    const char *name;
    int (*run)(struct nb_req *r, int argc, char **argv);
} db_commands[] = {
    {"bootstrap", bootstrap_command}, {"user", user_command},       {"cell", cell_command},
    {"pool", pool_command},           {"service", service_command}, {"project", project_command},
};

int
main(int argc, char **argv)
{
    const char *conninfo = env("NIMBUS_DB", "");
    struct nb_req r = {.user = {.name = "nimbusctl"}, .request_id = "cli"};
    const struct db_command *cmd = NULL;
    int rc;

    nb_log_set_process("ctl");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        (void)fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "dialects") == 0)
        return nb_dialect_print_json(stdout) < 0;
    if (strcmp(argv[1], "nginx") == 0) {
        if (argc == 3 &&
            (strcmp(argv[2], "waits") == 0 ? nb_dialect_print_waits(stdout)
                                           : nb_dialect_print_nginx(stdout, argv[2])) == 0)
            return 0;
        (void)fprintf(stderr, "nimbusctl: nginx mounts|maps|bodies|logins|waits\n");
        return 2;
    }
    if (strcmp(argv[1], "migrate") == 0)
        return nb_db_migrate(conninfo, env("NIMBUS_MIGRATIONS", NB_SOURCE_DIR "/migrations")) < 0;
    for (size_t i = 0; i < sizeof(db_commands) / sizeof(db_commands[0]); i++)
        if (strcmp(argv[1], db_commands[i].name) == 0)
            cmd = &db_commands[i];
    if (cmd == NULL) {
        (void)fprintf(stderr, "nimbusctl: unknown command %s\n\n%s", argv[1], usage);
        return 2;
    }
    r.arena = nb_arena_new(4096);
    nb_db_init(conninfo);
    if (!nb_db_ready()) {
        (void)fprintf(stderr, "nimbusctl: database unreachable (NIMBUS_DB)\n");
        return 1;
    }
    rc = cmd->run(&r, argc - 1, argv + 1);
    nb_arena_free(r.arena);
    nb_db_close();
    return rc;
}
