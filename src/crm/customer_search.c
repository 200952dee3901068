/*
 * customer_search.c - the conditions of a customer list: scope, recycle
 * bin, the quick-search box (an index chosen by the shape of what was
 * typed) and the filter tree (customer_where, customer_where_split).
 */
#include "crm/customer.h"

#include "core/perms.h"
#include "base/utf8.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "crm/customer_ids.h"
#include "crm/name_grams.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"
#include "record/entity.h"
#include "record/filter.h"
#include "record/form_layout.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool all_digits(const char *s)
{
    return validate_chars(s, 0, SIZE_MAX, VALIDATE_DIGITS);
}

/* Three digits and an X: the last four of an ID number. */
static bool id_last4(const char *s)
{
    return strlen(s) == 4 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
           s[2] >= '0' && s[2] <= '9' && (s[3] == 'X' || s[3] == 'x');
}

/* [prefix, prefix+1) on an indexed text column. */
static void prefix_range(struct sqlbuf *w, const char *column, const char *prefix)
{
    size_t n = strlen(prefix);
    char *upper = xstrdup(prefix);
    upper[n - 1]++;
    sqlbuf_addf(w, "(%s >= ? AND %s < ?)", column, column);
    sqlbuf_bind_text_copy(w, prefix);
    sqlbuf_bind_text_copy(w, upper);
    free(upper);
}

/* Letters: pinyin initials or a pinyin prefix (part: see quick_search). */
static void search_pinyin(struct sqlbuf *w, const char *q, int part)
{
    char lower[128];
    size_t len = strlen(q);
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)(q[i] >= 'A' && q[i] <= 'Z' ? q[i] + 32 : q[i]);
    sqlbuf_add(w, "(");
    if (part == 2) {
        prefix_range(w, "c.name_pinyin", lower);
        sqlbuf_add(w, " AND NOT ");
        prefix_range(w, "c.name_initials", lower);
    } else {
        prefix_range(w, "c.name_initials", lower);
        if (part == 0) {
            sqlbuf_add(w, " OR ");
            prefix_range(w, "c.name_pinyin", lower);
        }
    }
    sqlbuf_add(w, ")");
}

/* The fields the quick search matches, as bits of the caller's
 * form_layout_visible_mask: a matcher of a field hidden from the caller is
 * skipped (typing a hidden phone must not tell whether a customer has it). */
static const char *const quick_fields[] = {"phone", "id_number", "customer_no", "name"};
enum { SEE_PHONE = 1, SEE_ID = 2, SEE_NO = 4, SEE_NAME = 8 };

/* " OR " between the alternatives of one shape; "(1 = 0)" when none is
 * left to the caller. */
static void alt(struct sqlbuf *w, bool *any)
{
    if (*any)
        sqlbuf_add(w, " OR ");
    *any = true;
}

/* Anything else: a Chinese name fragment through the name-fragment index,
 * or other text in the name or as a whole customer number. */
static void search_name(struct sqlbuf *w, const char *q, int see)
{
    if (!(see & SEE_NAME)) {
        /* only the whole customer number is left */
        sqlbuf_add(w, (see & SEE_NO) ? "(c.customer_no = ?)" : "(1 = 0)");
        if (see & SEE_NO)
            sqlbuf_bind_text_copy(w, q);
        return;
    }
    size_t chars = utf8_len(q);
    bool ascii = true;
    for (const char *p = q; *p; p++)
        if ((unsigned char)*p >= 0x80)
            ascii = false;
    if (!ascii && chars == 1) {
        /* One character anywhere in the name: the entries that begin
         * with it (a pair, or the name's last character). */
        sqlbuf_add(w, "(c.id IN (SELECT customer_id FROM customer_name_grams WHERE ");
        prefix_range(w, "gram", q);
        sqlbuf_add(w, "))");
    } else if (!ascii) {
        /* The first two characters find the candidates through the
         * gram index; longer fragments are then checked in full. */
        name_grams_match(w, q, "c.id", "SELECT customer_id FROM customer_name_grams WHERE gram = ?",
                         "c.name");
    } else {
        sqlbuf_add(w, (see & SEE_NO) ? "(c.name LIKE ? ESCAPE '\\' OR c.customer_no = ?)"
                                     : "(c.name LIKE ? ESCAPE '\\')");
        sqlbuf_bind(w, DB_TEXT(sqlbuf_like(w, q, false)));
        if (see & SEE_NO)
            sqlbuf_bind_text_copy(w, q);
    }
}

