/*
 * test_recur.c - RFC 5545 recurrence for periodic visits (src/base/recur.c):
 * validation of what a day-based rule may say, the next occurrence, and
 * expansion over a window as the scheduler's catch-up uses it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/recur.h"

#include <string.h>

static void test_validate(void **state)
{
    (void)state;
    char err[128];
    assert_int_equal(recur_validate("FREQ=MONTHLY;INTERVAL=3", err, sizeof(err)), 0);
    assert_int_equal(recur_validate("FREQ=YEARLY", NULL, 0), 0);
    assert_int_equal(recur_validate("FREQ=WEEKLY;BYDAY=MO,TH", NULL, 0), 0);
    assert_int_equal(recur_validate("FREQ=MONTHLY;BYDAY=-1FR", NULL, 0), 0);
    assert_int_equal(recur_validate("FREQ=DAILY;COUNT=5", NULL, 0), 0);
    assert_int_equal(recur_validate("", err, sizeof(err)), RECUR_ERR_SYNTAX);
    assert_int_equal(recur_validate("每季度一次", NULL, 0), RECUR_ERR_SYNTAX);
    assert_int_equal(recur_validate("FREQ=FORTNIGHTLY", NULL, 0), RECUR_ERR_SYNTAX);
    assert_int_equal(recur_validate("FREQ=HOURLY", err, sizeof(err)), RECUR_ERR_UNSUPPORTED);
    assert_true(strlen(err) > 0);
    assert_int_equal(recur_validate("FREQ=DAILY;BYHOUR=9", NULL, 0), RECUR_ERR_UNSUPPORTED);
    char big[RECUR_MAX_RULE + 16];
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_true(recur_validate(big, NULL, 0) < 0);
    assert_string_equal(recur_error_key(RECUR_ERR_SYNTAX), "rrule.syntax");
}

static void test_next_quarterly(void **state)
{
    (void)state;
    char out[11];
    /* The seeded 高价值客户 rule: quarterly from 2026-01-05. */
    assert_int_equal(recur_next("FREQ=MONTHLY;INTERVAL=3", "2026-01-05", "2026-01-05", out), 0);
    assert_string_equal(out, "2026-04-05");
    assert_int_equal(recur_next("FREQ=MONTHLY;INTERVAL=3", "2026-01-05", "2026-11-24", out), 0);
    assert_string_equal(out, "2027-01-05");
    /* Strictly after: the day before an occurrence gives that occurrence. */
    assert_int_equal(recur_next("FREQ=MONTHLY;INTERVAL=3", "2026-01-05", "2026-07-04", out), 0);
    assert_string_equal(out, "2026-07-05");
    /* Before the start: the start itself. */
    assert_int_equal(recur_next("FREQ=YEARLY", "2026-06-01", "2020-01-01", out), 0);
    assert_string_equal(out, "2026-06-01");
}

static void test_next_ends(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(recur_next("FREQ=WEEKLY;COUNT=2", "2026-11-02", "2026-11-02", out), 0);
    assert_string_equal(out, "2026-11-09");
    assert_int_equal(recur_next("FREQ=WEEKLY;COUNT=2", "2026-11-02", "2026-11-09", out),
                     RECUR_ERR_NONE);
    assert_int_equal(recur_next("FREQ=DAILY;UNTIL=20261130", "2026-11-01", "2026-11-29", out), 0);
    assert_string_equal(out, "2026-11-30");
    assert_int_equal(recur_next("FREQ=DAILY;UNTIL=20261130", "2026-11-01", "2026-11-30", out),
                     RECUR_ERR_NONE);
    assert_int_equal(recur_next("FREQ=DAILY", "2026-02-30", "2026-03-01", out), RECUR_ERR_DATE);
    assert_int_equal(recur_next("FREQ=DAILY", "2026-11-01", "yesterday", out), RECUR_ERR_DATE);
}

static void test_between(void **state)
{
    (void)state;
    char out[16][11];
    /* Every Monday and Thursday in the second half of November 2026. */
    int n =
        recur_between("FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-02", "2026-11-16", "2026-11-30", out, 16);
    assert_int_equal(n, 5);
    assert_string_equal(out[0], "2026-11-16");
    assert_string_equal(out[1], "2026-11-19");
    assert_string_equal(out[2], "2026-11-23");
    assert_string_equal(out[3], "2026-11-26");
    assert_string_equal(out[4], "2026-11-30");
    /* The 31st is skipped in months without one. */
    n = recur_between("FREQ=MONTHLY;BYMONTHDAY=31", "2026-01-31", "2026-01-01", "2026-06-30", out,
                      16);
    assert_int_equal(n, 3);
    assert_string_equal(out[0], "2026-01-31");
    assert_string_equal(out[1], "2026-03-31");
    assert_string_equal(out[2], "2026-05-31");
    /* A one-day window, as the daily pass asks. */
    assert_int_equal(
        recur_between("FREQ=MONTHLY;INTERVAL=3", "2026-01-05", "2026-10-05", "2026-10-05", out, 1),
        1);
    assert_int_equal(
        recur_between("FREQ=MONTHLY;INTERVAL=3", "2026-01-05", "2026-10-06", "2026-10-06", out, 1),
        0);
    /* Capped by max; empty when from > to. */
    assert_int_equal(recur_between("FREQ=DAILY", "2026-01-01", "2026-01-01", "2026-12-31", out, 4),
                     4);
    assert_string_equal(out[3], "2026-01-04");
    assert_int_equal(recur_between("FREQ=DAILY", "2026-01-01", "2026-02-01", "2026-01-01", out, 4),
                     0);
    assert_int_equal(
        recur_between("FREQ=SOMETIMES", "2026-01-01", "2026-01-01", "2026-02-01", out, 4),
        RECUR_ERR_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_next_quarterly),
        cmocka_unit_test(test_next_ends),
        cmocka_unit_test(test_between),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
