/*
 * test_password_policy.c - unit tests for src/auth/password_policy.c: each
 * rule and its boundary, the embedded common-password list, hostile input
 * (bad UTF-8, oversized bodies) and the initial-password generator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/password_policy.h"

#include <pthread.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

extern const char *const common_passwords[];
extern const size_t common_passwords_count;

static int check(const char *pw)
{
    return password_policy_check("operator7", pw, NULL);
}

/* Runs first, so the lazy list initialisation races between threads. */
static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        if (password_policy_check("x", "Woaini1314", NULL) != PASSWORD_POLICY_COMMON)
            return (void *)1;
        if (password_policy_check("x", "Kq7vRt2mXp9a", NULL) != 0)
            return (void *)1;
    }
    return NULL;
}

static void test_concurrent_first_use(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *ret;
        assert_int_equal(pthread_join(t[i], &ret), 0);
        assert_null(ret);
    }
}

static void test_accepts_good(void **state)
{
    (void)state;
    assert_int_equal(check("Kq7vRt2mXp9a"), 0);
    assert_int_equal(check("tea4two&me"), 0); /* exactly 10 */
    /* 8 Han characters + 'a' + '1' = 10 code points (26 bytes). */
    assert_int_equal(check("鸿雁传书鸿雁传书a1"), 0);
}

