/*
 * billing.h - the billing domain, first part: the list price table in
 * versions by effective date (price_list.c), the enterprises' contract
 * price rules (price_rule.c), their loading for the engine
 * (price_load.c) and the engine itself (pricing.h), with the quote and
 * "why this amount" endpoints (quote_api.c). docs/billing.md.
 *
 * Who may do what: reading list prices, quoting and reading the contract
 * prices of an enterprise one sees takes enterprises.read (the
 * enterprise's scope: a manager their own, supervisors and clerks their
 * branch tree, admins all; another's is 404); changing the price list or
 * a contract rule takes billing.write (PERM_BILLING: supervisors and
 * admins), contract rules also the enterprise's scope. Every change is
 * audited and publishes a domain event in its transaction.
 *
 * In the API money is yuan text ("12.50"), weights kilograms text
 * ("1.250"), percentages text with at most two decimals ("92.5"), rates
 * per mille text with at most one decimal ("3", "0.5"); integers are
 * taken too, floating-point JSON numbers are not.
 */
#ifndef HY_BILLING_H
#define HY_BILLING_H

#include "auth/actor.h"
#include "billing/pricing.h"
#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* ---- loading (price_load.c) ---- */

/* The versions in force at some time in [from_at, to_at) into out (the
 * caller releases it). 0 or negative DB_*. */
int price_book_load(struct db *db, int64_t from_at, int64_t to_at, struct price_book *out);
void price_book_release(struct price_book *b);
/* Every contract rule of the enterprise (the engine keeps to those valid
 * at each waybill's time). 0 or negative DB_*. */
int price_rules_load(struct db *db, int64_t enterprise_id, struct price_rules *out);
void price_rules_release(struct price_rules *r);
/* The columns price_rule_from_row reads, from column c on. */
#define PRICE_RULE_ENGINE_COLUMNS                                                                  \
    "id, kind, department_id, product, zone, service, basis, threshold, percent_bp, fixed_mode, "  \
    "fixed_fen, first_g, first_fen, step_g, step_fen, from_at, to_at"
void price_rule_from_row(struct db_stmt *st, int c, struct price_rule *r);
/* Pieces and spend (the fees as fed) of the enterprise in the +08:00
 * calendar month of at, from the waybill rollups. 0 or negative DB_*. */
int price_month_volume(struct db *db, int64_t enterprise_id, int64_t at, int64_t *pieces,
                       int64_t *spend_fen);

/* ---- the price list (price_list.c) ---- */

/* "past", "current" or "future" of the version effective at effective_at
 * while next_at (0: none) is the next version's, at now. */
const char *price_list_status(int64_t effective_at, int64_t next_at, int64_t now);
/* Every version, newest first, as the API lists them; NULL on failure. */
json_t *price_list_versions(struct db *db);
/* The version id as the API shows it, whole (products with their rates by
 * zone, surcharges, remote areas, the zone map): 1 and *out, 0 none, <0. */
int price_list_get(struct db *db, int64_t id, json_t **out);
/*
 * Operations (core/op.h answers; field messages in errors, a's language):
 * create a version effective from a future date, a copy of the version
 * copy_from (default: the one in force today); change a future version
 * (send its "version"; a version in force or past is OP_CONFLICT:
 * errors["message_key"] = "price.locked"); delete a future one.
 */
int price_list_create(struct db *db, const struct actor *a, json_t *in, int64_t *id,
                      json_t *errors);
int price_list_update(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors);
int price_list_delete(struct db *db, const struct actor *a, int64_t id, json_t *errors);

/* ---- contract rules (price_rule.c) ---- */

/* The rules of enterprise ent, newest validity first, as the API shows
 * them. NULL on a database failure. */
json_t *price_rule_list(struct db *db, int64_t ent);
/* Create (*id 0: the new id into *id) or change rule *id of enterprise
 * ent (send its "version"), or delete it: checked (kind's fields, 1-100 %,
 * no negative price, known product, zone and department, no overlapping
 * validity with a rule of the same kind, department, product and
 * zone / service / threshold: errors["valid_from"] names it), audited.
 * With approval_id, a discount deeper than the flow contract_discount
 * allows is filed for approval instead (*approval_id; nothing saved);
 * NULL for callers that are not guarded (the demo data). */
int price_rule_save(struct db *db, const struct actor *a, int64_t ent, int64_t *id, json_t *in,
                    json_t *errors, int64_t *approval_id);
int price_rule_delete(struct db *db, const struct actor *a, int64_t ent, int64_t id);
/* 0 when a may see enterprise ent (not deleted), OP_NOT_FOUND, or DB_*. */
int price_rule_visible(struct db *db, const struct actor *a, int64_t ent);

