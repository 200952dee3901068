/*
 * date.c - calendar days (see date.h). Day numbers use Howard Hinnant's
 * days_from_civil / civil_from_days algorithms (eras of 400 years).
 */
#include "base/date.h"

bool date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && date_is_leap(year) ? 29 : dim[month - 1];
}

bool date_is_real(int year, int month, int day)
{
    return year >= 1 && year <= 9999 && day >= 1 && day <= date_days_in_month(year, month);
}

int date_parse(const char *s, size_t n, struct date *out)
{
    if (!s || n != 10 || s[4] != '-' || s[7] != '-')
        return DATE_ERR_FORMAT;
    int v[3] = {0, 0, 0};
    static const int start[] = {0, 5, 8}, len[] = {4, 2, 2};
    for (int f = 0; f < 3; f++) {
        for (int i = start[f]; i < start[f] + len[f]; i++) {
            if (s[i] < '0' || s[i] > '9')
                return DATE_ERR_FORMAT;
            v[f] = v[f] * 10 + (s[i] - '0');
        }
    }
    if (!date_is_real(v[0], v[1], v[2]))
        return DATE_ERR_INVALID;
    if (out)
        *out = (struct date){.year = v[0], .month = v[1], .day = v[2]};
    return 0;
}

void date_format(struct date d, char out[11])
{
    int y = d.year, m = d.month, dd = d.day;
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10 % 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + dd / 10 % 10);
    out[9] = (char)('0' + dd % 10);
    out[10] = '\0';
}

int64_t date_to_days(struct date d)
{
    int64_t y = d.month <= 2 ? d.year - 1 : d.year;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (d.month > 2 ? d.month - 3 : d.month + 9) + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct date date_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    return (struct date){
        .year = (int)(yoe + era * 400 + (mm <= 2)), .month = (int)mm, .day = (int)dd};
}

struct date date_add_days(struct date d, int64_t n)
{
    return date_from_days(date_to_days(d) + n);
}

int64_t date_days_between(struct date from, struct date to)
{
    return date_to_days(to) - date_to_days(from);
}

int date_weekday(struct date d)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = (date_to_days(d) + 3) % 7;
    return (int)(w < 0 ? w + 7 : w) + 1;
}

/* Floor division: a time before 1970 still falls in the day it belongs to. */
static int64_t day_number(int64_t t)
{
    int64_t local = t + DATE_TZ_OFFSET;
    return (local >= 0 ? local : local - (DATE_DAY_SECONDS - 1)) / DATE_DAY_SECONDS;
}

struct date date_of_time(int64_t t)
{
    return date_from_days(day_number(t));
}

int64_t date_start_time(struct date d)
{
    return date_to_days(d) * DATE_DAY_SECONDS - DATE_TZ_OFFSET;
}

int64_t date_day_start(int64_t t)
{
    return day_number(t) * DATE_DAY_SECONDS - DATE_TZ_OFFSET;
}
