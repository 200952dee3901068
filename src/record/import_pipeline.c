/*
 * import_pipeline.c - the import job (kind "import", see import.h) for
 * every entity with import hooks (record/entity.h).
 *
 * The job reads the file row by row (constant memory), converts each row
 * through the mapping into the same JSON the API accepts (by the field
 * types: lists split, dates normalised, tags as ids, custom values typed),
 * and hands it to the entity's check hook — for customers customer_check(),
 * the very code the form uses — so an import can never store what the form
 * would refuse. Rows are committed in batches; a dry run validates without
 * writing. Every bad row goes to a report CSV. A large file loads in bulk
 * through the entity's bulk hooks, checked on one thread and written on
 * another.
 */
#include "record/import.h"

#include "auth/actor.h"
#include "auth/session.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/files.h"
#include "core/memo.h"
#include "core/tabular.h"
#include "db/db.h"
#include "record/entity.h"
#include "record/fields.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define BATCH_ROWS 500 /* rows between progress / cancel checks */
/* Rows are committed in transactions of up to COMMIT_ROWS rows or COMMIT_MS
 * milliseconds, whichever comes first: few commits (each one rewrites the
 * touched index pages into the WAL and may checkpoint), yet other writers
 * never wait long for the lock. */
#define COMMIT_ROWS 20000
#define COMMIT_MS   1000
#define MAX_ERRORS  100

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct run {
    struct job *job;
    const struct entity *e;
    struct import_ctx ctx; /* for the checks: ctx.db is the checking thread's */
    struct actor user;
    const char *lang;
    json_t *mapping;
    json_t *defaults; /* values of fields a row leaves empty (may be NULL) */
    bool dry_run, update, bulk;
    const struct tabular_row *header;
    const char **targets; /* per header column: the field it maps to, NULL = ignored */
    struct tabular_writer *report;
    json_t *tag_ids; /* name → id cache */
    json_t *errors;  /* first MAX_ERRORS */
    int64_t created, updated, skipped, failed, rows;
    struct pipe *pipe; /* bulk: checked rows go to the writer */
};

/*
 * Bulk mode runs on two threads (the machine has at least two cores and
 * SQLite writes on one): a checker reads the file, converts and validates
 * each row and hands the records it accepts, already turned into the values
 * of their rows (for customers: pinyin, JSON texts, name fragments),
 * through this bounded queue to the job's thread, which only numbers and
 * writes them in its transaction. The checker reads
 * definitions through a connection of its own; only the job's thread
 * touches the job's connection.
 */
#define PIPE_CAP 512
struct pipe {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    void *rows[PIPE_CAP];
    size_t head, count;
    int waiting; /* threads in pthread_cond_wait: only then is a wake-up due */
    bool closed; /* the checker is done */
    bool failed; /* the writer failed: stop checking */
    void (*discard)(void *row);
};

/* Hand over a row (taken, also when refused). False when the writer has
 * failed. */
