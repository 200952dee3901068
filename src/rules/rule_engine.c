/*
 * rule_engine.c - running rules on domain events (see rules.h).
 *
 * For each event a rule's trigger names, the engine claims the run with
 * a unique rule_runs(rule_id, run_key) row, then decides (branch scope,
 * depth, the condition compiled by the filter language and evaluated as
 * "SELECT 1 FROM <table> WHERE id = ? AND (<condition>)", so there is one
 * evaluator), plans every action with its resolved values, and only then
 * writes them - all in the consumer's transaction, so a failure rolls the
 * actions, the run row and the consumer's position back together and the
 * event comes again (at least once; the run row makes it once).
 *
 * Events the actions publish are stamped with rule_depth (this event's +
 * 1): beyond RULE_MAX_DEPTH no rule runs, which ends loops such as a rule
 * that raises a ticket's priority on every change of that ticket.
 */
#include "rules/rules.h"

#include "approval/approval.h"
#include "auth/actor.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/op.h"
#include "core/outbox.h"
#include "crm/task.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "notify/notify.h"
#include "record/filter.h"
#include "record/tags.h"
#include "service/ticket.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t wall_ms(void);

/* The record a rule runs on. */
struct rec {
    int64_t id, branch_id, customer_id, enterprise_id;
    char branch_path[256];
    json_t *vars; /* template variables */
};

static int load_rec(struct db *db, const struct rule_entity *re, int64_t id, struct rec *r)
{
    memset(r, 0, sizeof(*r));
    r->id = id;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "SELECT %s, %s, %s, %s FROM %s %s WHERE %s.id = ?", re->branch_id_expr,
                re->branch_path_expr, re->customer_expr ? re->customer_expr : "NULL",
                re->enterprise_expr ? re->enterprise_expr : "NULL", re->table, re->alias,
                re->alias);
    sqlbuf_bind(&b, DB_INT(id));
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st, b.sql, b.args, b.nargs);
    if (rc == 1) {
        r->branch_id = db_col_int(st, 0);
        snprintf(r->branch_path, sizeof(r->branch_path), "%s",
                 db_col_is_null(st, 1) ? "" : db_col_text(st, 1));
        r->customer_id = db_col_int(st, 2);
        r->enterprise_id = db_col_int(st, 3);
        rc = 0;
    } else {
        rc = rc == 0 ? OP_NOT_FOUND : rc;
    }
    db_finish(st);
    sqlbuf_release(&b);
    if (!rc)
        r->vars = rule_record_vars(db, re, id, &rc);
    return rc;
}

/* 1 when tree holds for row id of e's table (as in FROM), 0 when not, -1
 * when the tree does not compile any more (a custom field removed since),
 * else a negative DB_*. */
static int holds(struct db *db, const struct entity *e, json_t *tree, const char *table,
                 const char *alias, const char *id_sql, int64_t id)
{
    if (!tree || json_is_null(tree))
        return 1;
    struct sqlbuf b, c;
    struct filter_error err = {0};
    sqlbuf_init(&b);
    sqlbuf_init(&c);
    int rc = e ? filter_compile_for(db, e, tree, &c, &err, 0) : -1;
    if (!rc) {
        sqlbuf_addf(&b, "SELECT 1 FROM %s %s WHERE %s.id = %s AND ", table, alias, alias, id_sql);
        sqlbuf_bind(&b, DB_INT(id));
        sqlbuf_append(&b, &c);
        int64_t one = 0;
        rc = db_query_int(db, b.sql, b.args, b.nargs, &one);
    }
    sqlbuf_release(&c);
    sqlbuf_release(&b);
    return rc;
}

/* Whether rule's related conditions hold (customer / enterprise ids). */
static int related_hold(struct db *db, json_t *rule, int64_t customer_id, int64_t enterprise_id)
{
    size_t i;
    json_t *rel;
    int rc = 1;
    json_array_foreach(json_object_get(rule, "related"), i, rel)
    {
        if (rc != 1)
            break;
        const char *path = json_string_value(json_object_get(rel, "path"));
        const struct entity *e = entity_find(path);
        int64_t other = strcmp(path, "enterprise") == 0 ? enterprise_id : customer_id;
        rc = other && e
                 ? holds(db, e, json_object_get(rel, "filter"), e->table, e->alias, "?", other)
                 : 0;
    }
    return rc;
}

/* Whether the rule's condition and related conditions hold for rec;
 * *reason says which did not. */
