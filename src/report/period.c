/*
 * period.c - the period picker's periods (month, quarter, year at
 * +08:00) and the months the trends are drawn over (see report.h).
 */
#include "report/report.h"

#include "base/clock.h"
#include "base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t report_month_first(int m)
{
    return date_to_days((struct date){m / 12, m % 12 + 1, 1});
}

int report_month_of_day(int64_t d)
{
    struct date x = date_from_days(d);
    return x.year * 12 + x.month - 1;
}

void report_month_label(int m, char out[8])
{
    snprintf(out, 8, "%04u-%02u", (unsigned)(m / 12) % 10000u, (unsigned)(m % 12 + 1) % 100u);
}

/* "YYYY-MM" or "YYYY-MM-DD" into *d (the first of the month for the
 * former): 0, or -1. */
static int read_date(const char *s, struct date *d)
{
    size_t n = strlen(s);
    if (n == 10)
        return date_parse(s, n, d) ? -1 : 0;
    char full[11];
    if (n != 7)
        return -1;
    snprintf(full, sizeof(full), "%s-01", s);
    return date_parse(full, 10, d) ? -1 : 0;
}

int report_period_read(const char *kind, const char *date, struct report_period *p)
{
    memset(p, 0, sizeof(*p));
    if (!kind || !*kind || strcmp(kind, "month") == 0)
        p->kind = 'm', p->months = 1;
    else if (strcmp(kind, "quarter") == 0)
        p->kind = 'q', p->months = 3;
    else if (strcmp(kind, "year") == 0)
        p->kind = 'y', p->months = 12;
    else
        return -1;
    int64_t today = date_to_days(date_of_time(clock_now()));
    struct date d = date_from_days(today);
    if (date && *date && read_date(date, &d))
        return -2;
    int m = d.year * 12 + d.month - 1;
    m -= m % p->months; /* months % 12 == 0 for quarters and years alike */
    p->year = m / 12;
    p->month = m % 12 + 1;
    p->from = report_month_first(m);
    p->to = report_month_first(m + p->months) - 1;
    if (p->from <= today && today < p->to)
        p->to = today;
    return 0;
}

struct report_period report_period_back(const struct report_period *p, int months)
{
    struct report_period q = *p;
    int m = p->year * 12 + p->month - 1 - months;
    q.year = m / 12;
    q.month = m % 12 + 1;
    q.from = report_month_first(m);
    int64_t end = report_month_first(m + p->months) - 1, len = p->to - p->from;
    q.to = q.from + len < end ? q.from + len : end;
    return q;
}

json_t *report_period_json(const struct report_period *p)
{
    char from[11], to[11], label[16];
    date_format(date_from_days(p->from), from);
    date_format(date_from_days(p->to), to);
    if (p->kind == 'm')
        snprintf(label, sizeof(label), "%04u-%02u", (unsigned)p->year % 10000u,
                 (unsigned)p->month % 100u);
    else if (p->kind == 'q')
        snprintf(label, sizeof(label), "%04u-Q%u", (unsigned)p->year % 10000u,
                 (unsigned)(p->month - 1) / 3u % 10u + 1u);
    else
        snprintf(label, sizeof(label), "%04u", (unsigned)p->year % 10000u);
    const char *kind = p->kind == 'm' ? "month" : p->kind == 'q' ? "quarter" : "year";
    return json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "from", from, "to", to, "label", label);
}
