/*
 * print_template.c - statement print templates (打印模板; see
 * print_template.h): reading one (the stored layout JSON over the
 * built-in default, so a layout that leaves something out still prints
 * it), checking an edit, saving, the images.
 *
 * The layout is stored as the normalised JSON of the checked template
 * (print_template_json without the row's own fields), never as sent.
 */
#include "billing/print_template.h"

#include "auth/session.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/utf8.h"
#include "base/xmalloc.h"
#include "core/events.h"
#include "core/files.h"
#include "core/op.h"
#include "core/pdf.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A logo or seal is a small picture: 1 MB is plenty and keeps a statement
 * run's PDFs small. */
#define PNG_MAX_BYTES (1u << 20)

static const struct {
    const char *code, *label;
} block_names[PT_NBLOCKS] = {
    [PT_HEADER] = {"header", "公司抬头"},
    [PT_CUSTOMER] = {"customer", "客户信息"},
    [PT_SUMMARY] = {"summary", "汇总"},
    [PT_PRODUCTS] = {"products", "按产品汇总"},
    [PT_DEPARTMENTS] = {"departments", "按部门汇总"},
    [PT_LINES] = {"lines", "运单明细"},
    [PT_TOTAL] = {"total", "合计"},
    [PT_TERMS] = {"terms", "付款条件"},
    [PT_BANK] = {"bank", "收款账户"},
    [PT_SEAL] = {"seal", "签章"},
    [PT_FOOTER] = {"footer", "备注"},
};

static const struct {
    const char *code, *label;
    int width;
} field_names[PF_N] = {
    [PF_NO] = {"waybill_no", "运单号", 21},    [PF_DATE] = {"collected_at", "揽收日", 9},
    [PF_DEPT] = {"department", "部门", 12},    [PF_PRODUCT] = {"product", "产品", 13},
    [PF_DEST] = {"destination", "目的地", 22}, [PF_WEIGHT] = {"weight", "重量(kg)", 10},
    [PF_AMOUNT] = {"amount", "金额(元)", 12},  [PF_WHY] = {"why", "分区", 13},
};

/* The default's blocks shown (the seal and the footer print nothing until
 * an image or a text is set, so they are on), and its columns (the
 * department column is there to be picked, not shown by default). */
static const enum pt_block default_order[PT_NBLOCKS] = {
    PT_HEADER, PT_CUSTOMER, PT_SUMMARY, PT_PRODUCTS, PT_DEPARTMENTS, PT_LINES,
    PT_TOTAL,  PT_TERMS,    PT_BANK,    PT_SEAL,     PT_FOOTER};
static const bool default_shown[PT_NBLOCKS] = {
    [PT_HEADER] = true, [PT_CUSTOMER] = true, [PT_SUMMARY] = true, [PT_PRODUCTS] = true,
    [PT_LINES] = true,  [PT_TOTAL] = true,    [PT_TERMS] = true,   [PT_BANK] = true,
    [PT_SEAL] = true,   [PT_FOOTER] = true};
static const enum pt_field default_fields[] = {PF_NO,     PF_DATE,   PF_PRODUCT, PF_DEST,
                                               PF_WEIGHT, PF_AMOUNT, PF_WHY};

const char *pt_block_code(enum pt_block b)
{
    return block_names[b].code;
}
const char *pt_block_default_label(enum pt_block b)
{
    return block_names[b].label;
}
const char *pt_field_code(enum pt_field f)
{
    return field_names[f].code;
}
const char *pt_field_default_label(enum pt_field f)
{
    return field_names[f].label;
}

static void defaults(struct print_template *t)
{
    memset(t, 0, sizeof(*t));
    for (int i = 0; i < PT_NBLOCKS; i++) {
        t->blocks[i].key = default_order[i];
        t->blocks[i].visible = default_shown[default_order[i]];
    }
    t->ncols = (int)(sizeof(default_fields) / sizeof(default_fields[0]));
    for (int i = 0; i < t->ncols; i++) {
        t->cols[i].field = default_fields[i];
        t->cols[i].width = field_names[default_fields[i]].width;
    }
}

static void fail(json_t *errors, const char *lang, const char *key, const char *msg_key)
{
    if (!json_object_get(errors, key))
        json_object_set_new(errors, key, json_string(i18n_msg(lang, msg_key)));
}