static int matches(struct db *db, const struct rule_entity *re, json_t *rule, const struct rec *r,
                   const char **reason)
{
    const char *scope = json_string_value(json_object_get(rule, "branch_path"));
    if (scope && *scope && strncmp(r->branch_path, scope, strlen(scope)) != 0) {
        *reason = "out_of_scope";
        return 0;
    }
    int rc = holds(db, rule_entity_filter(re), json_object_get(rule, "condition"), re->table,
                   re->alias, "?", r->id);
    if (rc == 1)
        rc = related_hold(db, rule, r->customer_id, r->enterprise_id);
    if (rc == 0 || rc == -1)
        *reason = rc == 0 ? "no_match" : "condition_invalid";
    return rc == -1 ? 0 : rc;
}

/* ---- planning --------------------------------------------------------------- */

/* The user spec names for rec: 1 with *user (and its name in name), 0
 * when nobody fits, negative DB_*. */
static int resolve_user(struct db *db, const struct rule_entity *re, const struct rec *r,
                        json_t *spec, int64_t *user, json_t *out)
{
    const char *type = json_string_value(json_object_get(spec, "type"));
    int rc = 0;
    *user = 0;
    if (type && strcmp(type, "user") == 0) {
        *user = json_integer_value(json_object_get(spec, "user_id"));
        rc = 1;
    } else if (type && strcmp(type, "field") == 0) {
        const char *field = json_string_value(json_object_get(spec, "field"));
        for (const struct rule_ref *f = re->refs; field && f->key; f++)
            if (strcmp(f->key, field) == 0) {
                struct sqlbuf b;
                sqlbuf_init(&b);
                sqlbuf_addf(&b, "SELECT %s FROM %s %s WHERE %s.id = ? AND %s IS NOT NULL", f->expr,
                            re->table, re->alias, re->alias, f->expr);
                sqlbuf_bind(&b, DB_INT(r->id));
                rc = db_query_int(db, b.sql, b.args, b.nargs, user);
                sqlbuf_release(&b);
            }
    } else if (type && strcmp(type, "role") == 0) {
        /* The nearest holder of the role: in the record's branch, else the
         * closest branch above it (an admin without a branch last). */
        rc = db_query_int(
            db,
            "SELECT u.id FROM users u LEFT JOIN branches b ON b.id = u.branch_id WHERE u.role = ? "
            "AND u.status = 'active' AND (b.path IS NULL OR substr(CAST(? AS TEXT), 1, "
            "length(b.path)) = "
            "b.path) ORDER BY length(COALESCE(b.path, '')) DESC, u.id LIMIT 1",
            DB_ARGS(DB_TEXT(json_string_value(json_object_get(spec, "role"))),
                    DB_TEXT(r->branch_path)),
            user);
    }
    if (rc == 1 && *user) {
        struct db_stmt *st = NULL;
        int q = db_query_row(db, &st, "SELECT name FROM users WHERE id = ? AND status = 'active'",
                             DB_ARGS(DB_INT(*user)));
        if (q == 1) {
            json_object_set_new(out, "assignee_id", json_integer(*user));
            json_object_set_new(out, "assignee_name", json_string(db_col_text(st, 0)));
        }
        db_finish(st);
        rc = q < 0 ? q : q;
    }
    return rc;
}

/* The message of a notify action, rendered for its channel. */
static int plan_message(struct db *db, json_t *act, const struct rec *r, json_t *out)
{
    json_t *tpl = json_object_get(act, "template_id");
    char *channel = NULL, *subject = NULL, *body = NULL;
    if (tpl) {
        int rc = template_get(db, json_integer_value(tpl), &channel, &subject, &body);
        if (rc != 1)
            return rc < 0 ? rc : 0;
    } else {
        channel = xstrdup("bell");
        subject = xstrdup(json_string_value(json_object_get(act, "title")));
        const char *b = json_string_value(json_object_get(act, "body"));
        body = xstrdup(b ? b : "");
    }
    json_t *unknown = json_array();
    char *t = template_render(subject, r->vars, "email", unknown);
    char *m = template_render(body, r->vars, channel, unknown);
    json_object_set_new(out, "title", json_string(*t ? t : m));
    json_object_set_new(out, "message", json_string(m));
    json_object_set_new(out, "unknown_variables", unknown);
    json_t *chans = json_object_get(act, "channels");
    if (!chans || !json_array_size(chans)) {
        chans = json_array();
        if (strcmp(channel, "bell") != 0)
            json_array_append_new(chans, json_string(channel));
        json_object_set_new(out, "channels", chans);
    } else {
        json_object_set(out, "channels", chans);
    }
    free(t);
    free(m);
    free(channel);
    free(subject);
    free(body);
    return 1;
}

/* Resolve one action: 1 with out filled, 0 with out["error"] when it
 * cannot be done on this record, negative DB_*. */