/* ---- presenting (pricing_json.c) ---- */

/* The engine's answer as the API shows it: total, total_words (大写),
 * zone, chargeable_weight, list_id and the lines [{key, amount,
 * amount_fen, params}]. */
json_t *pricing_result_json(const struct price_result *res);
/* The message key of an engine error and the input field it is about. */
const char *pricing_error_key(int err, const char **field);
/* Parse text or an integer (not a float) at key of in as a decimal scaled
 * by 10^decimals, at most max: 1 given (into *out), 0 absent or null, -1
 * refused (message key "price.number" into errors[key], lang, unless
 * errors is NULL). */
int pricing_json_decimal(json_t *in, const char *key, int decimals, int64_t max, int64_t *out,
                         json_t *errors, const char *lang);
/* Money in fen as yuan text, grams as kilograms text, as JSON strings. */
json_t *pricing_money_json(int64_t fen);
json_t *pricing_kg_json(int64_t g);
/* Answer a whole list {"items", "total", "next_cursor": null} (items
 * stolen; NULL: the database failed, 500/503). */
void pricing_reply_items(struct req *r, json_t *items);
/* Percent bp 9250 → "92.5"; per mille bp 30 → "3"; grams → "1.250". */
void pricing_percent_text(int64_t bp, char out[32]);
void pricing_permille_text(int64_t bp, char out[32]);
void pricing_kg_text(int64_t g, char out[32]);

/* ---- billing settings (billing_settings.c) ---- */

/* How an enterprise is billed; an enterprise without settings is 现结
 * ("cash") with version 0. */
struct billing_settings {
    char mode[12]; /* "monthly" 月结, "cash" 现结, "prepaid" 预付 */
    int statement_day, payment_days;
    int64_t credit_limit_fen; /* 0: no limit set */
    bool split_departments;
    int64_t version, updated_at;
};
/* The stored settings of ent (the defaults when none). 0 or DB_*. */
int billing_settings_read(struct db *db, int64_t ent, struct billing_settings *out);
/* The settings as the API shows them, with the finance contacts (the
 * enterprise's contacts with the finance role): 0 with *out, OP_NOT_FOUND
 * outside a's scope, DB_*. */
int billing_settings_get(struct db *db, const struct actor *a, int64_t ent, json_t **out);
/* Change what in sends (mode, statement_day 1-28, payment_days 0-365,
 * credit_limit yuan text or null, split_departments; "version" required,
 * 0 for an enterprise never set): checked, audited, an event. */
int billing_settings_save(struct db *db, const struct actor *a, int64_t ent, json_t *in,
                          json_t *errors, int64_t *approval_id);
/* Apply the fields of in over ent's stored settings (checked again),
 * inside the caller's open transaction: an approved change. */
int billing_settings_apply(struct db *db, const struct actor *a, int64_t ent, json_t *in);

/* ---- approvals of billing changes (billing_approval.c) ---- */

/* Whether changing ent's settings from old to s (input in) by a waits for
 * the flow credit_limit (a credit-limit change beyond its min_change by a
 * non-administrator): 0 with *approval_id 0 (go ahead) or the request
 * filed, or an OP_* / DB_*. */
int billing_guard_credit(struct db *db, const struct actor *a, int64_t ent,
                         const struct billing_settings *old, const struct billing_settings *s,
                         json_t *in, int64_t *approval_id);
/* Whether saving contract rule id (0: new) of ent as in waits for the
 * flow contract_discount (a percentage discount deeper than its
 * max_discount_percent): as billing_guard_credit. */
int billing_guard_discount(struct db *db, const struct actor *a, int64_t ent, int64_t id,
                           json_t *in, int64_t percent_bp, int64_t *approval_id);
/* Save rule id (0: new) of ent as in, checked again, inside the caller's
 * open transaction: an approved change. */
int price_rule_apply(struct db *db, const struct actor *a, int64_t ent, int64_t id, json_t *in);
/* Register the billing flows' appliers (the module's init). */
void billing_approval_init(void);

/* ---- statements (statement.c, statement_api.c) ---- */

/* The +08:00 bounds [from_at, to_at) of period "YYYY-MM": 0, or -1 when
 * it is not a month. */
int statement_period_bounds(const char *period, int64_t *from_at, int64_t *to_at);
/* Make the statement of enterprise ent (dept 0) or of its department dept
 * billed on its own for period: every waybill collected in it priced into
 * a line. The first version only when there is none yet (else 0 with *id
 * 0: made already, by this or another server); rerun makes the next
 * version. 0 with *id, OP_INVALID (bad period), DB_*. Audited. */
