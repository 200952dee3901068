/*
 * ticket.c - the ticket operations (see ticket.h): logging with routing
 * and SLA due times, status changes along the allowed transitions,
 * replies and notes, assignment and claim, the timeline, and the one
 * function every ticket notification goes through.
 */
#include "service/ticket.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "auth/users.h"
#include "base/validate.h"
#include "core/events.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"
#include "notify/notify.h"
#include "record/scope.h"
#include "vip/enterprise.h"

#include <stdio.h>
#include <string.h>

static const char *const channels[] = {"phone", "counter", "portal", "email", "api", NULL};
static const char *const priorities[] = {"low", "normal", "high", "urgent", NULL};

static bool one_of(const char *v, const char *const *set)
{
    for (size_t i = 0; v && set[i]; i++)
        if (strcmp(v, set[i]) == 0)
            return true;
    return false;
}

static void fail(json_t *errors, const char *lang, const char *field, const char *key)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(i18n_msg(lang, key)));
}

int ticket_notify(struct db *db, int64_t user_id, const char *kind, const char *title,
                  const char *text, const char *link, const char *dedupe_key)
{
    if (!user_id)
        return 0;
    return notify_user(db, user_id, kind, title, text, link, dedupe_key, NULL);
}

/* detail[key "_name"] = the name of the user detail[key] names, so the
 * timeline reads the same to everyone (whoever may list that user). */
static int add_name(struct db *db, json_t *detail, const char *key, const char *name_key)
{
    json_t *uid = json_object_get(detail, key);
    if (!json_is_integer(uid) || json_integer_value(uid) <= 0)
        return 0;
    struct db_stmt *st;
    int rc = db_query_row(db, &st, "SELECT name FROM users WHERE id = ?",
                          DB_ARGS(DB_INT(json_integer_value(uid))));
    if (rc == 1) {
        json_object_set_new(detail, name_key, json_string(db_col_text(st, 0)));
        db_finish(st);
    }
    return rc < 0 ? rc : 0;
}

int ticket_entry(struct db *db, const struct actor *a, int64_t id, const char *kind,
                 const char *body, json_t *detail)
{
    int rc = add_name(db, detail, "assignee_id", "assignee_name");
    if (!rc)
        rc = add_name(db, detail, "user_id", "user_name");
    if (rc) {
        json_decref(detail);
        return rc;
    }
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    rc = db_exec(db,
                 "INSERT INTO ticket_entries (ticket_id, kind, body, detail, user_id, actor, "
                 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 DB_ARGS(DB_INT(id), DB_TEXT(kind), DB_TEXT(body ? body : ""),
                         DB_TEXT(d ? d : "{}"), DB_INT_OR_NULL(a->id, a->id),
                         DB_TEXT(a->system ? "system" : a->name), DB_INT(clock_now())));
    free(d);
    return rc;
}

void ticket_visible_sql(const struct actor *a, struct sqlbuf *b)
{
    if (a->contact_id) {
        /* A portal contact sees its enterprise's tickets it is the contact
         * of (those it filed are): colleagues' requests stay theirs. */
        sqlbuf_add(b, "(t.enterprise_id = ? AND t.contact_id = ?)");
        sqlbuf_bind(b, DB_INT(a->enterprise_id));
        sqlbuf_bind(b, DB_INT(a->contact_id));
        return;
    }
    if (a->api_key_id) {
        /* A key sees the tickets of the one enterprise it is bound to. */
        sqlbuf_add(b, "(t.enterprise_id = ?)");
        sqlbuf_bind(b, DB_INT(a->enterprise_id ? a->enterprise_id : -1));
        return;
    }
    sqlbuf_add(b, "(");
    scope_sql(a, "t.branch_path", b);
    sqlbuf_add(b, " OR t.assignee_id = ?)");
    sqlbuf_bind(b, DB_INT(a->id));
}

int ticket_find(struct db *db, const struct actor *a, int64_t id, char *status, size_t status_len)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT t.status FROM tickets t WHERE t.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    ticket_visible_sql(a, &b);
    struct db_stmt *st;
    int rc = db_query_row(db, &st, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (rc == 1) {
        snprintf(status, status_len, "%s", db_col_text(st, 0));
        db_finish(st);
    }
    return rc;
}

