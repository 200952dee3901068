/*
 * import.c - see import.h.
 *
 * Upload: the raw CSV streams to disk (ROUTE_UPLOAD); the header and a few
 * rows are read back to show the columns and suggest a mapping. Run: a job
 * reads the file row by row (constant memory), converts each row through
 * the mapping into the same JSON the API accepts, and validates it with
 * customer_check() — the very code the form uses — so an import can never
 * store what the form would refuse. Rows are committed in batches; a dry
 * run validates without writing. Every bad row goes to a report CSV.
 */
#include "crm/import.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/files.h"
#include "core/listing.h"
#include "core/memo.h"
#include "core/tabular.h"
#include "crm/customer.h"
#include "record/entity.h"
#include "record/fields.h"
#include "record/tags.h"
#include "db/db.h"

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
#define SAMPLE_ROWS 5

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Column titles people use for each field, beside the field labels. */
static const struct {
    const char *title, *field;
} aliases[] = {
    {"姓名", "name"},
    {"客户姓名", "name"},
    {"名字", "name"},
    {"手机号", "phone"},
    {"手机", "phone"},
    {"手机号码", "phone"},
    {"电话", "phone"},
    {"联系电话", "phone"},
    {"身份证号", "id_number"},
    {"身份证", "id_number"},
    {"身份证号码", "id_number"},
    {"证件号码", "id_number"},
    {"性别", "gender"},
    {"生日", "birthday"},
    {"出生日期", "birthday"},
    {"详细地址", "address"},
    {"地址", "address"},
    {"所在区域", "region"},
    {"区域", "region"},
    {"地区", "region"},
    {"职业", "occupation"},
    {"兴趣偏好", "interests"},
    {"兴趣", "interests"},
    {"业务偏好", "business_prefs"},
    {"服务需求等级", "service_level"},
    {"客户等级", "level"},
    {"等级", "level"},
    {"标签", "tags"},
};

static const char *const importable[] = {
    "name",       "phone",     "gender",         "id_number",     "birthday", "address", "region",
    "occupation", "interests", "business_prefs", "service_level", "level",    "tags",    NULL,
};

static bool is_importable(const char *key)
{
    for (const char *const *k = importable; *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

/* Suggest a target for a column title: a field key, label or alias, or a
 * custom field's key or label; "-" (ignore) when nothing fits. */
static json_t *suggest(struct db *db, const char *title)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(aliases[i].title, title) == 0)
            return json_string(aliases[i].field);
    for (const struct entity_field *f = entity_customer.fields; f->key; f++)
        if (is_importable(f->key) &&
            (strcasecmp(f->key, title) == 0 || strcmp(f->label, title) == 0 ||
             strcasecmp(f->label_en, title) == 0))
            return json_string(f->key);
    json_t *out = NULL;
    struct db_stmt *st = db_query(db,
                                  "SELECT key FROM custom_fields WHERE entity = 'customer' AND "
                                  "retired = 0 AND (key = ? OR label = ? OR label_en = ?)",
                                  DB_ARGS(DB_TEXT(title), DB_TEXT(title), DB_TEXT(title)));
    if (st && db_step(st) == 1) {
        char *k = xasprintf("custom.%s", db_col_text(st, 0));
        out = json_string(k);
        free(k);
    }
    db_finish(st);
    return out ? out : json_string("-");
}

static json_t *import_json(struct db *db, struct req *r, int64_t id);

/* {"import": imp} (stolen); an import the caller has just checked or made
 * that cannot be read back is a database error, not a 404. */
static void reply_import(struct req *r, unsigned status, json_t *imp)
{
    if (imp)
        reply_json(r, status, json_pack("{s:o}", "import", imp));
    else
        reply_db_error(r, DB_ERROR);
}

