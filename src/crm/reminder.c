/*
 * reminder.c - reminder rules and the daily pass (see reminder.h).
 *
 * Each (rule, day) becomes one INSERT … SELECT over the customers the rule
 * finds: the rule's filter and the day's condition compiled by the filter
 * language, the title template filled in SQL. A pass over a million
 * customers is therefore a handful of indexed statements, not a loop.
 */
#include "crm/reminder.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/lunar.h"
#include "base/log.h"
#include "base/recur.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/ics.h"
#include "core/listing.h"
#include "core/scheduler.h"
#include "crm/customer.h"
#include "record/entity.h"
#include "record/fields.h"
#include "record/filter.h"
#include "crm/interaction.h"
#include "crm/task.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CATCH_UP_DAYS 31

struct rule {
    int64_t id;
    char kind[16], field[64], rrule[128], start_date[11], title[128], assign_to[8], priority[8],
        notify[8], last_run[11];
    int64_t offset_days;
    json_t *filter;
};

static void add_days(const char *date, int64_t days, char out[11])
{
    int64_t t;
    clock_parse_date(date, &t);
    clock_format_date(t + days * 86400 + 3600, out, 11);
}

int reminders_update_lunar_md(struct db *db, int64_t customer_id)
{
    char bd[16] = "";
    bool lunar = false;
    struct db_stmt *st = db_query(db, "SELECT birthday, birthday_lunar FROM customers WHERE id = ?",
                                  DB_ARGS(DB_INT(customer_id)));
    if (!st)
        return DB_ERROR;
    if (db_step(st) == 1 && !db_col_is_null(st, 0)) {
        snprintf(bd, sizeof(bd), "%s", db_col_text(st, 0));
        lunar = db_col_int(st, 1) != 0;
    }
    db_finish(st);
    char md[8] = "";
    struct lunar_date ld;
    if (lunar && strlen(bd) == 10 &&
        lunar_from_gregorian((int)strtol(bd, NULL, 10), (int)strtol(bd + 5, NULL, 10),
                             (int)strtol(bd + 8, NULL, 10), &ld) == 0)
        snprintf(md, sizeof(md), "%02d-%02d", ld.month, ld.day);
    return db_exec(db, "UPDATE customers SET birthday_lunar_md = ? WHERE id = ?",
                   DB_ARGS(DB_TEXT(md[0] ? md : NULL), DB_INT(customer_id)));
}

/* The customers a rule finds on day `day`, as a filter tree (new ref), plus
 * the date that goes into the title. NULL when the rule has nothing that day. */
static json_t *day_filter(const struct rule *ru, const char *day, char target[11])
{
    json_t *cond = NULL;
    if (strcmp(ru->kind, "birthday") == 0) {
        add_days(day, ru->offset_days, target);
        /* Gregorian birthdays by month-day (29 Feb celebrated on 28 Feb in
         * other years); lunar ones by their stored lunar month-day. */
        char md[6];
        memcpy(md, target + 5, 5);
        md[5] = '\0';
        int year = (int)strtol(target, NULL, 10);
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        json_t *greg =
            json_pack("{s:[{s:s,s:s,s:b},{s:s,s:s,s:[s]}]}", "and", "field", "birthday_lunar", "op",
                      "eq", "value", 0, "field", "birthday_md", "op", "in", "value", md);
        if (strcmp(md, "02-28") == 0 && !leap)
            json_array_append_new(
                json_object_get(json_array_get(json_object_get(greg, "and"), 1), "value"),
                json_string("02-29"));
        cond = json_pack("{s:[o]}", "or", greg);
        struct lunar_date ld;
        if (lunar_from_gregorian(year, (int)strtol(target + 5, NULL, 10),
                                 (int)strtol(target + 8, NULL, 10), &ld) == 0 &&
            !ld.is_leap_month) {
            char lmd[8];
            snprintf(lmd, sizeof(lmd), "%02d-%02d", ld.month, ld.day);
            json_array_append_new(
                json_object_get(cond, "or"),
                json_pack("{s:s,s:s,s:s}", "field", "birthday_lunar_md", "op", "eq", "value", lmd));
        }
    } else if (strcmp(ru->kind, "date_offset") == 0) {
        add_days(day, ru->offset_days, target);
        cond = json_pack("{s:s,s:s,s:s}", "field", ru->field, "op", "eq", "value", target);
    } else {
        char occ[1][11];
        if (recur_between(ru->rrule, ru->start_date[0] ? ru->start_date : day, day, day, occ, 1) !=
            1)
            return NULL;
        snprintf(target, 11, "%s", day);
        cond = json_pack("{s:[]}", "and");
    }
    return json_pack("{s:[O,o]}", "and", ru->filter ? ru->filter : json_object(), cond);
}

