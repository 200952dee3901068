/*
 * privacy_pdf.c - the access report drawn as a PDF (core/pdf.h), from the
 * same object the JSON answer is, in the reader's language.
 */
#include "crm/privacy.h"

#include "base/strbuf.h"
#include "core/pdf.h"
#include "crm/customer.h"
#include "record/entity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The document's words: {key, zh, en}. */
static const char *const words[][3] = {
    {"title", "个人信息报告", "Personal data access report"},
    {"footer", "鸿雁客户管理系统 · 个人信息报告（《个人信息保护法》第四十五条）",
     "Hongyan CRM · personal data access report (PIPL art. 45)"},
    {"generated", "生成时间", "Generated at"},
    {"by", "生成人", "by"},
    {"profile", "基本信息", "Profile"},
    {"field", "项目", "Field"},
    {"value", "内容", "Value"},
    {"family", "家庭成员", "Family members"},
    {"relation", "关系", "Relation"},
    {"name", "姓名", "Name"},
    {"phone", "手机号", "Phone"},
    {"custom", "自定义字段", "Custom fields"},
    {"records", "业务记录", "Business records"},
    {"date", "时间", "Time"},
    {"type", "业务类型", "Type"},
    {"description", "描述", "Description"},
    {"amount", "金额（元）", "Amount (yuan)"},
    {"handler", "经办人", "Handled by"},
    {"tasks", "待办与提醒", "Tasks and reminders"},
    {"task", "事项", "Task"},
    {"due", "到期", "Due"},
    {"status", "状态", "Status"},
    {"assignee", "负责人", "Assignee"},
    {"history", "变更历史", "Change history"},
    {"old", "原值", "Old value"},
    {"new", "新值", "New value"},
    {"who", "操作人", "Who"},
    {"access", "查看、显示与操作记录", "Reveals, reports and changes"},
    {"action", "操作", "Action"},
    {"ip", "来源地址", "From"},
    {"merges", "合并记录", "Merges"},
    {"exports", "导出记录", "Exports"},
    {"rows", "导出条数", "Rows"},
    {"format", "格式", "Format"},
    {"st:open", "未完成", "Open"},
    {"st:done", "已完成", "Done"},
    {"st:cancelled", "已取消", "Cancelled"},
    /* audit actions on a profile */
    {"act:customer.create", "新建资料", "Profile created"},
    {"act:customer.update", "修改资料", "Profile changed"},
    {"act:customer.reveal", "显示完整号码", "Full numbers shown"},
    {"act:customer.access_report", "生成个人信息报告", "Access report made"},
    {"act:customer.merge", "合并重复资料", "Duplicate merged"},
    {"act:customer.tag", "添加标签", "Tag added"},
    {"act:customer.untag", "移除标签", "Tag removed"},
    {"act:customer.delete", "移入回收站", "Moved to the recycle bin"},
    {"act:customer.restore", "从回收站恢复", "Restored"},
    {"act:customer.erase", "擦除个人信息", "Erased"},
    {"downloads", "下载", "Downloads"},
    {"consent", "同意与营销偏好", "Consent and marketing"},
    {"none", "无", "None"},
    {"no_consent", "系统未保存同意或营销偏好数据。",
     "The system stores no consent or marketing preferences."},
    {"notes", "记录说明", "What is recorded"},
    {"note_text",
     "显示完整手机号或身份证号、生成本报告、资料的新建与修改、标签、合并和导出均记入审计日志；"
     "仅查看（已脱敏的）资料不单独记录。导出文件的逐行内容不保存：此处列出的是按导出时记录的筛选条"
     "件、"
     "以导出人当前权限范围和本人当前资料重新核对后仍包含本人的导出。",
     "Showing the full phone or ID number, making this report, creating and changing the "
     "profile, tags, merges and exports are written to the audit log; looking at the (masked) "
     "profile is not recorded on its own. The rows of an export file are not kept: the exports "
     "listed are those whose recorded conditions, checked again with the exporter's scope of "
     "today against this person's data of today, still include this person."},
};

static const char *w(const char *lang, const char *key)
{
    bool en = lang && strcmp(lang, "en") == 0;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(words[i][0], key) == 0)
            return words[i][en ? 2 : 1];
    return key;
}

/* A JSON value as a cell's text into sb (reset first): arrays joined. */
static const char *text(struct strbuf *sb, json_t *v)
{
    strbuf_reset(sb);
    if (json_is_string(v)) {
        strbuf_addstr(sb, json_string_value(v));
    } else if (json_is_integer(v)) {
        strbuf_addf(sb, "%lld", (long long)json_integer_value(v));
    } else if (json_is_true(v)) {
        strbuf_addstr(sb, "✓");
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (i)
                strbuf_addstr(sb, "、");
            json_t *name = json_is_object(x) ? json_object_get(x, "name") : x;
            if (json_is_object(x) && !name) /* a download: who */
                name = json_object_get(x, "login");
            strbuf_addstr(sb, json_is_string(name) ? json_string_value(name) : "");
        }
    } else if (json_is_object(v)) {
        char *s = json_dumps(v, JSON_COMPACT);
        strbuf_addstr(sb, s ? s : "");
        free(s);
    }
    return sb->buf ? sb->buf : "";
}

