/*
 * test_pricing.c - the pricing engine (billing/pricing.h) on a price book
 * built in memory: chargeable weight (volume, steps rounded up), zones,
 * every contract rule kind and their precedence, the half-up rounding of
 * a line, surcharges, waivers, the minimum charge, versions and validity
 * boundaries; and 大写金额 with its zero rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "billing/pricing.h"

#define DAY            86400
#define T0             1767196800 /* 2026-01-01 00:00 +08:00 */
#define SET(buf, text) snprintf((buf), sizeof(buf), "%s", (text))

static struct price_list lists[2];
static struct price_book book = {lists, 1};
static struct price_rule rule_buf[8];
static struct price_rules rules = {rule_buf, 0};

static void set_rate(struct price_product *p, int zone, int64_t first_fen, int64_t step_fen,
                     int64_t min_fen)
{
    p->rates[zone] = (struct price_rate){1000, first_fen, 1000, step_fen, min_fen, true};
}

/* Two provinces: 广东省 (A) and 北京市 (B); A→B is z4, A→A intra. */
static void make_list(struct price_list *l, int64_t id, int64_t effective_at, int64_t z4_first)
{
    memset(l, 0, sizeof(*l));
    memset(l->zones, -1, sizeof(l->zones));
    l->id = id;
    l->effective_at = effective_at;
    l->nprovinces = 3;
    SET(l->provinces[0], "广东省");
    SET(l->provinces[1], "北京市");
    SET(l->provinces[2], "新疆维吾尔自治区");
    l->zones[0][0] = ZONE_INTRA;
    l->zones[0][1] = ZONE_Z4;
    l->zones[1][0] = ZONE_Z4;
    l->zones[0][2] = ZONE_REMOTE;
    l->nproducts = 1;
    struct price_product *p = &l->products[0];
    SET(p->code, "standard");
    p->volume_divisor = 6000;
    set_rate(p, ZONE_LOCAL, 800, 160, 800);
    set_rate(p, ZONE_INTRA, 1000, 200, 800);
    set_rate(p, ZONE_Z4, z4_first, 360, 800);
    set_rate(p, ZONE_REMOTE, 2500, 500, 800);
    l->insured_rate_bp = 30;
    l->insured_min_fen = 100;
    l->cod_rate_bp = 10;
    l->cod_min_fen = 300;
    l->nremote = 2;
    SET(l->remote[0].province, "新疆维吾尔自治区");
    l->remote[0].fen = 800;
    SET(l->remote[1].province, "新疆维吾尔自治区");
    SET(l->remote[1].city, "喀什地区");
    l->remote[1].fen = 1500;
}

static int setup(void **state)
{
    (void)state;
    make_list(&lists[0], 1, T0 - 365 * DAY, 1800);
    make_list(&lists[1], 2, T0 + 31 * DAY, 2000);
    book.nlists = 1;
    rules.nrules = 0;
    return 0;
}

static struct price_input input(const char *dest_prov, const char *dest_city, int64_t g)
{
    return (struct price_input){.product = "standard",
                                .origin_province = "广东省",
                                .origin_city = "广州市",
                                .dest_province = dest_prov,
                                .dest_city = dest_city,
                                .weight_g = g,
                                .at = T0 + 10 * DAY};
}

static struct price_rule *add_rule(enum price_rule_kind kind, int64_t pct)
{
    struct price_rule *r = &rule_buf[rules.nrules++];
    memset(r, 0, sizeof(*r));
    r->id = rules.nrules;
    r->kind = kind;
    r->percent_bp = pct;
    r->zone = -1;
    r->from_at = T0;
    return r;
}

static int64_t price(const struct price_input *in)
{
    struct price_result res;
    assert_int_equal(pricing_price(&book, &rules, in, &res), PRICING_OK);
    int64_t sum = 0;
    for (int i = 0; i < res.nlines; i++)
        sum += res.lines[i].has_amount ? res.lines[i].amount_fen : 0;
    assert_int_equal(sum, res.total_fen); /* the total is the sum of the lines */
    return res.total_fen;
}