/* Make the tasks of rule ru for day `day`; with changed_since > 0 only for
 * customers added or changed since then (unique source_ref: no doubles). */
static int run_rule_day(struct db *db, const struct rule *ru, const char *day,
                        int64_t changed_since, int64_t *made)
{
    char target[11];
    json_t *tree = day_filter(ru, day, target);
    if (!tree)
        return 0;
    /* The pass sees every customer: it acts for the organisation. */
    struct sqlbuf w, b;
    struct filter_error err;
    sqlbuf_init(&w);
    sqlbuf_init(&b);
    /* w borrows strings from tree: keep it until the statement has run. */
    int rc = customer_where(db, &actor_system, NULL, tree, false, &w, &err);
    if (rc == -1) {
        log_warn("reminder rule %lld: its filter is not valid (%s %s); skipped", (long long)ru->id,
                 err.key, err.where);
        rc = 0;
        goto out;
    }
    if (rc)
        goto out;
    int64_t before = 0, due;
    db_query_int(db, "SELECT COALESCE(MAX(id), 0) FROM tasks", DB_NOARGS, &before);
    clock_parse_date(day, &due);
    due += 9 * 3600; /* reminders are due at nine on the day */
    sqlbuf_add(&b, "INSERT INTO tasks (title, customer_id, due_at, assignee_id, branch_id, "
                   "branch_path, priority, source, source_ref, rule_id, created_at, updated_at) "
                   "SELECT replace(replace(?, '{name}', c.name), '{date}', ?), c.id, ?, ");
    sqlbuf_bind_text_copy(&b, ru->title);
    sqlbuf_bind_text_copy(&b, target);
    sqlbuf_bind(&b, DB_INT(due));
    sqlbuf_add(&b, strcmp(ru->assign_to, "owner") == 0 ? "c.owner_id" : "NULL");
    sqlbuf_add(&b, ", c.branch_id, c.branch_path, ?, 'reminder', "
                   "'rule:' || ? || ':' || c.id || ':' || ?, ?, ?, ? FROM customers c WHERE ");
    sqlbuf_bind_text_copy(&b, ru->priority);
    sqlbuf_bind(&b, DB_INT(ru->id));
    sqlbuf_bind_text_copy(&b, target);
    sqlbuf_bind(&b, DB_INT(ru->id));
    sqlbuf_bind(&b, DB_INT(clock_now()));
    sqlbuf_bind(&b, DB_INT(clock_now()));
    sqlbuf_add(&b, "(");
    sqlbuf_append(&b, &w);
    sqlbuf_add(&b, ")");
    if (changed_since > 0) {
        sqlbuf_add(&b, " AND c.updated_at >= ?");
        sqlbuf_bind(&b, DB_INT(changed_since));
    }
    sqlbuf_add(&b, " ON CONFLICT DO NOTHING");
    rc = db_exec(db, b.sql, b.args, b.nargs);
    if (rc)
        goto out;
    *made += db_changes(db);
    /* The bell for each new task with an assignee, and e-mail / SMS when the
     * rule asks, through the outbox (delivered after commit). */
    rc = db_exec(db,
                 "INSERT INTO notifications (user_id, kind, title, link, created_at) "
                 "SELECT assignee_id, 'reminder', title, '" TASK_LINK "' || id, ? FROM tasks "
                 "WHERE id > ? AND rule_id = ? AND assignee_id IS NOT NULL",
                 DB_ARGS(DB_INT(clock_now()), DB_INT(before), DB_INT(ru->id)));
    if (!rc && strcmp(ru->notify, "none") != 0) {
        bool sms = strcmp(ru->notify, "sms") == 0;
        rc = db_exec(
            db,
            sms ? "INSERT INTO outbox (channel, recipient, subject, body, dedupe_key, "
                  "next_attempt_at, created_at) SELECT 'sms', u.phone, t.title, t.title, "
                  "'task:' || t.id, ?, ? FROM tasks t JOIN users u ON u.id = "
                  "t.assignee_id WHERE t.id > ? AND t.rule_id = ? AND u.phone IS NOT "
                  "NULL ON CONFLICT DO NOTHING"
                : "INSERT INTO outbox (channel, recipient, subject, body, dedupe_key, "
                  "next_attempt_at, created_at) SELECT 'email', u.email, t.title, "
                  "t.title, 'task:' || t.id, ?, ? FROM tasks t JOIN users u ON u.id = "
                  "t.assignee_id WHERE t.id > ? AND t.rule_id = ? AND u.email IS NOT "
                  "NULL ON CONFLICT DO NOTHING",
            DB_ARGS(DB_INT(clock_now()), DB_INT(clock_now()), DB_INT(before), DB_INT(ru->id)));
        if (!rc)
            db_on_commit(db, scheduler_wake);
    }
out:
    sqlbuf_release(&w);
    sqlbuf_release(&b);
    json_decref(tree);
    return rc;
}

