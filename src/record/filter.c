/*
 * filter.c - the filter compiler (see filter.h).
 *
 * Each condition becomes one SQL predicate over the entity's alias. The
 * left-hand side is always a whitelisted expression from entity.c or the
 * custom-field JSON accessor of dialect.c (with the key bound); the right
 * side is always bound values. Operators are allowed per field type, so a
 * text field cannot be compared with "gt" and a tag cannot be "contains".
 */
#include "record/filter.h"
#include "record/form_layout.h"

#include "base/clock.h"
#include "base/utf8.h"
#include "base/xmalloc.h"
#include "record/fields.h"
#include "db/db.h"
#include "db/dialect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
    struct db *db;
    const struct entity *e;
    struct sqlbuf *out;
    struct filter_error *err;
    int conditions;
    int cost;              /* groups + conditions + list values so far (FILTER_MAX_COST) */
    unsigned flags;        /* FILTER_* */
    const struct actor *u; /* whose form layout hides fields; NULL: none */
};

/* Count n units of the tree's cost; false past the limit. */
static bool spend(struct ctx *c, size_t n)
{
    c->cost += n > (size_t)FILTER_MAX_COST ? FILTER_MAX_COST + 1 : (int)n;
    return c->cost <= FILTER_MAX_COST;
}

/* A resolved left-hand side. */
struct lhs {
    enum field_type type;
    const char *expr;       /* built-in expression, or NULL for custom */
    const char *custom_key; /* bound inside the accessor */
    json_t *options;        /* custom select options (owned by cf) */
    struct custom_field cf;
    bool is_custom;
    bool masked; /* a phone, ID number or e-mail (built-in or custom) */
    bool year;   /* holds a year of birth (MASK_YEAR) */
    /* sealed in the row, expr its keyed index (entity_field.lookup) */
    bool (*lookup)(const char *value, char *out, size_t outlen);
};

static int fail(struct ctx *c, const char *key, const char *where)
{
    c->err->key = key;
    /* Cut at a character boundary: half a character would make the
     * message invalid UTF-8, and the answer would lose it. */
    const char *w = where ? where : "";
    size_t n = utf8_valid(w, strlen(w)) ? utf8_cut(w, strlen(w), sizeof(c->err->where) - 1) : 0;
    memcpy(c->err->where, w, n);
    c->err->where[n] = '\0';
    return -1;
}

/* Write the left-hand side (binding the custom key if any). cast_num wraps
 * it for numeric comparison. */
static void emit_lhs(struct ctx *c, const struct lhs *l, bool cast_num)
{
    if (cast_num)
        sqlbuf_add(c->out, "CAST(");
    if (l->is_custom) {
        sqlbuf_addf(c->out,
                    l->type == FT_BOOLEAN ? dialect_json_get_bool() : dialect_json_get_text(),
                    c->e->custom_column);
        sqlbuf_bind_text_copy(c->out, l->custom_key);
    } else {
        sqlbuf_add(c->out, l->expr);
    }
    if (cast_num)
        sqlbuf_add(c->out, " AS DOUBLE PRECISION)");
}

static bool is_numeric(enum field_type t)
{
    return t == FT_NUMBER || t == FT_MONEY || t == FT_INT || t == FT_REF;
}

/* Bind one scalar value of the field's type. A date given for a time
 * field means the start of that day, or its last second when end_of_day
 * (the upper end of between / lte, and gt). */
