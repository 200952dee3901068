/*
 * db_int.h - what a backend implements behind db.h. Private to src/db/.
 */
#ifndef HY_DB_INT_H
#define HY_DB_INT_H

#include "db/db.h"

#include <stddef.h>

struct db_ops {
    const char *name;
    /* Process-wide setup for url (the part after "sqlite:" etc. is the
     * backend's business); 0 on success. */
    int (*global_init)(const char *url);
    void (*global_shutdown)(void);
    struct db *(*open)(void);
    void (*close)(struct db *db);
    int (*exec)(struct db *db, const char *sql, const struct db_val *args, int nargs);
    int (*exec_script)(struct db *db, const char *sql);
    int64_t (*changes)(struct db *db);
    struct db_stmt *(*query)(struct db *db, const char *sql, const struct db_val *args, int nargs);
    int (*step)(struct db_stmt *st);
    void (*finish)(struct db_stmt *st);
    int (*col_count)(struct db_stmt *st);
    const char *(*col_name)(struct db_stmt *st, int i);
    bool (*col_is_null)(struct db_stmt *st, int i);
    enum db_val_type (*col_type)(struct db_stmt *st, int i);
    int64_t (*col_int)(struct db_stmt *st, int i);
    double (*col_real)(struct db_stmt *st, int i);
    const char *(*col_text)(struct db_stmt *st, int i);
    int (*begin)(struct db *db);
    int (*commit)(struct db *db);
    void (*rollback)(struct db *db);
    /* Optional: take or confirm the process-wide leader lock (see
     * db_leader()); NULL means one process, always the leader. */
    int (*leader)(struct db *db);
    /* Optional: see db_bulk_cache(). */
    void (*bulk_cache)(struct db *db, bool on);
    /* Optional: see db_exec_if_free(); NULL = plain exec. */
    int (*exec_if_free)(struct db *db, const char *sql, const struct db_val *args, int nargs);
    /* Optional: see db_indexes_drop(); NULL = not supported. */
    int (*indexes_drop)(struct db *db, const char *table, struct db_index_set **out);
    /* Optional: see db_bulk_spill(); NULL = nothing to do. */
    int (*bulk_spill)(struct db *db);
    /* Optional: see db_log_append() / db_log_settled(); NULL = writers
     * are serialised already, nothing to wait for. */
    int (*log_append)(struct db *db);
    int (*log_settle)(struct db *db, bool hold);
    /* Apply db->limit_ms to the statements that follow (see
     * db_limit_work); the backend sets db->timed_out when it cuts one. */
    void (*time_limit)(struct db *db);
};

/* The CREATE statements of dropped indexes (db_indexes_drop). */
struct db_index_set {
    size_t n;
    char **sql;
};

/* Every backend's connection and statement start with these. */
#define DB_MAX_ON_COMMIT 4

struct db {
    const struct db_ops *ops;
    bool in_tx;
    int limit_ms;   /* statement time limit, 0: none (db_limit_work) */
    bool timed_out; /* a statement was cut since the last db_limit_work */
    /* Since the last db_unit_start: a transaction lost a serialization
     * conflict (db_conflicted), and whether anything was written for good
     * (a commit, or a write outside a transaction), which makes running the
     * work again unsafe (db_may_rerun); alone: db_write_alone. */
    bool conflicted;
    bool wrote;
    bool alone;
    bool unit; /* db_unit_start was called: this connection serves units of work */
    int n_on_commit;
    void (*on_commit[DB_MAX_ON_COMMIT])(void);
};
struct db_stmt {
    struct db *db;
};

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* The methods every backend has, in its db_ops table: each is the
 * function PREFIX_method of the backend's file (pg_open, sqlite_open, ...),
 * so a method added here is a compile error in a backend without it. The
 * optional methods (leader, bulk_cache, ...) are named one by one. */
#define DB_OPS_REQUIRED(prefix)                                                                    \
    .global_init = prefix##_global_init, .global_shutdown = prefix##_global_shutdown,              \
    .open = prefix##_open, .close = prefix##_close, .exec = prefix##_exec,                         \
    .exec_script = prefix##_exec_script, .changes = prefix##_changes, .query = prefix##_query,     \
    .step = prefix##_step, .finish = prefix##_finish, .col_count = prefix##_col_count,             \
    .col_name = prefix##_col_name, .col_is_null = prefix##_col_is_null,                            \
    .col_type = prefix##_col_type, .col_int = prefix##_col_int, .col_real = prefix##_col_real,     \
    .col_text = prefix##_col_text, .begin = prefix##_begin, .commit = prefix##_commit,             \
    .rollback = prefix##_rollback, .time_limit = prefix##_time_limit

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;
extern const struct migration migrations_sqlite[];
extern const size_t migrations_sqlite_count;
extern const struct migration migrations_postgres[];
extern const size_t migrations_postgres_count;
/* The storage class of column i of a raw SQLite statement as a
 * db_val_type (db_sqlite.c; migrate_copy.c reads SQLite files directly). */
struct sqlite3_stmt;
enum db_val_type db_sqlite_column_type(struct sqlite3_stmt *st, int i);
/* Moves every identity sequence past the largest id (after bulk copies). */
extern const char migrations_postgres_identity_sync[];

/* Apply the migrations not yet recorded in schema_migrations, each in its
 * own transaction. */
int db_migrate(struct db *db, const struct migration *list, size_t n);

#endif