/* A text at key of o of at most max characters into out (absent: kept). */
static void text(json_t *o, const char *key, char *out, size_t n, size_t max, const char *field,
                 const char *lang, json_t *errors)
{
    json_t *j = json_object_get(o, key);
    if (!j)
        return;
    const char *v = json_is_null(j) ? "" : json_string_value(j);
    if (!v || utf8_len(v) > max || strlen(v) >= n) {
        fail(errors, lang, field, "print.text_long");
        return;
    }
    snprintf(out, n, "%s", v);
}

static int find_block(const char *code)
{
    for (int i = 0; code && i < PT_NBLOCKS; i++)
        if (strcmp(code, block_names[i].code) == 0)
            return i;
    return -1;
}

static int find_field(const char *code)
{
    for (int i = 0; code && i < PF_N; i++)
        if (strcmp(code, field_names[i].code) == 0)
            return i;
    return -1;
}

/* The blocks in the order sent; one not sent goes after them, hidden. */
static void apply_blocks(json_t *arr, struct print_template *t, const char *lang, json_t *errors)
{
    if (!json_is_array(arr) || json_array_size(arr) > PT_NBLOCKS) {
        fail(errors, lang, "blocks", "print.block");
        return;
    }
    struct pt_block_cfg out[PT_NBLOCKS];
    bool seen[PT_NBLOCKS] = {false};
    size_t i, n = 0;
    json_t *b;
    json_array_foreach(arr, i, b)
    {
        int k = find_block(json_string_value(json_object_get(b, "key")));
        json_t *vis = json_object_get(b, "visible");
        if (k < 0 || seen[k] || (vis && !json_is_boolean(vis))) {
            fail(errors, lang, "blocks", "print.block");
            return;
        }
        seen[k] = true;
        out[n] =
            (struct pt_block_cfg){.key = (enum pt_block)k, .visible = !vis || json_is_true(vis)};
        /* the stored label unless one is sent */
        for (int j = 0; j < PT_NBLOCKS; j++)
            if (t->blocks[j].key == (enum pt_block)k)
                memcpy(out[n].label, t->blocks[j].label, sizeof(out[n].label));
        text(b, "label", out[n].label, sizeof(out[n].label), 32, "blocks", lang, errors);
        n++;
    }
    for (int k = 0; k < PT_NBLOCKS; k++)
        if (!seen[k])
            out[n++] = (struct pt_block_cfg){.key = (enum pt_block)k, .visible = false};
    memcpy(t->blocks, out, sizeof(out));
}

static void apply_columns(json_t *arr, struct print_template *t, const char *lang, json_t *errors)
{
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n < 1 || n > PF_N) {
        fail(errors, lang, "columns", "print.columns");
        return;
    }
    struct pt_column out[PF_N];
    bool seen[PF_N] = {false};
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        int f = find_field(json_string_value(json_object_get(c, "field")));
        json_t *w = json_object_get(c, "width");
        if (f < 0 || seen[f]) {
            fail(errors, lang, "columns", "print.column");
            return;
        }
        if (w && (!json_is_integer(w) || json_integer_value(w) < 5 || json_integer_value(w) > 60)) {
            fail(errors, lang, "columns", "print.width");
            return;
        }
        seen[f] = true;
        out[i] = (struct pt_column){.field = (enum pt_field)f,
                                    .width = w ? (int)json_integer_value(w) : field_names[f].width};
        text(c, "label", out[i].label, sizeof(out[i].label), 32, "columns", lang, errors);
    }
    memcpy(t->cols, out, n * sizeof(out[0]));
    t->ncols = (int)n;
}

int print_template_apply(json_t *in, struct print_template *t, const char *lang, json_t *errors)
{
    if (!json_is_object(in))
        return 0;
    json_t *ps = json_object_get(in, "page_size"), *po = json_object_get(in, "orientation");
    if (ps) {
        const char *v = json_string_value(ps);
        if (!v || (strcmp(v, "A4") != 0 && strcmp(v, "A5") != 0))
            fail(errors, lang, "page_size", "print.page_size");
        else
            t->a5 = strcmp(v, "A5") == 0;
    }
    if (po) {
        const char *v = json_string_value(po);
        if (!v || (strcmp(v, "portrait") != 0 && strcmp(v, "landscape") != 0))
            fail(errors, lang, "orientation", "print.orientation");
        else
            t->landscape = strcmp(v, "landscape") == 0;
    }
    if (json_object_get(in, "blocks"))
        apply_blocks(json_object_get(in, "blocks"), t, lang, errors);
    if (json_object_get(in, "columns"))
        apply_columns(json_object_get(in, "columns"), t, lang, errors);
    text(in, "name", t->name, sizeof(t->name), 60, "name", lang, errors);
    if (!t->name[0] && !json_object_get(errors, "name") && json_object_get(in, "name"))
        fail(errors, lang, "name", "field.required");
    text(in, "company", t->company, sizeof(t->company), 60, "company", lang, errors);
    text(in, "company_info", t->company_info, sizeof(t->company_info), 120, "company_info", lang,
         errors);
    text(in, "terms", t->terms, sizeof(t->terms), 500, "terms", lang, errors);
    text(in, "footer", t->footer, sizeof(t->footer), 120, "footer", lang, errors);
    json_t *bank = json_object_get(in, "bank");
    if (bank && !json_is_object(bank)) {
        fail(errors, lang, "bank", "print.text_long");
    } else if (bank) {
        text(bank, "bank", t->bank, sizeof(t->bank), 60, "bank", lang, errors);
        text(bank, "account", t->account, sizeof(t->account), 40, "bank", lang, errors);
        text(bank, "holder", t->holder, sizeof(t->holder), 60, "bank", lang, errors);
    }
    return op_checked(0, errors);
}

