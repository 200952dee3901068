/*
 * test_strbuf.c - the size-capped string buffer (base/strbuf.h): appends,
 * formatted appends, refusal past the cap that leaves the text whole and is
 * remembered, detach and release.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/strbuf.h"

static void test_append_and_detach(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT(1024);
    assert_null(sb.buf);
    assert_string_equal(strbuf_str(&sb), "");
    assert_int_equal(strbuf_addstr(&sb, "鸿雁"), 0);
    assert_int_equal(strbuf_addch(&sb, ' '), 0);
    assert_int_equal(strbuf_addf(&sb, "%d-%s", 42, "x"), 0);
    assert_int_equal(strbuf_add(&sb, "a\0b", 3), 0); /* NULs of its own */
    assert_int_equal(sb.len, strlen("鸿雁 42-x") + 3);
    assert_memory_equal(sb.buf, "鸿雁 42-xa\0b", sb.len + 1);
    size_t len;
    char *s = strbuf_detach(&sb, &len);
    assert_int_equal(len, strlen("鸿雁 42-x") + 3);
    assert_null(sb.buf);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 1024);
    free(s);
    /* Nothing appended: "" to free, never NULL. */
    s = strbuf_detach(&sb, NULL);
    assert_string_equal(s, "");
    free(s);
}

static void test_growth(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(strbuf_addf(&sb, "%04d", i), 0);
    assert_int_equal(sb.len, 40000);
    assert_memory_equal(sb.buf + 39996, "9999", 5);
    assert_true(sb.alloc > sb.len);
    strbuf_reset(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(strbuf_str(&sb), "");
    strbuf_release(&sb);
    assert_null(sb.buf);
}

static void test_cap_refuses_whole(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT(8);
    assert_int_equal(strbuf_addstr(&sb, "12345"), 0);
    assert_int_equal(strbuf_addstr(&sb, "6789"), -1); /* would be 9 */
    assert_true(sb.failed);
    assert_string_equal(sb.buf, "12345"); /* unchanged */
    assert_int_equal(strbuf_addf(&sb, "%s", "abcd"), -1);
    assert_string_equal(sb.buf, "12345");
    assert_int_equal(strbuf_addstr(&sb, "678"), 0); /* exactly the cap */
    assert_string_equal(sb.buf, "12345678");
    assert_true(sb.failed); /* remembered */
    assert_int_equal(strbuf_addch(&sb, 'x'), -1);
    assert_int_equal(strbuf_grow(&sb, SIZE_MAX), -1); /* no overflow */
    assert_true(sb.alloc <= sb.cap + 1);
    strbuf_reset(&sb);
    assert_false(sb.failed);
    strbuf_release(&sb);
}

static void test_grow_and_setlen(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT(100);
    assert_int_equal(strbuf_addstr(&sb, "ab"), 0);
    assert_int_equal(strbuf_grow(&sb, 10), 0);
    assert_true(sb.alloc >= sb.len + 11);
    memcpy(sb.buf + sb.len, "cdef", 4);
    strbuf_setlen(&sb, sb.len + 4);
    assert_string_equal(sb.buf, "abcdef");
    strbuf_setlen(&sb, 3);
    assert_string_equal(sb.buf, "abc");
    strbuf_release(&sb);
    /* setlen(0) on a buffer that never held anything is a no-op. */
    strbuf_setlen(&sb, 0);
    assert_null(sb.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_detach),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_cap_refuses_whole),
        cmocka_unit_test(test_grow_and_setlen),
    };
    return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