/* The link, title and ticket number of a notification about ticket id. */
struct about {
    char no[32], subject[256], link[64], ent[256];
    int64_t assignee, ent_id, supervisor, branch_id;
    char branch_path[256], lang[8];
};

static int read_about(struct db *db, int64_t id, struct about *ab)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT t.ticket_no, t.subject, COALESCE(t.assignee_id, 0), "
                          "COALESCE(t.enterprise_id, 0), COALESCE(e.name, c.name, ''), "
                          "COALESCE(e.supervisor_id, 0), t.branch_id, t.branch_path "
                          "FROM tickets t LEFT JOIN enterprises e ON e.id = t.enterprise_id "
                          "LEFT JOIN customers c ON c.id = t.customer_id WHERE t.id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc < 0 ? rc : DB_ERROR;
    memset(ab, 0, sizeof(*ab));
    snprintf(ab->no, sizeof(ab->no), "%s", db_col_text(st, 0));
    snprintf(ab->subject, sizeof(ab->subject), "%s", db_col_text(st, 1));
    ab->assignee = db_col_int(st, 2);
    ab->ent_id = db_col_int(st, 3);
    snprintf(ab->ent, sizeof(ab->ent), "%s", db_col_text(st, 4));
    ab->supervisor = db_col_int(st, 5);
    ab->branch_id = db_col_int(st, 6);
    snprintf(ab->branch_path, sizeof(ab->branch_path), "%s", db_col_text(st, 7));
    snprintf(ab->link, sizeof(ab->link), "/tickets/%lld", (long long)id);
    db_finish(st);
    return 0;
}

/* The user's language for what they are told. */
static void user_lang(struct db *db, int64_t user, char lang[8])
{
    struct db_stmt *st;
    snprintf(lang, 8, "zh-CN");
    if (db_query_row(db, &st, "SELECT lang FROM users WHERE id = ?", DB_ARGS(DB_INT(user))) == 1) {
        snprintf(lang, 8, "%s", db_col_text(st, 0));
        db_finish(st);
    }
}

/* Tell user about ticket id: "<what> T… subject" and who it is for. */
static int tell(struct db *db, int64_t id, int64_t user, const char *kind, const char *what_key,
                const char *dedupe)
{
    if (!user)
        return 0;
    struct about ab;
    int rc = read_about(db, id, &ab);
    if (rc)
        return rc;
    char lang[8], title[512], text[600];
    user_lang(db, user, lang);
    snprintf(title, sizeof(title), "%s %s %s", i18n_msg(lang, what_key), ab.no, ab.subject);
    snprintf(text, sizeof(text), "%s %s", ab.no, ab.ent);
    return ticket_notify(db, user, kind, title, text, ab.link, dedupe);
}

/* The next number of the day: T20261203 0001. */
static int next_number(struct db *db, int64_t now, char out[32])
{
    char day[16];
    clock_format_date(now, day, sizeof(day));
    char compact[16];
    snprintf(compact, sizeof(compact), "%.4s%.2s%.2s", day, day + 5, day + 8);
    int64_t n = 0;
    int rc = db_query_id(db,
                         "INSERT INTO ticket_counters (day, n) VALUES (?, 1) "
                         "ON CONFLICT (day) DO UPDATE SET n = ticket_counters.n + 1 RETURNING n",
                         DB_ARGS(DB_TEXT(compact)), &n);
    if (!rc)
        snprintf(out, 32, "T%s%04lld", compact, (long long)n);
    return rc;
}

/* Who the ticket is for, read under the actor's sight. */
struct party {
    int64_t branch_id, owner, contact;
    char branch_path[256];
};

