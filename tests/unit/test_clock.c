/*
 * test_clock.c - ISO 8601 and date parsing / formatting in China Standard
 * Time, and the movable test clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/clock.h"

static void test_iso_round_trip(void **state)
{
    (void)state;
    int64_t t;
    char out[32];
    assert_int_equal(clock_parse_iso("2026-11-23T09:30:00+08:00", &t), 0);
    assert_int_equal(t, 1795397400);
    clock_format_iso(t, out, sizeof(out));
    assert_string_equal(out, "2026-11-23T09:30:00+08:00");
    /* The same instant written in UTC and with fractional seconds. */
    int64_t u;
    assert_int_equal(clock_parse_iso("2026-11-23T01:30:00.250Z", &u), 0);
    assert_int_equal(u, t);
    /* No offset means local (+08:00) time. */
    assert_int_equal(clock_parse_iso("2026-11-23 09:30:00", &u), 0);
    assert_int_equal(u, t);
}

static void test_iso_rejects(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(clock_parse_iso("2026-02-30T09:30:00+08:00", &t), -1);
    assert_int_equal(clock_parse_iso("2026-11-23T24:00:00+08:00", &t), -1);
    assert_int_equal(clock_parse_iso("2026-11-23T09:30:00+8", &t), -1);
    assert_int_equal(clock_parse_iso("2026-11-23", &t), -1);
    assert_int_equal(clock_parse_iso("", &t), -1);
    assert_int_equal(clock_parse_iso(NULL, &t), -1);
}

static void test_dates(void **state)
{
    (void)state;
    int64_t t;
    char out[16];
    assert_int_equal(clock_parse_date("2024-02-29", &t), 0); /* leap year */
    clock_format_date(t, out, sizeof(out));
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(clock_parse_date("2023-02-29", &t), -1);
    assert_int_equal(clock_parse_date("1900-02-29", &t), -1); /* not a leap year */
    assert_int_equal(clock_parse_date("2000-02-29", &t), 0);  /* is one */
    assert_int_equal(clock_parse_date("2026-13-01", &t), -1);
    assert_int_equal(clock_parse_date("2026-1-01", &t), -1);
    /* Local midnight is 16:00 UTC the day before. */
    assert_int_equal(clock_parse_date("2026-11-24", &t), 0);
    assert_int_equal(t % 86400, 16 * 3600);
}

static void test_movable_clock(void **state)
{
    (void)state;
    int64_t before = clock_now();
    clock_advance(901);
    int64_t after = clock_now();
    assert_true(after - before >= 901 && after - before <= 903);
    clock_set(1795397400);
    assert_true(clock_now() - 1795397400 <= 1);
    clock_advance(-(clock_now() - before)); /* back to (about) real time */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_round_trip),
        cmocka_unit_test(test_iso_rejects),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_movable_clock),
    };
    return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
