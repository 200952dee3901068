/*
 * enterprise_search.c - the conditions of an enterprise list: who may see
 * it, the recycle bin, the quick-search box and the filter tree. The box
 * picks an index by the shape of what was typed, as the customers' does:
 * 18 characters a USCC, "E-…" a customer number, 11 digits a contact's
 * mobile, 4 digits its last four, letters pinyin initials or a pinyin
 * prefix, Chinese a name fragment (enterprise_name_grams). A matcher of a
 * field the form layout hides from the caller is left out, so that typing
 * a hidden USCC does not tell whether an enterprise has it.
 */
#include "vip/enterprise_int.h"

#include "base/utf8.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "crm/name_grams.h"
#include "db/db.h"
#include "record/entity.h"
#include "record/filter.h"
#include "record/form_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool all_digits(const char *s)
{
    return validate_chars(s, 0, SIZE_MAX, VALIDATE_DIGITS);
}

static bool all_alnum(const char *s)
{
    return validate_chars(s, 0, SIZE_MAX, VALIDATE_ALNUM);
}

/* [prefix, prefix+1) on an indexed text column. */
static void prefix_range(struct sqlbuf *w, const char *column, const char *prefix)
{
    char *upper = xstrdup(prefix);
    upper[strlen(upper) - 1]++;
    sqlbuf_addf(w, "(%s >= ? AND %s < ?)", column, column);
    sqlbuf_bind_text_copy(w, prefix);
    sqlbuf_bind_text_copy(w, upper);
    free(upper);
}

static void upper_case(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 32);
}

/* A contact's mobile: the whole number, or its last four. Masked roles may
 * type no more (a prefix would tell a number a digit at a time). */
static void by_contact(struct sqlbuf *w, const char *column, const char *q)
{
    sqlbuf_addf(w, "e.id IN (SELECT enterprise_id FROM enterprise_contacts WHERE %s = ?)", column);
    sqlbuf_bind_text_copy(w, q);
}

static void by_name(struct sqlbuf *w, const char *q)
{
    size_t chars = utf8_len(q);
    if (chars == 1) {
        sqlbuf_add(w, "e.id IN (SELECT enterprise_id FROM enterprise_name_grams WHERE ");
        prefix_range(w, "gram", q);
        sqlbuf_add(w, ")");
        return;
    }
    name_grams_match(w, q, "e.id", "SELECT enterprise_id FROM enterprise_name_grams WHERE gram = ?",
                     "e.name");
}

/* The fields the quick search matches, as bits of the caller's
 * form_layout_visible_mask. */
static const char *const quick_fields[] = {"contact_mobile", "uscc", "customer_no", "name"};
enum { SEE_MOBILE = 1, SEE_USCC = 2, SEE_NO = 4, SEE_NAME = 8 };

static void quick_search(struct sqlbuf *w, const char *q_in, int see)
{
    char q[128];
    size_t len = utf8_trim_copy(q_in, q, sizeof(q));
    bool ascii = true;
    for (const char *p = q; *p; p++)
        ascii = ascii && (unsigned char)*p < 0x80;
    sqlbuf_add(w, "(");
    if (len == 0) {
        sqlbuf_add(w, "1 = 1");
    } else if (all_digits(q) && (len == 11 || len == 4) && !(see & SEE_MOBILE)) {
        sqlbuf_add(w, "1 = 0");
    } else if (all_digits(q) && len == 11) {
        by_contact(w, "mobile", q);
    } else if (all_digits(q) && len == 4) {
        by_contact(w, "mobile_last4", q);
    } else if (len == 18 && all_alnum(q) && !(see & SEE_USCC)) {
        sqlbuf_add(w, "1 = 0");
    } else if (len == 18 && all_alnum(q)) {
        upper_case(q);
        sqlbuf_add(w, "e.uscc = ?");
        sqlbuf_bind_text_copy(w, q);
    } else if (ascii && (q[0] == 'E' || q[0] == 'e') && q[1] == '-' && !(see & SEE_NO)) {
        sqlbuf_add(w, "1 = 0");
    } else if (ascii && (q[0] == 'E' || q[0] == 'e') && q[1] == '-') {
        upper_case(q);
        prefix_range(w, "e.customer_no", q);
    } else if (!(see & SEE_NAME)) {
        sqlbuf_add(w, "1 = 0");
    } else if (ascii && all_alnum(q)) {
        char lower[128];
        for (size_t i = 0; i <= len; i++)
            lower[i] = (char)(q[i] >= 'A' && q[i] <= 'Z' ? q[i] + 32 : q[i]);
        prefix_range(w, "e.name_initials", lower);
        sqlbuf_add(w, " OR ");
        prefix_range(w, "e.name_pinyin", lower);
    } else if (!ascii) {
        by_name(w, q);
    } else {
        sqlbuf_add(w, "e.name LIKE ? ESCAPE '\\'");
        sqlbuf_bind(w, DB_TEXT(sqlbuf_like(w, q, false)));
    }
    sqlbuf_add(w, ")");
}

int enterprise_where(struct db *db, const struct actor *u, const char *q, json_t *filter,
                     bool deleted, struct sqlbuf *w, struct filter_error *err)
{
    int see = filter_quick_mask(db, &entity_enterprise, u, q, quick_fields,
                                sizeof(quick_fields) / sizeof(quick_fields[0]), err);
    if (see < 0)
        return see;
    enterprise_visible_sql(u, w);
    sqlbuf_add(w, deleted ? " AND e.deleted_at IS NOT NULL" : " AND e.deleted_at IS NULL");
    if (q && *q) {
        sqlbuf_add(w, " AND ");
        quick_search(w, q, see);
    }
    if (filter) {
        sqlbuf_add(w, " AND ");
        return filter_compile_as(db, &entity_enterprise, filter, w, err, u);
    }
    return 0;
}
