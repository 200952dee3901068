/*
 * test_filter.c - unit tests for the filter compiler (src/record/filter.c,
 * docs/filter-language.md) on a temporary SQLite database (all migrations
 * applied, a few custom fields and branches added).
 *
 * Each case compiles one JSON tree and checks the exact SQL text and the
 * exact bound values, or the error (message key and the field or operator
 * it names). Every SQL text that compiles is also run against the customer
 * table, so a predicate the compiler writes is one SQLite accepts. User
 * text must only ever appear among the bound values, never in the SQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/clock.h"
#include "crm/customer.h"
#include "record/entity.h"
#include "record/filter.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "testdb.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/hy_filter_XXXXXX";

/* The outcome of one compile: rc, SQL text, bound values rendered as
 * "i:1|t:abc|r:2.5|null", and the error. */
struct outcome {
    int rc;
    char sql[4096];
    char args[2048];
    struct filter_error err;
};

static void render_args(const struct sqlbuf *b, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < b->nargs && len < cap; i++) {
        const struct db_val *v = &b->args[i];
        const char *sep = i ? "|" : "";
        switch (v->type) {
        case DBV_INT:
            len += (size_t)snprintf(out + len, cap - len, "%si:%lld", sep, (long long)v->i);
            break;
        case DBV_REAL:
            len += (size_t)snprintf(out + len, cap - len, "%sr:%g", sep, v->d);
            break;
        case DBV_TEXT:
            len += (size_t)snprintf(out + len, cap - len, "%st:%s", sep, v->s);
            break;
        default:
            len += (size_t)snprintf(out + len, cap - len, "%snull", sep);
            break;
        }
    }
}

/* Run "SELECT COUNT(*) FROM customers c WHERE <sql>" with the values bound:
 * the compiled text must be SQL the database accepts. */
static void assert_runs(const struct sqlbuf *b)
{
    struct sqlbuf q;
    sqlbuf_init(&q);
    sqlbuf_add(&q, "SELECT COUNT(*) FROM customers c WHERE ");
    sqlbuf_append(&q, b);
    int64_t n = -1;
    int rc = db_query_int(db_get(), q.sql, q.args, q.nargs, &n);
    if (rc != 1)
        fail_msg("the database refused the compiled filter (%d): %s", rc, q.sql);
    sqlbuf_release(&q);
}

static struct outcome compile(const char *json)
{
    struct outcome o;
    memset(&o, 0, sizeof(o));
    json_error_t jerr;
    json_t *tree = json_loads(json, JSON_DECODE_ANY, &jerr);
    if (!tree)
        fail_msg("test JSON does not parse: %s: %s", json, jerr.text);
    struct sqlbuf b;
    sqlbuf_init(&b);
    o.rc = filter_compile(db_get(), &entity_customer, tree, &b, &o.err);
    snprintf(o.sql, sizeof(o.sql), "%s", b.sql ? b.sql : "");
    render_args(&b, o.args, sizeof(o.args));
    if (o.rc == 0)
        assert_runs(&b);
    sqlbuf_release(&b);
    json_decref(tree);
    return o;
}

static void expect_sql(const char *json, const char *sql, const char *args)
{
    struct outcome o = compile(json);
    if (o.rc != 0)
        fail_msg("%s: rc %d, error %s (%s)", json, o.rc, o.err.key ? o.err.key : "-", o.err.where);
    assert_string_equal(o.sql, sql);
    assert_string_equal(o.args, args);
}

static void expect_error(const char *json, const char *key, const char *where)
{
    struct outcome o = compile(json);
    if (o.rc != -1)
        fail_msg("%s: rc %d, wanted the error %s; sql %s", json, o.rc, key, o.sql);
    assert_non_null(o.err.key);
    assert_string_equal(o.err.key, key);
    assert_string_equal(o.err.where, where);
}

/* ---- operators over built-in fields, by type ------------------------------- */

