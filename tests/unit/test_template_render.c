/*
 * test_template_render.c - message templates of the rules rendered for a
 * record: {{variable}} replaced (spaces inside allowed, numbers too), an
 * unknown one empty and reported, and values escaped for the channel so a
 * record cannot add a Markdown link or heading to a robot message, nor a
 * second line to an SMS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rules/rules.h"

static char *render(const char *text, const char *vars_json, const char *channel, json_t *unknown)
{
    json_t *vars = json_loads(vars_json, 0, NULL);
    char *out = template_render(text, vars, channel, unknown);
    json_decref(vars);
    return out;
}

static void test_variables(void **state)
{
    (void)state;
    json_t *unknown = json_array();
    char *s = render("工单 {{ticket_no}}，满意度 {{ csat }} 分{{nope}}",
                     "{\"ticket_no\":\"T202612040001\",\"csat\":2}", "email", unknown);
    assert_string_equal(s, "工单 T202612040001，满意度 2 分");
    assert_int_equal(json_array_size(unknown), 1);
    assert_string_equal(json_string_value(json_array_get(unknown, 0)), "nope");
    free(s);
    json_decref(unknown);
}

static void test_markdown_escaped(void **state)
{
    (void)state;
    char *s =
        render("客户 {{name}}", "{\"name\":\"*张三*[链接](http://x)\\n# 标题\"}", "dingtalk", NULL);
    assert_string_equal(s, "客户 \\*张三\\*\\[链接\\]\\(http://x\\) \\# 标题");
    free(s);
    /* The template's own Markdown is the administrator's and stays. */
    s = render("### {{name}}", "{\"name\":\"王\"}", "wecom", NULL);
    assert_string_equal(s, "### 王");
    free(s);
}

static void test_sms_one_line(void **state)
{
    (void)state;
    char *s = render("{{name}}，您好", "{\"name\":\"张三\\r\\n李四\"}", "sms", NULL);
    assert_string_equal(s, "张三  李四，您好");
    free(s);
    /* An unclosed placeholder is text. */
    s = render("余额 {{amount", "{}", "sms", NULL);
    assert_string_equal(s, "余额 {{amount");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_markdown_escaped),
        cmocka_unit_test(test_sms_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