/* A digits-only query of 1 to 10 digits may be a customer number's
 * sequence part, typed without the branch code ("65", "000065" find
 * "110105-000065"): the number written as the numbering writes it (six
 * digits, zero padded) after each branch code of the caller's scope. Each
 * candidate is a seek on the unique customer_no index, one per branch in
 * scope (a clerk's branch: one seek), never a scan of the suffixes. */
static void search_number_suffix(struct sqlbuf *w, const struct actor *u, const char *q)
{
    long long seq = strtoll(q, NULL, 10);
    char tail[24];
    snprintf(tail, sizeof(tail), "-%06lld", seq);
    sqlbuf_add(w, "c.customer_no IN (SELECT b.code || ? FROM branches b WHERE ");
    sqlbuf_bind_text_copy(w, tail);
    scope_sql(u, "b.path", w);
    sqlbuf_add(w, ")");
}

/* Letters and spaces ("zhang san", "z s"): the letters alone, lower case,
 * into out (pinyin keys are stored without separators). False when q has
 * anything else, or no letter. */
static bool pinyin_words(const char *q, char *out, size_t outlen)
{
    size_t n = 0;
    for (; *q; q++) {
        if (*q == ' ')
            continue;
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')) || n + 1 >= outlen)
            return false;
        out[n++] = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
    }
    out[n] = '\0';
    return n > 0;
}

/* The quick-search box: decide from the shape of what was typed which
 * indexed column to ask, so every kind of lookup is an index seek. Letters
 * (spaces between pinyin syllables or initials ignored) are pinyin
 * initials or a pinyin prefix: part 0 asks both (OR), part 1 only the
 * initials, part 2 the pinyin but not the initials, so that parts 1 and 2
 * are disjoint (see customer_where_split).
 *
 * Digits only, in this order of shapes; the customer-number sequence
 * (search_number_suffix) is ORed to every shape of 1 to 10 digits:
 *   11 digits        the whole phone number;
 *   4 digits         the phone's last four (allowed to every role), an ID
 *                    number's last four (callers who see ID numbers only,
 *                    through its keyed index; "123X" too) or a customer
 *                    number's sequence;
 *   5 to 10 digits   a phone being typed (phone prefix; not for a caller
 *                    who sees phones masked, who could learn one a digit
 *                    at a time) or a customer number's sequence;
 *   1 to 3 digits    a customer number's sequence only.
 * see: the SEE_* bits of the fields the caller may see; the matchers of
 * the others are left out. */