int statement_generate(struct db *db, const struct actor *a, int64_t ent, int64_t dept,
                       const char *period, bool rerun, int64_t *id);
/* The scheduler's pass: on and after each 月结 enterprise's statement day,
 * the previous month's statements not yet made. */
int statement_pass(struct db *db);

/* 1 when a sees statement id (its enterprise's scope), 0, or DB_*. */
int statement_visible(struct db *db, const struct actor *a, int64_t id);
/* Move the latest version of a statement: to "sent" from draft, to
 * "confirmed" from sent or disputed. OP_CONFLICT (errors["status"], and
 * errors["message_key"] statement.bad_transition or
 * statement.superseded) when its status does not allow it. */
int statement_move(struct db *db, const struct actor *a, int64_t id, const char *to,
                   json_t *errors);
/* Dispute a sent or confirmed statement: in {"reason", "contact_id"};
 * opens a 投诉 ticket for the enterprise with the reason (*ticket_id). */
int statement_dispute(struct db *db, const struct actor *a, int64_t id, json_t *in,
                      int64_t *ticket_id, json_t *errors);
/* Record a payment {"paid_on", "amount", "method", "reference"} against a
 * sent, confirmed or disputed statement: at most what is still unpaid;
 * paid when the payments reach the total. Audited. */
int statement_pay(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors);

/* ---- adjustments (statement_adjust.c) ---- */

/* Add an adjustment {"kind" claim/credit/correction, "amount" signed yuan
 * text, not 0, "reason"} to the latest version of a draft, sent or
 * disputed statement: its total changes (never below 0 or what was paid),
 * audited (statement.adjust). *adj_id the new one. */
int statement_adjust_add(struct db *db, const struct actor *a, int64_t id, json_t *in,
                         int64_t *adj_id, json_t *errors);
/* Remove adjustment adj_id of statement id (same statuses; audited). */
int statement_adjust_delete(struct db *db, const struct actor *a, int64_t id, int64_t adj_id,
                            json_t *errors);
/* Copy the adjustments of version from_sid into to_sid (a re-run), their
 * sum into *sum; in the caller's transaction. */
int statement_adjust_carry(struct db *db, int64_t from_sid, int64_t to_sid, int64_t *sum);

/* ---- e-mail (statement_mail.c) ---- */

/* E-mail the statement's PDF to the enterprise's finance contacts with an
 * e-mail address, through the outbox (one message each, the PDF attached
 * as a file reference). resend false: the statement must be a draft, and
 * moves to sent in the same transaction; true: any status but draft.
 * OP_INVALID with errors["contacts"] (statement.no_recipient) when nobody
 * can receive it. Audited (statement.mail). */
int statement_mail(struct db *db, const struct actor *a, int64_t id, bool resend, json_t *errors);
/* The e-mails of a statement, newest first, with their delivery status
 * (queued, sent, failed with the error; a failed one is still retried
 * until the outbox gives up): NULL on a database failure. */
json_t *statement_mails_json(struct db *db, int64_t id);
/* The delivery state of a statement's latest e-mail round (the messages
 * queued together) as the list shows it: failed when one of them failed,
 * queued while one is on its way, else sent; "" when never e-mailed. */
#define STATEMENT_MAIL_STATUS_SQL                                                                  \
    "COALESCE((SELECT CASE WHEN SUM(CASE WHEN o.status = 'dead' OR (o.status <> 'sent' AND "       \
    "o.last_error IS NOT NULL) THEN 1 ELSE 0 END) > 0 THEN 'failed' WHEN SUM(CASE WHEN o.status "  \
    "= 'sent' THEN 0 ELSE 1 END) > 0 THEN 'queued' ELSE 'sent' END FROM statement_mails m JOIN "   \
    "outbox o ON o.id = m.outbox_id WHERE m.statement_id = s.id AND m.created_at = (SELECT "       \
    "MAX(l.created_at) FROM statement_mails l WHERE l.statement_id = s.id) HAVING COUNT(*) > "     \
    "0), '')"

/* Statement version id as a PDF (the caller frees *data): 0 or DB_*. */
int statement_pdf(struct db *db, int64_t id, char **data, size_t *len);

extern const struct route statements_routes[];
extern const struct route statement_extra_routes[];
extern const struct route finance_routes[];
extern const struct route billing_settings_routes[];
extern const struct route price_lists_routes[];
extern const struct route price_rules_routes[];
extern const struct route pricing_routes[];

#endif
