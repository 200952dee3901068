/*
 * billing_settings.c - how an enterprise is billed (结算设置): 月结 /
 * 现结 / 预付, the statement day, the payment terms (账期), the credit
 * limit and whether departments billed on their own get statements of
 * their own. The finance contacts are the enterprise's contacts with the
 * finance role (src/vip/contact.c), shown here, kept there.
 *
 * An enterprise without a row reads as 现结 with version 0, so the first
 * save is an edit like any other (send "version": 0).
 */
#include "billing/billing.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "core/events.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

#include <string.h>

/* 1 000 000 000 yuan: far above any credit a postal customer gets. */
#define MAX_CREDIT_FEN 100000000000LL

static const char *const modes[] = {"monthly", "cash", "prepaid", NULL};

static json_t *finance_contacts(struct db *db, int64_t ent)
{
    /* roles is a JSON list of role codes; "finance" is one of the fixed
     * codes, so the quoted code cannot match inside another. */
    struct db_stmt *st =
        db_query(db,
                 "SELECT id, name, mobile, email FROM enterprise_contacts "
                 "WHERE enterprise_id = ? AND roles LIKE '%\"finance\"%' ORDER BY id",
                 DB_ARGS(DB_INT(ent)));
    if (!st)
        return NULL;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == 1) {
        json_t *o =
            json_pack("{s:I,s:s}", "id", (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1));
        for (int c = 2; c <= 3; c++)
            json_object_set_new(o, c == 2 ? "mobile" : "email",
                                db_col_is_null(st, c) ? json_null()
                                                      : json_string(db_col_text(st, c)));
        json_array_append_new(items, o);
    }
    db_finish(st);
    if (rc < 0) {
        json_decref(items);
        return NULL;
    }
    return items;
}

int billing_settings_read(struct db *db, int64_t ent, struct billing_settings *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->mode, sizeof(out->mode), "cash");
    out->statement_day = 1;
    out->payment_days = 30;
    struct db_stmt *st = db_query(db,
                                  "SELECT mode, statement_day, payment_days, credit_limit_fen, "
                                  "split_departments, version, updated_at FROM enterprise_billing "
                                  "WHERE enterprise_id = ?",
                                  DB_ARGS(DB_INT(ent)));
    if (!st)
        return DB_ERROR;
    int rc = db_step(st);
    if (rc == 1) {
        snprintf(out->mode, sizeof(out->mode), "%s", db_col_text(st, 0));
        out->statement_day = (int)db_col_int(st, 1);
        out->payment_days = (int)db_col_int(st, 2);
        out->credit_limit_fen = db_col_int(st, 3);
        out->split_departments = db_col_int(st, 4) != 0;
        out->version = db_col_int(st, 5);
        out->updated_at = db_col_int(st, 6);
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

int billing_settings_get(struct db *db, const struct actor *a, int64_t ent, json_t **out)
{
    int rc = price_rule_visible(db, a, ent);
    struct billing_settings s;
    if (rc || (rc = billing_settings_read(db, ent, &s)))
        return rc;
    json_t *fin = finance_contacts(db, ent);
    if (!fin)
        return DB_ERROR;
    *out =
        json_pack("{s:I,s:s,s:i,s:i,s:o,s:b,s:o,s:I}", "enterprise_id", (json_int_t)ent, "mode",
                  s.mode, "statement_day", s.statement_day, "payment_days", s.payment_days,
                  "credit_limit", pricing_money_json(s.credit_limit_fen), "split_departments",
                  s.split_departments, "finance_contacts", fin, "version", (json_int_t)s.version);
    int64_t alerted = 0;
    if (db_query_int(db, "SELECT credit_alerted FROM enterprise_billing WHERE enterprise_id = ?",
                     DB_ARGS(DB_INT(ent)), &alerted) < 0) {
        json_decref(*out);
        return DB_ERROR;
    }
    /* as the last credit check found it (the statements' pass) */
    json_object_set_new(*out, "over_credit_limit", json_boolean(alerted != 0));
    if (s.updated_at) {
        char at[40];
        clock_format_iso(s.updated_at, at, sizeof(at));
        json_object_set_new(*out, "updated_at", json_string(at));
    } else {
        json_object_set_new(*out, "updated_at", json_null());
    }
    return 0;
}

static void fail(json_t *errors, const char *lang, const char *key, const char *msg_key)
{
    if (!json_object_get(errors, key))
        json_object_set_new(errors, key, json_string(i18n_msg(lang, msg_key)));
}

/* A whole number in [lo, hi] at key (absent: *v kept). */
static void read_int(json_t *in, const char *key, int lo, int hi, int *v, const char *lang,
                     json_t *errors, const char *msg_key)
{
    json_t *j = json_object_get(in, key);
    if (!j)
        return;
    if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi) {
        fail(errors, lang, key, msg_key);
        return;
    }
    *v = (int)json_integer_value(j);
}

