/*
 * test_validate.c - unit tests for src/base/validate.c: the published check
 * algorithms against their standards' examples, one-character mutations,
 * boundary dates, and hostile input (injection characters, huge strings).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/clock.h"
#include "base/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct validate_ymd today = {2024, 6, 1};

/* ---- resident ID ------------------------------------------------------ */

static void test_id_standard_example(void **state)
{
    (void)state;
    struct validate_id_info info;
    assert_int_equal(validate_id_number("11010519491231002X", &today, &info), 0);
    assert_string_equal(info.id, "11010519491231002X");
    assert_string_equal(info.birthday, "1949-12-31");
    assert_string_equal(info.gender, "female");
}

static void test_id_lowercase_x_and_trim(void **state)
{
    (void)state;
    struct validate_id_info info;
    assert_int_equal(validate_id_number("  11010519491231002x\t", &today, &info), 0);
    assert_string_equal(info.id, "11010519491231002X");
}

static void test_id_male_and_leap_day(void **state)
{
    (void)state;
    struct validate_id_info info;
    assert_int_equal(validate_id_number("440301200002291237", &today, &info), 0);
    assert_string_equal(info.birthday, "2000-02-29");
    assert_string_equal(info.gender, "male");
    /* 2001 was not a leap year: the checksum is right, the date is not. */
    assert_int_equal(validate_id_number("440301200102291234", &today, NULL), VALIDATE_ID_BIRTHDATE);
}

static void test_id_every_single_digit_mutation_fails(void **state)
{
    (void)state;
    const char *good = "11010519491231002X";
    char buf[19];
    for (int pos = 0; pos < 17; pos++) {
        for (char d = '0'; d <= '9'; d++) {
            if (d == good[pos])
                continue;
            memcpy(buf, good, sizeof(buf));
            buf[pos] = d;
            /* MOD 11-2 detects every single-digit error. */
            assert_int_not_equal(validate_id_number(buf, &today, NULL), 0);
        }
    }
    memcpy(buf, good, sizeof(buf));
    buf[17] = '0';
    assert_int_equal(validate_id_number(buf, &today, NULL), VALIDATE_ID_CHECKSUM);
}

static void test_id_legacy_15(void **state)
{
    (void)state;
    struct validate_id_info info;
    assert_int_equal(validate_id_number("110105491231002", &today, &info), 0);
    assert_string_equal(info.id, "11010519491231002X");
    assert_string_equal(info.birthday, "1949-12-31");
    assert_string_equal(info.gender, "female");
    assert_int_equal(validate_id_number("110105491231001", &today, &info), 0);
    assert_string_equal(info.gender, "male");
    /* 19490230 does not exist. */
    assert_int_equal(validate_id_number("110105490230002", &today, NULL), VALIDATE_ID_BIRTHDATE);
    assert_int_equal(validate_id_number("11010549123100X", &today, NULL), VALIDATE_ID_FORMAT);
}

static void test_id_dates(void **state)
{
    (void)state;
    /* Born today: fine. Born tomorrow: future. */
    assert_int_equal(validate_id_number("440301202406010015", &today, NULL), 0);
    assert_int_equal(validate_id_number("440301202406020010", &today, NULL),
                     VALIDATE_ID_BIRTHDATE_FUTURE);
    /* The lower bound is exclusive: 1900-01-01 is rejected, the day after is not. */
    assert_int_equal(validate_id_number("11010519000101001X", &today, NULL),
                     VALIDATE_ID_BIRTHDATE_RANGE);
    assert_int_equal(validate_id_number("110105190001020015", &today, NULL), 0);
}

static void test_id_region(void **state)
{
    (void)state;
    assert_int_equal(validate_id_number("990105194912310023", &today, NULL), VALIDATE_ID_REGION);
    assert_int_equal(validate_id_number("710000198001010010", &today, NULL), 0);
}

