/*
 * statement_adjust.c - adjustments (调整) of a statement version: claims
 * paid to the customer (理赔), credits (优惠/冲减) and manual corrections,
 * signed amounts in fen, each with its reason. They are part of the
 * version's total (total_fen = the lines + adjust_fen), so the PDF, the
 * payments, the credit check and the difference between versions all see
 * them; a re-run period carries them into the new version.
 *
 * Only the latest version, while draft, sent or disputed, takes or loses
 * an adjustment: a confirmed one is the amount the customer agreed to and
 * a paid one is closed (a dispute is typically settled by a credit, so a
 * disputed one is open). The total never goes below 0 or below what was
 * paid; reaching what was paid makes the statement paid.
 */
#include "billing/billing.h"
#include "billing/statement_state.h"

#include "base/clock.h"
#include "base/utf8.h"
#include "core/events.h"
#include "core/op.h"
#include "db/db.h"

#include <string.h>

#define REASON_MAX 500

static const char *const open_statuses[] = {"draft", "sent", "disputed", NULL};

/* A signed amount in yuan text ("-50.00", "12.5") or an integer of yuan:
 * 1 with *fen, -1 refused. */
static int signed_amount(json_t *v, int64_t *fen)
{
    char buf[40];
    const char *s = NULL;
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = buf;
    } else if (json_is_string(v)) {
        s = json_string_value(v);
    }
    if (!s || !*s)
        return -1;
    bool neg = s[0] == '-';
    if (pricing_parse_decimal(s + neg, 2, 100000000000LL, fen) != 0)
        return -1;
    if (neg)
        *fen = -*fen;
    return 1;
}

/* Change the version's total by delta fen (checked against what it was
 * read as: a concurrent change is OP_STALE) and, when the payments now
 * reach it, mark it paid. */
static int retotal(struct db *db, const struct actor *a, const struct stmt *s, int64_t delta)
{
    int rc =
        db_exec(db,
                "UPDATE statements SET total_fen = total_fen + ?, adjust_fen = adjust_fen + ?, "
                "updated_at = ? WHERE id = ? AND total_fen = ? AND paid_fen = ?",
                DB_ARGS(DB_INT(delta), DB_INT(delta), DB_INT(clock_now()), DB_INT(s->id),
                        DB_INT(s->total), DB_INT(s->paid)));
    if (!rc && db_changes(db) == 0)
        rc = OP_STALE;
    if (!rc && s->paid > 0 && s->total + delta == s->paid)
        rc = statement_moved(db, a, s, "paid", NULL);
    return rc;
}

static int audit(struct db *db, const struct actor *a, const struct stmt *s, const char *action,
                 json_t *detail)
{
    json_object_set_new(detail, "statement_id", json_integer(s->id));
    int rc = actor_audit(db, a, action, "enterprise", s->ent, json_incref(detail));
    if (!rc)
        rc = events_publish(db, "statement.adjusted", "enterprise", s->ent, a->id,
                            json_incref(detail));
    json_decref(detail);
    return rc;
}

/* The total after delta may not go below 0 or below what was paid. */
static bool fits(const struct stmt *s, int64_t delta)
{
    return s->total + delta >= 0 && s->total + delta >= s->paid;
}

