/*
 * builder.c - the report builder's compiler (builder.h).
 *
 * A source (builder_sources.c, builder_int.h) names its FROM, what keeps a
 * row live, the scope rule that keeps a row to those the caller may see
 * (the same SQL the lists use), and its fields as a record/entity.h
 * descriptor. A dimension or measure names a field by key; only the
 * field's program-text expression reaches the SQL. Aliases in the SQL are
 * d0.., m0..: a name the user gave ("as") never does.
 *
 * Dates group at +08:00 by day, week (Monday), month, quarter or year
 * from the day number of the field (a time's (t + 8 h) / 1 day, a date
 * text's days since 1970); the branch tree groups at the ancestor of the
 * record's branch at a chosen level. Labels (dictionary items, options,
 * users, branches, date buckets) are looked up after the query.
 */
#include "report/builder.h"
#include "report/builder_int.h"

#include "base/date.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "core/perms.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "record/entity.h"
#include "record/filter.h"
#include "record/scope.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int max_rows = 5000;
static int limit_ms = 10000;

void builder_configure(void)
{
    const char *s = getenv("HONGYAN_REPORT_MAX_ROWS");
    if (s && strtol(s, NULL, 10) > 0)
        max_rows = (int)strtol(s, NULL, 10);
    s = getenv("HONGYAN_REPORT_TIMEOUT_MS");
    if (s && strtol(s, NULL, 10) > 0)
        limit_ms = (int)strtol(s, NULL, 10);
}

static bool english(const struct actor *u)
{
    return strncmp(u->lang, "en", 2) == 0;
}

/* ---- fields ------------------------------------------------------------ */

enum use { USE_DIMENSION, USE_MEASURE };

static bool is_numeric(enum field_type t)
{
    return t == FT_INT || t == FT_NUMBER || t == FT_MONEY;
}

/* A field that names a person's records (a customer, a contact) would
 * group by people: not a dimension. */
static bool person_ref(const struct entity_field *f)
{
    return f->type == FT_REF && (strstr(f->key, "customer") || strstr(f->key, "contact"));
}

static bool groupable(const struct entity_field *f)
{
    switch (f->type) {
    case FT_TEXT:
    case FT_SELECT:
    case FT_DATE:
    case FT_TIME:
    case FT_BRANCH:
    case FT_BOOLEAN:
    case FT_INT:
    case FT_NUMBER:
        return true;
    case FT_REF:
        return !person_ref(f);
    default:
        return false;
    }
}

static bool masked_for(const struct entity *e, const struct entity_field *f, const struct actor *u)
{
    if (f->lookup)
        return true;
    return f->mask != MASK_NONE && !(e->perm_reveal && (u->perms & e->perm_reveal));
}

/* The field key names for use, or NULL with err set. */
static const struct entity_field *field_for(const struct entity *e, const char *key,
                                            const struct actor *u, enum use use, const char *part,
                                            struct builder_error *err)
{
    const struct entity_field *f = key ? entity_field(e, key) : NULL;
    err->part = part;
    snprintf(err->where, sizeof(err->where), "%s", key ? key : "");
    if (!f || !f->expr || (f->flags & EF_INTERNAL)) {
        err->key = "report.unknown_field";
        return NULL;
    }
    if (masked_for(e, f, u)) {
        err->key = "report.masked_field";
        return NULL;
    }
    if (use == USE_DIMENSION ? !groupable(f) : !is_numeric(f->type)) {
        err->key = use == USE_DIMENSION ? "report.not_dimension" : "report.not_numeric";
        return NULL;
    }
    return f;
}

/* ---- grains ------------------------------------------------------------- */

enum grain { G_NONE, G_DAY, G_WEEK, G_MONTH, G_QUARTER, G_YEAR, G_PROVINCE, G_CITY, G_BRANCH };
static const char *const grain_names[] = {"",     "day",      "week", "month", "quarter",
                                          "year", "province", "city", "branch"};
#define NGRAINS (sizeof(grain_names) / sizeof(grain_names[0]))

static bool postgres(void)
{
    return strcmp(db_backend_name(), "postgres") == 0;
}

/* The day number (+08:00) of field f of source s, into b. */
static void day_of(const struct report_source *s, const struct entity_field *f, struct sqlbuf *b)
{
    if (s->day_field && strcmp(f->key, s->day_field) == 0)
        sqlbuf_add(b, s->day_column);
    else if (f->type == FT_TIME)
        sqlbuf_addf(b, "((%s + 28800) / 86400)", f->expr);
    else if (postgres())
        sqlbuf_addf(b, "(CAST(NULLIF(%s, '') AS DATE) - DATE '1970-01-01')", f->expr);
    else
        sqlbuf_addf(b, "CAST(julianday(%s) - 2440587.5 AS INTEGER)", f->expr);
}

