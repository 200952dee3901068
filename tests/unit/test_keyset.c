/*
 * test_keyset.c - unit tests for src/base/keyset.c: values kept, the first
 * value of a key wins, key 0 is never stored, and a set that grew through
 * many doublings still finds every key and none that was not put.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/keyset.h"

static void test_put_and_get(void **state)
{
    (void)state;
    struct keyset s = {0};
    assert_int_equal(keyset_get(&s, 42), 0);
    assert_int_equal(keyset_put(&s, 42, 1), 1);
    assert_int_equal(keyset_put(&s, 43, 2), 2);
    assert_int_equal(keyset_get(&s, 42), 1);
    assert_int_equal(keyset_get(&s, 43), 2);
    assert_int_equal(keyset_get(&s, 44), 0);
    /* The first value stays. */
    assert_int_equal(keyset_put(&s, 42, 2), 1);
    assert_int_equal(keyset_get(&s, 42), 1);
    assert_int_equal(s.n, 2);
    /* 0 means "no key". */
    assert_int_equal(keyset_put(&s, 0, 1), 0);
    assert_int_equal(keyset_get(&s, 0), 0);
    assert_int_equal(s.n, 2);
    keyset_free(&s);
    assert_int_equal(keyset_get(&s, 42), 0);
}

static void test_clear(void **state)
{
    (void)state;
    struct keyset s = {0};
    keyset_clear(&s); /* an empty set: nothing to do */
    keyset_put(&s, 7, 1);
    keyset_put(&s, 9, 2);
    size_t cap = s.cap;
    keyset_clear(&s);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.cap, cap);
    assert_int_equal(keyset_get(&s, 7), 0);
    assert_int_equal(keyset_get(&s, 9), 0);
    assert_int_equal(keyset_put(&s, 9, 3), 3);
    assert_int_equal(keyset_get(&s, 9), 3);
    keyset_free(&s);
}

static void test_many_keys(void **state)
{
    (void)state;
    struct keyset s = {0};
    /* Mobile numbers in a row: neighbours must not pile up in one run. */
    const uint64_t base = 13800000000ULL << 2 | 1;
    for (uint64_t i = 0; i < 300000; i++)
        keyset_put(&s, base + (i << 2), (uint8_t)(1 + i % 2));
    assert_int_equal(s.n, 300000);
    assert_true(s.cap >= 600000);
    for (uint64_t i = 0; i < 300000; i++)
        assert_int_equal(keyset_get(&s, base + (i << 2)), 1 + i % 2);
    for (uint64_t i = 300000; i < 310000; i++)
        assert_int_equal(keyset_get(&s, base + (i << 2)), 0);
    assert_int_equal(keyset_get(&s, base + 2), 0); /* another kind of key */
    keyset_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_and_get),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_many_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
