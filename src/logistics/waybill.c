/*
 * waybill.c - a waybill as the API shows it: who may see it (whoever sees
 * its enterprise), what a search of waybills asks, units and money as
 * text, the recipient masked.
 */
#include "logistics/waybill.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/utf8.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "core/perms.h"
#include "db/sqlbuf.h"
#include "vip/enterprise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void waybill_visible_sql(const struct actor *u, struct sqlbuf *b)
{
    enterprise_visible_sql(u, b);
}

static const char *const statuses[] = {"collected", "in_transit", "delivering",
                                       "signed",    "exception",  "returned"};

/* A positive whole number (JSON integer or text) in params[key]: true when
 * the key is there, with "field.not_integer" into bad when it is not one. */
static bool param_int(json_t *params, const char *key, int64_t *out, json_t *bad)
{
    json_t *v = json_object_get(params, key);
    *out = 0;
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
        return false;
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
    } else if (json_is_string(v)) {
        char *end;
        *out = strtoll(json_string_value(v), &end, 10);
        if (*end)
            *out = 0;
    }
    if (*out <= 0)
        json_object_set_new(bad, key, json_string("field.not_integer"));
    return *out > 0;
}

static const char *param_text(json_t *params, const char *key)
{
    const char *s = json_string_value(json_object_get(params, key));
    return s && *s ? s : NULL;
}

static bool param_day(json_t *params, const char *key, int64_t *out, json_t *bad)
{
    const char *s = param_text(params, key);
    if (!s)
        return false;
    if (clock_parse_date(s, out)) {
        json_object_set_new(bad, key, json_string("field.date"));
        return false;
    }
    return true;
}

void waybill_where(const struct actor *u, json_t *params, struct sqlbuf *w, json_t *bad)
{
    int64_t ent, dept, from, to;
    waybill_visible_sql(u, w);
    const char *number = param_text(params, "number");
    if (number) {
        char up[40];
        size_t n = strlen(number);
        if (n > 13 || n < 4) {
            json_object_set_new(bad, "number", json_string("waybill.no_format"));
        } else {
            for (size_t i = 0; i <= n; i++)
                up[i] = (char)(number[i] >= 'a' && number[i] <= 'z' ? number[i] - 32 : number[i]);
            if (n == 13) {
                sqlbuf_add(w, " AND w.waybill_no = ?");
                sqlbuf_bind_text_copy(w, up);
            } else {
                sqlbuf_add(w, " AND w.waybill_no LIKE ? ESCAPE '\\'");
                sqlbuf_bind(w, DB_TEXT(sqlbuf_like(w, up, true)));
            }
        }
    }
    if (param_int(params, "enterprise_id", &ent, bad)) {
        sqlbuf_add(w, " AND w.enterprise_id = ?");
        sqlbuf_bind(w, DB_INT(ent));
    }
    if (param_int(params, "department_id", &dept, bad)) {
        sqlbuf_add(w, " AND w.department_id = ?");
        sqlbuf_bind(w, DB_INT(dept));
    }
    if (param_day(params, "from", &from, bad)) {
        sqlbuf_add(w, " AND w.collected_at >= ?");
        sqlbuf_bind(w, DB_INT(from));
    }
    if (param_day(params, "to", &to, bad)) {
        sqlbuf_add(w, " AND w.collected_at < ?");
        sqlbuf_bind(w, DB_INT(to + DATE_DAY_SECONDS));
    }
    const char *status = param_text(params, "status");
    if (status) {
        bool known = false;
        for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
            known = known || strcmp(statuses[i], status) == 0;
        if (!known)
            json_object_set_new(bad, "status", json_string("waybill.status"));
        sqlbuf_add(w, " AND w.status = ?");
        sqlbuf_bind_text_copy(w, status);
    }
    const char *product = param_text(params, "product");
    if (product) {
        sqlbuf_add(w, " AND w.product = ?");
        sqlbuf_bind_text_copy(w, product);
    }
    /* The recipient's phone is masked for everyone; only roles that may
     * reveal it may test it, and only as the whole number, so that no
     * search spells out the digits a mask hides. */
    const char *phone = param_text(params, "recipient_phone");
    if (phone) {
        if (!(u->perms & PERM_REVEAL) || strlen(phone) != 11 || strspn(phone, "0123456789") != 11)
            json_object_set_new(bad, "recipient_phone", json_string("waybill.phone_search"));
        sqlbuf_add(w, " AND w.recipient_phone = ?");
        sqlbuf_bind_text_copy(w, phone);
    }
}