/* Times without the offset and seconds in cells: "2026-11-23 09:30". */
static const char *when(struct strbuf *sb, json_t *v)
{
    const char *s = text(sb, v);
    if (sb->len >= 16 && s[10] == 'T') {
        sb->buf[10] = ' ';
        strbuf_setlen(sb, 16);
    }
    return sb->buf ? sb->buf : "";
}

static void profile(struct pdf *p, json_t *c, const char *lang)
{
    bool en = strcmp(lang, "en") == 0;
    struct strbuf v = STRBUF_INIT(1 << 16);
    pdf_heading(p, w(lang, "profile"));
    static const double cw[] = {0.28, 0.72};
    pdf_table_begin(p, 2, cw, (const char *[]){w(lang, "field"), w(lang, "value")});
    for (const struct entity_field *f = entity_customer.fields; f->key; f++) {
        const char *key = strcmp(f->key, "owner_id") == 0    ? "owner_name"
                          : strcmp(f->key, "branch_id") == 0 ? "branch_name"
                                                             : f->key;
        json_t *x = json_object_get(c, key);
        if (!x || strcmp(key, "id") == 0 || strcmp(key, "family_members") == 0)
            continue;
        const char *label = en ? f->label_en : f->label;
        const char *cell = strstr(key, "_at") ? when(&v, x) : text(&v, x);
        for (int i = 0; f->options && f->options[i][0]; i++)
            if (strcmp(f->options[i][0], cell) == 0)
                cell = f->options[i][en ? 2 : 1];
        pdf_table_row(p, (const char *[]){label, cell});
    }
    pdf_table_end(p);

    json_t *fam = json_object_get(c, "family_members"), *m;
    size_t i;
    pdf_heading(p, w(lang, "family"));
    if (!json_array_size(fam))
        pdf_paragraph(p, w(lang, "none"));
    static const double fw[] = {0.25, 0.4, 0.35};
    if (json_array_size(fam))
        pdf_table_begin(p, 3, fw,
                        (const char *[]){w(lang, "relation"), w(lang, "name"), w(lang, "phone")});
    json_array_foreach(fam, i, m)
    {
        struct strbuf a = STRBUF_INIT(4096), b = STRBUF_INIT(4096), d = STRBUF_INIT(4096);
        pdf_table_row(p, (const char *[]){text(&a, json_object_get(m, "relation")),
                                          text(&b, json_object_get(m, "name")),
                                          text(&d, json_object_get(m, "phone"))});
        strbuf_release(&a);
        strbuf_release(&b);
        strbuf_release(&d);
    }
    pdf_table_end(p);

    json_t *cf = json_object_get(c, "custom_fields");
    pdf_heading(p, w(lang, "custom"));
    if (!json_array_size(cf))
        pdf_paragraph(p, w(lang, "none"));
    else
        pdf_table_begin(p, 2, cw, (const char *[]){w(lang, "field"), w(lang, "value")});
    json_array_foreach(cf, i, m)
    {
        const char *label = json_string_value(json_object_get(m, en ? "label_en" : "label"));
        if (!label || !*label)
            label = json_string_value(json_object_get(m, "label"));
        pdf_table_row(p, (const char *[]){label, text(&v, json_object_get(m, "value"))});
    }
    pdf_table_end(p);
    strbuf_release(&v);
}

