/*
 * validate.c - check algorithms for resident IDs (GB 11643-1999), Unified
 * Social Credit Codes (GB 32100-2015) and UPU S10 tracking numbers, the
 * looser checks for mobile numbers, e-mail addresses and dates, and the
 * masking helpers (see validate.h for the contracts).
 *
 * Inputs come straight from HTTP bodies and CSV imports, so nothing here
 * trusts a length: every function bounds its input before copying it, and
 * character tests use explicit ASCII ranges rather than <ctype.h>, whose
 * answers depend on the locale and are undefined for negative chars.
 */
#include "base/validate.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/i18n.h"
#include "base/utf8.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static char to_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* The value of in (NULL as "") without surrounding ASCII whitespace: it
 * starts at *s; returns its length. */
static size_t trimmed(const char *in, const char **s)
{
    const char *p = in ? in : "";
    size_t n = strlen(p);
    while (n > 0 && is_space(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && is_space(p[n - 1]))
        n--;
    *s = p;
    return n;
}

/* Value of n consecutive ASCII digits; the caller has checked they are digits. */
static int digits_value(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

const char *validate_error_key(int code)
{
    static const char *const keys[] = {
        [0] = "ok",
        [-VALIDATE_ID_EMPTY] = "id_number.empty",
        [-VALIDATE_ID_LENGTH] = "id_number.length",
        [-VALIDATE_ID_FORMAT] = "id_number.format",
        [-VALIDATE_ID_REGION] = "id_number.region",
        [-VALIDATE_ID_BIRTHDATE] = "id_number.birthdate",
        [-VALIDATE_ID_BIRTHDATE_FUTURE] = "id_number.birthdate_future",
        [-VALIDATE_ID_BIRTHDATE_RANGE] = "id_number.birthdate_range",
        [-VALIDATE_ID_CHECKSUM] = "id_number.checksum",
        [-VALIDATE_MOBILE_EMPTY] = "mobile.empty",
        [-VALIDATE_MOBILE_FORMAT] = "mobile.format",
        [-VALIDATE_USCC_EMPTY] = "uscc.empty",
        [-VALIDATE_USCC_LENGTH] = "uscc.length",
        [-VALIDATE_USCC_CHARSET] = "uscc.charset",
        [-VALIDATE_USCC_REGION] = "uscc.region",
        [-VALIDATE_USCC_CHECKSUM] = "uscc.checksum",
        [-VALIDATE_TRACKING_EMPTY] = "tracking_no.empty",
        [-VALIDATE_TRACKING_FORMAT] = "tracking_no.format",
        [-VALIDATE_TRACKING_CHECKSUM] = "tracking_no.checksum",
        [-VALIDATE_EMAIL_EMPTY] = "email.empty",
        [-VALIDATE_EMAIL_TOO_LONG] = "email.too_long",
        [-VALIDATE_EMAIL_FORMAT] = "email.format",
        [-VALIDATE_DATE_FORMAT] = "date.format",
        [-VALIDATE_DATE_INVALID] = "date.invalid",
    };
    return i18n_code_key(code, keys, sizeof(keys) / sizeof(keys[0]));
}

bool validate_chars(const char *s, size_t min, size_t max, const char *set)
{
    size_t n = strlen(s);
    return n >= min && n <= max && strspn(s, set) == n;
}

/* ---- dates ------------------------------------------------------------ */

void validate_today(struct validate_ymd *out)
{
    struct date d = date_of_time(clock_now());
    out->year = d.year;
    out->month = d.month;
    out->day = d.day;
}

bool validate_is_real_date(int year, int month, int day)
{
    return date_is_real(year, month, day);
}

/* Compare two days: negative, 0 or positive like strcmp. */
static int ymd_cmp(int y1, int m1, int d1, int y2, int m2, int d2)
{
    long a = (long)y1 * 10000 + m1 * 100 + d1;
    long b = (long)y2 * 10000 + m2 * 100 + d2;
    return (a > b) - (a < b);
}

int validate_date(const char *in, struct validate_ymd *out)
{
    const char *s;
    size_t n = trimmed(in, &s);
    struct date d;
    int rc = date_parse(s, n, &d);
    if (rc)
        return rc == DATE_ERR_FORMAT ? VALIDATE_DATE_FORMAT : VALIDATE_DATE_INVALID;
    if (out) {
        out->year = d.year;
        out->month = d.month;
        out->day = d.day;
    }
    return 0;
}

/* ---- resident ID (GB 11643-1999) -------------------------------------- */

/*
 * Province-level codes of GB/T 2260 that an ID can start with: the 31
 * mainland provinces, Taiwan (71), Hong Kong (81), Macao (82), the
 * residence permits for Taiwan residents (83) and foreigners' permanent
 * residence (91, the 2017 format follows the same check).
 */
static bool is_province_code(int code)
{
    static const unsigned char codes[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                          35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                          53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91};
    for (size_t i = 0; i < sizeof(codes); i++) {
        if (codes[i] == code)
            return true;
    }
    return false;
}

/* MOD 11-2 check character over the first 17 digits. */
static char id_check_char(const char *d17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d17[i] - '0') * weights[i];
    return map[sum % 11];
}

int validate_id_number(const char *in, const struct validate_ymd *today,
                       struct validate_id_info *out)
{
    const char *s;
    size_t n = trimmed(in, &s);
    char id[19];
    if (n == 0)
        return VALIDATE_ID_EMPTY;
    if (n == 18) {
        for (size_t i = 0; i < 17; i++) {
            if (!is_digit(s[i]))
                return VALIDATE_ID_FORMAT;
        }
        char last = to_upper(s[17]);
        if (!is_digit(last) && last != 'X')
            return VALIDATE_ID_FORMAT;
        memcpy(id, s, 17);
        id[17] = last;
    } else if (n == 15) {
        /* Legacy form: 6 region + YYMMDD + 3 sequence, no check; all were 19xx. */
        for (size_t i = 0; i < 15; i++) {
            if (!is_digit(s[i]))
                return VALIDATE_ID_FORMAT;
        }
        memcpy(id, s, 6);
        id[6] = '1';
        id[7] = '9';
        memcpy(id + 8, s + 6, 9);
        id[17] = id_check_char(id);
    } else {
        return VALIDATE_ID_LENGTH;
    }
    id[18] = '\0';

    if (!is_province_code(digits_value(id, 2)))
        return VALIDATE_ID_REGION;

    int y = digits_value(id + 6, 4), m = digits_value(id + 10, 2), d = digits_value(id + 12, 2);
    if (!validate_is_real_date(y, m, d))
        return VALIDATE_ID_BIRTHDATE;
    if (ymd_cmp(y, m, d, 1900, 1, 1) <= 0)
        return VALIDATE_ID_BIRTHDATE_RANGE;
    if (today && ymd_cmp(y, m, d, today->year, today->month, today->day) > 0)
        return VALIDATE_ID_BIRTHDATE_FUTURE;

    /* The 15-digit form had no check character; ours was computed above. */
    if (id_check_char(id) != id[17])
        return VALIDATE_ID_CHECKSUM;

    if (out) {
        memcpy(out->id, id, sizeof(id));
        memcpy(out->birthday, id + 6, 4);
        out->birthday[4] = '-';
        memcpy(out->birthday + 5, id + 10, 2);
        out->birthday[7] = '-';
        memcpy(out->birthday + 8, id + 12, 2);
        out->birthday[10] = '\0';
        out->gender = ((id[16] - '0') % 2) ? "male" : "female";
    }
    return 0;
}

/* ---- mobile ----------------------------------------------------------- */

int validate_mobile(const char *in, char out[12])
{
    const char *s;
    size_t n = trimmed(in, &s);
    char digits[16];
    size_t nd = 0;
    bool plus = false;
    if (n == 0)
        return VALIDATE_MOBILE_EMPTY;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '-')
            continue;
        if (c == '+' && i == 0) {
            plus = true;
            continue;
        }
        if (!is_digit(c) || nd == sizeof(digits))
            return VALIDATE_MOBILE_FORMAT;
        digits[nd++] = c;
    }

    const char *num = digits;
    if (nd == 15 && !plus && memcmp(digits, "0086", 4) == 0) {
        num += 4;
        nd -= 4;
    } else if (nd == 13 && memcmp(digits, "86", 2) == 0) {
        num += 2;
        nd -= 2;
    } else if (plus) {
        return VALIDATE_MOBILE_FORMAT; /* "+" with any other country code */
    }

    if (nd != 11 || num[0] != '1')
        return VALIDATE_MOBILE_FORMAT;
    if (out) {
        memcpy(out, num, 11);
        out[11] = '\0';
    }
    return 0;
}

