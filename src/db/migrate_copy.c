/*
 * migrate_copy.c - `hongyan migrate-db`: move a SQLite database into
 * PostgreSQL (see migrate_copy.h).
 *
 * Steps: bring the source up to this binary's schema (its own migrations),
 * open the target through the store (which applies the PostgreSQL
 * migrations), refuse a target that already holds data, copy every table,
 * parents before children, in one transaction, move the
 * identity sequences past the copied ids, and verify: per table, the row
 * count and a BLAKE2b checksum over every value in primary-key order must
 * match on both sides, or the transaction is rolled back.
 *
 * The source is read with SQLite's own API (the store holds one backend
 * per process; this is the only place that needs two).
 */
#include "db/migrate_copy.h"

#include "base/log.h"
#include "base/xmalloc.h"
#include "db/db_int.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 128

struct table {
    char name[64];
    int ncols;
    char *cols[MAX_COLS];
    char order_by[512]; /* primary-key columns, or every column */
};

static void table_free(struct table *t)
{
    for (int i = 0; i < t->ncols; i++)
        free(t->cols[i]);
}

/* Columns and primary key of a source table, in declaration order. */
static int describe(sqlite3 *src, const char *name, struct table *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", name);
    char *sql = xasprintf("SELECT name, pk FROM pragma_table_info('%s') ORDER BY cid", name);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(src, sql, -1, &st, NULL);
    free(sql);
    if (rc != SQLITE_OK)
        return -1;
    char pk[MAX_COLS][64];
    int pkpos[MAX_COLS], npk = 0;
    while (sqlite3_step(st) == SQLITE_ROW && t->ncols < MAX_COLS) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        int pos = sqlite3_column_int(st, 1);
        t->cols[t->ncols++] = xstrdup(col);
        if (pos > 0 && npk < MAX_COLS) {
            snprintf(pk[npk], sizeof(pk[npk]), "%s", col);
            pkpos[npk++] = pos;
        }
    }
    sqlite3_finalize(st);
    /* ORDER BY the key columns in key order; every column without a key. */
    size_t off = 0;
    for (int want = 1; want <= npk; want++)
        for (int i = 0; i < npk; i++)
            if (pkpos[i] == want)
                off += (size_t)snprintf(t->order_by + off, sizeof(t->order_by) - off, "%s\"%s\"",
                                        off ? ", " : "", pk[i]);
    for (int i = 0; npk == 0 && i < t->ncols && off < sizeof(t->order_by); i++)
        off += (size_t)snprintf(t->order_by + off, sizeof(t->order_by) - off, "%s\"%s\"",
                                off ? ", " : "", t->cols[i]);
    return t->ncols > 0 ? 0 : -1;
}

static char *select_sql(const struct table *t)
{
    size_t cap = 64 + strlen(t->order_by) + strlen(t->name);
    for (int i = 0; i < t->ncols; i++)
        cap += strlen(t->cols[i]) + 4;
    char *sql = xmalloc(cap);
    size_t off = (size_t)snprintf(sql, cap, "SELECT ");
    for (int i = 0; i < t->ncols; i++)
        off += (size_t)snprintf(sql + off, cap - off, "%s\"%s\"", i ? ", " : "", t->cols[i]);
    snprintf(sql + off, cap - off, " FROM \"%s\" ORDER BY %s", t->name, t->order_by);
    return sql;
}

/* One value into the running checksum. Only NULL-ness and the text form
 * count, so that a value SQLite stored with another type than its column's
 * (dynamic typing) matches what PostgreSQL made of it; reals compare by
 * their round-trip form. */
static void sum_value(crypto_generichash_state *h, enum db_val_type type, int64_t i, double d,
                      const char *s)
{
    char buf[64];
    const char *text = s ? s : "";
    if (type == DBV_INT) {
        snprintf(buf, sizeof(buf), "%lld", (long long)i);
        text = buf;
    } else if (type == DBV_REAL) {
        snprintf(buf, sizeof(buf), "%.17g", d);
        text = buf;
    }
    char tag = type == DBV_NULL ? 'n' : 'v';
    uint64_t len = type == DBV_NULL ? 0 : strlen(text);
    crypto_generichash_update(h, (const unsigned char *)&tag, 1);
    crypto_generichash_update(h, (const unsigned char *)&len, sizeof(len));
    crypto_generichash_update(h, (const unsigned char *)text, len);
}

/* "INSERT INTO t (cols) VALUES (?, ...), ..." for rows rows of t. */
static char *insert_sql(const struct table *t, int rows)
{
    size_t cap = 64 + strlen(t->name) + (size_t)rows * ((size_t)t->ncols * 3 + 6);
    for (int c = 0; c < t->ncols; c++)
        cap += strlen(t->cols[c]) + 4;
    char *ins = xmalloc(cap);
    size_t off = (size_t)snprintf(ins, cap, "INSERT INTO \"%s\" (", t->name);
    for (int c = 0; c < t->ncols; c++)
        off += (size_t)snprintf(ins + off, cap - off, "%s\"%s\"", c ? ", " : "", t->cols[c]);
    off += (size_t)snprintf(ins + off, cap - off, ") VALUES ");
    for (int b = 0; b < rows; b++) {
        off += (size_t)snprintf(ins + off, cap - off, "%s(", b ? ", " : "");
        for (int c = 0; c < t->ncols; c++)
            off += (size_t)snprintf(ins + off, cap - off, "%s?", c ? ", " : "");
        off += (size_t)snprintf(ins + off, cap - off, ")");
    }
    return ins;
}

