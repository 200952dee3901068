/*
 * test_workcal.c - the business calendar's arithmetic (core/workcal.h) on
 * a calendar held as values: 2026 as the State Council set it, working
 * hours 08:30-12:00 and 13:30-18:00 at +08:00; years around it have
 * weekends only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/date.h"
#include "core/workcal.h"
#include "db/db.h"
#include "testdb.h"

#define MIN  60
#define HOUR 3600

/* Unix time of y-m-d hh:mm at +08:00. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
    return date_start_time((struct date){y, m, d}) + hh * HOUR + mm * MIN;
}

static const struct {
    const char *from, *to;
    int work;
} cal2026[] = {
    {"2026-01-01", "2026-01-03", 0}, {"2026-01-04", "2026-01-04", 1},
    {"2026-02-14", "2026-02-14", 1}, {"2026-02-15", "2026-02-23", 0},
    {"2026-02-28", "2026-02-28", 1}, {"2026-04-04", "2026-04-06", 0},
    {"2026-05-01", "2026-05-05", 0}, {"2026-05-09", "2026-05-09", 1},
    {"2026-06-19", "2026-06-21", 0}, {"2026-09-20", "2026-09-20", 1},
    {"2026-09-25", "2026-09-27", 0}, {"2026-10-01", "2026-10-07", 0},
    {"2026-10-10", "2026-10-10", 1},
};

static int64_t day_no(const char *s)
{
    struct date d;
    assert_int_equal(date_parse(s, strlen(s), &d), 0);
    return date_to_days(d);
}

static uint8_t work2026[365];

/* The default hours over 2026's exceptions (configured: true) or over
 * none at all. */
static struct workcal_cal calendar(bool configured)
{
    struct workcal_cal c = {.nperiods = 2,
                            .start = {8 * HOUR + 30 * MIN, 13 * HOUR + 30 * MIN},
                            .end = {12 * HOUR, 18 * HOUR}};
    if (!configured)
        return c;
    c.first_day = day_no("2026-01-01");
    c.ndays = 365;
    c.work = work2026;
    for (int i = 0; i < 365; i++) {
        int64_t wd = ((c.first_day + i + 3) % 7 + 7) % 7 + 1;
        work2026[i] = wd <= 5;
    }
    for (size_t k = 0; k < sizeof cal2026 / sizeof cal2026[0]; k++)
        for (int64_t d = day_no(cal2026[k].from); d <= day_no(cal2026[k].to); d++)
            work2026[d - c.first_day] = (uint8_t)cal2026[k].work;
    return c;
}

