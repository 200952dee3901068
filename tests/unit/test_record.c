/*
 * test_record.c - the record layer works for an entity it has never seen.
 *
 * A throw-away entity ("gadget", its own table created here) is described
 * and registered the way a domain module does it; then the filter compiler,
 * the CSV export job (masking, custom fields, tags, keyset pages), the CSV
 * import job (mapping, typed values, tags, a report of bad rows, through
 * the entity's import hooks), the field history and the merge / erasure of
 * references run on it. Nothing in
 * src/record names it: if this passes, a new domain is a descriptor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/actor.h"
#include "core/files.h"
#include "core/listing.h"
#include "core/jobs.h"
#include "core/perms.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "record/entity.h"
#include "record/export.h"
#include "record/filter.h"
#include "record/history.h"
#include "record/import.h"
#include "record/tags.h"
#include "record/references.h"
#include "record/scope.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/hy_record_XXXXXX";

/* ---- the entity, as a domain would describe it ---- */

static const struct entity_field gadget_fields[] = {
    {FIELD("name", "g.name", FT_TEXT, "名称", "Name",
           EF_FILTER | EF_EXPORT | EF_IMPORT | EF_REQUIRED)},
    {FIELD("phone", "g.phone", FT_PHONE, "联系电话", "Contact", EF_FILTER | EF_EXPORT | EF_IMPORT),
     .mask = MASK_PHONE},
    {FIELD("weight", "g.weight", FT_NUMBER, "重量", "Weight", EF_FILTER | EF_EXPORT)},
    {FIELD("made_at", "g.made_at", FT_TIME, "出厂时间", "Made", EF_FILTER | EF_EXPORT)},
    {FIELD("tags", NULL, FT_TAGS, "标签", "Tags", EF_FILTER | EF_EXPORT | EF_IMPORT)},
    {.key = NULL},
};

static const struct entity_ref gadget_refs[] = {
    {"gadget_notes", "gadget_id", REF_DELETE, NULL},
    {.table = NULL},
};

/* Its export hook: scope, and the filter language over its fields. */
static int gadget_where(struct db *db, const struct actor *u, json_t *params, struct sqlbuf *w,
                        const char **err_field, const char **err_key)
{
    scope_sql(u, "g.branch_path", w);
    json_t *filter = json_object_get(params, "filter");
    if (!json_is_object(filter))
        return 0;
    struct filter_error err;
    sqlbuf_add(w, " AND ");
    int rc = filter_compile(db, entity_find("gadget"), filter, w, &err);
    if (rc == -1) {
        *err_field = "filter";
        *err_key = err.key;
    }
    return rc;
}

static const char *const gadget_params[] = {"filter", NULL};

static const struct entity_export gadget_export = {
    .from = "gadgets g",
    .columns_required = true,
    .params = gadget_params,
    .sheet = "器件",
    .sheet_en = "Gadgets",
    .file = "器件导出",
    .file_en = "gadgets",
};

/* Its import hooks: a name is required, a known name is a duplicate; new
 * gadgets are written one statement each (no batch, no bulk path). */
static int gadget_count;

static void *gadget_open(void)
{
    return &gadget_count;
}

static void gadget_close(void *state)
{
    (void)state;
}

static int gadget_check(struct import_ctx *c, json_t *in, json_t *tag_ids, json_t *errors,
                        enum import_outcome *outcome, void **prepared)
{
    const char *name = json_string_value(json_object_get(in, "name"));
    int64_t n = 0;
    *prepared = NULL;
    if (!name || !*name)
        json_object_set_new(errors, "name", json_string("必填项"));
    if (json_object_size(errors)) {
        *outcome = IMPORT_FAILED;
        return 0;
    }
    int rc = db_query_int(c->db, "SELECT COUNT(*) FROM gadgets WHERE name = ?",
                          DB_ARGS(DB_TEXT(name)), &n);
    if (rc < 0)
        return rc;
    *outcome = n ? IMPORT_SKIPPED : IMPORT_CREATE;
    if (!n && !c->dry_run)
        *prepared = json_pack("{s:O,s:O}", "in", in, "tags", tag_ids);
    return 0;
}

