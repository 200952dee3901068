/*
 * workcal_api.c - the HTTP endpoints of the business calendar (系统管理 →
 * 工作日历): read a year (anyone signed in), replace a year's exceptions
 * and the working hours (admin, audited), and the due time of a duration
 * on the calendar (the admin page's preview, and tests).
 *
 * An edit is checked whole before anything is written: a refused one
 * changes nothing. It moves the calendar's version in its transaction, so
 * other servers read the calendar again within a second, and this one at
 * once (workcal_invalidate on commit).
 */
#include "core/workcal.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/utf8.h"
#include "core/audit.h"
#include "core/perms.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A duration previewed at most: a year of minutes. */
#define DUE_MAX_MINUTES 527040

/* The {year} of the path, or 0 having answered 422. */
static int path_year(struct req *r)
{
    char *end = NULL;
    long y = strtol(r->params[0], &end, 10);
    if (*end || y < WORKCAL_YEAR_MIN || y > WORKCAL_YEAR_MAX) {
        reply_invalid(r, json_pack("{s:s}", "year", req_msg(r, "workcal.year_range")));
        return 0;
    }
    return (int)y;
}

/* Minutes 0..1440 (the columns' range) as "HH:MM". */
static void hhmm(int minutes, char out[8])
{
    unsigned m = (unsigned)minutes % 1441;
    snprintf(out, 8, "%02u:%02u", m / 60, m % 60);
}

static json_t *period(int from, int to)
{
    char a[8], b[8];
    hhmm(from, a);
    hhmm(to, b);
    return json_pack("{s:s,s:s}", "start", a, "end", b);
}

/* {"periods", "version"} of the stored working hours, or NULL (*rc). */
static json_t *hours_json(struct db *db, int *rc)
{
    struct db_stmt *st = NULL;
    *rc = db_query_row(db, &st,
                       "SELECT am_start, am_end, pm_start, pm_end, version FROM work_calendar "
                       "WHERE id = 1",
                       DB_NOARGS);
    if (*rc != 1) {
        *rc = *rc < 0 ? *rc : DB_ERROR;
        return NULL;
    }
    json_t *periods = json_array();
    json_array_append_new(periods, period((int)db_col_int(st, 0), (int)db_col_int(st, 1)));
    if (!db_col_is_null(st, 2) && !db_col_is_null(st, 3))
        json_array_append_new(periods, period((int)db_col_int(st, 2), (int)db_col_int(st, 3)));
    json_t *out = json_pack("{s:o,s:I}", "periods", periods, "version", db_col_int(st, 4));
    db_finish(st);
    *rc = 0;
    return out;
}

static void year_bounds(int year, char from[11], char to[11])
{
    date_format((struct date){year, 1, 1}, from);
    date_format((struct date){year, 12, 31}, to);
}

static void year_get(struct req *r)
{
    int year = path_year(r);
    if (!year)
        return;
    int rc = 0;
    json_t *hours = hours_json(r->db, &rc);
    if (!hours) {
        reply_db_error(r, rc);
        return;
    }
    int64_t configured = 0;
    rc = db_query_int(r->db, "SELECT COUNT(*) FROM work_calendar_years WHERE year = ?",
                      DB_ARGS(DB_INT(year)), &configured);
    char from[11], to[11];
    year_bounds(year, from, to);
    struct db_stmt *st =
        rc < 0 ? NULL
               : db_query(r->db,
                          "SELECT day, kind, name FROM work_calendar_days WHERE day >= ? AND "
                          "day <= ? ORDER BY day",
                          DB_ARGS(DB_TEXT(from), DB_TEXT(to)));
    json_t *days = json_array();
    while (st && (rc = db_step(st)) == 1)
        json_array_append_new(days, json_pack("{s:s,s:s,s:s}", "date", db_col_text(st, 0), "kind",
                                              db_col_text(st, 1), "name", db_col_text(st, 2)));
    db_finish(st);
    if (rc < 0 || !st) {
        json_decref(hours);
        json_decref(days);
        reply_db_error(r, rc < 0 ? rc : DB_ERROR);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:i,s:b,s:o,s:O,s:O}", "year", year, "configured", configured > 0,
                         "days", days, "hours", json_object_get(hours, "periods"), "version",
                         json_object_get(hours, "version")));
    json_decref(hours);
}

