/*
 * backup.c - see backup.h.
 */
#include "db/backup.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The file of a sqlite: URL; NULL for another database, with err saying
 * that command takes SQLite and what to do instead. */
static const char *sqlite_path(const char *url, const char *command, const char *instead, char *err,
                               size_t errlen)
{
    if (strncmp(url, "sqlite:", 7) == 0)
        return url + 7;
    snprintf(err, errlen, "%s takes a SQLite database; %s (docs/deploy.md)", command, instead);
    return NULL;
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

/* Copy the database at from into to (created when missing) and check the
 * copy; with check_from, check from before anything is written. to_verb
 * says in an error what opening to is ("create", "open"). */
static int copy_checked(const char *from, const char *to, bool check_from, const char *to_verb,
                        char *err, size_t errlen)
{
    sqlite3 *src = NULL, *dst = NULL;
    int rc = -1;
    if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open '%s': %s", from, sqlite3_errmsg(src));
        goto out;
    }
    if (check_from && check(src, err, errlen))
        goto out;
    if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot %s '%s': %s", to_verb, to, sqlite3_errmsg(dst));
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

int db_backup(const char *url, const char *to_path, char *err, size_t errlen)
{
    const char *path =
        sqlite_path(url, "backup", "back up PostgreSQL with pg_dump or a base backup", err, errlen);
    if (!path)
        return -1;
    if (access(to_path, F_OK) == 0) {
        snprintf(err, errlen, "'%s' exists already", to_path);
        return -1;
    }
    int rc = copy_checked(path, to_path, false, "create", err, errlen);
    if (rc)
        unlink(to_path);
    return rc;
}

int db_restore(const char *from_path, const char *url, char *err, size_t errlen)
{
    const char *path =
        sqlite_path(url, "restore", "restore PostgreSQL with pg_restore", err, errlen);
    return path ? copy_checked(from_path, path, true, "open", err, errlen) : -1;
}