void waybill_kg(int64_t g, char out[32])
{
    snprintf(out, 32, "%s%lld.%03lld", g < 0 ? "-" : "", (long long)(g < 0 ? -g : g) / 1000,
             (long long)(g < 0 ? -g : g) % 1000);
}

/* waybill_kg for listing_format: grams as kilograms. */
static void kg_text(long long g, char *out, size_t outlen)
{
    char kg[32];
    waybill_kg(g, kg);
    snprintf(out, outlen, "%s", kg);
}

json_t *waybill_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    listing_format(o, "weight_g", "weight", kg_text);
    listing_format(o, "volume_weight_g", "volume_weight", kg_text);
    listing_format(o, "declared_fen", "declared_value", money_format);
    listing_format(o, "cod_fen", "cod_amount", money_format);
    listing_format(o, "fee_fen", "fee", money_format);
    /* Masked for every role: the clear values only through the reveal. */
    json_t *name = json_object_get(o, "recipient_name");
    json_t *phone = json_object_get(o, "recipient_phone");
    json_t *addr = json_object_get(o, "recipient_address");
    char *pm = json_is_string(phone) ? phone_mask(json_string_value(phone)) : NULL;
    char *nm = json_is_string(name) && *json_string_value(name) ? name_mask(json_string_value(name))
                                                                : NULL;
    char *am = json_is_string(addr) && *json_string_value(addr)
                   ? address_mask(json_string_value(addr))
                   : NULL;
    json_object_set_new(o, "recipient_name", nm ? json_string(nm) : json_null());
    json_object_set_new(o, "recipient_phone", pm ? json_string(pm) : json_null());
    json_object_set_new(o, "recipient_address", am ? json_string(am) : json_null());
    free(pm), free(nm), free(am);
    json_object_set_new(o, "recipient_erased",
                        json_boolean(!json_is_null(json_object_get(o, "recipient_erased_at"))));
    json_object_del(o, "recipient_erased_at");
    json_t *last = json_null();
    if (!json_is_null(json_object_get(o, "last_event_at"))) {
        last = json_object();
        listing_move(last, "at", o, "last_event_at");
        listing_move(last, "event_type", o, "last_event_type");
        listing_move(last, "node_code", o, "last_node_code");
        listing_move(last, "node_name", o, "last_node_name");
        listing_move(last, "node_type", o, "last_node_type");
    } else {
        json_object_del(o, "last_event_at");
        json_object_del(o, "last_event_type");
        json_object_del(o, "last_node_code");
        json_object_del(o, "last_node_name");
        json_object_del(o, "last_node_type");
    }
    json_object_set_new(o, "last_event", last);
    return o;
}

bool waybill_page_query(struct req *r, int64_t *limit, json_t **cursor)
{
    const char *limit_s = req_query(r, "limit"), *cursor_s = req_query(r, "cursor");
    *limit = 20;
    *cursor = NULL;
    if (limit_s) {
        char *end;
        *limit = strtoll(limit_s, &end, 10);
        if (*end || *limit < 1 || *limit > 200) {
            reply_invalid(r, json_pack("{s:s}", "limit", req_msg(r, "field.invalid")));
            return false;
        }
    }
    if (cursor_s && *cursor_s && !(*cursor = listing_cursor_decode(cursor_s, 2))) {
        reply_invalid(r, json_pack("{s:s}", "cursor", req_msg(r, "field.invalid")));
        return false;
    }
    return true;
}
