/*
 * recur.c - all-day RRULE expansion through libical (see recur.h).
 *
 * libical reports a bad rule by returning freq ICAL_NO_RECURRENCE, not
 * through its global-looking icalerrno, so that is what we test; an iterator
 * it refuses to build (RFC 5545 forbids some BY-part combinations, e.g.
 * BYWEEKNO outside FREQ=YEARLY) is a syntax error too. Nothing here changes
 * libical's process-wide settings.
 */
#include "base/recur.h"

#include "base/date.h"
#include "base/i18n.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libical/ical.h>

const char *recur_error_key(int code)
{
    /* In the order of the codes: 0, -1, -2, ... */
    static const char *const keys[] = {"ok",           "rrule.syntax",        "rrule.unsupported",
                                       "date.invalid", "rrule.no_occurrence", "rrule.too_many"};
    _Static_assert(sizeof(keys) / sizeof(keys[0]) == 1 - RECUR_ERR_TOO_MANY,
                   "a key for every code");
    return i18n_code_key(code, keys, sizeof(keys) / sizeof(keys[0]));
}

/* ---- dates ------------------------------------------------------------- */

/* Strict "YYYY-MM-DD" within the supported years, as a libical DATE. */
static int parse_day(const char *s, struct icaltimetype *out)
{
    struct date day;
    if (!s || date_parse(s, strlen(s), &day) || day.year < RECUR_MIN_YEAR ||
        day.year > RECUR_MAX_YEAR)
        return RECUR_ERR_DATE;
    int y = day.year, m = day.month, d = day.day;
    /* Built from text: a hand-filled icaltime_null_date() makes libical's
     * iterator start one day early. */
    char compact[9];
    snprintf(compact, sizeof(compact), "%04u%02u%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    *out = icaltime_from_string(compact);
    return icaltime_is_null_time(*out) ? RECUR_ERR_DATE : 0;
}

/* Sortable integer of a day: 20260415. */
static long day_key(struct icaltimetype t)
{
    return (long)t.year * 10000 + t.month * 100 + t.day;
}

static void format_day(struct icaltimetype t, char out[11])
{
    /* Unsigned and bounded so the compiler can see the result fits. */
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)t.year % 10000u, (unsigned)t.month % 100u,
             (unsigned)t.day % 100u);
}

/* ---- rules ------------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

/*
 * Parse and check a rule. On success *r is the parsed rule (UNTIL reduced to
 * its date) and the caller owns nothing: rscale is always NULL then.
 */
static int parse_rule(const char *rrule, struct icalrecurrencetype *r, char *err, size_t errlen)
{
    if (!rrule || !*rrule) {
        set_err(err, errlen, "empty rule");
        return RECUR_ERR_SYNTAX;
    }
    if (strlen(rrule) > RECUR_MAX_RULE) {
        set_err(err, errlen, "rule too long");
        return RECUR_ERR_SYNTAX;
    }
    *r = icalrecurrencetype_from_string(rrule);
    if (r->rscale) {
        icalmemory_free_buffer(r->rscale);
        r->rscale = NULL;
        set_err(err, errlen, "rscale is not supported");
        return RECUR_ERR_UNSUPPORTED;
    }
    switch (r->freq) {
    case ICAL_DAILY_RECURRENCE:
    case ICAL_WEEKLY_RECURRENCE:
    case ICAL_MONTHLY_RECURRENCE:
    case ICAL_YEARLY_RECURRENCE:
        break;
    case ICAL_SECONDLY_RECURRENCE:
    case ICAL_MINUTELY_RECURRENCE:
    case ICAL_HOURLY_RECURRENCE:
        set_err(err, errlen, "more than one occurrence a day is not supported");
        return RECUR_ERR_UNSUPPORTED;
    default:
        set_err(err, errlen, "malformed rule");
        return RECUR_ERR_SYNTAX;
    }
    if (r->by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        r->by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        r->by_second[0] != ICAL_RECURRENCE_ARRAY_MAX) {
        set_err(err, errlen, "byhour, byminute and bysecond are not supported");
        return RECUR_ERR_UNSUPPORTED;
    }
    if (!icaltime_is_null_time(r->until)) {
        /* A date-time UNTIL with a DATE start would be compared across
         * types; only its day matters for all-day occurrences. */
        r->until.is_date = 1;
        r->until.hour = r->until.minute = r->until.second = 0;
        r->until.zone = NULL;
    }
    return 0;
}

int recur_validate(const char *rrule, char *err, size_t errlen)
{
    struct icalrecurrencetype r;
    int rc = parse_rule(rrule, &r, err, errlen);
    if (rc < 0)
        return rc;
    struct icaltimetype probe = icaltime_from_string("20000101");
    icalrecur_iterator *it = icalrecur_iterator_new(r, probe);
    if (!it) {
        set_err(err, errlen, "malformed rule");
        return RECUR_ERR_SYNTAX;
    }
    icalrecur_iterator_free(it);
    return 0;
}

/*
 * Walk the series from dtstart and hand each occurrence in [from, to] to
 * out (up to max). Returns the count written or a negative error; *next
 * receives the first occurrence after `to` when asked for.
 */
static int walk(const char *rrule, const char *dtstart, long from, long to, char (*out)[11],
                size_t max, struct icaltimetype *next)
{
    struct icalrecurrencetype r;
    struct icaltimetype start;
    int rc = parse_rule(rrule, &r, NULL, 0);
    if (rc < 0)
        return rc;
    if (parse_day(dtstart, &start) < 0)
        return RECUR_ERR_DATE;
    icalrecur_iterator *it = icalrecur_iterator_new(r, start);
    if (!it)
        return RECUR_ERR_SYNTAX;

    size_t n = 0;
    rc = RECUR_ERR_TOO_MANY;
    for (long step = 0; step < RECUR_MAX_STEPS; step++) {
        struct icaltimetype t = icalrecur_iterator_next(it);
        if (icaltime_is_null_time(t) || t.year > RECUR_MAX_YEAR + 1) {
            rc = next ? RECUR_ERR_NONE : (int)n;
            break;
        }
        long k = day_key(t);
        if (k > to) {
            if (next)
                *next = t;
            rc = next ? 0 : (int)n;
            break;
        }
        if (k >= from && n < max) {
            format_day(t, out[n]);
            if (++n == max) {
                rc = (int)n;
                break;
            }
        }
    }
    icalrecur_iterator_free(it);
    return rc;
}

int recur_next(const char *rrule, const char *dtstart, const char *after, char out[11])
{
    struct icaltimetype a, t;
    if (parse_day(after, &a) < 0)
        return RECUR_ERR_DATE;
    int rc = walk(rrule, dtstart, 0, day_key(a), NULL, 0, &t);
    if (rc < 0)
        return rc;
    format_day(t, out);
    return 0;
}

int recur_between(const char *rrule, const char *dtstart, const char *from, const char *to,
                  char (*out)[11], size_t max)
{
    struct icaltimetype f, t;
    if (parse_day(from, &f) < 0 || parse_day(to, &t) < 0)
        return RECUR_ERR_DATE;
    if (max > (size_t)RECUR_MAX_STEPS)
        max = RECUR_MAX_STEPS;
    if (day_key(f) > day_key(t) || max == 0) {
        /* Still report a bad rule or start. */
        struct icalrecurrencetype r;
        struct icaltimetype s;
        int rc = parse_rule(rrule, &r, NULL, 0);
        if (rc < 0)
            return rc;
        return parse_day(dtstart, &s) < 0 ? RECUR_ERR_DATE : 0;
    }
    return walk(rrule, dtstart, day_key(f), day_key(t), out, max, NULL);
}