/* "DATE：message" (zh) or "DATE message" (en) under errors["days.i"]. */
static void day_error(struct req *r, json_t *errors, size_t i, const char *date, const char *key)
{
    char field[32], msg[256];
    snprintf(field, sizeof field, "days.%zu", i);
    bool en = strcmp(r->lang, "en") == 0;
    snprintf(msg, sizeof msg, "%s%s%s", date ? date : "", en ? " " : "：", req_msg(r, key));
    json_object_set_new(errors, field, json_string(msg));
}

/* Check one entry of a year's days; true when it is good. */
static bool check_day(struct req *r, int year, json_t *e, size_t i, json_t *seen, json_t *errors)
{
    const char *date = json_string_value(json_object_get(e, "date"));
    const char *kind = json_string_value(json_object_get(e, "kind"));
    json_t *name = json_object_get(e, "name");
    struct date d;
    if (!date || date_parse(date, strlen(date), &d) != 0 || d.year != year) {
        day_error(r, errors, i, date, "workcal.date");
        return false;
    }
    if (json_object_get(seen, date)) {
        day_error(r, errors, i, date, "workcal.date_twice");
        return false;
    }
    json_object_set_new(seen, date, json_true());
    if (!kind || (strcmp(kind, "holiday") != 0 && strcmp(kind, "workday") != 0)) {
        day_error(r, errors, i, date, "workcal.kind");
        return false;
    }
    const char *n = json_string_value(name);
    if ((name && !json_is_null(name) && !n) || (n && !utf8_valid(n, strlen(n)))) {
        day_error(r, errors, i, date, "field.not_string");
        return false;
    }
    if (strcmp(kind, "holiday") == 0 && (!n || !*n)) {
        day_error(r, errors, i, date, "workcal.name_required");
        return false;
    }
    if (n && utf8_len(n) > WORKCAL_NAME_MAX) {
        day_error(r, errors, i, date, "workcal.name_long");
        return false;
    }
    return true;
}

/* The body's "version", or answer 422 and false. */
static bool body_version(struct req *r, json_t *errors, int64_t *version)
{
    json_t *v = json_object_get(r->json, "version");
    if (!json_is_integer(v)) {
        json_object_set_new(errors, "version", json_string(req_msg(r, "field.required")));
        return false;
    }
    *version = json_integer_value(v);
    return true;
}

/* Start an edit: answer 422 with errors (stolen) when there are any;
 * else begin the transaction and move the calendar's version from
 * `version` (the one the editor read). True when the edit may go on;
 * false having answered (422, 409 stale, or the database's error). */
static bool begin_edit(struct req *r, json_t *errors, int64_t version)
{
    if (json_object_size(errors)) {
        reply_invalid(r, errors);
        return false;
    }
    json_decref(errors);
    if (!audit_begin(r))
        return false;
    int rc = db_exec(
        r->db,
        "UPDATE work_calendar SET version = version + 1, updated_by = ?, "
        "updated_at = ? WHERE id = 1 AND version = ?",
        DB_ARGS(DB_INT_OR_NULL(r->actor_id, r->actor_id), DB_INT(clock_now()), DB_INT(version)));
    if (audit_missed(r, rc, "SELECT 1 FROM work_calendar WHERE id = 1", DB_NOARGS))
        return false;
    if (rc) {
        audit_commit(r, rc);
        return false;
    }
    db_on_commit(r->db, workcal_invalidate);
    return true;
}