/* What the layout column holds: the template without the row's own. */
static json_t *layout_json(const struct print_template *t)
{
    json_t *blocks = json_array(), *cols = json_array();
    for (int i = 0; i < PT_NBLOCKS; i++)
        json_array_append_new(blocks, json_pack("{s:s,s:b,s:s}", "key",
                                                block_names[t->blocks[i].key].code, "visible",
                                                t->blocks[i].visible, "label", t->blocks[i].label));
    for (int i = 0; i < t->ncols; i++)
        json_array_append_new(cols, json_pack("{s:s,s:s,s:i}", "field",
                                              field_names[t->cols[i].field].code, "label",
                                              t->cols[i].label, "width", t->cols[i].width));
    return json_pack("{s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s}}", "page_size",
                     t->a5 ? "A5" : "A4", "orientation", t->landscape ? "landscape" : "portrait",
                     "blocks", blocks, "columns", cols, "company", t->company, "company_info",
                     t->company_info, "terms", t->terms, "footer", t->footer, "bank", "bank",
                     t->bank, "account", t->account, "holder", t->holder);
}

json_t *print_template_json(const struct print_template *t)
{
    json_t *o = layout_json(t);
    char at[40];
    clock_format_iso(t->updated_at, at, sizeof(at));
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "enterprise_id",
                        t->enterprise_id ? json_integer(t->enterprise_id) : json_null());
    json_object_set_new(o, "enterprise_name",
                        t->enterprise_id ? json_string(t->enterprise_name) : json_null());
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "version", json_integer(t->version));
    /* the default as the migration made it was never edited */
    json_object_set_new(o, "updated_at", t->updated_at ? json_string(at) : json_null());
    json_object_set_new(o, "logo", json_boolean(t->logo_file[0]));
    json_object_set_new(o, "seal", json_boolean(t->seal_file[0]));
    return o;
}

#define TPL_COLUMNS                                                                                \
    "t.id, COALESCE(t.enterprise_id, 0), COALESCE(e.name, ''), t.name, t.layout, "                 \
    "COALESCE(t.logo_file, ''), COALESCE(t.seal_file, ''), t.version, t.updated_at"
#define TPL_FROM "print_templates t LEFT JOIN enterprises e ON e.id = t.enterprise_id"

static void from_row(struct db_stmt *st, struct print_template *t)
{
    defaults(t);
    t->id = db_col_int(st, 0);
    t->enterprise_id = db_col_int(st, 1);
    snprintf(t->enterprise_name, sizeof(t->enterprise_name), "%s", db_col_text(st, 2));
    snprintf(t->name, sizeof(t->name), "%s", db_col_text(st, 3));
    json_t *layout = json_loads(db_col_text(st, 4), 0, NULL);
    /* stored after a check: errors are not expected, and a part that
     * fails (a code dropped since) keeps the default */
    json_t *ignored = json_object();
    print_template_apply(layout, t, "zh-CN", ignored);
    json_decref(ignored);
    json_decref(layout);
    snprintf(t->logo_file, sizeof(t->logo_file), "%s", db_col_text(st, 5));
    snprintf(t->seal_file, sizeof(t->seal_file), "%s", db_col_text(st, 6));
    t->version = db_col_int(st, 7);
    t->updated_at = db_col_int(st, 8);
}

int print_template_read(struct db *db, int64_t id, struct print_template *t)
{
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st, "SELECT " TPL_COLUMNS " FROM " TPL_FROM " WHERE t.id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc == 1) {
        from_row(st, t);
        db_finish(st);
    }
    return rc;
}