static int gadget_write(struct import_ctx *c, void *prepared)
{
    json_t *p = prepared, *in = json_object_get(p, "in");
    json_t *cv = json_object_get(in, "custom");
    char *custom = cv ? json_dumps(cv, JSON_COMPACT) : strdup("{}");
    int rc = db_exec(
        c->db, "INSERT INTO gadgets (name, phone, branch_path, custom) VALUES (?, ?, '/1/', ?)",
        DB_ARGS(DB_TEXT(json_string_value(json_object_get(in, "name"))),
                DB_TEXT(json_string_value(json_object_get(in, "phone"))), DB_TEXT(custom)));
    int64_t id = 0;
    if (!rc && db_query_int(c->db, "SELECT MAX(id) FROM gadgets", DB_NOARGS, &id) != 1)
        rc = DB_ERROR;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(p, "tags"), i, t) if (!rc) rc =
        tags_attach(c->db, "gadget", id, json_integer_value(t));
    gadget_count++;
    free(custom);
    json_decref(p);
    return rc;
}

static void gadget_discard(void *prepared)
{
    json_decref(prepared);
}

static int gadget_flush(struct import_ctx *c)
{
    (void)c;
    return 0;
}

static const char *const gadget_aliases[][2] = {{"器件名", "name"}, {NULL, NULL}};

static const struct entity_import gadget_import = {
    .aliases = gadget_aliases,
    .open = gadget_open,
    .close = gadget_close,
    .check = gadget_check,
    .write = gadget_write,
    .discard = gadget_discard,
    .flush = gadget_flush,
};

static const struct entity gadget = {
    .name = "gadget",
    .collection = "gadgets",
    .label = "器件",
    .label_en = "Gadgets",
    .table = "gadgets",
    .alias = "g",
    .custom_column = "g.custom",
    .scope_column = "g.branch_path",
    .tags = true,
    .perm_read = PERM_CUSTOMERS_READ,
    .perm_write = PERM_CUSTOMERS_WRITE,
    .perm_reveal = PERM_REVEAL,
    .search = gadget_where,
    .fields = gadget_fields,
    .refs = gadget_refs,
    .export = &gadget_export,
    .import = &gadget_import,
};

/* ---- helpers ---- */

static void exec(const char *sql)
{
    int rc = db_exec(db_get(), sql, DB_NOARGS);
    if (rc)
        fprintf(stderr, "failed (%d): %s\n", rc, sql);
    assert_int_equal(rc, 0);
}

static int64_t count(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int(db_get(), sql, DB_NOARGS, &n), 1);
    return n;
}

/* How many gadgets the filter (JSON text) finds; -1 for an invalid tree. */
static int64_t count_where(const char *filter_json)
{
    json_t *tree = json_loads(filter_json, 0, NULL);
    assert_non_null(tree);
    struct sqlbuf b;
    struct filter_error err;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT COUNT(*) FROM gadgets g WHERE ");
    int rc = filter_compile(db_get(), &gadget, tree, &b, &err);
    int64_t n = -1;
    if (rc == 0)
        assert_int_equal(db_query_int(db_get(), b.sql, b.args, b.nargs, &n), 1);
    sqlbuf_release(&b);
    json_decref(tree);
    return n;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    setenv("HONGYAN_EXPORT_PAGE", "3", 1); /* pages of three: the export crosses two */
    if (testdb_open(dir, "record.db", true))
        return -1;
    char files[300];
    snprintf(files, sizeof(files), "%s/files", dir);
    if (files_init(files))
        return -1;
    entity_register(&gadget);
    exec("CREATE TABLE gadgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, phone TEXT, "
         "weight REAL, made_at INTEGER, branch_path TEXT NOT NULL, custom TEXT NOT NULL "
         "DEFAULT '{}')");
    exec("CREATE TABLE gadget_notes (id INTEGER PRIMARY KEY, gadget_id INTEGER, note TEXT)");
    exec("INSERT INTO branches (id, code, name, level, path, created_at, updated_at) "
         "VALUES (2, 'B2', '别的网点', 'branch', '/2/', 0, 0)");
    exec("INSERT INTO users (id, login, name, role, branch_id, password_hash, "
         "must_change_password, created_at, updated_at) "
         "VALUES (7, 'C0007', '测试柜员', 'clerk', 1, 'x', 0, 0, 0)");
    exec("INSERT INTO custom_fields (entity, key, label, label_en, type, required, sort, "
         "created_at, updated_at) VALUES ('gadget', 'colour', '颜色', 'Colour', 'text', 0, 10, "
         "0, 0)");
    /* Seven gadgets in branch 1 (one more than two export pages of three),
     * one in branch 2 that the clerk of branch 1 must never see. */
    exec("INSERT INTO gadgets (id, name, phone, weight, made_at, branch_path, custom) VALUES "
         "(1, 'Alpha', '13800138000', 1.5, 1764547200, '/1/', '{\"colour\":\"red\"}'),"
         "(2, 'Beta', '13900139000', 2.5, 1764547200, '/1/', '{\"colour\":\"blue\"}'),"
         "(3, 'Alpine', NULL, 3.0, NULL, '/1/', '{\"colour\":\"red\"}'),"
         "(4, 'Gamma', NULL, 4.0, NULL, '/1/', '{}'),"
         "(5, 'Delta', NULL, 5.0, NULL, '/1/', '{}'),"
         "(6, 'Epsilon', NULL, 6.0, NULL, '/1/', '{}'),"
         "(7, 'Zeta', NULL, 7.0, NULL, '/1/', '{}'),"
         "(8, 'Aleph', '13700137000', 8.0, NULL, '/2/', '{\"colour\":\"red\"}')");
    exec("INSERT INTO tags (id, name, created_at, updated_at) VALUES (100, '试件易碎', 0, 0)");
    exec("INSERT INTO object_tags (entity, object_id, tag_id, created_at) VALUES "
         "('gadget', 1, 100, 0), ('customer', 2, 100, 0)");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    entity_registry_clear();
    return testdb_close(dir);
}

