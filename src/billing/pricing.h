/*
 * pricing.h - the pricing engine: what a waybill costs under the list
 * price table (价目表) and its enterprise's contract rules (合同价), and
 * why, line by line (docs/billing.md).
 *
 * The engine is a pure function over values loaded once: a statement run
 * loads an enterprise's price book and rules once (price_load.c) and then
 * prices each waybill with pricing_price(), which reads no database and
 * allocates nothing.
 *
 * Money is integer fen, weights integer grams, rates integer basis points
 * (1/10000: 3‰ = 30, 92 % = 9200). Nothing here is a float.
 *
 * Order of precedence (the one documented order):
 *   1. Chargeable weight: the larger of the actual weight and the volume
 *      weight (dimensions / the product's divisor when the dimensions are
 *      given and the product has one, else the volume weight as fed),
 *      rounded UP to the first weight plus whole steps.
 *   2. Zone: same province and city is 同城 (local); otherwise the
 *      version's origin province → destination province map.
 *   3. Freight: a valid fixed price for the product and zone REPLACES the
 *      list freight (per piece, or its own first weight + steps), and no
 *      discount applies to it. Otherwise the list freight (first weight +
 *      steps × step price) × the product discount × the volume-tier
 *      discount (both apply, one after the other: they multiply).
 *   4. Surcharges, never discounted: 保价 (declared value × rate, at least
 *      the minimum), 代收货款 (COD amount × rate, at least the minimum),
 *      the remote-area surcharge of the destination (its city's row over
 *      its province's).
 *   5. Waivers: a valid waiver of 保价 or 代收 takes that fee off again.
 *   6. Minimum charge last: a total below the zone's minimum charge is
 *      raised to it (not for a fixed contract price, which is the agreed
 *      amount).
 * Of several rules of one kind, the most specific valid at the waybill's
 * collection time wins: the waybill's department over the whole
 * enterprise, then a named product over "all products"; of the volume
 * tiers that pick, the highest threshold the month has reached.
 *
 * Rounding (the one rule): each line is computed exactly in integers
 * (rates leave fractions of a fen in 1/10000 or 1/10^8 fen) and rounded
 * half up to the fen once, in that line; the total is the sum of the
 * rounded lines.
 */
#ifndef HY_PRICING_H
#define HY_PRICING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- zones and products ---- */

enum {
    ZONE_LOCAL,
    ZONE_INTRA,
    ZONE_Z1,
    ZONE_Z2,
    ZONE_Z3,
    ZONE_Z4,
    ZONE_Z5,
    ZONE_REMOTE,
    ZONE_COUNT
};
/* "local", "intra", "z1" … "z5", "remote"; pricing_zone_index: -1 unknown. */
const char *pricing_zone_code(int zone);
int pricing_zone_index(const char *code);

#define PRICING_MAX_PRODUCTS  16
#define PRICING_MAX_PROVINCES 40
#define PRICING_MAX_REMOTE    64

struct price_rate {
    int64_t first_g, first_fen, step_g, step_fen, min_fen;
    bool set; /* false: the product is not sold to this zone */
};

struct price_product {
    char code[32];
    int64_t volume_divisor; /* cm³ per kg; 0: the fed volume weight */
    struct price_rate rates[ZONE_COUNT];
};

struct price_remote {
    char province[48], city[48]; /* city "": the whole province */
    int64_t fen;
};

/* One version of the list price table. */
struct price_list {
    int64_t id, effective_at;
    char effective_on[11];
    int64_t insured_rate_bp, insured_min_fen, cod_rate_bp, cod_min_fen;
    int nproducts, nprovinces, nremote;
    struct price_product products[PRICING_MAX_PRODUCTS];
    char provinces[PRICING_MAX_PROVINCES][48];
    /* zones[o][d]: the zone from province o to d, -1 none */
    signed char zones[PRICING_MAX_PROVINCES][PRICING_MAX_PROVINCES];
    struct price_remote remote[PRICING_MAX_REMOTE];
};

/* The versions that may apply, oldest first (price_load.c fills it). */
struct price_book {
    struct price_list *lists;
    int nlists;
};
/* The version in force at t (Unix seconds): the latest effective_at <= t,
 * NULL when none is. */
const struct price_list *price_book_at(const struct price_book *b, int64_t t);

/* Index of province (full name, "广东省") in l, -1 when not listed. */
int price_list_province(const struct price_list *l, const char *province);
struct price_product *price_list_product(struct price_list *l, const char *code);
const struct price_product *price_list_product_c(const struct price_list *l, const char *code);

/* ---- contract rules ---- */

enum price_rule_kind { RULE_DISCOUNT, RULE_TIER, RULE_FIXED, RULE_WAIVE };
enum price_service { SERVICE_INSURED = 1, SERVICE_COD = 2 };

