/*
 * db_pg.c - the PostgreSQL backend (libpq), behind the same interface as
 * SQLite (see db.h and docs/decisions/0002-postgresql.md).
 *
 * Connections: a process-wide pool of at most HONGYAN_DB_POOL connections
 * (default 32). A thread takes one on first use and keeps it, as with
 * SQLite; when the pool is empty, db_try_get() waits at most
 * HONGYAN_DB_WAIT_MS (default 5000) and then gives up, so a request answers
 * 503 instead of hanging.
 *
 * Statements: domain SQL uses '?' placeholders; they are renumbered to $n
 * (outside quotes) and prepared once per connection, keyed by SQL text and
 * the kinds of the bound values. Integers are sent typed as int8, reals as
 * float8, text and NULL untyped so that the server infers the column's type
 * (a '?' compared with an integer column takes the integer type, as SQLite
 * would). A statement whose parameter type the server cannot infer is
 * prepared again with those parameters as text.
 *
 * Transactions: db_begin() opens a SERIALIZABLE transaction and takes no
 * lock, so every Hongyan process writes in parallel; a transaction that
 * loses a conflict fails (40001, or 40P01 for a deadlock) with
 * db->conflicted set, and the unit of work is run again whole by whoever
 * started it (docs/decisions/0020-pg-multi-writer.md). Readers outside a
 * transaction see committed data as before.
 *
 * Results are fetched whole (libpq's default), so a statement may be read
 * while other statements run on the same connection, as with SQLite.
 */
#include "db/db_int.h"

#include "base/log.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_SLOTS 512   /* power of two */
#define MAX_PARAMS  65535 /* the protocol's limit */
/* Advisory lock keys: the writers' lock ("HONGYAN" as an integer, see
 * write_lock), the scheduler's leader lock ("HYLEADER") and the appenders'
 * lock of position-read logs ("HYLOG"). */
#define WRITE_LOCK_KEY  0x484f4e4759414eLL
#define LOG_LOCK_KEY    0x48594c4f47LL
#define LEADER_LOCK_KEY 0x48594c4541444552LL

/* Type OIDs (server/catalog/pg_type_d.h is not in libpq-dev). */
enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
};

struct pg_slot {
    char *key; /* signature '\x1f' sql */
    char name[16];
};

struct pg_db {
    struct db base;
    PGconn *conn;
    int64_t changes;
    int next_name;
    bool leader;    /* this session holds LEADER_LOCK_KEY */
    int write_lock; /* WRITE_LOCK_KEY held: 0 no, 1 shared, 2 alone */
    int applied_ms; /* the session's statement_timeout (0: none, the server's default) */
    struct pg_slot cache[CACHE_SLOTS];
};

struct pg_stmt {
    struct db_stmt base;
    PGresult *res;
    int row, nrows;
};

static char *conninfo;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;
static int pool_open, pool_max = 32, pool_wait_ms = 5000;
/* HONGYAN_PG_WRITERS=one: every write transaction runs alone, as before
 * decision 0020 (a fallback, and the baseline of bench/pg_writers.sh). */
static bool writers_one;

static int env_int(const char *name, int def, int lo, int hi)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi) {
        log_warn("%s=%s is not a number in %d..%d; using %d", name, v, lo, hi, def);
        return def;
    }
    return (int)n;
}

static int pg_global_init(const char *url)
{
    conninfo = xstrdup(url);
    pool_max = env_int("HONGYAN_DB_POOL", 32, 2, 1000);
    pool_wait_ms = env_int("HONGYAN_DB_WAIT_MS", 5000, 0, 600000);
    const char *w = getenv("HONGYAN_PG_WRITERS");
    writers_one = w && strcmp(w, "one") == 0;
    pool_open = 0;
    return DB_OK;
}

static void pg_global_shutdown(void)
{
    free(conninfo);
    conninfo = NULL;
}

static int map_result(struct pg_db *db, PGresult *res, const char *sql)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strncmp(state, "23", 2) == 0)
        return DB_CONSTRAINT;
    if (state && strcmp(state, "57014") == 0) {
        /* query_canceled: statement_timeout (db_limit_work) cut it */
        log_warn("postgres: statement cut at its time limit of %d ms (in: %.200s)",
                 db->base.limit_ms, sql ? sql : "");
        db->base.timed_out = true;
        return DB_TIMEOUT;
    }
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
        /* serialization_failure, deadlock_detected: expected under
         * concurrent writers, not an error; the unit of work runs again
         * (db_may_rerun), so nothing is logged. */
        db->base.conflicted = true;
        return DB_BUSY;
    }
    log_error("postgres: %s (in: %.200s)",
              res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn), sql ? sql : "");
    if (state && strcmp(state, "55P03") == 0)
        return DB_BUSY;
    return DB_ERROR;
}