int statement_adjust_add(struct db *db, const struct actor *a, int64_t id, json_t *in,
                         int64_t *adj_id, json_t *errors)
{
    static const char *const kinds[] = {"claim", "credit", "correction", NULL};
    struct stmt s;
    int rc = statement_load(db, a, id, &s);
    if (rc || (rc = statement_may_move(&s, open_statuses, a->lang, errors)))
        return rc;
    const char *kind = json_string_value(json_object_get(in, "kind"));
    bool known = false;
    for (int i = 0; kind && kinds[i]; i++)
        known |= strcmp(kind, kinds[i]) == 0;
    if (!known)
        statement_fail(errors, a->lang, "kind", "statement.adjust_kind");
    int64_t fen = 0;
    if (signed_amount(json_object_get(in, "amount"), &fen) != 1 || fen == 0)
        statement_fail(errors, a->lang, "amount", "statement.adjust_amount");
    else if (!fits(&s, fen))
        statement_fail(errors, a->lang, "amount", "statement.adjust_below_paid");
    const char *reason = json_string_value(json_object_get(in, "reason"));
    size_t rlen = reason ? strlen(reason) : 0;
    /* a reason of blanks is no reason */
    if (!reason || strspn(reason, " \t\r\n") == rlen || utf8_chars(reason, rlen) > REASON_MAX)
        statement_fail(errors, a->lang, "reason", "statement.adjust_reason");
    if ((rc = op_checked(0, errors)))
        return rc;
    if ((rc = db_begin(db)))
        return rc;
    rc = db_query_id(db,
                     "INSERT INTO statement_adjustments (statement_id, kind, amount_fen, reason, "
                     "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                     DB_ARGS(DB_INT(s.id), DB_TEXT(kind), DB_INT(fen), DB_TEXT(reason),
                             DB_INT_OR_NULL(a->id, a->id), DB_INT(clock_now())),
                     adj_id);
    if (!rc)
        rc = retotal(db, a, &s, fen);
    if (!rc)
        rc = audit(db, a, &s, "statement.adjust",
                   json_pack("{s:I,s:s,s:I,s:s}", "adjustment_id", (json_int_t)*adj_id, "kind",
                             kind, "amount_fen", (json_int_t)fen, "reason", reason));
    return op_end(db, rc);
}

int statement_adjust_delete(struct db *db, const struct actor *a, int64_t id, int64_t adj_id,
                            json_t *errors)
{
    struct stmt s;
    int rc = statement_load(db, a, id, &s);
    if (rc)
        return rc;
    struct db_stmt *st = NULL;
    rc = db_query_row(db, &st,
                      "SELECT amount_fen, kind, reason FROM statement_adjustments WHERE id = ? AND "
                      "statement_id = ?",
                      DB_ARGS(DB_INT(adj_id), DB_INT(id)));
    if (rc != 1)
        return rc ? rc : OP_NOT_FOUND;
    int64_t fen = db_col_int(st, 0);
    json_t *detail =
        json_pack("{s:I,s:s,s:I,s:s}", "adjustment_id", (json_int_t)adj_id, "kind",
                  db_col_text(st, 1), "amount_fen", (json_int_t)fen, "reason", db_col_text(st, 2));
    db_finish(st);
    if ((rc = statement_may_move(&s, open_statuses, a->lang, errors)) == 0 && !fits(&s, -fen)) {
        statement_fail(errors, a->lang, "amount", "statement.adjust_below_paid");
        rc = OP_INVALID;
    }
    if (rc || (rc = db_begin(db))) {
        json_decref(detail);
        return rc;
    }
    /* a later version's copy keeps its own row; only the link goes */
    rc = db_exec(db, "UPDATE statement_adjustments SET carried_from = NULL WHERE carried_from = ?",
                 DB_ARGS(DB_INT(adj_id)));
    if (!rc)
        rc = db_exec(db, "DELETE FROM statement_adjustments WHERE id = ?", DB_ARGS(DB_INT(adj_id)));
    if (!rc)
        rc = retotal(db, a, &s, -fen);
    if (!rc)
        rc = audit(db, a, &s, "statement.adjust_delete", detail);
    else
        json_decref(detail);
    return op_end(db, rc);
}

int statement_adjust_carry(struct db *db, int64_t from_sid, int64_t to_sid, int64_t *sum)
{
    *sum = 0;
    int rc = db_exec(db,
                     "INSERT INTO statement_adjustments (statement_id, kind, amount_fen, reason, "
                     "carried_from, created_by, created_at) SELECT ?, kind, amount_fen, reason, "
                     "id, created_by, created_at FROM statement_adjustments WHERE statement_id = "
                     "? ORDER BY id",
                     DB_ARGS(DB_INT(to_sid), DB_INT(from_sid)));
    if (!rc && db_query_int(db,
                            "SELECT COALESCE(SUM(amount_fen), 0) FROM statement_adjustments WHERE "
                            "statement_id = ?",
                            DB_ARGS(DB_INT(to_sid)), sum) < 0)
        rc = DB_ERROR;
    return rc;
}
