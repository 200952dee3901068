/*
 * test_utf8.c - the one UTF-8 decoder (base/utf8.h): well-formedness as
 * Unicode defines it, counting, stepping and cutting at character
 * boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"

#define S(lit) lit, sizeof(lit) - 1

static void test_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid(S("")));
    assert_true(utf8_valid(S("abc")));
    assert_true(utf8_valid(S("张三丰")));
    assert_true(utf8_valid(S("\xF0\x9F\x98\x80")));  /* U+1F600 */
    assert_true(utf8_valid(S("\xF4\x8F\xBF\xBF")));  /* U+10FFFF */
    assert_false(utf8_valid(S("\xC0\xAF")));         /* overlong '/' */
    assert_false(utf8_valid(S("\xE0\x80\xAF")));     /* overlong */
    assert_false(utf8_valid(S("\xED\xA0\x80")));     /* surrogate U+D800 */
    assert_false(utf8_valid(S("\xF4\x90\x80\x80"))); /* past U+10FFFF */
    assert_false(utf8_valid(S("\xE5\xBC")));         /* cut short */
    assert_false(utf8_valid(S("\x80")));             /* lone continuation */
    assert_false(utf8_valid(S("\xFF")));
}

static void test_count(void **state)
{
    (void)state;
    assert_int_equal(utf8_count(S("")), 0);
    assert_int_equal(utf8_count(S("a张b")), 3);
    assert_int_equal(utf8_count(S("\xF0\x9F\x98\x80!")), 2);
    assert_int_equal(utf8_count(S("a\xE5\xBC")), -1);
    assert_int_equal(utf8_len("张三 abc"), 6);
    assert_int_equal(utf8_chars(S("张三丰")), 3);
    /* An ill-formed sequence is one step over its maximal subpart. */
    assert_int_equal(utf8_chars(S("\xE5\xBC"
                                  "a")),
                     2);
}

static void test_seq(void **state)
{
    (void)state;
    assert_int_equal(utf8_seq(S("a")), 1);
    assert_int_equal(utf8_seq(S("张三")), 3);
    assert_int_equal(utf8_seq(S("\xF0\x9F\x98\x80")), 4);
    assert_int_equal(utf8_seq(S("\xE5\xBC")), -1); /* good so far: wait for more */
    assert_int_equal(utf8_seq(S("\xF0\x9F")), -1);
    assert_int_equal(utf8_seq(S("\xE5")), -1);
    assert_int_equal(utf8_seq(S("\xE5"
                                "a")),
                     0);
    assert_int_equal(utf8_seq(S("\xC0")), 0); /* never a lead byte */
    assert_int_equal(utf8_seq(S("\x80")), 0);
    assert_int_equal(utf8_seq(S("\xED\xA0")), 0); /* a surrogate's start */
}

static void test_next(void **state)
{
    (void)state;
    const char s[] = "a张\xFF"
                     "b";
    size_t i = 0, n = sizeof(s) - 1;
    assert_int_equal(utf8_next(s, &i, n), 'a');
    assert_int_equal(utf8_next(s, &i, n), 0x5F20);
    assert_int_equal(i, 4);
    assert_int_equal(utf8_next(s, &i, n), -1);
    assert_int_equal(utf8_next(s, &i, n), 'b');
    assert_int_equal(i, n);
    assert_int_equal(utf8_fwd(s, 1, n), 4);
    assert_int_equal(utf8_offset(S("张三丰"), 2), 6);
    assert_int_equal(utf8_offset(S("张三丰"), 5), 9);
    assert_int_equal(utf8_offset(S("张三丰"), 0), 0);
}

static void test_cut(void **state)
{
    (void)state;
    assert_int_equal(utf8_cut(S("张三丰"), 9), 9);
    assert_int_equal(utf8_cut(S("张三丰"), 8), 6);
    assert_int_equal(utf8_cut(S("张三丰"), 6), 6);
    assert_int_equal(utf8_cut(S("张三丰"), 2), 0);
    assert_int_equal(utf8_cut(S("ab张"), 3), 2);
}

static void test_trim_copy(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(utf8_trim_copy("  ab c  ", out, sizeof(out)), 4);
    assert_string_equal(out, "ab c");
    /* 张三丰 is 9 bytes: cut after 张三, never inside 丰 */
    assert_int_equal(utf8_trim_copy(" 张三丰", out, sizeof(out)), 6);
    assert_string_equal(out, "张三");
    assert_int_equal(utf8_trim_copy("   ", out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid), cmocka_unit_test(test_count),
        cmocka_unit_test(test_seq),   cmocka_unit_test(test_next),
        cmocka_unit_test(test_cut),   cmocka_unit_test(test_trim_copy),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
