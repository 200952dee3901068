/*
 * export.c - see export.h. The query is built once from the chosen columns
 * (whitelisted expressions; custom keys bound) and the same WHERE as the
 * list (scope + quick search + filter), then read row by row straight into
 * the writer: no row is held after it is written.
 */
#include "crm/export.h"

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
#include "core/tabular.h"
#include "crm/customer.h"
#include "record/entity.h"
#include "record/fields.h"
#include "crm/interaction.h"
#include "crm/segments.h"
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
    XCELL_TEXT,
    XCELL_PHONE,
    XCELL_ID,
    XCELL_LIST,
    XCELL_TIME,
    XCELL_GENDER,
    XCELL_BOOL,
    XCELL_MONEY
};

struct column {
    const char *key;
    char label[128];
    enum cell_kind kind;
};

/* Resolve one requested column: its SELECT expression (appended to sel,
 * binding a custom key if any), header label and cell kind. */
static int add_column(struct db *db, const char *key, const char *lang, struct sqlbuf *sel,
                      struct column *col)
{
    bool en = strcmp(lang, "en") == 0;
    col->key = key;
    col->kind = XCELL_TEXT;
    if (strncmp(key, "custom.", 7) == 0) {
        struct custom_field f;
        int rc = fields_lookup(db, "customer", key + 7, &f);
        if (rc != 1)
            return rc < 0 ? rc : -1;
        snprintf(col->label, sizeof(col->label), "%s", f.label);
        col->kind = f.type == FT_MULTISELECT ? XCELL_LIST
                    : f.type == FT_BOOLEAN   ? XCELL_BOOL
                                             : XCELL_TEXT;
        sqlbuf_add(sel, ", ");
        sqlbuf_addf(sel, dialect_json_get_text(), "c.custom");
        sqlbuf_bind(sel, DB_TEXT(key + 7));
        custom_field_clear(&f);
        return 0;
    }
    const struct entity_field *f = entity_field(&entity_customer, key);
    if (!f || !(f->flags & EF_EXPORT))
        return -1;
    snprintf(col->label, sizeof(col->label), "%s", en ? f->label_en : f->label);
    if (strcmp(key, "tags") == 0) {
        char *agg = xasprintf(dialect_group_concat(), "t.name");
        sqlbuf_addf(sel,
                    ", (SELECT %s FROM object_tags ot JOIN tags t ON t.id = ot.tag_id "
                    "WHERE ot.entity = 'customer' AND ot.object_id = c.id)",
                    agg);
        free(agg);
        return 0;
    }
    if (strcmp(key, "owner_id") == 0) {
        sqlbuf_add(sel, ", o.name");
        return 0;
    }
    if (strcmp(key, "branch_id") == 0) {
        sqlbuf_add(sel, ", b.name");
        return 0;
    }
    col->kind = f->mask == MASK_PHONE        ? XCELL_PHONE
                : f->mask == MASK_ID         ? XCELL_ID
                : f->type == FT_ARRAY        ? XCELL_LIST
                : f->type == FT_TIME         ? XCELL_TIME
                : strcmp(key, "gender") == 0 ? XCELL_GENDER
                                             : XCELL_TEXT;
    sqlbuf_addf(sel, ", %s", f->expr);
    return 0;
}

/* The columns of a business-record export, in their default order. */
static const struct {
    const char *key, *expr, *expr_en, *label, *label_en;
    enum cell_kind kind;
} interaction_columns[] = {
    {"occurred_at", "i.occurred_at", NULL, "办理时间", "Date and time", XCELL_TIME},
    {"customer_no", "c.customer_no", NULL, "客户编号", "Customer no.", XCELL_TEXT},
    {"customer_name", "c.name", NULL, "客户姓名", "Customer", XCELL_TEXT},
    {"customer_phone", "c.phone", NULL, "手机号", "Mobile", XCELL_PHONE},
    {"type", "COALESCE(bt.label, i.type)", "COALESCE(NULLIF(bt.label_en, ''), bt.label, i.type)",
     "业务类型", "Business type", XCELL_TEXT},
    {"description", "i.description", NULL, "业务描述", "Description", XCELL_TEXT},
    {"tracking_no", "i.tracking_no", NULL, "邮件号", "Tracking no.", XCELL_TEXT},
    {"destination", "i.destination", NULL, "目的地", "Destination", XCELL_TEXT},
    {"amount", "i.amount_fen", NULL, "金额（元）", "Amount (yuan)", XCELL_MONEY},
    {"channel", "COALESCE(ch.label, i.channel)",
     "COALESCE(NULLIF(ch.label_en, ''), ch.label, i.channel)", "办理渠道", "Channel", XCELL_TEXT},
    {"handled_by", "u.name", NULL, "经办人", "Handled by", XCELL_TEXT},
    {"branch", "hb.name", NULL, "办理网点", "Branch", XCELL_TEXT},
};
#define N_INTERACTION_COLUMNS (sizeof(interaction_columns) / sizeof(interaction_columns[0]))
#define INTERACTION_EXPORT_FROM                                                                    \
    INTERACTION_FROM " LEFT JOIN dictionary_items bt ON bt.dict_code = 'business_type' AND "       \
                     "bt.value = i.type LEFT JOIN dictionary_items ch ON ch.dict_code = "          \
                     "'channel' AND ch.value = i.channel LEFT JOIN branches hb ON hb.id = "        \
                     "i.branch_id"

