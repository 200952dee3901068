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
#include "base/date.h"
#include "base/lunar.h"
#include "base/log.h"
#include "base/recur.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/events.h"
#include "core/ics.h"
#include "core/listing.h"
#include "core/op.h"
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
#include "notify/notify.h"

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
    struct date d = {.year = 1970, .month = 1, .day = 1};
    date_parse(date, strlen(date), &d);
    date_format(date_add_days(d, days), out);
}

int reminders_update_lunar_md(struct db *db, int64_t customer_id)
{
    char bd[16] = "", stored[8] = "";
    bool lunar = false;
    struct db_stmt *st = NULL;
    int got = db_query_row(db, &st,
                           "SELECT birthday, birthday_lunar, birthday_lunar_md FROM customers "
                           "WHERE id = ?",
                           DB_ARGS(DB_INT(customer_id)));
    if (got != 1)
        return got < 0 ? got : 0;
    if (!db_col_is_null(st, 0)) {
        snprintf(bd, sizeof(bd), "%s", db_col_text(st, 0));
        lunar = db_col_int(st, 1) != 0;
    }
    if (!db_col_is_null(st, 2))
        snprintf(stored, sizeof(stored), "%s", db_col_text(st, 2));
    db_finish(st);
    char md[8] = "";
    struct lunar_date ld;
    struct date b;
    if (lunar && date_parse(bd, strlen(bd), &b) == 0 &&
        lunar_from_gregorian(b.year, b.month, b.day, &ld) == 0)
        snprintf(md, sizeof(md), "%02d-%02d", ld.month, ld.day);
    if (strcmp(md, stored) == 0)
        return 0; /* most customers: no lunar birthday, none stored */
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
        struct date t = {.year = 1970, .month = 1, .day = 1};
        date_parse(target, 10, &t);
        bool leap = date_is_leap(t.year);
        json_t *greg =
            json_pack("{s:[{s:s,s:s,s:b},{s:s,s:s,s:[s]}]}", "and", "field", "birthday_lunar", "op",
                      "eq", "value", 0, "field", "birthday_md", "op", "in", "value", md);
        if (strcmp(md, "02-28") == 0 && !leap)
            json_array_append_new(
                json_object_get(json_array_get(json_object_get(greg, "and"), 1), "value"),
                json_string("02-29"));
        cond = json_pack("{s:[o]}", "or", greg);
        struct lunar_date ld;
        if (lunar_from_gregorian(t.year, t.month, t.day, &ld) == 0 && !ld.is_leap_month) {
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

/* Tell the assignee of each new task of rule ru (after task id `before`)
 * through notify_user: the bell and the channels the user chose for
 * reminders, or the rule's own channel when it names one (the per-rule
 * override). The task id is the de-duplication key. */
static int notify_new_tasks(struct db *db, const struct rule *ru, int64_t before)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT id, assignee_id, title FROM tasks WHERE id > ? AND "
                                  "rule_id = ? AND assignee_id IS NOT NULL ORDER BY id",
                                  DB_ARGS(DB_INT(before), DB_INT(ru->id)));
    if (!st)
        return DB_ERROR;
    /* Read whole before writing: one statement at a time on the connection. */
    struct made {
        int64_t id, user;
        char *title;
    } *made = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(st)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            made = xrealloc(made, cap * sizeof(*made));
        }
        made[n].id = db_col_int(st, 0);
        made[n].user = db_col_int(st, 1);
        made[n++].title = xstrdup(db_col_text(st, 2));
    }
    db_finish(st);
    const char *only[] = {ru->notify, NULL};
    for (size_t i = 0; i < n; i++) {
        char link[48], key[48];
        snprintf(link, sizeof(link), TASK_LINK "%lld", (long long)made[i].id);
        snprintf(key, sizeof(key), "task:%lld", (long long)made[i].id);
        if (!rc)
            rc = notify_user(db, made[i].user, "reminder", made[i].title, NULL, link, key,
                             strcmp(ru->notify, "none") != 0 ? only : NULL);
        free(made[i].title);
    }
    free(made);
    return rc;
}

/* Make the tasks of rule ru for day `day`; with nids > 0 only for the
 * customers ids (added or changed since the day's pass: the unique
 * source_ref keeps it to one task each). */
static int run_rule_day(struct db *db, const struct rule *ru, const char *day, const int64_t *ids,
                        size_t nids, int64_t *made)
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
    for (size_t i = 0; i < nids; i++) {
        sqlbuf_add(&b, i ? ", ?" : " AND c.id IN (?");
        sqlbuf_bind(&b, DB_INT(ids[i]));
    }
    if (nids)
        sqlbuf_add(&b, ")");
    sqlbuf_add(&b, " ON CONFLICT DO NOTHING");
    rc = db_exec(db, b.sql, b.args, b.nargs);
    if (rc)
        goto out;
    *made += db_changes(db);
    rc = notify_new_tasks(db, ru, before);
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

