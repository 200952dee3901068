/*
 * test_bulk.c - bulk loading of customers on a temporary SQLite database
 * (all migrations applied). Between customer_batch_bulk_begin and the end of the
 * transaction the secondary indexes are gone; a rollback must bring back
 * every one of them and leave no row behind, and customer_batch_bulk_finish must
 * rebuild exactly the definitions there were, with every name fragment of
 * the new rows in the fragment table. A batch hands out customer numbers
 * from a reserved block; a number is never handed out twice, also not by a
 * single insert after the batch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/perm.h"
#include "auth/actor.h"
#include "auth/session.h"
#include "crm/customer.h"
#include "db/db.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/hy_bulk_XXXXXX";
static const struct actor admin = {.id = 1, .perms = PERM_ADMIN};
/* A clerk of another branch than the customers below (branch 1, "/1/"). */
static const struct actor other_clerk = {.id = 2, .branch_path = "/9/"};

/* "name sql" of every index with a statement, in name order, '\n' joined. */
static char *schema_indexes(void)
{
    struct db_stmt *st = db_query(db_get(),
                                  "SELECT name || ' ' || sql FROM sqlite_schema WHERE type = "
                                  "'index' AND sql IS NOT NULL ORDER BY name",
                                  DB_NOARGS);
    assert_non_null(st);
    size_t len = 0;
    char *out = calloc(1, 1);
    while (db_step(st) == 1) {
        const char *s = db_col_text(st, 0);
        out = realloc(out, len + strlen(s) + 2);
        len += (size_t)snprintf(out + len, strlen(s) + 2, "%s\n", s);
    }
    db_finish(st);
    return out;
}

static int64_t count(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int(db_get(), sql, DB_NOARGS, &n), 1);
    return n;
}

static void insert(struct customer_batch *b, const char *name, const char *phone)
{
    struct actor u = {0};
    json_t *rec = json_pack("{s:s,s:s,s:I,s:s}", "name", name, "phone", phone, "branch_id",
                            (json_int_t)1, "branch_path", "/1/");
    if (b) {
        assert_int_equal(customer_batch_add(db_get(), &u, rec, NULL, b), 0);
        assert_true(customer_batch_queued(b, phone, NULL));
    } else {
        int64_t id = 0;
        assert_int_equal(customer_insert(db_get(), &u, rec, &id), 0);
        assert_true(id > 0);
    }
    json_decref(rec);
}

static void test_rollback_restores_everything(void **state)
{
    (void)state;
    struct db *db = db_get();
    char *before = schema_indexes();
    int64_t customers = count("SELECT COUNT(*) FROM customers");
    struct customer_batch b = {0};
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(customer_batch_bulk_begin(db, &admin, &b), 1);
    /* No secondary index is left on customers. */
    assert_int_equal(count("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND "
                           "tbl_name = 'customers' AND sql IS NOT NULL"),
                     0);
    insert(&b, "司马相如", "13800000001");
    insert(&b, "卓文君", "13800000002");
    assert_int_equal(customer_batch_flush(db, &b), 0);
    assert_false(customer_batch_queued(&b, "13800000002", NULL));
    assert_int_equal(count("SELECT COUNT(*) FROM customers WHERE phone = '13800000002'"), 1);
    db_rollback(db);
    customer_batch_end(&b);
    char *after = schema_indexes();
    assert_string_equal(after, before);
    assert_int_equal(count("SELECT COUNT(*) FROM customers"), customers);
    free(before);
    free(after);
}

static void test_finish_rebuilds_the_same_indexes(void **state)
{
    (void)state;
    struct db *db = db_get();
    char *before = schema_indexes();
    struct customer_batch b = {0};
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(customer_batch_bulk_begin(db, &admin, &b), 1);
    insert(&b, "司马相如", "13800000003");
    insert(&b, "丽丽", "13800000004"); /* the same fragment twice in one name */
    assert_int_equal(customer_batch_flush(db, &b), 0);
    /* Kept in memory: not yet in the fragment table. */
    assert_int_equal(count("SELECT COUNT(*) FROM customer_name_grams WHERE gram = '相如'"), 0);
    assert_int_equal(customer_batch_bulk_finish(db, &b), 0);
    assert_int_equal(db_commit(db), 0);
    char *after = schema_indexes();
    assert_string_equal(after, before);
    /* 司马 马相 相如 如, 丽丽 丽: every fragment once. */
    assert_int_equal(count("SELECT COUNT(*) FROM customer_name_grams g JOIN customers c ON "
                           "c.id = g.customer_id WHERE c.phone = '13800000003'"),
                     4);
    assert_int_equal(count("SELECT COUNT(*) FROM customer_name_grams g JOIN customers c ON "
                           "c.id = g.customer_id WHERE c.phone = '13800000004'"),
                     2);
    assert_int_equal(count("SELECT COUNT(*) FROM customers INDEXED BY customers_initials "
                           "WHERE name_initials = 'smxr'"),
                     1);
    struct db_stmt *st = db_query(db, "PRAGMA integrity_check", DB_NOARGS);
    assert_int_equal(db_step(st), 1);
    assert_string_equal(db_col_text(st, 0), "ok");
    db_finish(st);
    customer_batch_end(&b);
    free(before);
    free(after);
}