static void test_text(void **state)
{
    (void)state;
    expect_sql("{\"field\":\"name\",\"op\":\"eq\",\"value\":\"张三\"}", "(c.name = ?)", "t:张三");
    /* "not equal" includes records without a value */
    expect_sql("{\"field\":\"name\",\"op\":\"ne\",\"value\":\"张三\"}",
               "(c.name <> ? OR c.name IS NULL)", "t:张三");
    expect_sql("{\"field\":\"level\",\"op\":\"in\",\"value\":[\"高价值\",\"普通\"]}",
               "(c.level IN (?, ?))", "t:高价值|t:普通");
    expect_sql("{\"field\":\"level\",\"op\":\"nin\",\"value\":[\"高价值\"]}",
               "(c.level NOT IN (?) OR c.level IS NULL)", "t:高价值");
    /* LIKE patterns with % _ \ escaped */
    expect_sql("{\"field\":\"name\",\"op\":\"contains\",\"value\":\"5%_\\\\x\"}",
               "(c.name LIKE ? ESCAPE '\\')", "t:%5\\%\\_\\\\x%");
    expect_sql("{\"field\":\"region\",\"op\":\"starts_with\",\"value\":\"广东省/广州市\"}",
               "(c.region LIKE ? ESCAPE '\\')", "t:广东省/广州市%");
    /* empty text counts as empty */
    expect_sql("{\"field\":\"occupation\",\"op\":\"is_null\"}",
               "(c.occupation IS NULL OR c.occupation = '')", "");
    expect_sql("{\"field\":\"occupation\",\"op\":\"not_null\"}",
               "(c.occupation IS NOT NULL AND c.occupation <> '')", "");
    /* text is not ordered, and has no list operators */
    expect_error("{\"field\":\"name\",\"op\":\"gt\",\"value\":\"a\"}", "filter.unknown_op", "gt");
    expect_error("{\"field\":\"name\",\"op\":\"lte\",\"value\":\"a\"}", "filter.unknown_op", "lte");
    expect_error("{\"field\":\"name\",\"op\":\"between\",\"value\":[\"a\",\"b\"]}",
                 "filter.unknown_op", "between");
    expect_error("{\"field\":\"name\",\"op\":\"has\",\"value\":\"a\"}", "filter.unknown_op", "has");
    expect_error("{\"field\":\"name\",\"op\":\"within_days\",\"value\":3}", "filter.unknown_op",
                 "within_days");
    expect_error("{\"field\":\"name\",\"op\":\"like\",\"value\":\"a\"}", "filter.unknown_op",
                 "like");
}

static void test_select_and_phone(void **state)
{
    (void)state;
    expect_sql("{\"field\":\"gender\",\"op\":\"eq\",\"value\":\"female\"}", "(c.gender = ?)",
               "t:female");
    expect_sql("{\"field\":\"gender\",\"op\":\"in\",\"value\":[\"male\",\"female\"]}",
               "(c.gender IN (?, ?))", "t:male|t:female");
    expect_sql("{\"field\":\"phone\",\"op\":\"starts_with\",\"value\":\"138\"}",
               "(c.phone LIKE ? ESCAPE '\\')", "t:138%");
    expect_sql("{\"field\":\"phone\",\"op\":\"is_null\"}", "(c.phone IS NULL OR c.phone = '')", "");
    expect_error("{\"field\":\"gender\",\"op\":\"gte\",\"value\":\"male\"}", "filter.unknown_op",
                 "gte");
    expect_error("{\"field\":\"phone\",\"op\":\"eq\",\"value\":13800138000}", "filter.bad_value",
                 "eq");
}

static void test_int(void **state)
{
    (void)state;
    expect_sql("{\"field\":\"visits_90d\",\"op\":\"eq\",\"value\":3}", "(c.visits_90d = ?)", "i:3");
    expect_sql("{\"field\":\"visits_90d\",\"op\":\"lt\",\"value\":3}", "(c.visits_90d < ?)", "i:3");
    expect_sql("{\"field\":\"visits_90d\",\"op\":\"lte\",\"value\":3}", "(c.visits_90d <= ?)",
               "i:3");
    expect_sql("{\"field\":\"visits_90d\",\"op\":\"gt\",\"value\":3}", "(c.visits_90d > ?)", "i:3");
    expect_sql("{\"field\":\"visits_90d\",\"op\":\"gte\",\"value\":-1}", "(c.visits_90d >= ?)",
               "i:-1");
    expect_sql("{\"field\":\"visits_90d\",\"op\":\"between\",\"value\":[1,5]}",
               "(c.visits_90d BETWEEN ? AND ?)", "i:1|i:5");
    expect_sql("{\"field\":\"owner_id\",\"op\":\"nin\",\"value\":[7,8]}",
               "(c.owner_id NOT IN (?, ?) OR c.owner_id IS NULL)", "i:7|i:8");
    expect_sql("{\"field\":\"owner_id\",\"op\":\"is_null\"}", "(c.owner_id IS NULL)", "");
    expect_sql("{\"field\":\"owner_id\",\"op\":\"not_null\"}", "(c.owner_id IS NOT NULL)", "");
    /* integers only */
    expect_error("{\"field\":\"visits_90d\",\"op\":\"eq\",\"value\":\"3\"}", "filter.bad_value",
                 "eq");
    expect_error("{\"field\":\"visits_90d\",\"op\":\"eq\",\"value\":2.5}", "filter.bad_value",
                 "eq");
    expect_error("{\"field\":\"visits_90d\",\"op\":\"in\",\"value\":[1,\"x\"]}", "filter.bad_value",
                 "in");
    expect_error("{\"field\":\"visits_90d\",\"op\":\"between\",\"value\":[1]}", "filter.bad_value",
                 "between");
    expect_error("{\"field\":\"visits_90d\",\"op\":\"between\",\"value\":[1,2,3]}",
                 "filter.bad_value", "between");
    expect_error("{\"field\":\"visits_90d\",\"op\":\"contains\",\"value\":\"1\"}",
                 "filter.unknown_op", "contains");
}