static bool pipe_push(struct pipe *p, void *row)
{
    pthread_mutex_lock(&p->lock);
    while (p->count == PIPE_CAP && !p->failed) {
        p->waiting++;
        pthread_cond_wait(&p->changed, &p->lock);
        p->waiting--;
    }
    bool ok = !p->failed;
    if (ok) {
        p->rows[(p->head + p->count++) % PIPE_CAP] = row;
        if (p->waiting)
            pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    if (!ok)
        p->discard(row);
    return ok;
}

/* The next row (the caller's now); false once the checker is done and the
 * queue empty. */
static bool pipe_pop(struct pipe *p, void **row)
{
    pthread_mutex_lock(&p->lock);
    while (p->count == 0 && !p->closed) {
        p->waiting++;
        pthread_cond_wait(&p->changed, &p->lock);
        p->waiting--;
    }
    bool got = p->count > 0;
    if (got) {
        *row = p->rows[p->head];
        p->head = (p->head + 1) % PIPE_CAP;
        p->count--;
        if (p->waiting)
            pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    return got;
}

static void pipe_set(struct pipe *p, bool *flag)
{
    pthread_mutex_lock(&p->lock);
    *flag = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

/* ---- one row ---- */

static void split_list(const char *s, json_t *out)
{
    char *copy = xstrdup(s);
    /* '|' and the commas / semicolons people type, full-width included. */
    const char *seps[] = {"|", ",", "，", ";", "；", "、"};
    for (size_t i = 1; i < sizeof(seps) / sizeof(seps[0]); i++) {
        char *p;
        while ((p = strstr(copy, seps[i])) != NULL) {
            size_t n = strlen(seps[i]);
            *p = '|';
            memmove(p + 1, p + n, strlen(p + n) + 1);
        }
    }
    char *save = NULL;
    for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
        while (*t == ' ')
            t++;
        size_t n = strlen(t);
        while (n && t[n - 1] == ' ')
            t[--n] = '\0';
        if (n)
            json_array_append_new(out, json_string(t));
    }
    free(copy);
}

static json_t *convert_custom(struct run *ru, const char *key, const char *cell)
{
    struct custom_field f;
    json_t *v;
    if (fields_lookup(ru->ctx.db, ru->e->name, key, &f) != 1)
        return json_string(cell);
    if (f.type == FT_MULTISELECT) {
        v = json_array();
        split_list(cell, v);
    } else if (f.type == FT_NUMBER) {
        char *end;
        double d = strtod(cell, &end);
        long long i = strtoll(cell, NULL, 10);
        v = *end || end == cell ? json_string(cell)
            : d == (double)i    ? json_integer(i)
                                : json_real(d);
    } else if (f.type == FT_BOOLEAN) {
        bool yes = strcmp(cell, "是") == 0 || strcasecmp(cell, "true") == 0 ||
                   strcmp(cell, "1") == 0 || strcasecmp(cell, "yes") == 0;
        bool no = strcmp(cell, "否") == 0 || strcasecmp(cell, "false") == 0 ||
                  strcmp(cell, "0") == 0 || strcasecmp(cell, "no") == 0;
        v = yes ? json_true() : no ? json_false() : json_string(cell);
    } else {
        v = json_string(cell);
    }
    custom_field_clear(&f);
    return v;
}

/* Tag names (a list in one cell) as ids into tag_ids; an unknown name is an
 * error of the row. */
static void tags_cell(struct run *ru, const char *cell, json_t *tag_ids, json_t *errors)
{
    json_t *names = json_array();
    split_list(cell, names);
    size_t k;
    json_t *name;
    json_array_foreach(names, k, name)
    {
        json_t *id = json_object_get(ru->tag_ids, json_string_value(name));
        if (!id) {
            int64_t tid = 0;
            if (db_query_int(ru->ctx.db, "SELECT id FROM tags WHERE name = ?",
                             DB_ARGS(DB_TEXT(json_string_value(name))), &tid) == 1) {
                id = json_integer(tid);
                json_object_set_new(ru->tag_ids, json_string_value(name), id);
            }
        }
        if (id)
            json_array_append(tag_ids, id);
        else if (!json_object_get(errors, "tags"))
            json_object_set_new(errors, "tags",
                                json_string(i18n_msg(ru->lang, "field.unknown_tag")));
    }
    json_decref(names);
}

/* The API value of a cell for a built-in field, by its type. */
static json_t *builtin_value(struct run *ru, const struct entity_field *f, const char *cell)
{
    json_t *v = ru->e->import->convert ? ru->e->import->convert(f->key, cell) : NULL;
    if (v)
        return v;
    if (f->type == FT_ARRAY || f->type == FT_MULTISELECT) {
        v = json_array();
        split_list(cell, v);
        return v;
    }
    if (f->type == FT_INT) {
        /* A whole number is a number to the checks (an enterprise's credit
         * days); anything else stays text, which they refuse by name. */
        char *end;
        long long n = strtoll(cell, &end, 10);
        if (end != cell && !*end)
            return json_integer(n);
    }
    if (f->type == FT_DATE) {
        char d[16];
        snprintf(d, sizeof(d), "%s", cell);
        for (char *p = d; *p; p++)
            if (*p == '/' || *p == '.')
                *p = '-';
        /* Checked: the copy may have cut a long cell inside a character. */
        return json_string(d);
    }
    return json_string_nocheck(cell);
}

/* Build the API-shaped input of one row; tag names become ids (unknown
 * names are an error of the row). */
static json_t *row_input(struct run *ru, const struct tabular_row *row, json_t *tag_ids,
                         json_t *errors)
{
    json_t *in = json_object();
    for (size_t i = 0; i < ru->header->ncells && i < row->ncells; i++) {
        const char *target = ru->targets[i], *cell = row->cells[i];
        if (!target || !*cell)
            continue;
        if (strncmp(target, "custom.", 7) == 0) {
            json_t *custom = json_object_get(in, "custom");
            if (!custom) {
                custom = json_object();
                json_object_set_new_nocheck(in, "custom", custom);
            }
            json_object_set_new(custom, target + 7, convert_custom(ru, target + 7, cell));
            continue;
        }
        const struct entity_field *f = entity_field(ru->e, target);
        if (f && f->type == FT_TAGS)
            tags_cell(ru, cell, tag_ids, errors);
        else if (f)
            json_object_set_new_nocheck(in, target, builtin_value(ru, f, cell));
    }
    const char *k;
    json_t *v;
    json_object_foreach(ru->defaults, k, v) if (!json_object_get(in, k)) json_object_set(in, k, v);
    return in;
}

/* The name of the field an error is about, as the user knows it: a custom
 * field's label (buf holds it), a built-in field's in ru's language. */
static const char *field_label(struct run *ru, const char *key, char *buf, size_t buflen)
{
    if (strncmp(key, "custom.", 7) == 0) {
        struct custom_field cf;
        snprintf(buf, buflen, "%s",
                 fields_lookup(ru->ctx.db, ru->e->name, key + 7, &cf) == 1 ? cf.label : key);
        custom_field_clear(&cf);
        return buf;
    }
    const struct entity_field *f = entity_field(ru->e, key);
    if (f)
        return strcmp(ru->lang, "en") == 0 ? f->label_en : f->label;
    return key;
}

/* column: the file's column titles the problem is in, or NULL. */
static void report_row(struct run *ru, int64_t line, const char *message, const char *column,
                       const struct tabular_row *row)
{
    ru->failed++;
    if ((int64_t)json_array_size(ru->errors) < MAX_ERRORS)
        json_array_append_new(ru->errors, json_pack("{s:I,s:s,s:s?}", "row", (json_int_t)line,
                                                    "message", message, "column", column));
    if (!ru->report)
        return;
    size_t n = ru->header->ncells + 2;
    const char **cells = xcalloc(n, sizeof(*cells));
    char num[24];
    snprintf(num, sizeof(num), "%lld", (long long)line);
    cells[0] = num;
    for (size_t i = 0; i < ru->header->ncells; i++)
        cells[i + 1] = row && row->cells && i < row->ncells ? row->cells[i]
                       : i == 0 && row                      ? row->raw
                                                            : "";
    cells[n - 1] = message;
    tabular_write_row(ru->report, cells, n);
    free(cells);
}

/* The titles of the file's columns mapped to the fields in errors, in
 * file order ("手机号、身份证号"); NULL when none is (a field the file
 * lacks, such as a required name). */
static char *error_columns(struct run *ru, json_t *errors)
{
    char *out = NULL;
    size_t len = 0;
    for (size_t i = 0; i < ru->header->ncells; i++) {
        const char *title = ru->header->cells[i];
        const char *t = json_string_value(json_object_get(ru->mapping, title));
        if (!t || !json_object_get(errors, t))
            continue;
        size_t add = strlen(title) + 4;
        out = xrealloc(out, len + add);
        len += (size_t)snprintf(out + len, add, "%s%s", len ? "、" : "", title);
    }
    return out;
}

/* "姓名：必填项；手机号：…" from a field → message object. */
static char *join_errors(struct run *ru, json_t *errors)
{
    size_t cap = 256, len = 0;
    char *out = xmalloc(cap);
    out[0] = '\0';
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v)
    {
        char buf[128];
        const char *label = field_label(ru, k, buf, sizeof(buf));
        const char *msg = json_string_value(v);
        size_t need = strlen(label) + strlen(msg) + 8;
        if (len + need >= cap) {
            cap = (len + need) * 2;
            out = xrealloc(out, cap);
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%s：%s", len ? "；" : "", label, msg);
    }
    return out;
}

/* Check one row and write it (or hand it to the writer), counting the
 * outcome; a bad row goes to the report. */
static int import_one(struct run *ru, const struct tabular_row *row)
{
    json_t *errors = json_object(), *tag_ids = json_array();
    json_t *in = row_input(ru, row, tag_ids, errors);
    enum import_outcome outcome;
    void *prepared = NULL;
    int rc = ru->e->import->check(&ru->ctx, in, tag_ids, errors, &outcome, &prepared);
    if (!rc && outcome == IMPORT_FAILED && json_object_size(errors)) {
        char *msg = join_errors(ru, errors), *cols = error_columns(ru, errors);
        report_row(ru, row->line, msg, cols, row);
        free(msg);
        free(cols);
    } else if (!rc && prepared) {
        rc = ru->pipe ? (pipe_push(ru->pipe, prepared) ? 0 : DB_ERROR)
                      : ru->e->import->write(&ru->ctx, prepared);
    }
    if (!rc) {
        ru->created += outcome == IMPORT_CREATE;
        ru->updated += outcome == IMPORT_UPDATED;
        ru->skipped += outcome == IMPORT_SKIPPED;
    }
    json_decref(in);
    json_decref(errors);
    json_decref(tag_ids);
    return rc;
}

/* ---- the job ---- */

static json_t *result_json(struct run *ru, bool bulk)
{
    return json_pack("{s:b,s:s,s:I,s:I,s:I,s:I,s:I,s:O}", "dry_run", ru->dry_run, "mode",
                     bulk ? "bulk" : "rows", "rows", (json_int_t)ru->rows, "created",
                     (json_int_t)ru->created, "updated", (json_int_t)ru->updated, "skipped",
                     (json_int_t)ru->skipped, "failed", (json_int_t)ru->failed, "errors",
                     ru->errors);
}

/* Lines in the file, as a cheap estimate of its rows (a quoted cell may
 * hold a line break; close enough to choose a mode), counted up to enough:
 * whether a file has that many lines needs no more of it read. */
static int64_t count_lines(const char *path, int64_t enough)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static _Thread_local char buf[1 << 16];
    int64_t n = 0;
    size_t got;
    while (n < enough && (got = fread(buf, 1, sizeof(buf), f)) > 0)
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL; p++)
            n++;
    fclose(f);
    return n;
}

