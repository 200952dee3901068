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
    {"import.file_missing", "导入文件已不存在，请重新上传",
     "The import file is gone; please upload it again"},
    {"unavailable", "服务暂不可用，请稍后再试", "Service unavailable; please try again later"},
    {"query_timeout", "查询过于复杂或耗时过长，请缩小条件后重试",
     "The query is too complex or took too long; narrow the conditions and try again"},
    {"heavy.too_many", "您同时进行的查询、导出或批量操作过多，请等前面的完成后再试",
     "You have too many searches, exports or bulk changes running at once; try again when one "
     "has finished"},
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

    /* identifier validation (keys from validate_error_key) */
    {"id_number.empty", "请填写身份证号", "Enter the ID number"},
    {"id_number.length", "身份证号应为18位（或旧版15位）",
     "An ID number has 18 (or legacy 15) characters"},
    {"id_number.format", "身份证号只能由数字和末位X组成", "Digits only, with an optional final X"},
    {"id_number.region", "身份证号的地区码不正确", "The region code of the ID number is not valid"},
    {"id_number.birthdate", "身份证号中的出生日期不存在",
     "The birth date in the ID number does not exist"},
    {"id_number.birthdate_future", "身份证号中的出生日期晚于今天",
     "The birth date in the ID number is in the future"},
    {"id_number.birthdate_range", "身份证号中的出生日期早于1900年",
     "The birth date in the ID number is before 1900"},
    {"id_number.checksum", "身份证号校验位不正确，请核对",
     "The check character of the ID number is wrong"},
    {"mobile.empty", "请填写手机号", "Enter the mobile number"},
    {"mobile.format", "手机号应为11位数字，以1开头",
     "A mobile number has 11 digits starting with 1"},
    {"uscc.empty", "请填写统一社会信用代码", "Enter the unified social credit code"},
    {"uscc.length", "统一社会信用代码应为18位", "The code has 18 characters"},
    {"uscc.charset", "统一社会信用代码含有无效字符",
     "The code contains characters that are not allowed"},
    {"uscc.region", "统一社会信用代码的地区码不正确", "The region part of the code is not valid"},
    {"uscc.checksum", "统一社会信用代码校验位不正确", "The check character of the code is wrong"},
    {"tracking_no.empty", "请填写邮件号", "Enter the tracking number"},
    {"tracking_no.format", "邮件号格式不正确（如 EA123456785CN 或13位数字）",
     "Use a tracking number like EA123456785CN or 13 digits"},
    {"tracking_no.checksum", "邮件号校验位不正确，请核对",
     "The check digit of the tracking number is wrong"},
    /* business records: refunds and tracking numbers seen before (issue 14) */
    {"interaction.duplicate_tracking", "该邮件号已登记过，确认仍要保存吗？",
     "This tracking number has been recorded before; save anyway?"},
    {"interaction.amount_negative", "金额不能为负数；退款请登记为退款记录",
     "The amount cannot be negative; record money given back as a refund"},
    {"interaction.refund_of_business", "只有退款记录才关联原业务记录",
     "Only a refund refers to an original record"},
    {"interaction.refund_of_unknown", "原业务记录不存在或不属于该客户",
     "No such original record for this customer"},
    {"interaction.refund_of_no_amount", "只能对有金额的业务记录退款",
     "Only a business record with an amount can be refunded"},
    {"interaction.refund_type", "退款的业务类型须与原记录相同",
     "A refund has the business type of the original record"},
    {"interaction.refund_amount", "请填写退款金额", "Enter the amount refunded"},
    {"interaction.refund_positive", "退款金额应大于0", "The refund must be more than zero"},
    {"interaction.refund_exceeds", "退款金额超过原业务可退金额",
     "The refund is more than what is left to refund of the original record"},
    {"email.empty", "请填写邮箱", "Enter the e-mail address"},
    {"email.too_long", "邮箱过长", "The e-mail address is too long"},
    {"email.format", "邮箱格式不正确", "Not a valid e-mail address"},
    {"date.format", "日期格式应为 YYYY-MM-DD", "Dates are written YYYY-MM-DD"},
    {"date.invalid", "日期不存在", "This date does not exist"},

    /* customers */
    {"duplicate", "已存在相同手机号或身份证号的客户",
     "A customer with the same phone or ID number exists"},
    {"field.birthday_mismatch", "生日与身份证号不一致",
     "The birthday does not match the ID number"},
    {"field.birthday_future", "生日不能晚于今天", "The birthday cannot be in the future"},
    {"field.gender_mismatch", "性别与身份证号不一致", "The gender does not match the ID number"},
    {"field.gender", "性别应为男或女", "Gender must be male or female"},
    {"field.unknown_option", "不是可选的值", "Not one of the options"},
    {"field.not_array", "应为列表", "Must be a list"},
    {"field.segment_missing", "分群不存在或无权使用", "No such segment, or not yours to use"},
    {"field.not_object", "格式不正确", "Not valid"},
    {"field.not_number", "应为数字", "Must be a number"},
    {"field.money", "金额最多两位小数", "Amounts have at most two decimals"},
    {"field.money_range", "金额超出范围（最多13位整数）",
     "The amount is out of range (at most 13 digits before the point)"},
    {"field.unknown_owner", "客户经理不存在或不在该客户的网点",
     "No such account manager in this customer's branch"},
    {"field.unknown_assignee", "该员工不存在或不在您管辖的网点",
     "No such staff member in your branches"},
    {"handover.same_user", "接手人不能是交出人本人", "Hand over to someone else"},
    {"bulk_tasks.days", "分配天数应为1到30天", "Spread over 1 to 30 days"},
    {"group.too_large", "目标客户数超过单次上限，请缩小范围",
     "Too many customers for one action; narrow the group"},
    {"field.branch_pick", "请选择所属网点", "Choose the branch"},
    {"field.branch_scope", "只能选择本网点或下级网点", "Choose your own branch or one below it"},
    {"field.unknown_tag", "标签不存在", "No such tag"},
    {"field.unknown_field", "不存在该自定义字段", "No such custom field"},
    {"field.key_format", "字段标识应以小写字母开头，仅含小写字母、数字和下划线",
     "Keys start with a lower-case letter and use a-z, 0-9 and _"},
    {"field.unknown_type", "字段类型不正确", "Unknown field type"},
    {"field.options_required", "选择类字段需要至少一个选项",
     "Choice fields need at least one option"},
    {"field.key_taken", "该字段标识已被使用", "This key is taken"},
    {"field.name_taken", "该名称已被使用", "This name is taken"},
    {"layout.not_editable", "您的角色不能修改该字段", "Your role may not change this field"},
    {"layout.unknown_field", "该类记录没有这个字段", "This kind of record has no such field"},
    {"layout.field_twice", "该字段在表单中放了两次", "This field is placed twice"},
    {"layout.group_key", "分组标识应以小写字母开头，仅含小写字母、数字和下划线，且不能重复",
     "Group keys start with a lower-case letter, use a-z, 0-9 and _, and differ"},
    {"layout.label_required", "请填写分组名称", "Give the group a name"},
    {"layout.entity_required",
     "这是每条记录都必须有的字段：须放在表单中、设为必填，并对所有可新建记录的角色可见、可编辑",
     "Every record needs this field: keep it on the form, required, visible and editable for "
     "every role that creates records"},
    {"layout.width", "宽度应为半行或整行", "Width is half or full"},
    {"layout.groups", "表单至少需要一个分组，最多50个", "A form has 1 to 50 groups"},
    {"layout.stale", "表单已被他人修改并保存，请重新加载后再调整",
     "Someone else saved this form meanwhile; reload it and make your change again"},
    {"filter.invalid", "筛选条件格式不正确", "The filter is not valid"},
    {"filter.unknown_field", "筛选条件中的字段不存在", "The filter names an unknown field"},
    {"filter.unknown_op", "筛选条件中的运算符不适用于该字段",
     "The filter uses an operator this field does not support"},
    {"filter.bad_value", "筛选条件中的值不正确", "A filter value is not valid"},
    {"filter.too_complex", "筛选条件过于复杂", "The filter is too complex"},
    {"filter.masked_field", "手机号、身份证号只能按完整号码查询（手机号也可按后四位）",
     "Phone and ID numbers can only be searched by the whole number (phones also by the last 4 "
     "digits)"},
    {"filter.sealed_field", "身份证号只能按完整号码查询（等于、属于）或查询是否为空",
     "ID numbers can only be searched by whole numbers (equals, is one of) or for being empty"},
    {"filter.masked_year", "您的角色看不到出生年份，不能按生日日期或年龄筛选（可按生日月日筛选）",
     "Your role does not see the year of birth: birthdays cannot be filtered by date or age "
     "(filter by month and day instead)"},
    {"sort.invalid", "排序字段不正确", "Unknown sort field"},
    {"import.too_many_columns", "该行的列数多于表头", "This row has more columns than the header"},
    {"import.field_too_long", "该行有单元格超过64KB", "A cell in this row is longer than 64 KiB"},
    {"import.bad_encoding", "该行含有无法识别的字符编码",
     "This row contains bytes in an unknown encoding"},
    {"import.file_unreadable", "无法读取导入文件，请重新上传",
     "The import file cannot be read; please upload it again"},
    {"import.bad_csv", "文件不是有效的CSV，无法解析", "The file is not valid CSV"},
    {"import.not_text",
     "文件不是文本格式的CSV（可能是图片、Excel文件或UTF-16文本），请另存为CSV（UTF-8）后上传",
     "The file is not a text CSV (an image, an Excel file or UTF-16 text?); save it as CSV (UTF-8) "
     "and upload it again"},
    {"import.nul_in_cell", "该行的单元格含有空字符（NUL）", "A cell in this row holds a NUL byte"},
    {"import.utf16", "不支持UTF-16编码的文件，请另存为CSV（UTF-8）",
     "UTF-16 files are not supported; save the file as CSV (UTF-8)"},
    {"import.file_empty", "文件是空的", "The file is empty"},
    {"import.header_too_wide", "表头列数过多（最多16384列）",
     "The header has too many columns (16,384 at most)"},
    {"import.header_invalid", "表头行无效：含有无法识别的字符编码或超过64KB的单元格",
     "The header row is invalid: bytes in an unknown encoding or a cell over 64 KiB"},
    {"import.needs_name_phone", "请为姓名和手机号各指定一列",
     "Map a column to name and one to phone"},
    {"import.col_row", "行号", "Row"},
    {"import.col_reason", "错误原因", "Problem"},
    {"export.masked_note", "手机号和身份证号已脱敏", "Phone and ID numbers are masked"},
    {"customer.erased", "已擦除", "Erased"},
    {"customer.anonymised", "已匿名客户", "Anonymised customer"},
    /* retention of inactive customers (crm/retention.c) */
    {"retention.years_range", "保留年限应为 0 到 100 之间的整数（0 表示关闭）",
     "Years must be a whole number from 0 to 100 (0 turns retention off)"},
    {"retention.off", "请先设置保留年限", "Set the number of years first"},
    {"retention.count_changed", "受影响的客户数已变化，请重新试运行",
     "The number of customers affected has changed; run the dry run again"},
    {"retention.dry_run_used", "该试运行已执行过，请重新试运行",
     "This dry run has been run already; run a new dry run"},
    {"retention.dry_run_old", "试运行已过期或设置已更改，请重新试运行",
     "The dry run is out of date or the policy changed; run a new dry run"},
    {"retention.busy", "已有清理任务在运行，请稍后再试",
     "A retention run is in progress; try again when it has finished"},

    /* VIP enterprises (vip/) */
    {"enterprise.assigned", "您已成为大客户的专属客户经理：",
     "You are now the account manager of "},
    {"enterprise.unassigned", "您不再是该大客户的专属客户经理：",
     "You are no longer the account manager of "},
    {"enterprise.primary_required", "每个大客户须有一位主联系人：请先将其他联系人设为主联系人",
     "An enterprise has one primary contact: make another contact primary first"},
    {"enterprise.one_primary", "只能有一位主联系人", "Only one contact can be the primary"},
    {"enterprise.unknown_department", "该部门不存在", "No such department"},
    {"enterprise.unknown_contact", "该联系人不存在", "No such contact"},
    {"enterprise.contact_elsewhere", "所选联系人不是该大客户的联系人",
     "Choose contacts of this enterprise"},
    {"enterprise.unknown_customer", "个人客户不存在或不在您管辖的网点",
     "No such customer in your branches"},
    {"enterprise.department_cycle", "上级部门不能是本部门或其下级部门",
     "A department cannot sit under itself or one of its sub-departments"},
    {"enterprise.department_has_children", "该部门下还有下级部门，请先删除或移走下级部门",
     "This department has sub-departments: delete or move them first"},
    {"enterprise.department_has_contacts", "该部门下还有联系人，请先移走联系人",
     "This department has contacts: move them first"},
    {"import.needs_name", "请为企业名称指定一列", "Map a column to the enterprise name"},
    {"import.uscc_elsewhere", "该统一社会信用代码已属于其他网点或客户经理的大客户",
     "An enterprise of another branch or manager has this code"},
    {"uscc.override", "统一社会信用代码校验位不正确；如确认无误，请填写原因后保存",
     "The check character of the code is wrong; to keep it, give a reason"},

    /* waybills, tracking events, stuck-shipment alerts (logistics/) */
    {"batch_too_large", "一次最多提交 10000 行，请分批提交",
     "At most 10,000 lines a batch; split it"},
    {"apikey.scopes", "请选择有效的权限范围（如 waybills.write）",
     "Choose valid scopes (such as waybills.write)"},
    {"waybill.no_format", "运单号应为13位：2个字母、9位数字、2个字母（UPU S10），或13位数字",
     "A waybill number has 13 characters: 2 letters, 9 digits and 2 letters (UPU S10), or 13 "
     "digits"},
    {"waybill.no_check", "运单号校验位错误，应为 ", "Wrong check digit; it should be "},
    {"waybill.unknown", "运单不存在，请先提交运单", "No such waybill; send the waybill first"},
    {"waybill.unknown_enterprise", "大客户不存在", "No such enterprise"},
    {"waybill.product", "寄递产品应为字典中的代码（如 standard、medical）",
     "Not a product code of the dictionary (such as standard, medical)"},
    {"waybill.channel", "下单渠道应为 pc、api、miniapp 或 counter",
     "The order channel is pc, api, miniapp or counter"},
    {"waybill.region", "地区应写作 省/市/区", "Write the region as province/city/district"},
    {"waybill.weight", "重量应为大于 0、不超过 100000 的千克数",
     "The weight is kilograms above 0 and at most 100000"},
    {"waybill.time", "时间应为带时区的 ISO 8601 格式，如 2026-11-30T09:12:00+08:00",
     "Write times in ISO 8601 with an offset, such as 2026-11-30T09:12:00+08:00"},
    {"waybill.event_type",
     "事件类型应为 collected、arrived、departed、delivering、signed、exception 或 returned",
     "The event type is collected, arrived, departed, delivering, signed, exception or "
     "returned"},
    {"waybill.node_type", "节点类型应为 outlet、processing、transit 或 delivery",
     "The node type is outlet, processing, transit or delivery"},
    {"waybill.status", "状态应为 collected、in_transit、delivering、signed、exception 或 returned",
     "The status is collected, in_transit, delivering, signed, exception or returned"},
    {"waybill.not_object", "该行不是 JSON 对象", "This line is not a JSON object"},
    {"waybill.phone_search", "您无权按收件人手机号查询；请输入完整的11位手机号",
     "You may not search by the recipient's phone; roles that may reveal search by the whole "
     "11 digits"},
    {"report.period", "统计周期应为 month（月）、quarter（季）或 year（年）",
     "The period is month, quarter or year"},
    {"report.date", "日期应写作 YYYY-MM 或 YYYY-MM-DD", "Dates are written YYYY-MM or YYYY-MM-DD"},
    {"report.range", "数值超出允许范围", "The number is out of range"},
    {"report.status", "健康状态应为 healthy（健康）、churn（流失风险）或 dormant（沉睡）",
     "The status is healthy, churn or dormant"},
    {"report.kind", "应为 new（新增客户）、birthdays（生日）或 maturities（产品到期）",
     "The kind is new, birthdays or maturities"},
    {"report.province", "按城市查看时需同时给出省份", "A city is given with its province"},
    {"waybill.period", "统计周期应为 month、quarter、half 或 year",
     "The period is month, quarter, half or year"},
    {"waybill.stalled", "运单滞留预警：", "Shipment stalled: "},
    {"waybill.promise", "运单可能无法按承诺时效送达：",
     "Shipment may miss its promised delivery time: "},
    {"waybill.stalled_at", "停留于", "stopped at"},
    {"waybill.alert_closed", "已有新的物流事件，预警自动关闭：",
     "A newer tracking event arrived; closed automatically: "},
    {"threshold.node_type", "节点类型应为 outlet、processing、transit、delivery、* 或 promise",
     "The node type is outlet, processing, transit, delivery, * or promise"},
    {"threshold.minutes", "时长应为 1 至 43200 分钟", "Minutes from 1 to 43200"},
    {"threshold.tier", "大客户等级应为字典中的代码或留空", "A VIP tier code, or empty"},

    /* field messages */
    {"field.required", "必填项", "Required"},
    {"field.not_string", "应为文本", "Must be text"},
    {"field.not_integer", "应为整数", "Must be a whole number"},
    {"field.not_boolean", "应为是或否", "Must be yes or no"},
    {"field.too_long", "内容过长", "Too long"},
    {"field.invalid", "格式不正确", "Not valid"},
    {"rrule.syntax", "重复规则无法识别，请使用如 FREQ=MONTHLY;INTERVAL=3 的格式",
     "Not a recurrence rule; write it like FREQ=MONTHLY;INTERVAL=3"},
    {"rrule.unsupported", "提醒按天生成：不支持按小时、分钟或秒重复",
     "Reminders are made per day: hourly, minutely or secondly rules are not supported"},
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

const char *i18n_code_key(int code, const char *const keys[], size_t nkeys)
{
    if (code > 0 || (size_t) - (long)code >= nkeys || !keys[-(long)code])
        return "unknown";
    return keys[-(long)code];
}
