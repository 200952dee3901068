/*
 * lunar.h - the Chinese lunisolar calendar (农历) for birthday reminders:
 * conversion between Gregorian and lunar dates, and the next Gregorian day
 * on which a lunar (or Gregorian) birthday falls.
 *
 * All astronomy comes from ICU's Chinese calendar ("zh@calendar=chinese");
 * nothing here computes new moons or solar terms. ICU is the authority: where
 * ICU disagrees with the Purple Mountain Observatory almanac (GB/T
 * 33661-2017), Hongyan follows ICU. With ICU 72 this is the case for eleven
 * month starts between 1901 and 2099, among them the Spring Festivals of 2027
 * (ICU 02-07, almanac 02-06) and 2030 (ICU 02-02, almanac 02-03) and the
 * leap months of 1917, 1922 and 1987 (see lunar.c).
 *
 * Dates are "YYYY-MM-DD" strings or year/month/day integers, months and days
 * counting from 1. A lunar year is named by the Gregorian year in which it
 * begins: the lunar year that starts on 2026-02-17 is 2026, so 2027-01-20
 * is lunar 2026-12-02.
 *
 * Every function returns 0 or one negative enum lunar_error, is thread-safe
 * (each call opens its own ICU calendar) and allocates nothing that outlives
 * the call. Supported Gregorian dates: LUNAR_MIN_YEAR-01-01 to
 * LUNAR_MAX_YEAR-12-31.
 */
#ifndef HY_LUNAR_H
#define HY_LUNAR_H

#include <stdbool.h>

#define LUNAR_MIN_YEAR 1900
#define LUNAR_MAX_YEAR 2100

enum lunar_error {
    LUNAR_OK = 0,
    LUNAR_ERR_DATE = -1,        /* not "YYYY-MM-DD", or no such Gregorian day */
    LUNAR_ERR_RANGE = -2,       /* outside the supported years */
    LUNAR_ERR_NO_SUCH_DAY = -3, /* no such lunar month (leap) or day (30) that year */
    LUNAR_ERR_FUTURE = -4,      /* birthday after "today" */
    LUNAR_ERR_ICU = -5,         /* ICU failed (missing data, out of memory) */
};

/*
 * Stable English key for an error code: "ok", "date.invalid",
 * "date.range", "lunar.no_such_day", "birthday.future", "lunar.icu";
 * "unknown" otherwise. Never NULL.
 */
const char *lunar_error_key(int code);

struct lunar_date {
    int year;           /* Gregorian year in which this lunar year began */
    int month;          /* 1-12 */
    int day;            /* 1-30 */
    bool is_leap_month; /* 闰月: the month repeats the number of the one before */
};

/* Lunar date of the Gregorian day y-m-d. Fills *out on success. */
int lunar_from_gregorian(int y, int m, int d, struct lunar_date *out);

/*
 * Gregorian day of a lunar date. Strict: a leap month the year does not have,
 * or day 30 of a 29-day month, gives LUNAR_ERR_NO_SUCH_DAY (birthday rules
 * that substitute another day live in lunar_next_birthday()). lunar_year may
 * be LUNAR_MIN_YEAR - 1 (its last months fall in January LUNAR_MIN_YEAR).
 * Fills *y, *m, *d on success.
 */
int lunar_to_gregorian(int lunar_year, int month, int day, bool leap, int *y, int *m, int *d);

/*
 * Next day, today or later, on which the lunar birthday of a person born on
 * the Gregorian day birthday_gregorian falls; written as "YYYY-MM-DD" into
 * out. The birth date is converted to a lunar month and day, which is looked
 * up in today's lunar year and, when already past, the next one. Common
 * practice decides the days that do not exist every year:
 *   - born in a leap month: celebrated in that leap month when the year has
 *     it, else in the ordinary month of the same number;
 *   - born in an ordinary month: always the ordinary month, even when the
 *     year also has a leap month of that number;
 *   - born on day 30: day 29 when that year's month has only 29 days.
 * A birthday after today is LUNAR_ERR_FUTURE. The result can fall one year
 * past LUNAR_MAX_YEAR.
 */
int lunar_next_birthday(const char *birthday_gregorian, const char *today, char out[11]);

/*
 * Next day, today or later, that is the Gregorian anniversary of birthday;
 * a 29 February birthday is kept on 28 February in common years.
 * A birthday after today is LUNAR_ERR_FUTURE.
 */
int gregorian_next_birthday(const char *birthday, const char *today, char out[11]);

#endif