static const struct price_line *line(const struct price_result *res, enum price_line_kind k)
{
    for (int i = 0; i < res->nlines; i++)
        if (res->lines[i].kind == k)
            return &res->lines[i];
    return NULL;
}

static void test_helpers(void **state)
{
    (void)state;
    assert_int_equal(pricing_round_weight(1, 1000, 1000), 1000);
    assert_int_equal(pricing_round_weight(1000, 1000, 1000), 1000);
    assert_int_equal(pricing_round_weight(1001, 1000, 1000), 2000);
    assert_int_equal(pricing_round_weight(2300, 1000, 500), 2500);
    assert_int_equal(pricing_round_weight(2500, 1000, 500), 2500);
    assert_int_equal(pricing_mul_div(1800, 9225, 10000), 1661); /* 1660.5 up */
    assert_int_equal(pricing_mul_div(1801, 9225, 10000), 1661); /* 1661.4225 */
    assert_int_equal(pricing_mul_div(1000, 15, 10000), 2);      /* 1.5 up */
    assert_int_equal(pricing_mul_div(1000, 14, 10000), 1);      /* 1.4 down */
    int64_t v = 0;
    assert_int_equal(pricing_parse_decimal("92.5", 2, 10000, &v), 0);
    assert_int_equal(v, 9250);
    assert_int_equal(pricing_parse_decimal("12", 2, 1000000, &v), 0);
    assert_int_equal(v, 1200);
    assert_int_equal(pricing_parse_decimal("1.250", 3, 1000000, &v), 0);
    assert_int_equal(v, 1250);
    assert_int_equal(pricing_parse_decimal("1.2345", 3, 1000000, &v), -1);
    assert_int_equal(pricing_parse_decimal("-1", 2, 1000, &v), -1);
    assert_int_equal(pricing_parse_decimal("1e3", 2, 1000, &v), -1);
    assert_int_equal(pricing_parse_decimal(".5", 2, 1000, &v), -1);
    assert_int_equal(pricing_parse_decimal("5.", 2, 1000, &v), -1);
    assert_int_equal(pricing_parse_decimal("100.01", 2, 10000, &v), -1); /* over max */
    char p[48], c[48];
    pricing_split_region("广东省/广州市/天河区", p, sizeof(p), c, sizeof(c));
    assert_string_equal(p, "广东省");
    assert_string_equal(c, "广州市");
    pricing_split_region("北京市", p, sizeof(p), c, sizeof(c));
    assert_string_equal(c, "");
}

static void test_weight_and_zone(void **state)
{
    (void)state;
    struct price_input in = input("北京市", "北京市", 2300);
    struct price_result res;
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_OK);
    assert_int_equal(res.zone, ZONE_Z4);
    assert_int_equal(res.chargeable_g, 3000);
    assert_int_equal(res.total_fen, 1800 + 2 * 360);
    assert_int_equal(line(&res, LINE_STEPS)->a, 2);
    /* exactly the first weight: no step line */
    in.weight_g = 1000;
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_OK);
    assert_null(line(&res, LINE_STEPS));
    assert_int_equal(res.total_fen, 1800);
    /* the fed volume weight wins when heavier */
    in.volume_g = 3500;
    assert_int_equal(price(&in), 1800 + 3 * 360);
    /* dimensions over the divisor win over the fed one: 40×30×30/6000 = 6 kg */
    in.length_cm = 40;
    in.width_cm = 30;
    in.height_cm = 30;
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_OK);
    assert_int_equal(res.chargeable_g, 6000);
    assert_int_equal(line(&res, LINE_WEIGHT)->d, 1);
    /* a lighter volume weight does not count */
    in = input("北京市", "", 2300);
    in.volume_g = 100;
    assert_int_equal(price(&in), 1800 + 2 * 360);
    /* same city: 同城; same province other city: 省内 */
    in = input("广东省", "广州市", 1000);
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_OK);
    assert_int_equal(res.zone, ZONE_LOCAL);
    in.dest_city = "深圳市";
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_OK);
    assert_int_equal(res.zone, ZONE_INTRA);
}