static int bind_scalar_at(struct ctx *c, const struct lhs *l, json_t *v, const char *op,
                          bool end_of_day)
{
    switch (l->type) {
    case FT_INT:
    case FT_REF:
    case FT_BRANCH:
        if (!json_is_integer(v))
            return fail(c, "filter.bad_value", op);
        sqlbuf_bind(c->out, DB_INT(json_integer_value(v)));
        return 0;
    case FT_NUMBER:
    case FT_MONEY:
        if (json_is_number(v)) {
            sqlbuf_bind(c->out, DB_REAL(json_number_value(v)));
            return 0;
        }
        if (json_is_string(v)) {
            char *end;
            double d = strtod(json_string_value(v), &end);
            if (*end || end == json_string_value(v))
                return fail(c, "filter.bad_value", op);
            sqlbuf_bind(c->out, DB_REAL(d));
            return 0;
        }
        return fail(c, "filter.bad_value", op);
    case FT_TIME: {
        int64_t t;
        const char *s = json_string_value(v);
        if (json_is_integer(v)) {
            t = json_integer_value(v);
        } else if (s && clock_parse_iso(s, &t) == 0) {
            /* a full time stands for itself */
        } else if (s && clock_parse_date(s, &t) == 0) {
            if (end_of_day)
                t += 86399;
        } else {
            return fail(c, "filter.bad_value", op);
        }
        sqlbuf_bind(c->out, DB_INT(t));
        return 0;
    }
    case FT_DATE: {
        int64_t t;
        const char *s = json_string_value(v);
        if (!s || clock_parse_date(s, &t))
            return fail(c, "filter.bad_value", op);
        sqlbuf_bind(c->out, DB_TEXT(s));
        return 0;
    }
    case FT_BOOLEAN:
        if (!json_is_boolean(v))
            return fail(c, "filter.bad_value", op);
        sqlbuf_bind(c->out, DB_INT(json_is_true(v)));
        return 0;
    default:
        if (!json_is_string(v) || json_string_length(v) > 200)
            return fail(c, "filter.bad_value", op);
        if (l->lookup) {
            char index[128];
            if (!l->lookup(json_string_value(v), index, sizeof(index)))
                return fail(c, "filter.bad_value", op);
            sqlbuf_bind_text_copy(c->out, index);
            return 0;
        }
        sqlbuf_bind(c->out, DB_TEXT(json_string_value(v)));
        return 0;
    }
}

static int bind_scalar(struct ctx *c, const struct lhs *l, json_t *v, const char *op)
{
    return bind_scalar_at(c, l, v, op, false);
}

static int compile_comparison(struct ctx *c, const struct lhs *l, const char *op, json_t *v)
{
    static const struct {
        const char *op, *sql;
    } cmp[] = {{"eq", " = ?"},   {"ne", " <> ?"}, {"lt", " < ?"},
               {"lte", " <= ?"}, {"gt", " > ?"},  {"gte", " >= ?"}};
    bool ordered = is_numeric(l->type) || l->type == FT_DATE || l->type == FT_TIME;
    for (size_t i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
        if (strcmp(op, cmp[i].op) != 0)
            continue;
        if (i >= 2 && !ordered)
            return fail(c, "filter.unknown_op", op);
        if (l->type == FT_BOOLEAN && i != 0)
            return fail(c, "filter.unknown_op", op);
        sqlbuf_add(c->out, "(");
        emit_lhs(c, l, l->is_custom && is_numeric(l->type));
        sqlbuf_add(c->out, cmp[i].sql);
        if (bind_scalar_at(c, l, v, op, strcmp(op, "lte") == 0 || strcmp(op, "gt") == 0))
            return -1;
        /* "not equal" includes records without a value. */
        if (i == 1) {
            sqlbuf_add(c->out, " OR ");
            emit_lhs(c, l, false);
            sqlbuf_add(c->out, " IS NULL");
        }
        sqlbuf_add(c->out, ")");
        return 0;
    }
    return 1; /* not a comparison */
}

static int compile_in(struct ctx *c, const struct lhs *l, const char *op, json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 100)
        return fail(c, "filter.bad_value", op);
    bool negate = strcmp(op, "nin") == 0;
    sqlbuf_add(c->out, "(");
    emit_lhs(c, l, l->is_custom && is_numeric(l->type));
    sqlbuf_add(c->out, negate ? " NOT IN (" : " IN (");
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        sqlbuf_add(c->out, i ? ", ?" : "?");
        if (bind_scalar(c, l, item, op))
            return -1;
    }
    sqlbuf_add(c->out, ")");
    if (negate) {
        sqlbuf_add(c->out, " OR ");
        emit_lhs(c, l, false);
        sqlbuf_add(c->out, " IS NULL");
    }
    sqlbuf_add(c->out, ")");
    return 0;
}

