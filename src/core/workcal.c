/*
 * workcal.c - the business calendar (see workcal.h): the arithmetic on a
 * calendar held as values, and the one copy of the stored calendar this
 * process keeps, read again when its version moves.
 */
#include "core/workcal.h"

#include "base/date.h"
#include "base/xmalloc.h"
#include "db/db.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- arithmetic ---- */

/* Day number of the +08:00 day holding t, and the Unix time it starts. */
static int64_t day_of(int64_t t, int64_t *day_start)
{
    *day_start = date_day_start(t);
    return (*day_start + DATE_TZ_OFFSET) / DATE_DAY_SECONDS;
}

bool workcal_cal_is_workday(const struct workcal_cal *c, int64_t day)
{
    int64_t i = day - c->first_day;
    if (i >= 0 && i < c->ndays)
        return c->work[i] != 0;
    /* 1970-01-01 was a Thursday: ISO weekday 1 (Monday) .. 7 (Sunday). */
    int64_t wd = ((day + 3) % 7 + 7) % 7 + 1;
    return wd <= 5;
}

static int64_t day_total(const struct workcal_cal *c)
{
    int64_t n = 0;
    for (int p = 0; p < c->nperiods; p++)
        n += c->end[p] - c->start[p];
    return n;
}

int64_t workcal_cal_add(const struct workcal_cal *c, int64_t start, int64_t secs)
{
    if (secs <= 0)
        return start;
    int64_t ds;
    int64_t day = day_of(start, &ds);
    int64_t off = start - ds, total = day_total(c);
    for (;; day++, ds += DATE_DAY_SECONDS, off = 0) {
        if (!workcal_cal_is_workday(c, day))
            continue;
        /* A whole working day that does not hold the end: skip it at once. */
        if (off == 0 && secs > total) {
            secs -= total;
            continue;
        }
        for (int p = 0; p < c->nperiods; p++) {
            if (off >= c->end[p])
                continue;
            int64_t from = off > c->start[p] ? off : c->start[p];
            int64_t avail = c->end[p] - from;
            /* Ending exactly at the end of a period is due then, not at the
             * start of the next one. */
            if (secs <= avail)
                return ds + from + secs;
            secs -= avail;
            off = c->end[p];
        }
    }
}

/* Working seconds of day (starting at ds) inside [a, b). */
static int64_t day_overlap(const struct workcal_cal *c, int64_t ds, int64_t a, int64_t b)
{
    int64_t n = 0;
    for (int p = 0; p < c->nperiods; p++) {
        int64_t s = ds + c->start[p], e = ds + c->end[p];
        if (s < a)
            s = a;
        if (e > b)
            e = b;
        if (e > s)
            n += e - s;
    }
    return n;
}

int64_t workcal_cal_between(const struct workcal_cal *c, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    int64_t ds, last_ds;
    int64_t day = day_of(a, &ds), last = day_of(b - 1, &last_ds), total = day_total(c), n = 0;
    for (; day <= last; day++, ds += DATE_DAY_SECONDS) {
        if (!workcal_cal_is_workday(c, day))
            continue;
        if (ds >= a && ds + DATE_DAY_SECONDS <= b)
            n += total;
        else
            n += day_overlap(c, ds, a, b);
    }
    return n;
}

int workcal_parse_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

/* ---- the process's copy ---- */

/* A calendar in use by callers: freed when the last one lets it go and a
 * newer copy has replaced it. */
