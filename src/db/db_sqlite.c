/*
 * db_sqlite.c - the embedded SQLite backend.
 *
 * One connection per thread, WAL journal so readers never wait for the
 * writer, and a busy timeout so concurrent writers queue instead of failing.
 *
 * Durability by group commit: an acknowledged write survives power loss,
 * as with synchronous=FULL, but concurrent commits share one fsync.
 * Connections run synchronous=NORMAL (SQLite appends the commit to the WAL
 * without syncing it); db_commit() then returns only once the WAL file has
 * been fdatasync'ed past that commit. The first committer to arrive syncs
 * for everybody who committed before it started; those arriving meanwhile
 * wait for the next sync, which one of them leads. The write lock is
 * released before the sync, so the next writer's work overlaps it. A
 * transaction can be seen by readers a moment before it is durable (as in
 * any group commit); it is acknowledged to its own client only after.
 * Prepared statements are cached per connection, keyed by SQL text: the
 * domain code's SQL is a small fixed set of literals, so the cache stays
 * small and a hot request does no parsing at all.
 *
 * SQLite has one writer at a time. Writers of this process queue on a
 * mutex (held from BEGIN IMMEDIATE to COMMIT / ROLLBACK, and around a
 * single-statement write outside a transaction) instead of in SQLite's busy
 * handler, which polls with sleeps of up to 100 ms: under concurrent writes
 * that turned a sub-millisecond transaction into tens or hundreds of ms and
 * capped throughput at a few hundred per second. The busy timeout stays for
 * other processes (the CLI) sharing the file.
 *
 * Checkpoints (copying the WAL back into the database file, with an fsync)
 * run on a background thread with its own connection, woken when a commit
 * leaves CKPT_FRAMES or more frames in the WAL, instead of inside that
 * commit (SQLite's auto-checkpoint): the writer that crosses the threshold
 * no longer pays for everybody's pages while holding the write lock. Same
 * PASSIVE mode as the auto-checkpoint, so readers and writers never wait.
 * A WAL only starts over when a writer begins right after a complete
 * checkpoint, which a background thread rarely manages against a writer
 * that commits back to back (an import): past CKPT_HARD_FRAMES the
 * committing writer checkpoints itself, as SQLite would, so the WAL stays
 * bounded; journal_size_limit then gives the disk space back.
 */
#include "db/db_int.h"

#include "base/log.h"
#include "base/wakeup.h"
#include "base/xmalloc.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_SLOTS 512 /* power of two; more distinct statements than that are not cached */

struct cache_slot {
    char *sql;
    sqlite3_stmt *stmt;
    bool in_use;
};

struct sqlite_db {
    struct db base;
    sqlite3 *conn;
    struct cache_slot cache[CACHE_SLOTS];
    bool writer_held; /* this connection holds write_lock */
    bool bulk;        /* an import runs on it (sqlite_bulk_cache) */
    /* CLOCK_MONOTONIC nanoseconds at which the running step is cut (the
     * progress handler), 0 while no limited step runs. */
    int64_t deadline_ns;
};

static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/* Wait for the write lock as long as SQLite's busy timeout would (10 s), so
 * a writer stuck elsewhere still turns into DB_BUSY rather than a hang. */
static bool writer_acquire(struct sqlite_db *db)
{
    if (db->writer_held)
        return true;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    if (pthread_mutex_timedlock(&write_lock, &until) != 0) {
        log_error("sqlite: waited 10 s for the write lock");
        return false;
    }
    db->writer_held = true;
    return true;
}

static void writer_release(struct sqlite_db *db)
{
    if (db->writer_held) {
        db->writer_held = false;
        pthread_mutex_unlock(&write_lock);
    }
}

struct sqlite_stmt {
    struct db_stmt base;
    sqlite3_stmt *stmt;
    struct cache_slot *slot; /* NULL when not cached: finalize on finish */
};

static char *db_path;
/* HONGYAN_SQLITE_SYNC=full: SQLite's own synchronous=FULL (one fsync per
 * commit, inside the write lock) instead of group commit; for comparison
 * (bench/backends.sh) and for filesystems where an fsync through another
 * descriptor is not trusted. */
static bool sync_full;

/* ---- group commit ---- */