static int write_days(struct req *r, int year, json_t *days)
{
    char from[11], to[11];
    year_bounds(year, from, to);
    int rc = db_exec(r->db, "DELETE FROM work_calendar_days WHERE day >= ? AND day <= ?",
                     DB_ARGS(DB_TEXT(from), DB_TEXT(to)));
    size_t i;
    json_t *e;
    json_array_foreach(days, i, e)
    {
        if (rc)
            break;
        const char *name = json_string_value(json_object_get(e, "name"));
        rc = db_exec(r->db, "INSERT INTO work_calendar_days (day, kind, name) VALUES (?, ?, ?)",
                     DB_ARGS(DB_TEXT(json_string_value(json_object_get(e, "date"))),
                             DB_TEXT(json_string_value(json_object_get(e, "kind"))),
                             DB_TEXT(name ? name : "")));
    }
    if (!rc)
        rc = db_exec(
            r->db,
            "INSERT INTO work_calendar_years (year, updated_by, updated_at) VALUES "
            "(?, ?, ?) ON CONFLICT (year) DO UPDATE SET updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            DB_ARGS(DB_INT(year), DB_INT_OR_NULL(r->actor_id, r->actor_id), DB_INT(clock_now())));
    return rc;
}

static void year_put(struct req *r)
{
    int year = path_year(r);
    if (!year)
        return;
    json_t *days = json_object_get(r->json, "days"), *errors = json_object();
    int64_t version = 0;
    body_version(r, errors, &version);
    if (!json_is_array(days) || json_array_size(days) > 366) {
        json_object_set_new(errors, "days", json_string(req_msg(r, "workcal.days")));
    } else {
        json_t *seen = json_object(), *e;
        size_t i;
        json_array_foreach(days, i, e) check_day(r, year, e, i, seen, errors);
        json_decref(seen);
    }
    if (!begin_edit(r, errors, version))
        return;
    int rc = write_days(r, year, days);
    if (audit_end(r, rc, "workcal.year", "work_calendar", year,
                  json_pack("{s:i,s:O}", "year", year, "days", days)))
        year_get(r);
}

static void hours_get(struct req *r)
{
    int rc = 0;
    json_t *hours = hours_json(r->db, &rc);
    if (hours)
        reply_json(r, 200, hours);
    else
        reply_db_error(r, rc);
}

/* Check the periods of a working-hours edit into from[] / to[]
 * (minutes); the number of periods, or 0 with errors set. */
static int check_periods(struct req *r, json_t *periods, int from[2], int to[2], json_t *errors)
{
    size_t n = json_array_size(periods);
    if (!json_is_array(periods) || n < 1 || n > WORKCAL_MAX_PERIODS) {
        json_object_set_new(errors, "periods", json_string(req_msg(r, "workcal.periods")));
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(periods, i);
        from[i] = workcal_parse_hhmm(json_string_value(json_object_get(p, "start")));
        to[i] = workcal_parse_hhmm(json_string_value(json_object_get(p, "end")));
        if (from[i] < 0 || to[i] < 0 || from[i] >= to[i]) {
            char field[32];
            snprintf(field, sizeof field, "periods.%zu", i);
            json_object_set_new(errors, field, json_string(req_msg(r, "workcal.period")));
            return 0;
        }
    }
    if (n == 2 && from[1] < to[0]) {
        json_object_set_new(errors, "periods.1", json_string(req_msg(r, "workcal.period_order")));
        return 0;
    }
    return (int)n;
}

static void hours_put(struct req *r)
{
    json_t *periods = json_object_get(r->json, "periods"), *errors = json_object();
    int64_t version = 0;
    int from[2] = {0, 0}, to[2] = {0, 0};
    body_version(r, errors, &version);
    int n = check_periods(r, periods, from, to, errors);
    if (!begin_edit(r, errors, version))
        return;
    int rc = db_exec(r->db,
                     "UPDATE work_calendar SET am_start = ?, am_end = ?, pm_start = ?, pm_end = ? "
                     "WHERE id = 1",
                     DB_ARGS(DB_INT(from[0]), DB_INT(to[0]), DB_INT_OR_NULL(n == 2, from[1]),
                             DB_INT_OR_NULL(n == 2, to[1])));
    if (audit_end(r, rc, "workcal.hours", "work_calendar", 1,
                  json_pack("{s:O}", "periods", periods)))
        hours_get(r);
}

/* GET /work-calendar/due?start=ISO&minutes=N: the instant N working
 * minutes after start on the calendar. */
static void due(struct req *r)
{
    const char *start_s = req_query(r, "start"), *min_s = req_query(r, "minutes");
    json_t *errors = json_object();
    int64_t start = 0, due_at = 0;
    if (!start_s || clock_parse_iso(start_s, &start) != 0)
        json_object_set_new(errors, "start", json_string(req_msg(r, "workcal.start")));
    char *end = NULL;
    long minutes = min_s ? strtol(min_s, &end, 10) : -1;
    if (!min_s || !*min_s || *end || minutes < 0 || minutes > DUE_MAX_MINUTES)
        json_object_set_new(errors, "minutes", json_string(req_msg(r, "workcal.minutes")));
    if (json_object_size(errors)) {
        reply_invalid(r, errors);
        return;
    }
    json_decref(errors);
    int rc = workcal_add(r->db, start, (int64_t)minutes * 60, &due_at);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    char a[32], b[32];
    clock_format_iso(start, a, sizeof a);
    clock_format_iso(due_at, b, sizeof b);
    reply_json(r, 200, json_pack("{s:s,s:i,s:s}", "start", a, "minutes", (int)minutes, "due", b));
}

/* The route table workcal_routes[], made from workcal_api.routes. */
#include "core/workcal_api.routes.h"
