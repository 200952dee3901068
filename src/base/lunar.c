/*
 * lunar.c - Chinese lunisolar calendar through ICU (see lunar.h).
 *
 * Days cross the ICU boundary as UTC midnights: a Gregorian date becomes a
 * day number (days since 1970-01-01, proleptic Gregorian, computed here
 * because that is plain arithmetic) times 86 400 000 ms, and the Chinese
 * calendar is opened in UTC so that its fields describe that same day. ICU
 * does the astronomy in China Standard Time internally, so the zone we open
 * the calendar in does not change which day a lunar month starts on.
 *
 * Why a calendar per call: a UCalendar is not thread-safe, opening one costs
 * microseconds, and birthday reminders convert a few dates per customer per
 * day. ICU's own caches of new moons and solar terms are shared and locked
 * inside ICU.
 *
 * Known ICU 72 deviations from the Purple Mountain Observatory almanac,
 * 1901-2099, found by comparing every month start with a table-based
 * converter (ICU first, almanac second); dates here follow ICU:
 *   1917 leap month 3 from 04-21 / leap month 2 from 03-23
 *   1922 leap month 6 from 07-24 / leap month 5 from 06-25
 *   1954-02-04 / 02-03 month 1      1955-02-23 / 02-22 month 2
 *   1987 leap month 7 from 08-24 / leap month 6 from 07-26
 *   1999-01-18 / 01-17 month 12     2012-08-18 / 08-17 month 7
 *   2018-11-07 / 11-08 month 10     2027-02-07 / 02-06 month 1
 *   2030-02-02 / 02-03 month 1      2070-03-13 / 03-12 month 2
 */
#include "base/lunar.h"

#include "base/date.h"
#include "base/i18n.h"

#include <stdint.h>
#include <string.h>

#include <unicode/ucal.h>

/*
 * ICU's extended year for the Chinese calendar counts from the traditional
 * epoch of 2637 BCE: extended year 4663 is the lunar year that began on
 * 2026-02-17.
 */
#define ICU_CHINESE_YEAR_OFFSET 2637

#define MS_PER_DAY 86400000.0

static const UChar utc_zone[] = {'U', 'T', 'C', 0};

const char *lunar_error_key(int code)
{
    /* In the order of the codes: 0, -1, -2, ... */
    static const char *const keys[] = {
        "ok", "date.invalid", "date.range", "lunar.no_such_day", "birthday.future", "lunar.icu"};
    _Static_assert(sizeof(keys) / sizeof(keys[0]) == 1 - LUNAR_ERR_ICU, "a key for every code");
    return i18n_code_key(code, keys, sizeof(keys) / sizeof(keys[0]));
}

/* ---- Gregorian days (base/date.h) -------------------------------------- */

static bool in_range(int y)
{
    return y >= LUNAR_MIN_YEAR && y <= LUNAR_MAX_YEAR;
}

static int64_t day_number(int y, int m, int d)
{
    return date_to_days((struct date){.year = y, .month = m, .day = d});
}

/* Strict "YYYY-MM-DD": exactly ten characters, a real day. */
static int parse_ymd(const char *s, struct date *d)
{
    return s && date_parse(s, strlen(s), d) == 0 ? 0 : LUNAR_ERR_DATE;
}

/* ---- ICU --------------------------------------------------------------- */

static UCalendar *open_chinese(void)
{
    UErrorCode status = U_ZERO_ERROR;
    UCalendar *cal = ucal_open(utc_zone, -1, "zh@calendar=chinese", UCAL_TRADITIONAL, &status);
    if (U_FAILURE(status)) {
        if (cal)
            ucal_close(cal);
        return NULL;
    }
    return cal;
}

/* Lunar date of day number `days`. */
static int lunar_of_day(UCalendar *cal, int64_t days, struct lunar_date *out)
{
    UErrorCode status = U_ZERO_ERROR;
    ucal_setMillis(cal, (UDate)days * MS_PER_DAY, &status);
    int32_t ext = ucal_get(cal, UCAL_EXTENDED_YEAR, &status);
    int32_t month = ucal_get(cal, UCAL_MONTH, &status);
    int32_t leap = ucal_get(cal, UCAL_IS_LEAP_MONTH, &status);
    int32_t day = ucal_get(cal, UCAL_DATE, &status);
    if (U_FAILURE(status))
        return LUNAR_ERR_ICU;
    out->year = ext - ICU_CHINESE_YEAR_OFFSET;
    out->month = month + 1;
    out->day = day;
    out->is_leap_month = leap != 0;
    return 0;
}

/*
 * Day number of the first day of a lunar month and the month's length (29 or
 * 30). LUNAR_ERR_NO_SUCH_DAY when the year has no such (leap) month: ICU is
 * lenient and would silently move the date on, so the fields are read back.
 */
