/*
 * quote_api.c - "what does it cost and why": an ad-hoc waybill priced
 * (试算) and a stored waybill priced under its enterprise's contract at
 * its collection time, each with the engine's lines. The month's volume
 * for tiers is given or counted from the waybill rollups (the whole
 * calendar month of the time priced, as the statement run will count it).
 */
#include "billing/billing.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "logistics/waybill.h"

#include <stdio.h>
#include <string.h>

/* Price in under the book in force at in->at and enterprise ent's rules
 * (0: list price), the month's volume counted unless known; reply. */
static void price_and_reply(struct req *r, int64_t ent, struct price_input *in, bool volume_known,
                            json_t *extra)
{
    struct price_book book;
    struct price_rules rules = {0};
    int rc = price_book_load(r->db, in->at, in->at + 1, &book);
    if (!rc && ent)
        rc = price_rules_load(r->db, ent, &rules);
    if (!rc && ent && !volume_known)
        rc = price_month_volume(r->db, ent, in->at, &in->month_pieces, &in->month_spend_fen);
    if (rc) {
        price_book_release(&book);
        json_decref(extra);
        reply_db_error(r, rc);
        return;
    }
    struct price_result res;
    int err = pricing_price(&book, &rules, in, &res);
    /* the lines borrow the book's names: released after they are shown */
    json_t *body = err ? NULL : pricing_result_json(&res);
    price_book_release(&book);
    price_rules_release(&rules);
    if (err) {
        const char *field, *key = pricing_error_key(err, &field);
        json_decref(extra);
        reply_invalid(r, json_pack("{s:s}", field, req_msg(r, key)));
        return;
    }
    char spend[32], at[40];
    money_format(in->month_spend_fen, spend, sizeof(spend));
    clock_format_iso(in->at, at, sizeof(at));
    json_object_set_new(body, "month_pieces", json_integer(in->month_pieces));
    json_object_set_new(body, "month_spend", json_string(spend));
    json_object_set_new(body, "at", json_string(at));
    json_object_update(body, extra);
    json_decref(extra);
    reply_json(r, 200, body);
}

static void quote(struct req *r)
{
    json_t *in = r->json, *errors = json_object();
    const char *lang = r->lang;
    struct price_input pin = {0};
    char op[48], oc[48], dp[48], dc[48];
    int64_t ent = 0;
    json_t *ev = json_object_get(in, "enterprise_id");
    if (ev && !json_is_null(ev)) {
        ent = json_is_integer(ev) ? json_integer_value(ev) : -1;
        if (ent <= 0 || price_rule_visible(r->db, r->actor, ent) != 0)
            json_object_set_new(errors, "enterprise_id",
                                json_string(i18n_msg(lang, "waybill.unknown_enterprise")));
    }
    json_t *dv = json_object_get(in, "department_id");
    if (json_is_integer(dv))
        pin.department_id = json_integer_value(dv);
    pin.product = json_string_value(json_object_get(in, "product"));
    if (!pin.product || !*pin.product)
        json_object_set_new(errors, "product", json_string(i18n_msg(lang, "field.required")));
    const char *origin = json_string_value(json_object_get(in, "origin"));
    const char *dest = json_string_value(json_object_get(in, "destination"));
    if (!origin || !*origin)
        json_object_set_new(errors, "origin", json_string(i18n_msg(lang, "field.required")));
    if (!dest || !*dest)
        json_object_set_new(errors, "destination", json_string(i18n_msg(lang, "field.required")));
    pricing_split_region(origin, op, sizeof(op), oc, sizeof(oc));
    pricing_split_region(dest, dp, sizeof(dp), dc, sizeof(dc));
    pin.origin_province = op;
    pin.origin_city = oc;
    pin.dest_province = dp;
    pin.dest_city = dc;
    if (pricing_json_decimal(in, "weight", 3, 100000000, &pin.weight_g, errors, lang) == 0)
        json_object_set_new(errors, "weight", json_string(i18n_msg(lang, "field.required")));
    pricing_json_decimal(in, "volume_weight", 3, 100000000, &pin.volume_g, errors, lang);
    pricing_json_decimal(in, "length", 0, 10000, &pin.length_cm, errors, lang);
    pricing_json_decimal(in, "width", 0, 10000, &pin.width_cm, errors, lang);
    pricing_json_decimal(in, "height", 0, 10000, &pin.height_cm, errors, lang);
    pricing_json_decimal(in, "declared_value", 2, 10000000000LL, &pin.declared_fen, errors, lang);
    pricing_json_decimal(in, "cod_amount", 2, 10000000000LL, &pin.cod_fen, errors, lang);
    int pieces =
        pricing_json_decimal(in, "month_pieces", 0, 1000000000LL, &pin.month_pieces, errors, lang);
    int spend = pricing_json_decimal(in, "month_spend", 2, 100000000000LL, &pin.month_spend_fen,
                                     errors, lang);
    const char *at = json_string_value(json_object_get(in, "at"));
    pin.at = clock_now();
    if (at && *at && clock_parse_iso(at, &pin.at) != 0)
        json_object_set_new(errors, "at", json_string(i18n_msg(lang, "waybill.time")));
    if (json_object_size(errors)) {
        reply_invalid(r, errors);
        return;
    }
    json_decref(errors);
    price_and_reply(r, ent, &pin, pieces > 0 || spend > 0, json_object());
}

/* GET /waybills/{number}/price: the waybill as stored, its origin the
 * enterprise's region when the feed gave none. */
static void waybill_price(struct req *r)
{
    char no[16];
    snprintf(no, sizeof(no), "%s", r->params[0]);
    for (char *p = no; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT w.enterprise_id, COALESCE(w.department_id, 0), w.product, "
                   "CASE WHEN w.origin = '' THEN COALESCE(e.region, '') ELSE w.origin END, "
                   "w.destination, w.weight_g, COALESCE(w.volume_weight_g, 0), "
                   "COALESCE(w.declared_fen, 0), COALESCE(w.cod_fen, 0), w.fee_fen, "
                   "w.collected_at FROM waybills w JOIN enterprises e ON e.id = w.enterprise_id "
                   "WHERE w.waybill_no = ? AND ");
    sqlbuf_bind(&b, DB_TEXT(no));
    waybill_visible_sql(r->actor, &b);
    struct db_stmt *st = NULL;
    int rc = db_query_row(r->db, &st, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (rc != 1) {
        rc ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    char product[32], op[48], oc[48], dp[48], dc[48], fee[32];
    struct price_input in = {0};
    int64_t ent = db_col_int(st, 0);
    in.department_id = db_col_int(st, 1);
    snprintf(product, sizeof(product), "%s", db_col_text(st, 2));
    pricing_split_region(db_col_text(st, 3), op, sizeof(op), oc, sizeof(oc));
    pricing_split_region(db_col_text(st, 4), dp, sizeof(dp), dc, sizeof(dc));
    in.product = product;
    in.origin_province = op;
    in.origin_city = oc;
    in.dest_province = dp;
    in.dest_city = dc;
    in.weight_g = db_col_int(st, 5);
    in.volume_g = db_col_int(st, 6);
    in.declared_fen = db_col_int(st, 7);
    in.cod_fen = db_col_int(st, 8);
    money_format(db_col_int(st, 9), fee, sizeof(fee));
    in.at = db_col_int(st, 10);
    db_finish(st);
    price_and_reply(r, ent, &in, false,
                    json_pack("{s:s,s:I,s:s}", "waybill_no", no, "enterprise_id", (json_int_t)ent,
                              "fee_as_fed", fee));
}

#include "billing/quote_api.routes.h"