/* YYYYMM of the day number in d (its SQL). */
static void yyyymm(const char *d, struct sqlbuf *b)
{
    if (postgres())
        sqlbuf_addf(
            b, "CAST(to_char(DATE '1970-01-01' + CAST(%s AS INTEGER), 'YYYYMM') AS INTEGER)", d);
    else
        sqlbuf_addf(b, "CAST(strftime('%%Y%%m', %s * 86400, 'unixepoch') AS INTEGER)", d);
}

/* A compiled dimension: its expression (with its join's parameters) and
 * how its values are labelled. */
struct dim {
    const struct entity_field *f;
    enum grain g;
    char key[64]; /* the column's key in the answer */
    char *expr;   /* SQL of the group value */
    char *join;   /* a join it needs ("" none), with one ? (the level) */
    const char *level;
};

static char *dim_expr(const struct report_source *s, const struct dim *d, int i)
{
    struct sqlbuf b, day;
    sqlbuf_init(&b);
    sqlbuf_init(&day);
    if (d->g >= G_PROVINCE) {
        sqlbuf_addf(&b, "bd%d.id", i);
    } else if (d->g == G_NONE) {
        sqlbuf_add(&b, d->f->expr);
    } else {
        day_of(s, d->f, &day);
        if (d->g == G_DAY)
            sqlbuf_add(&b, day.sql);
        else if (d->g == G_WEEK)
            sqlbuf_addf(&b, "(%s - ((%s + 3) %% 7))", day.sql, day.sql);
        else {
            struct sqlbuf m;
            sqlbuf_init(&m);
            yyyymm(day.sql, &m);
            if (d->g == G_MONTH)
                sqlbuf_add(&b, m.sql);
            else if (d->g == G_QUARTER)
                sqlbuf_addf(&b, "((%s / 100) * 10 + ((%s %% 100) + 2) / 3)", m.sql, m.sql);
            else
                sqlbuf_addf(&b, "(%s / 100)", m.sql);
            sqlbuf_release(&m);
        }
    }
    sqlbuf_release(&day);
    char *out = xstrdup(b.sql);
    sqlbuf_release(&b);
    return out;
}

static bool grain_fits(const struct entity_field *f, enum grain g)
{
    if (g == G_NONE)
        return f->type != FT_TIME; /* a time without a grain would group by second */
    if (g <= G_YEAR)
        return f->type == FT_TIME || f->type == FT_DATE;
    return f->type == FT_BRANCH;
}

/* ---- a compiled definition ---------------------------------------------- */

enum fn { FN_COUNT, FN_COUNT_DISTINCT, FN_SUM, FN_AVG, FN_MIN, FN_MAX, FN_RATIO };
static const char *const fn_names[] = {"count", "count_distinct", "sum", "avg", "min",
                                       "max",   "ratio"};
/* A measure's words: "<field> (<fn>)", or the function alone. */
static const char *const fn_words[][2] = {
    {"计数", "count"},   {"去重计数", "distinct"}, {"合计", "sum"},  {"平均", "average"},
    {"最小", "minimum"}, {"最大", "maximum"},      {"比率", "ratio"}};
#define NFNS (sizeof(fn_names) / sizeof(fn_names[0]))

struct measure {
    enum fn fn;
    const struct entity_field *f;
    char as[40];
    int num, den; /* a ratio's measures */
};

struct compiled {
    const struct report_source *s;
    const struct entity *e;
    struct dim dims[BUILDER_MAX_DIMENSIONS];
    int ndims;
    struct measure ms[BUILDER_MAX_MEASURES];
    int nms;
    struct sqlbuf filter; /* " AND (…)" or empty */
    const char *order;    /* "d0", "m1", … (program text) */
    bool desc;
    int64_t limit;
    bool top; /* sorted with a limit: the first groups, the rest left out */
};

static void compiled_release(struct compiled *c)
{
    for (int i = 0; i < c->ndims; i++) {
        free(c->dims[i].expr);
        free(c->dims[i].join);
    }
    sqlbuf_release(&c->filter);
}