/*
 * Bulk mode (docs/decisions/0004-bulk-import.md): the whole import in one
 * transaction with the secondary indexes rebuilt at the end. Worth it when
 * the file is large (HONGYAN_IMPORT_BULK_ROWS lines, default 20000) and
 * holds at least a quarter as many rows as the table: rebuilding
 * every index over all rows then costs less than inserting each new row
 * into each index in random order. Other writers wait meanwhile, which is
 * why small imports into a large table keep committing every second.
 */
static bool bulk_suits(struct run *ru, const char *path)
{
    if (ru->update || !ru->e->import->bulk_begin || !db_can_drop_indexes(ru->ctx.db))
        return false;
    const char *env = getenv("HONGYAN_IMPORT_BULK_ROWS");
    int64_t min_rows = env && *env ? strtoll(env, NULL, 10) : 20000, stored = 0;
    if (min_rows <= 0)
        return false;
    char *sql = xasprintf("SELECT COALESCE(MAX(id), 0) FROM %s", ru->e->table);
    int rc = db_query_int(ru->ctx.db, sql, DB_NOARGS, &stored);
    free(sql);
    if (rc != 1)
        return false;
    int64_t need = (stored + 3) / 4 > min_rows ? (stored + 3) / 4 : min_rows;
    return count_lines(path, need) >= need;
}