/* ---- tests ---- */

static void test_registry(void **state)
{
    (void)state;
    assert_ptr_equal(entity_find("gadget"), &gadget);
    assert_ptr_equal(entity_find("gadgets"), &gadget);
    assert_null(entity_find("widget"));
    entity_register(&gadget); /* twice: a no-op */
    assert_ptr_equal(entity_at(0), &gadget);
    assert_null(entity_at(1));
    struct actor clerk = {.perms = PERM_CUSTOMERS_READ};
    struct actor nobody = {.perms = PERM_SIGNED_IN};
    assert_true(entity_readable(&gadget, &clerk));
    assert_false(entity_readable(&gadget, &nobody));
}

static void test_filter(void **state)
{
    (void)state;
    assert_int_equal(count_where("{\"field\":\"name\",\"op\":\"starts_with\",\"value\":\"Al\"}"),
                     3);
    assert_int_equal(count_where("{\"and\":[{\"field\":\"name\",\"op\":\"starts_with\",\"value\":"
                                 "\"Al\"},{\"field\":\"custom.colour\",\"op\":\"eq\",\"value\":"
                                 "\"red\"}]}"),
                     3);
    assert_int_equal(count_where("{\"field\":\"weight\",\"op\":\"between\",\"value\":[2,4]}"), 3);
    assert_int_equal(count_where("{\"field\":\"tags\",\"op\":\"has\",\"value\":\"试件易碎\"}"), 1);
    assert_int_equal(count_where("{\"field\":\"phone\",\"op\":\"not_null\"}"), 3);
    /* Unknown fields, and operators the type does not take, are refused. */
    assert_int_equal(count_where("{\"field\":\"salary\",\"op\":\"eq\",\"value\":1}"), -1);
    assert_int_equal(count_where("{\"field\":\"weight\",\"op\":\"contains\",\"value\":\"1\"}"), -1);
    assert_int_equal(count_where("{\"field\":\"custom.size\",\"op\":\"eq\",\"value\":1}"), -1);
}

