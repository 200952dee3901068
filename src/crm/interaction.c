/*
 * interaction.c - business records (see interaction.h): recording one,
 * the profile figures they keep, the filters of their lists. The HTTP
 * endpoints are in interaction_api.c.
 */
#include "crm/interaction.h"
#include "crm/interaction_int.h"

#include "auth/actor.h"
#include "record/dictionaries.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/events.h"
#include "core/op.h"
#include "crm/customer.h"
#include "record/entity.h"
#include "record/fields.h"
#include "record/scope.h"
#include "crm/task.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int interaction_refresh_figures(struct db *db, int64_t customer_id)
{
    int64_t now = clock_now();
    int rc = db_exec(
        db,
        "UPDATE customers SET "
        "last_visit_at = (SELECT MAX(occurred_at) FROM interactions WHERE customer_id = ? AND "
        "deleted_at IS NULL), "
        "visits_90d = (SELECT COUNT(*) FROM interactions WHERE customer_id = ? AND deleted_at IS "
        "NULL AND occurred_at >= ?), "
        /* a refund (negative) counts in the window of the business it pays
           back, so a refund this month of last year's business leaves this
           year's figure alone, and the figure never goes below zero */
        "spend_12m_fen = (SELECT COALESCE(SUM(i.amount_fen), 0) FROM interactions i LEFT JOIN "
        "interactions o ON o.id = i.refund_of WHERE i.customer_id = ? AND i.deleted_at IS NULL "
        "AND COALESCE(o.occurred_at, i.occurred_at) >= ?) WHERE id = ?",
        DB_ARGS(DB_INT(customer_id), DB_INT(customer_id), DB_INT(now - 90 * 86400),
                DB_INT(customer_id), DB_INT(now - 365 * 86400), DB_INT(customer_id)));
    if (rc)
        return rc;
    /* The three most used business types of the last year (refunds are no use). */
    struct db_stmt *st = db_query(db,
                                  "SELECT type FROM interactions WHERE customer_id = ? AND "
                                  "deleted_at IS NULL AND kind = 'business' AND "
                                  "occurred_at >= ? GROUP BY type "
                                  "ORDER BY COUNT(*) DESC, MAX(occurred_at) DESC LIMIT 3",
                                  DB_ARGS(DB_INT(customer_id), DB_INT(now - 365 * 86400)));
    if (!st)
        return DB_ERROR;
    json_t *top = json_array();
    while (db_step(st) == 1)
        json_array_append_new(top, json_string(db_col_text(st, 0)));
    db_finish(st);
    char *text = json_dumps(top, JSON_COMPACT);
    json_decref(top);
    rc = db_exec(db, "UPDATE customers SET top_types = ? WHERE id = ?",
                 DB_ARGS(DB_TEXT(text), DB_INT(customer_id)));
    free(text);
    return rc;
}

int interaction_refresh_all(struct db *db)
{
    int64_t cutoff = clock_now() - 366 * 86400;
    struct db_stmt *st =
        db_query(db, "SELECT id FROM customers WHERE last_visit_at >= ?", DB_ARGS(DB_INT(cutoff)));
    if (!st)
        return DB_ERROR;
    size_t n = 0, cap = 1024;
    int64_t *ids = xmalloc(cap * sizeof(*ids));
    while (db_step(st) == 1) {
        if (n == cap)
            ids = xrealloc(ids, (cap *= 2) * sizeof(*ids));
        ids[n++] = db_col_int(st, 0);
    }
    db_finish(st);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i += 500) {
        rc = db_begin(db);
        for (size_t k = i; k < n && k < i + 500 && !rc; k++)
            rc = interaction_refresh_figures(db, ids[k]);
        if (!rc)
            rc = db_commit(db);
        else
            db_rollback(db);
    }
    free(ids);
    return rc;
}

