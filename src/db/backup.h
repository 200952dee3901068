/*
 * backup.h - `hongyan backup` and `hongyan restore` of a SQLite database.
 *
 * A backup is taken with SQLite's online backup API while the server runs:
 * the whole file is copied in one step under one read transaction, which
 * in WAL mode does not block writers, so the copy is the database exactly
 * as it was at one commit. PostgreSQL has its own tools (pg_dump, or base
 * backups with WAL archiving for point-in-time recovery; docs/deploy.md).
 */
#ifndef HY_BACKUP_H
#define HY_BACKUP_H

#include <stddef.h>

/* Copy the database at url ("sqlite:PATH") into the new file to_path
 * (which must not exist), then check the copy's integrity. 0 on success;
 * -1 with a message in err (to_path removed). */
int db_backup(const char *url, const char *to_path, char *err, size_t errlen);

/* Replace the database at url with the backup from_path, after checking
 * the backup's integrity. The server must be stopped. 0 or -1 with err. */
int db_restore(const char *from_path, const char *url, char *err, size_t errlen);

#endif