static int plan_action(struct db *db, const struct rule_entity *re, const struct rec *r,
                       json_t *act, json_t *out)
{
    const char *type = json_string_value(json_object_get(act, "type"));
    json_object_set_new(out, "type", json_string(type));
    int64_t user = 0;
    int rc = 1;
    if (strcmp(type, "create_task") == 0) {
        rc = resolve_user(db, re, r, json_object_get(act, "assignee"), &user, out);
        char *title = template_render(json_string_value(json_object_get(act, "title")), r->vars,
                                      "email", NULL);
        json_object_set_new(out, "title", json_string(title));
        free(title);
        json_t *due = json_object_get(act, "due_in_days");
        json_object_set_new(
            out, "due_at", json_integer(clock_now() + 86400 * (due ? json_integer_value(due) : 1)));
        const char *prio = json_string_value(json_object_get(act, "priority"));
        json_object_set_new(out, "priority", json_string(prio ? prio : "normal"));
        if (rc == 0)
            json_object_set_new(out, "error", json_string("no_assignee"));
    } else if (strcmp(type, "notify") == 0) {
        rc = resolve_user(db, re, r, json_object_get(act, "to"), &user, out);
        if (rc == 1)
            rc = plan_message(db, act, r, out);
        if (rc == 0)
            json_object_set_new(out, "error", json_string(user ? "no_template" : "no_recipient"));
    } else if (strcmp(type, "set_field") == 0 || strcmp(type, "webhook") == 0) {
        const char *keys[] = {"field", "value", "url"};
        for (int i = 0; i < 3; i++)
            if (json_object_get(act, keys[i]))
                json_object_set(out, keys[i], json_object_get(act, keys[i]));
    } else if (strcmp(type, "add_tag") == 0 || strcmp(type, "remove_tag") == 0) {
        json_object_set(out, "tag_id", json_object_get(act, "tag_id"));
    } else if (strcmp(type, "assign") == 0) {
        rc = resolve_user(db, re, r, json_object_get(act, "assignee"), &user, out);
        if (rc == 0)
            json_object_set_new(out, "error", json_string("no_assignee"));
    } else if (strcmp(type, "request_approval") == 0) {
        json_object_set(out, "flow", json_object_get(act, "flow"));
        json_t *after = json_object_get(act, "after");
        json_object_set_new(out, "after", after ? json_incref(after) : json_null());
    }
    return rc;
}

/* ---- doing ------------------------------------------------------------------ */

struct run {
    const struct rule_entity *re;
    const struct rec *r;
    const struct domain_event *ev;
    int64_t rule_id;
    const char *rule_name;
    const char *key; /* run key */
};

static int do_set_field(struct db *db, const struct run *x, json_t *p)
{
    const char *field = json_string_value(json_object_get(p, "field"));
    const char *column = NULL;
    for (const struct rule_settable *s = x->re->settable; s->key; s++)
        if (strcmp(s->key, field) == 0)
            column = s->column;
    if (!column)
        return 0;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "UPDATE %s SET %s = ?, version = version + 1, updated_at = ? WHERE id = ?",
                x->re->table, column);
    sqlbuf_bind(&b, DB_TEXT(json_string_value(json_object_get(p, "value"))));
    sqlbuf_bind(&b, DB_INT(clock_now()));
    sqlbuf_bind(&b, DB_INT(x->r->id));
    int rc = db_exec(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (!rc && x->re->changed_event)
        rc = events_publish(db, x->re->changed_event, x->re->name, x->r->id, 0,
                            json_pack("{s:[s]}", "fields", field));
    return rc;
}

/* File the approval as the system in the record's branch: the flow's
 * role steps then find the approvers nearest the record (a system actor
 * without a branch would find only administrators). Nobody to decide, or
 * the flow disabled, is the action's error on the run, not a retry. */
static int do_request_approval(struct db *db, const struct run *x, json_t *p)
{
    struct actor sys = actor_system;
    sys.branch_id = x->r->branch_id;
    snprintf(sys.branch_path, sizeof(sys.branch_path), "%s", x->r->branch_path);
    json_t *change =
        json_pack("{s:O,s:O}", "before", x->r->vars, "after", json_object_get(p, "after"));
    int64_t id = 0;
    int rc = approval_request_in_tx(db, &sys, json_string_value(json_object_get(p, "flow")),
                                    x->re->name, x->r->id, change, &id);
    if (rc == OP_CONFLICT || (!rc && !id)) {
        json_object_set_new(p, "error", json_string(rc ? "no_approver" : "flow_disabled"));
        return 0;
    }
    if (!rc)
        json_object_set_new(p, "approval_id", json_integer(id));
    return rc;
}