static int fail(struct builder_error *err, const char *part, const char *key, const char *where)
{
    err->part = part;
    err->key = key;
    snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
    return BUILDER_INVALID;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32 || !islower((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

static int compile_dims(const struct actor *u, json_t *dims, struct compiled *c,
                        struct builder_error *err)
{
    if (dims && !json_is_array(dims))
        return fail(err, "dimensions", "report.bad_definition", NULL);
    if (json_array_size(dims) > BUILDER_MAX_DIMENSIONS)
        return fail(err, "dimensions", "report.too_many_dimensions", NULL);
    size_t i;
    json_t *d;
    json_array_foreach(dims, i, d)
    {
        const char *key = json_string_value(json_object_get(d, "field"));
        const char *grain = json_string_value(json_object_get(d, "grain"));
        const struct entity_field *f = field_for(c->e, key, u, USE_DIMENSION, "dimensions", err);
        if (!f)
            return BUILDER_INVALID;
        size_t g = 0;
        while (grain && *grain && g < NGRAINS && strcmp(grain_names[g], grain) != 0)
            g++;
        if (g == NGRAINS || !grain_fits(f, (enum grain)g))
            return fail(err, "dimensions", "report.bad_grain", grain && *grain ? grain : key);
        struct dim *x = &c->dims[c->ndims];
        x->f = f;
        x->g = (enum grain)g;
        snprintf(x->key, sizeof(x->key), "%s%s%s", f->key, g ? "_" : "", grain_names[g]);
        for (int k = 0; k < c->ndims; k++)
            if (strcmp(c->dims[k].key, x->key) == 0)
                return fail(err, "dimensions", "report.duplicate", x->key);
        x->level = g >= G_PROVINCE ? grain_names[g] : NULL;
        x->expr = dim_expr(c->s, x, c->ndims);
        if (x->level) {
            struct sqlbuf j;
            sqlbuf_init(&j);
            sqlbuf_addf(
                &j, " LEFT JOIN branches bd%d ON bd%d.level = ? AND %s LIKE (bd%d.path || '%%')",
                c->ndims, c->ndims, c->s->path, c->ndims);
            x->join = xstrdup(j.sql);
            sqlbuf_release(&j);
        } else {
            x->join = xstrdup("");
        }
        c->ndims++;
    }
    return 0;
}

static int measure_index(const struct compiled *c, const char *as)
{
    for (int i = 0; as && i < c->nms; i++)
        if (strcmp(c->ms[i].as, as) == 0)
            return i;
    return -1;
}

static int compile_measures(const struct actor *u, json_t *ms, struct compiled *c,
                            struct builder_error *err)
{
    if (!json_is_array(ms) || json_array_size(ms) == 0)
        return fail(err, "measures", "report.no_measure", NULL);
    if (json_array_size(ms) > BUILDER_MAX_MEASURES)
        return fail(err, "measures", "report.too_many_measures", NULL);
    size_t i;
    json_t *m;
    json_array_foreach(ms, i, m)
    {
        const char *fn = json_string_value(json_object_get(m, "fn"));
        const char *key = json_string_value(json_object_get(m, "field"));
        const char *as = json_string_value(json_object_get(m, "as"));
        size_t k = 0;
        while (fn && k < NFNS && strcmp(fn_names[k], fn) != 0)
            k++;
        if (!fn || k == NFNS)
            return fail(err, "measures", "report.unknown_fn", fn);
        struct measure *x = &c->ms[c->nms];
        memset(x, 0, sizeof(*x));
        x->fn = (enum fn)k;
        if (x->fn == FN_COUNT_DISTINCT) {
            if (!(x->f = field_for(c->e, key, u, USE_DIMENSION, "measures", err)))
                return BUILDER_INVALID;
        } else if (x->fn != FN_COUNT && x->fn != FN_RATIO) {
            if (!(x->f = field_for(c->e, key, u, USE_MEASURE, "measures", err)))
                return BUILDER_INVALID;
        }
        if (as && !name_ok(as))
            return fail(err, "measures", "report.bad_name", as);
        snprintf(x->as, sizeof(x->as), "%s", as ? as : "");
        if (!as)
            snprintf(x->as, sizeof(x->as), "%s%s%s", fn_names[k], x->f ? "_" : "",
                     x->f ? x->f->key : "");
        if (measure_index(c, x->as) >= 0)
            return fail(err, "measures", "report.duplicate", x->as);
        c->nms++;
    }
    /* Ratios name measures of the same report (either order). */
    for (int n = 0; n < c->nms; n++) {
        if (c->ms[n].fn != FN_RATIO)
            continue;
        json_t *of = json_object_get(json_array_get(ms, (size_t)n), "of");
        int a = measure_index(c, json_string_value(json_array_get(of, 0)));
        int b = measure_index(c, json_string_value(json_array_get(of, 1)));
        if (json_array_size(of) != 2 || a < 0 || b < 0 || c->ms[a].fn == FN_RATIO ||
            c->ms[b].fn == FN_RATIO)
            return fail(err, "measures", "report.bad_ratio", c->ms[n].as);
        c->ms[n].num = a;
        c->ms[n].den = b;
    }
    return 0;
}

static int compile_sort(json_t *def, struct compiled *c, struct builder_error *err)
{
    static const char *const names[] = {"d0", "d1", "d2", "m0", "m1", "m2",
                                        "m3", "m4", "m5", "m6", "m7"};
    json_t *sort = json_object_get(def, "sort");
    c->order = NULL;
    c->desc = false;
    if (sort && !json_is_null(sort)) {
        const char *by = json_string_value(json_object_get(sort, "by"));
        const char *dir = json_string_value(json_object_get(sort, "dir"));
        for (int i = 0; by && i < c->ndims; i++)
            if (strcmp(c->dims[i].key, by) == 0 || strcmp(c->dims[i].f->key, by) == 0)
                c->order = names[i];
        int m = measure_index(c, by);
        if (m >= 0 && c->ms[m].fn != FN_RATIO)
            c->order = names[3 + m];
        if (!c->order)
            return fail(err, "sort", "report.unknown_field", by);
        if (dir && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
            return fail(err, "sort", "report.bad_definition", dir);
        c->desc = dir && strcmp(dir, "desc") == 0;
    }
    json_t *limit = json_object_get(def, "limit");
    c->limit = max_rows;
    if (limit && !json_is_null(limit)) {
        if (!json_is_integer(limit) || json_integer_value(limit) < 1 ||
            json_integer_value(limit) > max_rows)
            return fail(err, "limit", "report.bad_limit", NULL);
        c->limit = json_integer_value(limit);
        c->top = c->order != NULL;
    }
    return 0;
}

static const char *const chart_types[] = {"table", "pivot",  "bar", "line",
                                          "pie",   "funnel", "kpi", NULL};

static int compile(struct db *db, const struct actor *u, json_t *def, struct compiled *c,
                   struct builder_error *err)
{
    memset(c, 0, sizeof(*c));
    sqlbuf_init(&c->filter);
    if (!json_is_object(def))
        return fail(err, "definition", "report.bad_definition", NULL);
    const char *src = json_string_value(json_object_get(def, "source"));
    c->s = report_source_named(src);
    if (!c->s || !report_source_usable(u, c->s))
        return fail(err, "source", "report.unknown_source", src);
    c->e = report_source_entity(c->s);
    int rc = compile_dims(u, json_object_get(def, "dimensions"), c, err);
    if (!rc)
        rc = compile_measures(u, json_object_get(def, "measures"), c, err);
    if (!rc)
        rc = compile_sort(def, c, err);
    if (rc)
        return rc;
    json_t *chart = json_object_get(def, "chart");
    if (chart && !json_is_null(chart)) {
        const char *t = json_string_value(json_object_get(chart, "type"));
        size_t k = 0;
        while (t && chart_types[k] && strcmp(chart_types[k], t) != 0)
            k++;
        if (!t || !chart_types[k])
            return fail(err, "chart", "report.bad_chart", t);
    }
    json_t *tree = json_object_get(def, "filter");
    if (tree && !json_is_null(tree)) {
        struct filter_error fe = {0};
        sqlbuf_add(&c->filter, " AND ");
        rc = filter_compile_as(db, c->e, tree, &c->filter, &fe, u);
        if (rc == -1) {
            err->part = "filter";
            err->key = fe.key;
            memcpy(err->where, fe.where, sizeof(err->where));
            return BUILDER_INVALID;
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* FROM, joins and WHERE of c (what the group and the drill share). */
static void from_where(const struct compiled *c, const struct actor *u, struct sqlbuf *b)
{
    sqlbuf_add(b, c->s->from);
    for (int i = 0; i < c->ndims; i++)
        if (c->dims[i].level) {
            sqlbuf_add(b, c->dims[i].join);
            sqlbuf_bind(b, DB_TEXT(c->dims[i].level));
        }
    sqlbuf_addf(b, " WHERE %s AND ", c->s->live);
    c->s->visible(u, b);
    sqlbuf_append(b, &c->filter);
}

static void measure_sql(const struct measure *m, struct sqlbuf *b)
{
    switch (m->fn) {
    case FN_COUNT:
        sqlbuf_add(b, "COUNT(*)");
        break;
    case FN_COUNT_DISTINCT:
        sqlbuf_addf(b, "COUNT(DISTINCT %s)", m->f->expr);
        break;
    case FN_AVG:
        sqlbuf_addf(b, "AVG(%s * 1.0)", m->f->expr);
        break;
    default:
        sqlbuf_addf(b, "%s(%s)",
                    m->fn == FN_SUM   ? "SUM"
                    : m->fn == FN_MIN ? "MIN"
                                      : "MAX",
                    m->f->expr);
        break;
    }
}

/* ---- labels -------------------------------------------------------------- */

static json_t *col_value(struct db_stmt *st, int i)
{
    switch (db_col_type(st, i)) {
    case DBV_NULL:
        return json_null();
    case DBV_INT:
        return json_integer(db_col_int(st, i));
    case DBV_REAL:
        return json_real(db_col_real(st, i));
    default:
        return json_string(db_col_text(st, i));
    }
}

/* {value: label} of table rows "SELECT key, label … WHERE id IN (…)" for
 * the ids of values (integers). */
static void ids_labels(struct db *db, const char *select, json_t *values, json_t *map)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, select);
    sqlbuf_add(&b, " IN (-1");
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v) if (json_is_integer(v))
    {
        sqlbuf_add(&b, ", ?");
        sqlbuf_bind(&b, DB_INT(json_integer_value(v)));
    }
    sqlbuf_add(&b, ")");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    while (st && db_step(st) == 1) {
        char k[32];
        snprintf(k, sizeof(k), "%lld", (long long)db_col_int(st, 0));
        json_object_set_new(map, k, json_string(db_col_text(st, 1)));
    }
    db_finish(st);
    sqlbuf_release(&b);
}

static void date_label(enum grain g, int64_t v, char *out, size_t n)
{
    char d[11];
    switch (g) {
    case G_DAY:
    case G_WEEK:
        date_format(date_from_days(v), d);
        snprintf(out, n, "%s", d);
        break;
    case G_MONTH:
        snprintf(out, n, "%04lld-%02lld", (long long)(v / 100), (long long)(v % 100));
        break;
    case G_QUARTER:
        snprintf(out, n, "%04lld-Q%lld", (long long)(v / 10), (long long)(v % 10));
        break;
    default:
        snprintf(out, n, "%04lld", (long long)v);
        break;
    }
}

/* The label of each distinct value of dimension d among values, as
 * {"<value>": label}. */
static json_t *labels_of(struct db *db, const struct actor *u, const struct dim *d, json_t *values)
{
    json_t *map = json_object();
    const struct entity_field *f = d->f;
    bool en = english(u);
    if (d->g >= G_PROVINCE || f->type == FT_BRANCH || strcmp(f->key, "branch") == 0)
        ids_labels(db, "SELECT id, name FROM branches WHERE id", values, map);
    else if (f->type == FT_REF && strcmp(f->key, "enterprise_id") == 0)
        ids_labels(db, "SELECT id, name FROM enterprises WHERE id", values, map);
    else if (f->type == FT_REF)
        ids_labels(db, "SELECT id, name FROM users WHERE id", values, map);
    else if (f->dict) {
        struct db_stmt *st = db_query(db,
                                      "SELECT value, label, label_en FROM dictionary_items "
                                      "WHERE dict_code = ?",
                                      DB_ARGS(DB_TEXT(f->dict)));
        while (st && db_step(st) == 1) {
            const char *l = en && *db_col_text(st, 2) ? db_col_text(st, 2) : db_col_text(st, 1);
            json_object_set_new(map, db_col_text(st, 0), json_string(l));
        }
        db_finish(st);
    } else if (f->options) {
        for (size_t i = 0; f->options[i][0]; i++)
            json_object_set_new(map, f->options[i][0], json_string(f->options[i][en ? 2 : 1]));
    } else if (f->type == FT_BOOLEAN) {
        json_object_set_new(map, "1", json_string(en ? "Yes" : "是"));
        json_object_set_new(map, "0", json_string(en ? "No" : "否"));
    }
    return map;
}

/* The words of raw value v of d (map from labels_of). */
static json_t *label(const struct dim *d, json_t *map, json_t *v, bool en)
{
    if (json_is_null(v))
        return json_string(en ? "(none)" : "（空）");
    char k[48];
    if (json_is_integer(v))
        snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(k, sizeof(k), "%g", json_real_value(v));
    else
        snprintf(k, sizeof(k), "%s", json_string_value(v));
    if (d->g >= G_DAY && d->g <= G_YEAR && json_is_integer(v)) {
        char out[48];
        date_label(d->g, json_integer_value(v), out, sizeof(out));
        return json_string(out);
    }
    json_t *l = json_object_get(map, json_is_string(v) ? json_string_value(v) : k);
    if (l)
        return json_incref(l);
    return json_is_string(v) ? json_incref(v) : json_string(k);
}

/* Replace the raw values in column key of rows by their labels; raw
 * values stay in keys[row][i]. */
static void label_column(struct db *db, const struct actor *u, const struct dim *d, int i,
                         json_t *rows, json_t *keys)
{
    json_t *values = json_array();
    size_t r;
    json_t *k;
    json_array_foreach(keys, r, k) json_array_append(values, json_array_get(k, (size_t)i));
    json_t *map = labels_of(db, u, d, values);
    json_array_foreach(keys, r, k)
    {
        json_object_set_new(json_array_get(rows, r), d->key,
                            label(d, map, json_array_get(k, (size_t)i), english(u)));
    }
    json_decref(map);
    json_decref(values);
}

static json_t *columns_of(const struct compiled *c, bool en)
{
    json_t *cols = json_array();
    for (int i = 0; i < c->ndims; i++) {
        const struct dim *d = &c->dims[i];
        json_array_append_new(cols,
                              json_pack("{s:s,s:s,s:s,s:s,s:s}", "key", d->key, "field", d->f->key,
                                        "grain", grain_names[d->g], "label",
                                        en ? d->f->label_en : d->f->label, "kind", "dimension"));
    }
    for (int i = 0; i < c->nms; i++) {
        const struct measure *m = &c->ms[i];
        char words[160];
        const char *fn = fn_words[m->fn][en ? 1 : 0];
        if (m->f)
            snprintf(words, sizeof(words), en ? "%s (%s)" : "%s（%s）",
                     en ? m->f->label_en : m->f->label, fn);
        else
            snprintf(words, sizeof(words), "%s%s%s", en && m->fn == FN_COUNT ? "Count" : fn,
                     m->fn == FN_RATIO ? " " : "", m->fn == FN_RATIO ? m->as : "");
        json_array_append_new(cols, json_pack("{s:s,s:s,s:s,s:s?,s:s}", "key", m->as, "fn",
                                              fn_names[m->fn], "label", words, "field",
                                              m->f ? m->f->key : NULL, "kind", "measure"));
    }
    return cols;
}

/* Run b under the report's limits: the rows as arrays of raw values. */
static int run_limited(struct db *db, struct sqlbuf *b, int64_t cap, json_t **out)
{
    db_limit_ms(db, limit_ms);
    struct db_stmt *st = db_query(db, b->sql, b->args, b->nargs);
    int rc = st ? 0 : DB_ERROR;
    json_t *rows = json_array();
    while (st && (rc = db_step(st)) == 1) {
        if ((int64_t)json_array_size(rows) >= cap) {
            rc = BUILDER_TOO_MANY;
            break;
        }
        json_t *row = json_array();
        for (int i = 0; i < db_col_count(st); i++)
            json_array_append_new(row, col_value(st, i));
        json_array_append_new(rows, row);
    }
    db_finish(st);
    if (rc < 0 && db_timed_out(db))
        rc = DB_TIMEOUT;
    db_limit_work(db, DB_WORK_REQUEST);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    *out = rows;
    return 0;
}

int builder_check(struct db *db, const struct actor *u, json_t *def, struct builder_error *err)
{
    struct compiled c;
    int rc = compile(db, u, def, &c, err);
    compiled_release(&c);
    return rc;
}

static double num(json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

int builder_run(struct db *db, const struct actor *u, json_t *def, json_t **out,
                struct builder_error *err)
{
    struct compiled c;
    int rc = compile(db, u, def, &c, err);
    if (rc) {
        compiled_release(&c);
        return rc;
    }
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT ");
    for (int i = 0; i < c.ndims; i++)
        sqlbuf_addf(&b, "%s AS d%d, ", c.dims[i].expr, i);
    for (int i = 0; i < c.nms; i++) {
        if (c.ms[i].fn == FN_RATIO)
            sqlbuf_add(&b, "NULL");
        else
            measure_sql(&c.ms[i], &b);
        sqlbuf_addf(&b, " AS m%d%s", i, i + 1 < c.nms ? ", " : "");
    }
    from_where(&c, u, &b);
    for (int i = 0; i < c.ndims; i++)
        sqlbuf_addf(&b, "%s d%d", i ? "," : " GROUP BY", i);
    if (c.order)
        sqlbuf_addf(&b, " ORDER BY %s %s", c.order, c.desc ? "DESC" : "ASC");
    else if (c.ndims)
        sqlbuf_add(&b, " ORDER BY d0");
    /* Without a sort and a limit, one past the cap: more groups are
     * refused, not cut silently (a report that drops groups would show
     * wrong totals). */
    sqlbuf_addf(&b, " LIMIT %lld", (long long)(c.top ? c.limit : max_rows + 1));
    json_t *raw = NULL;
    rc = run_limited(db, &b, c.top ? c.limit : max_rows, &raw);
    sqlbuf_release(&b);
    if (rc) {
        compiled_release(&c);
        return rc;
    }
    while (json_array_size(raw) > (size_t)c.limit)
        json_array_remove(raw, json_array_size(raw) - 1);
    json_t *rows = json_array(), *keys = json_array(), *r;
    size_t n;
    json_array_foreach(raw, n, r)
    {
        json_t *row = json_object(), *k = json_array();
        for (int i = 0; i < c.ndims; i++)
            json_array_append(k, json_array_get(r, (size_t)i));
        for (int i = 0; i < c.nms; i++) {
            json_t *v = json_array_get(r, (size_t)(c.ndims + i));
            json_object_set(row, c.ms[i].as,
                            json_is_null(v) && c.ms[i].fn <= FN_SUM ? json_integer(0) : v);
        }
        for (int i = 0; i < c.nms; i++) {
            if (c.ms[i].fn != FN_RATIO)
                continue;
            double d = num(json_object_get(row, c.ms[c.ms[i].den].as));
            json_object_set_new(
                row, c.ms[i].as,
                d == 0 ? json_null()
                       : json_real(num(json_object_get(row, c.ms[c.ms[i].num].as)) / d));
        }
        json_array_append_new(rows, row);
        json_array_append_new(keys, k);
    }
    json_decref(raw);
    for (int i = 0; i < c.ndims; i++)
        label_column(db, u, &c.dims[i], i, rows, keys);
    *out = json_pack("{s:o,s:o,s:o,s:s,s:s}", "columns", columns_of(&c, english(u)), "rows", rows,
                     "keys", keys, "source", c.s->key, "source_label",
                     english(u) ? c.s->label_en : c.s->label);
    compiled_release(&c);
    return 0;
}

/* The words of a drilled row's title column: the field it is, or the
 * enterprise it names. */
static const char *title_label(const struct compiled *c, bool en)
{
    for (const struct entity_field *f = c->e->fields; f->key; f++)
        if (f->expr && strcmp(f->expr, c->s->title) == 0)
            return en ? f->label_en : f->label;
    if (strcmp(c->s->title, "e.name") == 0)
        return en ? "Enterprise" : "大客户";
    return en ? c->s->label_en : c->s->label;
}

int builder_drill(struct db *db, const struct actor *u, json_t *def, json_t *keys, json_t **out,
                  struct builder_error *err)
{
    struct compiled c;
    int rc = compile(db, u, def, &c, err);
    if (!rc && (!json_is_array(keys) || json_array_size(keys) != (size_t)c.ndims))
        rc = fail(err, "drill", "report.bad_drill", NULL);
    for (size_t i = 0; !rc && i < json_array_size(keys); i++) {
        json_t *v = json_array_get(keys, i);
        if (!json_is_null(v) && !json_is_integer(v) && !json_is_string(v) && !json_is_real(v))
            rc = fail(err, "drill", "report.bad_drill", NULL);
    }
    if (rc) {
        compiled_release(&c);
        return rc;
    }
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "SELECT %s AS id, %s AS title, %s AS enterprise_id", c.s->id, c.s->title,
                c.s->enterprise ? c.s->enterprise : "NULL");
    for (int i = 0; i < c.ndims; i++)
        sqlbuf_addf(&b, ", %s AS d%d", c.dims[i].expr, i);
    for (int i = 0; i < c.nms; i++)
        if (c.ms[i].f && c.ms[i].fn != FN_COUNT_DISTINCT)
            sqlbuf_addf(&b, ", %s AS m%d", c.ms[i].f->expr, i);
    from_where(&c, u, &b);
    for (int i = 0; i < c.ndims; i++) {
        json_t *v = json_array_get(keys, (size_t)i);
        if (json_is_null(v)) {
            sqlbuf_addf(&b, " AND %s IS NULL", c.dims[i].expr);
            continue;
        }
        sqlbuf_addf(&b, " AND %s = ?", c.dims[i].expr);
        if (json_is_integer(v))
            sqlbuf_bind(&b, DB_INT(json_integer_value(v)));
        else if (json_is_real(v))
            sqlbuf_bind(&b, DB_REAL(json_real_value(v)));
        else
            sqlbuf_bind_text_copy(&b, json_string_value(v));
    }
    sqlbuf_addf(&b, " ORDER BY %s LIMIT %d", c.s->id, BUILDER_DRILL_ROWS);
    json_t *raw = NULL;
    rc = run_limited(db, &b, BUILDER_DRILL_ROWS, &raw);
    sqlbuf_release(&b);
    if (rc) {
        compiled_release(&c);
        return rc;
    }
    bool en = english(u);
    json_t *cols = json_array(), *rows = json_array(), *dkeys = json_array(), *r;
    json_array_append_new(cols,
                          json_pack("{s:s,s:s}", "key", "title", "label", title_label(&c, en)));
    for (int i = 0; i < c.ndims; i++)
        json_array_append_new(cols, json_pack("{s:s,s:s}", "key", c.dims[i].key, "label",
                                              en ? c.dims[i].f->label_en : c.dims[i].f->label));
    for (int i = 0; i < c.nms; i++)
        if (c.ms[i].f && c.ms[i].fn != FN_COUNT_DISTINCT)
            json_array_append_new(cols, json_pack("{s:s,s:s}", "key", c.ms[i].f->key, "label",
                                                  en ? c.ms[i].f->label_en : c.ms[i].f->label));
    size_t n;
    json_array_foreach(raw, n, r)
    {
        json_t *row = json_pack("{s:O,s:O,s:O}", "id", json_array_get(r, 0), "title",
                                json_array_get(r, 1), "enterprise_id", json_array_get(r, 2));
        json_t *k = json_array();
        for (int i = 0; i < c.ndims; i++)
            json_array_append(k, json_array_get(r, (size_t)(3 + i)));
        size_t at = (size_t)(3 + c.ndims);
        for (int i = 0; i < c.nms; i++)
            if (c.ms[i].f && c.ms[i].fn != FN_COUNT_DISTINCT)
                json_object_set(row, c.ms[i].f->key, json_array_get(r, at++));
        json_array_append_new(rows, row);
        json_array_append_new(dkeys, k);
    }
    json_decref(raw);
    for (int i = 0; i < c.ndims; i++)
        label_column(db, u, &c.dims[i], i, rows, dkeys);
    json_decref(dkeys);
    *out = json_pack("{s:o,s:o,s:s?}", "columns", cols, "rows", rows, "link",
                     c.s->enterprise ? "enterprise" : NULL);
    compiled_release(&c);
    return 0;
}

/* ---- the catalogue ------------------------------------------------------ */

static json_t *field_json(const struct entity *e, const struct entity_field *f,
                          const struct actor *u)
{
    bool en = english(u);
    json_t *grains = json_array();
    if (f->type == FT_TIME || f->type == FT_DATE)
        for (int g = G_DAY; g <= G_YEAR; g++)
            json_array_append_new(grains, json_string(grain_names[g]));
    if (f->type == FT_BRANCH) {
        json_array_append_new(grains, json_string(""));
        for (int g = G_PROVINCE; g <= G_BRANCH; g++)
            json_array_append_new(grains, json_string(grain_names[g]));
    }
    bool masked = masked_for(e, f, u);
    return json_pack("{s:s,s:s,s:s,s:o,s:b,s:b,s:b}", "key", f->key, "label",
                     en ? f->label_en : f->label, "type", entity_type_name(f->type), "grains",
                     grains, "dimension", !masked && groupable(f), "measure",
                     !masked && is_numeric(f->type), "masked", masked);
}

json_t *builder_catalog(const struct actor *u)
{
    json_t *out = json_array();
    const struct report_source *s;
    for (size_t i = 0; (s = report_source_at(i)); i++) {
        if (!report_source_usable(u, s))
            continue;
        const struct entity *e = report_source_entity(s);
        json_t *fields = json_array();
        for (const struct entity_field *f = e->fields; f->key; f++)
            if (f->expr && !(f->flags & EF_INTERNAL) && (f->flags & EF_FILTER))
                json_array_append_new(fields, field_json(e, f, u));
        json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:o,s:b}", "key", s->key, "label",
                                             english(u) ? s->label_en : s->label, "entity", e->name,
                                             "fields", fields, "links_enterprise",
                                             s->enterprise != NULL));
    }
    return out;
}