int print_template_for(struct db *db, int64_t ent, struct print_template *t)
{
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT " TPL_COLUMNS " FROM " TPL_FROM
                          " WHERE t.scope_key IN (0, ?) ORDER BY t.scope_key DESC LIMIT 1",
                          DB_ARGS(DB_INT(ent)));
    if (rc == 1) {
        from_row(st, t);
        db_finish(st);
        return 0;
    }
    defaults(t); /* the default row is made by the migration; never gone */
    return rc;
}

json_t *print_template_list(struct db *db)
{
    struct db_stmt *st = db_query(
        db, "SELECT " TPL_COLUMNS " FROM " TPL_FROM " ORDER BY t.scope_key, t.id", DB_NOARGS);
    if (!st)
        return NULL;
    json_t *items = json_array();
    int rc;
    struct print_template *t = xmalloc(sizeof(*t));
    while ((rc = db_step(st)) == 1) {
        from_row(st, t);
        json_t *o = print_template_json(t);
        /* the list needs who and when, not the layout */
        json_object_del(o, "blocks");
        json_object_del(o, "columns");
        json_array_append_new(items, o);
    }
    free(t);
    db_finish(st);
    if (rc < 0) {
        json_decref(items);
        return NULL;
    }
    return items;
}

static int store(struct db *db, const struct actor *a, const struct print_template *t,
                 const char *action, json_t *detail)
{
    json_t *layout = layout_json(t);
    char *text = json_dumps(layout, JSON_COMPACT);
    json_decref(layout);
    int rc = db_exec(
        db,
        "UPDATE print_templates SET name = ?, layout = ?, logo_file = ?, seal_file = "
        "?, version = version + 1, updated_by = ?, updated_at = ? WHERE id = ? AND "
        "version = ?",
        DB_ARGS(DB_TEXT(t->name), DB_TEXT(text), DB_TEXT(t->logo_file[0] ? t->logo_file : NULL),
                DB_TEXT(t->seal_file[0] ? t->seal_file : NULL), DB_INT_OR_NULL(a->id, a->id),
                DB_INT(clock_now()), DB_INT(t->id), DB_INT(t->version)));
    free(text);
    if (!rc && db_changes(db) == 0)
        rc = OP_STALE;
    if (!rc)
        rc = actor_audit(db, a, action, "print_template", t->id, json_incref(detail));
    if (!rc)
        rc = events_publish(db, "print_template.changed", "print_template", t->id, a->id,
                            json_incref(detail));
    json_decref(detail);
    return rc;
}

int print_template_create(struct db *db, const struct actor *a, json_t *in, int64_t *id,
                          json_t *errors)
{
    json_t *ej = json_object_get(in, "enterprise_id");
    int64_t ent = json_is_integer(ej) ? json_integer_value(ej) : 0;
    struct print_template t;
    int rc = print_template_for(db, 0, &t);
    if (rc)
        return rc;
    t.name[0] = 0;
    text(in, "name", t.name, sizeof(t.name), 60, "name", a->lang, errors);
    struct db_stmt *st = NULL;
    rc = ent > 0 ? db_query_row(db, &st,
                                "SELECT name FROM enterprises WHERE id = ? AND deleted_at IS NULL",
                                DB_ARGS(DB_INT(ent)))
                 : 0;
    if (rc < 0)
        return rc;
    if (rc == 0)
        fail(errors, a->lang, "enterprise_id", "print.enterprise");
    else if (!t.name[0])
        snprintf(t.name, sizeof(t.name), "%.150s", db_col_text(st, 0));
    db_finish(st);
    if (json_object_size(errors))
        return OP_INVALID;
    json_t *layout = layout_json(&t);
    char *lt = json_dumps(layout, JSON_COMPACT);
    json_decref(layout);
    int64_t now = clock_now();
    if ((rc = db_begin(db))) {
        free(lt);
        return rc;
    }
    rc = db_exec(db,
                 "INSERT INTO print_templates (enterprise_id, scope_key, name, layout, updated_by, "
                 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 DB_ARGS(DB_INT(ent), DB_INT(ent), DB_TEXT(t.name), DB_TEXT(lt),
                         DB_INT_OR_NULL(a->id, a->id), DB_INT(now), DB_INT(now)));
    free(lt);
    if (rc == DB_CONSTRAINT) {
        fail(errors, a->lang, "enterprise_id", "print.exists");
        rc = OP_INVALID;
    }
    if (!rc && db_query_int(db, "SELECT id FROM print_templates WHERE scope_key = ?",
                            DB_ARGS(DB_INT(ent)), id) != 1)
        rc = DB_ERROR;
    if (!rc)
        rc = actor_audit(db, a, "print_template.create", "print_template", *id,
                         json_pack("{s:I}", "enterprise_id", (json_int_t)ent));
    if (!rc)
        rc = events_publish(db, "print_template.changed", "print_template", *id, a->id,
                            json_pack("{s:I}", "enterprise_id", (json_int_t)ent));
    return op_end(db, rc);
}

