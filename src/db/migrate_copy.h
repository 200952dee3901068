/*
 * migrate_copy.h - move a SQLite database into an empty PostgreSQL one,
 * verified by per-table row counts and checksums (`hongyan migrate-db`).
 */
#ifndef HY_MIGRATE_COPY_H
#define HY_MIGRATE_COPY_H

/* Copy from_url ("sqlite:PATH") into to_url ("postgres://..."), printing a
 * table of rows and checksums. Uses and shuts down the process-wide store;
 * call with no other database use in flight. 0 on success, -1 (nothing
 * committed to the target) on failure. */
int db_copy_sqlite_to(const char *from_url, const char *to_url);

#endif