static void test_money(void **state)
{
    (void)state;
    /* a number, or text that is one */
    expect_sql("{\"field\":\"spend_12m\",\"op\":\"gt\",\"value\":99.5}",
               "((c.spend_12m_fen / 100.0) > ?)", "r:99.5");
    expect_sql("{\"field\":\"spend_12m\",\"op\":\"lte\",\"value\":\"50\"}",
               "((c.spend_12m_fen / 100.0) <= ?)", "r:50");
    expect_sql("{\"field\":\"spend_12m\",\"op\":\"between\",\"value\":[0,\"1e3\"]}",
               "((c.spend_12m_fen / 100.0) BETWEEN ? AND ?)", "r:0|r:1000");
    expect_error("{\"field\":\"spend_12m\",\"op\":\"gt\",\"value\":\"50元\"}", "filter.bad_value",
                 "gt");
    expect_error("{\"field\":\"spend_12m\",\"op\":\"gt\",\"value\":\"\"}", "filter.bad_value",
                 "gt");
    expect_error("{\"field\":\"spend_12m\",\"op\":\"gt\",\"value\":true}", "filter.bad_value",
                 "gt");
    expect_error("{\"field\":\"spend_12m\",\"op\":\"starts_with\",\"value\":\"5\"}",
                 "filter.unknown_op", "starts_with");
}

static void test_date(void **state)
{
    (void)state;
    expect_sql("{\"field\":\"birthday\",\"op\":\"eq\",\"value\":\"1990-05-01\"}",
               "(c.birthday = ?)", "t:1990-05-01");
    expect_sql("{\"field\":\"birthday\",\"op\":\"gte\",\"value\":\"1990-05-01\"}",
               "(c.birthday >= ?)", "t:1990-05-01");
    expect_sql(
        "{\"field\":\"birthday\",\"op\":\"between\",\"value\":[\"1990-01-01\",\"1990-12-31\"]}",
        "(c.birthday BETWEEN ? AND ?)", "t:1990-01-01|t:1990-12-31");
    expect_sql("{\"field\":\"birthday\",\"op\":\"starts_with\",\"value\":\"1990-\"}",
               "(c.birthday LIKE ? ESCAPE '\\')", "t:1990-%");
    expect_sql("{\"field\":\"birthday\",\"op\":\"is_null\"}",
               "(c.birthday IS NULL OR c.birthday = '')", "");
    /* relative to today: the clock is at 2026-12-03 12:00 (+08:00) */
    expect_sql("{\"field\":\"birthday\",\"op\":\"within_days\",\"value\":2}", "(c.birthday >= ?)",
               "t:2026-12-01");
    expect_sql("{\"field\":\"birthday\",\"op\":\"older_than_days\",\"value\":0}",
               "(c.birthday < ? OR c.birthday IS NULL)", "t:2026-12-03");
    expect_error("{\"field\":\"birthday\",\"op\":\"eq\",\"value\":\"1990-5-1\"}",
                 "filter.bad_value", "eq");
    expect_error("{\"field\":\"birthday\",\"op\":\"eq\",\"value\":\"1990-02-30\"}",
                 "filter.bad_value", "eq");
    expect_error("{\"field\":\"birthday\",\"op\":\"lt\",\"value\":19900501}", "filter.bad_value",
                 "lt");
    expect_error("{\"field\":\"birthday\",\"op\":\"between\",\"value\":[\"1990-01-01\",\"x\"]}",
                 "filter.bad_value", "between");
    expect_error("{\"field\":\"birthday\",\"op\":\"within_days\",\"value\":-1}", "filter.bad_value",
                 "within_days");
    expect_error("{\"field\":\"birthday\",\"op\":\"within_days\",\"value\":36501}",
                 "filter.bad_value", "within_days");
    expect_error("{\"field\":\"birthday\",\"op\":\"within_days\",\"value\":\"3\"}",
                 "filter.bad_value", "within_days");
}