/* Outside bulk mode the fragments go in with each flush, and a single
 * insert writes its own; a repeated character still counts once. */
static void test_fragments_outside_bulk(void **state)
{
    (void)state;
    struct db *db = db_get();
    struct customer_batch b = {0};
    assert_int_equal(db_begin(db), 0);
    insert(&b, "芳芳", "13800000021");
    insert(&b, "欧阳芳", "13800000022");
    assert_int_equal(customer_batch_flush(db, &b), 0);
    insert(NULL, "芳", "13800000023");
    assert_int_equal(db_commit(db), 0);
    customer_batch_end(&b);
    /* 芳芳 芳 / 欧阳 阳芳 芳 / 芳 */
    static const struct {
        const char *phone;
        int64_t n;
    } want[] = {{"13800000021", 2}, {"13800000022", 3}, {"13800000023", 1}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int64_t n = -1;
        assert_int_equal(db_query_int(db,
                                      "SELECT COUNT(*) FROM customer_name_grams g JOIN customers "
                                      "c ON c.id = g.customer_id WHERE c.phone = ?",
                                      DB_ARGS(DB_TEXT(want[i].phone)), &n),
                         1);
        assert_int_equal(n, want[i].n);
    }
    assert_int_equal(
        count("SELECT COUNT(*) FROM customer_name_grams g JOIN customers c ON "
              "c.id = g.customer_id WHERE g.gram = '芳' AND c.phone LIKE '1380000002_'"),
        3);
}

/* Fragments travel to the database inside a JSON text: a name with a
 * quote, a backslash or a control character keeps its exact fragments. */
static void test_fragments_of_awkward_names(void **state)
{
    (void)state;
    insert(NULL, "王\"\\五", "13800000031"); /* 王 " \ 五 */
    insert(NULL, "李\t四", "13800000032");
    assert_int_equal(count("SELECT COUNT(*) FROM customer_name_grams g JOIN customers c ON "
                           "c.id = g.customer_id WHERE c.phone = '13800000031' AND g.gram IN "
                           "('王\"', '\"\\', '\\五', '五')"),
                     4);
    assert_int_equal(count("SELECT COUNT(*) FROM customer_name_grams g JOIN customers c ON "
                           "c.id = g.customer_id WHERE c.phone = '13800000032' AND g.gram IN "
                           "('李' || char(9), char(9) || '四', '四')"),
                     3);
}

static void number_of(const char *phone, char *out, size_t n)
{
    struct db_stmt *st = db_query(db_get(), "SELECT customer_no FROM customers WHERE phone = ?",
                                  DB_ARGS(DB_TEXT(phone)));
    assert_int_equal(db_step(st), 1);
    snprintf(out, n, "%s", db_col_text(st, 0));
    db_finish(st);
}

static void test_numbers_from_a_reserved_block(void **state)
{
    (void)state;
    struct db *db = db_get();
    struct customer_batch b = {0};
    assert_int_equal(db_begin(db), 0);
    insert(&b, "甲一", "13800000011");
    insert(&b, "甲二", "13800000012");
    assert_int_equal(customer_batch_flush(db, &b), 0);
    assert_int_equal(db_commit(db), 0);
    customer_batch_end(&b);
    insert(NULL, "甲三", "13800000013");
    char a[32], c[32], d[32];
    number_of("13800000011", a, sizeof(a));
    number_of("13800000012", c, sizeof(c));
    number_of("13800000013", d, sizeof(d));
    long na = strtol(a + 3, NULL, 10), nc = strtol(c + 3, NULL, 10), nd = strtol(d + 3, NULL, 10);
    assert_int_equal(strncmp(a, "B1-", 3), 0);
    assert_int_equal(nc, na + 1);
    /* The rest of the block stays unused: the next single insert is past it. */
    assert_true(nd > nc + 200);
}

