/*
 * db.c - backend selection, per-thread connections and the helpers every
 * backend shares (see db.h).
 */
#include "db/db_int.h"

#include "base/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct db_ops *ops;
static pthread_key_t conn_key;
static _Thread_local struct db *thread_conn;

static void close_thread_conn(void *p)
{
    struct db *db = p;
    if (db)
        db->ops->close(db);
}

int db_global_init(const char *url)
{
    if (strncmp(url, "sqlite:", 7) == 0) {
        ops = &db_sqlite_ops;
    } else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        ops = &db_pg_ops;
    } else {
        log_error("unknown database url '%s' (expected sqlite:PATH or postgres://...)", url);
        return DB_ERROR;
    }
    if (pthread_key_create(&conn_key, close_thread_conn))
        return DB_ERROR;
    if (ops->global_init(url))
        return DB_ERROR;
    struct db *db = db_try_get();
    if (!db)
        return DB_ERROR;
    if (ops == &db_sqlite_ops)
        return db_migrate(db, migrations_sqlite, migrations_sqlite_count);
    return db_migrate(db, migrations_postgres, migrations_postgres_count);
}

void db_global_shutdown(void)
{
    db_release_thread();
    if (ops)
        ops->global_shutdown();
}

const char *db_backend_name(void)
{
    return ops ? ops->name : "none";
}

struct db *db_try_get(void)
{
    if (!thread_conn) {
        thread_conn = ops->open();
        if (thread_conn)
            pthread_setspecific(conn_key, thread_conn);
    }
    return thread_conn;
}

struct db *db_get(void)
{
    /* Background threads wait for the database rather than fail: the
     * scheduler and job workers retry until it answers again. */
    struct db *db;
    for (int attempt = 0; !(db = db_try_get()); attempt++) {
        if (attempt == 0)
            log_error("cannot open a database connection; retrying");
        struct timespec pause = {1, 0};
        nanosleep(&pause, NULL);
    }
    return db;
}

void db_release_thread(void)
{
    if (thread_conn) {
        pthread_setspecific(conn_key, NULL);
        thread_conn->ops->close(thread_conn);
        thread_conn = NULL;
    }
}

int db_exec(struct db *db, const char *sql, const struct db_val *args, int nargs)
{
    /* A write outside a transaction commits on its own: the work can no
     * longer be run again from the start (db_may_rerun). */
    if (!db->in_tx)
        db->wrote = true;
    return db->ops->exec(db, sql, args, nargs);
}

int db_exec_script(struct db *db, const char *sql)
{
    return db->ops->exec_script(db, sql);
}

void db_bulk_cache(struct db *db, bool on)
{
    if (db->ops->bulk_cache)
        db->ops->bulk_cache(db, on);
}

int db_bulk_spill(struct db *db)
{
    return db->ops->bulk_spill ? db->ops->bulk_spill(db) : 0;
}

int db_exec_if_free(struct db *db, const char *sql, const struct db_val *args, int nargs)
{
    if (db->ops->exec_if_free)
        return db->ops->exec_if_free(db, sql, args, nargs);
    return db->ops->exec(db, sql, args, nargs);
}

bool db_can_drop_indexes(struct db *db)
{
    return db->ops->indexes_drop != NULL;
}

int db_indexes_drop(struct db *db, const char *table, struct db_index_set **out)
{
    *out = NULL;
    return db->ops->indexes_drop ? db->ops->indexes_drop(db, table, out) : 0;
}

size_t db_index_set_size(const struct db_index_set *set)
{
    return set ? set->n : 0;
}

int db_indexes_rebuild(struct db *db, struct db_index_set *set, void (*built)(void *arg), void *arg)
{
    int rc = 0;
    for (size_t i = 0; set && i < set->n && !rc; i++)
        if ((rc = db_exec_script(db, set->sql[i])) == 0 && (rc = db_bulk_spill(db)) == 0 && built)
            built(arg);
    db_index_set_free(set);
    return rc;
}

void db_index_set_free(struct db_index_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        free(set->sql[i]);
    free(set->sql);
    free(set);
}

int64_t db_changes(struct db *db)
{
    return db->ops->changes(db);
}

struct db_stmt *db_query(struct db *db, const char *sql, const struct db_val *args, int nargs)
{
    return db->ops->query(db, sql, args, nargs);
}

int db_step(struct db_stmt *st)
{
    return st->db->ops->step(st);
}

void db_finish(struct db_stmt *st)
{
    if (st)
        st->db->ops->finish(st);
}

int db_col_count(struct db_stmt *st)
{
    return st->db->ops->col_count(st);
}

const char *db_col_name(struct db_stmt *st, int i)
{
    return st->db->ops->col_name(st, i);
}

bool db_col_is_null(struct db_stmt *st, int i)
{
    return st->db->ops->col_is_null(st, i);
}

int64_t db_col_int(struct db_stmt *st, int i)
{
    return st->db->ops->col_int(st, i);
}

double db_col_real(struct db_stmt *st, int i)
{
    return st->db->ops->col_real(st, i);
}

const char *db_col_text(struct db_stmt *st, int i)
{
    return st->db->ops->col_text(st, i);
}

int db_query_row(struct db *db, struct db_stmt **out, const char *sql, const struct db_val *args,
                 int nargs)
{
    struct db_stmt *st = db_query(db, sql, args, nargs);
    int rc = st ? db_step(st) : DB_ERROR;
    if (rc != 1) {
        db_finish(st);
        st = NULL;
    }
    *out = st;
    return rc;
}