static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cond = PTHREAD_COND_INITIALIZER;
static uint64_t commits_done, commits_synced;
static bool syncing;
/* A descriptor of the WAL file of our own, reopened when the file changed. */
struct wal_file {
    int fd;
    dev_t dev;
    ino_t ino;
};
static struct wal_file wal = {.fd = -1};    /* the group-commit leader's */
static struct wal_file wal_bg = {.fd = -1}; /* the checkpoint thread's */

/* fdatasync the WAL file through f (one thread per wal_file). No WAL
 * file: nothing to sync (it is only removed after a complete, synced
 * checkpoint). */
static int wal_sync(struct wal_file *f)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s-wal", db_path);
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (f->fd < 0 || st.st_dev != f->dev || st.st_ino != f->ino) {
        if (f->fd >= 0)
            close(f->fd);
        f->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (f->fd < 0)
            return 0; /* removed meanwhile: checkpointed and synced */
        f->dev = st.st_dev;
        f->ino = st.st_ino;
    }
    if (fdatasync(f->fd) != 0) {
        log_error("sqlite: fdatasync of the WAL failed: %s", strerror(errno));
        return DB_ERROR;
    }
    return 0;
}

/* Return once everything committed before this call is on stable storage. */
static int wait_durable(void)
{
    if (sync_full)
        return 0;
    pthread_mutex_lock(&sync_lock);
    uint64_t mine = ++commits_done;
    int rc = 0;
    while (commits_synced < mine && !rc) {
        if (syncing) {
            pthread_cond_wait(&sync_cond, &sync_lock);
            continue;
        }
        syncing = true;
        uint64_t target = commits_done;
        pthread_mutex_unlock(&sync_lock);
        rc = wal_sync(&wal);
        pthread_mutex_lock(&sync_lock);
        syncing = false;
        if (!rc && target > commits_synced)
            commits_synced = target;
        pthread_cond_broadcast(&sync_cond);
    }
    pthread_mutex_unlock(&sync_lock);
    return rc;
}

/* ---- background checkpoints ---- */

#define CKPT_FRAMES      1000  /* SQLite's auto-checkpoint default */
#define CKPT_HARD_FRAMES 16000 /* ~64 MiB of WAL: the writer checkpoints */

static pthread_t ckpt_thread;
static bool ckpt_started;
/* The checkpointer's sleep: a second, or until a commit wants a checkpoint. */
static struct wakeup ckpt = WAKEUP_INIT;
/* Imports running (sqlite_bulk_cache). A bulk load writes all its rows and
 * indexes into the WAL in one transaction, where they would sit in the
 * kernel's page cache until the commit's fdatasync wrote all of it at once.
 * The checkpoint thread syncs the WAL once a second meanwhile, so the disk
 * works while the CPU does; with the load's pages written out between its
 * steps (sqlite_bulk_spill), most of the WAL is on disk before the commit.
 * For a row-by-row import, which commits every second anyway, this costs
 * next to nothing. */
static atomic_int bulk_loads;
/* WAL frames at the last checkpoint: wake again only after CKPT_FRAMES new
 * ones (or a restarted WAL). A WAL that cannot be reset while readers use
 * it would otherwise be checkpointed after every commit, and each attempt
 * walks the whole WAL index. */
static atomic_int ckpt_last_frames;

