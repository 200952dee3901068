/*
 * test_reminder.c - the daily reminder pass on a temporary SQLite database
 * (all migrations applied, seeded rules): a birthday N days ahead makes one
 * task whose idempotency key is rule:<rule>:<customer>:<date>; running the
 * pass again, or again after its bookkeeping is lost (a crash between the
 * insert and last_run_date), never makes a second one; days missed while
 * the server was down are caught up; lunar birthdays are found on the
 * Gregorian day they fall on this year; a date-offset rule finds a custom
 * date field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "base/xmalloc.h"
#include "base/clock.h"
#include "base/lunar.h"
#include "crm/reminder.h"
#include "db/db.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/hy_reminder_XXXXXX";
static int64_t birthday_rule;

static void set_today(const char *date)
{
    int64_t t;
    assert_int_equal(clock_parse_date(date, &t), 0);
    clock_set(t + 10 * 3600);
}

static int64_t add_customer(const char *no, const char *name, const char *birthday, int lunar,
                            const char *custom)
{
    struct db *db = db_get();
    assert_int_equal(db_exec(db,
                             "INSERT INTO customers (customer_no, name, phone, phone_last4, "
                             "birthday, birthday_lunar, branch_id, branch_path, custom, "
                             "created_at, updated_at) VALUES (?, ?, '13800138000', '8000', ?, ?, "
                             "1, '/1/', ?, 0, 0)",
                             DB_ARGS(DB_TEXT(no), DB_TEXT(name), DB_TEXT(birthday), DB_INT(lunar),
                                     DB_TEXT(custom ? custom : "{}"))),
                     0);
    int64_t id = 0;
    assert_int_equal(db_query_int(db, "SELECT id FROM customers WHERE customer_no = ?",
                                  DB_ARGS(DB_TEXT(no)), &id),
                     1);
    assert_int_equal(reminders_update_lunar_md(db, id), 0);
    return id;
}

static int64_t count(const char *sql, int64_t arg)
{
    int64_t n = -1;
    assert_int_equal(db_query_int(db_get(), sql, DB_ARGS(DB_INT(arg)), &n), 1);
    return n;
}

static int64_t tasks_of(int64_t customer)
{
    return count("SELECT COUNT(*) FROM tasks WHERE customer_id = ?", customer);
}

static void test_birthday_once(void **state)
{
    (void)state;
    set_today("2026-03-10");
    int64_t a = add_customer("T1", "张三", "1980-03-13", 0, NULL);
    int64_t b = add_customer("T2", "李四", "1980-03-14", 0, NULL);
    assert_true(reminders_run(db_get()) >= 1);
    assert_int_equal(tasks_of(a), 1);
    assert_int_equal(tasks_of(b), 0);

    char ref[64], title[256];
    struct db_stmt *st =
        db_query(db_get(), "SELECT source_ref, title, source FROM tasks WHERE customer_id = ?",
                 DB_ARGS(DB_INT(a)));
    assert_int_equal(db_step(st), 1);
    snprintf(ref, sizeof(ref), "%s", db_col_text(st, 0));
    snprintf(title, sizeof(title), "%s", db_col_text(st, 1));
    assert_string_equal(db_col_text(st, 2), "reminder");
    db_finish(st);
    char want[64];
    snprintf(want, sizeof(want), "rule:%lld:%lld:2026-03-13", (long long)birthday_rule,
             (long long)a);
    assert_string_equal(ref, want);
    assert_non_null(strstr(title, "张三"));
    assert_non_null(strstr(title, "2026-03-13"));

    /* A second pass the same day. */
    assert_int_equal(reminders_run(db_get()), 0);
    assert_int_equal(tasks_of(a), 1);

    /* The bookkeeping lost (as if the process died after the insert): the
     * key alone keeps the task single. */
    assert_int_equal(db_exec(db_get(), "DELETE FROM job_runs WHERE kind = 'reminder'", DB_NOARGS),
                     0);
    assert_int_equal(db_exec(db_get(),
                             "UPDATE reminder_rules SET last_run_date = '2026-03-09' WHERE id = ?",
                             DB_ARGS(DB_INT(birthday_rule))),
                     0);
    assert_int_equal(reminders_run(db_get()), 0);
    assert_int_equal(tasks_of(a), 1);
}