static void test_export_csv(void **state)
{
    (void)state;
    json_t *params = json_loads(
        "{\"entity\":\"gadget\",\"format\":\"csv\",\"lang\":\"en\",\"columns\":[\"name\","
        "\"phone\",\"custom.colour\",\"tags\"],\"filter\":{\"field\":\"weight\",\"op\":\"lt\","
        "\"value\":10}}",
        0, NULL);
    assert_non_null(params);
    struct job job = {.id = 901, .kind = "export", .user_id = 7, .params = params, .db = db_get()};
    assert_int_equal(export_run(&job), 0);
    assert_non_null(job.result);
    assert_int_equal(json_integer_value(json_object_get(job.result, "rows")), 7);
    assert_true(json_is_true(json_object_get(job.result, "masked")));
    const char *name = json_string_value(json_object_get(job.result, "file_name"));
    assert_non_null(strstr(name, "gadgets-"));
    char *csv = slurp(json_string_value(json_object_get(job.result, "file")));
    /* UTF-8 BOM, English headers (a custom field's in its label as defined),
     * masked phones, custom values, tags; in id
     * order across pages; nothing of branch 2. */
    assert_string_equal(csv, "\xEF\xBB\xBF"
                             "Name,Contact,颜色,Tags\r\n"
                             "Alpha,138****8000,red,试件易碎\r\n"
                             "Beta,139****9000,blue,\r\n"
                             "Alpine,,red,\r\n"
                             "Gamma,,,\r\n"
                             "Delta,,,\r\n"
                             "Epsilon,,,\r\n"
                             "Zeta,,,\r\n");
    free(csv);
    json_decref(job.result);
    json_decref(params);
    free(job.error);
}

static void test_export_refuses_unknown_column(void **state)
{
    (void)state;
    json_t *params = json_loads("{\"entity\":\"gadget\",\"format\":\"csv\",\"columns\":[\"name\"],"
                                "\"filter\":{\"field\":\"salary\",\"op\":\"eq\",\"value\":1}}",
                                0, NULL);
    struct job job = {.id = 902, .kind = "export", .user_id = 7, .params = params, .db = db_get()};
    assert_int_equal(export_run(&job), -1);
    free(job.error);
    json_decref(params);
}

static void test_history_and_references(void **state)
{
    (void)state;
    json_t *before = json_loads("{\"name\":\"Beta\",\"phone\":\"13900139000\",\"custom\":{"
                                "\"colour\":\"blue\"}}",
                                0, NULL);
    json_t *after = json_loads("{\"name\":\"Beta 2\",\"phone\":\"13900139000\",\"custom\":{"
                               "\"colour\":\"green\"}}",
                               0, NULL);
    assert_int_equal(history_record(db_get(), NULL, "gadget", 2, before, after, NULL), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM change_log WHERE entity = 'gadget' AND "
                           "object_id = 2 AND field IN ('name', 'custom.colour')"),
                     2);
    assert_int_equal(count("SELECT COUNT(*) FROM change_log WHERE entity = 'gadget' AND "
                           "field = 'phone'"),
                     0);
    json_decref(before);
    json_decref(after);

    /* Merge 1 into 2: notes and tags follow, the customer's tag stays. */
    exec("INSERT INTO gadget_notes (gadget_id, note) VALUES (1, 'a'), (1, 'b'), (3, 'c')");
    assert_int_equal(entity_move_references(db_get(), &gadget, 1, 2), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM gadget_notes WHERE gadget_id = 2"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM object_tags WHERE entity = 'gadget' AND "
                           "object_id = 2"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM object_tags WHERE entity = 'gadget' AND "
                           "object_id = 1"),
                     0);
    assert_int_equal(count("SELECT COUNT(*) FROM object_tags WHERE entity = 'customer'"), 1);

    /* Erase 2: its notes go (REF_DELETE), its tags go, its history is blank. */
    assert_int_equal(entity_erase_references(db_get(), &gadget, 2), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM gadget_notes"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM object_tags WHERE entity = 'gadget'"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM change_log WHERE entity = 'gadget' AND "
                           "object_id = 2 AND (old_value IS NOT NULL OR new_value IS NOT NULL)"),
                     0);
    assert_int_equal(count("SELECT COUNT(*) FROM object_tags WHERE entity = 'customer'"), 1);
}

