/*
 * export.c - see export.h. Works for every registered entity with export
 * hooks: the query is built once from the chosen columns (the descriptor's
 * expressions; custom keys bound) and the entity's WHERE (the same as its
 * list: scope, its filters, a saved segment), then read page by page
 * straight into the writer: no row is held after it is written.
 */
#include "record/export.h"
#include "record/form_layout.h"

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
#include "core/tabular.h"
#include "record/entity.h"
#include "record/fields.h"
#include "record/group.h"
#include "record/segments.h"
#include "db/db.h"
#include "db/dialect.h"
#include "db/sqlbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COLUMNS 64
/* Rows per keyset page; HONGYAN_EXPORT_PAGE overrides it (the API tests
 * use a tiny page so that every export crosses page boundaries). */
static int64_t export_page(void)
{
    const char *v = getenv("HONGYAN_EXPORT_PAGE");
    long n = v ? strtol(v, NULL, 10) : 0;
    return n > 0 && n <= 100000 ? n : 5000;
}

enum cell_kind {
    K_TEXT,
    K_PHONE,
    K_ID,
    K_EMAIL,
    K_YEAR, /* a date with a year of birth: month-day unless revealed */
    K_LIST,
    K_TIME,
    K_GENDER,
    K_BOOL,
    K_MONEY,
    K_GRAMS,
    K_NAME,
    K_ADDRESS,
};

struct column {
    const char *key;
    char label[128];
    enum cell_kind kind;
    bool number; /* a custom number or money field: its cells are numbers */
    /* a sealed value: its clear text (entity_field.open) */
    char *(*open)(const char *sealed);
};

/* How a built-in field's cells are written. */
static enum cell_kind builtin_kind(const struct entity_field *f)
{
    if (f->mask != MASK_NONE)
        return f->mask == MASK_PHONE     ? K_PHONE
               : f->mask == MASK_ID      ? K_ID
               : f->mask == MASK_EMAIL   ? K_EMAIL
               : f->mask == MASK_NAME    ? K_NAME
               : f->mask == MASK_ADDRESS ? K_ADDRESS
                                         : K_YEAR;
    switch (f->cell) {
    case CELL_TEXT:
        return K_TEXT;
    case CELL_GENDER:
        return K_GENDER;
    case CELL_BOOL:
        return K_BOOL;
    case CELL_MONEY_FEN:
        return K_MONEY;
    case CELL_GRAMS:
        return K_GRAMS;
    case CELL_AUTO:
        break;
    }
    return f->type == FT_ARRAY || f->type == FT_MULTISELECT ? K_LIST
           : f->type == FT_TIME                             ? K_TIME
                                                            : K_TEXT;
}

/* A custom column: the value under its key in the entity's JSON column. */
static int add_custom_column(struct db *db, const struct entity *e, const char *key,
                             struct sqlbuf *sel, struct column *col)
{
    struct custom_field f;
    int rc = e->custom_column ? fields_lookup(db, e->name, key, &f) : 0;
    if (rc != 1)
        return rc < 0 ? rc : -1;
    snprintf(col->label, sizeof(col->label), "%s", f.label);
    col->number = f.type == FT_NUMBER || f.type == FT_MONEY;
    col->kind = f.type == FT_MULTISELECT ? K_LIST
                : f.type == FT_BOOLEAN   ? K_BOOL
                : f.type == FT_PHONE     ? K_PHONE /* masked like the built-in phone */
                                         : K_TEXT;
    sqlbuf_add(sel, ", ");
    sqlbuf_addf(sel, dialect_json_get_text(), e->custom_column);
    sqlbuf_bind_text_copy(sel, key);
    custom_field_clear(&f);
    return 0;
}

/* Resolve one requested column of e: its SELECT expression (appended to
 * sel, binding a custom key if any), header and cell kind. -1 when e has
 * no such export column. */
