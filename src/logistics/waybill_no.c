/*
 * waybill_no.c - waybill numbers: UPU S10 (two letters, eight serial
 * digits, a check digit, the country's two letters) and the domestic
 * 13-digit number (see waybill.h for the check-digit rules).
 *
 * The domestic number has no public standard; its last digit checks the
 * first twelve with the S10 weights continued cyclically. A feed that
 * uses another rule is adapted here and nowhere else.
 */
#include "logistics/waybill.h"

#include <ctype.h>
#include <string.h>

static const int weights[8] = {8, 6, 4, 2, 3, 5, 9, 7};

static int check_of(int sum)
{
    int c = 11 - sum % 11;
    return c == 10 ? 0 : c == 11 ? 5 : c;
}

int waybill_s10_check_digit(const char digits[8])
{
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (digits[i] - '0') * weights[i];
    return check_of(sum);
}

int waybill_domestic_check_digit(const char digits[12])
{
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (digits[i] - '0') * weights[i % 8];
    return check_of(sum);
}

static bool all(const char *s, size_t n, int (*pred)(int))
{
    for (size_t i = 0; i < n; i++)
        if (!pred((unsigned char)s[i]))
            return false;
    return true;
}

int waybill_no_check(const char *s, char out[14], char *expected)
{
    if (!s || strlen(s) != 13)
        return WAYBILL_NO_FORMAT;
    for (int i = 0; i < 13; i++)
        out[i] = (char)toupper((unsigned char)s[i]);
    out[13] = '\0';
    int want, pos;
    if (all(out, 13, isdigit)) {
        want = waybill_domestic_check_digit(out);
        pos = 12;
    } else if (all(out, 2, isupper) && all(out + 2, 9, isdigit) && all(out + 11, 2, isupper)) {
        want = waybill_s10_check_digit(out + 2);
        pos = 10;
    } else {
        return WAYBILL_NO_FORMAT;
    }
    *expected = (char)('0' + want);
    return out[pos] == *expected ? WAYBILL_NO_OK : WAYBILL_NO_CHECK;
}