static void test_within_a_day(void **state)
{
    (void)state;
    struct workcal_cal c = calendar(true);
    /* Monday 2 March 2026. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 9, 0), 60 * MIN), at(2026, 3, 2, 10, 0));
    /* Ending exactly at noon is due at noon, not at 13:30. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 11, 0), 60 * MIN), at(2026, 3, 2, 12, 0));
    /* Across the lunch break, and starting inside it. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 11, 50), 20 * MIN), at(2026, 3, 2, 13, 40));
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 12, 30), 30 * MIN), at(2026, 3, 2, 14, 0));
    /* Before the day starts, at midnight, after it ends. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 7, 0), 15 * MIN), at(2026, 3, 2, 8, 45));
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 3, 0, 0), 15 * MIN), at(2026, 3, 3, 8, 45));
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 19, 0), 15 * MIN), at(2026, 3, 3, 8, 45));
    /* Nothing to add answers the start, even outside working hours. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 7, 3, 0), 0), at(2026, 3, 7, 3, 0));
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 7, 3, 0), -5), at(2026, 3, 7, 3, 0));
    /* A second before the evening end. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 17, 59), 2 * MIN), at(2026, 3, 3, 8, 31));
}

static void test_weekend_holiday_makeup(void **state)
{
    (void)state;
    struct workcal_cal c = calendar(true);
    /* Friday evening to Monday morning. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 6, 17, 50), 15 * MIN), at(2026, 3, 9, 8, 35));
    /* Started on a Saturday. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 7, 10, 0), 15 * MIN), at(2026, 3, 9, 8, 45));
    /* Before the National Day block (1-7 October): the 8th. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 9, 30, 17, 50), 15 * MIN),
                     at(2026, 10, 8, 8, 35));
    /* Inside the Spring Festival block. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 2, 18, 10, 0), 15 * MIN), at(2026, 2, 24, 8, 45));
    /* Friday evening before a make-up Saturday (10 October, 14 February). */
    assert_int_equal(workcal_cal_add(&c, at(2026, 10, 9, 17, 50), 15 * MIN),
                     at(2026, 10, 10, 8, 35));
    assert_int_equal(workcal_cal_add(&c, at(2026, 2, 13, 17, 50), 15 * MIN),
                     at(2026, 2, 14, 8, 35));
    /* A make-up Sunday (20 September) counts from its own morning. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 9, 19, 12, 0), 15 * MIN), at(2026, 9, 20, 8, 45));
    assert_true(workcal_cal_is_workday(&c, day_no("2026-09-20")));
    assert_false(workcal_cal_is_workday(&c, day_no("2026-09-19")));
    assert_false(workcal_cal_is_workday(&c, day_no("2026-10-05")));
}

static void test_year_boundaries(void **state)
{
    (void)state;
    struct workcal_cal c = calendar(true);
    /* Into 2026's New Year block and its make-up Sunday, from 2025 (not
     * configured: Monday to Friday). */
    assert_int_equal(workcal_cal_add(&c, at(2025, 12, 31, 17, 50), 15 * MIN),
                     at(2026, 1, 4, 8, 35));
    /* 2027 is not configured: its 1 January (a Friday) is a working day. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 12, 31, 17, 50), 15 * MIN),
                     at(2027, 1, 1, 8, 35));
    assert_true(workcal_cal_is_workday(&c, day_no("2027-01-01")));
    assert_false(workcal_cal_is_workday(&c, day_no("2027-01-02")));
    /* With no year configured at all, weekends only. */
    struct workcal_cal none = calendar(false);
    assert_int_equal(workcal_cal_add(&none, at(2026, 9, 30, 17, 50), 15 * MIN),
                     at(2026, 10, 1, 8, 35));
    assert_int_equal(workcal_cal_add(&none, at(2030, 1, 4, 17, 50), 15 * MIN),
                     at(2030, 1, 7, 8, 35));
    /* Before 1970 too. */
    assert_int_equal(workcal_cal_add(&none, at(1969, 12, 31, 17, 50), 15 * MIN),
                     at(1970, 1, 1, 8, 35));
}

static void test_long_durations(void **state)
{
    (void)state;
    struct workcal_cal c = calendar(true);
    /* Two working weeks (10 days of 8 hours) from a Monday morning end on
     * the second Friday evening. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 8, 30), 80 * HOUR), at(2026, 3, 13, 18, 0));
    /* Five working days from Wednesday 30 September: the 8th, 9th, 10th
     * (make-up), 12th, 13th. */
    assert_int_equal(workcal_cal_add(&c, at(2026, 9, 30, 18, 0), 40 * HOUR),
                     at(2026, 10, 13, 18, 0));
    /* A year's working days of 2026: 248 (261 weekdays, less 19 holidays
     * on weekdays, and 6 make-up days). */
    assert_int_equal(workcal_cal_between(&c, at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0)),
                     248 * 8 * HOUR);
}

static void test_between(void **state)
{
    (void)state;
    struct workcal_cal c = calendar(true);
    assert_int_equal(workcal_cal_between(&c, at(2026, 3, 2, 9, 0), at(2026, 3, 2, 9, 0)), 0);
    assert_int_equal(workcal_cal_between(&c, at(2026, 3, 2, 10, 0), at(2026, 3, 2, 9, 0)), 0);
    assert_int_equal(workcal_cal_between(&c, at(2026, 3, 2, 11, 0), at(2026, 3, 2, 14, 0)),
                     90 * MIN);
    /* Friday 17:00 to Monday 09:00: an hour and a half hour. */
    assert_int_equal(workcal_cal_between(&c, at(2026, 3, 6, 17, 0), at(2026, 3, 9, 9, 0)),
                     90 * MIN);
    /* Across National Day, and across the make-up Saturday after it. */
    assert_int_equal(workcal_cal_between(&c, at(2026, 9, 30, 17, 0), at(2026, 10, 8, 9, 0)),
                     90 * MIN);
    assert_int_equal(workcal_cal_between(&c, at(2026, 10, 9, 17, 0), at(2026, 10, 12, 8, 0)),
                     9 * HOUR);
    /* A whole weekend and a night hold none. */
    assert_int_equal(workcal_cal_between(&c, at(2026, 3, 7, 0, 0), at(2026, 3, 9, 0, 0)), 0);
    assert_int_equal(workcal_cal_between(&c, at(2026, 3, 2, 18, 0), at(2026, 3, 3, 8, 30)), 0);
}

/* between is the inverse of add, over random starts and durations
 * (a fixed seed: the same cases every run). */