static int do_action(struct db *db, const struct run *x, size_t i, json_t *p)
{
    const char *type = json_string_value(json_object_get(p, "type"));
    char ref[160];
    snprintf(ref, sizeof(ref), "rule:%lld:%s:%zu", (long long)x->rule_id, x->key, i);
    char link[96];
    snprintf(link, sizeof(link), "%s%lld", x->re->link, (long long)x->r->id);
    if (strcmp(type, "create_task") == 0) {
        const struct task_new t = {
            .title = json_string_value(json_object_get(p, "title")),
            .customer_id = x->r->customer_id,
            .enterprise_id = x->r->customer_id ? 0 : x->r->enterprise_id,
            .due_at = json_integer_value(json_object_get(p, "due_at")),
            .assignee_id = json_integer_value(json_object_get(p, "assignee_id")),
            .branch_id = x->r->branch_id,
            .branch_path = x->r->branch_path,
            .priority = json_string_value(json_object_get(p, "priority")),
            .source = "reminder",
            .source_ref = ref,
            .note = x->rule_name,
        };
        int64_t id = 0;
        int rc = task_add(db, &actor_system, &t, &id);
        if (!rc && id)
            json_object_set_new(p, "task_id", json_integer(id));
        return rc;
    }
    if (strcmp(type, "notify") == 0) {
        json_t *chans = json_object_get(p, "channels");
        const char *list[8] = {NULL};
        size_t k, n = 0;
        json_t *c;
        json_array_foreach(chans, k, c)
        {
            if (n < 7)
                list[n++] = json_string_value(c);
        }
        return notify_user(db, json_integer_value(json_object_get(p, "assignee_id")), "rule",
                           json_string_value(json_object_get(p, "title")),
                           json_string_value(json_object_get(p, "message")), link, ref, list);
    }
    if (strcmp(type, "set_field") == 0)
        return do_set_field(db, x, p);
    if (strcmp(type, "add_tag") == 0)
        return tags_attach(db, x->re->name, x->r->id,
                           json_integer_value(json_object_get(p, "tag_id")));
    if (strcmp(type, "remove_tag") == 0)
        return tags_detach(db, x->re->name, x->r->id,
                           json_integer_value(json_object_get(p, "tag_id")));
    if (strcmp(type, "request_approval") == 0)
        return do_request_approval(db, x, p);
    if (strcmp(type, "assign") == 0) {
        /* A finished ticket, or an assignee outside its branch line, is the
         * action's error on the run (refused before any write), not a retry. */
        json_t *errors = json_object();
        int rc = ticket_assign_in_tx(db, &actor_system, x->r->id,
                                     json_integer_value(json_object_get(p, "assignee_id")), errors);
        if (rc == OP_CONFLICT || rc == OP_INVALID || rc == OP_NOT_FOUND) {
            json_object_set_new(
                p, "error",
                json_string(rc == OP_INVALID ? "assignee_not_in_branch" : "not_assignable"));
            rc = 0;
        }
        json_decref(errors);
        return rc;
    }
    if (strcmp(type, "webhook") == 0) {
        /* Queued for the outbox's webhook channel; signing and delivery
         * are the integrations' (issue 20, webhooks). */
        json_t *body =
            json_pack("{s:s,s:I,s:I,s:s,s:s,s:I,s:I}", "event", x->ev ? x->ev->kind : "schedule",
                      "event_id", (json_int_t)(x->ev ? x->ev->id : 0), "rule_id",
                      (json_int_t)x->rule_id, "rule", x->rule_name, "entity", x->re->name,
                      "object_id", (json_int_t)x->r->id, "at", (json_int_t)clock_now());
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        int rc = outbox_enqueue(db, "webhook", json_string_value(json_object_get(p, "url")), "rule",
                                text, ref);
        free(text);
        return rc;
    }
    return 0;
}

/* Give the events published since mark (the actions') depth + 1: in the
 * write transaction no other writer adds events, so they are this run's. */
static int stamp_depth(struct db *db, int64_t mark, int depth, int64_t rule_id)
{
    struct db_stmt *st =
        db_query(db, "SELECT id, payload FROM domain_events WHERE id > ? ORDER BY id",
                 DB_ARGS(DB_INT(mark)));
    int rc = 0, n = 0;
    int64_t ids[64];
    char *texts[64];
    while (st && n < 64 && (rc = db_step(st)) == 1) {
        json_t *o = db_col_is_null(st, 1) ? NULL : json_loads(db_col_text(st, 1), 0, NULL);
        if (!json_is_object(o)) {
            json_decref(o);
            o = json_object();
        }
        json_object_set_new(o, "rule_depth", json_integer(depth + 1));
        json_object_set_new(o, "rule_id", json_integer(rule_id));
        ids[n] = db_col_int(st, 0);
        texts[n++] = json_dumps(o, JSON_COMPACT);
        json_decref(o);
    }
    db_finish(st);
    rc = st ? (rc < 0 ? rc : 0) : DB_ERROR;
    for (int i = 0; i < n; i++) {
        if (!rc)
            rc = db_exec(db, "UPDATE domain_events SET payload = ? WHERE id = ?",
                         DB_ARGS(DB_TEXT(texts[i]), DB_INT(ids[i])));
        free(texts[i]);
    }
    return rc;
}