static int wal_hook(void *arg, sqlite3 *conn, const char *name, int frames)
{
    const struct sqlite_db *db = arg;
    if (frames < CKPT_FRAMES)
        return SQLITE_OK;
    /* Not after an import's commit: a bulk load leaves a WAL of the size of
     * the table (some 190,000 frames for a million customers), and copying
     * it back took the importer 5 s before it could say "done". It is
     * durable already; the checkpoint thread copies it meanwhile. */
    if (frames >= CKPT_HARD_FRAMES && !db->bulk) {
        sqlite3_wal_checkpoint_v2(conn, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        return SQLITE_OK;
    }
    int last = atomic_load(&ckpt_last_frames);
    if (frames < last || frames - last >= CKPT_FRAMES)
        wakeup_wake(&ckpt);
    return SQLITE_OK;
}

static void *checkpointer(void *arg)
{
    (void)arg;
    sqlite3 *conn = NULL;
    if (sqlite3_open_v2(db_path, &conn,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        log_error("sqlite: checkpointer cannot open %s", db_path);
        sqlite3_close(conn);
        return NULL;
    }
    sqlite3_busy_timeout(conn, 1000);
    sqlite3_exec(conn, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    /* Also once a second, for WALs that stay under the threshold. */
    uint64_t seen = wakeup_seen(&ckpt);
    while (wakeup_wait(&ckpt, seen, 1)) {
        seen = wakeup_seen(&ckpt);
        int log_frames = 0;
        int rc =
            sqlite3_wal_checkpoint_v2(conn, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, NULL);
        if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            log_warn("sqlite: checkpoint: %s", sqlite3_errmsg(conn));
        if (atomic_load(&bulk_loads) > 0)
            wal_sync(&wal_bg);
        atomic_store(&ckpt_last_frames, log_frames > 0 ? log_frames : 0);
    }
    sqlite3_close(conn);
    return NULL;
}

static void checkpointer_start(void)
{
    wakeup_restart(&ckpt);
    ckpt_started = pthread_create(&ckpt_thread, NULL, checkpointer, NULL) == 0;
    if (!ckpt_started)
        log_warn("sqlite: no checkpoint thread; checkpoints run in commits");
}

static void checkpointer_stop(void)
{
    if (!ckpt_started)
        return;
    wakeup_stop(&ckpt);
    pthread_join(ckpt_thread, NULL);
    ckpt_started = false;
}

/* HONGYAN_SQLITE_MMAP_MIB=N reads the database through a shared memory
 * map of up to N MiB (PRAGMA mmap_size; SQLite caps it at 2047) instead of
 * a read() into each connection's own page cache. Off by default: on a
 * million customers it served 1.2-1.5x the quick searches by name fragment
 * per second, but writes ran at about 0.7x, because a write transaction
 * does not use the map and finds none of the pages it needs in its cache
 * (bench/README.md). For a server that mostly searches, turn it on. */
static long long mmap_bytes = 0;

static int sqlite_global_init(const char *url)
{
    db_path = xstrdup(url + strlen("sqlite:"));
    if (!*db_path) {
        log_error("sqlite: empty database path");
        return DB_ERROR;
    }
    if (!sqlite3_threadsafe()) {
        log_error("sqlite: library built without thread safety");
        return DB_ERROR;
    }
    /* SQLite's memory statistics take a global mutex on every allocation,
     * which all request threads then queue on; nothing here reads them.
     * (Refused harmlessly if the library was already initialised.) */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    const char *sync = getenv("HONGYAN_SQLITE_SYNC");
    sync_full = sync && strcmp(sync, "full") == 0;
    const char *mmap_mib = getenv("HONGYAN_SQLITE_MMAP_MIB");
    if (mmap_mib && *mmap_mib)
        mmap_bytes = strtoll(mmap_mib, NULL, 10) * 1024 * 1024;
    checkpointer_start();
    return DB_OK;
}

static void sqlite_global_shutdown(void)
{
    checkpointer_stop();
    for (struct wal_file *f = &wal; f; f = f == &wal ? &wal_bg : NULL) {
        if (f->fd >= 0)
            close(f->fd);
        f->fd = -1;
    }
    free(db_path);
    db_path = NULL;
}

static int map_rc(struct sqlite_db *db, int rc, const char *sql)
{
    int prim = rc & 0xff;
    if (prim == SQLITE_CONSTRAINT)
        return DB_CONSTRAINT;
    if (prim == SQLITE_INTERRUPT) {
        log_warn("sqlite: statement cut at its time limit of %d ms (in: %.200s)", db->base.limit_ms,
                 sql ? sql : "");
        db->base.timed_out = true;
        return DB_TIMEOUT;
    }
    log_error("sqlite: %s (in: %.200s)", sqlite3_errmsg(db->conn), sql ? sql : "");
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return DB_BUSY;
    return DB_ERROR;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Called by SQLite every PROGRESS_OPS virtual-machine instructions: a
 * nonzero answer interrupts the statement (SQLITE_INTERRUPT), and an
 * interrupted write inside a transaction rolls the transaction back. */
#define PROGRESS_OPS 4000
static int progress(void *arg)
{
    const struct sqlite_db *db = arg;
    return db->deadline_ns && mono_ns() > db->deadline_ns;
}

/* The limit runs from the start of each step: a query read row by row is
 * limited per row fetched, the count of a large filter as a whole. */
static void limit_arm(struct sqlite_db *db)
{
    db->deadline_ns = db->base.limit_ms ? mono_ns() + (int64_t)db->base.limit_ms * 1000000 : 0;
}

static void limit_disarm(struct sqlite_db *db)
{
    db->deadline_ns = 0;
}

static void sqlite_time_limit(struct db *base)
{
    (void)base; /* read at each step (limit_arm) */
}

static struct db *sqlite_open(void)
{
    struct sqlite_db *db = xcalloc(1, sizeof(*db));
    db->base.ops = &db_sqlite_ops;
    int rc = sqlite3_open_v2(
        db_path, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("sqlite: cannot open %s: %s", db_path,
                  db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
        sqlite3_close(db->conn);
        free(db);
        return NULL;
    }
    sqlite3_busy_timeout(db->conn, 10000);
    /* Replaces the auto-checkpoint: the checkpointer thread does it. */
    if (ckpt_started)
        sqlite3_wal_hook(db->conn, wal_hook, db);
    sqlite3_extended_result_codes(db->conn, 1);
    sqlite3_progress_handler(db->conn, PROGRESS_OPS, progress, db);
    char *err = NULL;
    rc = sqlite3_exec(db->conn,
                      "PRAGMA journal_mode=WAL; "
                      "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                      "PRAGMA cache_size=-32000; PRAGMA journal_size_limit=67108864;",
                      NULL, NULL, &err);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db->conn,
                          sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL,
                          NULL, &err);
    if (rc == SQLITE_OK && mmap_bytes > 0) {
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA mmap_size=%lld", mmap_bytes);
        rc = sqlite3_exec(db->conn, pragma, NULL, NULL, &err);
    }
    if (rc != SQLITE_OK) {
        log_error("sqlite: cannot configure %s: %s", db_path, err ? err : "?");
        sqlite3_free(err);
        sqlite3_close(db->conn);
        free(db);
        return NULL;
    }
    return &db->base;
}

static void sqlite_close(struct db *base)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    if (!sqlite3_get_autocommit(db->conn))
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
    writer_release(db);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (db->cache[i].stmt) {
            sqlite3_finalize(db->cache[i].stmt);
            free(db->cache[i].sql);
        }
    }
    sqlite3_close(db->conn);
    free(db);
}

static unsigned hash_sql(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int bind_args(sqlite3_stmt *stmt, const struct db_val *args, int nargs)
{
    for (int i = 0; i < nargs; i++) {
        int rc;
        switch (args[i].type) {
        case DBV_INT:
            rc = sqlite3_bind_int64(stmt, i + 1, args[i].i);
            break;
        case DBV_REAL:
            rc = sqlite3_bind_double(stmt, i + 1, args[i].d);
            break;
        case DBV_TEXT:
            rc = sqlite3_bind_text(stmt, i + 1, args[i].s, -1,
                                   args[i].kept ? SQLITE_STATIC : SQLITE_TRANSIENT);
            break;
        default:
            rc = sqlite3_bind_null(stmt, i + 1);
            break;
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

/* Find or prepare the statement for sql. A cached statement already in use
 * (a nested query with the same text) gets a private, uncached copy. */
static int prepare(struct sqlite_db *db, const char *sql, sqlite3_stmt **out,
                   struct cache_slot **slot_out)
{
    unsigned h = hash_sql(sql) & (CACHE_SLOTS - 1);
    *slot_out = NULL;
    for (unsigned probe = 0; probe < 8; probe++) {
        struct cache_slot *slot = &db->cache[(h + probe) & (CACHE_SLOTS - 1)];
        if (slot->sql && strcmp(slot->sql, sql) == 0) {
            if (slot->in_use)
                break;
            slot->in_use = true;
            *out = slot->stmt;
            *slot_out = slot;
            return SQLITE_OK;
        }
        if (!slot->sql) {
            int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
            if (rc != SQLITE_OK)
                return rc;
            slot->sql = xstrdup(sql);
            slot->stmt = *out;
            slot->in_use = true;
            *slot_out = slot;
            return SQLITE_OK;
        }
    }
    return sqlite3_prepare_v2(db->conn, sql, -1, out, NULL);
}

static void release(sqlite3_stmt *stmt, struct cache_slot *slot)
{
    if (slot) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        slot->in_use = false;
    } else {
        sqlite3_finalize(stmt);
    }
}

/* Run sql to its end; limited: under the connection's time limit (every
 * statement but BEGIN, COMMIT and ROLLBACK). */
static int exec_stmt(struct sqlite_db *db, const char *sql, const struct db_val *args, int nargs,
                     bool limited)
{
    sqlite3_stmt *stmt;
    struct cache_slot *slot;
    int rc = prepare(db, sql, &stmt, &slot);
    if (rc != SQLITE_OK)
        return map_rc(db, rc, sql);
    rc = bind_args(stmt, args, nargs);
    /* A write outside a transaction queues like a transaction does. */
    bool lone_write =
        !db->writer_held && sqlite3_get_autocommit(db->conn) && !sqlite3_stmt_readonly(stmt);
    if (lone_write)
        lone_write = writer_acquire(db); /* else: SQLite's busy handler */
    if (rc == SQLITE_OK) {
        if (limited)
            limit_arm(db);
        do
            rc = sqlite3_step(stmt);
        while (rc == SQLITE_ROW);
        limit_disarm(db);
    }
    if (lone_write)
        writer_release(db);
    int result = (rc == SQLITE_DONE || rc == SQLITE_OK) ? DB_OK : map_rc(db, rc, sql);
    release(stmt, slot);
    if (lone_write && result == DB_OK)
        result = wait_durable();
    return result;
}

static int sqlite_exec(struct db *base, const char *sql, const struct db_val *args, int nargs)
{
    return exec_stmt((struct sqlite_db *)base, sql, args, nargs, true);
}

static int sqlite_exec_script(struct db *base, const char *sql)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    char *err = NULL;
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        log_error("sqlite: %s", err ? err : sqlite3_errstr(rc));
        sqlite3_free(err);
        return (rc & 0xff) == SQLITE_CONSTRAINT ? DB_CONSTRAINT : DB_ERROR;
    }
    return DB_OK;
}

static int64_t sqlite_changes(struct db *base)
{
    return sqlite3_changes64(((struct sqlite_db *)base)->conn);
}

static struct db_stmt *sqlite_query(struct db *base, const char *sql, const struct db_val *args,
                                    int nargs)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    sqlite3_stmt *stmt;
    struct cache_slot *slot;
    int rc = prepare(db, sql, &stmt, &slot);
    if (rc != SQLITE_OK) {
        map_rc(db, rc, sql);
        return NULL;
    }
    rc = bind_args(stmt, args, nargs);
    if (rc != SQLITE_OK) {
        map_rc(db, rc, sql);
        release(stmt, slot);
        return NULL;
    }
    struct sqlite_stmt *st = xmalloc(sizeof(*st));
    st->base.db = base;
    st->stmt = stmt;
    st->slot = slot;
    return &st->base;
}

static int sqlite_step(struct db_stmt *base)
{
    struct sqlite_stmt *st = (struct sqlite_stmt *)base;
    struct sqlite_db *db = (struct sqlite_db *)base->db;
    limit_arm(db);
    int rc = sqlite3_step(st->stmt);
    limit_disarm(db);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return map_rc(db, rc, sqlite3_sql(st->stmt));
}

static void sqlite_finish(struct db_stmt *base)
{
    struct sqlite_stmt *st = (struct sqlite_stmt *)base;
    release(st->stmt, st->slot);
    free(st);
}

static int sqlite_col_count(struct db_stmt *base)
{
    return sqlite3_column_count(((struct sqlite_stmt *)base)->stmt);
}

static const char *sqlite_col_name(struct db_stmt *base, int i)
{
    return sqlite3_column_name(((struct sqlite_stmt *)base)->stmt, i);
}

static bool sqlite_col_is_null(struct db_stmt *base, int i)
{
    return sqlite3_column_type(((struct sqlite_stmt *)base)->stmt, i) == SQLITE_NULL;
}

enum db_val_type db_sqlite_column_type(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        return DBV_INT;
    case SQLITE_FLOAT:
        return DBV_REAL;
    case SQLITE_NULL:
        return DBV_NULL;
    default:
        return DBV_TEXT;
    }
}

static enum db_val_type sqlite_col_type(struct db_stmt *base, int i)
{
    return db_sqlite_column_type(((struct sqlite_stmt *)base)->stmt, i);
}

static int64_t sqlite_col_int(struct db_stmt *base, int i)
{
    return sqlite3_column_int64(((struct sqlite_stmt *)base)->stmt, i);
}

static double sqlite_col_real(struct db_stmt *base, int i)
{
    return sqlite3_column_double(((struct sqlite_stmt *)base)->stmt, i);
}

static const char *sqlite_col_text(struct db_stmt *base, int i)
{
    const unsigned char *t = sqlite3_column_text(((struct sqlite_stmt *)base)->stmt, i);
    return t ? (const char *)t : "";
}

static int sqlite_begin(struct db *base)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    if (!writer_acquire(db))
        return DB_BUSY;
    int rc = exec_stmt(db, "BEGIN IMMEDIATE", NULL, 0, false);
    if (rc && sqlite3_get_autocommit(db->conn))
        writer_release(db);
    return rc;
}

