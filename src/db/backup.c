/*
 * backup.c - see backup.h.
 */
#include "db/backup.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *sqlite_path(const char *url)
{
    return strncmp(url, "sqlite:", 7) == 0 ? url + 7 : NULL;
}

/* "ok" from PRAGMA integrity_check, or the first problem in err. */
static int check(sqlite3 *db, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    const char *text = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    bool ok = text && strcmp(text, "ok") == 0;
    if (!ok)
        snprintf(err, errlen, "integrity check failed: %s", text ? text : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

/* Copy every page of src into dst in one step (one read transaction on
 * src, so the copy is one consistent state of it). */
static int copy(sqlite3 *src, sqlite3 *dst, char *err, size_t errlen)
{
    sqlite3_busy_timeout(src, 10000);
    sqlite3_busy_timeout(dst, 10000);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(dst));
        return -1;
    }
    int rc;
    /* Busy or locked: a writer holds a lock at this instant; try again. */
    for (int tries = 0; tries < 1000; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        sqlite3_sleep(10);
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "copy failed: %s", sqlite3_errstr(rc));
        return -1;
    }
    return 0;
}

int db_backup(const char *url, const char *to_path, char *err, size_t errlen)
{
    const char *path = sqlite_path(url);
    if (!path) {
        snprintf(err, errlen,
                 "backup takes a SQLite database; back up PostgreSQL with pg_dump or a base "
                 "backup (docs/deploy.md)");
        return -1;
    }
    if (access(to_path, F_OK) == 0) {
        snprintf(err, errlen, "'%s' exists already", to_path);
        return -1;
    }
    sqlite3 *src = NULL, *dst = NULL;
    int rc = -1;
    if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open '%s': %s", path, sqlite3_errmsg(src));
        goto out;
    }
    if (sqlite3_open_v2(to_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot create '%s': %s", to_path, sqlite3_errmsg(dst));
        goto out;
    }
    rc = copy(src, dst, err, errlen);
    if (!rc)
        rc = check(dst, err, errlen);
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    if (rc)
        unlink(to_path);
    return rc;
}

int db_restore(const char *from_path, const char *url, char *err, size_t errlen)
{
    const char *path = sqlite_path(url);
    if (!path) {
        snprintf(err, errlen,
                 "restore takes a SQLite database; restore PostgreSQL with "
                 "pg_restore (docs/deploy.md)");
        return -1;
    }
    sqlite3 *src = NULL, *dst = NULL;
    int rc = -1;
    if (sqlite3_open_v2(from_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open '%s': %s", from_path, sqlite3_errmsg(src));
        goto out;
    }
    if (check(src, err, errlen))
        goto out;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot open '%s': %s", path, sqlite3_errmsg(dst));
        goto out;
    }
    rc = copy(src, dst, err, errlen);
    if (!rc)
        rc = check(dst, err, errlen);
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    return rc;
}