static void test_errors(void **state)
{
    (void)state;
    struct price_result res;
    struct price_input in = input("火星", "", 1000);
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_DEST);
    in = input("北京市", "", 1000);
    in.origin_province = "月球";
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_ORIGIN);
    in = input("北京市", "", 1000);
    in.product = "tea";
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_PRODUCT);
    in = input("北京市", "", 0);
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_WEIGHT);
    in = input("北京市", "", 1000);
    in.at = T0 - 400 * DAY;
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_NO_LIST);
    /* 北京 → 广东 is mapped but no rate for 北京→新疆 exists in the map */
    in = input("新疆维吾尔自治区", "", 1000);
    in.origin_province = "北京市";
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_DEST);
    lists[0].products[0].rates[ZONE_Z4].set = false;
    in = input("北京市", "", 1000);
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_NO_RATE);
    lists[0].products[0].rates[ZONE_Z4].set = true;
}

static void test_versions(void **state)
{
    (void)state;
    book.nlists = 2;
    struct price_input in = input("北京市", "", 1000);
    in.at = T0 + 31 * DAY - 1; /* the last second of the old version */
    assert_int_equal(price(&in), 1800);
    in.at = T0 + 31 * DAY; /* the new one's first */
    assert_int_equal(price(&in), 2000);
    struct price_result res;
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_OK);
    assert_int_equal(res.list_id, 2);
}

static void test_surcharges_and_minimum(void **state)
{
    (void)state;
    struct price_input in = input("北京市", "", 1000);
    in.declared_fen = 200000; /* 3‰ = 6.00 */
    in.cod_fen = 50000;       /* 1‰ = 0.50, minimum 3.00 */
    struct price_result res;
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_OK);
    assert_int_equal(line(&res, LINE_INSURED)->amount_fen, 600);
    assert_int_equal(line(&res, LINE_COD)->amount_fen, 300);
    assert_int_equal(res.total_fen, 1800 + 600 + 300);
    /* 3‰ of 50.05 is 15.015 fen: half up per line would be 15, minimum 100 */
    in.declared_fen = 5005;
    in.cod_fen = 0;
    assert_int_equal(pricing_price(&book, NULL, &in, &res), PRICING_OK);
    assert_int_equal(line(&res, LINE_INSURED)->amount_fen, 100);
    assert_null(line(&res, LINE_COD));
    /* remote: the city's row over the province's */
    in = input("新疆维吾尔自治区", "乌鲁木齐市", 1000);
    assert_int_equal(price(&in), 2500 + 800);
    in.dest_city = "喀什地区";
    assert_int_equal(price(&in), 2500 + 1500);
    /* minimum: a discounted local parcel is raised to 8.00 */
    struct price_rule *r = add_rule(RULE_DISCOUNT, 5000);
    in = input("广东省", "广州市", 1000);
    assert_int_equal(pricing_price(&book, &rules, &in, &res), PRICING_OK);
    assert_int_equal(res.total_fen, 800);
    assert_int_equal(res.lines[res.nlines - 1].kind, LINE_MINIMUM);
    assert_int_equal(res.lines[res.nlines - 1].amount_fen, 400);
    (void)r;
}