static int load_rules(struct db *db, struct rule **out, size_t *n)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT id, kind, COALESCE(field, ''), COALESCE(rrule, ''), "
                                  "COALESCE(start_date, ''), title_template, assign_to, priority, "
                                  "notify, COALESCE(last_run_date, ''), offset_days, filter "
                                  "FROM reminder_rules WHERE enabled = 1 ORDER BY id",
                                  DB_NOARGS);
    if (!st)
        return DB_ERROR;
    size_t cap = 8;
    *out = xcalloc(cap, sizeof(**out));
    *n = 0;
    while (db_step(st) == 1) {
        if (*n == cap)
            *out = xrealloc(*out, (cap *= 2) * sizeof(**out));
        struct rule *ru = &(*out)[(*n)++];
        memset(ru, 0, sizeof(*ru));
        ru->id = db_col_int(st, 0);
        snprintf(ru->kind, sizeof(ru->kind), "%s", db_col_text(st, 1));
        snprintf(ru->field, sizeof(ru->field), "%s", db_col_text(st, 2));
        snprintf(ru->rrule, sizeof(ru->rrule), "%s", db_col_text(st, 3));
        snprintf(ru->start_date, sizeof(ru->start_date), "%s", db_col_text(st, 4));
        snprintf(ru->title, sizeof(ru->title), "%s", db_col_text(st, 5));
        snprintf(ru->assign_to, sizeof(ru->assign_to), "%s", db_col_text(st, 6));
        snprintf(ru->priority, sizeof(ru->priority), "%s", db_col_text(st, 7));
        snprintf(ru->notify, sizeof(ru->notify), "%s", db_col_text(st, 8));
        snprintf(ru->last_run, sizeof(ru->last_run), "%s", db_col_text(st, 9));
        ru->offset_days = db_col_int(st, 10);
        ru->filter = json_loads(db_col_text(st, 11), 0, NULL);
    }
    db_finish(st);
    return 0;
}

/* Whether any customer changed since the previous look (a minute of
 * margin for transactions that committed late; from the start of today at
 * most): 1 and *since set, 0, or a negative DB_* error. One indexed probe
 * per pass, since this runs every 30 s. */
static int changed_since(struct db *db, const char *today, int64_t now, int64_t seen_until,
                         int64_t *since)
{
    int64_t day0, any = 0;
    clock_parse_date(today, &day0);
    *since = seen_until > day0 + 60 && seen_until <= now ? seen_until - 60 : day0;
    return db_query_int(db, "SELECT 1 FROM customers WHERE updated_at >= ? LIMIT 1",
                        DB_ARGS(DB_INT(*since)), &any);
}

/* When the last pass looked at changed customers (the scheduler's thread and
 * the run endpoint may both run passes: a race costs one redundant look). */
static _Atomic int64_t seen_until_at;