static int read_enterprise(struct db *db, const struct actor *a, const struct ticket_new *in,
                           struct party *p, json_t *errors)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT e.branch_id, e.branch_path, COALESCE(e.owner_id, 0) FROM enterprises e "
                   "LEFT JOIN users u ON u.id = e.owner_id "
                   "WHERE e.id = ? AND e.deleted_at IS NULL AND ");
    sqlbuf_bind(&b, DB_INT(in->enterprise_id));
    if (a->api_key_id || a->contact_id) {
        sqlbuf_add(&b, "e.id = ?");
        sqlbuf_bind(&b, DB_INT(a->enterprise_id));
    } else if (!a->system) {
        /* Counter and phone: any staff of the enterprise's branch tree logs
         * its tickets, not only its manager. */
        scope_sql(a, "e.branch_path", &b);
    } else {
        sqlbuf_add(&b, "1 = 1");
    }
    struct db_stmt *st;
    int rc = db_query_row(db, &st, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (rc <= 0)
        return rc < 0 ? rc : OP_NOT_FOUND;
    p->branch_id = db_col_int(st, 0);
    snprintf(p->branch_path, sizeof(p->branch_path), "%s", db_col_text(st, 1));
    p->owner = db_col_int(st, 2);
    db_finish(st);
    if (p->owner) {
        /* A manager who left is no dedicated manager: the queue takes it. */
        int64_t active = 0;
        rc = db_query_int(db, "SELECT 1 FROM users WHERE id = ? AND status = 'active'",
                          DB_ARGS(DB_INT(p->owner)), &active);
        if (rc < 0)
            return rc;
        if (!active)
            p->owner = 0;
    }
    int64_t cid = 0;
    if (in->contact_id) {
        rc = db_query_int(db,
                          "SELECT id FROM enterprise_contacts WHERE id = ? AND enterprise_id = ?",
                          DB_ARGS(DB_INT(in->contact_id), DB_INT(in->enterprise_id)), &cid);
        if (rc < 0)
            return rc;
        if (!rc)
            fail(errors, a->lang, "contact_id", "ticket.contact");
    } else if (in->contact_mobile && *in->contact_mobile) {
        char m[12];
        if (validate_mobile(in->contact_mobile, m) != 0) {
            fail(errors, a->lang, "contact_mobile", "field.phone");
        } else {
            rc = db_query_int(db,
                              "SELECT id FROM enterprise_contacts WHERE enterprise_id = ? AND "
                              "mobile = ? ORDER BY is_primary DESC, id LIMIT 1",
                              DB_ARGS(DB_INT(in->enterprise_id), DB_TEXT(m)), &cid);
            if (rc < 0)
                return rc;
        }
    }
    p->contact = cid;
    return 0;
}

static int read_customer(struct db *db, const struct actor *a, int64_t id, struct party *p)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT c.branch_id, c.branch_path FROM customers c "
                   "WHERE c.id = ? AND c.deleted_at IS NULL AND ");
    sqlbuf_bind(&b, DB_INT(id));
    scope_sql(a, "c.branch_path", &b);
    struct db_stmt *st;
    int rc = db_query_row(db, &st, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (rc <= 0)
        return rc < 0 ? rc : OP_NOT_FOUND;
    p->branch_id = db_col_int(st, 0);
    snprintf(p->branch_path, sizeof(p->branch_path), "%s", db_col_text(st, 1));
    db_finish(st);
    return 0;
}