static void test_id_malformed(void **state)
{
    (void)state;
    assert_int_equal(validate_id_number(NULL, &today, NULL), VALIDATE_ID_EMPTY);
    assert_int_equal(validate_id_number("   ", &today, NULL), VALIDATE_ID_EMPTY);
    assert_int_equal(validate_id_number("11010519491231002", &today, NULL), VALIDATE_ID_LENGTH);
    assert_int_equal(validate_id_number("11010519491231002X1", &today, NULL), VALIDATE_ID_LENGTH);
    assert_int_equal(validate_id_number("1101051949123100XX", &today, NULL), VALIDATE_ID_FORMAT);
    assert_int_equal(validate_id_number("110105 9491231002X", &today, NULL), VALIDATE_ID_FORMAT);
    assert_int_equal(validate_id_number("11010519491231002Y", &today, NULL), VALIDATE_ID_FORMAT);
    assert_int_equal(validate_id_number("１1010519491231002X", &today, NULL), VALIDATE_ID_LENGTH);
    assert_int_equal(validate_id_number("110105194912310' OR 1=1", &today, NULL),
                     VALIDATE_ID_LENGTH);
    /* Output untouched on failure. */
    struct validate_id_info info;
    memset(&info, 0x5a, sizeof(info));
    assert_int_not_equal(validate_id_number("11010519491231002Y", &today, &info), 0);
    assert_int_equal((unsigned char)info.id[0], 0x5a);
}

static void test_id_huge_input(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *big = malloc(n + 1);
    memset(big, '1', n);
    big[n] = '\0';
    assert_int_equal(validate_id_number(big, &today, NULL), VALIDATE_ID_LENGTH);
    assert_int_equal(validate_mobile(big, NULL), VALIDATE_MOBILE_FORMAT);
    assert_int_equal(validate_uscc(big, NULL), VALIDATE_USCC_LENGTH);
    assert_int_equal(validate_tracking_no(big, NULL, NULL), VALIDATE_TRACKING_FORMAT);
    assert_int_equal(validate_email(big), VALIDATE_EMAIL_TOO_LONG);
    assert_int_equal(validate_date(big, NULL), VALIDATE_DATE_FORMAT);
    free(big);
}

/* ---- mobile ----------------------------------------------------------- */

static void test_mobile_accepts(void **state)
{
    (void)state;
    char out[12];
    const char *ok[] = {"13812341234",     "+86 138 1234 1234", "+8613812341234",
                        "8613812341234",   "008613812341234",   "138-1234-1234",
                        " 13812341234 \n", "+86-138-1234-1234"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        memset(out, 0, sizeof(out));
        assert_int_equal(validate_mobile(ok[i], out), 0);
        assert_string_equal(out, "13812341234");
    }
    /* Unassigned-looking prefixes are not rejected by carrier. */
    assert_int_equal(validate_mobile("10012345678", out), 0);
    assert_int_equal(validate_mobile("19912345678", out), 0);
}