static void quick_search(struct sqlbuf *w, const struct actor *u, const char *q_in, int part,
                         bool masked, int see)
{
    char q[128];
    size_t len = utf8_trim_copy(q_in, q, sizeof(q));
    if (len == 0) {
        sqlbuf_add(w, "(1 = 1)");
        return;
    }
    struct validate_id_info info;
    struct validate_ymd today;
    validate_today(&today);
    char words[128];
    char index[DATAKEY_INDEX_LEN + 1] = "";
    bool phone = see & SEE_PHONE, id = see & SEE_ID, no = see & SEE_NO, any = false;
    if (strncmp(q, "sealed:", 7) == 0) {
        /* an ID number as stored search parameters keep it (customer_ids_protect) */
        bool ok = id && customer_id_lookup(q, index, sizeof(index));
        sqlbuf_add(w, ok ? "(c.id_index = ?)" : "(1 = 0)");
        if (ok)
            sqlbuf_bind_text_copy(w, index);
    } else if (all_digits(q) && len == 11) {
        sqlbuf_add(w, phone ? "(c.phone = ?)" : "(1 = 0)");
        if (phone)
            sqlbuf_bind_text_copy(w, q);
    } else if (len == 4 && !all_digits(q) && id_last4(q)) {
        /* "186X" is the end of an ID number, never a phone: only for a
         * caller who sees ID numbers unmasked (one who does not may not
         * test digits of one, issue 13). */
        bool ok = id && !masked;
        customer_id_last4(q, index);
        sqlbuf_add(w, ok ? "(c.id_last4_index = ?)" : "(1 = 0)");
        if (ok)
            sqlbuf_bind_text_copy(w, index);
    } else if (all_digits(q) && len == 4) {
        /* The phone's last four (every role that sees phones), an ID
         * number's last four (unmasked callers only) or a customer
         * number's sequence. */
        sqlbuf_add(w, "(");
        if (phone) {
            alt(w, &any);
            sqlbuf_add(w, "c.phone_last4 = ?");
            sqlbuf_bind_text_copy(w, q);
        }
        if (id && !masked) {
            alt(w, &any);
            customer_id_last4(q, index);
            sqlbuf_add(w, "c.id_last4_index = ?");
            sqlbuf_bind_text_copy(w, index);
        }
        if (no) {
            alt(w, &any);
            search_number_suffix(w, u, q);
        }
        sqlbuf_add(w, any ? ")" : "1 = 0)");
    } else if ((len == 18 || len == 15) && validate_id_number(q, &today, &info) == 0) {
        /* The whole number, through its keyed index: the table holds no
         * clear ID number to compare with. */
        customer_id_lookup(info.id, index, sizeof(index));
        sqlbuf_add(w, id ? "(c.id_index = ?)" : "(1 = 0)");
        if (id)
            sqlbuf_bind_text_copy(w, index);
    } else if (all_digits(q) && len >= 5 && len < 11) {
        sqlbuf_add(w, "(");
        if (phone && !masked) {
            alt(w, &any);
            prefix_range(w, "c.phone", q);
        }
        if (no) {
            alt(w, &any);
            search_number_suffix(w, u, q);
        }
        sqlbuf_add(w, any ? ")" : "1 = 0)");
    } else if (all_digits(q) && len < 4) {
        sqlbuf_add(w, "(");
        if (no)
            search_number_suffix(w, u, q);
        sqlbuf_add(w, no ? ")" : "1 = 0)");
    } else if (strchr(q, '-') && len >= 3) {
        char *upper = xstrdup(q);
        for (char *p = upper; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        if (no)
            prefix_range(w, "c.customer_no", upper);
        else
            sqlbuf_add(w, "(1 = 0)");
        free(upper);
    } else if (pinyin_words(q, words, sizeof(words))) {
        if (see & SEE_NAME)
            search_pinyin(w, words, part);
        else
            sqlbuf_add(w, "(1 = 0)");
    } else {
        search_name(w, q, see);
    }
}

static int where_part(struct db *db, const struct actor *u, const char *q, json_t *filter,
                      bool deleted, struct sqlbuf *w, struct filter_error *err, int part)
{
    int see = filter_quick_mask(db, &entity_customer, u, q, quick_fields,
                                sizeof(quick_fields) / sizeof(quick_fields[0]), err);
    if (see < 0)
        return see;
    scope_sql(u, "c.branch_path", w);
    sqlbuf_add(w, deleted ? " AND c.deleted_at IS NOT NULL AND c.erased_at IS NULL"
                          : " AND c.deleted_at IS NULL");
    if (q && *q) {
        sqlbuf_add(w, " AND ");
        quick_search(w, u, q, part, !(u->perms & PERM_REVEAL), see);
    }
    if (filter) {
        sqlbuf_add(w, " AND ");
        int rc = filter_compile_as(db, &entity_customer, filter, w, err, u);
        if (rc)
            return rc;
    }
    return 0;
}

int customer_where(struct db *db, const struct actor *u, const char *q, json_t *filter,
                   bool deleted, struct sqlbuf *w, struct filter_error *err)
{
    return where_part(db, u, q, filter, deleted, w, err, 0);
}

/* Letters, perhaps with spaces: the pinyin case of quick_search. */
static bool quick_is_letters(const char *q)
{
    char words[128];
    return strlen(q) < sizeof(words) && pinyin_words(q, words, sizeof(words));
}

int customer_where_split(struct db *db, const struct actor *u, const char *q, json_t *filter,
                         bool deleted, struct sqlbuf w[2], int *n, struct filter_error *err)
{
    if (!q || !quick_is_letters(q)) {
        *n = 1;
        return where_part(db, u, q, filter, deleted, &w[0], err, 0);
    }
    *n = 2;
    int rc = where_part(db, u, q, filter, deleted, &w[0], err, 1);
    return rc ? rc : where_part(db, u, q, filter, deleted, &w[1], err, 2);
}
