/*
 * db.h - the store: one narrow interface over SQLite and PostgreSQL.
 *
 * Domain code writes portable SQL with '?' placeholders and binds values
 * through struct db_val; it never learns which backend it talks to. Each
 * thread owns one connection (db_get()), opened on first use; a connection
 * is used by one thread only, so no locking happens here.
 *
 * Contract: functions returning int answer 0 on success and a negative
 * DB_E* on failure, after logging the backend's message. A failed statement
 * inside a transaction leaves the transaction for the caller to roll back.
 */
#ifndef HY_DB_H
#define HY_DB_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct db;
struct db_stmt;

enum db_val_type { DBV_NULL, DBV_INT, DBV_TEXT, DBV_REAL };

struct db_val {
    enum db_val_type type;
    bool kept; /* text: outlives the statement (DB_TEXT_KEPT) */
    int64_t i;
    double d;
    const char *s;
};

enum {
    DB_OK = 0,
    DB_ERROR = -1,      /* anything unexpected; already logged */
    DB_CONSTRAINT = -2, /* a UNIQUE / CHECK / FK constraint refused the change */
    DB_BUSY = -3,       /* the database stayed locked past the busy timeout */
    DB_TIMEOUT = -4,    /* the statement ran past its time limit and was cut */
};

#define DB_INT(x)  ((struct db_val){.type = DBV_INT, .i = (int64_t)(x)})
#define DB_REAL(x) ((struct db_val){.type = DBV_REAL, .d = (double)(x)})
#define DB_NULLV   ((struct db_val){.type = DBV_NULL})
/* A text value; a NULL pointer binds SQL NULL. */
static inline struct db_val db_text_val(const char *s)
{
    return (struct db_val){.type = s ? DBV_TEXT : DBV_NULL, .s = s};
}
#define DB_TEXT(x) db_text_val(x)
/* The same for text the caller keeps unchanged until the statement is
 * finished (db_finish; db_exec finishes its own): SQLite then reads it in
 * place instead of copying it. For the hot loops of bulk writes. */
static inline struct db_val db_text_kept(const char *s)
{
    return (struct db_val){.type = s ? DBV_TEXT : DBV_NULL, .kept = true, .s = s};
}
#define DB_TEXT_KEPT(x) db_text_kept(x)
/* An integer that binds SQL NULL when has is false. */
#define DB_INT_OR_NULL(has, x)                                                                     \
    ((struct db_val){.type = (has) ? DBV_INT : DBV_NULL, .i = (int64_t)(x)})

/* Argument list helpers: db_exec(db, sql, DB_ARGS(DB_INT(1), DB_TEXT(s))). */
#define DB_ARGS(...)                                                                               \
    (const struct db_val[]){__VA_ARGS__},                                                          \
        (int)(sizeof((const struct db_val[]){__VA_ARGS__}) / sizeof(struct db_val))
#define DB_NOARGS NULL, 0

/* Open the database named by url ("sqlite:path" or "postgres://...") for the
 * whole process and apply pending migrations. Call once, before any thread
 * uses db_get(). */
int db_global_init(const char *url);
void db_global_shutdown(void);
/* "sqlite" or "postgres". */
const char *db_backend_name(void);

/* This thread's connection, opened on first use. Never NULL: when no
 * connection can be had it waits, retrying each second (background
 * threads, the command line). */
struct db *db_get(void);
/* The same, but NULL when no connection can be had now (PostgreSQL: the
 * pool stayed full for HONGYAN_DB_WAIT_MS, or the server is down); request
 * threads answer 503 then. */
struct db *db_try_get(void);
/* Close this thread's connection (thread exit). */
void db_release_thread(void);

int db_exec(struct db *db, const char *sql, const struct db_val *args, int nargs);
/* Run several ';'-separated statements without parameters (migrations). */
int db_exec_script(struct db *db, const char *sql);
/* Bulk work on this connection (imports): on = a large page cache
 * (DB_BULK_CACHE_MIB) so index pages touched by a batch stay in memory;
 * off = back to the normal size. No-op on backends without the knob. */
#define DB_BULK_CACHE_MIB 256
void db_bulk_cache(struct db *db, bool on);
/* Inside a long write transaction: write the pages it changed so far to
 * the log now (not durable yet; the commit still syncs). A bulk load calls
 * it between its steps, so that the disk writes them while the CPU does
 * the next step instead of all of them at the commit. 0 or negative DB_E*;
 * a no-op on backends without the knob. */