static void test_time(void **state)
{
    (void)state;
    int64_t day;
    assert_int_equal(clock_parse_date("2026-12-01", &day), 0);
    char want[256];
    /* a date stands for the start of its day, or its last second at the
     * upper end (lte, gt, the second value of between) */
    snprintf(want, sizeof(want), "i:%lld", (long long)day);
    expect_sql("{\"field\":\"created_at\",\"op\":\"gte\",\"value\":\"2026-12-01\"}",
               "(c.created_at >= ?)", want);
    expect_sql("{\"field\":\"created_at\",\"op\":\"lt\",\"value\":\"2026-12-01\"}",
               "(c.created_at < ?)", want);
    snprintf(want, sizeof(want), "i:%lld", (long long)day + 86399);
    expect_sql("{\"field\":\"created_at\",\"op\":\"lte\",\"value\":\"2026-12-01\"}",
               "(c.created_at <= ?)", want);
    expect_sql("{\"field\":\"created_at\",\"op\":\"gt\",\"value\":\"2026-12-01\"}",
               "(c.created_at > ?)", want);
    snprintf(want, sizeof(want), "i:%lld|i:%lld", (long long)day, (long long)day + 86399);
    expect_sql(
        "{\"field\":\"created_at\",\"op\":\"between\",\"value\":[\"2026-12-01\",\"2026-12-01\"]}",
        "(c.created_at BETWEEN ? AND ?)", want);
    /* a full time, or Unix seconds, stands for itself */
    int64_t t;
    assert_int_equal(clock_parse_iso("2026-12-01T10:00:00+08:00", &t), 0);
    snprintf(want, sizeof(want), "i:%lld", (long long)t);
    expect_sql("{\"field\":\"updated_at\",\"op\":\"lte\",\"value\":\"2026-12-01T10:00:00+08:00\"}",
               "(c.updated_at <= ?)", want);
    expect_sql("{\"field\":\"updated_at\",\"op\":\"eq\",\"value\":1764554400}",
               "(c.updated_at = ?)", "i:1764554400");
    expect_sql("{\"field\":\"last_visit_at\",\"op\":\"is_null\"}", "(c.last_visit_at IS NULL)", "");

    /* within_days / older_than_days: a cut-off in Unix seconds; "older than"
     * includes never */
    int64_t before = clock_now() - 180 * 86400;
    struct outcome o =
        compile("{\"field\":\"last_visit_at\",\"op\":\"older_than_days\",\"value\":180}");
    int64_t after = clock_now() - 180 * 86400;
    assert_int_equal(o.rc, 0);
    assert_string_equal(o.sql, "(c.last_visit_at < ? OR c.last_visit_at IS NULL)");
    long long cut = 0;
    assert_int_equal(sscanf(o.args, "i:%lld", &cut), 1);
    assert_in_range(cut, before, after);
    o = compile("{\"field\":\"last_visit_at\",\"op\":\"within_days\",\"value\":7}");
    assert_int_equal(o.rc, 0);
    assert_string_equal(o.sql, "(c.last_visit_at >= ?)");

    expect_error("{\"field\":\"created_at\",\"op\":\"gt\",\"value\":\"yesterday\"}",
                 "filter.bad_value", "gt");
    expect_error("{\"field\":\"created_at\",\"op\":\"gt\",\"value\":1.5}", "filter.bad_value",
                 "gt");
    expect_error("{\"field\":\"created_at\",\"op\":\"contains\",\"value\":\"2026\"}",
                 "filter.unknown_op", "contains");
}

static void test_boolean(void **state)
{
    (void)state;
    expect_sql("{\"field\":\"birthday_lunar\",\"op\":\"eq\",\"value\":true}",
               "(c.birthday_lunar = ?)", "i:1");
    expect_sql("{\"field\":\"birthday_lunar\",\"op\":\"eq\",\"value\":false}",
               "(c.birthday_lunar = ?)", "i:0");
    expect_sql("{\"field\":\"birthday_lunar\",\"op\":\"in\",\"value\":[true]}",
               "(c.birthday_lunar IN (?))", "i:1");
    expect_sql("{\"field\":\"birthday_lunar\",\"op\":\"not_null\"}",
               "(c.birthday_lunar IS NOT NULL)", "");
    /* only eq (and the list forms) for a boolean */
    expect_error("{\"field\":\"birthday_lunar\",\"op\":\"ne\",\"value\":true}", "filter.unknown_op",
                 "ne");
    expect_error("{\"field\":\"birthday_lunar\",\"op\":\"eq\",\"value\":1}", "filter.bad_value",
                 "eq");
    expect_error("{\"field\":\"birthday_lunar\",\"op\":\"eq\",\"value\":\"true\"}",
                 "filter.bad_value", "eq");
    expect_error("{\"field\":\"birthday_lunar\",\"op\":\"contains\",\"value\":\"t\"}",
                 "filter.unknown_op", "contains");
}