/* The input over the stored settings s: only what is sent changes. */
static int check(json_t *in, struct billing_settings *s, const char *lang, json_t *errors)
{
    json_t *m = json_object_get(in, "mode");
    if (m) {
        const char *v = json_string_value(m);
        int i = 0;
        while (v && modes[i] && strcmp(v, modes[i]) != 0)
            i++;
        if (!v || !modes[i])
            fail(errors, lang, "mode", "billing.mode");
        else
            snprintf(s->mode, sizeof(s->mode), "%s", modes[i]);
    }
    read_int(in, "statement_day", 1, 28, &s->statement_day, lang, errors, "billing.statement_day");
    read_int(in, "payment_days", 0, 365, &s->payment_days, lang, errors, "billing.payment_days");
    int64_t fen;
    int got = pricing_json_decimal(in, "credit_limit", 2, MAX_CREDIT_FEN, &fen, errors, lang);
    if (got == 1)
        s->credit_limit_fen = fen;
    else if (got == 0 && json_is_null(json_object_get(in, "credit_limit")))
        s->credit_limit_fen = 0;
    json_t *sd = json_object_get(in, "split_departments");
    if (sd && !json_is_boolean(sd))
        fail(errors, lang, "split_departments", "billing.boolean");
    else if (sd)
        s->split_departments = json_is_true(sd);
    return op_checked(0, errors);
}

/* Write settings s of ent over stored version (0: none yet), its audit
 * entry and event, inside the caller's transaction. */
static int write_settings(struct db *db, const struct actor *a, int64_t ent,
                          const struct billing_settings *s, json_int_t version)
{
    int64_t now = clock_now();
    int rc;
    if (version == 0) {
        rc = db_exec(db,
                     "INSERT INTO enterprise_billing (enterprise_id, mode, statement_day, "
                     "payment_days, credit_limit_fen, split_departments, updated_by, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_INT(ent), DB_TEXT(s->mode), DB_INT(s->statement_day),
                             DB_INT(s->payment_days), DB_INT(s->credit_limit_fen),
                             DB_INT(s->split_departments), DB_INT_OR_NULL(a->id, a->id),
                             DB_INT(now)));
        /* Another save made the row first: that one wins, this one is stale. */
        if (rc == DB_CONSTRAINT)
            rc = OP_STALE;
    } else {
        rc = db_exec(db,
                     "UPDATE enterprise_billing SET mode = ?, statement_day = ?, payment_days = ?, "
                     "credit_limit_fen = ?, split_departments = ?, updated_by = ?, updated_at = ?, "
                     "version = version + 1 WHERE enterprise_id = ? AND version = ?",
                     DB_ARGS(DB_TEXT(s->mode), DB_INT(s->statement_day), DB_INT(s->payment_days),
                             DB_INT(s->credit_limit_fen), DB_INT(s->split_departments),
                             DB_INT_OR_NULL(a->id, a->id), DB_INT(now), DB_INT(ent),
                             DB_INT(version)));
        if (!rc && db_changes(db) == 0)
            rc = OP_STALE;
    }
    json_t *detail =
        json_pack("{s:s,s:i,s:i,s:I,s:b}", "mode", s->mode, "statement_day", s->statement_day,
                  "payment_days", s->payment_days, "credit_limit_fen",
                  (json_int_t)s->credit_limit_fen, "split_departments", s->split_departments);
    if (!rc)
        rc = actor_audit(db, a, "billing_settings.update", "enterprise", ent, json_incref(detail));
    if (!rc)
        rc = events_publish(db, "billing_settings.changed", "enterprise", ent, a->id,
                            json_incref(detail));
    json_decref(detail);
    return rc;
}

int billing_settings_save(struct db *db, const struct actor *a, int64_t ent, json_t *in,
                          json_t *errors, int64_t *approval_id)
{
    int rc = price_rule_visible(db, a, ent);
    struct billing_settings s, old;
    if (rc || (rc = billing_settings_read(db, ent, &s)))
        return rc;
    old = s;
    json_int_t version;
    json_t *cur = json_pack("{s:I}", "version", (json_int_t)s.version);
    rc = op_check_version(in, cur, a->lang, errors, &version);
    json_decref(cur);
    if (rc || (rc = check(in, &s, a->lang, errors)))
        return rc;
    /* Without billing.write an account manager may only ask for a new
     * credit limit of their enterprise, through the approval flow. */
    bool ask_only = !(a->perms & PERM_BILLING);
    if (ask_only &&
        (!approval_id || !a->id || strcmp(a->role, "manager") != 0 ||
         strcmp(old.mode, s.mode) != 0 || old.statement_day != s.statement_day ||
         old.payment_days != s.payment_days || old.split_departments != s.split_departments))
        return OP_FORBIDDEN;
    /* A guarded credit-limit change waits for approval instead. */
    if (approval_id &&
        ((rc = billing_guard_credit(db, a, ent, &old, &s, in, approval_id)) || *approval_id)) {
        if (rc == OP_CONFLICT) /* nobody may approve it */
            json_object_set_new(errors, "message_key", json_string("approval.no_approver"));
        return rc;
    }
    if (ask_only)
        return OP_FORBIDDEN; /* the flow is off or the limit unchanged */
    if ((rc = db_begin(db)))
        return rc;
    return op_end(db, write_settings(db, a, ent, &s, version));
}

int billing_settings_apply(struct db *db, const struct actor *a, int64_t ent, json_t *in)
{
    struct billing_settings s;
    json_t *errors = json_object();
    int rc = billing_settings_read(db, ent, &s);
    if (!rc)
        rc = check(in, &s, a->lang, errors);
    json_decref(errors);
    return rc ? rc : write_settings(db, a, ent, &s, s.version);
}