/* POST /imports?entity=customer with the CSV as the body. */
static void upload(struct req *r)
{
    const char *entity = req_query(r, "entity");
    if (entity && *entity && strcmp(entity, "customer") != 0) {
        reply_invalid(r, json_pack("{s:s}", "entity", req_msg(r, "field.invalid")));
        return;
    }
    char err[256];
    const char *err_key;
    struct tabular_reader *rd = tabular_open_csv(r->upload_path, err, sizeof(err), &err_key);
    if (!rd) {
        log_info("import upload refused: %s", err);
        reply_invalid(r, json_pack("{s:s}", "file", req_msg(r, err_key)));
        return;
    }
    const struct tabular_row *h = tabular_header(rd);
    json_t *columns = json_array(), *mapping = json_object(), *sample = json_array();
    for (size_t i = 0; h && i < h->ncells; i++) {
        json_array_append_new(columns, json_string(h->cells[i]));
        json_object_set_new(mapping, h->cells[i], suggest(r->db, h->cells[i]));
    }
    struct tabular_row row;
    for (int n = 0; n < SAMPLE_ROWS;) {
        int rc = tabular_next_row(rd, &row);
        if (rc == 0 || rc == TABULAR_EFATAL)
            break;
        if (rc != 1)
            continue;
        json_t *cells = json_array();
        for (size_t i = 0; i < row.ncells; i++)
            json_array_append_new(cells, json_string(row.cells[i]));
        json_array_append_new(sample, cells);
        n++;
    }
    const char *encoding = tabular_encoding(rd);
    tabular_close(rd);
    if (json_array_size(columns) == 0) {
        json_decref(columns);
        json_decref(mapping);
        json_decref(sample);
        reply_invalid(r, json_pack("{s:s}", "file", req_msg(r, "field.required")));
        return;
    }

    /* Keep the file under the files directory, named by a random id. */
    char rnd[24];
    session_random_token(rnd, sizeof(rnd), 12);
    char *name = xasprintf("import-%s.csv", rnd);
    char *path = files_path(name);
    free(name);
    char *cols = json_dumps(columns, JSON_COMPACT);
    int64_t id = 0;
    int rc = rename(r->upload_path, path) == 0 ? 0 : DB_ERROR;
    if (!rc)
        rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "INSERT INTO imports (entity, user_id, file_path, encoding, columns, "
                     "created_at) VALUES ('customer', ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_INT(r->actor->id), DB_TEXT(path), DB_TEXT(encoding), DB_TEXT(cols),
                             DB_INT(clock_now())));
    if (!rc && db_query_int(r->db, "SELECT MAX(id) FROM imports WHERE user_id = ?",
                            DB_ARGS(DB_INT(r->actor->id)), &id) != 1)
        rc = DB_ERROR;
    if (!rc)
        rc = audit_write(
            r->db, r, NULL, "import.upload", "import", id,
            json_pack("{s:I,s:s}", "bytes", (json_int_t)r->upload_size, "encoding", encoding));
    if (!rc)
        rc = db_commit(r->db);
    free(cols);
    if (rc) {
        db_rollback(r->db);
        unlink(path);
        free(path);
        json_decref(columns);
        json_decref(mapping);
        json_decref(sample);
        reply_db_error(r, rc);
        return;
    }
    free(path);
    json_t *imp = import_json(r->db, r, id);
    json_object_set_new(imp, "sample", sample);
    json_object_set_new(imp, "suggested_mapping", mapping);
    json_decref(columns);
    reply_import(r, 201, imp);
}

/* The import as the API shows it: upload facts plus its run's progress. */
static json_t *import_json(struct db *db, struct req *r, int64_t id)
{
    json_t *o;
    if (listing_one(db, r, &o, NULL,
                    "SELECT id, entity, encoding, columns AS columns_json, job_id, "
                    "created_at FROM imports WHERE id = ?",
                    DB_ARGS(DB_INT(id))) != 1)
        return NULL;
    json_object_set(o, "columns", json_object_get(o, "columns_json"));
    json_object_del(o, "columns_json");
    json_t *job_id = json_object_get(o, "job_id");
    json_t *job = json_is_integer(job_id)
                      ? jobs_get_json(db, json_integer_value(job_id), r ? r->lang : NULL)
                      : NULL;
    if (!job) {
        json_object_set_new(o, "status", json_string("uploaded"));
        return o;
    }
    json_object_set(o, "status", json_object_get(job, "status"));
    json_object_set(o, "processed", json_object_get(job, "processed"));
    json_object_set(o, "total", json_object_get(job, "total"));
    json_object_set(o, "error", json_object_get(job, "error"));
    json_t *result = json_object_get(job, "result");
    const char *k;
    json_t *v;
    json_object_foreach(result, k, v) json_object_set(o, k, v);
    if (json_integer_value(json_object_get(result, "failed")) > 0) {
        char url[64];
        snprintf(url, sizeof(url), "/api/v1/imports/%lld/report", (long long)id);
        json_object_set_new(o, "report_url", json_string(url));
    }
    json_decref(job);
    return o;
}