static int add_column(struct db *db, const struct entity *e, const char *key, const char *lang,
                      struct sqlbuf *sel, struct column *col)
{
    bool en = strcmp(lang, "en") == 0;
    col->key = key;
    col->kind = K_TEXT;
    col->number = false;
    col->open = NULL;
    if (!key)
        return -1;
    if (strncmp(key, "custom.", 7) == 0)
        return add_custom_column(db, e, key + 7, sel, col);
    const struct entity_field *f = entity_field(e, key);
    if (!f || !(f->flags & EF_EXPORT))
        return -1;
    const char *header =
        en ? (f->header_en ? f->header_en : f->label_en) : (f->header ? f->header : f->label);
    snprintf(col->label, sizeof(col->label), "%s", header);
    if (f->type == FT_TAGS) {
        char *agg = xasprintf(dialect_group_concat(), "t.name");
        sqlbuf_addf(sel,
                    ", (SELECT %s FROM object_tags ot JOIN tags t ON t.id = ot.tag_id "
                    "WHERE ot.entity = '%s' AND ot.object_id = %s.id)",
                    agg, e->name, e->alias);
        free(agg);
        return 0;
    }
    col->kind = builtin_kind(f);
    col->open = f->open;
    const char *expr = en && f->export_expr_en ? f->export_expr_en
                       : f->export_expr        ? f->export_expr
                                               : f->expr;
    sqlbuf_addf(sel, ", %s", expr);
    return 0;
}

/* ["a","b"] → "a|b". */
static char *join_list(const char *json)
{
    json_t *v = json_loads(json, 0, NULL);
    if (!json_is_array(v)) {
        json_decref(v);
        return xstrdup(json);
    }
    size_t cap = 64, len = 0, i;
    char *out = xmalloc(cap);
    out[0] = '\0';
    json_t *item;
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        if (!s)
            continue;
        size_t n = strlen(s);
        if (len + n + 2 > cap) {
            cap = (len + n + 2) * 2;
            out = xrealloc(out, cap);
        }
        if (len)
            out[len++] = '|';
        memcpy(out + len, s, n + 1);
        len += n;
    }
    json_decref(v);
    return out;
}

/* One cell as text; *owned is set when the text was allocated. */
static const char *cell_text(struct db_stmt *st, int i, const struct column *col, bool reveal,
                             const char *lang, char **owned, char *buf, size_t buflen)
{
    *owned = NULL;
    if (db_col_is_null(st, i))
        return "";
    const char *v = db_col_text(st, i);
    bool en = strcmp(lang, "en") == 0;
    if (col->open && *v) {
        char *clear = col->open(v);
        if (!clear)
            return ""; /* under no key this process has: nothing to show */
        *owned = clear;
        v = clear;
    }
    switch (col->kind) {
    case K_PHONE:
        return reveal || !*v ? v : (*owned = phone_mask(v));
    case K_ID:
        if (reveal || !*v)
            return v;
        char *m = id_mask(v);
        free(*owned);
        return (*owned = m);
    case K_EMAIL:
        return reveal || !*v ? v : (*owned = email_mask(v));
    case K_YEAR:
        return reveal || !*v ? v : (*owned = date_mask_year(v));
    case K_NAME:
        return reveal || !*v ? v : (*owned = name_mask(v));
    case K_ADDRESS:
        return reveal || !*v ? v : (*owned = address_mask(v));
    case K_LIST:
        return (*owned = join_list(v));
    case K_TIME: {
        int64_t t = db_col_int(st, i);
        clock_format_iso(t, buf, buflen);
        buf[10] = ' '; /* "2026-11-24 10:05:00" reads better in a sheet */
        buf[19] = '\0';
        return buf;
    }
    case K_MONEY: {
        long long fen = (long long)db_col_int(st, i);
        money_format(fen, buf, buflen);
        return buf;
    }
    case K_GRAMS: {
        long long g = (long long)db_col_int(st, i);
        snprintf(buf, buflen, "%s%lld.%03lld", g < 0 ? "-" : "", (g < 0 ? -g : g) / 1000,
                 (g < 0 ? -g : g) % 1000);
        return buf;
    }
    case K_GENDER:
        return strcmp(v, "male") == 0 ? (en ? "male" : "男") : (en ? "female" : "女");
    case K_BOOL:
        return strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ? (en ? "yes" : "是")
                                                             : (en ? "no" : "否");
    default:
        return v;
    }
}