/* "28.5" → 2850 fen; the money rule of custom fields decides what is valid. */
static bool parse_amount(json_t *v, int64_t *fen, const char **err)
{
    json_t *norm = fields_check_value(FT_MONEY, NULL, v, err);
    if (!norm)
        return false;
    const char *s = json_string_value(norm);
    bool neg = s[0] == '-';
    long long yuan = strtoll(neg ? s + 1 : s, NULL, 10);
    const char *dot = strchr(s, '.');
    long long cents = dot ? strtoll(dot + 1, NULL, 10) : 0;
    *fen = (yuan * 100 + cents) * (neg ? -1 : 1);
    json_decref(norm);
    return true;
}

/* "follow_up": {"title", "due_at" (ISO time, or a date: nine that morning)}. */
static void read_follow_up(struct form *f, struct interaction_form *v)
{
    json_t *fu = json_object_get(f->in, "follow_up");
    if (!fu || json_is_null(fu))
        return;
    v->fu_title = json_string_value(json_object_get(fu, "title"));
    const char *due = json_string_value(json_object_get(fu, "due_at"));
    if (!json_is_object(fu) || !v->fu_title || !*v->fu_title || utf8_len(v->fu_title) > 100)
        form_fail(f, "follow_up.title", "field.required");
    if (!due || (clock_parse_iso(due, &v->fu_due) && clock_parse_date(due, &v->fu_due)))
        form_fail(f, "follow_up.due_at", "field.invalid");
    else if (strlen(due) == 10)
        v->fu_due += 9 * 3600; /* a date alone: nine in the morning */
}

/* Money only flows one way per kind: a business record's amount is not
 * negative (money given back is a refund); a refund names the record it
 * pays back ("refund_of") and the sum given back, positive, which it
 * keeps as a negative amount so that sums net it. */
static void read_refund(struct form *f, struct interaction_form *v)
{
    int got = form_int(f, "refund_of", v->refund, &v->refund_of);
    if (!v->refund) {
        if (got)
            form_fail(f, "refund_of", "interaction.refund_of_business");
        if (v->has_amount && v->fen < 0)
            form_fail(f, "amount", "interaction.amount_negative");
        return;
    }
    if (got == 1 && v->refund_of <= 0)
        form_fail(f, "refund_of", "interaction.refund_of_unknown");
    if (!v->has_amount)
        form_fail(f, "amount", "interaction.refund_amount");
    else if (v->fen <= 0)
        form_fail(f, "amount", "interaction.refund_positive");
    v->fen = -v->fen;
}

static void read_form(struct db *db, struct form *f, const char *dict, struct interaction_form *v)
{
    memset(v, 0, sizeof(*v));
    const char *kind = form_str(f, "kind", false, 16);
    if (kind && strcmp(kind, "business") != 0 && strcmp(kind, "refund") != 0)
        form_fail(f, "kind", "field.unknown_option");
    v->refund = kind && strcmp(kind, "refund") == 0;
    /* a refund takes the type of the record it pays back */
    const char *type = form_str(f, "type", !v->refund, 32);
    snprintf(v->type, sizeof(v->type), "%s", type ? type : "");
    const char *occurred = form_str(f, "occurred_at", false, 40);
    v->desc = form_str(f, "description", false, 500);
    const char *tracking = form_str(f, "tracking_no", false, 40);
    v->dest = form_str(f, "destination", false, 100);
    v->channel = form_str(f, "channel", false, 16);
    v->at = clock_now();
    if (type && !dictionaries_has(db, dict, type))
        form_fail(f, "type", "field.unknown_option");
    if (occurred && clock_parse_iso(occurred, &v->at))
        form_fail(f, "occurred_at", "field.invalid");
    if (v->channel && !dictionaries_has(db, "channel", v->channel))
        form_fail(f, "channel", "field.unknown_option");
    if (tracking) {
        enum validate_tracking_kind tk;
        int rc = validate_tracking_no(tracking, v->tracking, &tk);
        if (rc)
            form_fail(f, "tracking_no", validate_error_key(rc));
    }
    json_t *amount = json_object_get(f->in, "amount");
    if (amount && !json_is_null(amount) &&
        !(json_is_string(amount) && json_string_length(amount) == 0)) {
        const char *err = NULL;
        if (parse_amount(amount, &v->fen, &err))
            v->has_amount = true;
        else
            form_fail(f, "amount", err);
    }
    read_refund(f, v);
    read_follow_up(f, v);
}