int db_bulk_spill(struct db *db);
/* A write that is skipped rather than queued when another writer holds the
 * lock: DB_BUSY at once instead of waiting. For bookkeeping that may as
 * well happen next time (a session's last-seen time), so it never stalls a
 * request behind a long transaction such as a bulk import. */
int db_exec_if_free(struct db *db, const char *sql, const struct db_val *args, int nargs);

/*
 * Bulk loading. Inside a write transaction, drop the secondary indexes of
 * table and hand back what re-creates them in *out; db_indexes_rebuild() builds them
 * again, by sorting, before the commit. Building an index from sorted keys
 * is many times cheaper than inserting a million keys into it in random
 * order. A rollback restores the indexes with everything else, and readers
 * keep seeing the old snapshot with its indexes until the commit.
 * 0 with *out NULL when the backend has no such path (PostgreSQL, where
 * DROP INDEX would lock every reader of the table out until the commit);
 * negative DB_E* on error (the caller rolls back).
 */
struct db_index_set;
/* Whether db_indexes_drop can do anything on this backend. */
bool db_can_drop_indexes(struct db *db);
int db_indexes_drop(struct db *db, const char *table, struct db_index_set **out);
/* How many indexes the set re-creates (0 for NULL). */
size_t db_index_set_size(const struct db_index_set *set);
/* Re-create and free the set (NULL: nothing to do), calling built(arg)
 * after each index (built may be NULL). 0 or negative DB_E*. */
int db_indexes_rebuild(struct db *db, struct db_index_set *set, void (*built)(void *arg),
                       void *arg);
void db_index_set_free(struct db_index_set *set);

/* Rows changed by the last db_exec on this connection. */
int64_t db_changes(struct db *db);

/* Prepare and bind; NULL on error (logged). Step with db_step, end with db_finish. */
struct db_stmt *db_query(struct db *db, const char *sql, const struct db_val *args, int nargs);
/* 1 when a row is ready, 0 when done, negative DB_E* on error. */
int db_step(struct db_stmt *st);
void db_finish(struct db_stmt *st);

int db_col_count(struct db_stmt *st);
/* The type of column i in the current row (DBV_NULL, DBV_INT, DBV_REAL, DBV_TEXT). */
enum db_val_type db_col_type(struct db_stmt *st, int i);
const char *db_col_name(struct db_stmt *st, int i);
bool db_col_is_null(struct db_stmt *st, int i);
int64_t db_col_int(struct db_stmt *st, int i);
double db_col_real(struct db_stmt *st, int i);
/* Valid until the next db_step / db_finish; "" for NULL. */
const char *db_col_text(struct db_stmt *st, int i);

/* Run a query for (at most) one row and step to it: 1 with *out the
 * statement on that row (db_finish it), 0 when there is no row, negative
 * DB_E* on error; *out is NULL unless 1. The answer that keeps "not found"
 * (0) apart from a failed database (negative). */
int db_query_row(struct db *db, struct db_stmt **out, const char *sql, const struct db_val *args,
                 int nargs);

/* Run a query expected to answer one integer in its first column.
 * 1 = found (stored in *out), 0 = no row, negative on error. */
int db_query_int(struct db *db, const char *sql, const struct db_val *args, int nargs,
                 int64_t *out);
/* The same for a row that must be there (the id of a row just inserted):
 * 0 with *out, else negative DB_E* (DB_ERROR when there is no row). */
int db_query_id(struct db *db, const char *sql, const struct db_val *args, int nargs, int64_t *out);

/* 1 when this connection holds the leader lock (taking it when free), 0
 * when another process holds it, negative on error. One process at a time
 * runs the scheduler: SQLite has one process, so always 1; PostgreSQL uses
 * a session advisory lock, released by the server when the holder's
 * connection ends, however the process died. */
int db_leader(struct db *db);

/*
 * Statement time limits. A filter over many values can keep a statement
 * busy for seconds; a request's statements are cut at the request limit
 * (HONGYAN_STATEMENT_TIMEOUT_MS), background work's at a longer one
 * (HONGYAN_JOB_STATEMENT_TIMEOUT_MS), so one user's search cannot hold a
 * worker thread (and a PostgreSQL connection) for long. A cut statement
 * answers DB_TIMEOUT (SQLite: its progress handler; PostgreSQL:
 * statement_timeout); inside a transaction the caller rolls back as for
 * any failure. BEGIN, COMMIT and ROLLBACK are never cut (a wait for the
 * write lock stays DB_BUSY).
 */
