/*
 * statement_status.c - a statement's life: draft → sent → confirmed or
 * disputed → paid. Only the latest version of a period moves (an older one
 * is history); a dispute opens a service ticket (type 投诉, complaint)
 * linked to the statement with the contact's reason; payments add up and
 * the statement is paid when they reach its total.
 */
#include "billing/billing.h"
#include "billing/statement_state.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/i18n.h"
#include "base/utf8.h"
#include "core/events.h"
#include "core/op.h"
#include "db/db.h"
#include "service/ticket.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void statement_fail(json_t *errors, const char *lang, const char *key, const char *msg_key)
{
    if (!json_object_get(errors, key))
        json_object_set_new(errors, key, json_string(i18n_msg(lang, msg_key)));
}

/* Statement id as a sees it (statement_visible in statement_api.c did the
 * scope; here the state): 0, OP_NOT_FOUND, DB_*. */
int statement_load(struct db *db, const struct actor *a, int64_t id, struct stmt *s)
{
    if (statement_visible(db, a, id) != 1)
        return OP_NOT_FOUND;
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT s.enterprise_id, s.total_fen, s.paid_fen, s.status, s.period, "
                          "s.version = (SELECT MAX(v.version) FROM statements v WHERE "
                          "v.enterprise_id = s.enterprise_id AND v.dept_key = s.dept_key AND "
                          "v.period = s.period) FROM statements s WHERE s.id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc ? rc : OP_NOT_FOUND;
    s->id = id;
    s->ent = db_col_int(st, 0);
    s->total = db_col_int(st, 1);
    s->paid = db_col_int(st, 2);
    snprintf(s->status, sizeof(s->status), "%s", db_col_text(st, 3));
    snprintf(s->period, sizeof(s->period), "%s", db_col_text(st, 4));
    s->latest = db_col_int(st, 5) != 0;
    db_finish(st);
    return 0;
}

static bool in(const char *status, const char *const *allowed)
{
    for (int i = 0; allowed[i]; i++)
        if (strcmp(status, allowed[i]) == 0)
            return true;
    return false;
}

/* The statement may move from its status to one of allowed: 0, or
 * OP_CONFLICT with errors["message_key"] and errors["status"] saying why. */
int statement_may_move(const struct stmt *s, const char *const *allowed, const char *lang,
                       json_t *errors)
{
    const char *key = !s->latest                ? "statement.superseded"
                      : !in(s->status, allowed) ? "statement.bad_transition"
                                                : NULL;
    if (!key)
        return 0;
    json_object_set_new(errors, "message_key", json_string(key));
    statement_fail(errors, lang, "status", key);
    return OP_CONFLICT;
}