/* ---- Unified Social Credit Code (GB 32100-2015) ----------------------- */

static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Value 0..30 of an (upper-case) code character, or -1 outside the set. */
static int uscc_value(char c)
{
    if (c == '\0')
        return -1;
    const char *p = strchr(uscc_charset, c);
    return p ? (int)(p - uscc_charset) : -1;
}

int validate_uscc(const char *in, char out[19])
{
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    const char *s;
    size_t n = trimmed(in, &s);
    char code[19];
    if (n == 0)
        return VALIDATE_USCC_EMPTY;
    if (n != 18)
        return VALIDATE_USCC_LENGTH;
    for (size_t i = 0; i < 18; i++) {
        code[i] = to_upper(s[i]);
        if (uscc_value(code[i]) < 0)
            return VALIDATE_USCC_CHARSET;
    }
    code[18] = '\0';
    for (size_t i = 2; i < 8; i++) {
        if (!is_digit(code[i]))
            return VALIDATE_USCC_REGION;
    }
    int sum = 0;
    for (size_t i = 0; i < 17; i++)
        sum += uscc_value(code[i]) * weights[i];
    int check = 31 - sum % 31;
    if (check == 31)
        check = 0;
    if (uscc_value(code[17]) != check)
        return VALIDATE_USCC_CHECKSUM;
    if (out)
        memcpy(out, code, sizeof(code));
    return 0;
}