/* Like add_column, for a business-record column. */
static int add_interaction_column(const char *key, const char *lang, struct sqlbuf *sel,
                                  struct column *col)
{
    bool en = strcmp(lang, "en") == 0;
    for (size_t i = 0; key && i < N_INTERACTION_COLUMNS; i++) {
        if (strcmp(interaction_columns[i].key, key) != 0)
            continue;
        col->key = interaction_columns[i].key;
        col->kind = interaction_columns[i].kind;
        snprintf(col->label, sizeof(col->label), "%s",
                 en ? interaction_columns[i].label_en : interaction_columns[i].label);
        sqlbuf_addf(sel, ", %s",
                    en && interaction_columns[i].expr_en ? interaction_columns[i].expr_en
                                                         : interaction_columns[i].expr);
        return 0;
    }
    return -1;
}

static bool is_interaction_entity(const char *entity)
{
    return entity && (strcmp(entity, "interactions") == 0 || strcmp(entity, "interaction") == 0);
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
    switch (col->kind) {
    case XCELL_PHONE:
        return reveal || !*v ? v : (*owned = phone_mask(v));
    case XCELL_ID:
        return reveal || !*v ? v : (*owned = id_mask(v));
    case XCELL_LIST:
        return (*owned = join_list(v));
    case XCELL_TIME: {
        int64_t t = db_col_int(st, i);
        clock_format_iso(t, buf, buflen);
        buf[10] = ' '; /* "2026-11-24 10:05:00" reads better in a sheet */
        buf[19] = '\0';
        return buf;
    }
    case XCELL_MONEY: {
        long long fen = (long long)db_col_int(st, i);
        money_format(fen, buf, buflen);
        return buf;
    }
    case XCELL_GENDER:
        return strcmp(v, "male") == 0 ? (en ? "male" : "男") : (en ? "female" : "女");
    case XCELL_BOOL:
        return strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ? (en ? "yes" : "是")
                                                             : (en ? "no" : "否");
    default:
        return v;
    }
}

/* The customer export's columns and query (sel: the whole SELECT, count:
 * its COUNT). NULL, or the failure's message key. */
static const char *customer_query(struct job *job, const struct actor *u, const char *lang,
                                  struct column *columns, size_t *ncol, struct sqlbuf *sel,
                                  struct sqlbuf *count)
{
    json_t *p = job->params;
    const char *q = json_string_value(json_object_get(p, "q"));
    json_t *filter = json_object_get(p, "filter");
    json_t *cols = json_object_get(p, "columns");
    int64_t segment = json_integer_value(json_object_get(p, "segment_id"));
    struct sqlbuf w;
    struct filter_error ferr;
    sqlbuf_init(&w);
    sqlbuf_add(sel, "SELECT c.id");
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c)
    {
        if (*ncol == MAX_COLUMNS)
            break;
        if (add_column(job->db, json_string_value(c), lang, sel, &columns[*ncol]) == 0)
            (*ncol)++;
    }
    int rc =
        customer_where(job->db, u, q, json_is_object(filter) ? filter : NULL, false, &w, &ferr);
    if (!rc && segment > 0) {
        json_t *sf = NULL;
        char *sq = NULL;
        if (segments_resolve(job->db, u, segment, &sf, &sq) == 1) {
            sqlbuf_add(&w, " AND ");
            rc = customer_where(job->db, u, sq, sf, false, &w, &ferr);
        }
        json_decref(sf);
        free(sq);
    }
    if (rc) {
        sqlbuf_release(&w);
        return rc == -1 ? ferr.key : "internal";
    }
    sqlbuf_add(count, "SELECT COUNT(*) FROM customers c WHERE ");
    sqlbuf_append(count, &w);
    sqlbuf_add(sel, " FROM " CUSTOMER_FROM " WHERE ");
    sqlbuf_append(sel, &w);
    sqlbuf_release(&w);
    return NULL;
}