/* The duplicate check of a bulk load asks memory: stored customers by
 * phone and ID number, in or out of the importer's scope, and rows queued
 * by this load. */
static void test_known_phones_and_id_numbers(void **state)
{
    (void)state;
    struct db *db = db_get();
    struct actor u = {0};
    json_t *rec =
        json_pack("{s:s,s:s,s:s,s:I,s:s}", "name", "王一", "phone", "13900000001", "id_number",
                  "11010519491231002X", "branch_id", (json_int_t)1, "branch_path", "/1/");
    int64_t id = 0;
    assert_int_equal(customer_insert(db, &u, rec, &id), 0);
    json_decref(rec);

    struct customer_batch b = {0};
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(customer_batch_bulk_begin(db, &other_clerk, &b), 1);
    assert_int_equal(customer_batch_known(&b, "13900000001", NULL), CUSTOMER_KNOWN_ELSEWHERE);
    assert_int_equal(customer_batch_known(&b, NULL, "11010519491231002X"),
                     CUSTOMER_KNOWN_ELSEWHERE);
    assert_int_equal(customer_batch_known(&b, "13900000009", "11010519491231002X"),
                     CUSTOMER_KNOWN_ELSEWHERE);
    assert_int_equal(customer_batch_known(&b, "13900000009", "110105194912310028"),
                     CUSTOMER_UNKNOWN);
    assert_int_equal(customer_batch_known(&b, "", ""), CUSTOMER_UNKNOWN);
    assert_int_equal(customer_batch_known(&b, NULL, NULL), CUSTOMER_UNKNOWN);
    insert(&b, "王二", "13900000002");
    assert_int_equal(customer_batch_known(&b, "13900000002", NULL), CUSTOMER_UNKNOWN);
    json_t *two = json_pack("{s:s}", "phone", "13900000002");
    customer_batch_note(&b, two);
    json_decref(two);
    assert_int_equal(customer_batch_known(&b, "13900000002", NULL), CUSTOMER_KNOWN_IN_SCOPE);
    assert_int_equal(customer_batch_flush(db, &b), 0);
    assert_int_equal(customer_batch_known(&b, "13900000002", NULL), CUSTOMER_KNOWN_IN_SCOPE);
    db_rollback(db);
    customer_batch_end(&b);

    /* The same stored customer is in an admin's scope: skipped, not failed. */
    struct customer_batch a = {0};
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(customer_batch_bulk_begin(db, &admin, &a), 1);
    assert_int_equal(customer_batch_known(&a, "13900000001", NULL), CUSTOMER_KNOWN_IN_SCOPE);
    assert_int_equal(customer_batch_known(&a, "13900000002", NULL), CUSTOMER_UNKNOWN);
    db_rollback(db);
    customer_batch_end(&a);
}

static int steps_seen[64], steps_total;

static void record_step(void *arg, int done, int steps)
{
    int *n = arg;
    if (*n < 64)
        steps_seen[(*n)++] = done;
    steps_total = steps;
}

/* The end of a bulk load reports its steps: the fragments, then each index
 * it builds again, in order, one at a time. */
static void test_finish_reports_each_step(void **state)
{
    (void)state;
    struct db *db = db_get();
    int indexes =
        (int)count("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND "
                   "tbl_name IN ('customers', 'customer_name_grams') AND sql IS NOT NULL");
    struct customer_batch b = {0};
    int n = 0;
    b.on_step = record_step;
    b.step_arg = &n;
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(customer_batch_bulk_begin(db, &admin, &b), 1);
    insert(&b, "步骤", "13900000021");
    assert_int_equal(customer_batch_bulk_finish(db, &b), 0);
    assert_int_equal(db_commit(db), 0);
    customer_batch_end(&b);
    assert_true(indexes > 10);
    assert_int_equal(steps_total, 1 + indexes);
    assert_int_equal(n, 1 + indexes);
    for (int i = 0; i < n; i++)
        assert_int_equal(steps_seen[i], i + 1);
}

static int setup(void **state)
{
    (void)state;
    return testdb_open(dir, "bulk.db", true);
}

static int teardown(void **state)
{
    (void)state;
    return testdb_close(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollback_restores_everything),
        cmocka_unit_test(test_finish_rebuilds_the_same_indexes),
        cmocka_unit_test(test_fragments_outside_bulk),
        cmocka_unit_test(test_fragments_of_awkward_names),
        cmocka_unit_test(test_numbers_from_a_reserved_block),
        cmocka_unit_test(test_known_phones_and_id_numbers),
        cmocka_unit_test(test_finish_reports_each_step),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