/* The record's row, and its follow-up task, in the caller's transaction:
 * about customer cid, or (cid 0) about s's enterprise. */
static int write_record(struct db *db, const struct actor *a, int64_t cid,
                        const struct crm_subject *s, const char *path,
                        const struct interaction_form *v, int64_t *id, int64_t *task_id)
{
    int64_t now = clock_now(), ent = s ? s->enterprise_id : 0;
    /* a customer's record was done at the counter unless it says; a visit
       or a call on an enterprise has its type and no channel */
    const char *channel = v->channel ? v->channel : s ? NULL : "counter";
    int rc = db_query_int(
        db,
        "INSERT INTO interactions (customer_id, enterprise_id, type, kind, refund_of, "
        "occurred_at, description, tracking_no, destination, amount_fen, channel, handled_by, "
        "branch_id, branch_path, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        DB_ARGS(DB_INT_OR_NULL(cid, cid), DB_INT_OR_NULL(ent, ent), DB_TEXT(v->type),
                DB_TEXT(v->refund ? "refund" : "business"), DB_INT_OR_NULL(v->refund, v->refund_of),
                DB_INT(v->at), DB_TEXT(v->desc ? v->desc : ""),
                DB_TEXT(v->tracking[0] ? v->tracking : NULL), DB_TEXT(v->dest),
                DB_INT_OR_NULL(v->has_amount, v->fen), DB_TEXT(channel),
                DB_INT_OR_NULL(a->id, a->id), DB_INT_OR_NULL(a->branch_id, a->branch_id),
                DB_TEXT(path), DB_INT(now), DB_INT(now)),
        id);
    rc = rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
    if (!rc && v->fu_title) {
        /* A follow-up becomes a task for the clerk, in the same transaction. */
        struct task_new t = {.title = v->fu_title,
                             .customer_id = cid,
                             .enterprise_id = ent,
                             .due_at = v->fu_due,
                             .assignee_id = a->id,
                             .branch_id = a->branch_id,
                             .branch_path = path,
                             .source = "follow_up",
                             .interaction_id = *id,
                             .created_by = a->id};
        rc = task_add(db, a, &t, task_id);
        if (!rc)
            rc = db_exec(db, "UPDATE interactions SET task_id = ? WHERE id = ?",
                         DB_ARGS(DB_INT(*task_id), DB_INT(*id)));
    }
    if (!rc && cid)
        rc = interaction_refresh_figures(db, cid);
    if (!rc && s && s->also)
        rc = s->also(db, *id, s->ctx);
    if (!rc)
        rc = events_publish(db, "interaction.created", "interaction", *id, a->id,
                            json_pack("{s:I}", cid ? "customer_id" : "enterprise_id",
                                      (json_int_t)(cid ? cid : ent)));
    return rc ? rc : actor_audit(db, a, "interaction.create", "interaction", *id, NULL);
}

/* Read, check and write a record about customer cid or s (see
 * interaction.h), path the branch that scopes it. */
static int insert(struct db *db, const struct actor *a, int64_t cid, const struct crm_subject *s,
                  const char *path, json_t *in, int64_t *id, int64_t *task_id, json_t *errors)
{
    struct form f;
    struct interaction_form v;
    form_init_json(&f, in, a->lang, errors);
    read_form(db, &f, s ? s->type_dict : "business_type", &v);
    if (!form_ok(&f))
        return OP_INVALID;
    int rc = interaction_tracking_check(db, a, in, &v, errors);
    if (rc)
        return rc;
    if ((rc = db_begin(db)))
        return rc;
    if (v.refund)
        rc = interaction_refund_check(db, a, cid, &v, errors);
    return op_end(db, rc ? rc : write_record(db, a, cid, s, path, &v, id, task_id));
}