/* The same for business records: the list's filters, newest first. */
static const char *interaction_query(struct job *job, const struct actor *u, const char *lang,
                                     struct column *columns, size_t *ncol, struct sqlbuf *sel,
                                     struct sqlbuf *count)
{
    json_t *p = job->params;
    json_t *cols = json_object_get(p, "columns");
    struct interaction_query iq;
    const char *bad;
    if (interaction_query_parse(job->db, p, &iq, &bad))
        return interaction_query_error(bad);
    sqlbuf_add(sel, "SELECT i.id");
    if (json_is_array(cols) && json_array_size(cols)) {
        size_t i;
        json_t *c;
        json_array_foreach(cols, i, c)
        {
            if (*ncol == MAX_COLUMNS)
                break;
            if (add_interaction_column(json_string_value(c), lang, sel, &columns[*ncol]) == 0)
                (*ncol)++;
        }
    } else {
        for (size_t i = 0; i < N_INTERACTION_COLUMNS; i++)
            if (add_interaction_column(interaction_columns[i].key, lang, sel, &columns[*ncol]) == 0)
                (*ncol)++;
    }
    struct sqlbuf w;
    sqlbuf_init(&w);
    interaction_where(u, &iq, &w);
    sqlbuf_add(count, "SELECT COUNT(*) FROM " INTERACTION_FROM " WHERE ");
    sqlbuf_append(count, &w);
    /* The paging key, after the columns. */
    sqlbuf_add(sel, ", i.occurred_at FROM " INTERACTION_EXPORT_FROM " WHERE ");
    sqlbuf_append(sel, &w);
    sqlbuf_release(&w);
    return NULL;
}

