/*
 * test_dbrow.c - a database error is never "not found": db_query_row,
 * db_query_int, db_query_id and listing_one keep the three answers apart
 * (a row, no row, a failure) on a temporary SQLite database, the failure
 * coming at prepare time (bad SQL) or at step time (integer overflow).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/xmalloc.h"
#include "core/listing.h"
#include "db/db.h"
#include "testdb.h"

#include <stdlib.h>

static char dir[] = "/tmp/hy_dbrow_XXXXXX";

/* Fails in sqlite3_step, not in prepare: abs() of the smallest integer. */
#define STEP_ERROR "SELECT abs(-9223372036854775807 - 1) WHERE ? = ?"

static void test_query_row(void **state)
{
    (void)state;
    struct db *db = db_get();
    struct db_stmt *st;
    assert_int_equal(
        db_query_row(db, &st, "SELECT code FROM branches WHERE id = ?", DB_ARGS(DB_INT(1))), 1);
    assert_non_null(st);
    assert_string_equal(db_col_text(st, 0), "B1");
    db_finish(st);
    assert_int_equal(
        db_query_row(db, &st, "SELECT code FROM branches WHERE id = ?", DB_ARGS(DB_INT(99))), 0);
    assert_null(st);
    assert_true(db_query_row(db, &st, "SELECT nope FROM nowhere", DB_NOARGS) < 0);
    assert_null(st);
    assert_true(db_query_row(db, &st, STEP_ERROR, DB_ARGS(DB_INT(1), DB_INT(1))) < 0);
    assert_null(st);
}

static void test_query_int_and_id(void **state)
{
    (void)state;
    struct db *db = db_get();
    int64_t v = -1;
    assert_int_equal(
        db_query_int(db, "SELECT id FROM branches WHERE code = ?", DB_ARGS(DB_TEXT("B1")), &v), 1);
    assert_int_equal(v, 1);
    assert_int_equal(
        db_query_int(db, "SELECT id FROM branches WHERE code = ?", DB_ARGS(DB_TEXT("B9")), &v), 0);
    assert_true(db_query_int(db, STEP_ERROR, DB_ARGS(DB_INT(1), DB_INT(1)), &v) < 0);
    assert_int_equal(
        db_query_id(db, "SELECT id FROM branches WHERE code = ?", DB_ARGS(DB_TEXT("B1")), &v), 0);
    /* A row that must be there and is not is an error too. */
    assert_int_equal(
        db_query_id(db, "SELECT id FROM branches WHERE code = ?", DB_ARGS(DB_TEXT("B9")), &v),
        DB_ERROR);
    assert_true(db_query_id(db, STEP_ERROR, DB_ARGS(DB_INT(1), DB_INT(1)), &v) < 0);
}

static void test_listing_one(void **state)
{
    (void)state;
    struct db *db = db_get();
    json_t *o = NULL;
    assert_int_equal(listing_one(db, NULL, &o, NULL,
                                 "SELECT id, code, created_at FROM branches WHERE id = ?",
                                 DB_ARGS(DB_INT(1))),
                     1);
    assert_string_equal(json_string_value(json_object_get(o, "code")), "B1");
    assert_true(json_is_string(json_object_get(o, "created_at"))); /* ISO time */
    json_decref(o);
    assert_int_equal(listing_one(db, NULL, &o, NULL, "SELECT id FROM branches WHERE id = ?",
                                 DB_ARGS(DB_INT(99))),
                     0);
    assert_null(o);
    assert_true(listing_one(db, NULL, &o, NULL, STEP_ERROR, DB_ARGS(DB_INT(1), DB_INT(1))) < 0);
    assert_null(o);
    /* A list that fails part way is no shorter list. */
    assert_null(listing_rows(db_query(db,
                                      "SELECT 1 AS a UNION ALL SELECT abs(-9223372036854775807 - "
                                      "1)",
                                      DB_NOARGS),
                             NULL, NULL));
}

int main(void)
{
    json_set_alloc_funcs(xmalloc, free);
    if (testdb_open(dir, "t.db", true))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_row),
        cmocka_unit_test(test_query_int_and_id),
        cmocka_unit_test(test_listing_one),
    };
    int failed = cmocka_run_group_tests_name("dbrow", tests, NULL, NULL);
    testdb_close(dir);
    return failed;
}
