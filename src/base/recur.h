/*
 * recur.h - all-day recurrence rules (RFC 5545 RRULE) for periodic visits
 * and reminders: validation, the next occurrence, and the occurrences in a
 * window (the scheduler catching up on days it missed while stopped).
 *
 * Parsing and expansion are libical's; nothing here interprets RRULE text.
 * Occurrences are days ("YYYY-MM-DD"), with no time of day and no time zone:
 * dtstart is the first day of the series, and it is itself an occurrence
 * only when the rule generates it (libical does not add a DTSTART that the
 * rule does not match, e.g. a Saturday start for FREQ=WEEKLY;BYDAY=MO).
 * Days the rule names but the calendar lacks are skipped, as RFC 5545 says:
 * FREQ=MONTHLY;BYMONTHDAY=31 has no occurrence in April.
 *
 * Accepted: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY with INTERVAL, COUNT,
 * UNTIL, WKST and the BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH and
 * BYSETPOS parts. Refused, because a day can hold only one occurrence here:
 * FREQ=HOURLY, MINUTELY, SECONDLY and the BYHOUR, BYMINUTE and BYSECOND
 * parts; also RSCALE (lunar dates are src/base/lunar.h's job). A rule is at
 * most RECUR_MAX_RULE bytes. UNTIL may be a date or a date-time; only its
 * date counts, inclusive.
 *
 * All functions are thread-safe and allocate nothing that outlives the call.
 * Expansion walks from dtstart (libical cannot skip ahead in a rule with
 * COUNT), so the cost grows with the number of occurrences between dtstart
 * and the window: a daily rule started ten years ago costs ~3650 steps.
 * At most RECUR_MAX_STEPS occurrences are generated per call. Dates must lie
 * in years RECUR_MIN_YEAR to RECUR_MAX_YEAR.
 */
#ifndef HY_RECUR_H
#define HY_RECUR_H

#include <stddef.h>

#define RECUR_MAX_RULE  512
#define RECUR_MAX_STEPS 100000
#define RECUR_MIN_YEAR  1900
#define RECUR_MAX_YEAR  2100

enum recur_error {
    RECUR_OK = 0,
    RECUR_ERR_SYNTAX = -1,      /* not an RRULE libical understands */
    RECUR_ERR_UNSUPPORTED = -2, /* valid RFC 5545, but not for all-day dates */
    RECUR_ERR_DATE = -3,        /* a date argument is not "YYYY-MM-DD" in range */
    RECUR_ERR_NONE = -4,        /* recur_next(): no occurrence after that day */
    RECUR_ERR_TOO_MANY = -5,    /* more than RECUR_MAX_STEPS steps to get there */
};

/*
 * Stable English key for an error code: "ok", "rrule.syntax",
 * "rrule.unsupported", "date.invalid", "rrule.no_occurrence",
 * "rrule.too_many"; "unknown" otherwise. Never NULL.
 */
const char *recur_error_key(int code);

/*
 * Check a rule such as "FREQ=MONTHLY;INTERVAL=3", "FREQ=YEARLY" or
 * "FREQ=WEEKLY;BYDAY=MO" (no "RRULE:" prefix). Returns 0, RECUR_ERR_SYNTAX or
 * RECUR_ERR_UNSUPPORTED; on error, when err is not NULL, writes a short
 * lower-case English reason for logs (not for the UI) into err.
 */
int recur_validate(const char *rrule, char *err, size_t errlen);

/*
 * First occurrence of the series (rrule from dtstart) strictly after the day
 * `after`, written into out. RECUR_ERR_NONE when the series ends (COUNT,
 * UNTIL) before then.
 */
int recur_next(const char *rrule, const char *dtstart, const char *after, char out[11]);

/*
 * Occurrences of the series in [from, to], both inclusive, in order: writes
 * at most max of them into out and returns how many it wrote (0 when none,
 * or from > to), or a negative recur_error. A return equal to max may mean
 * more occurrences were left out; out may be NULL when max is 0.
 */
int recur_between(const char *rrule, const char *dtstart, const char *from, const char *to,
                  char (*out)[11], size_t max);

#endif