/* The label of a customer field key (history rows), else the key. */
static const char *field_label(const char *key, const char *lang)
{
    bool en = strcmp(lang, "en") == 0;
    if (strcmp(key, "family_members") == 0) /* edited as a table of its own */
        return w(lang, "family");
    for (const struct entity_field *f = entity_customer.fields; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return en ? f->label_en : f->label;
    return key;
}

/* The text of column col of a row for a reader in lang, into sb. */
static const char *cell(struct strbuf *sb, const char *col, json_t *x, const char *lang)
{
    size_t len = strlen(col);
    if (strcmp(col, "amount_fen") == 0 && json_is_integer(x)) {
        long long f = json_integer_value(x), a = f < 0 ? -f : f;
        strbuf_reset(sb);
        strbuf_addf(sb, "%s%lld.%02lld", f < 0 ? "-" : "", a / 100, a % 100);
        return sb->buf;
    }
    bool action = strcmp(col, "action") == 0;
    if ((action || strcmp(col, "status") == 0) && json_is_string(x)) {
        char key[80];
        snprintf(key, sizeof(key), "%s:%s", action ? "act" : "st", json_string_value(x));
        const char *word = w(lang, key);
        return word == key ? text(sb, x) : word;
    }
    if (strcmp(col, "field") == 0 && json_is_string(x))
        return field_label(json_string_value(x), lang);
    if (strcmp(col, "old_value") == 0 || strcmp(col, "new_value") == 0) {
        /* history values are stored as JSON: show a text as itself */
        json_t *v =
            json_is_string(x) ? json_loads(json_string_value(x), JSON_DECODE_ANY, NULL) : NULL;
        const char *out = text(sb, v ? v : x);
        json_decref(v);
        return out;
    }
    return len >= 2 && strcmp(col + len - 2, "at") == 0 ? when(sb, x) : text(sb, x);
}

/* A section of rows: cols[i] is the key of column i ("*at" keys as times),
 * heads[i] its word; "none" when there are no rows. */
static void section(struct pdf *p, const char *lang, const char *title, json_t *list, int n,
                    const double *widths, const char *const *cols, const char *const *heads)
{
    pdf_heading(p, w(lang, title));
    if (!json_array_size(list)) {
        pdf_paragraph(p, w(lang, "none"));
        return;
    }
    const char *hs[8];
    for (int k = 0; k < n; k++)
        hs[k] = w(lang, heads[k]);
    pdf_table_begin(p, n, widths, hs);
    struct strbuf sb[8];
    for (int k = 0; k < n; k++)
        strbuf_init(&sb[k], 1 << 16);
    size_t i;
    json_t *row;
    json_array_foreach(list, i, row)
    {
        const char *cells[8];
        for (int k = 0; k < n; k++)
            cells[k] = cell(&sb[k], cols[k], json_object_get(row, cols[k]), lang);
        pdf_table_row(p, cells);
    }
    pdf_table_end(p);
    for (int k = 0; k < n; k++)
        strbuf_release(&sb[k]);
}

int privacy_report_pdf(json_t *report, const char *lang, char **data, size_t *len)
{
    bool en = lang && strcmp(lang, "en") == 0;
    lang = en ? "en" : "zh-CN";
    json_t *c = json_object_get(report, "customer");
    struct strbuf t = STRBUF_INIT(1024), line = STRBUF_INIT(1024);
    strbuf_addf(&t, "%s · %s", w(lang, "title"), json_string_value(json_object_get(c, "name")));
    struct pdf *p = pdf_new(t.buf, w(lang, "footer"));
    strbuf_addf(&line, "%s %s  ·  %s %s  ·  %s", w(lang, "generated"),
                json_string_value(json_object_get(report, "generated_at")), w(lang, "by"),
                json_string_value(json_object_get(report, "generated_by")),
                json_string_value(json_object_get(c, "customer_no")));
    pdf_note(p, line.buf);
    profile(p, c, lang);

    static const double rw[] = {0.17, 0.13, 0.36, 0.12, 0.22};
    section(p, lang, "records", json_object_get(report, "interactions"), 5, rw,
            (const char *const[]){"occurred_at", en ? "type_label_en" : "type_label", "description",
                                  "amount_fen", "handled_by"},
            (const char *const[]){"date", "type", "description", "amount", "handler"});
    static const double tw[] = {0.45, 0.18, 0.15, 0.22};
    section(p, lang, "tasks", json_object_get(report, "tasks"), 4, tw,
            (const char *const[]){"title", "due_at", "status", "assignee"},
            (const char *const[]){"task", "due", "status", "assignee"});
    static const double hw[] = {0.18, 0.17, 0.26, 0.26, 0.13};
    section(p, lang, "history", json_object_get(report, "history"), 5, hw,
            (const char *const[]){"at", "field", "old_value", "new_value", "login"},
            (const char *const[]){"date", "field", "old", "new", "who"});
    static const double aw[] = {0.18, 0.24, 0.2, 0.38};
    section(p, lang, "access", json_object_get(report, "access"), 4, aw,
            (const char *const[]){"at", "action", "user_name", "ip"},
            (const char *const[]){"date", "action", "who", "ip"});
    static const double mw[] = {0.25, 0.25, 0.5};
    section(p, lang, "merges", json_object_get(report, "merges"), 3, mw,
            (const char *const[]){"at", "user_name", "detail"},
            (const char *const[]){"date", "who", "value"});
    static const double xw[] = {0.2, 0.25, 0.15, 0.15, 0.25};
    section(p, lang, "exports", json_object_get(report, "exports"), 5, xw,
            (const char *const[]){"at", "user_name", "format", "count", "downloads"},
            (const char *const[]){"date", "who", "format", "rows", "downloads"});
    pdf_heading(p, w(lang, "consent"));
    pdf_paragraph(p, w(lang, "no_consent"));
    pdf_heading(p, w(lang, "notes"));
    pdf_paragraph(p, w(lang, "note_text"));
    strbuf_release(&t);
    strbuf_release(&line);
    return pdf_finish(p, data, len);
}
