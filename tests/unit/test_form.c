/*
 * test_form.c - request-body field validation: trimming, required fields,
 * length in characters (not bytes), types, embedded NULs, and messages in
 * the request's language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/xmalloc.h"
#include "base/i18n.h"
#include "http/form.h"

static struct req make_req(const char *json, const char *lang)
{
    struct req r = {0};
    r.json = json_loads(json, 0, NULL);
    r.lang = lang;
    return r;
}

static void test_strings(void **state)
{
    (void)state;
    struct req r = make_req("{\"name\":\"  张三 \",\"empty\":\"   \",\"long\":\"一二三四五六\","
                            "\"num\":5}",
                            "zh-CN");
    struct form f;
    form_init(&f, &r);
    assert_string_equal(form_str(&f, "name", true, 10), "张三");
    /* Six characters are 18 bytes; the limit counts characters. */
    assert_string_equal(form_str(&f, "long", true, 6), "一二三四五六");
    assert_null(form_str(&f, "long", true, 5));
    assert_null(form_str(&f, "empty", true, 10));
    assert_null(form_str(&f, "missing", false, 10));
    assert_null(form_str(&f, "num", false, 10));
    assert_string_equal(json_string_value(json_object_get(f.errors, "empty")), "必填项");
    assert_string_equal(json_string_value(json_object_get(f.errors, "long")), "内容过长");
    assert_string_equal(json_string_value(json_object_get(f.errors, "num")), "应为文本");
    assert_null(json_object_get(f.errors, "missing"));
    form_release(&f);
    json_decref(r.json);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    struct req r = {0};
    r.lang = "en";
    r.json = json_object();
    json_object_set_new(r.json, "login", json_stringn("ad\0min", 6));
    struct form f;
    form_init(&f, &r);
    assert_null(form_str(&f, "login", true, 32));
    assert_string_equal(json_string_value(json_object_get(f.errors, "login")), "Not valid");
    form_release(&f);
    json_decref(r.json);
}

static void test_numbers_and_booleans(void **state)
{
    (void)state;
    struct req r = make_req("{\"v\":3,\"s\":\"3\",\"b\":true,\"n\":null}", "en");
    struct form f;
    form_init(&f, &r);
    int64_t i = 0;
    bool b = false;
    assert_int_equal(form_int(&f, "v", true, &i), 1);
    assert_int_equal(i, 3);
    assert_int_equal(form_int(&f, "s", true, &i), -1);
    assert_int_equal(form_int(&f, "n", false, &i), 0);
    assert_int_equal(form_int(&f, "absent", true, &i), 0);
    assert_int_equal(form_bool(&f, "b", true, &b), 1);
    assert_true(b);
    assert_int_equal(form_bool(&f, "v", true, &b), -1);
    assert_string_equal(json_string_value(json_object_get(f.errors, "s")),
                        "Must be a whole number");
    assert_string_equal(json_string_value(json_object_get(f.errors, "absent")), "Required");
    form_release(&f);
    json_decref(r.json);
}

static void test_language_header(void **state)
{
    (void)state;
    assert_string_equal(i18n_lang_from_header(NULL), "zh-CN");
    assert_string_equal(i18n_lang_from_header("en"), "en");
    assert_string_equal(i18n_lang_from_header("en-US,en;q=0.9"), "en");
    assert_string_equal(i18n_lang_from_header("zh-CN,zh;q=0.9,en;q=0.8"), "zh-CN");
    assert_string_equal(i18n_lang_from_header("english"), "zh-CN");
    assert_string_equal(i18n_msg("en", "not_found"), "Not found");
    assert_string_equal(i18n_msg("zh-CN", "unauthorized"), "请先登录");
    /* An unknown key falls back to itself rather than to nothing. */
    assert_string_equal(i18n_msg("en", "no.such.key"), "no.such.key");
}

int main(void)
{
    json_set_alloc_funcs(xmalloc, free); /* as the server does: OOM aborts */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_numbers_and_booleans),
        cmocka_unit_test(test_language_header),
    };
    return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
