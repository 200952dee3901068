/*
 * builder_api.c - the HTTP side of the report builder (builder.h) and of
 * saved reports and dashboards (saved.h): ad-hoc runs and drills, the
 * saved ones' CRUD, a saved report's data and its XLSX and PDF.
 */
#include "report/builder.h"
#include "report/saved.h"

#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/files.h"
#include "core/op.h"
#include "core/pdf.h"
#include "core/perms.h"
#include "core/tabular.h"
#include "db/db.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reply for a builder answer other than 0. */
static void reply_builder(struct req *r, int rc, const struct builder_error *err)
{
    if (rc == BUILDER_INVALID) {
        char text[256];
        snprintf(text, sizeof(text), "%s%s%s", req_msg(r, err->key), err->where[0] ? ": " : "",
                 err->where);
        reply_invalid(r, json_pack("{s:s}", err->part, text));
    } else if (rc == BUILDER_TOO_MANY) {
        reply_error_key(r, 422, "too_many_rows", "report.too_many_rows");
    } else {
        reply_db_error(r, rc);
    }
}

static json_t *body_part(struct req *r, const char *key)
{
    return r->json ? json_object_get(r->json, key) : NULL;
}

/* GET /report-sources */
static void sources(struct req *r)
{
    reply_json(r, 200, json_pack("{s:o}", "items", builder_catalog(r->actor)));
}

/* POST /reports:run {definition} */
static void run(struct req *r)
{
    struct builder_error err = {0};
    json_t *out = NULL;
    int rc = builder_run(r->db, r->actor, body_part(r, "definition"), &out, &err);
    if (rc)
        reply_builder(r, rc, &err);
    else
        reply_json(r, 200, out);
}

/* POST /reports:drill {definition, keys} */
static void drill(struct req *r)
{
    struct builder_error err = {0};
    json_t *out = NULL;
    int rc = builder_drill(r->db, r->actor, body_part(r, "definition"), body_part(r, "keys"), &out,
                           &err);
    if (rc)
        reply_builder(r, rc, &err);
    else
        reply_json(r, 200, out);
}

static void list_of(struct req *r, enum saved_kind k)
{
    json_t *out = NULL;
    int rc = saved_list(r->db, r->actor, k, &out);
    if (rc)
        reply_db_error(r, rc);
    else
        reply_json(r, 200, out);
}

static void get_of(struct req *r, enum saved_kind k)
{
    int64_t id;
    json_t *out = NULL;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = saved_get(r->db, r->actor, k, id, &out);
    if (!op_reply(r, rc, NULL))
        reply_json(r, 200, out);
}

static void put_of(struct req *r, enum saved_kind k, bool create)
{
    int64_t id = 0, done = 0;
    if (!create && !req_param_id_or_404(r, 0, &id))
        return;
    if (!r->json) {
        reply_invalid(r, json_pack("{s:s}", "body", req_msg(r, "report.bad_definition")));
        return;
    }
    json_t *errors = json_object();
    int rc = saved_put(r->db, r->actor, k, id, r->json, errors, &done);
    if (rc == OP_CONFLICT)
        reply_error(r, 403, "forbidden");
    else if (!op_reply(r, rc, errors)) {
        json_t *out = NULL;
        rc = saved_get(r->db, r->actor, k, done, &out);
        if (!op_reply(r, rc, NULL))
            reply_json(r, create ? 201 : 200, out);
    }
    json_decref(errors);
}

static void delete_of(struct req *r, enum saved_kind k)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = saved_delete(r->db, r->actor, k, id);
    if (rc == OP_CONFLICT)
        reply_error(r, 403, "forbidden");
    else if (!op_reply(r, rc, NULL))
        reply_ok(r);
}

static void list(struct req *r)
{
    list_of(r, SAVED_REPORT);
}
static void create(struct req *r)
{
    put_of(r, SAVED_REPORT, true);
}
static void get_one(struct req *r)
{
    get_of(r, SAVED_REPORT);
}
static void update(struct req *r)
{
    put_of(r, SAVED_REPORT, false);
}
static void remove_one(struct req *r)
{
    delete_of(r, SAVED_REPORT);
}
static void dashboards(struct req *r)
{
    list_of(r, SAVED_DASHBOARD);
}
static void dashboard_create(struct req *r)
{
    put_of(r, SAVED_DASHBOARD, true);
}
static void dashboard_get(struct req *r)
{
    get_of(r, SAVED_DASHBOARD);
}
static void dashboard_update(struct req *r)
{
    put_of(r, SAVED_DASHBOARD, false);
}
static void dashboard_remove(struct req *r)
{
    delete_of(r, SAVED_DASHBOARD);
}

/* The saved report {id} run for the caller: its name into *name (the
 * caller frees) and the result; false having replied. */
