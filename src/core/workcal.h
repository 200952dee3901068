/*
 * workcal.h - the business calendar that SLA timers count on: working
 * hours (one or two periods a day, +08:00) on working days. Monday to
 * Friday work and weekends are off, except the exceptions an admin keeps
 * per year: public holidays (法定节假日, off) and make-up working days
 * (调休上班, on). A year that was never configured has weekends only.
 *
 * The calendar lives in the tables of migration 0026 and is kept in
 * memory: the arithmetic reads a bitmap of working days over the
 * configured years and the working hours. Every edit moves a version
 * number in the work_calendar row; a process compares it with its copy at
 * most once a second (and at once after its own edits), so a change made
 * on another server takes effect here within a second.
 */
#ifndef HY_WORKCAL_H
#define HY_WORKCAL_H

#include <stdbool.h>
#include <stdint.h>

struct db;

/* The instant that is `secs` seconds of working time after `start` (Unix
 * seconds) on the business calendar (working hours on working days;
 * weekends and public holidays off, make-up working days on). secs <= 0
 * answers start. Returns 0 or a negative DB_* error. */
int workcal_add(struct db *db, int64_t start, int64_t secs, int64_t *due);
/* Working seconds in [a, b) (0 when b <= a). Returns 0 or a negative DB_*
 * error. */
int workcal_between(struct db *db, int64_t a, int64_t b, int64_t *secs);

/* Forget this process's copy: the next call reads the calendar again.
 * Called when an edit commits (db_on_commit). */
void workcal_invalidate(void);

/* ---- the calendar as values: the arithmetic, without a database ---- */

#define WORKCAL_MAX_PERIODS 2

struct workcal_cal {
    int nperiods;                       /* 1 or 2 */
    int32_t start[WORKCAL_MAX_PERIODS]; /* seconds after 00:00 +08:00; */
    int32_t end[WORKCAL_MAX_PERIODS];   /* start < end <= next start, end <= 86400 */
    int64_t first_day;                  /* day number (base/date.h) of work[0] */
    int32_t ndays;                      /* days that `work` covers (0: none) */
    uint8_t *work;                      /* 1 a working day, 0 a day off; outside: Mon-Fri */
};

/* Whether day (a day number, base/date.h) is a working day. */
bool workcal_cal_is_workday(const struct workcal_cal *c, int64_t day);
/* workcal_add and workcal_between on c. The working hours must hold at
 * least one second (the checks of the edit make sure). */
int64_t workcal_cal_add(const struct workcal_cal *c, int64_t start, int64_t secs);
int64_t workcal_cal_between(const struct workcal_cal *c, int64_t a, int64_t b);

/* ---- reading and checking what an admin edits (workcal_api.c) ---- */

/* The years an admin may configure. */
#define WORKCAL_YEAR_MIN 2000
#define WORKCAL_YEAR_MAX 2099
/* A holiday's or make-up day's name, in characters. */
#define WORKCAL_NAME_MAX 20

/* "HH:MM" (00:00 to 24:00) as minutes after midnight, or -1. */
int workcal_parse_hhmm(const char *s);

#endif
