/*
 * i18n.c - the message table (see i18n.h). Keep keys sorted by area.
 */
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct message {
    const char *key;
    const char *zh;
    const char *en;
};

static const struct message messages[] = {
    /* error codes (the "message" of an error body) */
    {"bad_request", "请求格式有误", "The request is malformed"},
    {"unauthorized", "请先登录", "Please sign in"},
    {"invalid_credentials", "工号或密码错误", "Wrong staff number or password"},
    {"forbidden", "您没有执行此操作的权限", "You are not allowed to do this"},
    {"csrf_failed", "请求校验失败，请刷新页面后重试",
     "The request could not be verified; reload the page and try again"},
    {"password_change_required", "请先修改初始密码", "Please change your initial password first"},
    {"not_found", "记录不存在或无权查看", "Not found"},
    {"method_not_allowed", "不支持该请求方法", "Method not allowed"},
    {"conflict", "记录已存在", "The record already exists"},
    {"stale_version", "记录已被他人修改，请刷新后重试",
     "Someone else changed this record; reload and try again"},
    {"payload_too_large", "提交的数据过大", "The request body is too large"},
    {"validation_failed", "提交的信息有误", "Some fields are not valid"},
    {"account_locked", "密码错误次数过多，账号已锁定15分钟，请稍后再试",
     "Too many wrong passwords; the account is locked for 15 minutes"},
    {"rate_limited", "操作过于频繁，请稍后再试", "Too many requests; please try again later"},
    {"internal", "服务器内部错误，请稍后再试", "Internal server error; please try again later"},
    {"unavailable", "服务暂不可用，请稍后再试", "Service unavailable; please try again later"},
    {"has_children", "该网点下还有下级网点，不能删除", "This branch has sub-branches"},
    {"has_users", "该网点下还有员工，不能删除", "This branch still has staff"},

    /* informational */
    {"forgot.sent", "如果该账号存在并登记了联系方式，验证码已发送，10分钟内有效",
     "If the account exists and has a contact on file, a code has been sent; it is valid for "
     "10 minutes"},
    {"reset_code.subject", "鸿雁客户管理系统：重置密码验证码", "Hongyan CRM: password reset code"},
    {"reset_code.body", "您的重置密码验证码是 %s，10分钟内有效。如非本人操作，请忽略并联系管理员。",
     "Your password reset code is %s. It is valid for 10 minutes. If you did not ask for it, "
     "ignore this message and tell your administrator."},

    /* field messages */
    {"field.required", "必填项", "Required"},
    {"field.not_string", "应为文本", "Must be text"},
    {"field.not_integer", "应为整数", "Must be a whole number"},
    {"field.not_boolean", "应为是或否", "Must be yes or no"},
    {"field.too_long", "内容过长", "Too long"},
    {"field.invalid", "格式不正确", "Not valid"},
    {"field.unknown_role", "角色应为管理员、主管、客户经理或柜员",
     "Role must be admin, supervisor, manager or clerk"},
    {"field.unknown_branch", "网点不存在", "No such branch"},
    {"field.unknown_level", "级别应为省、市或网点", "Level must be province, city or branch"},
    {"field.bad_parent", "上级网点不正确（省 → 市 → 网点）",
     "Wrong parent (province → city → branch)"},
    {"field.login_format", "工号应为2至32位字母、数字、点、横线或下划线",
     "Staff number: 2 to 32 letters, digits, dots, dashes or underscores"},
    {"field.login_taken", "该工号已被使用", "This staff number is taken"},
    {"field.code_taken", "该编码已被使用", "This code is taken"},
    {"field.value_taken", "该值已存在", "This value already exists"},
    {"field.phone", "手机号应为11位数字，以1开头", "A mobile number has 11 digits starting with 1"},
    {"field.email", "邮箱格式不正确", "Not a valid e-mail address"},
    {"field.date", "日期格式应为 YYYY-MM-DD", "Dates are written YYYY-MM-DD"},
    {"field.lang", "语言应为 zh-CN 或 en", "Language must be zh-CN or en"},
    {"field.old_password", "原密码不正确", "The current password is wrong"},
    {"field.code", "验证码无效或已过期", "The code is wrong or has expired"},
    {"field.channel", "请选择短信或邮箱", "Choose sms or email"},
    {"password.too_short", "密码至少10个字符", "At least 10 characters"},
    {"password.too_long", "密码不能超过128个字符", "At most 128 characters"},
    {"password.needs_letters_and_digits", "密码须同时包含字母和数字",
     "Use both letters and digits"},
    {"password.contains_login", "密码不能包含工号", "Must not contain your staff number"},
    {"password.common", "该密码过于常见，请换一个", "This password is too common"},
    {"password.same_as_old", "新密码不能与原密码相同",
     "The new password must differ from the current one"},
};

const char *i18n_lang_from_header(const char *h)
{
    if (!h)
        return "zh-CN";
    while (*h == ' ')
        h++;
    /* The first language tag wins; quality values are not weighed because
     * the UI always sends exactly one tag. */
    if (strncasecmp(h, "en", 2) == 0 &&
        (h[2] == '\0' || h[2] == '-' || h[2] == ',' || h[2] == ';' || h[2] == '_'))
        return "en";
    return "zh-CN";
}

const char *i18n_msg(const char *lang, const char *key)
{

    int en = lang && strcmp(lang, "en") == 0;
    for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
        if (strcmp(messages[i].key, key) == 0)
            return en ? messages[i].en : messages[i].zh;
    return key;
}