/* Read the next row and import it: 1 when a row was handled (imported,
 * skipped or reported), 0 at the end of the file or when it is broken
 * (*fatal: the i18n key of why), negative on a database failure. */
static int import_next(struct run *ru, struct tabular_reader *rd, const char **fatal)
{
    struct tabular_row row;
    int got = tabular_next_row(rd, &row);
    if (got == 0)
        return 0;
    if (got == TABULAR_EFATAL) {
        log_warn("import: reading stopped: %s", tabular_error(rd));
        *fatal = tabular_error_key(rd); /* for the user, in their language */
        return 0;
    }
    ru->rows++;
    if (got == TABULAR_EROW) {
        report_row(ru, row.line,
                   i18n_msg(ru->lang, row.error_key ? row.error_key : "import.bad_encoding"), NULL,
                   &row);
        return 1;
    }
    int rc = import_one(ru, &row);
    return rc ? rc : 1;
}

/* The checking thread of a bulk load (struct pipe): every row of the file,
 * through import_one, which hands accepted records to the writer. */
struct checker {
    struct run *ru;
    struct tabular_reader *rd;
    int64_t extra;
    int rc;
    bool stopped;
    const char *fatal;
};

static void *checker_main(void *arg)
{
    struct checker *ck = arg;
    struct run *ru = ck->ru;
    ru->ctx.db = db_get(); /* definitions only: the rows go through the writer */
    memo_begin();
    for (;;) {
        int next = import_next(ru, ck->rd, &ck->fatal);
        if (next <= 0) {
            ck->rc = next;
            break;
        }
        if (job_should_stop(ru->job) || (ru->rows % BATCH_ROWS == 0 &&
                                         !job_progress(ru->job, tabular_bytes_read(ck->rd),
                                                       tabular_bytes_total(ck->rd) + ck->extra))) {
            ck->stopped = true;
            break;
        }
    }
    memo_end();
    db_release_thread();
    pipe_set(ru->pipe, &ru->pipe->closed);
    return NULL;
}

