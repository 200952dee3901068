/*
 * test_report_period.c - the dashboards' period picker (report/period.c):
 * a month, quarter or year holding a date, the current one cut at today,
 * the periods it is compared with (as many days long), and what is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/date.h"
#include "report/report.h"

static int64_t day(int y, int m, int d)
{
    return date_to_days((struct date){y, m, d});
}

/* 2026-12-04 10:00 +08:00 */
static int setup(void **state)
{
    (void)state;
    clock_set(date_start_time((struct date){2026, 12, 4}) + 10 * 3600);
    return 0;
}

static void test_whole_periods(void **state)
{
    (void)state;
    struct report_period p;
    assert_int_equal(report_period_read("quarter", "2025-11", &p), 0);
    assert_int_equal(p.from, day(2025, 10, 1));
    assert_int_equal(p.to, day(2025, 12, 31));
    struct report_period q = report_period_back(&p, p.months);
    assert_int_equal(q.from, day(2025, 7, 1));
    assert_int_equal(q.to, day(2025, 9, 30));
    assert_int_equal(report_period_read("year", "2025-06-15", &p), 0);
    assert_int_equal(p.from, day(2025, 1, 1));
    assert_int_equal(p.to, day(2025, 12, 31));
    assert_int_equal(report_period_read("month", "2026-02", &p), 0);
    assert_int_equal(p.to, day(2026, 2, 28));
    /* a month before March is February, however long */
    assert_int_equal(report_period_read("month", "2024-03", &p), 0);
    q = report_period_back(&p, 1);
    assert_int_equal(q.from, day(2024, 2, 1));
    assert_int_equal(q.to, day(2024, 2, 29));
}

static void test_current_is_cut_and_compared_like_for_like(void **state)
{
    (void)state;
    struct report_period p;
    assert_int_equal(report_period_read(NULL, NULL, &p), 0); /* this month */
    assert_int_equal(p.from, day(2026, 12, 1));
    assert_int_equal(p.to, day(2026, 12, 4));
    struct report_period prev = report_period_back(&p, 1), yoy = report_period_back(&p, 12);
    assert_int_equal(prev.from, day(2026, 11, 1));
    assert_int_equal(prev.to, day(2026, 11, 4));
    assert_int_equal(yoy.from, day(2025, 12, 1));
    assert_int_equal(yoy.to, day(2025, 12, 4));
    json_t *j = report_period_json(&p);
    assert_string_equal(json_string_value(json_object_get(j, "label")), "2026-12");
    json_decref(j);
    assert_int_equal(report_period_read("quarter", "", &p), 0);
    j = report_period_json(&p);
    assert_string_equal(json_string_value(json_object_get(j, "label")), "2026-Q4");
    assert_string_equal(json_string_value(json_object_get(j, "from")), "2026-10-01");
    assert_string_equal(json_string_value(json_object_get(j, "to")), "2026-12-04");
    json_decref(j);
}

static void test_refused(void **state)
{
    (void)state;
    struct report_period p;
    assert_int_equal(report_period_read("week", NULL, &p), -1);
    assert_int_equal(report_period_read("month", "2026-13", &p), -2);
    assert_int_equal(report_period_read("month", "2026-02-30", &p), -2);
    assert_int_equal(report_period_read("month", "2026-1", &p), -2);
    assert_int_equal(report_period_read("year", "yesterday", &p), -2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_periods),
        cmocka_unit_test(test_current_is_cut_and_compared_like_for_like),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests_name("report_period", tests, setup, NULL);
}