/* Take a slot in the pool, waiting at most pool_wait_ms. */
static bool pool_take(void)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += pool_wait_ms / 1000;
    until.tv_nsec += (long)(pool_wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&pool_lock);
    int rc = 0;
    while (pool_open >= pool_max && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&pool_cond, &pool_lock, &until);
    bool ok = pool_open < pool_max;
    if (ok)
        pool_open++;
    pthread_mutex_unlock(&pool_lock);
    return ok;
}

static void pool_give(void)
{
    pthread_mutex_lock(&pool_lock);
    pool_open--;
    pthread_cond_signal(&pool_cond);
    pthread_mutex_unlock(&pool_lock);
}

static void notice_quiet(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res; /* "relation already exists, skipping" and the like */
}

static struct db *pg_open(void)
{
    if (!pool_take()) {
        log_error("postgres: no free connection within %d ms (HONGYAN_DB_POOL=%d)", pool_wait_ms,
                  pool_max);
        return NULL;
    }
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        log_error("postgres: cannot connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        pool_give();
        return NULL;
    }
    PQsetNoticeReceiver(conn, notice_quiet, NULL);
    PGresult *res = PQexec(conn, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
                                 "SET standard_conforming_strings = on");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        log_error("postgres: cannot configure the session: %s", PQerrorMessage(conn));
        PQfinish(conn);
        pool_give();
        return NULL;
    }
    struct pg_db *db = xcalloc(1, sizeof(*db));
    db->base.ops = &db_pg_ops;
    db->conn = conn;
    return &db->base;
}

static void pg_close(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    for (int i = 0; i < CACHE_SLOTS; i++)
        free(db->cache[i].key);
    PQfinish(db->conn);
    free(db);
    pool_give();
}

static unsigned hash_text(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* '?' → $1, $2, … outside string literals, quoted names and comments. */
static char *renumber(const char *sql, int *count)
{
    size_t n = strlen(sql);
    char *out = xmalloc(n * 5 + 1);
    char *o = out;
    int k = 0;
    for (const char *p = sql; *p;) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            *o++ = *p++;
            while (*p) {
                if (*p == q && p[1] == q) {
                    *o++ = *p++;
                    *o++ = *p++;
                } else if (*p == q) {
                    *o++ = *p++;
                    break;
                } else {
                    *o++ = *p++;
                }
            }
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                *o++ = *p++;
        } else if (*p == '?') {
            o += snprintf(o, (size_t)(out + n * 5 + 1 - o), "$%d", ++k);
            p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    *count = k;
    return out;
}

struct params {
    const char **values;
    Oid *types;
    char *sig;
    char *owned; /* number text */
};

/* One allocation sized to the statement (a batch insert binds thousands). */
static struct params *params_new(int nargs)
{
    size_t n = nargs > 0 ? (size_t)nargs : 1;
    struct params *p = xmalloc(sizeof(*p) + n * (sizeof(char *) + sizeof(Oid)) + n + 1);
    p->values = (const char **)(p + 1);
    p->types = (Oid *)(p->values + n);
    p->sig = (char *)(p->types + n);
    p->owned = NULL;
    return p;
}

static void params_fill(struct params *p, const struct db_val *args, int nargs, bool text_nulls)
{
    p->owned = xmalloc((size_t)nargs * 32 + 1);
    char *w = p->owned;
    for (int i = 0; i < nargs; i++) {
        switch (args[i].type) {
        case DBV_INT:
            p->values[i] = w;
            w += snprintf(w, 32, "%lld", (long long)args[i].i) + 1;
            p->types[i] = OID_INT8;
            p->sig[i] = 'i';
            break;
        case DBV_REAL:
            p->values[i] = w;
            w += snprintf(w, 32, "%.17g", args[i].d) + 1;
            p->types[i] = OID_FLOAT8;
            p->sig[i] = 'r';
            break;
        case DBV_TEXT:
            p->values[i] = args[i].s;
            p->types[i] = text_nulls ? OID_TEXT : 0;
            p->sig[i] = text_nulls ? 'T' : 't';
            break;
        default:
            p->values[i] = NULL;
            p->types[i] = text_nulls ? OID_TEXT : 0;
            p->sig[i] = text_nulls ? 'N' : 'n';
            break;
        }
    }
    p->sig[nargs] = '\0';
}

/* statement_timeout of the session set to db->base.limit_ms, when it is
 * not already: one round trip when a connection changes kind of work. Set
 * outside transactions (db_limit_work runs between requests and jobs), so
 * no rollback undoes it. */
static void apply_limit(struct pg_db *db)
{
    if (db->applied_ms == db->base.limit_ms)
        return;
    char sql[64];
    snprintf(sql, sizeof(sql), "SET statement_timeout = %d", db->base.limit_ms);
    PGresult *res = PQexec(db->conn, sql);
    if (PQresultStatus(res) == PGRES_COMMAND_OK)
        db->applied_ms = db->base.limit_ms;
    else
        log_error("postgres: %s: %s", sql, PQerrorMessage(db->conn));
    PQclear(res);
}

static void pg_time_limit(struct db *base)
{
    apply_limit((struct pg_db *)base);
}

/* 0 when the connection is usable. When the server restarted or the link
 * broke, connect again: prepared statements and session locks died with
 * the old session. Never inside a transaction: its work is gone, the
 * caller must fail (DB_ERROR). */
static int ensure_connected(struct pg_db *db)
{
    if (PQstatus(db->conn) != CONNECTION_BAD)
        return 0;
    bool in_tx = db->base.in_tx;
    PQreset(db->conn);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(db->cache[i].key);
        db->cache[i].key = NULL;
    }
    db->leader = false;
    db->applied_ms = 0; /* a new session: the server's default */
    if (PQstatus(db->conn) != CONNECTION_OK || in_tx) {
        log_error("postgres: connection lost: %s", PQerrorMessage(db->conn));
        return DB_ERROR;
    }
    log_info("postgres: reconnected");
    apply_limit(db);
    return 0;
}