int export_run(struct job *job)
{
    struct actor u;
    if (session_load_user(job->db, job->user_id, &u) != 1)
        return job_fail(job, "forbidden");
    json_t *p = job->params;
    const char *lang = json_string_value(json_object_get(p, "lang"));
    const char *format = json_string_value(json_object_get(p, "format"));
    bool records = is_interaction_entity(json_string_value(json_object_get(p, "entity")));
    bool xlsx = format && strcmp(format, "xlsx") == 0;
    bool reveal = (u.perms & PERM_REVEAL) != 0;
    if (!lang)
        lang = "zh-CN";
    bool en = strcmp(lang, "en") == 0;

    struct column columns[MAX_COLUMNS];
    size_t ncol = 0;
    struct sqlbuf sel, count;
    sqlbuf_init(&sel);
    sqlbuf_init(&count);
    struct tabular_writer *out = NULL;
    char *path = NULL;
    int rc = 0;

    const char *fail = records ? interaction_query(job, &u, lang, columns, &ncol, &sel, &count)
                               : customer_query(job, &u, lang, columns, &ncol, &sel, &count);
    if (fail)
        goto out;
    int64_t total = 0;
    if (db_query_int(job->db, count.sql, count.args, count.nargs, &total) < 0) {
        fail = "internal";
        goto out;
    }

    char name[64], err[256];
    snprintf(name, sizeof(name), "export-%lld.%s", (long long)job->id, xlsx ? "xlsx" : "csv");
    path = files_path(name);
    out = tabular_writer_open(path, xlsx ? TABULAR_XLSX : TABULAR_CSV,
                              records ? (en ? "Business records" : "业务记录")
                                      : (en ? "Customers" : "客户"),
                              err, sizeof(err));
    if (!out) {
        log_error("export %lld: %s", (long long)job->id, err);
        fail = "internal";
        goto out;
    }
    const char *cells[MAX_COLUMNS];
    char *owned[MAX_COLUMNS];
    char bufs[MAX_COLUMNS][32];
    double widths[MAX_COLUMNS];
    for (size_t k = 0; k < ncol; k++) {
        cells[k] = columns[k].label;
        widths[k] = columns[k].kind == XCELL_ID ? 22 : columns[k].kind == XCELL_TIME ? 20 : 14;
    }
    tabular_writer_set_widths(out, widths, ncol);
    tabular_write_row(out, cells, ncol);

    /* Read in pages by key (customers by id; records newest first by time
     * and id) so that memory stays flat on every backend (PostgreSQL
     * fetches a statement's rows whole) and no read transaction stays open
     * for the length of a large export. */
    int64_t rows = 0, last_id = 0, last_at = 0, page_rows = export_page();
    bool more = true;
    while (more) {
        struct sqlbuf page;
        sqlbuf_init(&page);
        sqlbuf_append(&page, &sel);
        if (rows > 0 && records) {
            sqlbuf_add(&page, " AND (i.occurred_at < ? OR (i.occurred_at = ? AND i.id < ?))");
            sqlbuf_bind(&page, DB_INT(last_at));
            sqlbuf_bind(&page, DB_INT(last_at));
            sqlbuf_bind(&page, DB_INT(last_id));
        } else if (rows > 0) {
            sqlbuf_add(&page, " AND c.id > ?");
            sqlbuf_bind(&page, DB_INT(last_id));
        }
        sqlbuf_add(&page, records ? " ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?"
                                  : " ORDER BY c.id LIMIT ?");
        sqlbuf_bind(&page, DB_INT(page_rows));
        struct db_stmt *st = db_query(job->db, page.sql, page.args, page.nargs);
        sqlbuf_release(&page);
        if (!st) {
            fail = "internal";
            goto out;
        }
        int64_t in_page = 0;
        while ((rc = db_step(st)) == 1) {
            in_page++;
            last_id = db_col_int(st, 0);
            if (records)
                last_at = db_col_int(st, (int)ncol + 1);
            for (size_t k = 0; k < ncol; k++)
                cells[k] = cell_text(st, (int)k + 1, &columns[k], reveal, lang, &owned[k], bufs[k],
                                     sizeof(bufs[k]));
            rc = tabular_write_row(out, cells, ncol);
            for (size_t k = 0; k < ncol; k++)
                free(owned[k]);
            if (rc)
                break;
            if (++rows % 2000 == 0 && !job_progress(job, rows, total)) {
                db_finish(st);
                rc = 0;
                goto out; /* shutting down: the job runs again later */
            }
        }
        db_finish(st);
        if (rc < 0) {
            fail = "internal";
            goto out;
        }
        more = in_page == page_rows;
    }
    rc = tabular_writer_close(out);
    out = NULL;
    if (rc) {
        fail = "internal";
        goto out;
    }
    job_progress(job, rows, total);
    char stamp[32], file_name[96];
    clock_format_iso(clock_now(), stamp, sizeof(stamp));
    snprintf(file_name, sizeof(file_name), "%s-%.4s%.2s%.2s-%.2s%.2s.%s",
             records ? (en ? "business-records" : "业务记录导出") : (en ? "customers" : "客户导出"),
             stamp, stamp + 5, stamp + 8, stamp + 11, stamp + 14, xlsx ? "xlsx" : "csv");
    job->result = json_pack("{s:s,s:s,s:I,s:b}", "file", path, "file_name", file_name, "rows",
                            (json_int_t)rows, "masked", !reveal);
out:
    if (out)
        tabular_writer_close(out);
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
    json_object_set_new(o, "entity", json_string(entity ? json_string_value(entity) : "customer"));
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

/* Every requested column exists: each is added to a scratch SELECT. */
static bool columns_known(struct req *r, json_t *columns, bool records)
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
        if (!key || (records ? add_interaction_column(key, r->lang, &probe, &col)
                             : add_column(r->db, key, r->lang, &probe, &col)) != 0) {
            ok = false;
            break;
        }
    }
    sqlbuf_release(&probe);
    return ok;
}

/* Check a customer export request: errors into errors, the number of
 * customers it finds into *count (for the audit entry). */
static void check_customers(struct req *r, json_t *errors, int64_t *count)
{
    json_t *in = r->json;
    json_t *columns = json_object_get(in, "columns");
    json_t *filter = json_object_get(in, "filter");
    json_t *q = json_object_get(in, "q");
    json_t *segment = json_object_get(in, "segment_id");
    if (!json_is_array(columns) || json_array_size(columns) == 0 ||
        json_array_size(columns) > MAX_COLUMNS) {
        json_object_set_new(errors, "columns", json_string(req_msg(r, "field.required")));
    } else if (!columns_known(r, columns, false)) {
        json_object_set_new(errors, "columns", json_string(req_msg(r, "field.unknown_field")));
    }
    /* The filter must compile now, not fail later in the background. */
    struct sqlbuf w, b;
    struct filter_error ferr;
    sqlbuf_init(&w);
    sqlbuf_init(&b);
    if (customer_where(r->db, r->actor, json_string_value(q),
                       json_is_object(filter) ? filter : NULL, false, &w, &ferr) == -1) {
        json_object_set_new(errors, "filter", json_string(req_msg(r, ferr.key)));
    } else if (!json_is_integer(segment)) {
        sqlbuf_add(&b, "SELECT COUNT(*) FROM customers c WHERE ");
        sqlbuf_append(&b, &w);
        db_query_int(r->db, b.sql, b.args, b.nargs, count);
    }
    sqlbuf_release(&w);
    sqlbuf_release(&b);
}