/* ---- tracking numbers ------------------------------------------------- */

int validate_tracking_no(const char *in, char out[14], enum validate_tracking_kind *kind)
{
    const char *s;
    size_t n = trimmed(in, &s);
    char t[14];
    size_t nt = 0;
    if (n == 0)
        return VALIDATE_TRACKING_EMPTY;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ')
            continue;
        if (nt == 13)
            return VALIDATE_TRACKING_FORMAT;
        t[nt++] = to_upper(s[i]);
    }
    t[nt] = '\0';
    if (nt != 13)
        return VALIDATE_TRACKING_FORMAT;

    bool all_digits = true;
    for (size_t i = 0; i < 13; i++)
        all_digits = all_digits && is_digit(t[i]);
    if (all_digits) {
        if (out)
            memcpy(out, t, sizeof(t));
        if (kind)
            *kind = VALIDATE_TRACKING_DOMESTIC;
        return 0;
    }

    if (!is_upper(t[0]) || !is_upper(t[1]) || !is_upper(t[11]) || !is_upper(t[12]))
        return VALIDATE_TRACKING_FORMAT;
    for (size_t i = 2; i < 11; i++) {
        if (!is_digit(t[i]))
            return VALIDATE_TRACKING_FORMAT;
    }
    static const int weights[8] = {8, 6, 4, 2, 3, 5, 9, 7};
    int sum = 0;
    for (size_t i = 0; i < 8; i++)
        sum += (t[2 + i] - '0') * weights[i];
    int check = 11 - sum % 11;
    if (check == 10)
        check = 0;
    else if (check == 11)
        check = 5;
    if (t[10] - '0' != check)
        return VALIDATE_TRACKING_CHECKSUM;
    if (out)
        memcpy(out, t, sizeof(t));
    if (kind)
        *kind = VALIDATE_TRACKING_S10;
    return 0;
}