static void test_discount_tier_rounding(void **state)
{
    (void)state;
    struct price_input in = input("北京市", "", 1000);
    struct price_rule *d = add_rule(RULE_DISCOUNT, 9225);
    SET(d->product, "standard");
    struct price_result res;
    assert_int_equal(pricing_price(&book, &rules, &in, &res), PRICING_OK);
    /* 18.00 × 92.25 % = 16.605: the half goes up, once, in the line */
    assert_int_equal(res.total_fen, 1661);
    assert_int_equal(line(&res, LINE_DISCOUNT)->amount_fen, 1661 - 1800);
    assert_int_equal(line(&res, LINE_DISCOUNT)->rule_id, d->id);
    /* a tier of 1000 pieces at 95 % multiplies, rounded once */
    struct price_rule *t = add_rule(RULE_TIER, 9500);
    t->threshold = 1000;
    in.month_pieces = 999;
    assert_int_equal(price(&in), 1661);
    in.month_pieces = 1000;
    assert_int_equal(price(&in), 1577); /* 1800 × .9225 × .95 = 1577.475 */
    /* the higher tier reached wins */
    struct price_rule *t2 = add_rule(RULE_TIER, 9000);
    t2->threshold = 2000;
    assert_int_equal(price(&in), 1577);
    in.month_pieces = 2500;
    assert_int_equal(price(&in), 1494); /* 1800 × .9225 × .90 = 1494.45 */
    /* a tier on spend counts fen */
    t->by_spend = true;
    t->threshold = 100000;
    t2->kind = RULE_WAIVE; /* out of the way */
    t2->service = 0;
    in.month_pieces = 0;
    in.month_spend_fen = 99999;
    assert_int_equal(price(&in), 1661);
    in.month_spend_fen = 100000;
    assert_int_equal(price(&in), 1577);
}

static void test_specific_rule_wins(void **state)
{
    (void)state;
    struct price_input in = input("北京市", "", 1000);
    add_rule(RULE_DISCOUNT, 9000); /* all products, whole enterprise */
    struct price_rule *prod = add_rule(RULE_DISCOUNT, 8000);
    SET(prod->product, "standard");
    struct price_rule *dept = add_rule(RULE_DISCOUNT, 7000);
    dept->department_id = 5;
    struct price_rule *other = add_rule(RULE_DISCOUNT, 5000);
    other->department_id = 6;
    SET(other->product, "standard");
    assert_int_equal(price(&in), 1440); /* the product's 80 % */
    in.department_id = 5;
    assert_int_equal(price(&in), 1260); /* the department's 70 % over the product's */
    in.department_id = 6;
    assert_int_equal(price(&in), 900);
    /* another product: only the all-products rule */
    lists[0].products[1] = lists[0].products[0];
    SET(lists[0].products[1].code, "economy");
    lists[0].nproducts = 2;
    in = input("北京市", "", 1000);
    in.product = "economy";
    assert_int_equal(price(&in), 1620);
    lists[0].nproducts = 1;
}

static void test_fixed_and_waivers(void **state)
{
    (void)state;
    struct price_rule *d = add_rule(RULE_DISCOUNT, 5000);
    struct price_rule *f = add_rule(RULE_FIXED, 10000);
    f->zone = ZONE_Z4;
    f->per_piece = true;
    f->fixed_fen = 500; /* below the 8.00 minimum: the agreed price stands */
    struct price_input in = input("北京市", "", 7300);
    struct price_result res;
    assert_int_equal(pricing_price(&book, &rules, &in, &res), PRICING_OK);
    assert_int_equal(res.total_fen, 500);
    assert_null(line(&res, LINE_DISCOUNT));
    assert_null(line(&res, LINE_MINIMUM));
    assert_int_equal(line(&res, LINE_FIXED)->rule_id, f->id);
    /* by weight: its own first weight and steps */
    f->per_piece = false;
    f->first_g = 2000;
    f->first_fen = 1200;
    f->step_g = 500;
    f->step_fen = 100;
    assert_int_equal(price(&in), 1200 + 11 * 100); /* 7.3 kg → 7.5: 11 steps of 0.5 */
    /* another zone keeps the list × discount */
    in = input("广东省", "深圳市", 3000);
    assert_int_equal(price(&in), 800); /* 14.00 × 50 % = 7.00 → minimum 8.00 */
    d->percent_bp = 9000;
    assert_int_equal(price(&in), 1260);
    /* waivers take the fee off again, after it was shown */
    struct price_rule *w = add_rule(RULE_WAIVE, 0);
    w->service = SERVICE_COD;
    in.cod_fen = 100000;
    in.declared_fen = 100000;
    assert_int_equal(pricing_price(&book, &rules, &in, &res), PRICING_OK);
    assert_int_equal(line(&res, LINE_COD)->amount_fen, 300);
    assert_int_equal(line(&res, LINE_WAIVE)->amount_fen, -300);
    assert_int_equal(res.total_fen, 1260 + 300); /* 保价 3.00 stays */
}