int reminders_run(struct db *db)
{
    char today[11];
    int64_t now = clock_now();
    clock_format_date(now, today, sizeof(today));
    /* Pending customer events first: the pass must see every lunar
     * birthday entered so far (reminders_lunar_handler). */
    int rc = events_run(db);
    if (rc < 0)
        return rc;
    struct rule *rules = NULL;
    size_t n = 0;
    rc = load_rules(db, &rules, &n);
    int64_t made = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        struct rule *ru = &rules[i];
        char day[11];
        /* Today has run already: customers added or changed since get
         * theirs from reminders_changed_handler. */
        if (ru->last_run[0] && strcmp(ru->last_run, today) >= 0)
            continue;
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
                rc = run_rule_day(db, ru, day, NULL, 0, &made);
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
    /* The figures' windows move with the calendar: refresh them daily. The
     * day is marked done after the refresh, not before: a pass running beside
     * this one (the scheduler's and an admin's "run now") or one that died
     * half-way must not make this one skip work it has not seen finished.
     * Two passes refreshing at once is harmless: figures are recounted, not
     * added to. */
    if (!rc) {
        int64_t day0, done = 0;
        clock_parse_date(today, &day0);
        rc = db_query_id(db,
                         "SELECT COUNT(*) FROM job_runs WHERE kind = 'figures' AND "
                         "subject = 'all' AND due_at = ?",
                         DB_ARGS(DB_INT(day0)), &done);
        if (!rc && !done)
            rc = interaction_refresh_all(db);
        if (!rc && !done && (rc = db_begin(db)) == 0) {
            int claimed = scheduler_claim(db, "figures", "all", day0);
            rc = db_end(db, claimed < 0 ? claimed : 0);
        }
    }
    if (made)
        log_info("reminders: %lld tasks created", (long long)made);
    return rc ? rc : (int)(made > 1000000 ? 1000000 : made);
}

/* ---- consumers of customer events ---- */

/* The customers a customer event names: its object, or an import's "ids"
 * (a batch of new ones). NULL when it is not an event about new or changed
 * customers; else an array (free it) of *n ids. */
static int64_t *event_customers(const struct domain_event *ev, size_t *n)
{
    *n = 0;
    if (strcmp(ev->kind, "customer.imported") == 0) {
        json_t *list = json_object_get(ev->payload, "ids");
        int64_t *ids = xmalloc((json_array_size(list) + 1) * sizeof(*ids));
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) ids[(*n)++] = json_integer_value(v);
        return ids;
    }
    if (strcmp(ev->kind, "customer.created") != 0 && strcmp(ev->kind, "customer.changed") != 0 &&
        strcmp(ev->kind, "customer.restored") != 0)
        return NULL;
    int64_t *ids = xmalloc(sizeof(*ids));
    ids[(*n)++] = ev->object_id;
    return ids;
}

/* Whether a "customer.changed" event's fields include key. */
static bool changed_field(const struct domain_event *ev, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ev->payload, "fields"), i,
                       v) if (strcmp(json_string_value(v) ? json_string_value(v) : "", key) ==
                              0) return true;
    return false;
}

int reminders_on_customer_lunar(struct db *db, const struct domain_event *ev)
{
    if (strcmp(ev->kind, "customer.changed") == 0 && !changed_field(ev, "birthday") &&
        !changed_field(ev, "birthday_lunar"))
        return 0;
    size_t n;
    int64_t *ids = event_customers(ev, &n);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = reminders_update_lunar_md(db, ids[i]);
    free(ids);
    return rc;
}

int reminders_on_customer_changed(struct db *db, const struct domain_event *ev)
{
    size_t n;
    int64_t *ids = event_customers(ev, &n);
    if (!n) {
        free(ids);
        return 0;
    }
    char today[11];
    clock_format_date(clock_now(), today, sizeof(today));
    struct rule *rules = NULL;
    size_t nrules = 0;
    int rc = load_rules(db, &rules, &nrules);
    int64_t made = 0;
    /* Only the rules whose pass has made today's tasks: the others get to
     * these customers when their pass runs. */
    for (size_t i = 0; !rc && i < nrules; i++)
        if (rules[i].last_run[0] && strcmp(rules[i].last_run, today) >= 0)
            rc = run_rule_day(db, &rules[i], today, ids, n, &made);
    for (size_t i = 0; i < nrules; i++)
        json_decref(rules[i].filter);
    free(rules);
    free(ids);
    return rc;
}