/* Each related waybill must exist, and be the enterprise's own. */
static int check_waybills(struct db *db, const struct actor *a, const struct ticket_new *in,
                          json_t *errors)
{
    if (!in->waybills)
        return 0;
    if (!json_is_array(in->waybills) || json_array_size(in->waybills) > 20) {
        fail(errors, a->lang, "waybills", "ticket.waybills");
        return 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(in->waybills, i, v)
    {
        const char *no = json_string_value(v);
        int64_t one = 0;
        int rc = 0;
        if (no && in->enterprise_id)
            rc = db_query_int(db,
                              "SELECT 1 FROM waybills WHERE waybill_no = ? AND enterprise_id = ?",
                              DB_ARGS(DB_TEXT(no), DB_INT(in->enterprise_id)), &one);
        if (rc < 0)
            return rc;
        if (!one) {
            char msg[256];
            snprintf(msg, sizeof(msg), "%s%s", i18n_msg(a->lang, "ticket.waybill_unknown"),
                     no ? no : "");
            if (!json_object_get(errors, "waybills"))
                json_object_set_new(errors, "waybills", json_string(msg));
        }
    }
    return 0;
}

static int check_new(struct db *db, const struct actor *a, const struct ticket_new *in,
                     json_t *errors)
{
    const char *lang = a->lang;
    if (!one_of(in->channel, channels))
        fail(errors, lang, "channel", "ticket.channel");
    if (in->priority && !one_of(in->priority, priorities))
        fail(errors, lang, "priority", "ticket.priority");
    if (!in->subject || !*in->subject)
        fail(errors, lang, "subject", "field.required");
    int64_t one = 0;
    int rc = in->type ? db_query_int(db,
                                     "SELECT 1 FROM dictionary_items WHERE dict_code = "
                                     "'ticket_type' AND value = ?",
                                     DB_ARGS(DB_TEXT(in->type)), &one)
                      : 0;
    if (rc < 0)
        return rc;
    if (!one)
        fail(errors, lang, "type", "ticket.type");
    if (!in->enterprise_id == !in->customer_id)
        fail(errors, lang, "enterprise_id", "ticket.party");
    return 0;
}

int ticket_create_in(struct db *db, const struct actor *a, const struct ticket_new *in, int64_t *id,
                     json_t *errors)
{
    struct party p = {0};
    int rc = check_new(db, a, in, errors);
    if (!rc && json_object_size(errors) == 0) {
        rc = in->enterprise_id ? read_enterprise(db, a, in, &p, errors)
                               : read_customer(db, a, in->customer_id, &p);
        if (rc == OP_NOT_FOUND) {
            fail(errors, a->lang, in->enterprise_id ? "enterprise_id" : "customer_id",
                 "ticket.party_unknown");
            rc = OP_INVALID;
        }
    }
    if (!rc)
        rc = check_waybills(db, a, in, errors);
    if (!rc && json_object_size(errors))
        rc = OP_INVALID;
    if (rc)
        return rc;

    const char *priority = in->priority ? in->priority : "normal";
    const char *tier = p.owner ? "vip" : "standard";
    int64_t now = clock_now(), fr_min = 0, res_min = 0, fr_due = 0, res_due = 0;
    char calendar[16], no[32];
    rc = ticket_sla_policy(db, tier, priority, &fr_min, &res_min, calendar);
    if (!rc)
        rc = ticket_sla_due(db, calendar, now, fr_min * 60, &fr_due);
    if (!rc)
        rc = ticket_sla_due(db, calendar, now, res_min * 60, &res_due);
    if (!rc)
        rc = next_number(db, now, no);
    if (!rc)
        rc = db_query_id(
            db,
            "INSERT INTO tickets (ticket_no, type, priority, subject, description, channel, "
            "enterprise_id, contact_id, customer_id, status, tier, calendar, assignee_id, "
            "branch_id, branch_path, first_response_due_at, resolution_due_at, next_due_at, "
            "email_thread_ref, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "
            "id",
            DB_ARGS(DB_TEXT(no), DB_TEXT(in->type), DB_TEXT(priority), DB_TEXT(in->subject),
                    DB_TEXT(in->description ? in->description : ""), DB_TEXT(in->channel),
                    DB_INT_OR_NULL(in->enterprise_id, in->enterprise_id),
                    DB_INT_OR_NULL(p.contact, p.contact),
                    DB_INT_OR_NULL(in->customer_id, in->customer_id),
                    DB_TEXT(p.owner ? "assigned" : "new"), DB_TEXT(tier), DB_TEXT(calendar),
                    DB_INT_OR_NULL(p.owner, p.owner), DB_INT(p.branch_id), DB_TEXT(p.branch_path),
                    DB_INT(fr_due), DB_INT(res_due), DB_INT(fr_due < res_due ? fr_due : res_due),
                    DB_TEXT(in->email_thread_ref), DB_INT_OR_NULL(a->id, a->id), DB_INT(now),
                    DB_INT(now)),
            id);
    size_t i;
    json_t *v;
    json_array_foreach(in->waybills, i, v)
    {
        if (!rc)
            rc = db_exec(db,
                         "INSERT INTO ticket_waybills (ticket_id, waybill_no) VALUES (?, ?) "
                         "ON CONFLICT DO NOTHING",
                         DB_ARGS(DB_INT(*id), DB_TEXT(json_string_value(v))));
    }
    if (!rc)
        rc = ticket_entry(db, a, *id, "created", in->subject,
                          json_pack("{s:s,s:s,s:s}", "channel", in->channel, "type", in->type,
                                    "priority", priority));
    if (!rc && p.owner) {
        /* A VIP enterprise's ticket skips the queue: its manager has it and
         * is told at once. */
        rc = ticket_entry(
            db, a, *id, "assigned", "",
            json_pack("{s:I,s:s}", "assignee_id", (json_int_t)p.owner, "by", "dedicated_manager"));
        char dedupe[64];
        snprintf(dedupe, sizeof(dedupe), "ticket:%lld:assigned:%lld", (long long)*id,
                 (long long)p.owner);
        if (!rc)
            rc = tell(db, *id, p.owner, "ticket.assigned", "ticket.notify_assigned", dedupe);
    }
    if (!rc)
        rc = actor_audit(
            db, a, "ticket.create", "ticket", *id,
            json_pack("{s:s,s:s,s:s}", "ticket_no", no, "channel", in->channel, "tier", tier));
    if (!rc)
        rc = events_publish(db, "ticket.created", "ticket", *id, a->id,
                            json_pack("{s:s,s:s,s:s,s:I}", "ticket_no", no, "channel", in->channel,
                                      "tier", tier, "branch_id", (json_int_t)p.branch_id));
    if (!rc && p.owner)
        rc = events_publish(
            db, "ticket.assigned", "ticket", *id, a->id,
            json_pack("{s:I,s:s}", "assignee_id", (json_int_t)p.owner, "by", "dedicated_manager"));
    return rc;
}

int ticket_create(struct db *db, const struct actor *a, const struct ticket_new *in, int64_t *id,
                  json_t *errors)
{
    int rc = db_begin(db);
    if (!rc)
        rc = ticket_create_in(db, a, in, id, errors);
    return op_end(db, rc);
}

/* ---- status ---- */

/* The manual changes allowed from each status ("assigned" comes only from
 * an assignment, "reopened" only after resolved or closed). */
static const struct {
    const char *from, *to[6];
} moves[] = {
    {"new", {"in_progress", "waiting_customer", "resolved", "closed"}},
    {"assigned", {"in_progress", "waiting_customer", "resolved", "closed"}},
    {"in_progress", {"waiting_customer", "resolved", "closed"}},
    {"waiting_customer", {"in_progress", "resolved", "closed"}},
    {"resolved", {"closed", "reopened"}},
    {"closed", {"reopened"}},
    {"reopened", {"in_progress", "waiting_customer", "resolved", "closed"}},
};

static bool allowed(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
        if (strcmp(moves[i].from, from) == 0)
            for (size_t k = 0; k < 6 && moves[i].to[k]; k++)
                if (strcmp(moves[i].to[k], to) == 0)
                    return true;
    return false;
}

static const char *status_label(const char *lang, const char *status)
{
    char key[48];
    snprintf(key, sizeof(key), "ticket.status.%s", status);
    return i18n_msg(lang, key);
}

/* What a ticket's clocks read when its status changes. */
struct clocks {
    char calendar[16], tier[16], priority[16];
    int64_t fr_due, fr_at, res_due, paused_at, reopens;
};

static int read_clocks(struct db *db, int64_t id, struct clocks *c)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT calendar, tier, priority, COALESCE(first_response_due_at, 0), "
                          "COALESCE(first_response_at, 0), COALESCE(resolution_due_at, 0), "
                          "COALESCE(paused_at, 0), reopen_count FROM tickets WHERE id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc < 0 ? rc : DB_ERROR;
    snprintf(c->calendar, sizeof(c->calendar), "%s", db_col_text(st, 0));
    snprintf(c->tier, sizeof(c->tier), "%s", db_col_text(st, 1));
    snprintf(c->priority, sizeof(c->priority), "%s", db_col_text(st, 2));
    c->fr_due = db_col_int(st, 3);
    c->fr_at = db_col_int(st, 4);
    c->res_due = db_col_int(st, 5);
    c->paused_at = db_col_int(st, 6);
    c->reopens = db_col_int(st, 7);
    db_finish(st);
    return 0;
}