/* Date / time cut-off for within_days / older_than_days. */
static int bind_cutoff(struct ctx *c, const struct lhs *l, json_t *v, const char *op)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 36500)
        return fail(c, "filter.bad_value", op);
    int64_t cutoff = clock_now() - json_integer_value(v) * 86400;
    if (l->type == FT_TIME) {
        sqlbuf_bind(c->out, DB_INT(cutoff));
    } else {
        char date[16];
        clock_format_date(cutoff, date, sizeof(date));
        sqlbuf_bind_text_copy(c->out, date);
    }
    return 0;
}

static int compile_branch(struct ctx *c, json_t *v, const char *op)
{
    json_t *ids = json_is_array(v) ? v : NULL;
    if (strcmp(op, "eq") != 0 && strcmp(op, "in") != 0)
        return fail(c, "filter.unknown_op", op);
    if ((ids && (json_array_size(ids) == 0 || json_array_size(ids) > 50)) ||
        (!ids && !json_is_integer(v)))
        return fail(c, "filter.bad_value", op);
    sqlbuf_add(c->out, "(");
    size_t n = ids ? json_array_size(ids) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *id = ids ? json_array_get(ids, i) : v;
        if (!json_is_integer(id))
            return fail(c, "filter.bad_value", op);
        /* The branch and everything below it: a range on the materialised
         * path, looked up first so the range is two bound values. */
        struct db_stmt *st;
        int found = db_query_row(c->db, &st, "SELECT path FROM branches WHERE id = ?",
                                 DB_ARGS(DB_INT(json_integer_value(id))));
        if (found < 0) /* not "no such branch", which matches nothing */
            return found;
        char path[256] = "";
        if (found)
            snprintf(path, sizeof(path), "%s", db_col_text(st, 0));
        db_finish(st);
        if (i)
            sqlbuf_add(c->out, " OR ");
        if (!path[0]) {
            sqlbuf_add(c->out, "1 = 0");
            continue;
        }
        char upper[256];
        snprintf(upper, sizeof(upper), "%s", path);
        upper[strlen(upper) - 1] = '0'; /* '/' + 1 */
        sqlbuf_addf(c->out, "(%s >= ? AND %s < ?)", c->e->scope_column, c->e->scope_column);
        sqlbuf_bind_text_copy(c->out, path);
        sqlbuf_bind_text_copy(c->out, upper);
    }
    sqlbuf_add(c->out, ")");
    return 0;
}

/* has / has_any / has_all over tags, JSON arrays and multi-selects. */
static int compile_has(struct ctx *c, const struct lhs *l, const char *op, json_t *v)
{
    json_t *list = json_is_array(v) ? v : NULL;
    size_t n = list ? json_array_size(list) : 1;
    if (n == 0 || n > 50 || (strcmp(op, "has") == 0 && list && n != 1))
        return fail(c, "filter.bad_value", op);
    bool all = strcmp(op, "has_all") == 0;
    sqlbuf_add(c->out, "(");
    for (size_t i = 0; i < n; i++) {
        json_t *item = list ? json_array_get(list, i) : v;
        if (i)
            sqlbuf_add(c->out, all ? " AND " : " OR ");
        if (l->type == FT_TAGS) {
            sqlbuf_addf(c->out,
                        "EXISTS (SELECT 1 FROM object_tags ot JOIN tags t ON t.id = ot.tag_id "
                        "WHERE ot.entity = '%s' AND ot.object_id = %s.id AND ",
                        c->e->name, c->e->alias);
            if (json_is_integer(item)) {
                sqlbuf_add(c->out, "t.id = ?)");
                sqlbuf_bind(c->out, DB_INT(json_integer_value(item)));
            } else if (json_is_string(item) && json_string_length(item) <= 64) {
                sqlbuf_add(c->out, "t.name = ?)");
                sqlbuf_bind(c->out, DB_TEXT(json_string_value(item)));
            } else {
                return fail(c, "filter.bad_value", op);
            }
            continue;
        }
        if (!json_is_string(item) || json_string_length(item) > 200)
            return fail(c, "filter.bad_value", op);
        if (l->is_custom) {
            char *inner = xasprintf(dialect_json_get_text(), c->e->custom_column);
            sqlbuf_addf(c->out, dialect_json_array_has(), inner);
            free(inner);
            sqlbuf_bind_text_copy(c->out, l->custom_key);
        } else {
            sqlbuf_addf(c->out, dialect_json_array_has(), l->expr);
        }
        sqlbuf_bind(c->out, DB_TEXT(json_string_value(item)));
    }
    sqlbuf_add(c->out, ")");
    return 0;
}

