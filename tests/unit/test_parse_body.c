/*
 * test_parse_body.c - server_parse_body (src/http/server.c), the one reading
 * of every API request body: an empty body is an empty object; anything but
 * one JSON object, duplicate keys included, is refused (400); the bytes
 * need not end in a NUL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/server.h"

#include <jansson.h>
#include <string.h>

static json_t *parse(const char *s)
{
    return server_parse_body(s, strlen(s));
}

static void test_objects(void **state)
{
    (void)state;
    json_t *v = server_parse_body(NULL, 0);
    assert_true(json_is_object(v));
    assert_int_equal(json_object_size(v), 0);
    json_decref(v);
    v = parse(" {\"name\":\"张三\",\"n\":1} \n");
    assert_true(json_is_object(v));
    assert_string_equal(json_string_value(json_object_get(v, "name")), "张三");
    json_decref(v);
    /* only len bytes are read: what follows them is not part of the body */
    const char buf[] = {'{', '}', 'x', 'y'};
    v = server_parse_body(buf, 2);
    assert_true(json_is_object(v));
    json_decref(v);
}

static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[]",
        "\"text\"",
        "1",
        "null",
        "true",
        "{",
        "{\"a\":1}}",
        "{\"a\":1} {}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":\"\\ud800\"}",
        "\xff\xfe{}",
        " ",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = parse(bad[i]);
        if (v)
            fail_msg("accepted %s", bad[i]);
    }
    const char buf[] = {'{', '}', 'x'};
    assert_null(server_parse_body(buf, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objects),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