int reminders_run(struct db *db)
{
    char today[11];
    int64_t now = clock_now(), seen_until = seen_until_at, since = 0;
    int changed = 0;
    bool looked = false; /* changed_since() asked this pass */
    clock_format_date(now, today, sizeof(today));
    struct rule *rules = NULL;
    size_t n = 0;
    int rc = load_rules(db, &rules, &n);
    int64_t made = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        struct rule *ru = &rules[i];
        char day[11];
        /* Today has run already: customers added or changed since the
         * previous look (a birthday entered this morning) still get
         * today's reminders; nothing at all when none changed. */
        if (ru->last_run[0] && strcmp(ru->last_run, today) >= 0) {
            if (!looked) {
                changed = changed_since(db, today, now, seen_until, &since);
                looked = true;
            }
            if (changed <= 0) {
                rc = changed < 0 ? changed : 0;
                continue;
            }
            rc = db_begin(db);
            if (!rc)
                rc = run_rule_day(db, ru, today, since, &made);
            if (!rc)
                rc = db_commit(db);
            else
                db_rollback(db);
            continue;
        }
        /* From the day after the last run (at most a month back) to today. */
        char earliest[11];
        add_days(today, -CATCH_UP_DAYS, earliest);
        if (ru->last_run[0] && strcmp(ru->last_run, earliest) >= 0)
            add_days(ru->last_run, 1, day);
        else
            snprintf(day, sizeof(day), "%s", ru->last_run[0] ? earliest : today);
        for (; !rc && strcmp(day, today) <= 0; add_days(day, 1, day)) {
            char subject[24];
            snprintf(subject, sizeof(subject), "%lld", (long long)ru->id);
            int64_t due;
            clock_parse_date(day, &due);
            rc = db_begin(db);
            int claimed = rc ? rc : scheduler_claim(db, "reminder", subject, due);
            if (claimed == 1)
                rc = run_rule_day(db, ru, day, 0, &made);
            else if (claimed < 0)
                rc = claimed;
            if (!rc)
                rc = db_exec(db, "UPDATE reminder_rules SET last_run_date = ? WHERE id = ?",
                             DB_ARGS(DB_TEXT(day), DB_INT(ru->id)));
            if (!rc)
                rc = db_commit(db);
            else
                db_rollback(db);
        }
    }
    for (size_t i = 0; i < n; i++)
        json_decref(rules[i].filter);
    free(rules);
    if (!rc)
        seen_until_at = now;
    /* The figures' windows move with the calendar: refresh them daily. */
    if (!rc) {
        int64_t day0;
        clock_parse_date(today, &day0);
        if (db_begin(db) == 0) {
            int claimed = scheduler_claim(db, "figures", "all", day0);
            db_commit(db);
            if (claimed == 1)
                interaction_refresh_all(db);
        }
    }
    if (made)
        log_info("reminders: %lld tasks created", (long long)made);
    return rc ? rc : (int)(made > 1000000 ? 1000000 : made);
}

/* ---- rules API ---- */

#define RULE_COLUMNS                                                                               \
    "id, name, kind, filter AS filter_json, field, offset_days, rrule, start_date, "               \
    "title_template, assign_to, priority, notify, enabled, last_run_date, version, created_at, "   \
    "updated_at"

static json_t *rule_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    json_object_set(o, "filter", json_object_get(o, "filter_json"));
    json_object_del(o, "filter_json");
    return o;
}

static json_t *rule_by_id(struct db *db, int64_t id)
{
    struct db_stmt *st = db_query(db, "SELECT " RULE_COLUMNS " FROM reminder_rules WHERE id = ?",
                                  DB_ARGS(DB_INT(id)));
    json_t *o = st && db_step(st) == 1 ? rule_row(st, NULL) : NULL;
    db_finish(st);
    return o;
}

static void list(struct req *r)
{
    struct db_stmt *st =
        db_query(r->db, "SELECT " RULE_COLUMNS " FROM reminder_rules ORDER BY id", DB_NOARGS);
    listing_reply_rows(r, st, rule_row);
}

static bool one_of(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (v && strcmp(v, *set) == 0)
            return true;
    return false;
}