static int resolve(struct ctx *c, const char *field, struct lhs *l)
{
    memset(l, 0, sizeof(*l));
    /* A field the layout hides from the caller does not exist for them:
     * a condition on it would tell its values row by row. */
    if (c->u) {
        int vis = form_layout_visible(c->db, c->e, c->u, field);
        if (vis < 0)
            return vis;
        if (!vis)
            return fail(c, "filter.unknown_field", field);
    }
    if (strncmp(field, "custom.", 7) == 0) {
        int rc = fields_lookup(c->db, c->e->name, field + 7, &l->cf);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return fail(c, "filter.unknown_field", field);
        l->is_custom = true;
        l->type = l->cf.type;
        l->masked = l->cf.type == FT_PHONE;
        l->custom_key = l->cf.key;
        l->options = l->cf.options;
        return 0;
    }
    const struct entity_field *f = entity_field(c->e, field);
    if (!f || !(f->flags & EF_FILTER))
        return fail(c, "filter.unknown_field", field);
    l->type = f->type;
    l->expr = f->expr;
    l->masked = f->mask == MASK_PHONE || f->mask == MASK_ID || f->mask == MASK_EMAIL;
    l->year = f->mask == MASK_YEAR;
    l->lookup = f->lookup;
    return 0;
}

/* is_null / not_null. Text-like values count "" (and arrays "[]") as
 * empty too; tags by the absence of any. */
static int compile_null(struct ctx *c, const struct lhs *l, bool is_null)
{
    if (l->type == FT_TAGS) {
        sqlbuf_addf(c->out,
                    "(%sEXISTS (SELECT 1 FROM object_tags ot WHERE ot.entity = '%s' AND "
                    "ot.object_id = %s.id))",
                    is_null ? "NOT " : "", c->e->name, c->e->alias);
        return 0;
    }
    bool text =
        !is_numeric(l->type) && l->type != FT_TIME && l->type != FT_BOOLEAN && l->type != FT_BRANCH;
    bool array = l->type == FT_ARRAY || l->type == FT_MULTISELECT;
    sqlbuf_add(c->out, "(");
    emit_lhs(c, l, false);
    sqlbuf_add(c->out, is_null ? " IS NULL" : " IS NOT NULL");
    if (text) {
        sqlbuf_add(c->out, is_null ? " OR " : " AND ");
        emit_lhs(c, l, false);
        sqlbuf_add(c->out, is_null ? " = ''" : " <> ''");
    }
    if (array) {
        sqlbuf_add(c->out, is_null ? " OR " : " AND ");
        emit_lhs(c, l, false);
        sqlbuf_add(c->out, is_null ? " = '[]'" : " <> '[]'");
    }
    sqlbuf_add(c->out, ")");
    return 0;
}