/* ---- e-mail ----------------------------------------------------------- */

int validate_email(const char *in)
{
    const char *s;
    size_t n = trimmed(in, &s);
    if (n == 0)
        return VALIDATE_EMAIL_EMPTY;
    if (n > 254)
        return VALIDATE_EMAIL_TOO_LONG;

    const char *at = NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || strchr("<>()[],;:\"\\", c))
            return VALIDATE_EMAIL_FORMAT;
        if (c == '@') {
            if (at)
                return VALIDATE_EMAIL_FORMAT;
            at = s + i;
        }
    }
    if (!at)
        return VALIDATE_EMAIL_FORMAT;
    size_t local_len = (size_t)(at - s);
    if (local_len == 0 || local_len > 64)
        return VALIDATE_EMAIL_FORMAT;

    /* Domain: labels separated by single dots, at least two labels. */
    const char *dom = at + 1;
    size_t dom_len = n - local_len - 1;
    size_t label = 0, dots = 0;
    for (size_t i = 0; i < dom_len; i++) {
        if (dom[i] == '.') {
            if (label == 0)
                return VALIDATE_EMAIL_FORMAT;
            dots++;
            label = 0;
        } else {
            label++;
        }
    }
    if (dots == 0 || label == 0)
        return VALIDATE_EMAIL_FORMAT;
    return 0;
}

/* ---- masking ---------------------------------------------------------- */

static char *stars(size_t n)
{
    char *p = xmalloc(n + 1);
    memset(p, '*', n);
    p[n] = '\0';
    return p;
}

/* Copy keeping head bytes and tail bytes of an ASCII string of length n. */
static char *keep_ends(const char *s, size_t n, size_t head, size_t tail)
{
    char *p = stars(n);
    memcpy(p, s, head);
    memcpy(p + n - tail, s + n - tail, tail);
    return p;
}

static bool is_ascii_printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
            return false;
    }
    return true;
}

char *id_mask(const char *id)
{
    if (!id)
        return xstrdup("");
    const char *s;
    size_t n = trimmed(id, &s);
    if ((n == 18 || n == 15) && is_ascii_printable(s, n))
        return keep_ends(s, n, 0, 4);
    return stars(utf8_len(id));
}

char *email_mask(const char *email)
{
    const char *at = email ? strchr(email, '@') : NULL;
    if (!at || at == email)
        return xstrdup("***");
    return xasprintf("%c***%s", email[0], at);
}

char *date_mask_year(const char *date)
{
    if (!date)
        return xstrdup("");
    size_t n = strlen(date);
    if (n == 10 && date[4] == '-' && date[7] == '-')
        return xstrdup(date + 5);
    if (n == 5 && date[2] == '-')
        return xstrdup(date);
    return stars(utf8_len(date));
}

char *phone_mask(const char *phone)
{
    char mobile[12];
    if (!phone)
        return xstrdup("");
    if (validate_mobile(phone, mobile) == 0)
        return keep_ends(mobile, 11, 3, 4);
    const char *s;
    size_t n = trimmed(phone, &s);
    if (n >= 8 && is_ascii_printable(s, n))
        return keep_ends(s, n, 3, 4);
    return stars(utf8_len(phone));
}

/* The first n characters of s and tail (tail only when something was cut). */
static char *keep_first(const char *s, size_t n, const char *tail)
{
    if (!s)
        return xstrdup("");
    size_t len = strlen(s), cut = utf8_offset(s, len, n);
    return xasprintf("%.*s%s", (int)cut, s, cut < len ? tail : "");
}

char *name_mask(const char *name)
{
    return keep_first(name, 1, "*");
}

char *address_mask(const char *address)
{
    return keep_first(address, 6, "****");
}

void money_format(long long fen, char *out, size_t outlen)
{
    /* Sign apart: C's division truncates, so -50 / 100 is 0, not -0. */
    unsigned long long a = fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
    snprintf(out, outlen, "%s%llu.%02llu", fen < 0 ? "-" : "", a / 100, a % 100);
}
