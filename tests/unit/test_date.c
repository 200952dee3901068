/*
 * test_date.c - calendar days (base/date.h): leap years, month lengths,
 * strict parsing, day arithmetic, weekdays and the +08:00 business day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/date.h"

static struct date ymd(int y, int m, int d)
{
    return (struct date){.year = y, .month = m, .day = d};
}

static int parse(const char *s, struct date *out)
{
    return date_parse(s, strlen(s), out);
}

static void test_leap_and_months(void **state)
{
    (void)state;
    assert_true(date_is_leap(2024));
    assert_true(date_is_leap(2000));
    assert_false(date_is_leap(1900));
    assert_false(date_is_leap(2026));
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2100, 2), 28);
    assert_int_equal(date_days_in_month(2026, 4), 30);
    assert_int_equal(date_days_in_month(2026, 12), 31);
    assert_int_equal(date_days_in_month(2026, 13), 0);
    assert_int_equal(date_days_in_month(2026, 0), 0);
    assert_true(date_is_real(1, 1, 1));
    assert_true(date_is_real(9999, 12, 31));
    assert_false(date_is_real(0, 1, 1));
    assert_false(date_is_real(2026, 2, 29));
    assert_false(date_is_real(2026, 6, 0));
}

static void test_parse_strict(void **state)
{
    (void)state;
    struct date d;
    assert_int_equal(parse("2024-02-29", &d), 0);
    assert_int_equal(d.year, 2024);
    assert_int_equal(d.month, 2);
    assert_int_equal(d.day, 29);
    assert_int_equal(parse("2023-02-29", &d), DATE_ERR_INVALID);
    assert_int_equal(parse("2026-13-01", &d), DATE_ERR_INVALID);
    assert_int_equal(parse("0000-01-01", &d), DATE_ERR_INVALID);
    assert_int_equal(parse("2026-1-01", &d), DATE_ERR_FORMAT);
    assert_int_equal(parse("2026-01-01 ", &d), DATE_ERR_FORMAT);
    assert_int_equal(parse("2026/01/01", &d), DATE_ERR_FORMAT);
    assert_int_equal(parse("+026-01-01", &d), DATE_ERR_FORMAT);
    assert_int_equal(parse("2026-0a-01", &d), DATE_ERR_FORMAT);
    assert_int_equal(parse("", &d), DATE_ERR_FORMAT);
    assert_int_equal(date_parse(NULL, 0, &d), DATE_ERR_FORMAT);
    /* The first ten bytes of a longer text. */
    assert_int_equal(date_parse("2026-11-23T09:30:00", 10, &d), 0);
    assert_int_equal(date_parse("2026-11-23", 10, NULL), 0);
}

static void test_format_and_days(void **state)
{
    (void)state;
    char out[11];
    date_format(ymd(987, 3, 4), out);
    assert_string_equal(out, "0987-03-04");
    assert_int_equal(date_to_days(ymd(1970, 1, 1)), 0);
    assert_int_equal(date_to_days(ymd(2000, 3, 1)), 11017);
    assert_int_equal(date_to_days(ymd(1969, 12, 31)), -1);
    assert_int_equal(date_to_days(ymd(1, 1, 1)), -719162);
    /* Every day of four centuries goes there and back. */
    for (int64_t n = date_to_days(ymd(1800, 1, 1)); n < date_to_days(ymd(2200, 1, 1)); n++) {
        struct date d = date_from_days(n);
        assert_true(date_is_real(d.year, d.month, d.day));
        assert_int_equal(date_to_days(d), n);
    }
}

static void test_add_and_between(void **state)
{
    (void)state;
    char out[11];
    date_format(date_add_days(ymd(2024, 2, 28), 1), out);
    assert_string_equal(out, "2024-02-29");
    date_format(date_add_days(ymd(2023, 2, 28), 1), out);
    assert_string_equal(out, "2023-03-01");
    date_format(date_add_days(ymd(2026, 1, 1), -1), out);
    assert_string_equal(out, "2025-12-31");
    date_format(date_add_days(ymd(2026, 12, 3), 365), out);
    assert_string_equal(out, "2027-12-03");
    assert_int_equal(date_days_between(ymd(2026, 1, 1), ymd(2027, 1, 1)), 365);
    assert_int_equal(date_days_between(ymd(2024, 1, 1), ymd(2025, 1, 1)), 366);
    assert_int_equal(date_days_between(ymd(2026, 3, 1), ymd(2026, 2, 1)), -28);
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(date_weekday(ymd(1970, 1, 1)), 4); /* Thursday */
    assert_int_equal(date_weekday(ymd(2026, 12, 3)), 4);
    assert_int_equal(date_weekday(ymd(2026, 12, 7)), 1); /* Monday */
    assert_int_equal(date_weekday(ymd(2026, 12, 6)), 7); /* Sunday */
    assert_int_equal(date_weekday(ymd(1969, 12, 28)), 7);
}

static void test_business_day(void **state)
{
    (void)state;
    /* 2026-11-23T09:30:00+08:00 */
    const int64_t t = 1795397400;
    const int64_t midnight = 1795363200; /* 2026-11-23T00:00:00+08:00 = 11-22 16:00 UTC */
    struct date d = date_of_time(t);
    assert_int_equal(d.year, 2026);
    assert_int_equal(d.month, 11);
    assert_int_equal(d.day, 23);
    assert_int_equal(date_start_time(d), midnight);
    assert_int_equal(date_day_start(t), midnight);
    assert_int_equal(date_day_start(midnight), midnight);
    assert_int_equal(date_day_start(midnight - 1), midnight - DATE_DAY_SECONDS);
    /* 23:59 UTC is already the next day at +08:00. */
    d = date_of_time(midnight + DATE_DAY_SECONDS - 1);
    assert_int_equal(d.day, 23);
    d = date_of_time(midnight + DATE_DAY_SECONDS);
    assert_int_equal(d.day, 24);
    /* Before 1970 the day still starts at its own midnight. */
    assert_int_equal(date_day_start(-1), -DATE_TZ_OFFSET);
    assert_int_equal(date_day_start(-DATE_TZ_OFFSET - 1), -DATE_TZ_OFFSET - DATE_DAY_SECONDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leap_and_months), cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_format_and_days), cmocka_unit_test(test_add_and_between),
        cmocka_unit_test(test_weekday),         cmocka_unit_test(test_business_day),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