/* The writing side: queue and flush what the checker accepts, until it is
 * done. After a failure it keeps taking (and dropping) records so that the
 * checker never waits on a full queue, and tells it to stop. */
static int write_queued(struct run *ru, struct import_ctx *wc)
{
    void *row;
    int rc = 0;
    while (pipe_pop(ru->pipe, &row)) {
        /* Stopping: what is queued would be rolled back anyway. */
        if (rc || jobs_stopping())
            ru->e->import->discard(row);
        else if ((rc = ru->e->import->write(wc, row)) != 0)
            pipe_set(ru->pipe, &ru->pipe->failed);
    }
    return rc;
}

/* Progress through the end of a bulk load: the file is read, and the
 * fragments and each index built count equal shares of the rest. */
struct rebuild_progress {
    struct job *job;
    int64_t read, extra;
    int64_t started_ms, fragments_ms; /* for the log */
};

static void rebuild_step(void *arg, int done, int steps)
{
    struct rebuild_progress *rp = arg;
    if (done == 1)
        rp->fragments_ms = mono_ms() - rp->started_ms;
    job_note_progress(rp->job, rp->read + rp->extra * done / (steps + 1), rp->read + rp->extra);
}

/* The report of bad rows: "row", the file's columns, "reason". */
static void open_report(struct run *ru, const char *path)
{
    char err[256];
    ru->report = tabular_writer_open(path, TABULAR_CSV, NULL, err, sizeof(err));
    if (!ru->report)
        return;
    size_t n = ru->header->ncells + 2;
    const char **cells = xcalloc(n, sizeof(*cells));
    cells[0] = i18n_msg(ru->lang, "import.col_row");
    for (size_t i = 0; i < ru->header->ncells; i++)
        cells[i + 1] = ru->header->cells[i];
    cells[n - 1] = i18n_msg(ru->lang, "import.col_reason");
    tabular_write_row(ru->report, cells, n);
    free(cells);
}

/* The run's settings from the job's parameters. NULL, or why it cannot
 * run (a message key). */
static const char *run_init(struct run *ru, struct job *job)
{
    json_t *p = job->params;
    const char *entity = json_string_value(json_object_get(p, "entity"));
    ru->e = entity ? entity_find(entity) : entity_default();
    if (!ru->e || !ru->e->import)
        return "field.invalid";
    ru->mapping = json_object_get(p, "mapping");
    ru->defaults = json_object_get(p, "defaults");
    ru->dry_run = json_is_true(json_object_get(p, "dry_run"));
    const char *dup = json_string_value(json_object_get(p, "on_duplicate"));
    ru->update = dup && strcmp(dup, "update") == 0;
    ru->lang = json_string_value(json_object_get(p, "lang"));
    if (!ru->lang)
        ru->lang = "zh-CN";
    if (session_load_user(job->db, job->user_id, &ru->user) != 1)
        return "forbidden";
    ru->ctx = (struct import_ctx){.db = job->db,
                                  .user = &ru->user,
                                  .lang = ru->lang,
                                  .update = ru->update,
                                  .dry_run = ru->dry_run,
                                  .state = ru->e->import->open()};
    return NULL;
}

/* Which column goes to which field, by the mapping of the file's titles. */
static void map_columns(struct run *ru)
{
    ru->targets = xcalloc(ru->header->ncells + 1, sizeof(*ru->targets));
    for (size_t i = 0; i < ru->header->ncells; i++) {
        const char *t = json_string_value(json_object_get(ru->mapping, ru->header->cells[i]));
        ru->targets[i] = t && strcmp(t, "-") != 0 ? t : NULL;
    }
}

/* Begin a bulk load: one transaction held for the whole job. *in_tx when
 * it is open; ru->bulk when the entity's bulk path is on. */