/* Copy one table (when db is not NULL, checksumming the source as it goes)
 * in multi-row INSERTs. Returns rows copied, or -1. */
static int64_t copy_table(sqlite3 *src, struct db *db, const struct table *t,
                          unsigned char sum[crypto_generichash_BYTES])
{
    char *sql = select_sql(t);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(src, sql, -1, &st, NULL);
    free(sql);
    if (rc != SQLITE_OK) {
        log_error("migrate-db: cannot read %s: %s", t->name, sqlite3_errmsg(src));
        return -1;
    }
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
    int per = 900 / t->ncols;
    if (per < 1)
        per = 1;
    struct db_val *args = xcalloc((size_t)per * (size_t)t->ncols, sizeof(*args));
    char **texts = xcalloc((size_t)per * (size_t)t->ncols, sizeof(*texts));
    int64_t rows = 0;
    int batch = 0;
    bool ok = true;
    for (;;) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            for (int c = 0; c < t->ncols; c++) {
                /* Sent as text: PostgreSQL converts it to the column's type. */
                struct db_val *v = &args[batch * t->ncols + c];
                enum db_val_type type = db_sqlite_column_type(st, c);
                int64_t iv = sqlite3_column_int64(st, c);
                double dv = sqlite3_column_double(st, c);
                const char *s = (const char *)sqlite3_column_text(st, c);
                char *text = NULL;
                if (type == DBV_INT)
                    text = xasprintf("%lld", (long long)iv);
                else if (type == DBV_REAL)
                    text = xasprintf("%.17g", dv);
                else if (type == DBV_TEXT)
                    text = xstrdup(s ? s : "");
                texts[batch * t->ncols + c] = text;
                *v = DB_TEXT(text);
                sum_value(&h, type, iv, dv, s);
            }
            batch++;
            rows++;
        } else if (step != SQLITE_DONE) {
            log_error("migrate-db: reading %s: %s", t->name, sqlite3_errmsg(src));
            ok = false;
        }
        if (ok && batch > 0 && (batch == per || step != SQLITE_ROW)) {
            char *ins = insert_sql(t, batch);
            if (db_exec(db, ins, args, batch * t->ncols))
                ok = false;
            free(ins);
            for (int k = 0; k < batch * t->ncols; k++) {
                free(texts[k]);
                texts[k] = NULL;
            }
            batch = 0;
        }
        if (step != SQLITE_ROW || !ok)
            break;
    }
    for (int k = 0; k < per * t->ncols; k++)
        free(texts[k]);
    free(texts);
    free(args);
    sqlite3_finalize(st);
    crypto_generichash_final(&h, sum, crypto_generichash_BYTES);
    return ok ? rows : -1;
}

/* Count and checksum a table on the target, in the same order. */
static int64_t target_sum(struct db *db, const struct table *t,
                          unsigned char sum[crypto_generichash_BYTES])
{
    char *sql = select_sql(t);
    struct db_stmt *st = db_query(db, sql, DB_NOARGS);
    free(sql);
    if (!st)
        return -1;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
    int64_t rows = 0;
    int rc;
    while ((rc = db_step(st)) == 1) {
        for (int c = 0; c < t->ncols; c++) {
            enum db_val_type type = db_col_type(st, c);
            sum_value(&h, type, type == DBV_INT ? db_col_int(st, c) : 0,
                      type == DBV_REAL ? db_col_real(st, c) : 0,
                      type == DBV_TEXT ? db_col_text(st, c) : NULL);
        }
        rows++;
    }
    db_finish(st);
    crypto_generichash_final(&h, sum, crypto_generichash_BYTES);
    return rc < 0 ? -1 : rows;
}

/* Open the target (migrated) and check it holds no data yet; 0, or -1
 * after saying why (the target is then shut down again). */
static int open_empty_target(const char *to_url)
{
    if (db_global_init(to_url))
        return -1;
    int64_t existing = 0;
    int rc = db_query_int(db_get(), "SELECT COUNT(*) FROM users", DB_NOARGS, &existing);
    if (rc >= 0 && existing == 0)
        return 0;
    fprintf(stderr, rc < 0 ? "hongyan: cannot read the target database\n"
                           : "hongyan: the target database already holds data; use an empty one\n");
    db_global_shutdown();
    return -1;
}

/* 1 when table t has a foreign key to a table other than itself that is
 * not placed yet (of the n in list, placed[] saying which are). */