int interaction_insert(struct db *db, const struct actor *a, int64_t customer_id, json_t *in,
                       int64_t *id, int64_t *task_id, json_t *errors)
{
    *id = *task_id = 0;
    json_t *cust = customer_id > 0 ? customer_load(db, a, customer_id, false) : NULL;
    if (!cust)
        return OP_NOT_FOUND;
    char path[256];
    snprintf(path, sizeof(path), "%s",
             json_string_value(json_object_get(cust, "branch_path"))
                 ? json_string_value(json_object_get(cust, "branch_path"))
                 : "");
    json_decref(cust);
    return insert(db, a, customer_id, NULL, path, in, id, task_id, errors);
}

int interaction_insert_about(struct db *db, const struct actor *a, const struct crm_subject *s,
                             json_t *in, int64_t *id, int64_t *task_id, json_t *errors)
{
    *id = *task_id = 0;
    return insert(db, a, 0, s, s->branch_path, in, id, task_id, errors);
}

/* A filter value given as a query string or as JSON: a positive id. */
static bool query_id(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return *out > 0;
    }
    const char *s = json_string_value(v);
    char *end;
    if (!s || !*s)
        return false;
    *out = strtoll(s, &end, 10);
    return !*end && *out > 0;
}

int interaction_query_parse(struct db *db, json_t *o, struct interaction_query *q, const char **bad)
{
    memset(q, 0, sizeof(*q));
    *bad = NULL;
    json_t *v;
    const char *s;
    if ((v = json_object_get(o, "type")) && !json_is_null(v) &&
        !((s = json_string_value(v)) && !*s)) {
        q->type = json_string_value(v);
        if (!q->type || !dictionaries_has(db, "business_type", q->type))
            *bad = *bad ? *bad : "type";
    }
    static const char *const dates[] = {"from", "to"};
    for (int i = 0; i < 2; i++) {
        v = json_object_get(o, dates[i]);
        if (!v || json_is_null(v) || ((s = json_string_value(v)) && !*s))
            continue;
        int64_t t;
        if (!json_is_string(v) || strlen(s) != 10 || clock_parse_date(s, &t)) {
            *bad = *bad ? *bad : dates[i];
            continue;
        }
        if (i == 0)
            q->from = t, q->has_from = true;
        else
            q->to = t + 86400, q->has_to = true; /* the whole last day */
    }
    static const char *const ids[] = {"handled_by", "branch_id", "customer_id"};
    int64_t *outs[] = {&q->handled_by, &q->branch_id, &q->customer_id};
    for (int i = 0; i < 3; i++) {
        v = json_object_get(o, ids[i]);
        if (!v || json_is_null(v) || ((s = json_string_value(v)) && !*s))
            continue;
        if (!query_id(v, outs[i]))
            *bad = *bad ? *bad : ids[i];
    }
    return *bad ? -1 : 0;
}

/* " AND <cond>" with its one value, when `on`. */
static void and_int(struct sqlbuf *w, bool on, const char *cond, int64_t v)
{
    if (!on)
        return;
    sqlbuf_add(w, cond);
    sqlbuf_bind(w, DB_INT(v));
}

void interaction_where(const struct actor *u, const struct interaction_query *q, struct sqlbuf *w)
{
    scope_sql(u, "i.branch_path", w);
    sqlbuf_add(w, " AND i.deleted_at IS NULL AND c.deleted_at IS NULL");
    and_int(w, q->customer_id, " AND i.customer_id = ?", q->customer_id);
    if (q->type) {
        sqlbuf_add(w, " AND i.type = ?");
        sqlbuf_bind_text_copy(w, q->type);
    }
    and_int(w, q->has_from, " AND i.occurred_at >= ?", q->from);
    and_int(w, q->has_to, " AND i.occurred_at < ?", q->to);
    and_int(w, q->handled_by, " AND i.handled_by = ?", q->handled_by);
    /* The branch and everything below it. */
    and_int(w, q->branch_id,
            " AND i.branch_path LIKE (SELECT path FROM branches WHERE id = ?) || '%'",
            q->branch_id);
}

const char *interaction_query_error(const char *bad)
{
    if (strcmp(bad, "type") == 0)
        return "field.unknown_option";
    if (strcmp(bad, "from") == 0 || strcmp(bad, "to") == 0)
        return "field.date";
    return "field.invalid";
}