/* Load an import of the caller (admins: anyone's); NULL + 404 otherwise. */
static int64_t own_import(struct req *r)
{
    int64_t id = req_param_id(r, 0), owner = 0;
    if (id < 0 ||
        db_query_int(r->db, "SELECT user_id FROM imports WHERE id = ?", DB_ARGS(DB_INT(id)),
                     &owner) != 1 ||
        (owner != r->actor->id && !(r->actor->perms & PERM_ADMIN))) {
        reply_error(r, 404, "not_found");
        return -1;
    }
    return id;
}

static void get(struct req *r)
{
    int64_t id = own_import(r);
    if (id < 0)
        return;
    reply_import(r, 200, import_json(r->db, r, id));
}

static void list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    listing_where_int(&l, "i.user_id = ?", r->actor->id);
    listing_run_with(&l,
                     "i.id, i.entity, i.encoding, i.job_id, i.created_at, "
                     "COALESCE(j.status, 'uploaded') AS status, j.result AS result_json",
                     "imports i LEFT JOIN jobs j ON j.id = i.job_id", NULL);
}

static void run(struct req *r)
{
    int64_t id = own_import(r);
    if (id < 0)
        return;
    json_t *mapping = json_object_get(r->json, "mapping");
    const char *dup = json_string_value(json_object_get(r->json, "on_duplicate"));
    json_t *dry = json_object_get(r->json, "dry_run");
    json_t *errors = json_object();
    if (!json_is_object(mapping))
        json_object_set_new(errors, "mapping", json_string(req_msg(r, "field.required")));
    if (dup && strcmp(dup, "skip") != 0 && strcmp(dup, "update") != 0)
        json_object_set_new(errors, "on_duplicate", json_string(req_msg(r, "field.invalid")));
    const char *k;
    json_t *v;
    bool has_name = false, has_phone = false;
    json_object_foreach(mapping, k, v)
    {
        const char *t = json_string_value(v);
        if (!t || (strcmp(t, "-") != 0 && !is_importable(t) && strncmp(t, "custom.", 7) != 0)) {
            json_object_set_new(errors, "mapping", json_string(req_msg(r, "field.invalid")));
            break;
        }
        has_name |= strcmp(t, "name") == 0;
        has_phone |= strcmp(t, "phone") == 0;
    }
    if (json_is_object(mapping) && (!has_name || !has_phone))
        json_object_set_new(errors, "mapping", json_string(req_msg(r, "import.needs_name_phone")));
    if (json_object_size(errors)) {
        reply_invalid(r, errors);
        return;
    }
    json_decref(errors);
    char *path = NULL;
    struct db_stmt *st;
    int found =
        db_query_row(r->db, &st, "SELECT file_path FROM imports WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (found < 0) {
        reply_db_error(r, found);
        return;
    }
    if (found)
        path = xstrdup(db_col_text(st, 0));
    db_finish(st);
    json_t *params = json_pack("{s:I,s:O,s:b,s:s,s:s}", "import_id", (json_int_t)id, "mapping",
                               mapping, "dry_run", dry ? json_is_true(dry) : 1, "on_duplicate",
                               dup ? dup : "skip", "lang", r->lang);
    int64_t job = 0;
    int rc = db_begin(r->db);
    if (!rc)
        rc = jobs_enqueue(r->db, "import", r->actor->id, params, path, &job);
    if (!rc)
        rc = db_exec(r->db, "UPDATE imports SET job_id = ? WHERE id = ?",
                     DB_ARGS(DB_INT(job), DB_INT(id)));
    if (!rc)
        rc = audit_write(r->db, r, NULL, "import.run", "import", id, json_incref(params));
    if (!rc)
        rc = db_commit(r->db);
    json_decref(params);
    free(path);
    if (rc) {
        db_rollback(r->db);
        reply_db_error(r, rc);
        return;
    }
    reply_import(r, 202, import_json(r->db, r, id));
}

static void report(struct req *r)
{
    int64_t id = own_import(r);
    if (id < 0)
        return;
    char name[64];
    snprintf(name, sizeof(name), "import-%lld-report.csv", (long long)id);
    char *path = files_path(name);
    reply_file(r, path, "text/csv; charset=utf-8", name);
    free(path);
}

/* ---- the job ---- */