/* The clock side of moving from `from` to `to` at now: pause while waiting
 * for the customer, push the due times by the paused working time on
 * resume, stop at resolved / closed, start a new resolution clock on
 * reopening. */
static int move_clocks(struct db *db, int64_t id, const char *from, const char *to, int64_t now)
{
    struct clocks c;
    int rc = read_clocks(db, id, &c);
    if (rc)
        return rc;
    if (strcmp(to, "waiting_customer") == 0)
        return db_exec(db, "UPDATE tickets SET paused_at = ?, next_due_at = NULL WHERE id = ?",
                       DB_ARGS(DB_INT(now), DB_INT(id)));
    if (strcmp(to, "resolved") == 0 || strcmp(to, "closed") == 0)
        return db_exec(db,
                       "UPDATE tickets SET paused_at = NULL, next_due_at = NULL, "
                       "resolved_at = COALESCE(resolved_at, ?), closed_at = CASE WHEN ? = "
                       "'closed' THEN ? ELSE closed_at END WHERE id = ?",
                       DB_ARGS(DB_INT(now), DB_TEXT(to), DB_INT(now), DB_INT(id)));
    if (strcmp(to, "reopened") == 0) {
        int64_t fr = 0, res = 0, due = 0;
        char calendar[16];
        rc = ticket_sla_policy(db, c.tier, c.priority, &fr, &res, calendar);
        if (!rc)
            rc = ticket_sla_due(db, c.calendar, now, res * 60, &due);
        if (!rc)
            rc = db_exec(db,
                         "UPDATE tickets SET resolved_at = NULL, closed_at = NULL, paused_at = "
                         "NULL, resolution_breached_at = NULL, resolution_due_at = ?, "
                         "reopen_count = reopen_count + 1 WHERE id = ?",
                         DB_ARGS(DB_INT(due), DB_INT(id)));
        /* A new resolution clock climbs its ladder afresh. */
        if (!rc)
            rc = db_exec(db,
                         "DELETE FROM ticket_escalations WHERE ticket_id = ? AND target = "
                         "'resolution'",
                         DB_ARGS(DB_INT(id)));
        return rc ? rc : ticket_sla_rearm(db, id);
    }
    if (strcmp(from, "waiting_customer") == 0 && c.paused_at) {
        int64_t paused = 0, fr = c.fr_due, res = c.res_due;
        rc = ticket_sla_between(db, c.calendar, c.paused_at, now, &paused);
        if (!rc && !c.fr_at)
            rc = ticket_sla_due(db, c.calendar, c.fr_due, paused, &fr);
        if (!rc)
            rc = ticket_sla_due(db, c.calendar, c.res_due, paused, &res);
        if (!rc)
            rc = db_exec(db,
                         "UPDATE tickets SET paused_at = NULL, first_response_due_at = ?, "
                         "resolution_due_at = ? WHERE id = ?",
                         DB_ARGS(DB_INT(fr), DB_INT(res), DB_INT(id)));
        return rc ? rc : ticket_sla_rearm(db, id);
    }
    return 0;
}

