/*
 * template.c - message templates (消息模板): texts with {{variable}}
 * placeholders filled from the record a rule runs on, escaped for the
 * channel they leave by, so a customer's name with Markdown in it cannot
 * turn a DingTalk message into a link, nor an SMS into two lines.
 */
#include "rules/rules.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "core/op.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEMPLATE_MAX_BODY 4000

static bool markdown_channel(const char *channel)
{
    return channel && (strcmp(channel, "dingtalk") == 0 || strcmp(channel, "wecom") == 0 ||
                       strcmp(channel, "bell") == 0);
}

/* A value as the channel needs it. */
static void put_value(struct strbuf *out, const char *v, const char *channel)
{
    bool md = markdown_channel(channel);
    bool sms = channel && strcmp(channel, "sms") == 0;
    for (const char *p = v; *p; p++) {
        if (md && strchr("\\`*_{}[]()#+-.!|<>~", *p))
            strbuf_addch(out, '\\');
        if ((md || sms) && (*p == '\n' || *p == '\r')) {
            strbuf_addch(out, ' ');
            continue;
        }
        strbuf_addch(out, *p);
    }
}

char *template_render(const char *text, json_t *vars, const char *channel, json_t *unknown)
{
    struct strbuf out;
    strbuf_init(&out, 64 * 1024);
    const char *p = text ? text : "";
    while (*p) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!open || !close) {
            strbuf_addstr(&out, p);
            break;
        }
        strbuf_add(&out, p, (size_t)(open - p));
        char name[64];
        const char *s = open + 2;
        while (*s == ' ')
            s++;
        size_t n = (size_t)(close - s);
        while (n && s[n - 1] == ' ')
            n--;
        if (n >= sizeof(name))
            n = sizeof(name) - 1;
        memcpy(name, s, n);
        name[n] = '\0';
        json_t *v = json_object_get(vars, name);
        char num[32];
        if (json_is_string(v))
            put_value(&out, json_string_value(v), channel);
        else if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            strbuf_addstr(&out, num);
        } else if (!v && unknown)
            json_array_append_new(unknown, json_string(name));
        p = close + 2;
    }
    char *text_out = strbuf_detach(&out, NULL);
    return text_out ? text_out : xstrdup("");
}

json_t *rule_record_vars(struct db *db, const struct rule_entity *re, int64_t object_id, int *rc)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT ");
    for (const struct rule_ref *v = re->vars; v->key; v++)
        sqlbuf_addf(&b, "%s%s", v == re->vars ? "" : ", ", v->expr);
    sqlbuf_addf(&b, " FROM %s %s WHERE %s.id = ?", re->table, re->alias, re->alias);
    sqlbuf_bind(&b, DB_INT(object_id));
    struct db_stmt *st = NULL;
    *rc = db_query_row(db, &st, b.sql, b.args, b.nargs);
    json_t *o = NULL;
    if (*rc == 1) {
        o = json_object();
        int i = 0;
        for (const struct rule_ref *v = re->vars; v->key; v++, i++)
            json_object_set_new(o, v->key,
                                db_col_is_null(st, i) ? json_string("")
                                                      : json_string(db_col_text(st, i)));
        *rc = 0;
    } else {
        *rc = *rc == 0 ? OP_NOT_FOUND : *rc;
    }
    db_finish(st);
    sqlbuf_release(&b);
    return o;
}

int template_get(struct db *db, int64_t id, char **channel, char **subject, char **body)
{
    struct db_stmt *st = NULL;
    int rc =
        db_query_row(db, &st, "SELECT channel, subject, body FROM message_templates WHERE id = ?",
                     DB_ARGS(DB_INT(id)));
    if (rc == 1) {
        *channel = xstrdup(db_col_text(st, 0));
        *subject = xstrdup(db_col_text(st, 1));
        *body = xstrdup(db_col_text(st, 2));
    }
    db_finish(st);
    return rc;
}

static bool channel_valid(const char *c)
{
    return c && (strcmp(c, "bell") == 0 || strcmp(c, "sms") == 0 || strcmp(c, "email") == 0 ||
                 markdown_channel(c));
}

int template_save(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out_id,
                  json_t *errors)
{
    struct form f;
    form_init_json(&f, in, a->lang, errors);
    bool create = id == 0;
    const char *name = form_str(&f, "name", create, 64);
    const char *channel = form_str(&f, "channel", create, 16);
    if (channel && !channel_valid(channel))
        form_fail(&f, "channel", "field.unknown_option");
    const char *subject = form_str(&f, "subject", false, 200);
    const char *body = form_str(&f, "body", create, TEMPLATE_MAX_BODY);
    int64_t version = 0;
    if (!create)
        form_int(&f, "version", true, &version);
    if (!form_ok(&f))
        return OP_INVALID;
    int64_t now = clock_now();
    int rc = db_begin(db);
    if (rc)
        return rc;
    if (create) {
        /* No row back when the name is taken. */
        rc = db_query_int(
            db,
            "INSERT INTO message_templates (name, channel, subject, body, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            DB_ARGS(DB_TEXT(name), DB_TEXT(channel), DB_TEXT(subject ? subject : ""), DB_TEXT(body),
                    DB_INT(now), DB_INT(now)),
            &id);
        rc = rc < 0 ? rc : rc == 0 ? DB_CONSTRAINT : 0;
    } else {
        rc = db_exec(db,
                     "UPDATE message_templates SET name = COALESCE(?, name), channel = "
                     "COALESCE(?, channel), subject = COALESCE(?, subject), body = COALESCE(?, "
                     "body), version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                     DB_ARGS(DB_TEXT(name), DB_TEXT(channel), DB_TEXT(subject), DB_TEXT(body),
                             DB_INT(now), DB_INT(id), DB_INT(version)));
        if (!rc && db_changes(db) == 0) {
            int64_t found = 0;
            int q = db_query_int(db, "SELECT 1 FROM message_templates WHERE id = ?",
                                 DB_ARGS(DB_INT(id)), &found);
            rc = q < 0 ? q : q == 0 ? OP_NOT_FOUND : OP_STALE;
        }
    }
    if (rc == DB_CONSTRAINT) {
        json_object_set_new(errors, "name", json_string(i18n_msg(a->lang, "field.value_taken")));
        rc = OP_INVALID;
    }
    if (!rc)
        rc = actor_audit(db, a, create ? "template.create" : "template.update", "message_template",
                         id, json_pack("{s:s?,s:s?}", "name", name, "channel", channel));
    rc = op_end(db, rc);
    if (!rc)
        *out_id = id;
    return rc;
}

int template_delete(struct db *db, const struct actor *a, int64_t id)
{
    int rc = db_begin(db);
    if (!rc)
        rc = db_exec(db, "DELETE FROM message_templates WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (!rc && db_changes(db) == 0)
        rc = OP_NOT_FOUND;
    if (!rc)
        rc = actor_audit(db, a, "template.delete", "message_template", id, NULL);
    return op_end(db, rc);
}