/* A date field a date_offset rule can watch: a built-in or custom date. */
static bool date_field(struct db *db, const char *key)
{
    if (strncmp(key, "custom.", 7) == 0) {
        struct custom_field f;
        bool ok = fields_lookup(db, "customer", key + 7, &f) == 1 && f.type == FT_DATE;
        custom_field_clear(&f);
        return ok;
    }
    const struct entity_field *f = entity_field(&entity_customer, key);
    return f && f->type == FT_DATE;
}

static void save(struct req *r, int64_t id)
{
    static const char *const kinds[] = {"birthday", "date_offset", "periodic", NULL};
    static const char *const assigns[] = {"owner", "branch", NULL};
    static const char *const notifies[] = {"none", "email", "sms", NULL};
    static const char *const priorities[] = {"low", "normal", "high", NULL};
    json_t *cur = id ? rule_by_id(r->db, id) : NULL;
    if (id && !cur) {
        reply_error(r, 404, "not_found");
        return;
    }
    struct form f;
    form_init(&f, r);
    const char *name = form_str(&f, "name", !id, 64);
    const char *kind = form_str(&f, "kind", !id, 16);
    const char *field = form_str(&f, "field", false, 64);
    const char *rrule = form_str(&f, "rrule", false, 120);
    const char *start = form_str(&f, "start_date", false, 10);
    const char *title = form_str(&f, "title_template", !id, 100);
    const char *assign = form_str(&f, "assign_to", false, 8);
    const char *notify = form_str(&f, "notify", false, 8);
    const char *priority = form_str(&f, "priority", false, 8);
    int64_t offset = 0, version = 0;
    bool enabled = true;
    int has_offset = form_int(&f, "offset_days", false, &offset);
    int has_enabled = form_bool(&f, "enabled", false, &enabled);
    if (id)
        form_int(&f, "version", true, &version);
    const char *k = kind ? kind : json_string_value(json_object_get(cur, "kind"));
    if (kind && !one_of(kind, kinds))
        form_fail(&f, "kind", "field.unknown_option");
    if (assign && !one_of(assign, assigns))
        form_fail(&f, "assign_to", "field.unknown_option");
    if (notify && !one_of(notify, notifies))
        form_fail(&f, "notify", "field.unknown_option");
    if (priority && !one_of(priority, priorities))
        form_fail(&f, "priority", "field.unknown_option");
    if (offset < -366 || offset > 366)
        form_fail(&f, "offset_days", "field.invalid");
    int64_t t;
    if (start && clock_parse_date(start, &t))
        form_fail(&f, "start_date", "field.date");
    const char *fv = field ? field : json_string_value(json_object_get(cur, "field"));
    const char *rv = rrule ? rrule : json_string_value(json_object_get(cur, "rrule"));
    if (k && strcmp(k, "date_offset") == 0 && (!fv || !date_field(r->db, fv)))
        form_fail(&f, "field", "field.invalid");
    if (k && strcmp(k, "periodic") == 0) {
        int bad = rv ? recur_validate(rv, NULL, 0) : RECUR_ERR_SYNTAX;
        if (bad)
            form_fail(&f, "rrule",
                      bad == RECUR_ERR_UNSUPPORTED ? "rrule.unsupported" : "rrule.syntax");
    }
    json_t *filter = json_object_get(r->json, "filter");
    if (filter && !json_is_null(filter)) {
        struct sqlbuf w;
        struct filter_error err;
        sqlbuf_init(&w);
        if (customer_where(r->db, &actor_system, NULL, filter, false, &w, &err) != 0)
            form_fail(&f, "filter", err.key ? err.key : "filter.invalid");
        sqlbuf_release(&w);
    }
    json_decref(cur);
    if (!form_done(&f))
        return;
    char *ftext = filter && !json_is_null(filter) ? json_dumps(filter, JSON_COMPACT) : NULL;
    int64_t now = clock_now();
    bool created = id == 0;
    int rc = db_begin(r->db);
    if (!rc && created) {
        rc = db_exec(
            r->db,
            "INSERT INTO reminder_rules (name, kind, filter, field, offset_days, rrule, "
            "start_date, title_template, assign_to, priority, notify, enabled, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            DB_ARGS(DB_TEXT(name), DB_TEXT(kind), DB_TEXT(ftext ? ftext : "{\"and\":[]}"),
                    DB_TEXT(field), DB_INT(offset), DB_TEXT(rrule), DB_TEXT(start), DB_TEXT(title),
                    DB_TEXT(assign ? assign : "owner"), DB_TEXT(priority ? priority : "normal"),
                    DB_TEXT(notify ? notify : "none"), DB_INT(enabled), DB_INT(now), DB_INT(now)));
        if (!rc && db_query_int(r->db, "SELECT MAX(id) FROM reminder_rules", DB_NOARGS, &id) != 1)
            rc = DB_ERROR;
    } else if (!rc) {
        rc = db_exec(r->db,
                     "UPDATE reminder_rules SET name = COALESCE(?, name), kind = COALESCE(?, "
                     "kind), filter = COALESCE(?, filter), field = COALESCE(?, field), "
                     "offset_days = COALESCE(?, offset_days), rrule = COALESCE(?, rrule), "
                     "start_date = COALESCE(?, start_date), title_template = COALESCE(?, "
                     "title_template), assign_to = COALESCE(?, assign_to), priority = COALESCE(?, "
                     "priority), notify = COALESCE(?, notify), enabled = COALESCE(?, enabled), "
                     "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                     DB_ARGS(DB_TEXT(name), DB_TEXT(kind), DB_TEXT(ftext), DB_TEXT(field),
                             DB_INT_OR_NULL(has_offset == 1, offset), DB_TEXT(rrule),
                             DB_TEXT(start), DB_TEXT(title), DB_TEXT(assign), DB_TEXT(priority),
                             DB_TEXT(notify), DB_INT_OR_NULL(has_enabled == 1, enabled),
                             DB_INT(now), DB_INT(id), DB_INT(version)));
        if (!rc && db_changes(r->db) == 0) {
            db_rollback(r->db);
            free(ftext);
            reply_error(r, 409, "stale_version");
            return;
        }
    }
    free(ftext);
    if (!rc)
        rc = audit_write(r->db, r, NULL, "reminder_rule.save", "reminder_rule", id,
                         json_deep_copy(r->json));
    if (audit_commit(r, rc))
        reply_json(r, created ? 201 : 200, json_pack("{s:o}", "rule", rule_by_id(r->db, id)));
}

