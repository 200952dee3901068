/*
 * waybill.c - a waybill as the API shows it: who may see it (whoever sees
 * its enterprise), units and money as text, the recipient masked.
 */
#include "logistics/waybill.h"

#include "base/utf8.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "db/sqlbuf.h"
#include "vip/enterprise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void waybill_visible_sql(const struct actor *u, struct sqlbuf *b)
{
    enterprise_visible_sql(u, b);
}

void waybill_kg(int64_t g, char out[32])
{
    snprintf(out, 32, "%s%lld.%03lld", g < 0 ? "-" : "", (long long)(g < 0 ? -g : g) / 1000,
             (long long)(g < 0 ? -g : g) % 1000);
}

/* The first n characters of s and "****" ("" for NULL). */
static json_t *mask_keep(const char *s, size_t n, const char *tail)
{
    if (!s || !*s)
        return json_null();
    size_t len = strlen(s), cut = utf8_offset(s, len, n);
    char *m = xasprintf("%.*s%s", (int)cut, s, cut < len ? tail : "");
    json_t *v = json_string(m);
    free(m);
    return v;
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
    json_t *masked_name = mask_keep(json_string_value(name), 1, "*");
    json_t *masked_addr = mask_keep(json_string_value(addr), 6, "****");
    json_object_set_new(o, "recipient_name", masked_name);
    json_object_set_new(o, "recipient_phone", pm ? json_string(pm) : json_null());
    json_object_set_new(o, "recipient_address", masked_addr);
    free(pm);
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