struct run {
    struct job *job;
    struct db *db;
    struct actor user;
    const char *lang;
    json_t *mapping;
    bool dry_run, update;
    const struct tabular_row *header;
    const char **targets; /* per header column: the field it maps to, NULL = ignored */
    struct tabular_writer *report;
    json_t *tag_ids; /* name → id cache */
    json_t *errors;  /* first MAX_ERRORS */
    int64_t created, updated, skipped, failed, rows;
    struct customer_batch batch; /* batch.bulk: one transaction, indexes rebuilt */
    struct pipe *pipe;           /* bulk: checked rows go to the writer */
};

/*
 * Bulk mode runs on two threads (the machine has at least two cores and
 * SQLite writes on one): a checker reads the file, converts and validates
 * each row and hands the records it accepts, already turned into the values
 * of their rows (customer_row_new: pinyin, JSON texts, name fragments),
 * through this bounded queue to the job's thread, which only numbers and
 * writes them in its transaction. The checker reads
 * definitions through a connection of its own; only the job's thread
 * touches the job's connection.
 */
#define PIPE_CAP 512
struct pipe {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct customer_row *rows[PIPE_CAP];
    size_t head, count;
    int waiting; /* threads in pthread_cond_wait: only then is a wake-up due */
    bool closed; /* the checker is done */
    bool failed; /* the writer failed: stop checking */
};

/* Hand over a row (taken, also when refused). False when the writer has
 * failed. */
static bool pipe_push(struct pipe *p, struct customer_row *row)
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
        customer_row_free(row);
    return ok;
}

/* The next row (the caller's now); false once the checker is done and the
 * queue empty. */