int print_template_save(struct db *db, const struct actor *a, int64_t id, json_t *in,
                        json_t *errors)
{
    struct print_template t;
    int rc = print_template_read(db, id, &t);
    if (rc != 1)
        return rc ? rc : OP_NOT_FOUND;
    json_int_t version;
    json_t *cur = json_pack("{s:I}", "version", (json_int_t)t.version);
    rc = op_check_version(in, cur, a->lang, errors, &version);
    json_decref(cur);
    if (rc || (rc = print_template_apply(in, &t, a->lang, errors)))
        return rc;
    if ((rc = db_begin(db)))
        return rc;
    json_t *detail = layout_json(&t);
    json_object_set_new(detail, "name", json_string(t.name));
    rc = store(db, a, &t, "print_template.update", detail);
    return op_end(db, rc);
}

static void unlink_file(const char *name)
{
    if (!name[0])
        return;
    char *path = files_path(name);
    unlink(path);
    free(path);
}

int print_template_delete(struct db *db, const struct actor *a, int64_t id)
{
    struct print_template t;
    int rc = print_template_read(db, id, &t);
    if (rc != 1)
        return rc ? rc : OP_NOT_FOUND;
    if (!t.enterprise_id)
        return OP_CONFLICT;
    if ((rc = db_begin(db)))
        return rc;
    rc = db_exec(db, "DELETE FROM print_templates WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = actor_audit(db, a, "print_template.delete", "print_template", id,
                         json_pack("{s:I}", "enterprise_id", (json_int_t)t.enterprise_id));
    if (!rc)
        rc = events_publish(db, "print_template.changed", "print_template", id, a->id,
                            json_pack("{s:I}", "enterprise_id", (json_int_t)t.enterprise_id));
    if (!(rc = op_end(db, rc))) {
        unlink_file(t.logo_file);
        unlink_file(t.seal_file);
    }
    return rc;
}

int print_template_image(struct db *db, const struct actor *a, int64_t id, bool seal,
                         const void *png, size_t len, json_t *errors)
{
    struct print_template t;
    int rc = print_template_read(db, id, &t);
    if (rc != 1)
        return rc ? rc : OP_NOT_FOUND;
    int w = 0, h = 0;
    if (png && len > PNG_MAX_BYTES) {
        fail(errors, a->lang, "file", "print.png_large");
        return OP_INVALID;
    }
    if (png && pdf_png_check(png, len, &w, &h)) {
        fail(errors, a->lang, "file", "print.png");
        return OP_INVALID;
    }
    char *slot = seal ? t.seal_file : t.logo_file, old[64], rnd[24];
    snprintf(old, sizeof(old), "%s", slot);
    slot[0] = 0;
    char *path = NULL;
    if (png) {
        session_random_token(rnd, sizeof(rnd), 12);
        snprintf(slot, 64, "print-%s.png", rnd);
        path = files_path(slot);
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(png, 1, len, f) == len;
        if (f && fclose(f))
            ok = false;
        if (!ok) {
            unlink(path);
            free(path);
            return DB_ERROR;
        }
    }
    if ((rc = db_begin(db)) == 0)
        rc = store(db, a, &t, seal ? "print_template.seal" : "print_template.logo",
                   json_pack("{s:b,s:I,s:i,s:i}", "set", png != NULL, "bytes", (json_int_t)len,
                             "width", w, "height", h));
    if ((rc = op_end(db, rc)) && path)
        unlink(path);
    else if (!rc)
        unlink_file(old);
    free(path);
    return rc;
}

int print_template_image_read(const struct print_template *t, bool seal, char **data, size_t *len)
{
    const char *name = seal ? t->seal_file : t->logo_file;
    if (!name[0])
        return 0;
    char *path = files_path(name);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f)
        return 0;
    char *buf = xmalloc(PNG_MAX_BYTES + 1);
    size_t n = fread(buf, 1, PNG_MAX_BYTES + 1, f);
    fclose(f);
    if (n == 0 || n > PNG_MAX_BYTES) {
        free(buf);
        return 0;
    }
    *data = buf;
    *len = n;
    return 1;
}