static int bulk_start(struct run *ru, int64_t import_id, bool *in_tx)
{
    struct job *job = ru->job;
    int rc = job_hold_transaction(job, true);
    if (rc || (rc = db_begin(job->db)) != 0)
        return rc;
    *in_tx = true;
    rc = ru->e->import->bulk_begin(&ru->ctx);
    ru->bulk = rc == 1;
    if (rc >= 0 && !ru->bulk) { /* the backend has no bulk path */
        db_rollback(job->db);
        *in_tx = false;
        job_hold_transaction(job, false);
    }
    if (ru->bulk)
        log_info("import %lld: bulk mode (one transaction, indexes rebuilt at the end)",
                 (long long)import_id);
    return rc < 0 ? rc : 0;
}

/* A bulk load's rows: checked on a thread of their own, written here.
 * False when the thread could not start (then read on one thread). */
static bool run_piped(struct run *ru, struct tabular_reader *rd, int64_t extra, int *rc,
                      bool *stopped, const char **fatal)
{
    struct pipe p = {.lock = PTHREAD_MUTEX_INITIALIZER,
                     .changed = PTHREAD_COND_INITIALIZER,
                     .discard = ru->e->import->discard};
    struct checker ck = {.ru = ru, .rd = rd, .extra = extra};
    struct import_ctx wc = ru->ctx; /* the writer's: the job's connection */
    pthread_t th;
    ru->pipe = &p;
    bool piped = pthread_create(&th, NULL, checker_main, &ck) == 0;
    if (piped) {
        *rc = write_queued(ru, &wc);
        pthread_join(th, NULL);
        *rc = *rc ? *rc : ck.rc;
        *stopped = ck.stopped;
        *fatal = ck.fatal;
    }
    ru->ctx.db = wc.db;
    ru->pipe = NULL;
    pthread_cond_destroy(&p.changed);
    pthread_mutex_destroy(&p.lock);
    return piped;
}

/* Rows on one thread, committed every COMMIT_ROWS rows or COMMIT_MS (a
 * bulk load: all in its one transaction). */
static int run_rows(struct run *ru, struct tabular_reader *rd, int64_t extra, bool *in_tx,
                    bool *stopped, const char **fatal)
{
    struct job *job = ru->job;
    int64_t tx_first_row = 0, tx_start_ms = 0;
    int rc = 0;
    while (!rc) {
        if (!*in_tx && !ru->dry_run) {
            if ((rc = db_begin(job->db)) != 0)
                break;
            *in_tx = true;
            tx_first_row = ru->rows;
            tx_start_ms = mono_ms();
        }
        int next = import_next(ru, rd, fatal);
        if (next <= 0)
            return next;
        if (job_should_stop(job)) {
            /* now, not at the batch's end: the rows since the last commit
             * are rolled back, and the next run skips what was committed */
            *stopped = true;
            break;
        }
        if (ru->rows % BATCH_ROWS != 0)
            continue;
        if (*in_tx && !ru->bulk) {
            if (ru->rows - tx_first_row < COMMIT_ROWS && mono_ms() - tx_start_ms < COMMIT_MS)
                continue;
            if ((rc = ru->e->import->flush(&ru->ctx)) != 0 || (rc = db_commit(job->db)) != 0)
                break;
            *in_tx = false;
        }
        if (!job_progress(job, tabular_bytes_read(rd), tabular_bytes_total(rd) + extra)) {
            *stopped = true;
            break;
        }
    }
    return rc;
}

/* The end of a bulk load: what its begin took away is rebuilt. */
static int bulk_end(struct run *ru, struct tabular_reader *rd, int64_t import_id, int64_t extra,
                    int64_t t_rows)
{
    struct job *job = ru->job;
    struct rebuild_progress rp = {job, tabular_bytes_total(rd), extra, mono_ms(), 0};
    log_info("import %lld: %lld rows read and written in %.1f s", (long long)import_id,
             (long long)ru->rows, (double)(rp.started_ms - t_rows) / 1000.0);
    job_note_progress(job, rp.read, rp.read + rp.extra);
    int rc = ru->e->import->bulk_finish(&ru->ctx, rebuild_step, &rp);
    int64_t t_end = mono_ms();
    log_info("import %lld: name fragments added in %.1f s, indexes rebuilt in %.1f s",
             (long long)import_id, (double)rp.fragments_ms / 1000.0,
             (double)(t_end - rp.started_ms - rp.fragments_ms) / 1000.0);
    /* The lease shows renewed together with the rows at the commit. */
    return rc ? rc : job_renew_lease(job);
}