/* Change ticket id from `from` to `to` in the caller's transaction: the
 * row, the clocks, the timeline, the audit entry and the event. */
static int change_status(struct db *db, const struct actor *a, int64_t id, const char *from,
                         const char *to, const char *note)
{
    int64_t now = clock_now();
    int rc = db_exec(db,
                     "UPDATE tickets SET status = ?, version = version + 1, updated_at = ? "
                     "WHERE id = ?",
                     DB_ARGS(DB_TEXT(to), DB_INT(now), DB_INT(id)));
    if (!rc)
        rc = move_clocks(db, id, from, to, now);
    if (!rc)
        rc =
            ticket_entry(db, a, id, "status", note, json_pack("{s:s,s:s}", "from", from, "to", to));
    if (!rc)
        rc = actor_audit(db, a, "ticket.status", "ticket", id,
                         json_pack("{s:s,s:s}", "from", from, "to", to));
    if (!rc)
        rc = events_publish(db, "ticket.status_changed", "ticket", id, a->id,
                            json_pack("{s:s,s:s}", "from", from, "to", to));
    return rc;
}

int ticket_set_status(struct db *db, const struct actor *a, int64_t id, const char *status,
                      const char *note, json_t *errors)
{
    char from[24];
    int rc = db_begin(db);
    if (!rc) {
        rc = ticket_find(db, a, id, from, sizeof(from));
        rc = rc == 1 ? 0 : rc == 0 ? OP_NOT_FOUND : rc;
    }
    if (!rc && !allowed(from, status)) {
        char msg[256];
        snprintf(msg, sizeof(msg), i18n_msg(a->lang, "ticket.transition"),
                 status_label(a->lang, from), status_label(a->lang, status));
        json_object_set_new(errors, "message", json_string(msg));
        json_object_set_new(errors, "status", json_string(msg));
        rc = OP_CONFLICT;
    }
    if (!rc)
        rc = change_status(db, a, id, from, status, note);
    return op_end(db, rc);
}

