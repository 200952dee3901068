/*
 * pricing_json.c - the engine's answer and its numbers as the API shows
 * them ("why this amount": one object a line, its message key and
 * parameters for the UI to say), and the parsing of the API's decimal
 * text into integers (no float on the way in either).
 */
#include "billing/billing.h"

#include "base/i18n.h"
#include "base/validate.h"
#include "db/db.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* v / 10^scale with the decimals it needs (at most scale), "92.5". */
static void scaled_text(int64_t v, int scale, char out[32])
{
    int64_t div = 1;
    for (int i = 0; i < scale; i++)
        div *= 10;
    int64_t whole = v / div, frac = v % div;
    if (!frac) {
        snprintf(out, 32, "%" PRId64, whole);
        return;
    }
    int digits = scale;
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    snprintf(out, 32, "%" PRId64 ".%0*" PRId64, whole, digits, frac);
}

void pricing_percent_text(int64_t bp, char out[32])
{
    scaled_text(bp, 2, out);
}

void pricing_permille_text(int64_t bp, char out[32])
{
    scaled_text(bp, 1, out);
}

void pricing_kg_text(int64_t g, char out[32])
{
    snprintf(out, 32, "%" PRId64 ".%03" PRId64, g / 1000, g % 1000);
}

json_t *pricing_money_json(int64_t fen)
{
    char s[32];
    money_format(fen, s, sizeof(s));
    return json_string(s);
}

json_t *pricing_kg_json(int64_t g)
{
    char s[32];
    pricing_kg_text(g, s);
    return json_string(s);
}

static json_t *text(void (*fmt)(int64_t, char[32]), int64_t v)
{
    char s[32];
    fmt(v, s);
    return json_string(s);
}

static const char *service_code(int64_t s)
{
    return s == SERVICE_INSURED ? "insured" : s == SERVICE_COD ? "cod" : "";
}

static json_t *line_params(const struct price_line *l)
{
    switch (l->kind) {
    case LINE_WEIGHT:
        return json_pack("{s:o,s:o,s:o,s:b}", "actual", pricing_kg_json(l->a), "volume",
                         pricing_kg_json(l->b), "chargeable", pricing_kg_json(l->c), "by_volume",
                         (int)l->d);
    case LINE_ZONE:
        return json_pack("{s:s,s:s,s:s}", "zone", pricing_zone_code((int)l->a), "origin",
                         l->s ? l->s : "", "destination", l->s2 ? l->s2 : "");
    case LINE_FIRST:
        return json_pack("{s:o}", "weight", pricing_kg_json(l->a));
    case LINE_STEPS:
        return json_pack("{s:I,s:o,s:o}", "steps", (json_int_t)l->a, "step", pricing_kg_json(l->b),
                         "price", pricing_money_json(l->c));
    case LINE_FIXED:
        return json_pack("{s:I,s:b,s:o}", "rule_id", (json_int_t)l->rule_id, "per_piece", (int)l->a,
                         "price", pricing_money_json(l->b));
    case LINE_DISCOUNT: {
        json_t *o = json_pack("{s:o}", "base", pricing_money_json(l->c));
        if (l->rule_id)
            json_object_set_new(o, "rule_id", json_integer(l->rule_id));
        if (l->a)
            json_object_set_new(o, "percent", text(pricing_percent_text, l->a));
        if (l->rule2_id)
            json_object_set_new(o, "tier_rule_id", json_integer(l->rule2_id));
        if (l->b)
            json_object_set_new(o, "tier_percent", text(pricing_percent_text, l->b));
        return o;
    }
    case LINE_INSURED:
    case LINE_COD:
        return json_pack("{s:o,s:o,s:o}", "value", pricing_money_json(l->a), "rate",
                         text(pricing_permille_text, l->b), "minimum", pricing_money_json(l->c));
    case LINE_REMOTE:
        return json_pack("{s:s,s:s}", "province", l->s ? l->s : "", "city", l->s2 ? l->s2 : "");
    case LINE_WAIVE:
        return json_pack("{s:I,s:s}", "rule_id", (json_int_t)l->rule_id, "service",
                         service_code(l->a));
    case LINE_MINIMUM:
        return json_pack("{s:o,s:o}", "minimum", pricing_money_json(l->a), "before",
                         pricing_money_json(l->b));
    case LINE_KINDS:
        break;
    }
    return json_object();
}

json_t *pricing_result_json(const struct price_result *res)
{
    char words[PRICING_WORDS_MAX];
    json_t *lines = json_array();
    for (int i = 0; i < res->nlines; i++) {
        const struct price_line *l = &res->lines[i];
        json_t *o =
            json_pack("{s:s,s:o}", "key", pricing_line_key(l->kind), "params", line_params(l));
        json_object_set_new(o, "amount",
                            l->has_amount ? pricing_money_json(l->amount_fen) : json_null());
        json_object_set_new(o, "amount_fen",
                            l->has_amount ? json_integer(l->amount_fen) : json_null());
        json_array_append_new(lines, o);
    }
    return json_pack("{s:o,s:I,s:s,s:s,s:o,s:o,s:I,s:o}", "total",
                     pricing_money_json(res->total_fen), "total_fen", (json_int_t)res->total_fen,
                     "total_words", pricing_amount_words(res->total_fen, words, sizeof(words)),
                     "zone", pricing_zone_code(res->zone), "chargeable_weight",
                     pricing_kg_json(res->chargeable_g), "freight",
                     pricing_money_json(res->freight_fen), "list_id", (json_int_t)res->list_id,
                     "lines", lines);
}

const char *pricing_error_key(int err, const char **field)
{
    static const struct {
        const char *field, *key;
    } errs[] = {
        [PRICING_NO_LIST] = {"at", "price.no_list"},
        [PRICING_PRODUCT] = {"product", "price.unknown_product"},
        [PRICING_ORIGIN] = {"origin", "price.unknown_province"},
        [PRICING_DEST] = {"destination", "price.unknown_province"},
        [PRICING_NO_RATE] = {"destination", "price.no_rate"},
        [PRICING_WEIGHT] = {"weight", "price.weight"},
    };
    if (err <= 0 || err >= (int)(sizeof(errs) / sizeof(errs[0]))) {
        *field = "product";
        return "field.invalid";
    }
    *field = errs[err].field;
    return errs[err].key;
}

int pricing_json_decimal(json_t *in, const char *key, int decimals, int64_t max, int64_t *out,
                         json_t *errors, const char *lang)
{
    json_t *v = json_object_get(in, key);
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
        return 0;
    char buf[32];
    const char *s = NULL;
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = buf;
    } else if (json_is_string(v)) {
        s = json_string_value(v);
    }
    if (s && pricing_parse_decimal(s, decimals, max, out) == 0)
        return 1;
    if (errors)
        json_object_set_new(errors, key, json_string(i18n_msg(lang, "price.number")));
    return -1;
}

void pricing_reply_items(struct req *r, json_t *items)
{
    if (!items) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:o,s:I,s:n}", "items", items, "total",
                         (json_int_t)json_array_size(items), "next_cursor"));
}