/* Commit what the run wrote, or roll it back when it failed or stopped. */
static int finish_tx(struct run *ru, int rc, bool undo, int64_t import_id)
{
    struct job *job = ru->job;
    int64_t t_commit = mono_ms();
    if (!rc && !undo)
        rc = ru->e->import->flush(&ru->ctx);
    if (rc || undo) {
        db_rollback(job->db);
    } else if ((rc = db_commit(job->db)) != 0) {
        db_rollback(job->db);
    } else if (ru->bulk) {
        log_info("import %lld: committed in %.1f s", (long long)import_id,
                 (double)(mono_ms() - t_commit) / 1000.0);
    }
    return rc;
}

/* Read, check and write every row: in bulk (one transaction, checked on a
 * second thread) when the file suits, else committing as it goes. */
static int run_all(struct run *ru, struct tabular_reader *rd, int64_t import_id, bool *stopped,
                   const char **fatal, bool *suits)
{
    struct job *job = ru->job;
    int rc = 0;
    bool in_tx = false;
    int64_t t_rows = mono_ms(); /* for the log of a bulk load's phases */
    /* A dry run tells which way the real run would go (the UI warns). */
    *suits = bulk_suits(ru, job->file_path);
    if (*suits && !ru->dry_run)
        rc = bulk_start(ru, import_id, &in_tx);
    /* Progress in bytes of the file; in bulk mode the index rebuild and the
     * commit at the end count as much again (for a million rows about 25 s
     * of them after 13-17 s of reading). */
    int64_t extra = ru->bulk ? tabular_bytes_total(rd) : 0;
    bool piped = ru->bulk && !rc && run_piped(ru, rd, extra, &rc, stopped, fatal);
    if (!rc && !piped)
        rc = run_rows(ru, rd, extra, &in_tx, stopped, fatal);
    if (in_tx && ru->bulk && !rc && !*stopped && !*fatal)
        rc = bulk_end(ru, rd, import_id, extra, t_rows);
    if (in_tx)
        rc = finish_tx(ru, rc, *stopped || *fatal, import_id);
    if (ru->bulk)
        job_hold_transaction(job, false);
    return rc;
}

int import_run(struct job *job)
{
    struct run ru = {.job = job};
    int64_t import_id = json_integer_value(json_object_get(job->params, "import_id"));
    const char *bad = run_init(&ru, job);
    if (bad) {
        if (ru.ctx.state)
            ru.e->import->close(ru.ctx.state);
        return job_fail(job, bad);
    }
    char err[256];
    const char *err_key;
    struct tabular_reader *rd = tabular_open_csv(job->file_path, err, sizeof(err), &err_key);
    if (!rd) {
        log_warn("import %lld: %s", (long long)import_id, err);
        ru.e->import->close(ru.ctx.state);
        return job_fail(job, err_key); /* shown in the reader's language */
    }
    ru.header = tabular_header(rd);
    map_columns(&ru);
    ru.errors = json_array();
    ru.tag_ids = json_object();
    char name[64];
    snprintf(name, sizeof(name), "import-%lld-report.csv", (long long)import_id);
    char *report_path = files_path(name);
    open_report(&ru, report_path);

    /* A bigger page cache while importing: the new rows go into a dozen
     * indexes in random order, and each touched page should be read once per
     * batch, not once per row. Back to the normal size afterwards. */
    db_bulk_cache(job->db, true);
    memo_begin();
    bool stopped = false, suits = false;
    const char *fatal = NULL;
    int rc = run_all(&ru, rd, import_id, &stopped, &fatal, &suits);
    ru.e->import->close(ru.ctx.state);
    memo_end();
    db_bulk_cache(job->db, false);
    tabular_close(rd);
    if (ru.report && tabular_writer_close(ru.report))
        log_warn("import %lld: cannot finish the report", (long long)import_id);
    if (ru.failed == 0)
        unlink(report_path);
    free(report_path);
    if (!rc && !stopped && !fatal) {
        job_progress(job, 1, 1);
        job->result = result_json(&ru, ru.dry_run ? suits : ru.bulk);
    }
    json_decref(ru.errors);
    json_decref(ru.tag_ids);
    free(ru.targets);
    if (fatal)
        return job_fail(job, fatal);
    return rc ? job_fail(job, "internal") : 0;
}
