/*
 * pricing.c - the pricing engine (see pricing.h for the order of
 * precedence and the rounding rule): pure functions over a loaded price
 * book and an enterprise's rules, and the helpers they stand on.
 */
#include "billing/pricing.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

static const char *const zone_codes[ZONE_COUNT] = {"local", "intra", "z1", "z2",
                                                   "z3",    "z4",    "z5", "remote"};

const char *pricing_zone_code(int zone)
{
    return zone >= 0 && zone < ZONE_COUNT ? zone_codes[zone] : "";
}

int pricing_zone_index(const char *code)
{
    for (int i = 0; code && i < ZONE_COUNT; i++)
        if (strcmp(zone_codes[i], code) == 0)
            return i;
    return -1;
}

static const char *const line_keys[LINE_KINDS] = {
    "pricing.weight", "pricing.zone",     "pricing.first",   "pricing.steps",
    "pricing.fixed",  "pricing.discount", "pricing.insured", "pricing.cod",
    "pricing.remote", "pricing.waive",    "pricing.minimum",
};

const char *pricing_line_key(enum price_line_kind k)
{
    return k < LINE_KINDS ? line_keys[k] : "";
}

int64_t pricing_mul_div(int64_t x, int64_t num, int64_t den)
{
    if (x <= 0 || num <= 0 || den <= 0)
        return 0;
    u128 p = (u128)x * (u128)num;
    u128 q = (p + (u128)den / 2) / (u128)den; /* half up: the half goes up */
    return q > (u128)INT64_MAX ? INT64_MAX : (int64_t)q;
}

int64_t pricing_round_weight(int64_t w, int64_t first_g, int64_t step_g)
{
    if (w <= first_g || step_g <= 0)
        return first_g;
    int64_t extra = w - first_g;
    return first_g + (extra + step_g - 1) / step_g * step_g;
}