static bool pipe_pop(struct pipe *p, struct customer_row **row)
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
    if (fields_lookup(ru->db, "customer", key, &f) != 1)
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
        if (strcmp(target, "gender") == 0) {
            const char *g = strcmp(cell, "男") == 0 || strcasecmp(cell, "m") == 0 ||
                                    strcasecmp(cell, "male") == 0
                                ? "male"
                            : strcmp(cell, "女") == 0 || strcasecmp(cell, "f") == 0 ||
                                    strcasecmp(cell, "female") == 0
                                ? "female"
                                : cell;
            json_object_set_new_nocheck(in, "gender", json_string_nocheck(g));
        } else if (strcmp(target, "birthday") == 0) {
            char d[16];
            snprintf(d, sizeof(d), "%s", cell);
            for (char *p = d; *p; p++)
                if (*p == '/' || *p == '.')
                    *p = '-';
            /* Checked: the copy may have cut a long cell inside a character. */
            json_object_set_new_nocheck(in, "birthday", json_string(d));
        } else if (strcmp(target, "interests") == 0 || strcmp(target, "business_prefs") == 0) {
            json_t *list = json_array();
            split_list(cell, list);
            json_object_set_new_nocheck(in, target, list);
        } else if (strcmp(target, "tags") == 0) {
            json_t *names = json_array();
            split_list(cell, names);
            size_t k;
            json_t *name;
            json_array_foreach(names, k, name)
            {
                json_t *id = json_object_get(ru->tag_ids, json_string_value(name));
                if (!id) {
                    int64_t tid = 0;
                    if (db_query_int(ru->db, "SELECT id FROM tags WHERE name = ?",
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
        } else if (strncmp(target, "custom.", 7) == 0) {
            json_t *custom = json_object_get(in, "custom");
            if (!custom) {
                custom = json_object();
                json_object_set_new_nocheck(in, "custom", custom);
            }
            json_object_set_new(custom, target + 7, convert_custom(ru, target + 7, cell));
        } else {
            json_object_set_new_nocheck(in, target, json_string_nocheck(cell));
        }
    }
    return in;
}

static const char *field_label(struct run *ru, const char *key)
{
    const struct entity_field *f = entity_field(&entity_customer, key);
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
        const char *label = field_label(ru, k);
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

static int import_one(struct run *ru, const struct tabular_row *row)
{
    json_t *errors = json_object(), *tag_ids = json_array();
    json_t *in = row_input(ru, row, tag_ids, errors);
    json_t *rec = json_object(), *cur = NULL;
    int rc = 0;
    /* An existing customer with the same phone or ID number? */
    char phone[12] = "";
    struct validate_id_info info = {0};
    struct validate_ymd today;
    const char *raw_phone = json_string_value(json_object_get(in, "phone"));
    const char *raw_id = json_string_value(json_object_get(in, "id_number"));
    validate_today(&today);
    if (!raw_phone || validate_mobile(raw_phone, phone))
        phone[0] = '\0';
    if (!raw_id || validate_id_number(raw_id, &today, &info))
        info.id[0] = '\0';
    json_t *dups = NULL;
    if (ru->batch.bulk) {
        /* Stored customers and earlier rows, from memory (no index now). */
        enum customer_known k = customer_batch_known(&ru->batch, phone, info.id);
        if (k == CUSTOMER_KNOWN_IN_SCOPE) {
            ru->skipped++;
            goto out;
        }
        if (k == CUSTOMER_KNOWN_ELSEWHERE)
            json_object_set_new(errors, "phone", json_string(i18n_msg(ru->lang, "duplicate")));
        goto check;
    }
    /* A duplicate of a row of this file still waiting in the batch. */
    if (customer_batch_queued(&ru->batch, phone, info.id)) {
        if (!ru->update) {
            ru->skipped++;
            goto out;
        }
        if ((rc = customer_batch_flush(ru->db, &ru->batch)) != 0)
            goto out;
    }
    dups = customer_duplicates(ru->db, &ru->user, phone[0] ? phone : NULL,
                               info.id[0] ? info.id : NULL, 0);
    json_t *first = json_array_get(dups, 0);
    if (first && json_is_true(json_object_get(first, "other_branch"))) {
        json_object_set_new(errors, "phone", json_string(i18n_msg(ru->lang, "duplicate")));
    } else if (first && !ru->update) {
        ru->skipped++;
        goto out;
    } else if (first) {
        cur = customer_load(ru->db, &ru->user, json_integer_value(json_object_get(first, "id")),
                            false);
    }
check:
    rc = customer_check(ru->db, &ru->user, ru->lang, in, cur, rec, errors);
    if (rc)
        goto out;
    if (json_object_size(errors)) {
        char *msg = join_errors(ru, errors), *cols = error_columns(ru, errors);
        report_row(ru, row->line, msg, cols, row);
        free(msg);
        free(cols);
        goto out;
    }
    if (ru->dry_run) {
        if (cur)
            ru->updated++;
        else
            ru->created++;
        goto out;
    }
    if (!cur && ru->pipe) {
        customer_batch_note(&ru->batch, rec);
        rc = pipe_push(ru->pipe, customer_row_new(&ru->user, rec, tag_ids)) ? 0 : DB_ERROR;
    } else if (!cur) {
        rc = customer_batch_add(ru->db, &ru->user, rec, tag_ids, &ru->batch);
    } else {
        int64_t id = json_integer_value(json_object_get(cur, "id"));
        rc = customer_update(ru->db, NULL, &ru->user, id, cur, rec);
        size_t i;
        json_t *t;
        json_array_foreach(tag_ids, i, t) if (!rc) rc =
            tags_attach(ru->db, "customer", id, json_integer_value(t));
    }
    if (!rc) {
        if (cur)
            ru->updated++;
        else
            ru->created++;
    }
out:
    json_decref(dups);
    json_decref(in);
    json_decref(rec);
    json_decref(cur);
    json_decref(errors);
    json_decref(tag_ids);
    return rc;
}

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
 * holds at least a quarter as many rows as there are customers: rebuilding
 * every index over all rows then costs less than inserting each new row
 * into each index in random order. Other writers wait meanwhile, which is
 * why small imports into a large table keep committing every second.
 */
static bool bulk_suits(struct run *ru, const char *path)
{
    if (ru->update || !db_can_drop_indexes(ru->db))
        return false;
    const char *env = getenv("HONGYAN_IMPORT_BULK_ROWS");
    int64_t min_rows = env && *env ? strtoll(env, NULL, 10) : 20000, stored = 0;
    if (min_rows <= 0)
        return false;
    if (db_query_int(ru->db, "SELECT COALESCE(MAX(id), 0) FROM customers", DB_NOARGS, &stored) != 1)
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
    ru->db = db_get(); /* definitions only: the rows go through the writer */
    memo_begin();
    for (;;) {
        int next = import_next(ru, ck->rd, &ck->fatal);
        if (next <= 0) {
            ck->rc = next;
            break;
        }
        if (ru->rows % BATCH_ROWS == 0 && !job_progress(ru->job, tabular_bytes_read(ck->rd),
                                                        tabular_bytes_total(ck->rd) + ck->extra)) {
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
static int write_queued(struct run *ru, struct db *db)
{
    struct customer_row *row;
    int rc = 0;
    while (pipe_pop(ru->pipe, &row)) {
        if (rc)
            customer_row_free(row);
        else if ((rc = customer_batch_add_row(db, &ru->batch, row)) != 0)
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

int import_run(struct job *job)
{
    struct run ru = {.job = job, .db = job->db};
    int64_t import_id = json_integer_value(json_object_get(job->params, "import_id"));
    ru.mapping = json_object_get(job->params, "mapping");
    ru.dry_run = json_is_true(json_object_get(job->params, "dry_run"));
    const char *dup = json_string_value(json_object_get(job->params, "on_duplicate"));
    ru.update = dup && strcmp(dup, "update") == 0;
    ru.lang = json_string_value(json_object_get(job->params, "lang"));
    if (!ru.lang)
        ru.lang = "zh-CN";
    if (session_load_user(job->db, job->user_id, &ru.user) != 1)
        return job_fail(job, "forbidden");
    char err[256];
    const char *err_key;
    struct tabular_reader *rd = tabular_open_csv(job->file_path, err, sizeof(err), &err_key);
    if (!rd) {
        log_warn("import %lld: %s", (long long)import_id, err);
        return job_fail(job, err_key); /* shown in the reader's language */
    }
    ru.header = tabular_header(rd);
    ru.targets = xcalloc(ru.header->ncells + 1, sizeof(*ru.targets));
    for (size_t i = 0; i < ru.header->ncells; i++) {
        const char *t = json_string_value(json_object_get(ru.mapping, ru.header->cells[i]));
        ru.targets[i] = t && strcmp(t, "-") != 0 ? t : NULL;
    }
    ru.errors = json_array();
    ru.tag_ids = json_object();
    char name[64];
    snprintf(name, sizeof(name), "import-%lld-report.csv", (long long)import_id);
    char *report_path = files_path(name);
    ru.report = tabular_writer_open(report_path, TABULAR_CSV, NULL, err, sizeof(err));
    if (ru.report) {
        size_t n = ru.header->ncells + 2;
        const char **cells = xcalloc(n, sizeof(*cells));
        cells[0] = i18n_msg(ru.lang, "import.col_row");
        for (size_t i = 0; i < ru.header->ncells; i++)
            cells[i + 1] = ru.header->cells[i];
        cells[n - 1] = i18n_msg(ru.lang, "import.col_reason");
        tabular_write_row(ru.report, cells, n);
        free(cells);
    }

    /* A bigger page cache while importing: the new rows go into a dozen
     * indexes in random order, and each touched page should be read once per
     * batch, not once per row. Back to the normal size afterwards. */
    db_bulk_cache(job->db, true);
    memo_begin();
    int rc = 0;
    bool in_tx = false, stopped = false, bulk = false;
    int64_t t_rows = mono_ms(); /* for the log of a bulk load's phases */
    /* A dry run tells which way the real run would go (the UI warns). */
    bool suits = bulk_suits(&ru, job->file_path);
    if (suits && !ru.dry_run) {
        rc = job_hold_transaction(job, true);
        if (!rc && (rc = db_begin(job->db)) == 0) {
            in_tx = true;
            rc = customer_batch_bulk_begin(job->db, &ru.user, &ru.batch);
            bulk = rc == 1;
            if (rc >= 0 && !bulk) { /* the backend has no bulk path */
                db_rollback(job->db);
                in_tx = false;
                job_hold_transaction(job, false);
            }
            rc = rc < 0 ? rc : 0;
        }
        if (bulk)
            log_info("import %lld: bulk mode (one transaction, indexes rebuilt at the end)",
                     (long long)import_id);
    }
    /* Progress in bytes of the file; in bulk mode the index rebuild and the
     * commit at the end count as much again (for a million rows about 25 s
     * of them after 13-17 s of reading). */
    int64_t extra = bulk ? tabular_bytes_total(rd) : 0;
    int64_t tx_first_row = 0, tx_start_ms = 0;
    const char *fatal = NULL;
    struct pipe p = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};
    struct checker ck = {.ru = &ru, .rd = rd, .extra = extra};
    pthread_t th;
    bool piped = false;
    if (bulk && !rc) {
        ru.pipe = &p;
        piped = pthread_create(&th, NULL, checker_main, &ck) == 0;
        if (!piped)
            ru.pipe = NULL; /* one thread after all */
    }
    if (piped) {
        rc = write_queued(&ru, job->db);
        pthread_join(th, NULL);
        ru.db = job->db;
        ru.pipe = NULL;
        rc = rc ? rc : ck.rc;
        stopped = ck.stopped;
        fatal = ck.fatal;
    }
    for (; !rc && !piped;) {
        if (!in_tx && !ru.dry_run) {
            if ((rc = db_begin(job->db)) != 0)
                break;
            in_tx = true;
            tx_first_row = ru.rows;
            tx_start_ms = mono_ms();
        }
        int next = import_next(&ru, rd, &fatal);
        if (next <= 0) {
            rc = next;
            break;
        }
        if (ru.rows % BATCH_ROWS == 0) {
            if (in_tx && !bulk) {
                if (ru.rows - tx_first_row < COMMIT_ROWS && mono_ms() - tx_start_ms < COMMIT_MS)
                    continue;
                if ((rc = customer_batch_flush(job->db, &ru.batch)) != 0 ||
                    (rc = db_commit(job->db)) != 0)
                    break;
                in_tx = false;
            }
            if (!job_progress(job, tabular_bytes_read(rd), tabular_bytes_total(rd) + extra)) {
                stopped = true;
                break;
            }
        }
    }
    pthread_cond_destroy(&p.changed);
    pthread_mutex_destroy(&p.lock);
    if (in_tx && bulk && !rc && !stopped && !fatal) {
        struct rebuild_progress rp = {job, tabular_bytes_total(rd), extra, mono_ms(), 0};
        log_info("import %lld: %lld rows read and written in %.1f s", (long long)import_id,
                 (long long)ru.rows, (double)(rp.started_ms - t_rows) / 1000.0);
        job_note_progress(job, rp.read, rp.read + rp.extra);
        ru.batch.on_step = rebuild_step;
        ru.batch.step_arg = &rp;
        rc = customer_batch_bulk_finish(job->db, &ru.batch);
        int64_t t_end = mono_ms();
        log_info("import %lld: name fragments added in %.1f s, indexes rebuilt in %.1f s",
                 (long long)import_id, (double)rp.fragments_ms / 1000.0,
                 (double)(t_end - rp.started_ms - rp.fragments_ms) / 1000.0);
        /* The lease shows renewed together with the rows at the commit. */
        if (!rc)
            rc = job_renew_lease(job);
    }
    if (in_tx) {
        int64_t t_commit = mono_ms();
        if (!rc && !stopped && !fatal)
            rc = customer_batch_flush(job->db, &ru.batch);
        if (rc || stopped || fatal)
            db_rollback(job->db);
        else if ((rc = db_commit(job->db)) != 0)
            db_rollback(job->db);
        else if (bulk)
            log_info("import %lld: committed in %.1f s", (long long)import_id,
                     (double)(mono_ms() - t_commit) / 1000.0);
    }
    customer_batch_end(&ru.batch);
    if (bulk)
        job_hold_transaction(job, false);
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
        job->result = result_json(&ru, ru.dry_run ? suits : bulk);
    }
    json_decref(ru.errors);
    json_decref(ru.tag_ids);
    free(ru.targets);
    if (fatal)
        return job_fail(job, fatal);
    return rc ? job_fail(job, "internal") : 0;
}

const struct route imports_routes[] = {
    {"GET", "/api/v1/imports", list, PERM_CUSTOMERS_WRITE, 0, "The caller's imports"},
    {"POST", "/api/v1/imports", upload, PERM_CUSTOMERS_WRITE, ROUTE_UPLOAD,
     "Upload a CSV file (UTF-8 or GBK) as the request body"},
    {"GET", "/api/v1/imports/{id}", get, PERM_CUSTOMERS_WRITE, 0, "An import and its progress"},
    {"POST", "/api/v1/imports/{id}/run", run, PERM_CUSTOMERS_WRITE, 0,
     "Run an import (dry run or for real) with a column mapping"},
    {"GET", "/api/v1/imports/{id}/report", report, PERM_CUSTOMERS_WRITE, 0,
     "The bad rows of an import and why, as CSV"},
    {0},
};