/* The statement-cache slot of key: the one that holds it, else a free one
 * (*fresh set), else NULL when every slot near its hash is taken. */
static struct pg_slot *cache_slot(struct pg_db *db, const char *key, bool *fresh)
{
    unsigned h = hash_text(key) & (CACHE_SLOTS - 1);
    *fresh = false;
    for (unsigned probe = 0; probe < 8; probe++) {
        struct pg_slot *s = &db->cache[(h + probe) & (CACHE_SLOTS - 1)];
        if (s->key && strcmp(s->key, key) == 0)
            return s;
        if (!s->key) {
            *fresh = true;
            return s;
        }
    }
    return NULL;
}

/* Prepare (once per connection) and run sql with args; the result, or NULL
 * after logging and setting *rc. */
static PGresult *run(struct pg_db *db, const char *sql, const struct db_val *args, int nargs,
                     int *rc)
{
    if (nargs > MAX_PARAMS) {
        log_error("postgres: %d parameters (at most %d)", nargs, MAX_PARAMS);
        *rc = DB_ERROR;
        return NULL;
    }
    if ((*rc = ensure_connected(db)) != 0)
        return NULL;
    struct params *p = params_new(nargs);
    PGresult *res = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        params_fill(p, args, nargs, attempt == 1);
        char *key = xasprintf("%s\x1f%s", p->sig, sql);
        bool fresh;
        struct pg_slot *slot = cache_slot(db, key, &fresh);
        const char *state = NULL;
        if (slot && fresh) {
            int count;
            char *text = renumber(sql, &count);
            snprintf(slot->name, sizeof(slot->name), "h%d", ++db->next_name);
            PGresult *pr = PQprepare(db->conn, slot->name, text, nargs, p->types);
            free(text);
            if (PQresultStatus(pr) == PGRES_COMMAND_OK) {
                slot->key = key;
                key = NULL;
            } else {
                state = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
                if (attempt == 0 && state && strcmp(state, "42P18") == 0) {
                    PQclear(pr);
                    free(key);
                    free(p->owned);
                    continue; /* parameter type not inferable: send text */
                }
                *rc = map_result(db, pr, sql);
                PQclear(pr);
                free(key);
                free(p->owned);
                free(p);
                return NULL;
            }
            PQclear(pr);
        }
        if (slot) {
            res = PQexecPrepared(db->conn, slot->name, nargs, p->values, NULL, NULL, 0);
        } else {
            /* Cache full around this hash: run unprepared. */
            int count;
            char *text = renumber(sql, &count);
            res = PQexecParams(db->conn, text, nargs, p->types, p->values, NULL, NULL, 0);
            free(text);
            state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (attempt == 0 && state && strcmp(state, "42P18") == 0) {
                PQclear(res);
                res = NULL;
                free(key);
                free(p->owned);
                continue;
            }
        }
        free(key);
        free(p->owned);
        break;
    }
    free(p);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        *rc = map_result(db, res, sql);
        PQclear(res);
        return NULL;
    }
    const char *tuples = PQcmdTuples(res);
    db->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
    *rc = DB_OK;
    return res;
}