static void test_arrays_and_tags(void **state)
{
    (void)state;
    const char *has = "EXISTS (SELECT 1 FROM json_each(c.interests) WHERE json_each.value = ?)";
    char want[1024];
    snprintf(want, sizeof(want), "(%s)", has);
    expect_sql("{\"field\":\"interests\",\"op\":\"has\",\"value\":\"集邮\"}", want, "t:集邮");
    snprintf(want, sizeof(want), "(%s OR %s)", has, has);
    expect_sql("{\"field\":\"interests\",\"op\":\"has_any\",\"value\":[\"集邮\",\"理财\"]}", want,
               "t:集邮|t:理财");
    snprintf(want, sizeof(want), "(%s AND %s)", has, has);
    expect_sql("{\"field\":\"interests\",\"op\":\"has_all\",\"value\":[\"集邮\",\"理财\"]}", want,
               "t:集邮|t:理财");
    /* empty lists count as empty */
    expect_sql("{\"field\":\"top_types\",\"op\":\"is_null\"}",
               "(c.top_types IS NULL OR c.top_types = '' OR c.top_types = '[]')", "");

    const char *tag_by_name = "EXISTS (SELECT 1 FROM object_tags ot JOIN tags t ON t.id = "
                              "ot.tag_id WHERE ot.entity = 'customer' AND ot.object_id = c.id AND "
                              "t.name = ?)";
    const char *tag_by_id = "EXISTS (SELECT 1 FROM object_tags ot JOIN tags t ON t.id = "
                            "ot.tag_id WHERE ot.entity = 'customer' AND ot.object_id = c.id AND "
                            "t.id = ?)";
    snprintf(want, sizeof(want), "(%s)", tag_by_name);
    expect_sql("{\"field\":\"tags\",\"op\":\"has\",\"value\":\"集邮爱好者\"}", want,
               "t:集邮爱好者");
    snprintf(want, sizeof(want), "(%s OR %s)", tag_by_id, tag_by_name);
    expect_sql("{\"field\":\"tags\",\"op\":\"has_any\",\"value\":[3,\"理财需求\"]}", want,
               "i:3|t:理财需求");
    expect_sql("{\"field\":\"tags\",\"op\":\"is_null\"}",
               "(NOT EXISTS (SELECT 1 FROM object_tags ot WHERE ot.entity = 'customer' AND "
               "ot.object_id = c.id))",
               "");
    expect_sql("{\"field\":\"tags\",\"op\":\"not_null\"}",
               "(EXISTS (SELECT 1 FROM object_tags ot WHERE ot.entity = 'customer' AND "
               "ot.object_id = c.id))",
               "");

    /* only has / has_any / has_all (and the null checks) on lists */
    expect_error("{\"field\":\"interests\",\"op\":\"eq\",\"value\":\"集邮\"}", "filter.unknown_op",
                 "eq");
    expect_error("{\"field\":\"tags\",\"op\":\"contains\",\"value\":\"集\"}", "filter.unknown_op",
                 "contains");
    expect_error("{\"field\":\"interests\",\"op\":\"has\",\"value\":[\"a\",\"b\"]}",
                 "filter.bad_value", "has");
    expect_error("{\"field\":\"interests\",\"op\":\"has_any\",\"value\":[]}", "filter.bad_value",
                 "has_any");
    expect_error("{\"field\":\"interests\",\"op\":\"has_any\",\"value\":[1]}", "filter.bad_value",
                 "has_any");
    expect_error("{\"field\":\"tags\",\"op\":\"has\",\"value\":true}", "filter.bad_value", "has");
    expect_error("{\"field\":\"tags\",\"op\":\"has\",\"value\":2.5}", "filter.bad_value", "has");
}

static void test_branch(void **state)
{
    (void)state;
    /* the branch and everything below it: a range on the materialised path */
    expect_sql("{\"field\":\"branch_id\",\"op\":\"eq\",\"value\":2}",
               "((c.branch_path >= ? AND c.branch_path < ?))", "t:/1/2/|t:/1/20");
    expect_sql("{\"field\":\"branch_id\",\"op\":\"in\",\"value\":[1,2]}",
               "((c.branch_path >= ? AND c.branch_path < ?) OR (c.branch_path >= ? AND "
               "c.branch_path < ?))",
               "t:/1/|t:/10|t:/1/2/|t:/1/20");
    /* a branch that does not exist finds nothing */
    expect_sql("{\"field\":\"branch_id\",\"op\":\"eq\",\"value\":999}", "(1 = 0)", "");
    expect_error("{\"field\":\"branch_id\",\"op\":\"ne\",\"value\":1}", "filter.unknown_op", "ne");
    expect_error("{\"field\":\"branch_id\",\"op\":\"gt\",\"value\":1}", "filter.unknown_op", "gt");
    expect_error("{\"field\":\"branch_id\",\"op\":\"eq\",\"value\":\"1\"}", "filter.bad_value",
                 "eq");
    expect_error("{\"field\":\"branch_id\",\"op\":\"in\",\"value\":[]}", "filter.bad_value", "in");
    expect_error("{\"field\":\"branch_id\",\"op\":\"in\",\"value\":[1,\"2\"]}", "filter.bad_value",
                 "in");
}

/* ---- custom fields: typed by their definition ------------------------------- */