static void create(struct req *r)
{
    save(r, 0);
}

static void update(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    if (id < 0) {
        reply_error(r, 404, "not_found");
        return;
    }
    save(r, id);
}

static void remove_one(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    audit_delete(r, "DELETE FROM reminder_rules WHERE id = ?", DB_ARGS(DB_INT(id)),
                 "reminder_rule.delete", "reminder_rule", id);
}

/* POST /reminder-rules/run: run the pass now (admins; tests move the clock
 * and then ask). The scheduler runs the same pass by itself. */
static void run_now(struct req *r)
{
    int made = reminders_run(r->db);
    if (made < 0) {
        reply_db_error(r, made);
        return;
    }
    reply_json(r, 200, json_pack("{s:i}", "created", made));
}

/* ---- personal calendar feed ---- */

static void feed_create(struct req *r)
{
    char token[64], hash[65];
    session_random_token(token, sizeof(token), 24);
    session_hash_token(token, hash);
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db, "DELETE FROM calendar_feeds WHERE user_id = ?",
                     DB_ARGS(DB_INT(r->actor->id)));
    if (!rc)
        rc = db_exec(
            r->db, "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)",
            DB_ARGS(DB_INT(r->actor->id), DB_TEXT(hash), DB_INT(clock_now())));
    if (!rc)
        rc = audit_write(r->db, r, NULL, "calendar_feed.create", "user", r->actor->id, NULL);
    if (!audit_commit(r, rc))
        return;
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/calendar/%s.ics", token);
    reply_json(r, 201, json_pack("{s:s}", "path", path));
}

/* GET /calendar-feed: whether the signed-in user has a live link. The link
 * itself cannot be shown again (only its hash is kept): make a new one. */
static void feed_status(struct req *r)
{
    int64_t created = 0;
    int rc = db_query_int(r->db, "SELECT created_at FROM calendar_feeds WHERE user_id = ?",
                          DB_ARGS(DB_INT(r->actor->id)), &created);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    json_t *body = json_pack("{s:b}", "active", rc == 1);
    if (rc == 1) {
        char iso[32];
        clock_format_iso(created, iso, sizeof(iso));
        json_object_set_new(body, "created_at", json_string(iso));
    }
    reply_json(r, 200, body);
}