enum db_work {
    DB_WORK_NONE,       /* no limit: the command line, migrations (a new connection) */
    DB_WORK_REQUEST,    /* an HTTP request */
    DB_WORK_BACKGROUND, /* jobs (imports, exports) and the scheduler */
};
/* The two limits in milliseconds (0: none), once at start-up, before
 * threads use the store. */
void db_set_limits(int request_ms, int background_ms);
/* Limit this connection's statements from now on as work w, and forget an
 * earlier cut (db_timed_out). Cheap when the limit does not change. */
void db_limit_work(struct db *db, enum db_work w);
/* A tighter limit of ms (> 0) for this connection's statements until the
 * next db_limit_work, when it is below the one in force: one query that
 * may be costly (a report a user composed) is cut sooner than the rest
 * of its request. */
void db_limit_ms(struct db *db, int ms);
/* Whether a statement was cut at its limit since the last db_limit_work. */
bool db_timed_out(struct db *db);

/*
 * Write concurrency. SQLite: db_begin takes the write lock at once (BEGIN
 * IMMEDIATE), so writers queue and two never deadlock upgrading read
 * locks. PostgreSQL: db_begin opens a SERIALIZABLE transaction and takes no
 * lock, so writers on every server run in parallel; the database makes the
 * outcome the same as some one-at-a-time order, and a transaction that
 * cannot fit such an order fails (a statement or the commit answers
 * DB_BUSY) with db_conflicted() true. The domain code keeps its
 * "read, decide, write inside one transaction" and rolls back as for any
 * failure; whoever started the unit of work runs it again whole (the
 * request dispatcher does, for every API request: docs/decisions/0020).
 */
/* A unit of work (a request) starts on this connection: forget the
 * conflicts and writes of the previous one, and db_write_alone. Within a
 * unit, a transaction that follows a commit runs alone (db_write_alone),
 * since the unit can no longer be run again from the start. On a
 * connection that never starts units (background work, the command line)
 * every write transaction runs alone, as all did before decision 0020:
 * nothing would run it again. */
void db_unit_start(struct db *db);
/* Whether a transaction lost a serialization conflict (PostgreSQL 40001 or
 * deadlock 40P01) since db_unit_start. */
bool db_conflicted(struct db *db);
/* Whether the unit of work may be run again from the start: it lost a
 * conflict, wrote nothing for good (no commit, no write outside a
 * transaction) and left no transaction open. */
bool db_may_rerun(struct db *db);
/* Until the next db_unit_start, this connection's write transactions run
 * alone: db_begin waits until no other write transaction is open anywhere
 * and keeps new ones out until this one ends. For a unit of work that kept
 * losing conflicts (it cannot lose any more), and for migrations. Every
 * other write transaction holds the same lock shared, which costs no
 * waiting while nobody asks for it alone. No-op on SQLite (always alone). */
void db_write_alone(struct db *db);

/*
 * Logs read by position (domain_events: a consumer reads the rows after the
 * last id it handled). With parallel writers ids are handed out in one
 * order and committed in another, so a reader could pass an id whose
 * writer has not committed yet and never see it. A writer calls
 * db_log_append() in its transaction before inserting; a reader asks
 * db_log_settled(), outside a transaction, for the highest id of which
 * every smaller one is settled (committed or rolled back), and reads no
 * further. SQLite's single writer needs neither (no-op, plain query).
 */
int db_log_append(struct db *db);
/* Run sql (one integer, e.g. SELECT max(id)) once no append is in flight:
 * 1 with *out, 0 when no row, negative DB_E*. */
int db_log_settled(struct db *db, const char *sql, int64_t *out);

/* Transactions (see above for what db_begin locks). */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
/* End the open transaction by how its work went: commit when rc is 0, roll
 * back when it is not or when the commit fails. Returns 0 when committed,
 * else the failure (rc, or the commit's). */
int db_end(struct db *db, int rc);
/* Call fn once the current transaction commits (dropped on rollback); at
 * once when no transaction is open. For waking workers that must see the
 * committed rows. */
void db_on_commit(struct db *db, void (*fn)(void));

#endif