static bool saved_result(struct req *r, char **name, json_t **out)
{
    int64_t id;
    json_t *rep = NULL;
    if (!req_param_id_or_404(r, 0, &id))
        return false;
    int rc = saved_get(r->db, r->actor, SAVED_REPORT, id, &rep);
    if (op_reply(r, rc, NULL))
        return false;
    struct builder_error err = {0};
    rc = builder_run(r->db, r->actor, json_object_get(rep, "definition"), out, &err);
    if (rc) {
        reply_builder(r, rc, &err);
        json_decref(rep);
        return false;
    }
    json_object_set(*out, "name", json_object_get(rep, "name"));
    json_object_set(*out, "definition", json_object_get(rep, "definition"));
    *name = xstrdup(json_string_value(json_object_get(rep, "name")));
    json_decref(rep);
    return true;
}

/* GET /reports/{id}/data */
static void data(struct req *r)
{
    char *name = NULL;
    json_t *out = NULL;
    if (!saved_result(r, &name, &out))
        return;
    free(name);
    reply_json(r, 200, out);
}

/* Cell i of row as text into buf. */
static const char *cell(json_t *row, json_t *col, char *buf, size_t n)
{
    json_t *v = json_object_get(row, json_string_value(json_object_get(col, "key")));
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, n, "%.2f", json_real_value(v));
    else
        buf[0] = '\0';
    return buf;
}

#define MAX_COLS 11 /* dimensions and measures of a report */

/* The result's header and rows as texts, to a writer or a PDF table. */
static void each_row(json_t *out, void (*put)(void *arg, const char *const *cells, size_t n),
                     void *arg)
{
    json_t *cols = json_object_get(out, "columns"), *row;
    size_t nc = json_array_size(cols) < MAX_COLS ? json_array_size(cols) : MAX_COLS, i;
    const char *cells[MAX_COLS];
    char bufs[MAX_COLS][48];
    for (i = 0; i < nc; i++)
        cells[i] = json_string_value(json_object_get(json_array_get(cols, i), "label"));
    put(arg, cells, nc);
    size_t n;
    json_array_foreach(json_object_get(out, "rows"), n, row)
    {
        for (i = 0; i < nc; i++)
            cells[i] = cell(row, json_array_get(cols, i), bufs[i], sizeof(bufs[i]));
        put(arg, cells, nc);
    }
}

static void put_xlsx(void *arg, const char *const *cells, size_t n)
{
    tabular_write_row(arg, cells, n);
}

/* GET /reports/{id}/xlsx */
static void xlsx(struct req *r)
{
    char *name = NULL;
    json_t *out = NULL;
    if (!saved_result(r, &name, &out))
        return;
    char path[512], err[128];
    snprintf(path, sizeof(path), "%s/report-XXXXXX", files_dir());
    int fd = mkstemp(path);
    struct tabular_writer *w = NULL;
    if (fd >= 0) {
        close(fd);
        w = tabular_writer_open(path, TABULAR_XLSX, name, err, sizeof(err));
    }
    if (!w) {
        reply_error(r, 500, "internal");
    } else {
        json_t *cols = json_object_get(out, "columns");
        bool numeric[MAX_COLS] = {false};
        for (size_t i = 0; i < json_array_size(cols) && i < MAX_COLS; i++)
            numeric[i] = strcmp(json_string_value(json_object_get(json_array_get(cols, i), "kind")),
                                "measure") == 0;
        tabular_writer_set_numeric(w, numeric, MAX_COLS);
        each_row(out, put_xlsx, w);
        char file[160];
        snprintf(file, sizeof(file), "%s.xlsx", name);
        if (tabular_writer_close(w) == 0)
            reply_file(r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       file);
        else
            reply_error(r, 500, "internal");
    }
    if (fd >= 0)
        unlink(path);
    free(name);
    json_decref(out);
}

struct pdf_table {
    struct pdf *p;
    bool started;
};

static void put_pdf(void *arg, const char *const *cells, size_t n)
{
    struct pdf_table *t = arg;
    if (t->started) {
        pdf_table_row(t->p, cells);
        return;
    }
    double widths[MAX_COLS];
    for (size_t i = 0; i < n; i++)
        widths[i] = 1.0 / (double)n;
    pdf_table_begin(t->p, (int)n, widths, cells);
    t->started = true;
}

/* GET /reports/{id}/pdf: the title, when it was made, and the table (the
 * chart is not drawn in the PDF). */
static void pdf(struct req *r)
{
    char *name = NULL;
    json_t *out = NULL;
    if (!saved_result(r, &name, &out))
        return;
    struct pdf_table t = {pdf_new(name, "鸿雁 Hongyan"), false};
    char at[32], note[96];
    clock_format_iso(clock_now(), at, sizeof(at));
    snprintf(note, sizeof(note), "%s %s", req_msg(r, "report.generated_at"), at);
    pdf_note(t.p, note);
    each_row(out, put_pdf, &t);
    pdf_table_end(t.p);
    char *data = NULL;
    size_t len = 0;
    if (pdf_finish(t.p, &data, &len)) {
        reply_error(r, 500, "internal");
    } else {
        char file[160];
        snprintf(file, sizeof(file), "%s.pdf", name);
        reply_bytes(r, 200, "application/pdf", data, len, file);
    }
    free(data);
    free(name);
    json_decref(out);
}

#include "report/builder_api.routes.h"