/* A statement as it is, without the writers' lock (BEGIN, the locks). */
static int exec_raw(struct db *base, const char *sql, const struct db_val *args, int nargs)
{
    int rc;
    PGresult *res = run((struct pg_db *)base, sql, args, nargs, &rc);
    PQclear(res);
    return rc;
}

static int pg_exec_script(struct db *base, const char *sql)
{
    struct pg_db *db = (struct pg_db *)base;
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? DB_OK : map_result(db, res, sql);
    PQclear(res);
    return rc;
}

static int64_t pg_changes(struct db *base)
{
    return ((struct pg_db *)base)->changes;
}

static struct db_stmt *pg_query(struct db *base, const char *sql, const struct db_val *args,
                                int nargs)
{
    int rc;
    PGresult *res = run((struct pg_db *)base, sql, args, nargs, &rc);
    if (!res)
        return NULL;
    struct pg_stmt *st = xmalloc(sizeof(*st));
    st->base.db = base;
    st->res = res;
    st->row = -1;
    st->nrows = PQntuples(res);
    return &st->base;
}

static int pg_step(struct db_stmt *base)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    if (st->row + 1 >= st->nrows) {
        st->row = st->nrows;
        return 0;
    }
    st->row++;
    return 1;
}

static void pg_finish(struct db_stmt *base)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    PQclear(st->res);
    free(st);
}

static int pg_col_count(struct db_stmt *base)
{
    return PQnfields(((struct pg_stmt *)base)->res);
}

static const char *pg_col_name(struct db_stmt *base, int i)
{
    return PQfname(((struct pg_stmt *)base)->res, i);
}

static bool pg_col_is_null(struct db_stmt *base, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    return st->row < 0 || st->row >= st->nrows || PQgetisnull(st->res, st->row, i);
}

static const char *value(struct pg_stmt *st, int i)
{
    if (st->row < 0 || st->row >= st->nrows || i < 0 || i >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, i))
        return NULL;
    return PQgetvalue(st->res, st->row, i);
}

static enum db_val_type pg_col_type(struct db_stmt *base, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    const char *v = value(st, i);
    if (!v)
        return DBV_NULL;
    switch (PQftype(st->res, i)) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
        return DBV_INT;
    case OID_FLOAT4:
    case OID_FLOAT8:
        return DBV_REAL;
    case OID_NUMERIC:
        /* SUM() of integers is numeric: whole values stay integers. */
        return strpbrk(v, ".eEN") ? DBV_REAL : DBV_INT;
    default:
        return DBV_TEXT;
    }
}

static int64_t pg_col_int(struct db_stmt *base, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    const char *v = value(st, i);
    if (!v)
        return 0;
    if (PQftype(st->res, i) == OID_BOOL)
        return v[0] == 't';
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end == '.' || *end == 'e' || *end == 'E')
        return (int64_t)llround(strtod(v, NULL));
    return n;
}

static double pg_col_real(struct db_stmt *base, int i)
{
    const char *v = value((struct pg_stmt *)base, i);
    if (!v)
        return 0;
    if (PQftype(((struct pg_stmt *)base)->res, i) == OID_BOOL)
        return v[0] == 't';
    return strtod(v, NULL);
}

static const char *pg_col_text(struct db_stmt *base, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    const char *v = value(st, i);
    if (v && PQftype(st->res, i) == OID_BOOL)
        return v[0] == 't' ? "1" : "0";
    return v ? v : "";
}

/* The lock of writers: every write transaction holds it shared, one that
 * must run alone (db_write_alone) holds it exclusively. Session-level and
 * taken before BEGIN, so that the waiting is over before the transaction's
 * snapshot is taken (a SERIALIZABLE snapshot taken before the wait would be
 * stale at once and lose again). Released after COMMIT / ROLLBACK. */
static int write_lock(struct pg_db *db, bool take)
{
    /* The lock statements must not pass for the caller's rows changed. */
    int64_t changes = db->changes;
    static const char *const sql[2][2] = {
        {"SELECT pg_advisory_unlock_shared(?)", "SELECT pg_advisory_lock_shared(?)"},
        {"SELECT pg_advisory_unlock(?)", "SELECT pg_advisory_lock(?)"},
    };
    if (!take && !db->write_lock)
        return 0;
    int alone = take ? db->base.alone || writers_one : db->write_lock == 2;
    int rc = exec_raw(&db->base, sql[alone][take], DB_ARGS(DB_INT(WRITE_LOCK_KEY)));
    db->write_lock = take && !rc ? 1 + alone : 0;
    db->changes = changes;
    return rc;
}