/* Whether the trigger's parameters accept the event. */
static bool trigger_accepts(json_t *rule, const struct domain_event *ev)
{
    const char *trigger = json_string_value(json_object_get(rule, "trigger"));
    json_t *params = json_object_get(rule, "trigger_params");
    if (strcmp(trigger, "field_changed") == 0) {
        const char *want = json_string_value(json_object_get(params, "field"));
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(ev->payload, "fields"), i, f)
        {
            if (want && json_is_string(f) && strcmp(json_string_value(f), want) == 0)
                return true;
        }
        return false;
    }
    if (strcmp(trigger, "rated") == 0) {
        json_t *csat = json_object_get(ev->payload, "csat");
        return json_is_integer(csat) &&
               json_integer_value(csat) <= json_integer_value(json_object_get(params, "max_score"));
    }
    return true;
}

/* Plan every action of a rule that matched rec; *failed when one cannot
 * be resolved. 0 or negative DB_*. */
static int plan_actions(struct db *db, const struct rule_entity *re, json_t *rule,
                        const struct rec *r, json_t *out, bool *failed)
{
    json_t *planned = json_array();
    json_object_set_new(out, "actions", planned);
    *failed = false;
    size_t i;
    json_t *act;
    json_array_foreach(json_object_get(rule, "actions"), i, act)
    {
        json_t *p = json_object();
        json_array_append_new(planned, p);
        int rc = plan_action(db, re, r, act, p);
        if (rc < 0)
            return rc;
        if (rc == 0)
            *failed = true;
    }
    return 0;
}

/* Plan the rule on rec: {"matched","reason","actions"}; 0 or negative DB_*. */
static int plan(struct db *db, const struct rule_entity *re, json_t *rule, const struct rec *r,
                json_t *out, bool *failed)
{
    const char *reason = NULL;
    int rc = matches(db, re, rule, r, &reason);
    if (rc < 0)
        return rc;
    json_object_set_new(out, "matched", json_boolean(rc == 1));
    json_object_set_new(out, "reason", reason ? json_string(reason) : json_null());
    *failed = false;
    if (rc != 1) {
        json_object_set_new(out, "actions", json_array());
        return 0;
    }
    return plan_actions(db, re, rule, r, out, failed);
}

