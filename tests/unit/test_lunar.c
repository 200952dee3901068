/*
 * test_lunar.c - unit tests for src/base/lunar.c: Spring Festival and
 * Mid-Autumn dates, a leap month, the strict conversions, the birthday rules
 * (leap month, day 30, 29 February), bad input, and concurrent use.
 *
 * Expected dates are ICU's. Where ICU 72 differs from the official almanac
 * the test says so: a failure there after an ICU upgrade means ICU changed
 * its astronomy, and the comment in lunar.h must be revisited.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/lunar.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void expect_lunar(int y, int m, int d, int ly, int lm, int ld, bool leap)
{
    struct lunar_date got = {0};
    int rc = lunar_from_gregorian(y, m, d, &got);
    if (rc != 0 || got.year != ly || got.month != lm || got.day != ld || got.is_leap_month != leap)
        print_error("%04d-%02d-%02d: rc %d, got %d %s%d/%d, want %d %s%d/%d\n", y, m, d, rc,
                    got.year, got.is_leap_month ? "leap " : "", got.month, got.day, ly,
                    leap ? "leap " : "", lm, ld);
    assert_int_equal(rc, 0);
    assert_int_equal(got.year, ly);
    assert_int_equal(got.month, lm);
    assert_int_equal(got.day, ld);
    assert_int_equal(got.is_leap_month, leap);

    /* ...and back. */
    int gy = 0, gm = 0, gd = 0;
    assert_int_equal(lunar_to_gregorian(ly, lm, ld, leap, &gy, &gm, &gd), 0);
    assert_int_equal(gy, y);
    assert_int_equal(gm, m);
    assert_int_equal(gd, d);
}

static void expect_next(int (*fn)(const char *, const char *, char[11]), const char *birthday,
                        const char *today, const char *want)
{
    char out[11] = "";
    int rc = fn(birthday, today, out);
    if (rc != 0 || strcmp(out, want) != 0)
        print_error("born %s, today %s: rc %d, got %s, want %s\n", birthday, today, rc, out, want);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
}

static void test_spring_festival(void **state)
{
    (void)state;
    expect_lunar(2024, 2, 10, 2024, 1, 1, false);
    expect_lunar(2025, 1, 29, 2025, 1, 1, false);
    expect_lunar(2026, 2, 17, 2026, 1, 1, false);
    /* New Year's Eve belongs to the previous lunar year. */
    expect_lunar(2026, 2, 16, 2025, 12, 29, false);
    /* The almanac has 2027-02-06; ICU 72 puts the new moon (23:56 CST on the
     * 6th) after midnight, so for ICU the 6th is still 12/30. */
    expect_lunar(2027, 2, 7, 2027, 1, 1, false);
    expect_lunar(2027, 2, 6, 2026, 12, 30, false);
    /* January before the Spring Festival: the 11th month of the old year. */
    expect_lunar(2026, 1, 1, 2025, 11, 13, false);
}

static void test_mid_autumn(void **state)
{
    (void)state;
    expect_lunar(2025, 10, 6, 2025, 8, 15, false);
    expect_lunar(2026, 9, 25, 2026, 8, 15, false);
    expect_lunar(1990, 10, 3, 1990, 8, 15, false);
}