static void test_custom(void **state)
{
    (void)state;
    const char *txt = "json_extract(c.custom, '$.\"' || ? || '\"')";
    char sql[1024];
    snprintf(sql, sizeof(sql), "(%s = ?)", txt);
    expect_sql("{\"field\":\"custom.wechat\",\"op\":\"eq\",\"value\":\"zs_1949\"}", sql,
               "t:wechat|t:zs_1949");
    snprintf(sql, sizeof(sql), "(%s <> ? OR %s IS NULL)", txt, txt);
    expect_sql("{\"field\":\"custom.wechat\",\"op\":\"ne\",\"value\":\"x\"}", sql,
               "t:wechat|t:x|t:wechat");
    snprintf(sql, sizeof(sql), "(%s LIKE ? ESCAPE '\\')", txt);
    expect_sql("{\"field\":\"custom.notes\",\"op\":\"contains\",\"value\":\"急\"}", sql,
               "t:notes|t:%急%");
    expect_sql("{\"field\":\"custom.email\",\"op\":\"contains\",\"value\":\"@example.com\"}", sql,
               "t:email|t:%@example.com%");
    expect_sql("{\"field\":\"custom.backup_phone\",\"op\":\"starts_with\",\"value\":\"139\"}", sql,
               "t:backup_phone|t:139%");
    /* numbers and money compare as numbers, text that is one included */
    snprintf(sql, sizeof(sql), "(CAST(%s AS DOUBLE PRECISION) > ?)", txt);
    expect_sql("{\"field\":\"custom.deposit\",\"op\":\"gt\",\"value\":\"50\"}", sql,
               "t:deposit|r:50");
    snprintf(sql, sizeof(sql), "(CAST(%s AS DOUBLE PRECISION) BETWEEN ? AND ?)", txt);
    expect_sql("{\"field\":\"custom.children\",\"op\":\"between\",\"value\":[1,3]}", sql,
               "t:children|r:1|r:3");
    snprintf(sql, sizeof(sql), "(CAST(%s AS DOUBLE PRECISION) IN (?, ?))", txt);
    expect_sql("{\"field\":\"custom.children\",\"op\":\"in\",\"value\":[1,2]}", sql,
               "t:children|r:1|r:2");
    /* dates as YYYY-MM-DD text */
    snprintf(sql, sizeof(sql), "(%s BETWEEN ? AND ?)", txt);
    expect_sql("{\"field\":\"custom.anniversary\",\"op\":\"between\",\"value\":[\"2000-01-01\","
               "\"2000-12-31\"]}",
               sql, "t:anniversary|t:2000-01-01|t:2000-12-31");
    /* select: any text (an unknown option finds nothing) */
    snprintf(sql, sizeof(sql), "(%s IN (?, ?))", txt);
    expect_sql("{\"field\":\"custom.channel\",\"op\":\"in\",\"value\":[\"wx\",\"nope\"]}", sql,
               "t:channel|t:wx|t:nope");
    /* booleans as true / false */
    snprintf(sql, sizeof(sql), "(%s = ?)", txt);
    expect_sql("{\"field\":\"custom.vip\",\"op\":\"eq\",\"value\":true}", sql, "t:vip|i:1");
    /* multi-select: has / has_any / has_all on the JSON array */
    snprintf(sql, sizeof(sql),
             "(EXISTS (SELECT 1 FROM json_each(%s) WHERE json_each.value = ?) AND EXISTS (SELECT "
             "1 FROM json_each(%s) WHERE json_each.value = ?))",
             txt, txt);
    expect_sql("{\"field\":\"custom.hobbies\",\"op\":\"has_all\",\"value\":[\"stamps\",\"books\"]}",
               sql, "t:hobbies|t:stamps|t:hobbies|t:books");
    snprintf(sql, sizeof(sql), "(%s IS NULL OR %s = '' OR %s = '[]')", txt, txt, txt);
    expect_sql("{\"field\":\"custom.hobbies\",\"op\":\"is_null\"}", sql,
               "t:hobbies|t:hobbies|t:hobbies");

    /* the definition's type decides the operators and values */
    expect_error("{\"field\":\"custom.nokey\",\"op\":\"eq\",\"value\":\"x\"}",
                 "filter.unknown_field", "custom.nokey");
    expect_error("{\"field\":\"custom.wechat\",\"op\":\"gt\",\"value\":\"x\"}", "filter.unknown_op",
                 "gt");
    expect_error("{\"field\":\"custom.deposit\",\"op\":\"gt\",\"value\":\"lots\"}",
                 "filter.bad_value", "gt");
    expect_error("{\"field\":\"custom.anniversary\",\"op\":\"gt\",\"value\":\"soon\"}",
                 "filter.bad_value", "gt");
    expect_error("{\"field\":\"custom.vip\",\"op\":\"eq\",\"value\":\"yes\"}", "filter.bad_value",
                 "eq");
    expect_error("{\"field\":\"custom.vip\",\"op\":\"ne\",\"value\":true}", "filter.unknown_op",
                 "ne");
    expect_error("{\"field\":\"custom.hobbies\",\"op\":\"eq\",\"value\":\"stamps\"}",
                 "filter.unknown_op", "eq");
    expect_error("{\"field\":\"custom.children\",\"op\":\"contains\",\"value\":\"1\"}",
                 "filter.unknown_op", "contains");
}

/* ---- the tree: and / or / not, nesting, limits -------------------------------- */