/* ---- rules API ---- */

#define RULE_COLUMNS                                                                               \
    "id, name, kind, filter AS filter_json, field, offset_days, rrule, start_date, "               \
    "title_template, assign_to, priority, notify, enabled, last_run_date, version, created_at, "   \
    "updated_at"

#define RULE_BY_ID "SELECT " RULE_COLUMNS " FROM reminder_rules WHERE id = ?"

static void list(struct req *r)
{
    struct db_stmt *st =
        db_query(r->db, "SELECT " RULE_COLUMNS " FROM reminder_rules ORDER BY id", DB_NOARGS);
    listing_reply_rows(r, st, listing_row_unsuffixed);
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

/* A rule as its form gives it (NULL / has_*: keep the stored value). */
struct rule_form {
    const char *name, *kind, *field, *rrule, *start, *title, *assign, *notify, *priority;
    int64_t offset, version;
    bool enabled;
    int has_offset, has_enabled;
    char *filter; /* JSON text, or NULL; free it */
};

/* The kind-dependent checks: a date_offset rule's date field, a periodic
 * rule's RRULE, the filter tree. cur: the stored rule (NULL: new). */
static void check_rule_kind(struct form *f, struct db *db, json_t *cur, struct rule_form *rf)
{
    const char *k = rf->kind ? rf->kind : json_string_value(json_object_get(cur, "kind"));
    const char *fv = rf->field ? rf->field : json_string_value(json_object_get(cur, "field"));
    const char *rv = rf->rrule ? rf->rrule : json_string_value(json_object_get(cur, "rrule"));
    if (k && strcmp(k, "date_offset") == 0 && (!fv || !date_field(db, fv)))
        form_fail(f, "field", "field.invalid");
    if (k && strcmp(k, "periodic") == 0) {
        int bad = rv ? recur_validate(rv, NULL, 0) : RECUR_ERR_SYNTAX;
        if (bad)
            form_fail(f, "rrule",
                      bad == RECUR_ERR_UNSUPPORTED ? "rrule.unsupported" : "rrule.syntax");
    }
    json_t *filter = json_object_get(f->in, "filter");
    if (filter && !json_is_null(filter)) {
        struct sqlbuf w;
        struct filter_error err;
        sqlbuf_init(&w);
        if (customer_where(db, &actor_system, NULL, filter, false, &w, &err) != 0)
            form_fail(f, "filter", err.key ? err.key : "filter.invalid");
        sqlbuf_release(&w);
        rf->filter = json_dumps(filter, JSON_COMPACT);
    }
}

/* Read and check a rule's form (id 0: a new rule, whose name, kind and
 * title are required). */
static void read_rule(struct form *f, struct db *db, int64_t id, json_t *cur, struct rule_form *rf)
{
    static const char *const kinds[] = {"birthday", "date_offset", "periodic", NULL};
    static const char *const assigns[] = {"owner", "branch", NULL};
    static const char *const notifies[] = {"none", "email", "sms", NULL};
    static const char *const priorities[] = {"low", "normal", "high", NULL};
    memset(rf, 0, sizeof(*rf));
    rf->name = form_str(f, "name", !id, 64);
    rf->kind = form_str(f, "kind", !id, 16);
    rf->field = form_str(f, "field", false, 64);
    rf->rrule = form_str(f, "rrule", false, 120);
    rf->start = form_str(f, "start_date", false, 10);
    rf->title = form_str(f, "title_template", !id, 100);
    rf->assign = form_str(f, "assign_to", false, 8);
    rf->notify = form_str(f, "notify", false, 8);
    rf->priority = form_str(f, "priority", false, 8);
    rf->enabled = true;
    rf->has_offset = form_int(f, "offset_days", false, &rf->offset);
    rf->has_enabled = form_bool(f, "enabled", false, &rf->enabled);
    if (id)
        form_int(f, "version", true, &rf->version);
    if (rf->kind && !one_of(rf->kind, kinds))
        form_fail(f, "kind", "field.unknown_option");
    if (rf->assign && !one_of(rf->assign, assigns))
        form_fail(f, "assign_to", "field.unknown_option");
    if (rf->notify && !one_of(rf->notify, notifies))
        form_fail(f, "notify", "field.unknown_option");
    if (rf->priority && !one_of(rf->priority, priorities))
        form_fail(f, "priority", "field.unknown_option");
    if (rf->offset < -366 || rf->offset > 366)
        form_fail(f, "offset_days", "field.invalid");
    int64_t t;
    if (rf->start && clock_parse_date(rf->start, &t))
        form_fail(f, "start_date", "field.date");
    check_rule_kind(f, db, cur, rf);
}

/* Insert the rule (*id 0; set) or write it over *id at its version
 * (OP_STALE when the version moved). 0 or negative DB_*. */
static int write_rule(struct db *db, const struct rule_form *rf, int64_t *id)
{
    int64_t now = clock_now();
    if (!*id) {
        int rc =
            db_exec(db,
                    "INSERT INTO reminder_rules (name, kind, filter, field, offset_days, rrule, "
                    "start_date, title_template, assign_to, priority, notify, enabled, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    DB_ARGS(DB_TEXT(rf->name), DB_TEXT(rf->kind),
                            DB_TEXT(rf->filter ? rf->filter : "{\"and\":[]}"), DB_TEXT(rf->field),
                            DB_INT(rf->offset), DB_TEXT(rf->rrule), DB_TEXT(rf->start),
                            DB_TEXT(rf->title), DB_TEXT(rf->assign ? rf->assign : "owner"),
                            DB_TEXT(rf->priority ? rf->priority : "normal"),
                            DB_TEXT(rf->notify ? rf->notify : "none"), DB_INT(rf->enabled),
                            DB_INT(now), DB_INT(now)));
        if (!rc && db_query_int(db, "SELECT MAX(id) FROM reminder_rules", DB_NOARGS, id) != 1)
            rc = DB_ERROR;
        return rc;
    }
    int rc = db_exec(db,
                     "UPDATE reminder_rules SET name = COALESCE(?, name), kind = COALESCE(?, "
                     "kind), filter = COALESCE(?, filter), field = COALESCE(?, field), "
                     "offset_days = COALESCE(?, offset_days), rrule = COALESCE(?, rrule), "
                     "start_date = COALESCE(?, start_date), title_template = COALESCE(?, "
                     "title_template), assign_to = COALESCE(?, assign_to), priority = COALESCE(?, "
                     "priority), notify = COALESCE(?, notify), enabled = COALESCE(?, enabled), "
                     "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                     DB_ARGS(DB_TEXT(rf->name), DB_TEXT(rf->kind), DB_TEXT(rf->filter),
                             DB_TEXT(rf->field), DB_INT_OR_NULL(rf->has_offset == 1, rf->offset),
                             DB_TEXT(rf->rrule), DB_TEXT(rf->start), DB_TEXT(rf->title),
                             DB_TEXT(rf->assign), DB_TEXT(rf->priority), DB_TEXT(rf->notify),
                             DB_INT_OR_NULL(rf->has_enabled == 1, rf->enabled), DB_INT(now),
                             DB_INT(*id), DB_INT(rf->version)));
    return !rc && db_changes(db) == 0 ? OP_STALE : rc;
}