static void test_validity_boundaries(void **state)
{
    (void)state;
    struct price_rule *d = add_rule(RULE_DISCOUNT, 5000);
    d->from_at = T0 + 5 * DAY;
    d->to_at = T0 + 6 * DAY; /* one day: [from, to) */
    struct price_input in = input("北京市", "", 1000);
    in.at = T0 + 5 * DAY - 1;
    assert_int_equal(price(&in), 1800);
    in.at = T0 + 5 * DAY;
    assert_int_equal(price(&in), 900);
    in.at = T0 + 6 * DAY - 1;
    assert_int_equal(price(&in), 900);
    in.at = T0 + 6 * DAY;
    assert_int_equal(price(&in), 1800);
    d->to_at = 0; /* open */
    in.at = T0 + 3650 * DAY;
    assert_int_equal(price(&in), 900);
}

static void words(int64_t fen, const char *want)
{
    char out[PRICING_WORDS_MAX];
    assert_string_equal(pricing_amount_words(fen, out, sizeof(out)), want);
}

static void test_words(void **state)
{
    (void)state;
    words(0, "零元整");
    words(1, "壹分");
    words(10, "壹角整");
    words(11, "壹角壹分");
    words(100, "壹元整");
    words(107, "壹元零柒分");
    words(170, "壹元柒角整");
    words(1000, "壹拾元整");
    words(1500, "壹拾伍元整");
    words(10100, "壹佰零壹元整");
    words(11000, "壹佰壹拾元整");
    words(100450, "壹仟零肆元伍角整");
    words(100005, "壹仟元零伍分");
    words(1000000, "壹万元整");
    words(1050000, "壹万零伍佰元整");
    words(1500000, "壹万伍仟元整");
    words(10000007, "壹拾万元零柒分");
    words(10000500, "壹拾万零伍元整");
    words(100100000, "壹佰万零壹仟元整"); /* 万位 0, 千位 not: 零 (allowed either way) */
    words(123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分");
    words(10000000000, "壹亿元整");
    words(10000010000, "壹亿零壹佰元整");
    words(10001000000, "壹亿零壹万元整");
    words(11000000000, "壹亿壹仟万元整");
    words(100000000000000, "壹万亿元整");
    words(-2550, "负贰拾伍元伍角整");
    words(2520, "贰拾伍元贰角整");
    /* a buffer too small is cut, never overrun */
    char small[8];
    pricing_amount_words(123456789, small, sizeof(small));
    assert_true(strlen(small) < sizeof(small));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_helpers, setup),
        cmocka_unit_test_setup(test_weight_and_zone, setup),
        cmocka_unit_test_setup(test_errors, setup),
        cmocka_unit_test_setup(test_versions, setup),
        cmocka_unit_test_setup(test_surcharges_and_minimum, setup),
        cmocka_unit_test_setup(test_discount_tier_rounding, setup),
        cmocka_unit_test_setup(test_specific_rule_wins, setup),
        cmocka_unit_test_setup(test_fixed_and_waivers, setup),
        cmocka_unit_test_setup(test_validity_boundaries, setup),
        cmocka_unit_test(test_words),
    };
    return cmocka_run_group_tests_name("pricing", tests, NULL, NULL);
}