int db_query_int(struct db *db, const char *sql, const struct db_val *args, int nargs, int64_t *out)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st, sql, args, nargs);
    if (rc == 1)
        *out = db_col_int(st, 0);
    db_finish(st);
    return rc;
}

int db_query_id(struct db *db, const char *sql, const struct db_val *args, int nargs, int64_t *out)
{
    int rc = db_query_int(db, sql, args, nargs, out);
    return rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
}

enum db_val_type db_col_type(struct db_stmt *st, int i)
{
    return st->db->ops->col_type(st, i);
}

int db_leader(struct db *db)
{
    return db->ops->leader ? db->ops->leader(db) : 1;
}

static int limits_ms[3];

void db_set_limits(int request_ms, int background_ms)
{
    limits_ms[DB_WORK_REQUEST] = request_ms > 0 ? request_ms : 0;
    limits_ms[DB_WORK_BACKGROUND] = background_ms > 0 ? background_ms : 0;
}

void db_limit_work(struct db *db, enum db_work w)
{
    db->timed_out = false;
    if (db->limit_ms == limits_ms[w])
        return;
    db->limit_ms = limits_ms[w];
    db->ops->time_limit(db);
}

void db_limit_ms(struct db *db, int ms)
{
    if (ms <= 0 || (db->limit_ms && db->limit_ms <= ms))
        return;
    db->limit_ms = ms;
    db->ops->time_limit(db);
}

bool db_timed_out(struct db *db)
{
    return db->timed_out;
}

int db_log_append(struct db *db)
{
    return db->ops->log_append ? db->ops->log_append(db) : 0;
}

int db_log_settled(struct db *db, const char *sql, int64_t *out)
{
    if (db->in_tx || !db->ops->log_settle)
        return db_query_int(db, sql, DB_NOARGS, out);
    int rc = db->ops->log_settle(db, true);
    if (rc)
        return rc;
    int found = db_query_int(db, sql, DB_NOARGS, out);
    rc = db->ops->log_settle(db, false);
    return found < 0 ? found : rc ? rc : found;
}

void db_unit_start(struct db *db)
{
    db->conflicted = false;
    db->wrote = false;
    db->alone = false;
    db->unit = true;
}

void db_write_alone(struct db *db)
{
    db->alone = true;
}

bool db_conflicted(struct db *db)
{
    return db->conflicted;
}

bool db_may_rerun(struct db *db)
{
    return db->conflicted && !db->wrote && !db->in_tx;
}

int db_begin(struct db *db)
{
    /* A transaction that nobody would run again should it lose a conflict
     * runs alone, where it cannot lose: one after a commit of the same unit
     * of work (a handler that writes in two steps), and background work,
     * the command line and migrations (no unit of work at all). */
    if (!db->unit || db->wrote)
        db->alone = true;
    int rc = db->ops->begin(db);
    if (!rc) {
        db->in_tx = true;
        db->n_on_commit = 0;
    }
    return rc;
}

int db_commit(struct db *db)
{
    int rc = db->ops->commit(db);
    if (rc)
        return rc;
    db->in_tx = false;
    db->wrote = true;
    int n = db->n_on_commit;
    db->n_on_commit = 0;
    for (int i = 0; i < n; i++)
        db->on_commit[i]();
    return 0;
}

int db_end(struct db *db, int rc)
{
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
    return rc;
}

void db_rollback(struct db *db)
{
    db->ops->rollback(db);
    db->in_tx = false;
    db->n_on_commit = 0;
}

void db_on_commit(struct db *db, void (*fn)(void))
{
    if (!db->in_tx) {
        fn();
        return;
    }
    for (int i = 0; i < db->n_on_commit; i++)
        if (db->on_commit[i] == fn)
            return;
    if (db->n_on_commit < DB_MAX_ON_COMMIT)
        db->on_commit[db->n_on_commit++] = fn;
}

int db_migrate(struct db *db, const struct migration *list, size_t n)
{
    if (db_exec(db,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                DB_NOARGS))
        return DB_ERROR;
    for (size_t i = 0; i < n; i++) {
        int64_t found = 0;
        /* Write alone before looking, so two processes starting at once
         * apply each migration exactly once. */
        db_write_alone(db);
        if (db_begin(db))
            return DB_ERROR;
        int rc = db_query_int(db, "SELECT 1 FROM schema_migrations WHERE version = ?",
                              DB_ARGS(DB_INT(list[i].version)), &found);
        if (rc < 0)
            goto fail;
        if (rc == 0) {
            log_info("applying migration %04d_%s", list[i].version, list[i].name);
            if (db_exec_script(db, list[i].sql))
                goto fail;
            if (db_exec(
                    db,
                    "INSERT INTO schema_migrations (version, name, applied_at) "
                    "VALUES (?, ?, ?)",
                    DB_ARGS(DB_INT(list[i].version), DB_TEXT(list[i].name), DB_INT(time(NULL)))))
                goto fail;
        }
        if (db_commit(db))
            goto fail;
        continue;
    fail:
        log_error("migration %04d_%s failed", list[i].version, list[i].name);
        db_rollback(db);
        return DB_ERROR;
    }
    return DB_OK;
}