/* ---- replies and notes ---- */

int ticket_reply(struct db *db, const struct actor *a, int64_t id, const char *body, bool internal,
                 json_t *errors)
{
    char status[24];
    int64_t now = clock_now();
    int rc = db_begin(db);
    if (!rc) {
        rc = ticket_find(db, a, id, status, sizeof(status));
        rc = rc == 1 ? 0 : rc == 0 ? OP_NOT_FOUND : rc;
    }
    if (!rc && !internal && strcmp(status, "closed") == 0) {
        /* reopen it first: a closed ticket takes notes only */
        json_object_set_new(errors, "message",
                            json_string(i18n_msg(a->lang, "ticket.closed_reply")));
        rc = OP_CONFLICT;
    }
    if (!rc && a->contact_id) {
        /* The customer answers from the portal, as by mail: no response of
         * staff (the clocks and the KPIs count none). */
        char dedupe[96];
        snprintf(dedupe, sizeof(dedupe), "ticket:%lld:replied:%lld", (long long)id, (long long)now);
        return op_end(db, ticket_customer_reply(db, a, id, body, NULL, dedupe));
    }
    if (!rc)
        rc = ticket_entry(db, a, id, internal ? "note" : "reply", body, NULL);
    /* A customer who wrote by e-mail reads staff's answer there; notes
     * stay in, and the enterprise's own system (an API key) is the
     * customer's side. */
    if (!rc && !internal && !a->api_key_id)
        rc = ticket_mail_reply(db, id, body);
    bool first = false;
    if (!rc && !internal && !a->api_key_id && !a->system) {
        /* The first response is the first reply to the customer by staff:
         * it stops the first-response clock. */
        rc = db_exec(db,
                     "UPDATE tickets SET first_response_at = ? WHERE id = ? AND "
                     "first_response_at IS NULL",
                     DB_ARGS(DB_INT(now), DB_INT(id)));
        first = !rc && db_changes(db) == 1;
        if (first)
            rc = ticket_sla_rearm(db, id);
    }
    if (!rc)
        rc = db_exec(db, "UPDATE tickets SET version = version + 1, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(now), DB_INT(id)));
    /* Working on a ticket nobody started moves it to in progress. */
    if (!rc && !internal &&
        (strcmp(status, "new") == 0 || strcmp(status, "assigned") == 0 ||
         strcmp(status, "reopened") == 0))
        rc = change_status(db, a, id, status, "in_progress", NULL);
    if (!rc)
        rc = actor_audit(db, a, internal ? "ticket.note" : "ticket.reply", "ticket", id,
                         json_pack("{s:b}", "first_response", first));
    if (!rc && !internal)
        rc = events_publish(db, "ticket.responded", "ticket", id, a->id,
                            json_pack("{s:b}", "first_response", first));
    return op_end(db, rc);
}

/* ---- assignment ---- */

/* ticket_assign's work in the caller's transaction; every refusal comes
 * before the first write. */
static int assign_in(struct db *db, const struct actor *a, int64_t id, int64_t assignee, bool claim,
                     json_t *errors)
{
    char status[24];
    struct about ab;
    int rc = ticket_find(db, a, id, status, sizeof(status));
    rc = rc == 1 ? 0 : rc == 0 ? OP_NOT_FOUND : rc;
    if (!rc)
        rc = read_about(db, id, &ab);
    if (rc)
        return rc;
    if (claim) {
        assignee = a->id;
        if (ab.assignee) {
            json_object_set_new(errors, "message",
                                json_string(i18n_msg(a->lang, "ticket.claimed_already")));
            return OP_CONFLICT;
        }
    } else if (!a->system && ab.assignee != a->id && !(a->perms & PERM_MERGE)) {
        /* Reassigning is the holder's or a supervisor's. */
        json_object_set_new(errors, "message",
                            json_string(i18n_msg(a->lang, "ticket.reassign_denied")));
        return OP_CONFLICT;
    }
    if (strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0) {
        json_object_set_new(errors, "message", json_string(i18n_msg(a->lang, "ticket.finished")));
        return OP_CONFLICT;
    }
    rc = users_fits_branch(db, assignee, ab.branch_path);
    if (rc == 0) {
        fail(errors, a->lang, "assignee_id", "ticket.assignee");
        return OP_INVALID;
    }
    if (rc < 0)
        return rc;
    if (assignee == ab.assignee)
        return 0;
    int64_t now = clock_now();
    rc = db_exec(db,
                 "UPDATE tickets SET assignee_id = ?, status = CASE WHEN status = 'new' THEN "
                 "'assigned' ELSE status END, version = version + 1, updated_at = ? WHERE id = ?",
                 DB_ARGS(DB_INT(assignee), DB_INT(now), DB_INT(id)));
    const char *kind = claim ? "claimed" : ab.assignee ? "reassigned" : "assigned";
    json_t *detail = json_pack("{s:I,s:I}", "assignee_id", (json_int_t)assignee, "previous_id",
                               (json_int_t)ab.assignee);
    if (!rc)
        rc = ticket_entry(db, a, id, kind, "", json_deep_copy(detail));
    if (!rc)
        rc = actor_audit(db, a, claim ? "ticket.claim" : "ticket.assign", "ticket", id,
                         json_deep_copy(detail));
    if (!rc)
        rc = events_publish(db, "ticket.assigned", "ticket", id, a->id, json_incref(detail));
    json_decref(detail);
    if (!rc && assignee != a->id) {
        char dedupe[96];
        snprintf(dedupe, sizeof(dedupe), "ticket:%lld:assigned:%lld:%lld", (long long)id,
                 (long long)assignee, (long long)now);
        rc = tell(db, id, assignee, "ticket.assigned", "ticket.notify_assigned", dedupe);
    }
    return rc;
}

int ticket_assign(struct db *db, const struct actor *a, int64_t id, int64_t assignee, bool claim,
                  json_t *errors)
{
    int rc = db_begin(db);
    return rc ? rc : op_end(db, assign_in(db, a, id, assignee, claim, errors));
}

int ticket_assign_in_tx(struct db *db, const struct actor *a, int64_t id, int64_t assignee,
                        json_t *errors)
{
    return assign_in(db, a, id, assignee, false, errors);
}

int ticket_tell(struct db *db, int64_t id, int64_t user, const char *kind, const char *what_key,
                const char *dedupe)
{
    return tell(db, id, user, kind, what_key, dedupe);
}

int ticket_customer_reply(struct db *db, const struct actor *a, int64_t id, const char *body,
                          json_t *detail, const char *dedupe)
{
    char status[24];
    struct db_stmt *st;
    int rc = db_query_row(db, &st, "SELECT status FROM tickets WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (rc != 1) {
        json_decref(detail);
        return rc < 0 ? rc : OP_NOT_FOUND;
    }
    snprintf(status, sizeof(status), "%s", db_col_text(st, 0));
    db_finish(st);
    rc = ticket_entry(db, a, id, "customer_reply", body, detail);
    if (!rc)
        rc = db_exec(db, "UPDATE tickets SET version = version + 1, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(clock_now()), DB_INT(id)));
    /* The customer answered: the paused clocks run again; a resolved
     * ticket was not resolved after all. A closed one stays closed (its
     * holder reads the answer and decides). */
    if (!rc && strcmp(status, "waiting_customer") == 0)
        rc = change_status(db, a, id, status, "in_progress", NULL);
    else if (!rc && strcmp(status, "resolved") == 0)
        rc = change_status(db, a, id, status, "reopened", NULL);
    struct about ab;
    if (!rc)
        rc = read_about(db, id, &ab);
    if (!rc)
        rc = tell(db, id, ab.assignee, "ticket.replied", "ticket.notify_replied", dedupe);
    if (!rc)
        rc = actor_audit(db, a, "ticket.customer_reply", "ticket", id, NULL);
    if (!rc)
        rc = events_publish(db, "ticket.replied", "ticket", id, 0, NULL);
    return rc;
}