/* True when e's export jobs keep the request parameter key. */
static bool takes_param(const struct entity *e, const char *key)
{
    for (const char *const *k = e->export->params; k && *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

/* The WHERE of an export's rows: the entity's own (from the request's
 * params) and, when a saved segment is named, the segment's too. 0, -1
 * with *err_field / *err_key set for a bad parameter (a segment the caller
 * may not use among them: never "no segment", which would export all), or
 * a DB_* error. The segment's own conditions go into *seg when asked. */
static int export_where(struct db *db, const struct entity *e, const struct actor *u,
                        json_t *params, struct sqlbuf *w, const char **err_field,
                        const char **err_key, json_t **seg)
{
    int rc = e->search(db, u, params, w, err_field, err_key);
    /* The rows chosen in the list, for an entity whose jobs keep them. */
    if (!rc && takes_param(e, "ids") &&
        entity_ids_where(e->alias, json_object_get(params, "ids"), w) == -1) {
        *err_field = "ids";
        *err_key = "field.not_array";
        rc = -1;
    }
    json_t *sid = json_object_get(params, "segment_id");
    if (rc || !sid || json_is_null(sid))
        return rc;
    json_t *sf = NULL;
    char *sq = NULL;
    int found = json_is_integer(sid) && json_integer_value(sid) > 0
                    ? segments_resolve(db, u, e->name, json_integer_value(sid), &sf, &sq)
                    : 0;
    if (found == 1) {
        /* The filter binds the segment's texts borrowed from sp: compiled
         * apart and appended (which copies them) before sp goes. */
        json_t *sp = json_pack("{s:s?,s:o?}", "q", sq, "filter", sf);
        struct sqlbuf sw;
        sqlbuf_init(&sw);
        rc = e->search(db, u, sp, &sw, err_field, err_key);
        sqlbuf_add(w, " AND ");
        sqlbuf_append(w, &sw);
        sqlbuf_release(&sw);
        if (seg)
            *seg = json_incref(sp);
        json_decref(sp);
    } else if (found == 0) {
        *err_field = "segment_id";
        *err_key = "field.segment_missing";
        rc = -1;
    } else {
        rc = found;
    }
    free(sq);
    return rc;
}

/* The chosen columns, or the entity's default ones, into columns / sel,
 * leaving out what the form layout hides from u (it may have changed
 * since the request was checked). */
static void select_columns(struct db *db, const struct entity *e, const struct actor *u,
                           json_t *chosen, const char *lang, struct column *columns, size_t *ncol,
                           struct sqlbuf *sel)
{
    size_t i;
    json_t *c;
    if (json_is_array(chosen) && json_array_size(chosen)) {
        json_array_foreach(chosen, i, c)
        {
            if (*ncol == MAX_COLUMNS)
                break;
            const char *key = json_string_value(c);
            if (key && form_layout_visible(db, e, u, key) == 1 &&
                add_column(db, e, key, lang, sel, &columns[*ncol]) == 0)
                (*ncol)++;
        }
        return;
    }
    for (const char *const *k = e->export->default_columns; k && *k && *ncol < MAX_COLUMNS; k++)
        if (form_layout_visible(db, e, u, *k) == 1 &&
            add_column(db, e, *k, lang, sel, &columns[*ncol]) == 0)
            (*ncol)++;
}

/* An export's columns and query (sel: the whole SELECT with the paging key
 * after the columns, count: its COUNT). NULL, or the failure's message key. */
static const char *export_query(struct job *job, const struct entity *e, const struct actor *u,
                                const char *lang, struct column *columns, size_t *ncol,
                                struct sqlbuf *sel, struct sqlbuf *count)
{
    const struct entity_export *x = e->export;
    sqlbuf_addf(sel, "SELECT %s.id", e->alias);
    select_columns(job->db, e, u, json_object_get(job->params, "columns"), lang, columns, ncol,
                   sel);
    if (x->page_key)
        sqlbuf_addf(sel, ", %s", x->page_key);
    struct sqlbuf w;
    const char *field = NULL, *key = NULL;
    sqlbuf_init(&w);
    int rc = export_where(job->db, e, u, job->params, &w, &field, &key, NULL);
    if (rc) {
        sqlbuf_release(&w);
        return rc == -1 ? key : "internal";
    }
    sqlbuf_addf(count, "SELECT COUNT(*) FROM %s WHERE ", x->count_from ? x->count_from : x->from);
    sqlbuf_append(count, &w);
    sqlbuf_addf(sel, " FROM %s WHERE ", x->from);
    sqlbuf_append(sel, &w);
    sqlbuf_release(&w);
    return NULL;
}

/* Keyset paging of an export (after the first page: last_id and last_key
 * are the last row's): by id, or newest first by the entity's page key
 * and id. Pages keep memory flat on every backend (PostgreSQL fetches a
 * statement's rows whole) and no read transaction open for long. */
static void page_query(const struct entity *e, const struct sqlbuf *sel, bool first,
                       int64_t last_id, int64_t last_key, int64_t page_rows, struct sqlbuf *page)
{
    const char *k = e->export->page_key, *a = e->alias;
    sqlbuf_append(page, sel);
    if (!first && k) {
        char id[40];
        snprintf(id, sizeof(id), "%s.id", a);
        json_t *after = json_pack("[I,I]", (json_int_t)last_key, (json_int_t)last_id);
        listing_cursor_after(page, k, id, true, after);
        json_decref(after);
    } else if (!first) {
        sqlbuf_addf(page, " AND %s.id > ?", a);
        sqlbuf_bind(page, DB_INT(last_id));
    }
    if (k)
        sqlbuf_addf(page, " ORDER BY %s DESC, %s.id DESC LIMIT ?", k, a);
    else
        sqlbuf_addf(page, " ORDER BY %s.id LIMIT ?", a);
    sqlbuf_bind(page, DB_INT(page_rows));
}

/* One export's writing: the columns, the header and every row. */
struct writing {
    struct job *job;
    const struct entity *e;
    struct tabular_writer *out;
    struct column columns[MAX_COLUMNS];
    size_t ncol;
    bool reveal;
    const char *lang;
    int64_t rows, total, last_id, last_key, page_rows;
};

/* Write the rows of one page. 1: the page was full (read on), 0: the last
 * page, 2: the job is shutting down (it runs again later), <0 an error. */
static int write_page(struct writing *wr, struct db_stmt *st)
{
    const char *cells[MAX_COLUMNS];
    char *owned[MAX_COLUMNS];
    char bufs[MAX_COLUMNS][32];
    int64_t in_page = 0;
    int rc;
    while ((rc = db_step(st)) == 1) {
        in_page++;
        wr->last_id = db_col_int(st, 0);
        if (wr->e->export->page_key)
            wr->last_key = db_col_int(st, (int)wr->ncol + 1);
        for (size_t k = 0; k < wr->ncol; k++)
            cells[k] = cell_text(st, (int)k + 1, &wr->columns[k], wr->reveal, wr->lang, &owned[k],
                                 bufs[k], sizeof(bufs[k]));
        rc = tabular_write_row(wr->out, cells, wr->ncol);
        for (size_t k = 0; k < wr->ncol; k++)
            free(owned[k]);
        if (rc)
            return DB_ERROR;
        if (++wr->rows % 2000 == 0 && !job_progress(wr->job, wr->rows, wr->total))
            return 2;
    }
    return rc < 0 ? rc : in_page == wr->page_rows ? 1 : 0;
}

/* Write the header and every page. NULL, or the failure's message key;
 * *stopped when the job must stop (shutting down). */
static const char *write_rows(struct writing *wr, const struct sqlbuf *sel, bool *stopped)
{
    const char *cells[MAX_COLUMNS];
    double widths[MAX_COLUMNS];
    bool numeric[MAX_COLUMNS];
    for (size_t k = 0; k < wr->ncol; k++) {
        cells[k] = wr->columns[k].label;
        widths[k] = wr->columns[k].kind == K_ID ? 22 : wr->columns[k].kind == K_TIME ? 20 : 14;
        /* Amounts are numbers (a refund's -50.00 too), not text to neutralise. */
        numeric[k] = wr->columns[k].kind == K_MONEY || wr->columns[k].number;
    }
    tabular_writer_set_widths(wr->out, widths, wr->ncol);
    tabular_writer_set_numeric(wr->out, numeric, wr->ncol);
    tabular_write_row(wr->out, cells, wr->ncol);
    int more = 1;
    while (more == 1) {
        struct sqlbuf page;
        sqlbuf_init(&page);
        page_query(wr->e, sel, wr->rows == 0, wr->last_id, wr->last_key, wr->page_rows, &page);
        struct db_stmt *st = db_query(wr->job->db, page.sql, page.args, page.nargs);
        sqlbuf_release(&page);
        if (!st)
            return "internal";
        more = write_page(wr, st);
        db_finish(st);
        if (more < 0)
            return "internal";
    }
    *stopped = more == 2;
    return NULL;
}

int export_run(struct job *job)
{
    struct actor u;
    if (session_load_user(job->db, job->user_id, &u) != 1)
        return job_fail(job, "forbidden");
    json_t *p = job->params;
    const struct entity *e = entity_find(json_string_value(json_object_get(p, "entity")));
    if (!e || !e->export || !e->search)
        return job_fail(job, "field.invalid");
    const char *lang = json_string_value(json_object_get(p, "lang"));
    const char *format = json_string_value(json_object_get(p, "format"));
    bool xlsx = format && strcmp(format, "xlsx") == 0;
    lang = lang ? lang : "zh-CN";
    bool en = strcmp(lang, "en") == 0;
    struct writing wr = {.job = job, .e = e, .lang = lang, .page_rows = export_page()};
    wr.reveal = (u.perms & e->perm_reveal) == e->perm_reveal;
    struct sqlbuf sel, count;
    sqlbuf_init(&sel);
    sqlbuf_init(&count);
    char *path = NULL;
    bool stopped = true;
    const char *fail = export_query(job, e, &u, lang, wr.columns, &wr.ncol, &sel, &count);
    if (!fail && db_query_int(job->db, count.sql, count.args, count.nargs, &wr.total) < 0)
        fail = "internal";
    if (fail)
        goto out;
    char name[64], err[256];
    snprintf(name, sizeof(name), "export-%lld.%s", (long long)job->id, xlsx ? "xlsx" : "csv");
    path = files_path(name);
    wr.out = tabular_writer_open(path, xlsx ? TABULAR_XLSX : TABULAR_CSV,
                                 en ? e->export->sheet_en : e->export->sheet, err, sizeof(err));
    if (!wr.out) {
        log_error("export %lld: %s", (long long)job->id, err);
        fail = "internal";
        goto out;
    }
    fail = write_rows(&wr, &sel, &stopped);
    if (fail || stopped)
        goto out;
    int rc = tabular_writer_close(wr.out);
    wr.out = NULL;
    if (rc) {
        fail = "internal";
        goto out;
    }
    job_progress(job, wr.rows, wr.total);
    char stamp[32], file_name[96];
    clock_format_iso(clock_now(), stamp, sizeof(stamp));
    snprintf(file_name, sizeof(file_name), "%s-%.4s%.2s%.2s-%.2s%.2s.%s",
             en ? e->export->file_en : e->export->file, stamp, stamp + 5, stamp + 8, stamp + 11,
             stamp + 14, xlsx ? "xlsx" : "csv");
    job->result = json_pack("{s:s,s:s,s:I,s:b}", "file", path, "file_name", file_name, "rows",
                            (json_int_t)wr.rows, "masked", !wr.reveal);
out:
    if (wr.out)
        tabular_writer_close(wr.out);
    if (fail && path)
        unlink(path);
    free(path);
    sqlbuf_release(&sel);
    sqlbuf_release(&count);
    return fail ? job_fail(job, fail) : 0;
}

/* ---- HTTP ---- */

static json_t *export_json(struct db *db, int64_t id, const char *lang)
{
    json_t *job = jobs_get_json(db, id, lang);
    if (!job)
        return NULL;
    json_t *result = json_object_get(job, "result");
    json_t *o = json_pack(
        "{s:I,s:O,s:O,s:O,s:O,s:O}", "id", (json_int_t)id, "status", json_object_get(job, "status"),
        "processed", json_object_get(job, "processed"), "total", json_object_get(job, "total"),
        "error", json_object_get(job, "error"), "created_at", json_object_get(job, "created_at"));
    json_t *format = json_object_get(json_object_get(job, "params"), "format");
    json_object_set(o, "format", format ? format : json_null());
    json_t *entity = json_object_get(json_object_get(job, "params"), "entity");
    const struct entity *dflt = entity_default();
    json_object_set_new(o, "entity",
                        entity ? json_incref(entity) : json_string(dflt ? dflt->name : ""));
    if (json_is_object(result)) {
        json_object_set(o, "file_name", json_object_get(result, "file_name"));
        json_object_set(o, "rows", json_object_get(result, "rows"));
        json_object_set(o, "masked", json_object_get(result, "masked"));
        char url[64];
        snprintf(url, sizeof(url), "/api/v1/exports/%lld/download", (long long)id);
        json_object_set_new(o, "download_url", json_string(url));
    }
    json_decref(job);
    return o;
}

/* Every requested column exists and the caller's form layout shows it:
 * each is added to a scratch SELECT. */
static bool columns_known(struct req *r, const struct entity *e, json_t *columns)
{
    struct sqlbuf probe;
    sqlbuf_init(&probe);
    bool ok = true;
    size_t i;
    json_t *c;
    json_array_foreach(columns, i, c)
    {
        struct column col;
        const char *key = json_string_value(c);
        if (!key || form_layout_visible(r->db, e, r->actor, key) != 1 ||
            add_column(r->db, e, key, r->lang, &probe, &col) != 0) {
            ok = false;
            break;
        }
    }
    sqlbuf_release(&probe);
    return ok;
}

/* Check the columns of a request: required (a non-empty list) or optional
 * (absent, null or a list: the entity's default columns). */
static void check_columns(struct req *r, const struct entity *e, json_t *errors)
{
    json_t *columns = json_object_get(r->json, "columns");
    const char *bad = NULL;
    if (e->export->columns_required && (!json_is_array(columns) || !json_array_size(columns)))
        bad = "field.required";
    else if (!columns || json_is_null(columns))
        return;
    else if (!json_is_array(columns))
        bad = "field.not_array";
    if (!bad && json_array_size(columns) > MAX_COLUMNS)
        bad = e->export->columns_required ? "field.required" : "field.not_array";
    if (!bad && !columns_known(r, e, columns))
        bad = "field.unknown_field";
    if (bad)
        json_object_set_new(errors, "columns", json_string(req_msg(r, bad)));
}

/* Check the request's filters and segment now, not later in the
 * background: errors into errors, the number of records they find into
 * *count and the segment's conditions into *seg (for the audit entry). */
static void check_filters(struct req *r, const struct entity *e, json_t *errors, int64_t *count,
                          json_t **seg)
{
    struct sqlbuf w, b;
    const char *field = NULL, *key = NULL;
    sqlbuf_init(&w);
    sqlbuf_init(&b);
    int rc = export_where(r->db, e, r->actor, r->json, &w, &field, &key, seg);
    if (rc == -1) {
        json_object_set_new(errors, field, json_string(req_msg(r, key)));
    } else if (!rc) {
        const char *from = e->export->count_from ? e->export->count_from : e->export->from;
        sqlbuf_addf(&b, "SELECT COUNT(*) FROM %s WHERE ", from);
        sqlbuf_append(&b, &w);
        db_query_int(r->db, b.sql, b.args, b.nargs, count);
    }
    sqlbuf_release(&w);
    sqlbuf_release(&b);
}

/* The job's parameters and the audit entry's detail of a checked request:
 * the entity's own parameters as given, a saved segment, the columns. */
static void job_params(struct req *r, const struct entity *e, const char *entity, int64_t count,
                       json_t *seg, json_t **params, json_t **detail)
{
    json_t *in = r->json, *columns = json_object_get(in, "columns");
    *params = json_pack("{s:s,s:O,s:s}", "entity", entity, "format", json_object_get(in, "format"),
                        "lang", r->lang);
    *detail = json_pack("{s:s,s:O,s:I,s:O}", "entity", entity, "format",
                        json_object_get(in, "format"), "count", (json_int_t)count, "columns",
                        json_is_array(columns) ? columns : json_null());
    if (json_is_array(columns))
        json_object_set(*params, "columns", columns);
    json_t *filters = json_object();
    for (const char *const *k = e->export->params; k && *k; k++) {
        json_t *v = json_object_get(in, *k);
        if (v && !json_is_null(v)) {
            json_object_set(*params, *k, v);
            json_object_set(filters, *k, v);
        }
        /* the filter language and the quick search, as the audit log shows them */
        if (strcmp(*k, "filter") == 0 || strcmp(*k, "q") == 0)
            json_object_set(*detail, *k, v ? v : json_null());
    }
    json_object_set_new(*detail, "filters", filters);
    if (e->protect) {
        e->protect(*params);
        e->protect(*detail);
        e->protect(filters);
    }
    json_t *segment = json_object_get(in, "segment_id");
    if (json_is_integer(segment)) {
        json_object_set(*params, "segment_id", segment);
        json_object_set(*detail, "segment_id", segment);
        json_object_set(*detail, "segment", seg); /* its q and filter, as they were */
    }
}

static export_guard_fn guard;

void export_set_guard(export_guard_fn fn)
{
    guard = fn;
}

int export_enqueue(struct db *db, int64_t user_id, const char *login, json_t *params,
                   json_t *detail, int64_t *id)
{
    int rc = jobs_enqueue(db, "export", user_id, params, NULL, id);
    if (rc) {
        json_decref(detail);
        return rc;
    }
    return audit_write_as(db, user_id, login, NULL, NULL, "export.create", "export", *id, detail);
}

static void create(struct req *r)
{
    json_t *in = r->json, *errors = json_object();
    const char *entity = json_string_value(json_object_get(in, "entity"));
    const char *format = json_string_value(json_object_get(in, "format"));
    const struct entity *e = entity ? entity_find(entity) : entity_default();
    if (!e || !e->export || !e->search || !entity_readable(e, r->actor))
        json_object_set_new(errors, "entity", json_string(req_msg(r, "field.invalid")));
    if (!format || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0))
        json_object_set_new(errors, "format", json_string(req_msg(r, "field.invalid")));
    int64_t count = 0;
    json_t *seg = NULL;
    if (!json_object_get(errors, "entity")) {
        check_columns(r, e, errors);
        check_filters(r, e, errors, &count, &seg);
    }
    if (json_object_size(errors)) {
        json_decref(seg);
        reply_invalid(r, errors);
        return;
    }
    json_decref(errors);
    json_t *params, *detail;
    job_params(r, e, entity ? entity : e->name, count, seg, &params, &detail);
    json_decref(seg);
    int64_t id = 0;
    int rc =
        guard ? guard(r->db, r->actor, entity ? entity : e->name, count, params, detail, &id) : 0;
    if (rc) {
        json_decref(params);
        json_decref(detail);
        if (rc < 0)
            reply_db_error(r, rc);
        else if (!id) /* guarded, and nobody may approve it */
            reply_error_key(r, 409, "conflict", "approval.no_approver");
        else /* waits for approval (the approvals module answers the same) */
            reply_json(r, 202,
                       json_pack("{s:I,s:s,s:s}", "approval_id", (json_int_t)id, "status",
                                 "pending", "message", req_msg(r, "approval.submitted")));
        return;
    }
    rc = db_begin(r->db);
    if (!rc)
        rc = jobs_enqueue(r->db, "export", r->actor->id, params, NULL, &id);
    if (!rc)
        rc = audit_write(r->db, r, NULL, "export.create", "export", id, detail);
    else
        json_decref(detail);
    if (!rc)
        rc = db_commit(r->db);
    json_decref(params);
    if (rc) {
        db_rollback(r->db);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 202, json_pack("{s:o}", "export", export_json(r->db, id, r->lang)));
}

/* The id of an export job of the caller (admins: anyone's), or 404. */
static int64_t own_export(struct req *r)
{
    int64_t id = req_param_id(r, 0), owner = 0;
    json_t *job = id > 0 ? jobs_get_json(r->db, id, NULL) : NULL;
    const char *kind = json_string_value(json_object_get(job, "kind"));
    bool ok = kind && strcmp(kind, "export") == 0 && jobs_user_id(r->db, id, &owner) == 1 &&
              (owner == r->actor->id || (r->actor->perms & PERM_ADMIN));
    json_decref(job);
    if (!ok) {
        reply_error(r, 404, "not_found");
        return -1;
    }
    return id;
}

static void get(struct req *r)
{
    int64_t id = own_export(r);
    if (id > 0)
        reply_json(r, 200, json_pack("{s:o}", "export", export_json(r->db, id, r->lang)));
}

static void download(struct req *r)
{
    int64_t id = own_export(r);
    if (id < 0)
        return;
    json_t *job = jobs_get_json(r->db, id, NULL);
    json_t *result = json_object_get(job, "result");
    const char *file = json_string_value(json_object_get(result, "file"));
    const char *name = json_string_value(json_object_get(result, "file_name"));
    if (!file) {
        json_decref(job);
        reply_error(r, 404, "not_found");
        return;
    }
    bool xlsx = strlen(file) > 5 && strcmp(file + strlen(file) - 5, ".xlsx") == 0;
    audit_write(r->db, r, NULL, "export.download", "export", id, NULL);
    reply_file(r, file,
               xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    : "text/csv; charset=utf-8",
               name);
    json_decref(job);
}

/* The route table exports_routes[], made from export.routes. */
#include "record/export.routes.h"