struct price_rule {
    int64_t id;
    enum price_rule_kind kind;
    int64_t department_id; /* 0: the whole enterprise */
    char product[32];      /* "": every product */
    int zone;              /* fixed: the zone */
    int service;           /* waive: SERVICE_* */
    bool by_spend;         /* tier: threshold in fen of the month's spend, else pieces */
    int64_t threshold;
    int64_t percent_bp; /* discount, tier: 100-10000 */
    bool per_piece;     /* fixed: fixed_fen a piece, else first/step */
    int64_t fixed_fen, first_g, first_fen, step_g, step_fen;
    int64_t from_at, to_at; /* valid in [from_at, to_at); to_at 0: open */
};

struct price_rules {
    struct price_rule *rules;
    int nrules;
};

/* ---- one waybill ---- */

struct price_input {
    const char *product;
    const char *origin_province, *origin_city; /* city may be "" */
    const char *dest_province, *dest_city;
    int64_t weight_g;
    int64_t volume_g;                       /* the fed volume weight, 0 none */
    int64_t length_cm, width_cm, height_cm; /* 0: not given */
    int64_t declared_fen, cod_fen;
    int64_t at; /* collection time: picks the version and the rules */
    int64_t department_id;
    int64_t month_pieces, month_spend_fen; /* the month's volume, for tiers */
};

/* What a line says; the API names it "pricing.<name>" (pricing_line_key). */
enum price_line_kind {
    LINE_WEIGHT,   /* a actual g, b volume g, c chargeable g, d 1 when volume won */
    LINE_ZONE,     /* zone; s origin province, s2 destination province */
    LINE_FIRST,    /* a first g; amount */
    LINE_STEPS,    /* a steps, b step g, c step fen; amount */
    LINE_FIXED,    /* rule; a 1 per piece (b fen) else first/steps (b first g, c steps) */
    LINE_DISCOUNT, /* rule product discount a bp (0 none), tier rule b bp (0 none), c base fen */
    LINE_INSURED,  /* a declared fen, b rate bp, c minimum fen */
    LINE_COD,      /* a COD fen, b rate bp, c minimum fen */
    LINE_REMOTE,   /* s province, s2 city */
    LINE_WAIVE,    /* rule; a service */
    LINE_MINIMUM,  /* a minimum fen, b total before */
    LINE_KINDS
};
const char *pricing_line_key(enum price_line_kind k);

struct price_line {
    enum price_line_kind kind;
    bool has_amount;
    int64_t amount_fen;
    int64_t a, b, c, d;
    int64_t rule_id, rule2_id; /* the contract rule(s) behind it, 0 none */
    const char *s, *s2;        /* borrowed from the input or the list */
};

#define PRICING_MAX_LINES 16

enum pricing_error {
    PRICING_OK = 0,
    PRICING_NO_LIST = 1, /* no version in force at that time */
    PRICING_PRODUCT = 2, /* the product is not in the version */
    PRICING_ORIGIN = 3,  /* origin province not in the zone map */
    PRICING_DEST = 4,    /* destination province not in the zone map */
    PRICING_NO_RATE = 5, /* no rate for that product and zone */
    PRICING_WEIGHT = 6,  /* weight not above 0 */
};

struct price_result {
    int zone;
    int64_t chargeable_g;
    int64_t freight_fen; /* after the discounts or the fixed price */
    int64_t total_fen;
    int64_t list_id;
    int nlines;
    struct price_line lines[PRICING_MAX_LINES];
};

/* Price one waybill: PRICING_OK with out filled (the lines say why), or
 * an enum pricing_error (out->nlines 0). rules may be NULL (list price).
 * Pure: no database, no allocation. */
int pricing_price(const struct price_book *book, const struct price_rules *rules,
                  const struct price_input *in, struct price_result *out);

/* ---- helpers ---- */

/* x * num / den rounded half up (x, num >= 0, den > 0), exact in 128 bits. */
int64_t pricing_mul_div(int64_t x, int64_t num, int64_t den);
/* The chargeable weight of w grams with first weight first_g and steps of
 * step_g: first_g when w <= first_g, else rounded up to a whole step. */
int64_t pricing_round_weight(int64_t w, int64_t first_g, int64_t step_g);
/* Decimal text ("92.5", "12.50", "3") as an integer scaled by 10^decimals
 * (decimals ≤ 4): 0, or -1 when s is not a non-negative decimal with at
 * most that many decimals, or exceeds max. */
int pricing_parse_decimal(const char *s, int decimals, int64_t max, int64_t *out);
/* "广东省/广州市/天河区" → province "广东省" and city "广州市" (empty
 * when absent), each cut to its buffer. */
void pricing_split_region(const char *region, char *province, size_t plen, char *city, size_t clen);

/* ---- money in words (大写金额) ---- */

/* The amount fen (>= 0) in Chinese capital numerals as a statement prints
 * it: 100450 → "壹仟零肆元伍角整", 10000007 → "壹拾万元零柒分", 0 →
 * "零元整"; a negative amount is prefixed "负". out holds at least
 * PRICING_WORDS_MAX bytes; answers out. */
#define PRICING_WORDS_MAX 256
char *pricing_amount_words(int64_t fen, char *out, size_t outlen);

#endif
