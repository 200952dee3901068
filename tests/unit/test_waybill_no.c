/*
 * test_waybill_no.c - unit tests for the waybill number checks
 * (src/logistics/waybill_no.c): UPU S10 check digits with the 10 → 0 and
 * 11 → 5 cases, the domestic 13-digit rule, normalisation to upper case,
 * and what counts as the wrong shape rather than a wrong digit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "logistics/waybill.h"

#include <stdio.h>
#include <string.h>

static void s10_digits(void **state)
{
    (void)state;
    /* The UPU's own example: 47312482 → 8·4+6·7+4·3+2·1+3·2+5·4+9·8+7·2 =
     * 200, 200 mod 11 = 2, 11 − 2 = 9. */
    assert_int_equal(waybill_s10_check_digit("47312482"), 9);
    assert_int_equal(waybill_s10_check_digit("12345678"), 5);
    /* The two edge cases: a sum of 1 mod 11 gives 10, written 0; a sum of
     * 0 mod 11 gives 11, written 5. Find a serial of each. */
    int zero = -1, five = -1;
    char d[16];
    for (int n = 0; n < 1000 && (zero < 0 || five < 0); n++) {
        snprintf(d, sizeof(d), "%08d", n);
        int sum = 0;
        static const int w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
        for (int i = 0; i < 8; i++)
            sum += (d[i] - '0') * w[i];
        if (sum % 11 == 1 && zero < 0) {
            zero = n;
            assert_int_equal(waybill_s10_check_digit(d), 0);
        }
        if (sum % 11 == 0 && five < 0) {
            five = n;
            assert_int_equal(waybill_s10_check_digit(d), 5);
        }
    }
    assert_true(zero >= 0 && five >= 0);
}

static void checks(void **state)
{
    (void)state;
    char out[14], expected = 0;
    assert_int_equal(waybill_no_check("EA123456785CN", out, &expected), WAYBILL_NO_OK);
    assert_string_equal(out, "EA123456785CN");
    assert_int_equal(waybill_no_check("ea123456785cn", out, &expected), WAYBILL_NO_OK);
    assert_string_equal(out, "EA123456785CN");
    assert_int_equal(waybill_no_check("RR473124829GB", out, &expected), WAYBILL_NO_OK);
    /* A wrong digit names the right one. */
    assert_int_equal(waybill_no_check("EA123456784CN", out, &expected), WAYBILL_NO_CHECK);
    assert_int_equal(expected, '5');
    /* Wrong shapes: length, letters in the digits, digits in the letters. */
    assert_int_equal(waybill_no_check("EA12345678CN", out, &expected), WAYBILL_NO_FORMAT);
    assert_int_equal(waybill_no_check("EA1234567X5CN", out, &expected), WAYBILL_NO_FORMAT);
    assert_int_equal(waybill_no_check("E1123456785CN", out, &expected), WAYBILL_NO_FORMAT);
    assert_int_equal(waybill_no_check("EA 23456785CN", out, &expected), WAYBILL_NO_FORMAT);
    assert_int_equal(waybill_no_check(NULL, out, &expected), WAYBILL_NO_FORMAT);
}

static void domestic(void **state)
{
    (void)state;
    /* 9812345678901: 9·8+8·6+1·4+2·2+3·3+4·5+5·9+6·7+7·8+8·6+9·4+0·2 =
     * 72+48+4+4+9+20+45+42+56+48+36+0 = 384; 384 mod 11 = 10; 11 − 10 = 1. */
    assert_int_equal(waybill_domestic_check_digit("981234567890"), 1);
    char out[14], expected = 0;
    assert_int_equal(waybill_no_check("9812345678901", out, &expected), WAYBILL_NO_OK);
    assert_int_equal(waybill_no_check("9812345678902", out, &expected), WAYBILL_NO_CHECK);
    assert_int_equal(expected, '1');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s10_digits),
        cmocka_unit_test(checks),
        cmocka_unit_test(domestic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