struct held {
    struct workcal_cal cal;
    int64_t version;
    int refs; /* the cache's own reference, plus one per caller */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct held *current;
static int64_t checked_ms; /* monotonic; 0: check at the next call */

/* How often the stored version is compared with this copy's. */
#define CHECK_EVERY_MS 1000

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drop(struct held *h)
{
    if (h && --h->refs == 0) {
        free(h->cal.work);
        free(h);
    }
}

void workcal_invalidate(void)
{
    pthread_mutex_lock(&lock);
    checked_ms = 0;
    pthread_mutex_unlock(&lock);
}

static int read_version(struct db *db, int64_t *v)
{
    int rc = db_query_int(db, "SELECT version FROM work_calendar WHERE id = 1", DB_NOARGS, v);
    return rc < 0 ? rc : rc == 0 ? DB_ERROR : 0;
}

/* Set the days of the exceptions in the configured years. */
static int load_days(struct db *db, struct workcal_cal *c)
{
    int64_t lo = 0, hi = 0;
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT MIN(year), MAX(year) FROM work_calendar_years WHERE year >= ? "
                          "AND year <= ?",
                          DB_ARGS(DB_INT(WORKCAL_YEAR_MIN), DB_INT(WORKCAL_YEAR_MAX)));
    if (rc < 0)
        return rc;
    if (rc == 1 && !db_col_is_null(st, 0)) {
        lo = db_col_int(st, 0);
        hi = db_col_int(st, 1);
    }
    db_finish(st);
    if (!lo)
        return 0;
    c->first_day = date_to_days((struct date){(int)lo, 1, 1});
    c->ndays = (int32_t)(date_to_days((struct date){(int)hi + 1, 1, 1}) - c->first_day);
    c->work = xmalloc((size_t)c->ndays);
    for (int32_t i = 0; i < c->ndays; i++) {
        int64_t wd = ((c->first_day + i + 3) % 7 + 7) % 7 + 1;
        c->work[i] = wd <= 5;
    }
    char from[11], to[11];
    date_format((struct date){(int)lo, 1, 1}, from);
    date_format((struct date){(int)hi, 12, 31}, to);
    st = db_query(db, "SELECT day, kind FROM work_calendar_days WHERE day >= ? AND day <= ?",
                  DB_ARGS(DB_TEXT(from), DB_TEXT(to)));
    if (!st)
        return DB_ERROR;
    while ((rc = db_step(st)) == 1) {
        const char *day = db_col_text(st, 0);
        struct date d;
        if (date_parse(day, strlen(day), &d) != 0)
            continue; /* the edit writes only real days */
        c->work[date_to_days(d) - c->first_day] = strcmp(db_col_text(st, 1), "workday") == 0;
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

static int load(struct db *db, struct held **out)
{
    struct held *h = xcalloc(1, sizeof *h);
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT am_start, am_end, pm_start, pm_end, version FROM work_calendar "
                          "WHERE id = 1",
                          DB_NOARGS);
    if (rc == 1) {
        h->cal.start[0] = (int32_t)db_col_int(st, 0) * 60;
        h->cal.end[0] = (int32_t)db_col_int(st, 1) * 60;
        h->cal.nperiods = 1;
        if (!db_col_is_null(st, 2) && !db_col_is_null(st, 3)) {
            h->cal.start[1] = (int32_t)db_col_int(st, 2) * 60;
            h->cal.end[1] = (int32_t)db_col_int(st, 3) * 60;
            h->cal.nperiods = 2;
        }
        h->version = db_col_int(st, 4);
        db_finish(st);
        rc = load_days(db, &h->cal);
    } else if (rc == 0) {
        rc = DB_ERROR;
    }
    if (rc < 0) {
        free(h->cal.work);
        free(h);
        return rc;
    }
    h->refs = 1;
    *out = h;
    return 0;
}

/* The current calendar, held for the caller (release with drop under the
 * lock: see release). */
static int acquire(struct db *db, struct held **out)
{
    int64_t now = mono_ms();
    pthread_mutex_lock(&lock);
    if (current && checked_ms && now - checked_ms < CHECK_EVERY_MS) {
        current->refs++;
        *out = current;
        pthread_mutex_unlock(&lock);
        return 0;
    }
    pthread_mutex_unlock(&lock);

    int64_t v = 0;
    int rc = read_version(db, &v);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&lock);
    if (current && current->version == v) {
        checked_ms = now;
        current->refs++;
        *out = current;
        pthread_mutex_unlock(&lock);
        return 0;
    }
    pthread_mutex_unlock(&lock);

    /* Read after the version: what is read is at least that new; a newer
     * edit meanwhile moves the version again and is read at the next check. */
    struct held *h = NULL;
    rc = load(db, &h);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&lock);
    struct held *old = current;
    current = h;
    checked_ms = now;
    h->refs++;
    drop(old);
    pthread_mutex_unlock(&lock);
    *out = h;
    return 0;
}

static void release(struct held *h)
{
    pthread_mutex_lock(&lock);
    drop(h);
    pthread_mutex_unlock(&lock);
}

/* fn over the current calendar: the one body of the two calls below. */
static int on_calendar(struct db *db, int64_t (*fn)(const struct workcal_cal *, int64_t, int64_t),
                       int64_t a, int64_t b, int64_t *out)
{
    struct held *h = NULL;
    int rc = acquire(db, &h);
    if (rc < 0)
        return rc;
    *out = fn(&h->cal, a, b);
    release(h);
    return 0;
}

int workcal_add(struct db *db, int64_t start, int64_t secs, int64_t *due)
{
    if (secs <= 0) {
        *due = start;
        return 0;
    }
    return on_calendar(db, workcal_cal_add, start, secs, due);
}

int workcal_between(struct db *db, int64_t a, int64_t b, int64_t *secs)
{
    if (b <= a) {
        *secs = 0;
        return 0;
    }
    return on_calendar(db, workcal_cal_between, a, b, secs);
}
