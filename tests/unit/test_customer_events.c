/*
 * test_customer_events.c - crm's consumers of customer events on a
 * temporary SQLite database: a lunar birthday entered through the form's
 * writing step (customer.created), an edit (customer.changed) or an import
 * batch (customer.imported) reaches the lunar column once the events run;
 * a customer added after the day's reminder pass gets that day's reminder
 * from the event, once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/actor.h"
#include "base/clock.h"
#include "base/lunar.h"
#include "core/events.h"
#include "crm/crm_module.h"
#include "crm/customer.h"
#include "db/db.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/hy_cust_events_XXXXXX";
static const struct actor clerk = {.id = 0, .login = "t", .branch_path = "", .lang = "zh-CN"};

static void set_today(const char *date)
{
    int64_t t;
    assert_int_equal(clock_parse_date(date, &t), 0);
    clock_set(t + 10 * 3600);
}

static json_t *record(const char *name, const char *phone, const char *birthday, bool lunar)
{
    return json_pack("{s:s,s:s,s:I,s:s,s:s,s:b}", "name", name, "phone", phone, "branch_id",
                     (json_int_t)1, "branch_path", "/1/", "birthday", birthday, "birthday_lunar",
                     lunar);
}

/* The stored lunar month-day of customer id ("" for none). */
static void stored_md(int64_t id, char out[8])
{
    struct db_stmt *st = db_query(db_get(), "SELECT birthday_lunar_md FROM customers WHERE id = ?",
                                  DB_ARGS(DB_INT(id)));
    assert_non_null(st);
    assert_int_equal(db_step(st), 1);
    snprintf(out, 8, "%s", db_col_is_null(st, 0) ? "" : db_col_text(st, 0));
    db_finish(st);
}

static void expected_md(const char *birthday, char out[8])
{
    struct lunar_date ld;
    assert_int_equal(lunar_from_gregorian((int)strtol(birthday, NULL, 10),
                                          (int)strtol(birthday + 5, NULL, 10),
                                          (int)strtol(birthday + 8, NULL, 10), &ld),
                     0);
    snprintf(out, 8, "%02d-%02d", ld.month, ld.day);
}

static int64_t add(const char *name, const char *phone, const char *birthday, bool lunar)
{
    struct db *db = db_get();
    json_t *rec = record(name, phone, birthday, lunar);
    int64_t id = 0;
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(customer_add(db, &clerk, rec, &id), 0);
    assert_int_equal(db_commit(db), 0);
    json_decref(rec);
    return id;
}

static void test_lunar_from_created_and_changed(void **state)
{
    (void)state;
    struct db *db = db_get();
    int64_t id = add("农历甲", "13800000001", "1990-02-15", true);
    char md[8], want[8];
    stored_md(id, md);
    assert_string_equal(md, ""); /* not yet: the event waits for its consumer */
    assert_true(events_run(db) >= 1);
    stored_md(id, md);
    expected_md("1990-02-15", want);
    assert_string_equal(md, want);

    /* An edit of the birthday moves it. */
    json_t *cur = customer_load(db, &actor_system, id, false);
    json_t *rec = record("农历甲", "13800000001", "1991-03-20", true);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(customer_write(db, &clerk, id, cur, rec), 0);
    assert_int_equal(db_commit(db), 0);
    json_decref(cur);
    json_decref(rec);
    assert_true(events_run(db) >= 1);
    stored_md(id, md);
    expected_md("1991-03-20", want);
    assert_string_equal(md, want);
}

static void test_lunar_from_import_batch(void **state)
{
    (void)state;
    struct db *db = db_get();
    struct customer_batch b;
    memset(&b, 0, sizeof(b));
    json_t *r1 = record("导入农历", "13800000002", "1985-08-08", true);
    json_t *r2 = record("导入公历", "13800000003", "1985-08-09", false);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(customer_batch_add(db, &clerk, r1, NULL, &b), 0);
    assert_int_equal(customer_batch_add(db, &clerk, r2, NULL, &b), 0);
    assert_int_equal(customer_batch_flush(db, &b), 0);
    assert_int_equal(db_commit(db), 0);
    customer_batch_end(&b);
    json_decref(r1);
    json_decref(r2);
    int64_t n = 0;
    assert_int_equal(db_query_int(db,
                                  "SELECT COUNT(*) FROM domain_events WHERE kind = "
                                  "'customer.imported'",
                                  DB_NOARGS, &n),
                     1);
    assert_int_equal(n, 1); /* one event for the batch */
    assert_true(events_run(db) >= 1);
    int64_t lunar_id = 0, plain_id = 0;
    assert_int_equal(db_query_int(db, "SELECT id FROM customers WHERE phone = '13800000002'",
                                  DB_NOARGS, &lunar_id),
                     1);
    assert_int_equal(db_query_int(db, "SELECT id FROM customers WHERE phone = '13800000003'",
                                  DB_NOARGS, &plain_id),
                     1);
    char md[8], want[8];
    stored_md(lunar_id, md);
    expected_md("1985-08-08", want);
    assert_string_equal(md, want);
    stored_md(plain_id, md);
    assert_string_equal(md, "");
}

static void test_reminder_after_the_days_pass(void **state)
{
    (void)state;
    struct db *db = db_get();
    set_today("2026-06-01");
    /* Today's birthday pass has run (the seeded rule: 3 days ahead). */
    assert_int_equal(db_exec(db,
                             "UPDATE reminder_rules SET enabled = (kind = 'birthday'), "
                             "last_run_date = '2026-06-01'",
                             DB_NOARGS),
                     0);
    int64_t id = add("晚到寿星", "13800000004", "1970-06-04", false);
    assert_true(events_run(db) >= 1);
    int64_t n = -1;
    assert_int_equal(db_query_int(db,
                                  "SELECT COUNT(*) FROM tasks WHERE customer_id = ? AND source = "
                                  "'reminder'",
                                  DB_ARGS(DB_INT(id)), &n),
                     1);
    assert_int_equal(n, 1);
    /* The same event again (at least once) makes no second task. */
    assert_int_equal(db_exec(db, "UPDATE event_positions SET last_id = last_id - 1", DB_NOARGS), 0);
    events_run(db);
    assert_int_equal(db_query_int(db,
                                  "SELECT COUNT(*) FROM tasks WHERE customer_id = ? AND source = "
                                  "'reminder'",
                                  DB_ARGS(DB_INT(id)), &n),
                     1);
    assert_int_equal(n, 1);
}

static int setup(void **state)
{
    (void)state;
    if (testdb_open(dir, "events.db", true))
        return -1;
    events_reset();
    for (const struct event_handler *h = crm_module.handlers; h && h->consumer; h++)
        events_subscribe(h);
    return events_prepare(db_get());
}

static int teardown(void **state)
{
    (void)state;
    events_reset();
    return testdb_close(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lunar_from_created_and_changed),
        cmocka_unit_test(test_lunar_from_import_batch),
        cmocka_unit_test(test_reminder_after_the_days_pass),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