/* between [a, b]: like lt / gt, an operator for ordered types only. */
static int compile_between(struct ctx *c, const struct lhs *l, const char *op, json_t *v)
{
    if (!(is_numeric(l->type) || l->type == FT_DATE || l->type == FT_TIME))
        return fail(c, "filter.unknown_op", op);
    if (!json_is_array(v) || json_array_size(v) != 2)
        return fail(c, "filter.bad_value", op);
    sqlbuf_add(c->out, "(");
    emit_lhs(c, l, l->is_custom && is_numeric(l->type));
    sqlbuf_add(c->out, " BETWEEN ? AND ?)");
    int rc = bind_scalar(c, l, json_array_get(v, 0), op);
    return rc ? rc : bind_scalar_at(c, l, json_array_get(v, 1), op, true);
}

/* contains / starts_with: a LIKE with the user's text escaped and bound. */
static int compile_like(struct ctx *c, const struct lhs *l, const char *op, json_t *v)
{
    if (is_numeric(l->type) || l->type == FT_TIME || l->type == FT_BOOLEAN)
        return fail(c, "filter.unknown_op", op);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 200)
        return fail(c, "filter.bad_value", op);
    sqlbuf_add(c->out, "(");
    emit_lhs(c, l, false);
    sqlbuf_add(c->out, " LIKE ? ESCAPE '\\')");
    sqlbuf_bind(c->out, DB_TEXT(sqlbuf_like(c->out, json_string_value(v), op[0] == 's')));
    return 0;
}

/* within_days / older_than_days of a date or time. */
static int compile_days(struct ctx *c, const struct lhs *l, const char *op, json_t *v)
{
    if (l->type != FT_DATE && l->type != FT_TIME)
        return fail(c, "filter.unknown_op", op);
    bool within = op[0] == 'w';
    sqlbuf_add(c->out, "(");
    emit_lhs(c, l, false);
    sqlbuf_add(c->out, within ? " >= ?" : " < ?");
    int rc = bind_cutoff(c, l, v, op);
    if (!within) {
        /* "no visit in 180 days" includes customers never seen. */
        sqlbuf_add(c->out, " OR ");
        emit_lhs(c, l, false);
        sqlbuf_add(c->out, " IS NULL");
    }
    sqlbuf_add(c->out, ")");
    return rc;
}

static int compile_condition(struct ctx *c, json_t *node)
{
    const char *field = json_string_value(json_object_get(node, "field"));
    const char *op = json_string_value(json_object_get(node, "op"));
    json_t *v = json_object_get(node, "value");
    if (!field || !op || strlen(field) > 64 || strlen(op) > 20)
        return fail(c, "filter.invalid", field);
    if (++c->conditions > FILTER_MAX_CONDITIONS ||
        !spend(c, json_is_array(v) && json_array_size(v) ? json_array_size(v) : 1))
        return fail(c, "filter.too_complex", NULL);
    struct lhs l;
    int rc = resolve(c, field, &l);
    if (rc)
        return rc;
    /* A caller who sees the number masked may ask whether it is one whole
     * number, never test its digits: a prefix, a part, a list or a range
     * would give back, a request at a time, what the mask hides. */
    if ((c->flags & FILTER_MASKED) && l.masked && strcmp(op, "eq") != 0 &&
        strcmp(op, "is_null") != 0 && strcmp(op, "not_null") != 0) {
        custom_field_clear(&l.cf);
        return fail(c, "filter.masked_field", field);
    }
    bool emptiness = strcmp(op, "is_null") == 0 || strcmp(op, "not_null") == 0;
    /* A sealed value is only its keyed index in the table: equality is all
     * it can answer. */
    if (l.lookup && !emptiness && strcmp(op, "eq") != 0 && strcmp(op, "in") != 0)
        return fail(c, "filter.sealed_field", field);
    /* Who sees birthdays without their year may not test the year either:
     * a date, a range or an age would give it back (month-day filters go
     * through their own field). */
    if ((c->flags & FILTER_MASKED) && l.year && !emptiness)
        return fail(c, "filter.masked_year", field);

    bool arrayish = l.type == FT_TAGS || l.type == FT_ARRAY || l.type == FT_MULTISELECT;
    if (strcmp(op, "is_null") == 0 || strcmp(op, "not_null") == 0) {
        rc = compile_null(c, &l, op[0] == 'i');
    } else if (arrayish) {
        rc = strncmp(op, "has", 3) == 0 ? compile_has(c, &l, op, v)
                                        : fail(c, "filter.unknown_op", op);
    } else if (l.type == FT_BRANCH) {
        rc = compile_branch(c, v, op);
    } else if (strcmp(op, "in") == 0 || strcmp(op, "nin") == 0) {
        rc = compile_in(c, &l, op, v);
    } else if (strcmp(op, "between") == 0) {
        rc = compile_between(c, &l, op, v);
    } else if (strcmp(op, "contains") == 0 || strcmp(op, "starts_with") == 0) {
        rc = compile_like(c, &l, op, v);
    } else if (strcmp(op, "within_days") == 0 || strcmp(op, "older_than_days") == 0) {
        rc = compile_days(c, &l, op, v);
    } else {
        rc = compile_comparison(c, &l, op, v);
        if (rc == 1)
            rc = fail(c, "filter.unknown_op", op);
    }
    custom_field_clear(&l.cf);
    return rc;
}