static int pg_begin(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    bool was_cut = base->timed_out;
    int rc = write_lock(db, true);
    if (rc == DB_TIMEOUT) {
        /* The time limit ran out waiting for a writer that runs alone:
         * busy, as under SQLite, not a statement too costly. */
        rc = DB_BUSY;
        base->timed_out = was_cut;
    }
    /* SERIALIZABLE makes concurrent writers' outcome that of some serial
     * order, which is what the domain code assumes (it reads, decides and
     * writes inside one transaction); a loser fails with 40001/40P01 and
     * is run again by its caller (db_may_rerun). */
    if (!rc)
        rc = exec_raw(base, "BEGIN ISOLATION LEVEL SERIALIZABLE", NULL, 0);
    if (rc) {
        exec_raw(base, "ROLLBACK", NULL, 0);
        write_lock(db, false);
    }
    return rc;
}

static int pg_commit(struct db *base)
{
    int rc = exec_raw(base, "COMMIT", NULL, 0);
    /* A failed COMMIT has ended the transaction as well. */
    if (PQtransactionStatus(((struct pg_db *)base)->conn) == PQTRANS_IDLE)
        write_lock((struct pg_db *)base, false);
    return rc;
}

static void pg_rollback(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        exec_raw(base, "ROLLBACK", NULL, 0);
    write_lock(db, false);
}

/* A statement outside a transaction commits on its own; when it writes,
 * it must not change a row under a transaction that runs alone (that one
 * could then lose a conflict after all), so it holds the writers' lock as
 * a transaction would. */
static int pg_exec(struct db *base, const char *sql, const struct db_val *args, int nargs)
{
    if (base->in_tx)
        return exec_raw(base, sql, args, nargs);
    struct pg_db *db = (struct pg_db *)base;
    int rc = write_lock(db, true);
    if (!rc)
        rc = exec_raw(base, sql, args, nargs);
    write_lock(db, false);
    return rc;
}

/* The same, skipped (DB_BUSY) rather than queued behind a transaction that
 * runs alone (a bulk import). */
static int pg_exec_if_free(struct db *base, const char *sql, const struct db_val *args, int nargs)
{
    if (base->in_tx)
        return exec_raw(base, sql, args, nargs);
    struct pg_db *db = (struct pg_db *)base;
    int64_t got = 0;
    struct db_stmt *st =
        pg_query(base, "SELECT pg_try_advisory_lock_shared(?)", DB_ARGS(DB_INT(WRITE_LOCK_KEY)));
    if (!st)
        return DB_ERROR;
    if (pg_step(st) == 1)
        got = pg_col_int(st, 0);
    pg_finish(st);
    if (!got)
        return DB_BUSY;
    db->write_lock = 1;
    int rc = exec_raw(base, sql, args, nargs);
    write_lock(db, false);
    return rc;
}

/* Appenders share the lock for their transaction; a reader takes it
 * alone for a moment, which waits until every append in flight has
 * committed or rolled back (db_log_settled). */
static int pg_log_append(struct db *db)
{
    return exec_raw(db, "SELECT pg_advisory_xact_lock_shared(?)", DB_ARGS(DB_INT(LOG_LOCK_KEY)));
}

static int pg_log_settle(struct db *db, bool hold)
{
    return exec_raw(db, hold ? "SELECT pg_advisory_lock(?)" : "SELECT pg_advisory_unlock(?)",
                    DB_ARGS(DB_INT(LOG_LOCK_KEY)));
}

static int pg_leader(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    if (db->leader && PQstatus(db->conn) == CONNECTION_OK)
        return 1;
    db->leader = false;
    struct db_stmt *st =
        pg_query(base, "SELECT pg_try_advisory_lock(?)", DB_ARGS(DB_INT(LEADER_LOCK_KEY)));
    if (!st)
        return DB_ERROR;
    if (pg_step(st) == 1)
        db->leader = pg_col_int(st, 0) == 1;
    pg_finish(st);
    return db->leader;
}

const struct db_ops db_pg_ops = {
    .name = "postgres",
    DB_OPS_REQUIRED(pg),
    .leader = pg_leader,
    .exec_if_free = pg_exec_if_free,
    .log_append = pg_log_append,
    .log_settle = pg_log_settle,
};
