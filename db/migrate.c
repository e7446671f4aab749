/* Schema migrations: numbered plain-SQL files, applied in order, one transaction each.
 * Runs on its own connection because the named queries cannot be prepared before the schema
 * they name exists. */
#include "db/db.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else if (buf != NULL) {
            buf[n] = '\0';
        }
    }
    (void)fclose(f); /* read only: nothing is lost if closing fails */
    return buf;
}

/* The text of dir/name, or NULL after saying why on stderr. */
static char *
read_migration(const char *dir, const char *name)
{
    char path[4096];
    char *sql = NULL;

    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        errno = ENAMETOOLONG;
    else
        sql = slurp(path);
    if (sql == NULL)
        perror(path);
    return sql;
}

static bool
ok(PGconn *c, PGresult *res, const char *what)
{
    ExecStatusType st = PQresultStatus(res);
    bool good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

    if (!good)
        (void)fprintf(stderr, "migrate: %s: %s", what, PQerrorMessage(c));
    return good;
}

/* Applies one file unless recorded; refuses a recorded file whose checksum changed. */
static int
apply(PGconn *c, const char *version, const char *sql)
{
    const char *params[2] = {version, sql};
    PGresult *res;
    int rc = -1;

    res = PQexecParams(c,
                       "SELECT checksum = encode(sha256(convert_to($2, 'UTF8')), 'hex')"
                       "  FROM schema_migrations WHERE version = $1",
                       2, NULL, params, NULL, NULL, 0);
    if (!ok(c, res, version))
        goto out;
    if (PQntuples(res) == 1) {
        if (PQgetvalue(res, 0, 0)[0] == 't')
            rc = 0;
        else
            (void)fprintf(stderr,
                          "migrate: %s was edited after it was applied; refusing to go on. "
                          "Add a new migration instead.\n",
                          version);
        goto out;
    }
    PQclear(res);
    res = PQexec(c, "BEGIN");
    if (!ok(c, res, "begin"))
        goto out;
    PQclear(res);
    res = PQexec(c, sql);
    if (!ok(c, res, version))
        goto rollback;
    PQclear(res);
    res = PQexecParams(c,
                       "INSERT INTO schema_migrations (version, checksum)"
                       " VALUES ($1, encode(sha256(convert_to($2, 'UTF8')), 'hex'))",
                       2, NULL, params, NULL, NULL, 0);
    if (!ok(c, res, version))
        goto rollback;
    PQclear(res);
    res = PQexec(c, "COMMIT");
    if (ok(c, res, "commit")) {
        printf("migrate: applied %s\n", version);
        rc = 0;
    }
    goto out;
rollback:
    PQclear(res);
    res = PQexec(c, "ROLLBACK");
out:
    PQclear(res);
    return rc;
}

int
nb_db_migrate(const char *conninfo, const char *dir)
{
    PGconn *c = PQconnectdb(conninfo);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    DIR *d;
    int rc = 0;

    if (PQstatus(c) != CONNECTION_OK) {
        (void)fprintf(stderr, "migrate: database unreachable: %s", PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    d = opendir(dir);
    if (d == NULL) {
        perror(dir);
        PQfinish(c);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof(*names));
            if (names == NULL)
                abort();
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), cmp_names);

    /* One migrator at a time: the lock waits for a concurrent `nimbusctl migrate`. */
    PGresult *res = PQexec(c, "SELECT pg_advisory_lock(7368656)");
    if (!ok(c, res, "lock"))
        rc = -1;
    PQclear(res);
    res = PQexec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version text PRIMARY KEY, checksum text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())");
    if (!ok(c, res, "schema_migrations"))
        rc = -1;
    PQclear(res);
    for (size_t i = 0; i < n; i++) {
        char *sql;

        if (rc == 0) {
            sql = read_migration(dir, names[i]);
            if (sql == NULL) {
                rc = -1;
            } else {
                names[i][strlen(names[i]) - 4] = '\0';
                rc = apply(c, names[i], sql);
                free(sql);
            }
        }
        free(names[i]);
    }
    free(names);
    PQfinish(c);
    return rc;
}