static int compile_node(struct ctx *c, json_t *node, int depth)
{
    if (depth > FILTER_MAX_DEPTH)
        return fail(c, "filter.too_complex", NULL);
    if (!json_is_object(node))
        return fail(c, "filter.invalid", NULL);
    json_t *and = json_object_get(node, "and");
    json_t * or = json_object_get(node, "or");
    json_t *not = json_object_get(node, "not");
    if ((and != NULL) + (or != NULL) + (not != NULL) > 1)
        return fail(c, "filter.invalid", NULL);
    /* Groups cost too: a thousand empty groups are no cheaper to run. */
    if ((and || or || not ) && !spend(c, 1))
        return fail(c, "filter.too_complex", NULL);
    if (not ) {
        sqlbuf_add(c->out, "(NOT ");
        int rc = compile_node(c, not, depth + 1);
        sqlbuf_add(c->out, ")");
        return rc;
    }
    json_t *list = and? and : or ;
    if (!list)
        return compile_condition(c, node);
    if (!json_is_array(list))
        return fail(c, "filter.invalid", NULL);
    if (json_array_size(list) == 0) {
        sqlbuf_add(c->out, and? "(1 = 1)" : "(1 = 0)");
        return 0;
    }
    sqlbuf_add(c->out, "(");
    size_t i;
    json_t *child;
    json_array_foreach(list, i, child)
    {
        if (i)
            sqlbuf_add(c->out, and? " AND " : " OR ");
        int rc = compile_node(c, child, depth + 1);
        if (rc)
            return rc;
    }
    sqlbuf_add(c->out, ")");
    return 0;
}

int filter_compile(struct db *db, const struct entity *e, json_t *tree, struct sqlbuf *out,
                   struct filter_error *err)
{
    return filter_compile_for(db, e, tree, out, err, 0);
}

int filter_compile_for(struct db *db, const struct entity *e, json_t *tree, struct sqlbuf *out,
                       struct filter_error *err, unsigned flags)
{
    struct ctx c = {.db = db, .e = e, .out = out, .err = err, .flags = flags};
    memset(err, 0, sizeof(*err));
    return compile_node(&c, tree, 0);
}

int filter_compile_as(struct db *db, const struct entity *e, json_t *tree, struct sqlbuf *out,
                      struct filter_error *err, const struct actor *u)
{
    unsigned flags = (u->perms & e->perm_reveal) == e->perm_reveal ? 0 : FILTER_MASKED;
    struct ctx c = {.db = db, .e = e, .out = out, .err = err, .flags = flags, .u = u};
    memset(err, 0, sizeof(*err));
    return compile_node(&c, tree, 0);
}

int filter_quick_mask(struct db *db, const struct entity *e, const struct actor *u, const char *q,
                      const char *const keys[], size_t n, struct filter_error *err)
{
    if (!q || !*q)
        return 0;
    int see = form_layout_visible_mask(db, e, u, keys, n);
    if (see < 0)
        memset(err, 0, sizeof(*err));
    return see;
}