static void test_nesting(void **state)
{
    (void)state;
    expect_sql("{\"and\":[{\"field\":\"name\",\"op\":\"eq\",\"value\":\"a\"},"
               "{\"or\":[{\"field\":\"level\",\"op\":\"eq\",\"value\":\"b\"},"
               "{\"not\":{\"field\":\"visits_90d\",\"op\":\"gt\",\"value\":2}}]}]}",
               "((c.name = ?) AND ((c.level = ?) OR (NOT (c.visits_90d > ?))))", "t:a|t:b|i:2");
    /* empty lists: "and" of nothing is true, "or" of nothing is false */
    expect_sql("{\"and\":[]}", "(1 = 1)", "");
    expect_sql("{\"or\":[]}", "(1 = 0)", "");
    expect_sql("{\"not\":{\"and\":[]}}", "(NOT (1 = 1))", "");
    /* a single child keeps its own parentheses */
    expect_sql("{\"or\":[{\"field\":\"name\",\"op\":\"eq\",\"value\":\"a\"}]}", "((c.name = ?))",
               "t:a");

    /* shapes that are not a filter */
    expect_error("[]", "filter.invalid", "");
    expect_error("\"name\"", "filter.invalid", "");
    expect_error("{\"and\":{}}", "filter.invalid", "");
    expect_error("{\"and\":[],\"or\":[]}", "filter.invalid", "");
    expect_error("{\"and\":[1]}", "filter.invalid", "");
    expect_error("{\"not\":[]}", "filter.invalid", "");
    expect_error("{}", "filter.invalid", "");
    expect_error("{\"field\":\"name\",\"value\":\"a\"}", "filter.invalid", "name");
    expect_error("{\"op\":\"eq\",\"value\":\"a\"}", "filter.invalid", "");
    expect_error("{\"field\":5,\"op\":\"eq\",\"value\":\"a\"}", "filter.invalid", "");
    /* a missing value is a bad value, not a crash */
    expect_error("{\"field\":\"name\",\"op\":\"eq\"}", "filter.bad_value", "eq");
    expect_error("{\"field\":\"name\",\"op\":\"in\"}", "filter.bad_value", "in");
    expect_error("{\"field\":\"tags\",\"op\":\"has\"}", "filter.bad_value", "has");
}

static void test_unknown_field(void **state)
{
    (void)state;
    expect_error("{\"field\":\"nope\",\"op\":\"eq\",\"value\":1}", "filter.unknown_field", "nope");
    /* a column that exists but is not filterable is unknown too */
    expect_error("{\"field\":\"password_hash\",\"op\":\"eq\",\"value\":\"x\"}",
                 "filter.unknown_field", "password_hash");
    expect_error("{\"field\":\"name; DROP TABLE customers\",\"op\":\"eq\",\"value\":\"x\"}",
                 "filter.unknown_field", "name; DROP TABLE customers");
    expect_error("{\"and\":[{\"field\":\"name\",\"op\":\"eq\",\"value\":\"a\"},"
                 "{\"field\":\"c.name\",\"op\":\"eq\",\"value\":\"b\"}]}",
                 "filter.unknown_field", "c.name");
}

/* A chain of n "not" around one condition. */
static char *nested_not(int n)
{
    size_t cap = (size_t)n * 16 + 128;
    char *s = malloc(cap);
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "{\"not\":");
    len +=
        (size_t)snprintf(s + len, cap - len, "{\"field\":\"name\",\"op\":\"eq\",\"value\":\"a\"}");
    for (int i = 0; i < n; i++)
        s[len++] = '}';
    s[len] = '\0';
    return s;
}