static void test_inverse(void **state)
{
    (void)state;
    struct workcal_cal c = calendar(true);
    uint64_t x = 0x2026120417u;
    int64_t lo = at(2025, 11, 1, 0, 0), span = at(2027, 3, 1, 0, 0) - lo;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t start = lo + (int64_t)(x % (uint64_t)span);
        int64_t secs = (int64_t)((x >> 20) % (uint64_t)(30 * 8 * HOUR)) + 1;
        int64_t due = workcal_cal_add(&c, start, secs);
        assert_true(due > start);
        assert_int_equal(workcal_cal_between(&c, start, due), secs);
        /* Due falls inside working time (or at a period's end). */
        assert_int_equal(workcal_cal_between(&c, start, due - 1), secs - 1);
        /* From the start to any instant b: adding what lies between never
         * passes b. */
        int64_t b = start + (int64_t)((x >> 7) % (uint64_t)(40 * 86400));
        int64_t n = workcal_cal_between(&c, start, b);
        assert_true(workcal_cal_add(&c, start, n) <= b);
    }
}

static void test_one_period_and_hhmm(void **state)
{
    (void)state;
    struct workcal_cal c = {.nperiods = 1, .start = {9 * HOUR}, .end = {17 * HOUR}};
    assert_int_equal(workcal_cal_add(&c, at(2026, 3, 2, 16, 0), 2 * HOUR), at(2026, 3, 3, 10, 0));
    assert_int_equal(workcal_cal_between(&c, at(2026, 3, 2, 0, 0), at(2026, 3, 3, 0, 0)), 8 * HOUR);
    assert_int_equal(workcal_parse_hhmm("08:30"), 510);
    assert_int_equal(workcal_parse_hhmm("00:00"), 0);
    assert_int_equal(workcal_parse_hhmm("24:00"), 1440);
    assert_int_equal(workcal_parse_hhmm("24:01"), -1);
    assert_int_equal(workcal_parse_hhmm("12:60"), -1);
    assert_int_equal(workcal_parse_hhmm("8:30"), -1);
    assert_int_equal(workcal_parse_hhmm("08-30"), -1);
    assert_int_equal(workcal_parse_hhmm(NULL), -1);
}

/* Through the store: migration 0026's 2026 is the calendar above, and an
 * edit (a moved version) is read again once this process is told. */
static void test_stored_calendar(void **state)
{
    (void)state;
    char dir[] = "/tmp/hongyan-test-workcal-XXXXXX";
    assert_int_equal(testdb_open(dir, "t.db", false), 0);
    struct db *db = db_get();
    struct workcal_cal c = calendar(true);
    int64_t a = at(2026, 1, 1, 0, 0), b = at(2027, 1, 1, 0, 0), secs = 0, due = 0;
    assert_int_equal(workcal_between(db, a, b, &secs), 0);
    assert_int_equal(secs, workcal_cal_between(&c, a, b));
    for (int64_t d = day_no("2026-01-01"); d < day_no("2027-01-01"); d++) {
        int64_t t = date_start_time(date_from_days(d)) + 17 * HOUR + 50 * MIN;
        assert_int_equal(workcal_add(db, t, 15 * MIN, &due), 0);
        assert_int_equal(due, workcal_cal_add(&c, t, 15 * MIN));
    }
    /* 9 December 2026 becomes a holiday: read once the process is told
     * (another process's edit: at the next check of the version). */
    int64_t start = at(2026, 12, 8, 17, 50);
    assert_int_equal(db_exec(db,
                             "INSERT INTO work_calendar_days (day, kind, name) VALUES "
                             "('2026-12-09', 'holiday', 'x')",
                             DB_NOARGS),
                     0);
    assert_int_equal(db_exec(db, "UPDATE work_calendar SET version = version + 1", DB_NOARGS), 0);
    workcal_invalidate();
    assert_int_equal(workcal_add(db, start, 15 * MIN, &due), 0);
    assert_int_equal(due, at(2026, 12, 10, 8, 35));
    assert_int_equal(workcal_add(db, start, 0, &due), 0);
    assert_int_equal(due, start);
    assert_int_equal(testdb_close(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_within_a_day),
        cmocka_unit_test(test_weekend_holiday_makeup),
        cmocka_unit_test(test_year_boundaries),
        cmocka_unit_test(test_long_durations),
        cmocka_unit_test(test_between),
        cmocka_unit_test(test_inverse),
        cmocka_unit_test(test_one_period_and_hhmm),
        cmocka_unit_test(test_stored_calendar),
    };
    return cmocka_run_group_tests_name("workcal", tests, NULL, NULL);
}
