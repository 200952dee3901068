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
    time_t local = (time_t)(t + HY_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    snprintf(out, outlen, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int two(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Parse "YYYY-MM-DD" at s; fills y/m/d; 0 when it is a real calendar date. */
static int parse_ymd(const char *s, int *y, int *m, int *d)
{
    int hi = two(s), lo = two(s + 2);
    if (hi < 0 || lo < 0 || s[4] != '-' || s[7] != '-')
        return -1;
    *y = hi * 100 + lo;
    *m = two(s + 5);
    *d = two(s + 8);
    if (*y < 1000 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 0;
}

int clock_parse_date(const char *s, int64_t *out)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || parse_ymd(s, &y, &m, &d))
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    *out = (int64_t)timegm(&tm) - HY_TZ_OFFSET;
    return 0;
}

int clock_parse_iso(const char *s, int64_t *out)
{
    int y, m, d;
    size_t len = s ? strlen(s) : 0;
    if (len < 19 || parse_ymd(s, &y, &m, &d) || (s[10] != 'T' && s[10] != ' '))
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
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = m - 1,
                    .tm_mday = d,
                    .tm_hour = hh,
                    .tm_min = mm,
                    .tm_sec = ss};
    *out = (int64_t)timegm(&tm) - off;
    return 0;
}