static void test_mobile_rejects(void **state)
{
    (void)state;
    assert_int_equal(validate_mobile("", NULL), VALIDATE_MOBILE_EMPTY);
    assert_int_equal(validate_mobile(NULL, NULL), VALIDATE_MOBILE_EMPTY);
    const char *bad[] = {"1381234123",      "138123412345",     "23812341234",
                         "+1 2025550123",   "+13812341234",     "138 1234 123a",
                         "(138)12341234",   "010-12345678",     "+86 +8613812341234",
                         "86 23812341234",  "138.1234.1234",    "13812341234\n1",
                         "＋8613812341234", "0086+13812341234", "+008613812341234"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(validate_mobile(bad[i], NULL), VALIDATE_MOBILE_FORMAT);
}

/* ---- USCC ------------------------------------------------------------- */

static void test_uscc_valid(void **state)
{
    (void)state;
    char out[19];
    assert_int_equal(validate_uscc("91350100M000100Y43", out), 0);
    assert_string_equal(out, "91350100M000100Y43");
    assert_int_equal(validate_uscc("91350100m000100y43", out), 0);
    assert_string_equal(out, "91350100M000100Y43");
    /* Sum divisible by 31: the check character is '0' (the 31 -> 0 rule). */
    assert_int_equal(validate_uscc("914403000000000250", NULL), 0);
}

static void test_uscc_mutations(void **state)
{
    (void)state;
    const char *good = "91350100M000100Y43";
    const char *set = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    char buf[19];
    /* Every substitution at every position must fail (31 is prime, so a
     * single changed character always changes the weighted sum mod 31). */
    for (int pos = 0; pos < 18; pos++) {
        for (const char *c = set; *c; c++) {
            if (*c == good[pos])
                continue;
            memcpy(buf, good, sizeof(buf));
            buf[pos] = *c;
            assert_int_not_equal(validate_uscc(buf, NULL), 0);
        }
    }
    memcpy(buf, good, sizeof(buf));
    buf[17] = '4';
    assert_int_equal(validate_uscc(buf, NULL), VALIDATE_USCC_CHECKSUM);
}

static void test_uscc_rejects(void **state)
{
    (void)state;
    assert_int_equal(validate_uscc("", NULL), VALIDATE_USCC_EMPTY);
    assert_int_equal(validate_uscc("91350100M000100Y4", NULL), VALIDATE_USCC_LENGTH);
    /* I, O, Z, S, V are excluded from the character set. */
    assert_int_equal(validate_uscc("91350100I000100Y43", NULL), VALIDATE_USCC_CHARSET);
    assert_int_equal(validate_uscc("91350100O000100Y43", NULL), VALIDATE_USCC_CHARSET);
    assert_int_equal(validate_uscc("91350100Z000100Y43", NULL), VALIDATE_USCC_CHARSET);
    assert_int_equal(validate_uscc("91350100S000100Y43", NULL), VALIDATE_USCC_CHARSET);
    assert_int_equal(validate_uscc("91350100V000100Y43", NULL), VALIDATE_USCC_CHARSET);
    assert_int_equal(validate_uscc("91350100-000100Y43", NULL), VALIDATE_USCC_CHARSET);
    assert_int_equal(validate_uscc("913A0100M000100Y43", NULL), VALIDATE_USCC_REGION);
}

/* ---- tracking numbers ------------------------------------------------- */

static void test_tracking_s10(void **state)
{
    (void)state;
    char out[14];
    enum validate_tracking_kind kind = 0;
    assert_int_equal(validate_tracking_no("EA123456785CN", out, &kind), 0);
    assert_string_equal(out, "EA123456785CN");
    assert_int_equal(kind, VALIDATE_TRACKING_S10);
    assert_int_equal(validate_tracking_no("ea 123 456 785 cn", out, &kind), 0);
    assert_string_equal(out, "EA123456785CN");
    assert_int_equal(validate_tracking_no("EA123456784CN", NULL, NULL), VALIDATE_TRACKING_CHECKSUM);
    /* 11 - r == 10 maps to 0, 11 - r == 11 maps to 5. */
    assert_int_equal(validate_tracking_no("RR000000080CN", NULL, NULL), 0);
    assert_int_equal(validate_tracking_no("RR000000155CN", NULL, NULL), 0);
    assert_int_equal(validate_tracking_no("RR000000005CN", NULL, NULL), 0);
    assert_int_equal(validate_tracking_no("RR000000010CN", NULL, NULL), VALIDATE_TRACKING_CHECKSUM);
}

static void test_tracking_domestic_and_rejects(void **state)
{
    (void)state;
    char out[14];
    enum validate_tracking_kind kind = 0;
    assert_int_equal(validate_tracking_no("1234567890123", out, &kind), 0);
    assert_int_equal(kind, VALIDATE_TRACKING_DOMESTIC);
    assert_string_equal(out, "1234567890123");

    assert_int_equal(validate_tracking_no("", NULL, NULL), VALIDATE_TRACKING_EMPTY);
    const char *bad[] = {"123456789012",   "12345678901234", "E1123456785CN", "EA12345678CN",
                         "EA123456785C1",  "EA1234567850CN", "EA12345A785CN", "EA123456785CNX",
                         "EA-123456785CN", "ÉA123456785CN"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(validate_tracking_no(bad[i], NULL, NULL), VALIDATE_TRACKING_FORMAT);
}

/* ---- e-mail ----------------------------------------------------------- */

static void test_email(void **state)
{
    (void)state;
    assert_int_equal(validate_email("zhang.san@chinapost.com.cn"), 0);
    assert_int_equal(validate_email("a+tag@b.cn"), 0);
    assert_int_equal(validate_email("张三@邮政.中国"), 0);
    assert_int_equal(validate_email(""), VALIDATE_EMAIL_EMPTY);
    const char *bad[] = {"plain",
                         "@b.cn",
                         "a@",
                         "a@b",
                         "a@@b.cn",
                         "a@b@c.cn",
                         "a b@c.cn",
                         "a@b..cn",
                         "a@.b.cn",
                         "a@b.cn.",
                         "a@b.cn\r\nBcc: x@evil.cn",
                         "a@b.cn,x@evil.cn",
                         "<a@b.cn>",
                         "a;b@c.cn",
                         "\"a\"@b.cn",
                         "a\\b@c.cn"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(validate_email(bad[i]), VALIDATE_EMAIL_FORMAT);

    char local[70], addr[400];
    memset(local, 'a', 65);
    local[65] = '\0';
    snprintf(addr, sizeof(addr), "%s@b.cn", local);
    assert_int_equal(validate_email(addr), VALIDATE_EMAIL_FORMAT);
    local[64] = '\0';
    snprintf(addr, sizeof(addr), "%s@b.cn", local);
    assert_int_equal(validate_email(addr), 0);
    /* 64 + 1 + 189 + 3 = 257 bytes. */
    char dom[200];
    memset(dom, 'd', 189);
    dom[189] = '\0';
    snprintf(addr, sizeof(addr), "%s@%s.cn", local, dom);
    assert_int_equal(validate_email(addr), VALIDATE_EMAIL_TOO_LONG);
}

/* ---- dates ------------------------------------------------------------ */

static void test_date(void **state)
{
    (void)state;
    struct validate_ymd d;
    assert_int_equal(validate_date("2024-02-29", &d), 0);
    assert_int_equal(d.year, 2024);
    assert_int_equal(d.month, 2);
    assert_int_equal(d.day, 29);
    assert_int_equal(validate_date("2000-02-29", NULL), 0);
    assert_int_equal(validate_date("1900-02-29", NULL), VALIDATE_DATE_INVALID);
    assert_int_equal(validate_date("2023-02-29", NULL), VALIDATE_DATE_INVALID);
    assert_int_equal(validate_date("2024-04-31", NULL), VALIDATE_DATE_INVALID);
    assert_int_equal(validate_date("2024-13-01", NULL), VALIDATE_DATE_INVALID);
    assert_int_equal(validate_date("2024-00-10", NULL), VALIDATE_DATE_INVALID);
    assert_int_equal(validate_date("0000-01-01", NULL), VALIDATE_DATE_INVALID);
    assert_int_equal(validate_date("2024-1-01", NULL), VALIDATE_DATE_FORMAT);
    assert_int_equal(validate_date("2024/01/01", NULL), VALIDATE_DATE_FORMAT);
    assert_int_equal(validate_date("20240101", NULL), VALIDATE_DATE_FORMAT);
    assert_int_equal(validate_date("2024-01-0a", NULL), VALIDATE_DATE_FORMAT);
    assert_int_equal(validate_date("+024-01-01", NULL), VALIDATE_DATE_FORMAT);
    assert_int_equal(validate_date(NULL, NULL), VALIDATE_DATE_FORMAT);
    assert_true(validate_is_real_date(9999, 12, 31));
    assert_false(validate_is_real_date(10000, 1, 1));
}

/* ---- masking and keys ------------------------------------------------- */

static void check_mask(char *(*fn)(const char *), const char *in, const char *want)
{
    char *got = fn(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_masks(void **state)
{
    (void)state;
    check_mask(id_mask, "110105194912310021", "**************0021");
    check_mask(id_mask, "110105491231002", "***********1002");
    check_mask(id_mask, "1101051949", "**********");
    check_mask(id_mask, "张三", "**");
    check_mask(id_mask, NULL, "");
    check_mask(phone_mask, "13812341234", "138****1234");
    check_mask(phone_mask, "+86 138 1234 1234", "138****1234");
    check_mask(phone_mask, "010-12345678", "010*****5678");
    check_mask(phone_mask, "1234567", "*******");
    check_mask(phone_mask, "", "");
    check_mask(phone_mask, NULL, "");
}

static void test_error_keys(void **state)
{
    (void)state;
    assert_string_equal(validate_error_key(VALIDATE_ID_CHECKSUM), "id_number.checksum");
    assert_string_equal(validate_error_key(VALIDATE_MOBILE_FORMAT), "mobile.format");
    assert_string_equal(validate_error_key(VALIDATE_USCC_CHECKSUM), "uscc.checksum");
    assert_string_equal(validate_error_key(VALIDATE_TRACKING_CHECKSUM), "tracking_no.checksum");
    assert_string_equal(validate_error_key(VALIDATE_EMAIL_FORMAT), "email.format");
    assert_string_equal(validate_error_key(VALIDATE_DATE_INVALID), "date.invalid");
    assert_string_equal(validate_error_key(0), "ok");
    assert_string_equal(validate_error_key(-9999), "unknown");
    /* Every code in the enum's ranges has a distinct, non-"unknown" key or none. */
    for (int a = -70; a < 0; a++) {
        const char *ka = validate_error_key(a);
        if (strcmp(ka, "unknown") == 0)
            continue;
        for (int b = a + 1; b < 0; b++)
            assert_string_not_equal(ka, validate_error_key(b));
    }
}

static void test_money_format(void **state)
{
    (void)state;
    char b[32];
    money_format(1234, b, sizeof(b));
    assert_string_equal(b, "12.34");
    money_format(5, b, sizeof(b));
    assert_string_equal(b, "0.05");
    money_format(-50, b, sizeof(b));
    assert_string_equal(b, "-0.50"); /* the sign survives truncating division */
    money_format(-123456, b, sizeof(b));
    assert_string_equal(b, "-1234.56");
    money_format(0, b, sizeof(b));
    assert_string_equal(b, "0.00");
    money_format(INT64_MIN, b, sizeof(b));
    assert_string_equal(b, "-92233720368547758.08");
}

static void test_today_is_sane(void **state)
{
    (void)state;
    struct validate_ymd t;
    validate_today(&t);
    assert_true(t.year >= 2024);
    assert_true(validate_is_real_date(t.year, t.month, t.day));
}

/* Today is the business day (+08:00) of the movable test clock, whatever
 * the host's zone, so moving the clock reaches the ID birthday check. */
static void test_today_follows_clock(void **state)
{
    (void)state;
    setenv("TZ", "America/New_York", 1); /* a host zone that is a day behind */
    tzset();
    struct validate_ymd t;
    struct validate_id_info info;
    const char *born_2030_07_01 = "110101203007011237";

    clock_set(1909063800); /* 2030-06-30T23:30:00+08:00 */
    validate_today(&t);
    assert_int_equal(t.year, 2030);
    assert_int_equal(t.month, 6);
    assert_int_equal(t.day, 30);
    assert_int_equal(validate_id_number(born_2030_07_01, &t, &info), VALIDATE_ID_BIRTHDATE_FUTURE);

    clock_advance(3600); /* 2030-07-01T00:30:00+08:00, still 06-30 in New York */
    validate_today(&t);
    assert_int_equal(t.month, 7);
    assert_int_equal(t.day, 1);
    assert_int_equal(validate_id_number(born_2030_07_01, &t, &info), 0);

    clock_set(time(NULL));
    unsetenv("TZ");
    tzset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_standard_example),
        cmocka_unit_test(test_id_lowercase_x_and_trim),
        cmocka_unit_test(test_id_male_and_leap_day),
        cmocka_unit_test(test_id_every_single_digit_mutation_fails),
        cmocka_unit_test(test_id_legacy_15),
        cmocka_unit_test(test_id_dates),
        cmocka_unit_test(test_id_region),
        cmocka_unit_test(test_id_malformed),
        cmocka_unit_test(test_id_huge_input),
        cmocka_unit_test(test_mobile_accepts),
        cmocka_unit_test(test_mobile_rejects),
        cmocka_unit_test(test_uscc_valid),
        cmocka_unit_test(test_uscc_mutations),
        cmocka_unit_test(test_uscc_rejects),
        cmocka_unit_test(test_tracking_s10),
        cmocka_unit_test(test_tracking_domestic_and_rejects),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_money_format),
        cmocka_unit_test(test_error_keys),
        cmocka_unit_test(test_today_is_sane),
        cmocka_unit_test(test_today_follows_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