static void feed_delete(struct req *r)
{
    int rc = db_exec(r->db, "DELETE FROM calendar_feeds WHERE user_id = ?",
                     DB_ARGS(DB_INT(r->actor->id)));
    if (rc) {
        reply_db_error(r, rc);
        return;
    }
    audit_write(r->db, r, NULL, "calendar_feed.revoke", "user", r->actor->id, NULL);
    reply_ok(r);
}

/* GET /calendar/{token}.ics: no session (phone calendars cannot sign in);
 * the secret URL is the credential, revocable by making a new one. */
static void feed(struct req *r)
{
    char token[96], hash[65];
    snprintf(token, sizeof(token), "%s", r->params[0]);
    size_t n = strlen(token);
    if (n < 5 || strcmp(token + n - 4, ".ics") != 0) {
        reply_error(r, 404, "not_found");
        return;
    }
    token[n - 4] = '\0';
    session_hash_token(token, hash);
    int64_t user_id = 0;
    if (db_query_int(r->db, "SELECT user_id FROM calendar_feeds WHERE token_hash = ?",
                     DB_ARGS(DB_TEXT(hash)), &user_id) != 1) {
        reply_error(r, 404, "not_found");
        return;
    }
    struct db_stmt *st = db_query(r->db,
                                  "SELECT t.id, t.title, c.name, t.due_at, t.created_at FROM tasks "
                                  "t LEFT JOIN customers c ON c.id = t.customer_id WHERE "
                                  "t.assignee_id = ? AND t.status = 'open' ORDER BY t.due_at "
                                  "LIMIT 500",
                                  DB_ARGS(DB_INT(user_id)));
    struct ics_item items[500];
    char *texts[1000];
    size_t count = 0, nt = 0;
    while (st && count < 500 && db_step(st) == 1) {
        struct ics_item *it = &items[count++];
        char uid[32];
        snprintf(uid, sizeof(uid), "task-%lld", (long long)db_col_int(st, 0));
        it->uid = texts[nt++] = xstrdup(uid);
        it->title = texts[nt++] = xstrdup(db_col_text(st, 1));
        it->description = NULL;
        if (!db_col_is_null(st, 2))
            it->description = texts[nt++] = xstrdup(db_col_text(st, 2));
        it->due_unix = db_col_int(st, 3);
        it->created_unix = db_col_int(st, 4);
        it->url = NULL;
    }
    db_finish(st);
    char *ics = ics_feed("鸿雁待办", items, count);
    for (size_t i = 0; i < nt; i++)
        free(texts[i]);
    reply_text(r, 200, "text/calendar; charset=utf-8", ics);
    free(ics);
}

const struct route reminders_routes[] = {
    {"GET", "/api/v1/reminder-rules", list, PERM_ADMIN, 0, "Reminder rules"},
    {"POST", "/api/v1/reminder-rules", create, PERM_ADMIN, 0, "Create a reminder rule"},
    {"POST", "/api/v1/reminder-rules/run", run_now, PERM_ADMIN, 0,
     "Run the reminder pass now (idempotent)"},
    {"PATCH", "/api/v1/reminder-rules/{id}", update, PERM_ADMIN, 0, "Edit a reminder rule"},
    {"DELETE", "/api/v1/reminder-rules/{id}", remove_one, PERM_ADMIN, 0, "Delete a reminder rule"},
    {"GET", "/api/v1/calendar-feed", feed_status, PERM_TASKS, 0,
     "Whether the signed-in user's calendar link is active, and since when"},
    {"POST", "/api/v1/calendar-feed", feed_create, PERM_TASKS, 0,
     "Make (or replace) the secret URL of the signed-in user's task calendar"},
    {"DELETE", "/api/v1/calendar-feed", feed_delete, PERM_TASKS, 0, "Revoke the calendar URL"},
    {"GET", "/api/v1/calendar/{token}", feed, PERM_PUBLIC, 0,
     "A user's open tasks as an iCalendar feed (secret URL)"},
    {0},
};