/* An "and" of n conditions. */
static char *many_conditions(int n)
{
    size_t cap = (size_t)n * 64 + 32;
    char *s = malloc(cap);
    size_t len = (size_t)snprintf(s, cap, "{\"and\":[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                "%s{\"field\":\"visits_90d\",\"op\":\"eq\",\"value\":%d}",
                                i ? "," : "", i);
    snprintf(s + len, cap - len, "]}");
    return s;
}

static void test_limits(void **state)
{
    (void)state;
    /* depth: the root is level 0, at most FILTER_MAX_DEPTH below it */
    char *ok = nested_not(FILTER_MAX_DEPTH);
    struct outcome o = compile(ok);
    assert_int_equal(o.rc, 0);
    free(ok);
    char *deep = nested_not(FILTER_MAX_DEPTH + 1);
    expect_error(deep, "filter.too_complex", "");
    free(deep);
    deep = nested_not(1000); /* refused at the first level too deep */
    expect_error(deep, "filter.too_complex", "");
    free(deep);

    /* number of conditions, counted over the whole tree */
    char *hundred = many_conditions(FILTER_MAX_CONDITIONS);
    o = compile(hundred);
    assert_int_equal(o.rc, 0);
    free(hundred);
    char *more = many_conditions(FILTER_MAX_CONDITIONS + 1);
    expect_error(more, "filter.too_complex", "");
    free(more);

    /* value lengths: text up to 200 characters, lists up to 100 (in) / 50
     * (has, branch) items, field names up to 64 and operators up to 20 bytes */
    char text[256], json[512];
    memset(text, 'x', 200);
    text[200] = '\0';
    snprintf(json, sizeof(json), "{\"field\":\"name\",\"op\":\"eq\",\"value\":\"%s\"}", text);
    o = compile(json);
    assert_int_equal(o.rc, 0);
    text[200] = 'x';
    text[201] = '\0';
    snprintf(json, sizeof(json), "{\"field\":\"name\",\"op\":\"eq\",\"value\":\"%s\"}", text);
    expect_error(json, "filter.bad_value", "eq");
    snprintf(json, sizeof(json), "{\"field\":\"name\",\"op\":\"contains\",\"value\":\"%s\"}", text);
    expect_error(json, "filter.bad_value", "contains");
    snprintf(json, sizeof(json), "{\"field\":\"interests\",\"op\":\"has\",\"value\":\"%s\"}", text);
    expect_error(json, "filter.bad_value", "has");
    expect_error("{\"field\":\"name\",\"op\":\"contains\",\"value\":\"\"}", "filter.bad_value",
                 "contains");

    char list[2048];
    size_t len = (size_t)snprintf(list, sizeof(list),
                                  "{\"field\":\"visits_90d\",\"op\":\"in\","
                                  "\"value\":[");
    for (int i = 0; i < 101; i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d", i ? "," : "", i);
    snprintf(list + len, sizeof(list) - len, "]}");
    expect_error(list, "filter.bad_value", "in");
    expect_error("{\"field\":\"visits_90d\",\"op\":\"in\",\"value\":[]}", "filter.bad_value", "in");
    expect_error("{\"field\":\"visits_90d\",\"op\":\"in\",\"value\":3}", "filter.bad_value", "in");

    memset(text, 'f', 65);
    text[65] = '\0';
    snprintf(json, sizeof(json), "{\"field\":\"%s\",\"op\":\"eq\",\"value\":1}", text);
    expect_error(json, "filter.invalid", text);
    memset(text, 'o', 21);
    text[21] = '\0';
    snprintf(json, sizeof(json), "{\"field\":\"name\",\"op\":\"%s\",\"value\":1}", text);
    expect_error(json, "filter.invalid", "name");
}

/* User text never reaches the SQL: it is all bound. */
static void test_values_are_bound(void **state)
{
    (void)state;
    static const char *const hostile[] = {"' OR 1=1 --", "\"); DROP TABLE customers; --", "%_\\",
                                          "张三'"};
    static const char *const ops[] = {"eq", "ne", "contains", "starts_with"};
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
            json_t *tree =
                json_pack("{s:s,s:s,s:s}", "field", "name", "op", ops[k], "value", hostile[i]);
            char *text = json_dumps(tree, 0);
            struct outcome o = compile(text);
            assert_int_equal(o.rc, 0);
            assert_null(strstr(o.sql, hostile[i]));
            assert_null(strstr(o.sql, "DROP"));
            assert_null(strstr(o.sql, "1=1"));
            free(text);
            json_decref(tree);
        }
    }
}

static int setup(void **state)
{
    (void)state;
    if (testdb_open(dir, "filter.db", true))
        return -1;
    struct db *db = db_get();
    if (db_exec(db,
                "INSERT INTO branches (id, code, name, level, path, parent_id, created_at, "
                "updated_at) VALUES (2, 'B2', '下级网点', 'branch', '/1/2/', 1, 0, 0)",
                DB_NOARGS))
        return -1;
    static const char *const defs[][3] = {
        {"wechat", "text", "[]"},
        {"notes", "textarea", "[]"},
        {"children", "number", "[]"},
        {"deposit", "money", "[]"},
        {"anniversary", "date", "[]"},
        {"channel", "select", "[{\"value\":\"wx\",\"label\":\"微信\"}]"},
        {"hobbies", "multiselect",
         "[{\"value\":\"stamps\",\"label\":\"集邮\"},{\"value\":\"books\",\"label\":\"读书\"}]"},
        {"backup_phone", "phone", "[]"},
        {"email", "email", "[]"},
        {"vip", "boolean", "[]"},
    };
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        if (db_exec(db,
                    "INSERT INTO custom_fields (entity, key, label, type, options, created_at, "
                    "updated_at) VALUES ('customer', ?, ?, ?, ?, 0, 0)",
                    DB_ARGS(DB_TEXT(defs[i][0]), DB_TEXT(defs[i][0]), DB_TEXT(defs[i][1]),
                            DB_TEXT(defs[i][2]))))
            return -1;
    /* 2026-12-03 12:00 at +08:00 */
    int64_t t;
    if (clock_parse_iso("2026-12-03T12:00:00+08:00", &t))
        return -1;
    clock_set(t);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return testdb_close(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),    cmocka_unit_test(test_select_and_phone),
        cmocka_unit_test(test_int),     cmocka_unit_test(test_money),
        cmocka_unit_test(test_date),    cmocka_unit_test(test_time),
        cmocka_unit_test(test_boolean), cmocka_unit_test(test_arrays_and_tags),
        cmocka_unit_test(test_branch),  cmocka_unit_test(test_custom),
        cmocka_unit_test(test_nesting), cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_limits),  cmocka_unit_test(test_values_are_bound),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