static int sqlite_commit(struct db *base)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    int rc = exec_stmt(db, "COMMIT", NULL, 0, false);
    /* A failed COMMIT leaves the transaction open: the caller rolls back. */
    if (sqlite3_get_autocommit(db->conn))
        writer_release(db);
    /* Durable before acknowledged; the next writer already runs. */
    if (!rc)
        rc = wait_durable();
    return rc;
}

static void sqlite_rollback(struct db *base)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    if (!sqlite3_get_autocommit(db->conn))
        exec_stmt(db, "ROLLBACK", NULL, 0, false);
    writer_release(db);
}

static void sqlite_bulk_cache(struct db *db, bool on)
{
    /* Negative: KiB. -32000 is the size every connection opens with. */
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", on ? DB_BULK_CACHE_MIB * 1024 : 32000);
    sqlite_exec_script(db, sql);
    ((struct sqlite_db *)db)->bulk = on;
    atomic_fetch_add(&bulk_loads, on ? 1 : -1);
}

static int sqlite_bulk_spill(struct db *base)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    int rc = sqlite3_db_cacheflush(db->conn);
    return rc == SQLITE_OK ? 0 : map_rc(db, rc, "cache flush");
}

static int sqlite_exec_if_free(struct db *base, const char *sql, const struct db_val *args,
                               int nargs)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    if (db->writer_held || !sqlite3_get_autocommit(db->conn))
        return sqlite_exec(base, sql, args, nargs);
    if (pthread_mutex_trylock(&write_lock) != 0)
        return DB_BUSY;
    db->writer_held = true;
    int rc = sqlite_exec(base, sql, args, nargs);
    writer_release(db);
    return rc ? rc : wait_durable();
}

