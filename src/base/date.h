/*
 * date.h - calendar days: the one place for leap years, month lengths,
 * strict "YYYY-MM-DD" parsing, day arithmetic and the business day.
 *
 * A day is a proleptic Gregorian struct date with years 1 to 9999. Day
 * numbers count days since 1970-01-01 (negative before). The business day
 * runs from 00:00 to 24:00 China Standard Time (+08:00, no daylight saving),
 * whatever the host's time zone: DATE_TZ_OFFSET is the only zone Hongyan
 * knows. Nothing allocates; every function is thread-safe.
 */
#ifndef HY_DATE_H
#define HY_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DATE_TZ_OFFSET   (8 * 3600)
#define DATE_DAY_SECONDS 86400

struct date {
    int year;  /* 1..9999 */
    int month; /* 1..12 */
    int day;   /* 1..31 */
};

enum date_error {
    DATE_ERR_FORMAT = -1,  /* not exactly "NNNN-NN-NN" */
    DATE_ERR_INVALID = -2, /* the right shape, but no such day */
};

bool date_is_leap(int year);
/* 28..31; 0 when month is not 1..12. */
int date_days_in_month(int year, int month);
/* A real day in years 1..9999. */
bool date_is_real(int year, int month, int day);

/*
 * Strict "YYYY-MM-DD": s[0..n) is exactly ten characters, four, two and two
 * ASCII digits between '-', naming a real day. 0 and *out filled (out may be
 * NULL), or a negative enum date_error. s may be NULL (DATE_ERR_FORMAT).
 */
int date_parse(const char *s, size_t n, struct date *out);
/* "YYYY-MM-DD" and a NUL into out. */
void date_format(struct date d, char out[11]);

/* Day number of d (days since 1970-01-01), and the day of a day number. */
int64_t date_to_days(struct date d);
struct date date_from_days(int64_t days);
/* d moved by n days (n may be negative). */
struct date date_add_days(struct date d, int64_t n);
/* Days from `from` to `to`: positive when to is later. */
int64_t date_days_between(struct date from, struct date to);
/* ISO 8601 weekday: 1 Monday .. 7 Sunday. */
int date_weekday(struct date d);

/* The business day (+08:00) in which Unix time t falls. */
struct date date_of_time(int64_t t);
/* Unix time of 00:00 +08:00 on d. */
int64_t date_start_time(struct date d);
/* Unix time of the start (00:00 +08:00) of the business day holding t. */
int64_t date_day_start(int64_t t);

#endif