static int month_start(UCalendar *cal, int lunar_year, int month, bool leap, int64_t *days,
                       int *len)
{
    UErrorCode status = U_ZERO_ERROR;
    ucal_clear(cal);
    ucal_set(cal, UCAL_EXTENDED_YEAR, lunar_year + ICU_CHINESE_YEAR_OFFSET);
    ucal_set(cal, UCAL_MONTH, month - 1);
    ucal_set(cal, UCAL_IS_LEAP_MONTH, leap ? 1 : 0);
    ucal_set(cal, UCAL_DATE, 1);
    UDate ms = ucal_getMillis(cal, &status);
    if (U_FAILURE(status))
        return LUNAR_ERR_ICU;

    struct lunar_date got;
    int64_t day = (int64_t)(ms / MS_PER_DAY);
    if (lunar_of_day(cal, day, &got) < 0)
        return LUNAR_ERR_ICU;
    if (got.year != lunar_year || got.month != month || got.is_leap_month != leap || got.day != 1)
        return LUNAR_ERR_NO_SUCH_DAY;
    /* Day 30 exists when the 30th day after the 1st still belongs to this
     * month (cheaper than asking ICU for UCAL_ACTUAL_MAXIMUM). */
    struct lunar_date last;
    if (lunar_of_day(cal, day + 29, &last) < 0)
        return LUNAR_ERR_ICU;
    *days = day;
    *len = last.day == 30 ? 30 : 29;
    return 0;
}

/* ---- public ------------------------------------------------------------ */

int lunar_from_gregorian(int y, int m, int d, struct lunar_date *out)
{
    if (!date_is_real(y, m, d))
        return LUNAR_ERR_DATE;
    if (!in_range(y))
        return LUNAR_ERR_RANGE;
    UCalendar *cal = open_chinese();
    if (!cal)
        return LUNAR_ERR_ICU;
    struct lunar_date ld;
    int rc = lunar_of_day(cal, day_number(y, m, d), &ld);
    ucal_close(cal);
    if (rc == 0 && out)
        *out = ld;
    return rc;
}

int lunar_to_gregorian(int lunar_year, int month, int day, bool leap, int *y, int *m, int *d)
{
    if (month < 1 || month > 12 || day < 1 || day > 30)
        return LUNAR_ERR_NO_SUCH_DAY;
    if (lunar_year < LUNAR_MIN_YEAR - 1 || lunar_year > LUNAR_MAX_YEAR)
        return LUNAR_ERR_RANGE;
    UCalendar *cal = open_chinese();
    if (!cal)
        return LUNAR_ERR_ICU;
    int64_t start;
    int len;
    int rc = month_start(cal, lunar_year, month, leap, &start, &len);
    ucal_close(cal);
    if (rc < 0)
        return rc;
    if (day > len)
        return LUNAR_ERR_NO_SUCH_DAY;
    struct date g = date_from_days(start + day - 1);
    if (!in_range(g.year))
        return LUNAR_ERR_RANGE;
    *y = g.year;
    *m = g.month;
    *d = g.day;
    return 0;
}

/* A birthday and today, both checked, with their day numbers. */
struct birthday_args {
    struct date born, today;
    int64_t born_days, today_days;
};

/* Parse and check a birthday and today into *a; 0 or an error. */
static int birthday_args(const char *birthday, const char *today, struct birthday_args *a)
{
    if (parse_ymd(birthday, &a->born) < 0 || parse_ymd(today, &a->today) < 0)
        return LUNAR_ERR_DATE;
    if (!in_range(a->born.year) || !in_range(a->today.year))
        return LUNAR_ERR_RANGE;
    a->born_days = date_to_days(a->born);
    a->today_days = date_to_days(a->today);
    return a->born_days > a->today_days ? LUNAR_ERR_FUTURE : 0;
}

/* Day number of a lunar birthday (month/day/leap of birth) in lunar_year. */
static int birthday_in_year(UCalendar *cal, int lunar_year, const struct lunar_date *birth,
                            int64_t *days)
{
    int64_t start;
    int len;
    int rc = month_start(cal, lunar_year, birth->month, birth->is_leap_month, &start, &len);
    if (rc == LUNAR_ERR_NO_SUCH_DAY && birth->is_leap_month)
        rc = month_start(cal, lunar_year, birth->month, false, &start, &len);
    if (rc < 0)
        return rc;
    *days = start + (birth->day <= len ? birth->day : len) - 1;
    return 0;
}

int lunar_next_birthday(const char *birthday_gregorian, const char *today, char out[11])
{
    struct birthday_args a;
    int rc = birthday_args(birthday_gregorian, today, &a);
    UCalendar *cal = rc < 0 ? NULL : open_chinese();
    if (!cal)
        return rc < 0 ? rc : LUNAR_ERR_ICU;
    struct lunar_date birth, now;
    int64_t when = 0;
    if ((rc = lunar_of_day(cal, a.born_days, &birth)) < 0 ||
        (rc = lunar_of_day(cal, a.today_days, &now)) < 0)
        goto out;
    /* This lunar year's birthday, or next year's when it is already past:
     * next year's always lies after today. */
    if ((rc = birthday_in_year(cal, now.year, &birth, &when)) < 0)
        goto out;
    if (when < a.today_days && (rc = birthday_in_year(cal, now.year + 1, &birth, &when)) < 0)
        goto out;
    date_format(date_from_days(when), out);
out:
    ucal_close(cal);
    return rc;
}

int gregorian_next_birthday(const char *birthday, const char *today, char out[11])
{
    struct birthday_args a;
    int rc = birthday_args(birthday, today, &a);
    for (int y = a.today.year; rc == 0; y++) {
        struct date next = {.year = y, .month = a.born.month, .day = a.born.day};
        if (next.month == 2 && next.day == 29 && !date_is_leap(y))
            next.day = 28;
        if (date_to_days(next) >= a.today_days) {
            date_format(next, out);
            return 0;
        }
    }
    return rc;
}