/* The schema holds each index's CREATE statement verbatim; keep those,
 * drop the indexes. Indexes behind UNIQUE / PRIMARY KEY constraints have
 * no statement (sql IS NULL) and stay. */
static int sqlite_indexes_drop(struct db *base, const char *table, struct db_index_set **out)
{
    struct sqlite_db *db = (struct sqlite_db *)base;
    if (sqlite3_get_autocommit(db->conn))
        return DB_ERROR; /* only inside a transaction: a rollback must restore them */
    struct db_index_set *set = xcalloc(1, sizeof(*set));
    char **names = NULL;
    struct db_stmt *st = sqlite_query(base,
                                      "SELECT name, sql FROM sqlite_schema WHERE type = 'index' "
                                      "AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                                      DB_ARGS(DB_TEXT(table)));
    int rc = st ? 1 : DB_ERROR;
    while (rc == 1 && (rc = sqlite_step(st)) == 1) {
        const char *name = sqlite_col_text(st, 0);
        set->sql = xrealloc(set->sql, (set->n + 1) * sizeof(*set->sql));
        names = xrealloc(names, (set->n + 1) * sizeof(*names));
        set->sql[set->n] = xstrdup(sqlite_col_text(st, 1));
        names[set->n++] = xstrdup(name);
    }
    if (st)
        sqlite_finish(st);
    for (size_t i = 0; rc == 0 && i < set->n; i++) {
        /* An identifier from the schema itself, quoted; never input. */
        char *q = sqlite3_mprintf("DROP INDEX \"%w\"", names[i]);
        rc = q ? sqlite_exec_script(base, q) : DB_ERROR;
        sqlite3_free(q);
    }
    for (size_t i = 0; i < set->n; i++)
        free(names[i]);
    free(names);
    if (rc) {
        db_index_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

const struct db_ops db_sqlite_ops = {
    .name = "sqlite",
    DB_OPS_REQUIRED(sqlite),
    .bulk_cache = sqlite_bulk_cache,
    .exec_if_free = sqlite_exec_if_free,
    .indexes_drop = sqlite_indexes_drop,
    .bulk_spill = sqlite_bulk_spill,
};
