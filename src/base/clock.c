/*
 * clock.c - see clock.h.
 */
#include "base/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t offset;

int64_t clock_now(void)
{
    return (int64_t)time(NULL) + atomic_load(&offset);
}

void clock_advance(int64_t delta)
{
    atomic_fetch_add(&offset, delta);
}

void clock_set(int64_t t)
{
    atomic_store(&offset, t - (int64_t)time(NULL));
}

void clock_format_iso(int64_t t, char *out, size_t outlen)
{
    time_t local = (time_t)(t + HY_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void clock_format_date(int64_t t, char *out, size_t outlen)
{
    char day[11];
    date_format(date_of_time(t), day);
    snprintf(out, outlen, "%s", day);
}

static int two(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "YYYY-MM-DD" at the start of s (at least ten bytes) from year 1000 on. */
static int parse_ymd(const char *s, struct date *d)
{
    return date_parse(s, 10, d) || d->year < 1000 ? -1 : 0;
}

int clock_parse_date(const char *s, int64_t *out)
{
    struct date d;
    if (!s || strlen(s) != 10 || parse_ymd(s, &d))
        return -1;
    *out = date_start_time(d);
    return 0;
}

int clock_parse_iso(const char *s, int64_t *out)
{
    struct date d;
    size_t len = s ? strlen(s) : 0;
    if (len < 19 || parse_ymd(s, &d) || (s[10] != 'T' && s[10] != ' '))
        return -1;
    int hh = two(s + 11), mm = two(s + 14), ss = two(s + 17);
    if (s[13] != ':' || s[16] != ':' || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return -1;
    const char *p = s + 19;
    if (*p == '.') { /* fractional seconds are accepted and dropped */
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int64_t off;
    if (*p == 'Z' && p[1] == '\0') {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = two(p + 1), om = two(p + 4);
        if (oh < 0 || oh > 14 || om < 0 || om > 59)
            return -1;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else if (*p == '\0') {
        off = HY_TZ_OFFSET; /* no offset: local time */
    } else {
        return -1;
    }
    *out = date_to_days(d) * DATE_DAY_SECONDS + hh * 3600 + mm * 60 + ss - off;
    return 0;
}