/* The same for business records: optional columns, the list's filters. */
static void check_interactions(struct req *r, json_t *errors, int64_t *count)
{
    json_t *columns = json_object_get(r->json, "columns");
    if (columns && !json_is_null(columns)) {
        if (!json_is_array(columns) || json_array_size(columns) > MAX_COLUMNS) {
            json_object_set_new(errors, "columns", json_string(req_msg(r, "field.not_array")));
        } else if (!columns_known(r, columns, true)) {
            json_object_set_new(errors, "columns", json_string(req_msg(r, "field.unknown_field")));
        }
    }
    struct interaction_query iq;
    const char *bad;
    if (interaction_query_parse(r->db, r->json, &iq, &bad)) {
        json_object_set_new(errors, bad, json_string(req_msg(r, interaction_query_error(bad))));
        return;
    }
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT COUNT(*) FROM " INTERACTION_FROM " WHERE ");
    interaction_where(r->actor, &iq, &b);
    db_query_int(r->db, b.sql, b.args, b.nargs, count);
    sqlbuf_release(&b);
}

static void create(struct req *r)
{
    static const char *const record_filters[] = {"type",      "from",        "to", "handled_by",
                                                 "branch_id", "customer_id", NULL};
    json_t *in = r->json, *errors = json_object();
    const char *entity = json_string_value(json_object_get(in, "entity"));
    const char *format = json_string_value(json_object_get(in, "format"));
    bool records = is_interaction_entity(entity);
    if (entity && !records && strcmp(entity, "customer") != 0)
        json_object_set_new(errors, "entity", json_string(req_msg(r, "field.invalid")));
    if (!format || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0))
        json_object_set_new(errors, "format", json_string(req_msg(r, "field.invalid")));
    int64_t count = 0;
    if (records)
        check_interactions(r, errors, &count);
    else if (!json_object_get(errors, "entity"))
        check_customers(r, errors, &count);
    if (json_object_size(errors)) {
        reply_invalid(r, errors);
        return;
    }
    json_decref(errors);

    json_t *columns = json_object_get(in, "columns");
    json_t *params = json_pack("{s:s,s:s,s:s}", "entity", records ? "interactions" : "customer",
                               "format", format, "lang", r->lang);
    if (json_is_array(columns))
        json_object_set(params, "columns", columns);
    json_t *detail =
        json_pack("{s:O,s:O,s:I}", "entity", json_object_get(params, "entity"), "format",
                  json_object_get(params, "format"), "count", (json_int_t)count);
    json_object_set(detail, "columns", columns ? columns : json_null());
    if (records) {
        /* The list's filters, as given. */
        json_t *filters = json_object();
        for (const char *const *k = record_filters; *k; k++) {
            json_t *v = json_object_get(in, *k);
            if (v && !json_is_null(v)) {
                json_object_set(params, *k, v);
                json_object_set(filters, *k, v);
            }
        }
        json_object_set_new(detail, "filters", filters);
    } else {
        json_t *filter = json_object_get(in, "filter");
        json_t *q = json_object_get(in, "q");
        json_t *segment = json_object_get(in, "segment_id");
        if (json_is_object(filter))
            json_object_set(params, "filter", filter);
        if (json_is_string(q))
            json_object_set(params, "q", q);
        if (json_is_integer(segment))
            json_object_set(params, "segment_id", segment);
        json_object_set(detail, "filter", filter ? filter : json_null());
        json_object_set(detail, "q", q ? q : json_null());
    }
    int64_t id = 0;
    int rc = db_begin(r->db);
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

const struct route exports_routes[] = {
    {"POST", "/api/v1/exports", create, PERM_CUSTOMERS_READ, 0,
     "Export as CSV or XLSX (format: csv|xlsx). Customers (entity: customer, default): "
     "columns (required), q, filter, segment_id as in GET /customers. Business records "
     "(entity: interactions): the filters of GET /interactions (type, from, to, handled_by, "
     "branch_id, customer_id) and optional columns (occurred_at, customer_no, customer_name, "
     "customer_phone, type, description, tracking_no, destination, amount, channel, "
     "handled_by, branch; default all), newest first. Scoped by branch, phones masked unless "
     "the role may reveal, formula cells neutralised, audited"},
    {"GET", "/api/v1/exports/{id}", get, PERM_CUSTOMERS_READ, 0, "An export and its progress"},
    {"GET", "/api/v1/exports/{id}/download", download, PERM_CUSTOMERS_READ, 0,
     "Download a finished export"},
    {0},
};