static void test_catch_up(void **state)
{
    (void)state;
    set_today("2026-04-01");
    assert_int_equal(reminders_run(db_get()) >= 0, 1);
    int64_t c = add_customer("T3", "王五", "1975-04-05", 0, NULL); /* due 04-02 */
    int64_t d = add_customer("T4", "赵六", "1975-04-07", 0, NULL); /* due 04-04 */
    int64_t e = add_customer("T5", "钱七", "1975-04-20", 0, NULL); /* due 04-17 */
    /* Down from 04-02 to 04-06: the next pass covers 04-02 .. 04-06. */
    set_today("2026-04-06");
    assert_int_equal(reminders_run(db_get()), 2);
    assert_int_equal(tasks_of(c), 1);
    assert_int_equal(tasks_of(d), 1);
    assert_int_equal(tasks_of(e), 0);
    /* Due on the day it was for, nine in the morning. */
    int64_t due = 0, want;
    clock_parse_date("2026-04-02", &want);
    assert_int_equal(db_query_int(db_get(), "SELECT due_at FROM tasks WHERE customer_id = ?",
                                  DB_ARGS(DB_INT(c)), &due),
                     1);
    assert_int_equal(due, want + 9 * 3600);
}

static void test_lunar_birthday(void **state)
{
    (void)state;
    /* Born 1990-02-10 (lunar 正月十五): the rule finds the Gregorian day of
     * 正月十五 in 2027 (lunar_next_birthday), three days early. */
    set_today("2026-12-01");
    assert_true(reminders_run(db_get()) >= 0);
    int64_t f = add_customer("T6", "孙八", "1990-02-10", 1, NULL);
    char next[11], before[11];
    assert_int_equal(lunar_next_birthday("1990-02-10", "2026-12-01", next), 0);
    int64_t t;
    clock_parse_date(next, &t);
    clock_format_date(t - 3 * 86400, before, sizeof(before));
    /* The day before the reminder day: nothing yet. */
    clock_parse_date(before, &t);
    clock_set(t - 86400 + 10 * 3600);
    assert_true(reminders_run(db_get()) >= 0);
    assert_int_equal(tasks_of(f), 0);
    set_today(before);
    assert_true(reminders_run(db_get()) >= 1);
    assert_int_equal(tasks_of(f), 1);
    /* The Gregorian anniversary (02-10) is not its day. */
    set_today("2027-02-07");
    assert_true(reminders_run(db_get()) >= 0);
    assert_int_equal(tasks_of(f), 1);
}

static void test_date_offset_custom_field(void **state)
{
    (void)state;
    struct db *db = db_get();
    /* The seeded 协议续约洽谈 rule: agreement end − 30 days. */
    assert_int_equal(db_exec(db,
                             "UPDATE reminder_rules SET enabled = 1, last_run_date = NULL "
                             "WHERE field = 'custom.agreement_end'",
                             DB_NOARGS),
                     0);
    set_today("2027-03-01");
    int64_t g = add_customer("T7", "周九", "1970-01-01", 0, "{\"agreement_end\":\"2027-03-31\"}");
    int64_t h = add_customer("T8", "吴十", "1970-01-01", 0, "{\"agreement_end\":\"2027-04-30\"}");
    assert_true(reminders_run(db) >= 1);
    int64_t n = -1;
    assert_int_equal(db_query_int(db,
                                  "SELECT COUNT(*) FROM tasks WHERE customer_id = ? AND "
                                  "source_ref LIKE '%:2027-03-31'",
                                  DB_ARGS(DB_INT(g)), &n),
                     1);
    assert_int_equal(n, 1);
    assert_int_equal(tasks_of(h), 0);
}

static int setup(void **state)
{
    (void)state;
    if (testdb_open(dir, "reminder.db", true))
        return -1;
    struct db *db = db_get();
    /* Only the birthday rule runs unless a test enables another. */
    if (db_exec(db, "UPDATE reminder_rules SET enabled = (kind = 'birthday')", DB_NOARGS))
        return -1;
    return db_query_int(db, "SELECT id FROM reminder_rules WHERE kind = 'birthday'", DB_NOARGS,
                        &birthday_rule) == 1
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    return testdb_close(dir);
}

int main(void)
{
    json_set_alloc_funcs(xmalloc, free); /* as the server does: OOM aborts */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_birthday_once),
        cmocka_unit_test(test_catch_up),
        cmocka_unit_test(test_lunar_birthday),
        cmocka_unit_test(test_date_offset_custom_field),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
