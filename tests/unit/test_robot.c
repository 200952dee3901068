/*
 * test_robot.c - the robots' wire format (src/notify/robot_send.c,
 * robot.c): DingTalk's signature against a value computed independently
 * (Python's hmac), both payloads with and without a mention, and the
 * address as shown with its token hidden.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/xmalloc.h"
#include "notify/robot.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void test_dingtalk_sign(void **state)
{
    (void)state;
    char sign[128];
    /* base64(hmac_sha256(secret, "1764806400000\nSEC000test+/secret")), url-encoded */
    robot_dingtalk_sign("SEC000test+/secret", 1764806400000LL, sign, sizeof(sign));
    assert_string_equal(sign, "GZbmtks0jE%2FS7%2BnwG34rJNVXtkkjtxfVcawTumv6joo%3D");
}

static json_t *payload(const char *kind, const char *body)
{
    char *s = robot_payload(kind, body);
    assert_non_null(s);
    json_t *j = json_loads(s, 0, NULL);
    free(s);
    assert_non_null(j);
    return j;
}

static void test_dingtalk_payload(void **state)
{
    (void)state;
    json_t *j = payload("dingtalk",
                        "{\"title\":\"工单\",\"text\":\"**紧急**\",\"mobiles\":[\"13800000001\"]}");
    assert_string_equal(json_string_value(json_object_get(j, "msgtype")), "markdown");
    json_t *md = json_object_get(j, "markdown");
    assert_string_equal(json_string_value(json_object_get(md, "title")), "工单");
    assert_string_equal(json_string_value(json_object_get(md, "text")), "**紧急**\n\n@13800000001");
    json_t *at = json_object_get(j, "at");
    assert_string_equal(json_string_value(json_array_get(json_object_get(at, "atMobiles"), 0)),
                        "13800000001");
    assert_true(json_is_false(json_object_get(at, "isAtAll")));
    json_decref(j);
}

static void test_wecom_payload(void **state)
{
    (void)state;
    json_t *j = payload("wecom", "{\"title\":\"t\",\"text\":\"# 标题\",\"mobiles\":[]}");
    assert_string_equal(json_string_value(json_object_get(j, "msgtype")), "markdown");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "markdown"), "content")), "# 标题");
    json_decref(j);
    /* A mention needs WeCom's text message. */
    j = payload("wecom", "{\"title\":\"t\",\"text\":\"x\",\"mobiles\":[\"13800000002\"]}");
    assert_string_equal(json_string_value(json_object_get(j, "msgtype")), "text");
    json_t *text = json_object_get(j, "text");
    assert_string_equal(json_string_value(json_object_get(text, "content")), "x");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(text, "mentioned_mobile_list"), 0)),
        "13800000002");
    json_decref(j);
    assert_null(robot_payload("wecom", "not json"));
    assert_null(robot_payload("dingtalk", "{\"title\":\"t\"}"));
}

static void test_url_shown(void **state)
{
    (void)state;
    char *s = robot_url_shown("https://oapi.dingtalk.com/robot/send?access_token=abc123&x=1");
    assert_string_equal(s, "https://oapi.dingtalk.com/robot/send?access_token=••••&x=••••");
    free(s);
    s = robot_url_shown("https://qyapi.weixin.qq.com/cgi-bin/webhook/send");
    assert_string_equal(s, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send");
    free(s);
}

int main(void)
{
    json_set_alloc_funcs(xmalloc, free);
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dingtalk_sign),
        cmocka_unit_test(test_dingtalk_payload),
        cmocka_unit_test(test_wecom_payload),
        cmocka_unit_test(test_url_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