static void test_length(void **state)
{
    (void)state;
    assert_int_equal(check(NULL), PASSWORD_POLICY_TOO_SHORT);
    assert_int_equal(check(""), PASSWORD_POLICY_TOO_SHORT);
    assert_int_equal(check("tea4two&m"), PASSWORD_POLICY_TOO_SHORT);
    /* 9 code points but 23 bytes: counted as characters, not bytes. */
    assert_int_equal(check("鸿雁传书鸿雁传a1"), PASSWORD_POLICY_TOO_SHORT);

    char buf[300];
    for (int i = 0; i < 128; i++)
        buf[i] = (i % 2) ? '7' : 'q';
    buf[128] = '\0';
    assert_int_equal(check(buf), 0);
    buf[128] = 'x';
    buf[129] = '\0';
    assert_int_equal(check(buf), PASSWORD_POLICY_TOO_LONG);
    memset(buf, 'a', sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = '\0';
    assert_int_equal(check(buf), PASSWORD_POLICY_TOO_LONG);
}

static void test_letters_and_digits(void **state)
{
    (void)state;
    assert_int_equal(check("abcdefghijk"), PASSWORD_POLICY_NEEDS_LETTERS_AND_DIGITS);
    assert_int_equal(check("83920174652"), PASSWORD_POLICY_NEEDS_LETTERS_AND_DIGITS);
    /* Han characters are not ASCII letters. */
    assert_int_equal(check("鸿雁传书鸿雁传书12"), PASSWORD_POLICY_NEEDS_LETTERS_AND_DIGITS);
    /* Full-width digits are not ASCII digits. */
    assert_int_equal(check("abcdefghij１"), PASSWORD_POLICY_NEEDS_LETTERS_AND_DIGITS);
    assert_int_equal(check("!@#$%^&*()_+"), PASSWORD_POLICY_NEEDS_LETTERS_AND_DIGITS);
}

static void test_contains_login(void **state)
{
    (void)state;
    assert_int_equal(password_policy_check("zhangsan", "ZhangSan2024x", NULL),
                     PASSWORD_POLICY_CONTAINS_LOGIN);
    assert_int_equal(password_policy_check("ZHANGSAN", "99xzhangsan", NULL),
                     PASSWORD_POLICY_CONTAINS_LOGIN);
    assert_int_equal(password_policy_check("zhangsan", "zhang2san99x", NULL), 0);
    /* Short logins are not checked. */
    assert_int_equal(password_policy_check("li", "li8kq7vrt2m", NULL), 0);
    assert_int_equal(password_policy_check("", "kq7vrt2mxp", NULL), 0);
    assert_int_equal(password_policy_check(NULL, "kq7vrt2mxp", NULL), 0);
    /* A login longer than the password. */
    assert_int_equal(password_policy_check("averyveryverylonglogin", "kq7vrt2mxp", NULL), 0);
    /* UTF-8 login. */
    assert_int_equal(password_policy_check("张三丰", "x1张三丰的密码12", NULL),
                     PASSWORD_POLICY_CONTAINS_LOGIN);
}

static void test_same_as_old(void **state)
{
    (void)state;
    assert_int_equal(password_policy_check("op", "Kq7vRt2mXp9a", "Kq7vRt2mXp9a"),
                     PASSWORD_POLICY_SAME_AS_OLD);
    /* Case differs: a different password. */
    assert_int_equal(password_policy_check("op", "Kq7vRt2mXp9a", "kq7vrt2mxp9a"), 0);
}

static void test_common(void **state)
{
    (void)state;
    const char *common[] = {"woaini1314",  "WoAiNi1314",    "qq123456789",  "1qaz2wsx3edc",
                            "zxcvbnm123",  "password123",   "qwerty123456", "abc1234567",
                            "a123456789",  "aa123456789",   "1234567890a",  "iloveyou123",
                            "admin12345",  "Admin@123456",  "P@ssw0rd123",  "zhangwei1234",
                            "wangjing123", "woaini5201314", "ZHANGWEI123"};
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
        assert_int_equal(check(common[i]), PASSWORD_POLICY_COMMON);
    /* Near misses are not in the list (exact match only). */
    assert_int_equal(check("woaini1314x"), 0);
    assert_int_equal(check("xpassword123"), 0);
}

static void test_embedded_list(void **state)
{
    (void)state;
    assert_true(common_passwords_count >= 300);
    for (size_t i = 0; i < common_passwords_count; i++) {
        const char *p = common_passwords[i];
        assert_true(strlen(p) >= 10);
        for (const char *c = p; *c; c++)
            assert_false(*c >= 'A' && *c <= 'Z');
        /* Every listed password is rejected by some rule. */
        assert_int_not_equal(password_policy_check(NULL, p, NULL), 0);
    }
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    const char *bad[] = {
        "abcdefghij1\xff",             /* never valid */
        "abcdefghij1\xc0\xaf",         /* overlong '/' */
        "abcdefghij1\xe0\x80\xaf",     /* overlong, 3 bytes */
        "abcdefghij1\xed\xa0\x80",     /* UTF-16 surrogate */
        "abcdefghij1\xf4\x90\x80\x80", /* above U+10FFFF */
        "abcdefghij1\xe9\xb8",         /* truncated */
        "abcdefghij1\x80",             /* stray continuation */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(check(bad[i]), PASSWORD_POLICY_INVALID_ENCODING);
    assert_int_equal(check("abcdefghij1\xf0\x9f\x98\x80"), 0); /* emoji */
}

static void test_keys(void **state)
{
    (void)state;
    assert_string_equal(password_policy_key(0), "ok");
    assert_string_equal(password_policy_key(PASSWORD_POLICY_TOO_SHORT), "too_short");
    assert_string_equal(password_policy_key(PASSWORD_POLICY_TOO_LONG), "too_long");
    assert_string_equal(password_policy_key(PASSWORD_POLICY_NEEDS_LETTERS_AND_DIGITS),
                        "needs_letters_and_digits");
    assert_string_equal(password_policy_key(PASSWORD_POLICY_CONTAINS_LOGIN), "contains_login");
    assert_string_equal(password_policy_key(PASSWORD_POLICY_COMMON), "common");
    assert_string_equal(password_policy_key(PASSWORD_POLICY_SAME_AS_OLD), "same_as_old");
    assert_string_equal(password_policy_key(PASSWORD_POLICY_INVALID_ENCODING), "invalid_encoding");
    assert_string_equal(password_policy_key(42), "unknown");
}

static void test_generate(void **state)
{
    (void)state;
    static const char confusable[] = "0Oo1lIi";
    char *prev = NULL;
    int distinct = 0;
    for (int i = 0; i < 1000; i++) {
        char *pw = password_generate();
        assert_int_equal(strlen(pw), 12);
        bool letter = false, digit = false;
        for (const char *c = pw; *c; c++) {
            bool is_letter = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z');
            bool is_digit = *c >= '0' && *c <= '9';
            assert_true(is_letter || is_digit);
            assert_null(strchr(confusable, *c));
            letter = letter || is_letter;
            digit = digit || is_digit;
        }
        assert_true(letter && digit);
        assert_int_equal(password_policy_check("operator7", pw, NULL), 0);
        if (prev && strcmp(prev, pw) != 0)
            distinct++;
        free(prev);
        prev = pw;
    }
    free(prev);
    assert_int_equal(distinct, 999);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_first_use),
        cmocka_unit_test(test_accepts_good),
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_letters_and_digits),
        cmocka_unit_test(test_contains_login),
        cmocka_unit_test(test_same_as_old),
        cmocka_unit_test(test_common),
        cmocka_unit_test(test_embedded_list),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