int statement_moved(struct db *db, const struct actor *a, const struct stmt *s, const char *to,
                    json_t *detail)
{
    int rc =
        db_exec(db, "UPDATE statements SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                DB_ARGS(DB_TEXT(to), DB_INT(clock_now()), DB_INT(s->id), DB_TEXT(s->status)));
    if (!rc && db_changes(db) == 0)
        rc = OP_STALE; /* moved meanwhile by someone else */
    if (!detail)
        detail = json_object();
    json_object_set_new(detail, "statement_id", json_integer(s->id));
    json_object_set_new(detail, "from", json_string(s->status));
    json_object_set_new(detail, "to", json_string(to));
    if (!rc)
        rc = actor_audit(db, a, "statement.status", "enterprise", s->ent, json_incref(detail));
    if (!rc)
        rc = events_publish(db, "statement.status_changed", "enterprise", s->ent, a->id,
                            json_incref(detail));
    json_decref(detail);
    return rc;
}

int statement_move(struct db *db, const struct actor *a, int64_t id, const char *to, json_t *errors)
{
    static const char *const from_draft[] = {"draft", NULL};
    static const char *const from_sent[] = {"sent", "disputed", NULL};
    struct stmt s;
    int rc = statement_load(db, a, id, &s);
    if (rc)
        return rc;
    rc = statement_may_move(&s, strcmp(to, "sent") == 0 ? from_draft : from_sent, a->lang, errors);
    if (rc || (rc = db_begin(db)))
        return rc;
    return op_end(db, statement_moved(db, a, &s, to, NULL));
}

int statement_dispute(struct db *db, const struct actor *a, int64_t id, json_t *in_json,
                      int64_t *ticket_id, json_t *errors)
{
    static const char *const from[] = {"sent", "confirmed", NULL};
    struct stmt s;
    int rc = statement_load(db, a, id, &s);
    if (rc || (rc = statement_may_move(&s, from, a->lang, errors)))
        return rc;
    const char *reason = json_string_value(json_object_get(in_json, "reason"));
    json_t *cj = json_object_get(in_json, "contact_id");
    if (!reason || !*reason || utf8_chars(reason, strlen(reason)) > 2000)
        statement_fail(errors, a->lang, "reason", "statement.reason");
    if (cj && !json_is_null(cj) && !json_is_integer(cj))
        statement_fail(errors, a->lang, "contact_id", "field.not_object");
    if ((rc = op_checked(0, errors)))
        return rc;
    /* The ticket, the link and the status in one transaction: a dispute
     * that fails leaves no ticket behind, one that stands always has it. */
    char subject[160];
    snprintf(subject, sizeof(subject), "对账单争议 %s #%" PRId64, s.period, s.id);
    struct ticket_new t = {.channel = "phone",
                           .type = "complaint",
                           .subject = subject,
                           .description = reason,
                           .enterprise_id = s.ent,
                           .contact_id = json_integer_value(cj)};
    if ((rc = db_begin(db)))
        return rc;
    rc = ticket_create_in(db, a, &t, ticket_id, errors);
    if (!rc)
        rc = db_exec(db, "UPDATE statements SET ticket_id = ? WHERE id = ?",
                     DB_ARGS(DB_INT(*ticket_id), DB_INT(s.id)));
    if (!rc)
        rc = statement_moved(
            db, a, &s, "disputed",
            json_pack("{s:I,s:s}", "ticket_id", (json_int_t)*ticket_id, "reason", reason));
    return op_end(db, rc);
}

int statement_pay(struct db *db, const struct actor *a, int64_t id, json_t *in_json, json_t *errors)
{
    static const char *const from[] = {"sent", "confirmed", "disputed", NULL};
    static const char *const methods[] = {"transfer", "cash", "cheque", "other", NULL};
    struct stmt s;
    int rc = statement_load(db, a, id, &s);
    /* the status first: a paid statement takes nothing, whatever the input */
    if (rc || (rc = statement_may_move(&s, from, a->lang, errors)))
        return rc;
    int64_t fen = 0;
    int got = pricing_json_decimal(in_json, "amount", 2, 100000000000LL, &fen, errors, a->lang);
    if (got == 0 || (got == 1 && fen <= 0))
        statement_fail(errors, a->lang, "amount", "statement.amount");
    else if (got == 1 && fen > s.total - s.paid)
        statement_fail(errors, a->lang, "amount", "statement.overpaid");
    const char *on = json_string_value(json_object_get(in_json, "paid_on"));
    struct date d;
    if (!on || date_parse(on, strlen(on), &d) != 0)
        statement_fail(errors, a->lang, "paid_on", "statement.paid_on");
    else if (date_start_time(d) > clock_now())
        statement_fail(errors, a->lang, "paid_on", "statement.paid_on_future");
    const char *method = json_string_value(json_object_get(in_json, "method"));
    if (!method || !in(method, methods))
        statement_fail(errors, a->lang, "method", "statement.method");
    const char *ref = json_string_value(json_object_get(in_json, "reference"));
    if (json_object_get(in_json, "reference") &&
        !json_is_null(json_object_get(in_json, "reference")) &&
        (!ref || utf8_chars(ref, strlen(ref)) > 64))
        statement_fail(errors, a->lang, "reference", "statement.reference");
    if ((rc = op_checked(0, errors)))
        return rc;
    if ((rc = db_begin(db)))
        return rc;
    int64_t now = clock_now();
    rc = db_exec(db,
                 "INSERT INTO statement_payments (statement_id, paid_on, amount_fen, method, "
                 "reference, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 DB_ARGS(DB_INT(s.id), DB_TEXT(on), DB_INT(fen), DB_TEXT(method),
                         DB_TEXT(ref ? ref : ""), DB_INT_OR_NULL(a->id, a->id), DB_INT(now)));
    /* the paid sum moves only if nobody paid meanwhile (paid_fen as read) */
    if (!rc)
        rc = db_exec(db,
                     "UPDATE statements SET paid_fen = paid_fen + ?, updated_at = ? WHERE id = ? "
                     "AND paid_fen = ?",
                     DB_ARGS(DB_INT(fen), DB_INT(now), DB_INT(s.id), DB_INT(s.paid)));
    if (!rc && db_changes(db) == 0)
        rc = OP_STALE;
    json_t *detail = json_pack("{s:I,s:I,s:s,s:s}", "statement_id", (json_int_t)s.id, "amount_fen",
                               (json_int_t)fen, "method", method, "paid_on", on);
    if (!rc)
        rc = actor_audit(db, a, "statement.payment", "enterprise", s.ent, json_incref(detail));
    json_decref(detail);
    if (!rc && s.paid + fen >= s.total)
        rc = statement_moved(db, a, &s, "paid", NULL);
    return op_end(db, rc);
}