static void test_import_csv(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof(path), "%s/gadgets.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("器件名,联系电话,颜色,标签\n"
          "Omega,13600136000,green,试件易碎\n"
          ",13500135000,red,\n"
          "Alpha,13400134000,,\n"
          "Sigma,,blue,没有这个标签\n",
          f);
    fclose(f);
    json_t *params = json_loads("{\"import_id\":1,\"entity\":\"gadget\",\"mapping\":{"
                                "\"器件名\":\"name\",\"联系电话\":\"phone\",\"颜色\":"
                                "\"custom.colour\",\"标签\":\"tags\"},\"dry_run\":false,"
                                "\"on_duplicate\":\"skip\",\"lang\":\"zh-CN\"}",
                                0, NULL);
    assert_non_null(params);
    struct job job = {.id = 903,
                      .kind = "import",
                      .user_id = 7,
                      .params = params,
                      .file_path = path,
                      .db = db_get()};
    assert_int_equal(import_run(&job), 0);
    assert_non_null(job.result);
    json_t *res = job.result;
    assert_int_equal(json_integer_value(json_object_get(res, "rows")), 4);
    assert_int_equal(json_integer_value(json_object_get(res, "created")), 1);
    assert_int_equal(json_integer_value(json_object_get(res, "skipped")), 1);
    assert_int_equal(json_integer_value(json_object_get(res, "failed")), 2);
    /* Bad rows are reported with the field labels and the file's columns. */
    json_t *e0 = json_array_get(json_object_get(res, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(e0, "row")), 3);
    assert_non_null(strstr(json_string_value(json_object_get(e0, "message")), "名称"));
    json_t *e1 = json_array_get(json_object_get(res, "errors"), 1);
    assert_string_equal(json_string_value(json_object_get(e1, "column")), "标签");
    /* The new gadget: its phone, custom value and tag. */
    assert_int_equal(count("SELECT COUNT(*) FROM gadgets WHERE name = 'Omega' AND phone = "
                           "'13600136000' AND custom LIKE '%green%'"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM object_tags ot JOIN gadgets g ON g.id = "
                           "ot.object_id WHERE ot.entity = 'gadget' AND g.name = 'Omega'"),
                     1);
    assert_int_equal(gadget_count, 1);
    json_decref(job.result);
    json_decref(params);
    free(job.error);
    /* Put the table back as the other tests expect it. */
    exec("DELETE FROM object_tags WHERE entity = 'gadget' AND object_id > 8");
    exec("DELETE FROM gadgets WHERE id > 8");
}

/* The one list cursor: round trip, forged cursors refused, and paging by
 * (key, id) newest first visits every row once. */
static void test_cursor(void **state)
{
    (void)state;
    json_t *v = json_pack("[s,I]", "Alpha 甲", (json_int_t)42);
    char *c = listing_cursor_encode(v);
    json_t *back = listing_cursor_decode(c, 2);
    assert_true(json_equal(v, back));
    assert_null(listing_cursor_decode(c, 1)); /* not the shape this list uses */
    assert_null(listing_cursor_decode("x' OR 1=1 --", 2));
    assert_null(listing_cursor_decode("12.34", 2)); /* the old text cursors */
    json_decref(back);
    json_decref(v);
    free(c);

    json_t *after = NULL;
    int seen = 0;
    for (int page = 0; page < 10; page++) {
        struct sqlbuf b;
        sqlbuf_init(&b);
        sqlbuf_add(&b, "SELECT g.id, g.weight FROM gadgets g WHERE g.branch_path = '/1/'");
        if (after)
            listing_cursor_after(&b, "CAST(g.weight AS INTEGER)", "g.id", true, after);
        sqlbuf_add(&b, " ORDER BY CAST(g.weight AS INTEGER) DESC, g.id DESC LIMIT 2");
        struct db_stmt *st = db_query(db_get(), b.sql, b.args, b.nargs);
        assert_non_null(st);
        int n = 0;
        while (db_step(st) == 1) {
            n++;
            seen++;
            /* newest first: weights 7, 6, 5, ... one row each */
            assert_int_equal(db_col_int(st, 0), 8 - seen);
            json_decref(after);
            after =
                json_pack("[I,I]", (json_int_t)db_col_int(st, 0), (json_int_t)db_col_int(st, 0));
        }
        db_finish(st);
        sqlbuf_release(&b);
        if (n < 2)
            break;
    }
    json_decref(after);
    assert_int_equal(seen, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_export_csv),
        cmocka_unit_test(test_export_refuses_unknown_column),
        cmocka_unit_test(test_import_csv),
        cmocka_unit_test(test_cursor),
        cmocka_unit_test(test_history_and_references),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