int rule_dry_run(struct db *db, const struct actor *a, json_t *rule, int64_t object_id,
                 json_t *payload, json_t **out, json_t *errors)
{
    (void)a;
    (void)errors;
    const struct rule_entity *re =
        rule_entity_find(json_string_value(json_object_get(rule, "entity")));
    if (!re)
        return OP_INVALID;
    struct rec r;
    int rc = load_rec(db, re, object_id, &r);
    if (rc)
        return rc;
    *out = json_object();
    bool failed = false;
    const struct domain_event ev = {.kind = "test", .payload = payload};
    if (payload && !trigger_accepts(rule, &ev)) {
        json_object_set_new(*out, "matched", json_false());
        json_object_set_new(*out, "reason", json_string("trigger_params"));
        json_object_set_new(*out, "actions", json_array());
    } else {
        rc = plan(db, re, rule, &r, *out, &failed);
    }
    json_object_set_new(*out, "variables", json_incref(r.vars));
    json_object_set_new(*out, "would_fail", json_boolean(failed));
    json_decref(r.vars);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Claim, do and log one rule whose trigger and condition matched the
 * event (skip_reason: it matched but must not act - too deep, or its
 * condition no longer compiles). Only such runs are written: a rule that
 * does not match leaves no row, so 100 rules cost one row per event that
 * concerns them, not 100. */
static int run_rule(struct db *db, const struct rule_entity *re, json_t *rule,
                    const struct domain_event *ev, const char *skip_reason, int64_t *done_at_ms)
{
    int64_t rule_id = json_integer_value(json_object_get(rule, "id"));
    char key[32];
    snprintf(key, sizeof(key), "e%lld", (long long)ev->id);
    int64_t now = clock_now(), run_id = 0;
    int rc = db_query_int(db,
                          "INSERT INTO rule_runs (rule_id, run_key, event_id, event_kind, "
                          "rule_version, entity, object_id, outcome, at) VALUES (?, ?, ?, ?, ?, ?, "
                          "?, 'skipped', ?) ON CONFLICT DO NOTHING RETURNING id",
                          DB_ARGS(DB_INT(rule_id), DB_TEXT(key), DB_INT(ev->id), DB_TEXT(ev->kind),
                                  DB_INT(json_integer_value(json_object_get(rule, "version"))),
                                  DB_TEXT(re->name), DB_INT(ev->object_id), DB_INT(now)),
                          &run_id);
    if (rc < 0 || !run_id)
        return rc < 0 ? rc : 0; /* run before (a retry, another server) */
    rc = 0;
    const char *outcome = "skipped", *reason = skip_reason, *error = NULL;
    json_t *result = json_object();
    struct rec r = {0};
    if (!reason) {
        rc = load_rec(db, re, ev->object_id, &r);
        if (rc == OP_NOT_FOUND) {
            reason = "record_gone";
            rc = 0;
        } else if (!rc) {
            bool failed = false;
            rc = plan_actions(db, re, rule, &r, result, &failed);
            if (!rc && failed) {
                outcome = "failed";
                error = "action_unresolved";
            } else if (!rc) {
                outcome = "done";
                int64_t mark = 0;
                rc = db_query_int(db, "SELECT COALESCE(MAX(id), 0) FROM domain_events", DB_NOARGS,
                                  &mark);
                rc = rc < 0 ? rc : 0;
                const struct run x = {
                    re, &r, ev, rule_id, json_string_value(json_object_get(rule, "name")), key};
                size_t i;
                json_t *p;
                json_array_foreach(json_object_get(result, "actions"), i, p)
                {
                    if (!rc)
                        rc = do_action(db, &x, i, p);
                }
                if (!rc)
                    rc = stamp_depth(db, mark,
                                     json_integer_value(json_object_get(ev->payload, "rule_depth")),
                                     rule_id);
                if (!rc && done_at_ms)
                    *done_at_ms = wall_ms();
            }
        }
    }
    char *acts = NULL;
    if (!rc) {
        json_t *a = json_object_get(result, "actions");
        acts = a ? json_dumps(a, JSON_COMPACT) : NULL;
        rc = db_exec(db,
                     "UPDATE rule_runs SET outcome = ?, reason = ?, error = ?, actions = ? WHERE "
                     "id = ?",
                     DB_ARGS(DB_TEXT(outcome), DB_TEXT(reason), DB_TEXT(error),
                             DB_TEXT(acts ? acts : "[]"), DB_INT(run_id)));
    }
    if (!rc && strcmp(outcome, "done") == 0)
        rc = db_exec(db,
                     "UPDATE rules SET runs_count = runs_count + 1, last_run_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(now), DB_INT(rule_id)));
    /* What a rule did (or failed to do) is on a ticket's timeline and in
     * the audit log; a built-in rule's run (no action of its own: its
     * feature acted and audited) only counts. */
    bool acted =
        strcmp(outcome, "failed") == 0 ||
        (strcmp(outcome, "done") == 0 && json_array_size(json_object_get(result, "actions")));
    if (!rc && strcmp(re->name, "ticket") == 0 && acted)
        rc = ticket_entry(db, &actor_system, ev->object_id, "rule",
                          json_string_value(json_object_get(rule, "name")),
                          json_pack("{s:I,s:s,s:s?}", "rule_id", (json_int_t)rule_id, "outcome",
                                    outcome, "error", error));
    if (!rc && acted)
        rc = actor_audit(db, &actor_system, "rule.run", "rule", rule_id,
                         json_pack("{s:I,s:s,s:I,s:s,s:s?}", "event_id", (json_int_t)ev->id,
                                   "entity", re->name, "object_id", (json_int_t)ev->object_id,
                                   "outcome", outcome, "error", error));
    free(acts);
    json_decref(result);
    json_decref(r.vars);
    return rc;
}

/* ---- the enabled rules, compiled once ----------------------------------------
 *
 * An event meets only the rules of its entity and trigger, and all their
 * conditions are evaluated by one statement on the record ("SELECT
 * <branch path>, <customer>, <enterprise>, CASE WHEN (<condition 1>) ...
 * FROM <table> WHERE id = ?"), compiled when the group is first needed.
 * rule_generation.gen is bumped in the transaction of every rule change
 * (rule.c); each event reads it (one row by key), so a change made on this
 * or another server is seen by the next event. Only the scheduler thread
 * runs the consumer; the lock keeps a test-run or a second consumer path
 * safe all the same. */

struct crule {
    json_t *rule; /* rule_json; the compiled SQL borrows its strings */
    const char *scope;
    bool related, invalid;
};

struct cgroup {
    const struct rule_entity *re;
    const char *trigger; /* the event's: created, updated, rated ... */
    struct crule *rules;
    size_t n;
    struct sqlbuf sql; /* the conditions' statement, the record id bound last */
};

#define MAX_GROUPS 48

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cgroup groups[MAX_GROUPS];
static size_t ngroups;
static int64_t cached_gen = -1;

static void cache_clear(void)
{
    for (size_t g = 0; g < ngroups; g++) {
        for (size_t i = 0; i < groups[g].n; i++)
            json_decref(groups[g].rules[i].rule);
        free(groups[g].rules);
        sqlbuf_release(&groups[g].sql);
    }
    ngroups = 0;
}

/* Load and compile the enabled rules of (re, trigger) into g. */
static int group_load(struct db *db, struct cgroup *g)
{
    struct db_stmt *st =
        db_query(db,
                 "SELECT id FROM rules WHERE entity = ? AND enabled = 1 AND "
                 "(trigger_kind = ? OR (? = 'updated' AND trigger_kind = "
                 "'field_changed')) ORDER BY id",
                 DB_ARGS(DB_TEXT(g->re->name), DB_TEXT(g->trigger), DB_TEXT(g->trigger)));
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    while (st && (rc = db_step(st)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ids = xrealloc(ids, cap * sizeof(*ids));
        }
        ids[n++] = db_col_int(st, 0);
    }
    db_finish(st);
    rc = !st ? DB_ERROR : rc < 0 ? rc : 0;
    g->rules = xcalloc(n ? n : 1, sizeof(*g->rules));
    sqlbuf_init(&g->sql);
    const struct rule_entity *re = g->re;
    sqlbuf_addf(&g->sql, "SELECT %s, %s, %s", re->branch_path_expr,
                re->customer_expr ? re->customer_expr : "NULL",
                re->enterprise_expr ? re->enterprise_expr : "NULL");
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *rule = rule_json(db, ids[i], &rc);
        if (!rule)
            break; /* deleted since the SELECT: rc 0, or an error */
        struct crule *c = &g->rules[g->n++];
        c->rule = rule;
        c->scope = json_string_value(json_object_get(rule, "branch_path"));
        c->related = json_array_size(json_object_get(rule, "related")) > 0;
        json_t *tree = json_object_get(rule, "condition");
        const struct entity *e = rule_entity_filter(re);
        struct sqlbuf cond;
        struct filter_error err = {0};
        sqlbuf_init(&cond);
        if (!tree || json_is_null(tree)) {
            sqlbuf_add(&g->sql, ", 1");
        } else if (e && filter_compile_for(db, e, tree, &cond, &err, 0) == 0) {
            sqlbuf_add(&g->sql, ", CASE WHEN (");
            sqlbuf_append(&g->sql, &cond);
            sqlbuf_add(&g->sql, ") THEN 1 ELSE 0 END");
        } else {
            c->invalid = true; /* a custom field removed since: logged per event */
            sqlbuf_add(&g->sql, ", 0");
        }
        sqlbuf_release(&cond);
    }
    sqlbuf_addf(&g->sql, " FROM %s %s WHERE %s.id = ?", re->table, re->alias, re->alias);
    free(ids);
    return rc;
}

/* The group of (re, trigger), loaded when first asked for; NULL on error. */
static struct cgroup *group_get(struct db *db, const struct rule_entity *re, const char *trigger,
                                int *rc)
{
    int64_t gen = 0;
    *rc = db_query_int(db, "SELECT gen FROM rule_generation WHERE id = 1", DB_NOARGS, &gen);
    if (*rc < 0)
        return NULL;
    if (gen != cached_gen) {
        cache_clear();
        cached_gen = gen;
    }
    for (size_t g = 0; g < ngroups; g++)
        if (groups[g].re == re && strcmp(groups[g].trigger, trigger) == 0)
            return &groups[g];
    if (ngroups == MAX_GROUPS)
        cache_clear();
    struct cgroup *g = &groups[ngroups];
    memset(g, 0, sizeof(*g));
    g->re = re;
    g->trigger = trigger; /* a static string of the trigger table */
    *rc = group_load(db, g);
    ngroups++;
    if (*rc) {
        cache_clear();
        cached_gen = -1;
        return NULL;
    }
    return g;
}

/* ---- the rule stage's figures (bench/rules.sh reads the log line) ------------ */

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* clock_now() is the (test-settable) clock events are stamped with. */
    return clock_now() * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Fixed buckets: the stage in 10 µs steps up to 20 ms, the delay in 10 ms
 * steps up to 120 s; the last bucket holds everything above. */
#define STAGE_BUCKETS 2000
#define DELAY_BUCKETS 12000
static struct {
    int64_t since_us, events, runs;
    uint32_t stage[STAGE_BUCKETS + 1], delay[DELAY_BUCKETS + 1];
} stats;

static int64_t percentile(const uint32_t *b, size_t nb, int64_t total, double q, int64_t step)
{
    int64_t want = (int64_t)(total * q + 0.999999), seen = 0;
    for (size_t i = 0; i <= nb; i++) {
        seen += b[i];
        if (seen >= want && want > 0)
            return (int64_t)(i + 1) * step;
    }
    return 0;
}

/* One line every 10 s while events come: p50 / p99 / max-bucket of the
 * rule stage per event and of the event-to-action delay (an upper bound:
 * events are stamped in whole seconds). */
static void stats_note(int64_t stage_us, int64_t delay_ms)
{
    int64_t now = mono_us();
    if (!stats.since_us)
        stats.since_us = now;
    stats.events++;
    stats.stage[stage_us / 10 < STAGE_BUCKETS ? stage_us / 10 : STAGE_BUCKETS]++;
    if (delay_ms >= 0) {
        stats.runs++;
        stats.delay[delay_ms / 10 < DELAY_BUCKETS ? delay_ms / 10 : DELAY_BUCKETS]++;
    }
    if (now - stats.since_us < 10000000)
        return;
    log_info("rules: %lld events, stage p50 %lld us p99 %lld us; %lld runs done, event-to-action "
             "delay p50 %lld ms p99 %lld ms",
             (long long)stats.events,
             (long long)percentile(stats.stage, STAGE_BUCKETS, stats.events, 0.5, 10),
             (long long)percentile(stats.stage, STAGE_BUCKETS, stats.events, 0.99, 10),
             (long long)stats.runs,
             (long long)percentile(stats.delay, DELAY_BUCKETS, stats.runs, 0.5, 10),
             (long long)percentile(stats.delay, DELAY_BUCKETS, stats.runs, 0.99, 10));
    memset(&stats, 0, sizeof(stats));
}

/* ---- the consumer --------------------------------------------------------------- */

static int handle(struct db *db, const struct domain_event *ev, int64_t *done_at_ms)
{
    const char *entity, *trigger;
    if (!rule_trigger_of(ev->kind, &entity, &trigger))
        return 0;
    const struct rule_entity *re = rule_entity_find(entity);
    if (!re)
        return 0;
    int rc;
    struct cgroup *g = group_get(db, re, trigger, &rc);
    if (!g || !g->n)
        return rc;
    bool any = false;
    bool *take = xcalloc(g->n, sizeof(*take));
    for (size_t i = 0; i < g->n; i++)
        any |= take[i] = trigger_accepts(g->rules[i].rule, ev);
    struct db_stmt *st = NULL;
    rc = 0;
    if (any) {
        /* The record id is the last argument; the conditions' come first. */
        struct db_val *args = xcalloc((size_t)g->sql.nargs + 1, sizeof(*args));
        if (g->sql.nargs)
            memcpy(args, g->sql.args, (size_t)g->sql.nargs * sizeof(*args));
        args[g->sql.nargs] = DB_INT(ev->object_id);
        rc = db_query_row(db, &st, g->sql.sql, args, g->sql.nargs + 1);
        free(args);
    }
    /* rc 0: the record is gone - nothing matches it any more. */
    if (rc == 1) {
        char path[256];
        snprintf(path, sizeof(path), "%s", db_col_is_null(st, 0) ? "" : db_col_text(st, 0));
        int64_t cust = db_col_int(st, 1), ent = db_col_int(st, 2);
        bool *hit = xcalloc(g->n, sizeof(*hit));
        for (size_t i = 0; i < g->n; i++) {
            const struct crule *c = &g->rules[i];
            hit[i] = take[i] && (c->invalid || db_col_int(st, 3 + (int)i) == 1) &&
                     (!c->scope || !*c->scope || strncmp(path, c->scope, strlen(c->scope)) == 0);
        }
        db_finish(st);
        st = NULL;
        json_t *d = json_object_get(ev->payload, "rule_depth");
        int depth = json_is_integer(d) ? (int)json_integer_value(d) : 0;
        rc = 0;
        for (size_t i = 0; i < g->n && !rc; i++) {
            const struct crule *c = &g->rules[i];
            if (!hit[i])
                continue;
            int ok = c->related && !c->invalid ? related_hold(db, c->rule, cust, ent) : 1;
            if (ok == 1 || ok == -1)
                rc = run_rule(db, re, c->rule, ev,
                              c->invalid || ok == -1   ? "condition_invalid"
                              : depth > RULE_MAX_DEPTH ? "skipped_depth"
                                                       : NULL,
                              done_at_ms);
            else
                rc = ok;
        }
        free(hit);
    }
    db_finish(st);
    free(take);
    return rc < 0 ? rc : 0;
}

int rule_handle_event(struct db *db, const struct domain_event *ev)
{
    pthread_mutex_lock(&cache_lock);
    int64_t t0 = mono_us(), done_at = -1;
    int rc = handle(db, ev, &done_at);
    if (!rc)
        stats_note(mono_us() - t0, done_at < 0 ? -1 : done_at - ev->at * 1000);
    pthread_mutex_unlock(&cache_lock);
    if (rc)
        log_warn("rules: event %lld (%s) failed (%d); it comes again", (long long)ev->id, ev->kind,
                 rc);
    return rc;
}
