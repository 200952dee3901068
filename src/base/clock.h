/*
 * clock.h - the server's notion of "now".
 *
 * All business time (lockouts, code expiry, reminders, SLA timers) reads
 * clock_now() so that tests can move time with an offset (test mode only)
 * instead of sleeping. Times are Unix seconds; the API presents them in
 * China Standard Time (+08:00, no daylight saving).
 */
#ifndef HY_CLOCK_H
#define HY_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"

#define HY_TZ_OFFSET DATE_TZ_OFFSET

int64_t clock_now(void);
/* Shift the clock by delta seconds (test mode). */
void clock_advance(int64_t delta);
/* Make clock_now() return t from now on (test mode). */
void clock_set(int64_t t);

/* Format t as "2026-11-23T09:30:00+08:00" into out (at least 26 bytes). */
void clock_format_iso(int64_t t, char *out, size_t outlen);
/* Parse ISO 8601 with offset or Z ("2026-11-23T09:30:00+08:00"); 0 on success. */
int clock_parse_iso(const char *s, int64_t *out);
/* Parse "YYYY-MM-DD" as local (+08:00) midnight; 0 on success, -1 if not a real date. */
int clock_parse_date(const char *s, int64_t *out);
/* Format the local (+08:00) calendar date of t as "YYYY-MM-DD". */
void clock_format_date(int64_t t, char *out, size_t outlen);

#endif