static void save(struct req *r, int64_t id)
{
    json_t *cur = NULL;
    int found =
        id ? listing_one(r->db, NULL, &cur, listing_row_unsuffixed, RULE_BY_ID, DB_ARGS(DB_INT(id)))
           : 1;
    if (found != 1) {
        found < 0 ? reply_db_error(r, found) : reply_error(r, 404, "not_found");
        return;
    }
    struct form f;
    struct rule_form rf;
    form_init(&f, r);
    read_rule(&f, r->db, id, cur, &rf);
    json_decref(cur);
    if (!form_done(&f)) {
        free(rf.filter);
        return;
    }
    bool created = id == 0;
    int rc = db_begin(r->db);
    if (!rc)
        rc = write_rule(r->db, &rf, &id);
    free(rf.filter);
    if (rc == OP_STALE) {
        db_rollback(r->db);
        reply_error(r, 409, "stale_version");
        return;
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, "reminder_rule.save", "reminder_rule", id,
                         json_deep_copy(r->json));
    if (audit_commit(r, rc))
        listing_reply_one(r, created ? 201 : 200, "rule", listing_row_unsuffixed, RULE_BY_ID,
                          DB_ARGS(DB_INT(id)));
}

static void create(struct req *r)
{
    save(r, 0);
}

static void update(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    save(r, id > 0 ? id : -1); /* -1: no such rule, 404 */
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
            r->db,
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at, credentials_version) "
            "SELECT ?, ?, ?, credentials_version FROM users WHERE id = ?",
            DB_ARGS(DB_INT(r->actor->id), DB_TEXT(hash), DB_INT(clock_now()),
                    DB_INT(r->actor->id)));
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
    /* A feed dies with its owner's credentials: a disabled account, or
     * credentials revoked (disabled, password reset or changed) after the
     * feed was made. */
    if (db_query_int(r->db,
                     "SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id "
                     "WHERE f.token_hash = ? AND u.status = 'active' AND "
                     "f.credentials_version = u.credentials_version",
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

/* The route table reminders_routes[], made from reminder.routes. */
#include "crm/reminder.routes.h"