static void test_leap_month(void **state)
{
    (void)state;
    /* 2025 has 闰六月 from 2025-07-25, right after the 30-day ordinary 6th. */
    expect_lunar(2025, 7, 24, 2025, 6, 30, false);
    expect_lunar(2025, 7, 25, 2025, 6, 1, true);
    expect_lunar(2025, 6, 25, 2025, 6, 1, false);
    expect_lunar(2017, 7, 23, 2017, 6, 1, true);

    /* Strict conversion: no leap 6th month in 2026, no 30th in 2025's 8th. */
    int y, m, d;
    assert_int_equal(lunar_to_gregorian(2026, 6, 1, true, &y, &m, &d), LUNAR_ERR_NO_SUCH_DAY);
    assert_int_equal(lunar_to_gregorian(2025, 8, 30, false, &y, &m, &d), LUNAR_ERR_NO_SUCH_DAY);
    assert_int_equal(lunar_to_gregorian(2025, 8, 29, false, &y, &m, &d), 0);
    assert_int_equal(lunar_to_gregorian(2025, 6, 30, true, &y, &m, &d), LUNAR_ERR_NO_SUCH_DAY);
    assert_int_equal(lunar_to_gregorian(2025, 6, 29, true, &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20250822);
}

/* Every day of 2020-2030 converts and comes back; lunar days step by one. */
static void test_round_trip(void **state)
{
    (void)state;
    struct lunar_date prev = {0};
    int n = 0;
    for (int y = 2020; y <= 2030; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= 31; d++) {
                struct lunar_date ld;
                int rc = lunar_from_gregorian(y, m, d, &ld);
                if (rc == LUNAR_ERR_DATE)
                    continue;
                assert_int_equal(rc, 0);
                int gy, gm, gd;
                assert_int_equal(
                    lunar_to_gregorian(ld.year, ld.month, ld.day, ld.is_leap_month, &gy, &gm, &gd),
                    0);
                assert_int_equal(gy * 10000 + gm * 100 + gd, y * 10000 + m * 100 + d);
                if (n++ > 0)
                    assert_true(ld.day == prev.day + 1 || (ld.day == 1 && prev.day >= 29));
                prev = ld;
            }
        }
    }
    assert_int_equal(n, 4018);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct lunar_date ld;
    int y, m, d;
    char out[11];
    assert_int_equal(lunar_from_gregorian(2025, 2, 29, &ld), LUNAR_ERR_DATE);
    assert_int_equal(lunar_from_gregorian(2025, 13, 1, &ld), LUNAR_ERR_DATE);
    assert_int_equal(lunar_from_gregorian(1899, 12, 31, &ld), LUNAR_ERR_RANGE);
    assert_int_equal(lunar_from_gregorian(2101, 1, 1, &ld), LUNAR_ERR_RANGE);
    assert_int_equal(lunar_from_gregorian(1900, 1, 1, &ld), 0);
    assert_int_equal(ld.year, 1899);
    assert_int_equal(lunar_from_gregorian(2100, 12, 31, &ld), 0);

    assert_int_equal(lunar_to_gregorian(2026, 0, 1, false, &y, &m, &d), LUNAR_ERR_NO_SUCH_DAY);
    assert_int_equal(lunar_to_gregorian(2026, 13, 1, false, &y, &m, &d), LUNAR_ERR_NO_SUCH_DAY);
    assert_int_equal(lunar_to_gregorian(2026, 1, 31, false, &y, &m, &d), LUNAR_ERR_NO_SUCH_DAY);
    assert_int_equal(lunar_to_gregorian(2026, 1, 0, false, &y, &m, &d), LUNAR_ERR_NO_SUCH_DAY);
    assert_int_equal(lunar_to_gregorian(1898, 1, 1, false, &y, &m, &d), LUNAR_ERR_RANGE);
    assert_int_equal(lunar_to_gregorian(2101, 1, 1, false, &y, &m, &d), LUNAR_ERR_RANGE);
    /* Lunar 2100's 12th month starts on the last supported day. */
    assert_int_equal(lunar_to_gregorian(2100, 12, 1, false, &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 21001231);
    assert_int_equal(lunar_to_gregorian(2100, 12, 2, false, &y, &m, &d), LUNAR_ERR_RANGE);

    static const char *const bad[] = {
        NULL,          "",         "2026-5-1",   "2026/05/01", "2026-02-30", "2026-05-01 ",
        " 2026-05-01", "20260501", "2026-05-0x", "2026-00-10", "+026-05-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lunar_next_birthday(bad[i], "2026-05-01", out), LUNAR_ERR_DATE);
        assert_int_equal(lunar_next_birthday("1990-10-03", bad[i], out), LUNAR_ERR_DATE);
        assert_int_equal(gregorian_next_birthday(bad[i], "2026-05-01", out), LUNAR_ERR_DATE);
        assert_int_equal(gregorian_next_birthday("1990-10-03", bad[i], out), LUNAR_ERR_DATE);
    }
    assert_int_equal(lunar_next_birthday("2026-05-02", "2026-05-01", out), LUNAR_ERR_FUTURE);
    assert_int_equal(gregorian_next_birthday("2026-05-02", "2026-05-01", out), LUNAR_ERR_FUTURE);
    assert_int_equal(lunar_next_birthday("1850-01-01", "2026-05-01", out), LUNAR_ERR_RANGE);

    assert_string_equal(lunar_error_key(0), "ok");
    assert_string_equal(lunar_error_key(LUNAR_ERR_NO_SUCH_DAY), "lunar.no_such_day");
    assert_string_equal(lunar_error_key(LUNAR_ERR_FUTURE), "birthday.future");
    assert_string_equal(lunar_error_key(-99), "unknown");
}