static int waits(sqlite3 *src, const struct table *t, const struct table *list, const bool *placed,
                 int n)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(src, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)", -1,
                           &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    int wait = 0;
    while (!wait && sqlite3_step(st) == SQLITE_ROW) {
        const char *parent = (const char *)sqlite3_column_text(st, 0);
        for (int i = 0; i < n && !wait; i++)
            wait = !placed[i] && strcmp(list[i].name, parent) == 0 && strcmp(parent, t->name) != 0;
    }
    sqlite3_finalize(st);
    return wait;
}

/* tables reordered so that a table comes after those its foreign keys
 * name, otherwise in creation order: a column added later may refer to a
 * table made after its own (tasks.enterprise_id, 0020), and the target
 * checks every reference as the rows arrive. A cycle keeps creation order. */
static void parents_first(sqlite3 *src, struct table *tables, int n)
{
    struct table *out = xcalloc((size_t)(n ? n : 1), sizeof(*out));
    bool *placed = xcalloc((size_t)(n ? n : 1), sizeof(*placed));
    for (int k = 0; k < n; k++) {
        int pick = -1, first = -1;
        for (int i = 0; i < n && pick < 0; i++) {
            if (placed[i])
                continue;
            first = first < 0 ? i : first;
            if (!waits(src, &tables[i], tables, placed, n))
                pick = i;
        }
        pick = pick < 0 ? first : pick;
        out[k] = tables[pick];
        placed[pick] = true;
    }
    memcpy(tables, out, (size_t)n * sizeof(*out));
    free(out);
    free(placed);
}

/* The source's tables (not SQLite's own, not the migration bookkeeping),
 * parents before children. *n gets their number. */
static struct table *list_tables(sqlite3 *src, int *n)
{
    sqlite3_stmt *list;
    sqlite3_prepare_v2(src,
                       "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                       "'sqlite_%' AND name <> 'schema_migrations' ORDER BY rowid",
                       -1, &list, NULL);
    struct table *tables = NULL;
    int cap = 0;
    *n = 0;
    while (sqlite3_step(list) == SQLITE_ROW) {
        if (*n == cap)
            tables = xrealloc(tables, (size_t)(cap = cap ? cap * 2 : 32) * sizeof(*tables));
        if (describe(src, (const char *)sqlite3_column_text(list, 0), &tables[*n]) == 0)
            (*n)++;
    }
    sqlite3_finalize(list);
    parents_first(src, tables, *n);
    return tables;
}

int db_copy_sqlite_to(const char *from_url, const char *to_url)
{
    if (strncmp(from_url, "sqlite:", 7) != 0 || strncmp(to_url, "postgres", 8) != 0) {
        fprintf(stderr, "hongyan: migrate-db copies --from sqlite:PATH --to postgres://...\n");
        return -1;
    }
    /* 1. The source at this binary's schema version. */
    if (db_global_init(from_url))
        return -1;
    db_global_shutdown();
    sqlite3 *src = NULL;
    if (sqlite3_open_v2(from_url + 7, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "hongyan: cannot open %s\n", from_url + 7);
        sqlite3_close(src);
        return -1;
    }
    /* 2. The target, migrated and empty. */
    if (open_empty_target(to_url)) {
        sqlite3_close(src);
        return -1;
    }
    struct db *db = db_get();
    /* Migrations seed rows (dictionaries, tags, rules): the copy replaces
     * them with the source's, so empty every table first, children first. */
    int n;
    struct table *tables = list_tables(src, &n);
    int rc = db_begin(db);
    /* The audit log refuses DELETE by trigger: it is empty on a fresh target. */
    for (int i = n - 1; !rc && i >= 0; i--) {
        if (strcmp(tables[i].name, "audit_log") == 0)
            continue;
        char *sql = xasprintf("DELETE FROM \"%s\"", tables[i].name);
        rc = db_exec(db, sql, DB_NOARGS);
        free(sql);
    }
    printf("%-28s %12s %12s  %s\n", "table", "source rows", "target rows", "checksum");
    for (int i = 0; !rc && i < n; i++) {
        unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
        int64_t copied = copy_table(src, db, &tables[i], a);
        int64_t found = copied < 0 ? -1 : target_sum(db, &tables[i], b);
        bool same = copied >= 0 && copied == found && memcmp(a, b, sizeof(a)) == 0;
        char hex[17];
        sodium_bin2hex(hex, sizeof(hex), a, 8);
        printf("%-28s %12lld %12lld  %s %s\n", tables[i].name, (long long)copied, (long long)found,
               hex, same ? "ok" : "MISMATCH");
        if (!same)
            rc = DB_ERROR;
    }
    if (!rc)
        rc = db_exec_script(db, migrations_postgres_identity_sync);
    rc = db_end(db, rc);
    for (int i = 0; i < n; i++)
        table_free(&tables[i]);
    free(tables);
    sqlite3_close(src);
    db_global_shutdown();
    if (rc) {
        fprintf(stderr, "hongyan: migrate-db failed; the target is unchanged\n");
        return -1;
    }
    printf("copied %d tables; row counts and checksums match\n", n);
    return 0;
}
