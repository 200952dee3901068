/*
 * interaction_checks.c - the checks of a new business record that look at
 * other records (see interaction_int.h): a refund against the record it
 * pays back, a tracking number recorded before.
 */
#include "crm/interaction_int.h"

#include "base/clock.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/op.h"
#include "db/db.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int interaction_refund_check(struct db *db, const struct actor *a, int64_t cid,
                             struct interaction_form *v, json_t *errors)
{
    struct db_stmt *st = NULL;
    int got = db_query_row(db, &st,
                           "SELECT o.type, o.kind, o.amount_fen, o.tracking_no, "
                           "(SELECT COALESCE(-SUM(r.amount_fen), 0) FROM interactions r "
                           "WHERE r.refund_of = o.id AND r.deleted_at IS NULL) "
                           "FROM interactions o WHERE o.id = ? AND o.customer_id = ? AND "
                           "o.deleted_at IS NULL",
                           DB_ARGS(DB_INT(v->refund_of), DB_INT(cid)));
    if (got < 0)
        return got;
    struct form form, *f = &form;
    form_init_json(f, NULL, a->lang, errors);
    if (got == 0) {
        form_fail(f, "refund_of", "interaction.refund_of_unknown");
        form_release(f);
        return OP_INVALID;
    }
    const char *type = db_col_text(st, 0);
    bool refundable = strcmp(db_col_text(st, 1), "business") == 0 && !db_col_is_null(st, 2) &&
                      db_col_int(st, 2) > 0;
    int64_t paid = db_col_int(st, 2), refunded = db_col_int(st, 4);
    if (!refundable)
        form_fail(f, "refund_of", "interaction.refund_of_no_amount");
    else if (v->type[0] && strcmp(v->type, type) != 0)
        form_fail(f, "type", "interaction.refund_type");
    else if (refunded - v->fen > paid)
        form_fail(f, "amount", "interaction.refund_exceeds");
    snprintf(v->type, sizeof(v->type), "%s", type);
    if (!v->tracking[0] && !db_col_is_null(st, 3))
        snprintf(v->tracking, sizeof(v->tracking), "%s", db_col_text(st, 3));
    db_finish(st);
    return form_ok(f) ? 0 : OP_INVALID;
}

int interaction_tracking_check(struct db *db, const struct actor *a, json_t *in,
                               const struct interaction_form *v, json_t *errors)
{
    if (!v->tracking[0] || v->refund || json_is_true(json_object_get(in, "confirm_duplicate")))
        return 0;
    struct db_stmt *st = db_query(db,
                                  "SELECT i.id, i.customer_id, c.customer_no, c.name, c.phone, "
                                  "i.occurred_at, i.type, i.branch_path FROM interactions i "
                                  "JOIN customers c ON c.id = i.customer_id WHERE "
                                  "i.tracking_no = ? AND i.kind = 'business' AND "
                                  "i.deleted_at IS NULL ORDER BY i.occurred_at DESC LIMIT 5",
                                  DB_ARGS(DB_TEXT(v->tracking)));
    if (!st)
        return DB_ERROR;
    json_t *dups = json_array();
    int rc;
    while ((rc = db_step(st)) == 1) {
        char at[40];
        clock_format_iso(db_col_int(st, 5), at, sizeof(at));
        if (!scope_contains(a, db_col_text(st, 7))) {
            /* Someone else's customer: that the number is taken, not by whom. */
            json_array_append_new(dups,
                                  json_pack("{s:s,s:b}", "occurred_at", at, "other_branch", 1));
            continue;
        }
        char *phone = phone_mask(db_col_text(st, 4));
        json_array_append_new(dups, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "id",
                                              (json_int_t)db_col_int(st, 0), "customer_id",
                                              (json_int_t)db_col_int(st, 1), "customer_no",
                                              db_col_text(st, 2), "customer_name",
                                              db_col_text(st, 3), "customer_phone", phone,
                                              "occurred_at", at, "type", db_col_text(st, 6)));
        free(phone);
    }
    db_finish(st);
    if (rc < 0 || !json_array_size(dups)) {
        json_decref(dups);
        return rc < 0 ? rc : 0;
    }
    json_object_set_new(errors, "duplicates", dups);
    json_object_set_new(errors, "message_key", json_string("interaction.duplicate_tracking"));
    return OP_DUPLICATE;
}