int pricing_parse_decimal(const char *s, int decimals, int64_t max, int64_t *out)
{
    if (!s || !*s || decimals < 0 || decimals > 4)
        return -1;
    int64_t v = 0;
    int frac = -1; /* digits after the point, -1 before it */
    const char *p = s;
    for (; *p; p++) {
        if (*p == '.') {
            if (frac >= 0 || p == s)
                return -1;
            frac = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return -1;
        if (frac >= 0 && ++frac > decimals)
            return -1;
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (frac == 0) /* "12." */
        return -1;
    for (int i = frac < 0 ? 0 : frac; i < decimals; i++) {
        if (v > INT64_MAX / 10)
            return -1;
        v *= 10;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

void pricing_split_region(const char *region, char *province, size_t plen, char *city, size_t clen)
{
    const char *s = region ? region : "";
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    snprintf(province, plen, "%.*s", (int)n, s);
    if (!slash) {
        snprintf(city, clen, "%s", "");
        return;
    }
    const char *c = slash + 1, *end = strchr(c, '/');
    n = end ? (size_t)(end - c) : strlen(c);
    snprintf(city, clen, "%.*s", (int)n, c);
}

const struct price_list *price_book_at(const struct price_book *b, int64_t t)
{
    const struct price_list *best = NULL;
    for (int i = 0; b && i < b->nlists; i++)
        if (b->lists[i].effective_at <= t &&
            (!best || b->lists[i].effective_at > best->effective_at))
            best = &b->lists[i];
    return best;
}

int price_list_province(const struct price_list *l, const char *province)
{
    for (int i = 0; province && i < l->nprovinces; i++)
        if (strcmp(l->provinces[i], province) == 0)
            return i;
    return -1;
}

const struct price_product *price_list_product_c(const struct price_list *l, const char *code)
{
    for (int i = 0; code && i < l->nproducts; i++)
        if (strcmp(l->products[i].code, code) == 0)
            return &l->products[i];
    return NULL;
}

struct price_product *price_list_product(struct price_list *l, const char *code)
{
    return (struct price_product *)price_list_product_c(l, code);
}

/* ---- rule choice ---- */

static bool rule_valid(const struct price_rule *r, int64_t at)
{
    return r->from_at <= at && (!r->to_at || at < r->to_at);
}

/* How specific r is for the waybill, -1 when it does not apply: its
 * department over the whole enterprise, a named product over all. */
static int rule_score(const struct price_rule *r, const struct price_input *in)
{
    if (r->department_id && r->department_id != in->department_id)
        return -1;
    if (r->product[0] && strcmp(r->product, in->product) != 0)
        return -1;
    return (r->department_id ? 2 : 0) + (r->product[0] ? 1 : 0);
}

/* The best rule of kind for the waybill (zone for fixed, service for
 * waive), NULL when none applies. Tiers: of the most specific, the highest
 * threshold the month has reached. */
static const struct price_rule *pick(const struct price_rules *rules, const struct price_input *in,
                                     enum price_rule_kind kind, int zone, int service)
{
    const struct price_rule *best = NULL;
    int best_score = -1;
    for (int i = 0; rules && i < rules->nrules; i++) {
        const struct price_rule *r = &rules->rules[i];
        if (r->kind != kind || !rule_valid(r, in->at))
            continue;
        if (kind == RULE_FIXED && r->zone != zone)
            continue;
        if (kind == RULE_WAIVE && r->service != service)
            continue;
        if (kind == RULE_TIER &&
            (r->by_spend ? in->month_spend_fen : in->month_pieces) < r->threshold)
            continue;
        int score = rule_score(r, in);
        if (score < 0)
            continue;
        if (score > best_score ||
            (score == best_score && kind == RULE_TIER && r->threshold > best->threshold)) {
            best = r;
            best_score = score;
        }
    }
    return best;
}

/* ---- the engine ---- */

static struct price_line *add(struct price_result *out, enum price_line_kind kind)
{
    struct price_line *l = &out->lines[out->nlines++];
    memset(l, 0, sizeof(*l));
    l->kind = kind;
    return l;
}

static void amount(struct price_result *out, struct price_line *l, int64_t fen)
{
    l->has_amount = true;
    l->amount_fen = fen;
    out->total_fen += fen;
}

/* The volume weight in grams: dimensions over the divisor (cm³ per kg,
 * rounded up to the gram) when both are there, else the fed one. */
static int64_t volume_weight(const struct price_product *p, const struct price_input *in)
{
    if (p->volume_divisor > 0 && in->length_cm > 0 && in->width_cm > 0 && in->height_cm > 0) {
        u128 cm3 = (u128)in->length_cm * (u128)in->width_cm * (u128)in->height_cm;
        u128 g = (cm3 * 1000 + (u128)p->volume_divisor - 1) / (u128)p->volume_divisor;
        return g > (u128)INT64_MAX ? INT64_MAX : (int64_t)g;
    }
    return in->volume_g > 0 ? in->volume_g : 0;
}

static int find_zone(const struct price_list *l, const struct price_input *in, int *zone)
{
    int o = price_list_province(l, in->origin_province);
    int d = price_list_province(l, in->dest_province);
    if (o < 0)
        return PRICING_ORIGIN;
    if (d < 0)
        return PRICING_DEST;
    if (o == d && in->origin_city && in->dest_city && in->origin_city[0] &&
        strcmp(in->origin_city, in->dest_city) == 0) {
        *zone = ZONE_LOCAL;
        return 0;
    }
    *zone = l->zones[o][d];
    return *zone < 0 ? PRICING_DEST : 0;
}

/* First weight and steps of a rate (the list's or a fixed rule's) as two
 * lines; answers the freight. */
static int64_t weight_lines(struct price_result *out, int64_t chargeable, int64_t first_g,
                            int64_t first_fen, int64_t step_g, int64_t step_fen)
{
    struct price_line *l = add(out, LINE_FIRST);
    l->a = first_g;
    amount(out, l, first_fen);
    int64_t steps = chargeable > first_g && step_g > 0 ? (chargeable - first_g) / step_g : 0;
    if (steps > 0) {
        l = add(out, LINE_STEPS);
        l->a = steps;
        l->b = step_g;
        l->c = step_fen;
        amount(out, l, steps * step_fen);
    }
    return first_fen + steps * step_fen;
}

/* A surcharge of value × rate, at least the minimum; 0 (no line) for no value. */
static int64_t surcharge(struct price_result *out, enum price_line_kind kind, int64_t value,
                         int64_t rate_bp, int64_t min_fen)
{
    if (value <= 0)
        return 0;
    int64_t fee = pricing_mul_div(value, rate_bp, 10000);
    if (fee < min_fen)
        fee = min_fen;
    struct price_line *l = add(out, kind);
    l->a = value;
    l->b = rate_bp;
    l->c = min_fen;
    amount(out, l, fee);
    return fee;
}

static void waive(struct price_result *out, const struct price_rules *rules,
                  const struct price_input *in, int service, int64_t fee)
{
    const struct price_rule *r = fee > 0 ? pick(rules, in, RULE_WAIVE, 0, service) : NULL;
    if (!r)
        return;
    struct price_line *l = add(out, LINE_WAIVE);
    l->rule_id = r->id;
    l->a = service;
    amount(out, l, -fee);
}

static void remote(struct price_result *out, const struct price_list *pl,
                   const struct price_input *in)
{
    const struct price_remote *hit = NULL;
    for (int i = 0; i < pl->nremote; i++) {
        const struct price_remote *r = &pl->remote[i];
        if (strcmp(r->province, in->dest_province) != 0)
            continue;
        if (r->city[0] && in->dest_city && strcmp(r->city, in->dest_city) == 0) {
            hit = r; /* the city's row wins */
            break;
        }
        if (!r->city[0] && !hit)
            hit = r;
    }
    if (!hit || hit->fen <= 0)
        return;
    struct price_line *l = add(out, LINE_REMOTE);
    l->s = hit->province;
    l->s2 = hit->city;
    amount(out, l, hit->fen);
}

int pricing_price(const struct price_book *book, const struct price_rules *rules,
                  const struct price_input *in, struct price_result *out)
{
    memset(out, 0, sizeof(*out));
    const struct price_list *pl = price_book_at(book, in->at);
    if (!pl)
        return PRICING_NO_LIST;
    const struct price_product *p = price_list_product_c(pl, in->product);
    if (!p)
        return PRICING_PRODUCT;
    if (in->weight_g <= 0)
        return PRICING_WEIGHT;
    int zone = -1, err = find_zone(pl, in, &zone);
    if (err)
        return err;
    const struct price_rate *rate = &p->rates[zone];
    const struct price_rule *fixed = pick(rules, in, RULE_FIXED, zone, 0);
    if (!rate->set && !fixed)
        return PRICING_NO_RATE;
    out->list_id = pl->id;
    out->zone = zone;

    /* 1. chargeable weight, rounded up on the steps of what prices it */
    int64_t vol = volume_weight(p, in);
    int64_t heavier = vol > in->weight_g ? vol : in->weight_g;
    int64_t first_g = fixed && !fixed->per_piece ? fixed->first_g : rate->first_g;
    int64_t step_g = fixed && !fixed->per_piece ? fixed->step_g : rate->step_g;
    out->chargeable_g =
        fixed && fixed->per_piece ? heavier : pricing_round_weight(heavier, first_g, step_g);
    struct price_line *l = add(out, LINE_WEIGHT);
    l->a = in->weight_g;
    l->b = vol;
    l->c = out->chargeable_g;
    l->d = vol > in->weight_g;
    /* 2. zone */
    l = add(out, LINE_ZONE);
    l->a = zone;
    l->s = in->origin_province;
    l->s2 = in->dest_province;

    /* 3. freight: a fixed price replaces it; else list × discounts */
    if (fixed) {
        if (fixed->per_piece) {
            l = add(out, LINE_FIXED);
            l->rule_id = fixed->id;
            l->a = 1;
            l->b = fixed->fixed_fen;
            amount(out, l, fixed->fixed_fen);
            out->freight_fen = fixed->fixed_fen;
        } else {
            l = add(out, LINE_FIXED);
            l->rule_id = fixed->id;
            out->freight_fen = weight_lines(out, out->chargeable_g, fixed->first_g,
                                            fixed->first_fen, fixed->step_g, fixed->step_fen);
        }
    } else {
        int64_t base = weight_lines(out, out->chargeable_g, rate->first_g, rate->first_fen,
                                    rate->step_g, rate->step_fen);
        const struct price_rule *disc = pick(rules, in, RULE_DISCOUNT, 0, 0);
        const struct price_rule *tier = pick(rules, in, RULE_TIER, 0, 0);
        int64_t freight = base;
        if (disc || tier) {
            int64_t pd = disc ? disc->percent_bp : 10000, pt = tier ? tier->percent_bp : 10000;
            freight = pricing_mul_div(base, pd * pt, 100000000);
            l = add(out, LINE_DISCOUNT);
            l->rule_id = disc ? disc->id : 0;
            l->rule2_id = tier ? tier->id : 0;
            l->a = disc ? pd : 0;
            l->b = tier ? pt : 0;
            l->c = base;
            amount(out, l, freight - base);
        }
        out->freight_fen = freight;
    }

    /* 4. surcharges, 5. their waivers */
    int64_t insured =
        surcharge(out, LINE_INSURED, in->declared_fen, pl->insured_rate_bp, pl->insured_min_fen);
    int64_t cod = surcharge(out, LINE_COD, in->cod_fen, pl->cod_rate_bp, pl->cod_min_fen);
    remote(out, pl, in);
    waive(out, rules, in, SERVICE_INSURED, insured);
    waive(out, rules, in, SERVICE_COD, cod);

    /* 6. the minimum charge, last */
    if (!fixed && out->total_fen < rate->min_fen) {
        l = add(out, LINE_MINIMUM);
        l->a = rate->min_fen;
        l->b = out->total_fen;
        amount(out, l, rate->min_fen - out->total_fen);
    }
    return PRICING_OK;
}

/* ---- 大写金额 ---- */

static const char *const digit_words[10] = {"零", "壹", "贰", "叁", "肆",
                                            "伍", "陆", "柒", "捌", "玖"};
static const char *const small_units[4] = {"", "拾", "佰", "仟"};
static const char *const big_units[4] = {"", "万", "亿", "万亿"};

static void put(char *out, size_t outlen, size_t *n, const char *s)
{
    int w = snprintf(out + *n, outlen > *n ? outlen - *n : 0, "%s", s);
    if (w > 0)
        *n += (size_t)w < outlen - *n ? (size_t)w : outlen - *n - 1;
}

/*
 * The zero rules: within the integer part, a run of zeros between two
 * non-zero digits is read as one 零 (1004 → 壹仟零肆), also across a
 * group of four (10,0005 → 壹拾万零伍; 1,0000,0001 → 壹亿零壹); trailing
 * zeros of a group say nothing but the group's unit (100000 → 壹拾万); an
 * empty group of ten-thousands says no 万 (1,0000,0000 → 壹亿). Then 元;
 * 角 and 分: no fen ends in 整; a zero jiao before fen is 零 (1.07 →
 * 壹元零柒分); a zero yuan part says nothing (0.5 → 伍角整). Where the
 * rules of 支付结算办法 let one write 零 or not (the 万 digit zero before
 * a thousand: 1,001,000 → 壹佰万零壹仟; the yuan digit zero before jiao:
 * 1,680.32 → 壹仟陆佰捌拾元叁角贰分), it writes 零 for a zero inside the
 * integer part and none before the jiao.
 */
char *pricing_amount_words(int64_t fen, char *out, size_t outlen)
{
    size_t n = 0;
    if (outlen)
        out[0] = '\0';
    uint64_t v = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    if (fen < 0)
        put(out, outlen, &n, "负");
    uint64_t yuan = v / 100;
    int jiao = (int)(v / 10 % 10), cents = (int)(v % 10);
    if (yuan > 0) {
        int groups[8], ng = 0;
        for (uint64_t y = yuan; y; y /= 10000)
            groups[ng++] = (int)(y % 10000);
        bool zero_pending = false, started = false;
        for (int g = ng - 1; g >= 0; g--) {
            int grp = groups[g];
            if (grp == 0) {
                zero_pending = started;
                continue;
            }
            int digits[4] = {grp / 1000, grp / 100 % 10, grp / 10 % 10, grp % 10};
            for (int i = 0; i < 4; i++) {
                if (digits[i] == 0) {
                    zero_pending = started;
                    continue;
                }
                if (zero_pending)
                    put(out, outlen, &n, "零");
                zero_pending = false;
                put(out, outlen, &n, digit_words[digits[i]]);
                put(out, outlen, &n, small_units[3 - i]);
                started = true;
            }
            put(out, outlen, &n, big_units[g < 4 ? g : 3]);
        }
        put(out, outlen, &n, "元");
    }
    if (jiao == 0 && cents == 0) {
        if (yuan == 0)
            put(out, outlen, &n, "零元");
        put(out, outlen, &n, "整");
        return out;
    }
    if (jiao) {
        put(out, outlen, &n, digit_words[jiao]);
        put(out, outlen, &n, "角");
    } else if (yuan > 0) {
        put(out, outlen, &n, "零");
    }
    if (cents) {
        put(out, outlen, &n, digit_words[cents]);
        put(out, outlen, &n, "分");
    } else {
        put(out, outlen, &n, "整");
    }
    return out;
}