static void test_lunar_birthday(void **state)
{
    (void)state;
    /* Born on Mid-Autumn 1990 (lunar 8/15). */
    expect_next(lunar_next_birthday, "1990-10-03", "2026-05-01", "2026-09-25");
    expect_next(lunar_next_birthday, "1990-10-03", "2026-09-25", "2026-09-25");
    expect_next(lunar_next_birthday, "1990-10-03", "2026-09-26", "2027-09-15");
    /* Today in January, still the old lunar year: its 8/15 is past. */
    expect_next(lunar_next_birthday, "1990-10-03", "2026-01-10", "2026-09-25");
    /* The day of birth itself. */
    expect_next(lunar_next_birthday, "2026-05-01", "2026-05-01", "2026-05-01");
}

static void test_lunar_birthday_leap_month(void **state)
{
    (void)state;
    /* Born 2017 闰六月初一: the leap month in 2025, which has one ... */
    expect_next(lunar_next_birthday, "2017-07-23", "2025-07-01", "2025-07-25");
    /* ... the ordinary 6th month in 2026, which has none. */
    expect_next(lunar_next_birthday, "2017-07-23", "2025-07-26", "2026-07-14");
    /* Born in an ordinary 6th month: 2025's ordinary 6th, not its leap 6th. */
    expect_next(lunar_next_birthday, "2024-07-06", "2025-06-01", "2025-06-25");
    expect_next(lunar_next_birthday, "2024-07-06", "2025-06-26", "2026-07-14");
}

static void test_lunar_birthday_day_30(void **state)
{
    (void)state;
    /* Born on 除夕 2023-01-21, lunar 2022 12/30. Lunar 2025's 12th month
     * has 29 days: celebrated on its last day, 2026-02-16. */
    expect_next(lunar_next_birthday, "2023-01-21", "2025-03-01", "2026-02-16");
    /* Lunar 2026's 12th month has 30 days (ICU: 2027-02-06, see above). */
    expect_next(lunar_next_birthday, "2023-01-21", "2026-03-01", "2027-02-06");
}

static void test_gregorian_birthday(void **state)
{
    (void)state;
    expect_next(gregorian_next_birthday, "1990-10-03", "2026-05-01", "2026-10-03");
    expect_next(gregorian_next_birthday, "1990-10-03", "2026-10-03", "2026-10-03");
    expect_next(gregorian_next_birthday, "1990-10-03", "2026-10-04", "2027-10-03");
    expect_next(gregorian_next_birthday, "1990-01-01", "2026-12-31", "2027-01-01");
    expect_next(gregorian_next_birthday, "1990-12-31", "2026-12-31", "2026-12-31");

    expect_next(gregorian_next_birthday, "2000-02-29", "2026-01-01", "2026-02-28");
    expect_next(gregorian_next_birthday, "2000-02-29", "2026-02-28", "2026-02-28");
    expect_next(gregorian_next_birthday, "2000-02-29", "2026-03-01", "2027-02-28");
    expect_next(gregorian_next_birthday, "2000-02-29", "2027-03-01", "2028-02-29");
    expect_next(gregorian_next_birthday, "2000-02-29", "2028-02-29", "2028-02-29");
    expect_next(gregorian_next_birthday, "2000-02-29", "2099-03-01", "2100-02-28");
    expect_next(gregorian_next_birthday, "2000-02-29", "2000-02-29", "2000-02-29");
}

static void *convert_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        char out[11];
        if (lunar_next_birthday("1990-10-03", "2026-05-01", out) != 0 ||
            strcmp(out, "2026-09-25") != 0)
            return (void *)1;
        struct lunar_date ld;
        if (lunar_from_gregorian(2025, 7, 25, &ld) != 0 || !ld.is_leap_month || ld.month != 6)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, convert_many, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *res;
        assert_int_equal(pthread_join(t[i], &res), 0);
        assert_null(res);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads), /* first: races ICU's lazy data loading */
        cmocka_unit_test(test_spring_festival),
        cmocka_unit_test(test_mid_autumn),
        cmocka_unit_test(test_leap_month),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_lunar_birthday),
        cmocka_unit_test(test_lunar_birthday_leap_month),
        cmocka_unit_test(test_lunar_birthday_day_30),
        cmocka_unit_test(test_gregorian_birthday),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
