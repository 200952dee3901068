/*
 * campaign.c - SMS / e-mail to a target group (营销活动): a template with
 * a few whitelisted variables rendered for each recipient, one outbox
 * message each, only to customers who granted marketing consent and did
 * not opt out of the channel. See group_action.h.
 */
#include "crm/group_action.h"

#include "crm/customer.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/op.h"
#include "core/outbox.h"
#include "db/db.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMS_MAX   500
#define EMAIL_MAX 5000

/* 称呼: the family name (first character) with 先生 / 女士, or the name. */
static void salutation(json_t *rec, const char *lang, struct strbuf *sb)
{
    const char *name = json_string_value(json_object_get(rec, "name"));
    const char *gender = json_string_value(json_object_get(rec, "gender"));
    if (!name)
        return;
    bool male = gender && strcmp(gender, "male") == 0;
    if (!gender || (!male && strcmp(gender, "female") != 0)) {
        strbuf_addstr(sb, name);
        return;
    }
    bool en = lang && strncmp(lang, "en", 2) == 0;
    size_t first = utf8_fwd(name, 0, strlen(name));
    if (en)
        strbuf_addf(sb, "%s %s", male ? "Mr" : "Ms", name);
    else
        strbuf_addf(sb, "%.*s%s", (int)first, name, male ? "先生" : "女士");
}

/* The value of a variable named by [s, s+n) for rec into sb; false when
 * it is none of the whitelisted ones. */
static bool variable(const char *s, size_t n, json_t *rec, const char *lang, struct strbuf *sb)
{
    static const char *const vars[][2] = {
        {"姓名", "name"},
        {"name", "name"},
        {"客户经理", "owner_name"},
        {"manager", "owner_name"},
        {"网点", "branch_name"},
        {"branch", "branch_name"},
        {"客户编号", "customer_no"},
        {"customer_no", "customer_no"},
    };
    if ((n == strlen("称呼") && memcmp(s, "称呼", n) == 0) ||
        (n == strlen("salutation") && memcmp(s, "salutation", n) == 0)) {
        salutation(rec, lang, sb);
        return true;
    }
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        if (strlen(vars[i][0]) == n && memcmp(vars[i][0], s, n) == 0) {
            const char *v = json_string_value(json_object_get(rec, vars[i][1]));
            strbuf_addstr(sb, v ? v : "");
            return true;
        }
    return false;
}

char *campaign_render(const char *tmpl, json_t *rec, const char *lang)
{
    /* A template is at most EMAIL_MAX characters, a variable's value a
     * name or a branch: far below this. */
    struct strbuf sb;
    strbuf_init(&sb, 64 * 1024);
    for (const char *p = tmpl; *p;) {
        const char *close = *p == '{' ? strchr(p + 1, '}') : NULL;
        if (close && variable(p + 1, (size_t)(close - p - 1), rec, lang, &sb)) {
            p = close + 1;
            continue;
        }
        strbuf_addch(&sb, *p++);
    }
    char *text = strbuf_detach(&sb, NULL);
    return text ? text : xstrdup("");
}

struct message {
    const char *channel, *subject, *body, *token;
};

static void read_message(const struct actor *a, json_t *in, json_t *errors, struct message *m)
{
    struct form f;
    form_init_json(&f, in, a->lang, errors);
    m->channel = form_str(&f, "channel", true, 8);
    bool email = m->channel && strcmp(m->channel, "email") == 0;
    if (m->channel && !email && strcmp(m->channel, "sms") != 0)
        form_fail(&f, "channel", "field.unknown_option");
    m->subject = form_str(&f, "subject", email, 100);
    m->body = form_str(&f, "body", true, email ? EMAIL_MAX : SMS_MAX);
    m->token = form_str(&f, "client_token", false, 64);
    form_ok(&f);
}

/* The group's customers with what rendering and choosing need. */
static struct db_stmt *members(struct db *db, const struct sqlbuf *group, bool email)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, email ? "SELECT c.id, c.email, c.email_opt_out, "
                         : "SELECT c.id, c.phone, c.sms_opt_out, ");
    sqlbuf_add(
        &b,
        "c.marketing_consent, c.name, c.gender, c.customer_no, o.name, b.name FROM " CUSTOMER_FROM
        " WHERE ");
    sqlbuf_append(&b, group);
    sqlbuf_add(&b, " ORDER BY c.id");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    return st;
}

struct tally {
    int64_t matched, consent, opt_out, no_contact;
    json_t *recipients; /* [{id, to, name, gender, customer_no, owner_name, branch_name}] */
};

static json_t *text(struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

/* Sort the group into recipients and the excluded, each for its first
 * reason: no consent, opted out, no address for the channel. */
static int choose(struct db *db, const struct sqlbuf *group, bool email, struct tally *t)
{
    struct db_stmt *st = members(db, group, email);
    if (!st)
        return DB_ERROR;
    int got;
    while ((got = db_step(st)) == 1) {
        t->matched++;
        const char *to = db_col_is_null(st, 1) ? "" : db_col_text(st, 1);
        if (strcmp(db_col_text(st, 3), "granted") != 0)
            t->consent++;
        else if (db_col_int(st, 2))
            t->opt_out++;
        else if (!*to)
            t->no_contact++;
        else
            json_array_append_new(
                t->recipients,
                json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)db_col_int(st, 0),
                          "to", to, "name", text(st, 4), "gender", text(st, 5), "customer_no",
                          text(st, 6), "owner_name", text(st, 7), "branch_name", text(st, 8)));
    }
    db_finish(st);
    return got < 0 ? got : 0;
}

static void figures(const struct tally *t, json_t *out)
{
    json_object_set_new(out, "matched", json_integer(t->matched));
    json_object_set_new(out, "recipients",
                        json_integer((json_int_t)json_array_size(t->recipients)));
    json_object_set_new(out, "excluded",
                        json_pack("{s:I,s:I,s:I}", "consent", (json_int_t)t->consent, "opt_out",
                                  (json_int_t)t->opt_out, "no_contact", (json_int_t)t->no_contact));
}

/* The first recipient's message as it will read, its address masked. */
static void sample(const struct message *m, const struct tally *t, const char *lang, json_t *out)
{
    json_t *first = json_array_get(t->recipients, 0);
    if (!first)
        return;
    const char *to = json_string_value(json_object_get(first, "to"));
    char *masked = strcmp(m->channel, "email") == 0 ? email_mask(to) : phone_mask(to);
    char *body = campaign_render(m->body, first, lang);
    char *subject = m->subject ? campaign_render(m->subject, first, lang) : NULL;
    json_object_set_new(
        out, "sample", json_pack("{s:s,s:s?,s:s}", "to", masked, "subject", subject, "body", body));
    free(masked);
    free(body);
    free(subject);
}

/* Write the campaign and its messages: *id set. */
static int send(struct db *db, const struct actor *a, const struct message *m, json_t *target,
                const struct tally *t, int64_t *id)
{
    char *group = json_dumps(target, JSON_COMPACT);
    int rc = db_query_int(
        db,
        "INSERT INTO campaigns (channel, subject, body, target, matched, recipients, "
        "excluded_consent, excluded_opt_out, excluded_no_contact, branch_path, client_token, "
        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        DB_ARGS(DB_TEXT(m->channel), DB_TEXT(m->subject), DB_TEXT(m->body), DB_TEXT(group),
                DB_INT(t->matched), DB_INT((int64_t)json_array_size(t->recipients)),
                DB_INT(t->consent), DB_INT(t->opt_out), DB_INT(t->no_contact),
                DB_TEXT(a->branch_path), DB_TEXT(m->token), DB_INT_OR_NULL(a->id, a->id),
                DB_INT(clock_now())),
        id);
    free(group);
    rc = rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
    size_t i;
    json_t *r;
    json_array_foreach(t->recipients, i, r)
    {
        if (rc)
            break;
        /* The customer's own language is not known: the sender's it is. */
        char *body = campaign_render(m->body, r, a->lang);
        char *subject = m->subject ? campaign_render(m->subject, r, a->lang) : NULL;
        char key[64];
        snprintf(key, sizeof(key), "campaign:%lld:%lld", (long long)*id,
                 (long long)json_integer_value(json_object_get(r, "id")));
        rc = outbox_enqueue(db, m->channel, json_string_value(json_object_get(r, "to")), subject,
                            body, key);
        free(body);
        free(subject);
    }
    return rc;
}

/* A campaign sent before with this token: its id into *id (0: none). */
static int earlier(struct db *db, const char *token, int64_t *id)
{
    *id = 0;
    if (!token)
        return 0;
    int rc = db_query_int(db, "SELECT id FROM campaigns WHERE client_token = ?",
                          DB_ARGS(DB_TEXT(token)), id);
    return rc < 0 ? rc : 0;
}

int campaign_send(struct db *db, const struct actor *a, const struct sqlbuf *group, json_t *target,
                  json_t *in, bool preview, json_t *out, json_t *errors)
{
    struct message m = {0};
    read_message(a, in, errors, &m);
    if (json_object_size(errors))
        return OP_INVALID;
    int rc = db_begin(db);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = preview ? 0 : earlier(db, m.token, &id);
    if (!rc && id) {
        json_object_set_new(out, "id", json_integer(id));
        json_object_set_new(out, "repeated", json_true());
        db_rollback(db);
        return 0;
    }
    struct tally t = {.recipients = json_array()};
    if (!rc)
        rc = choose(db, group, strcmp(m.channel, "email") == 0, &t);
    if (!rc && t.matched > group_action_max()) {
        json_object_set_new(errors, "group", json_string(i18n_msg(a->lang, "group.too_large")));
        rc = OP_INVALID;
    }
    if (!rc) {
        figures(&t, out);
        sample(&m, &t, a->lang, out);
    }
    if (!rc && !preview)
        rc = send(db, a, &m, target, &t, &id);
    if (!rc && !preview)
        rc = actor_audit(db, a, "campaign.send", "campaign", id,
                         json_pack("{s:s,s:O,s:O,s:O,s:O}", "channel", m.channel, "target",
                                   target ? target : json_null(), "matched",
                                   json_object_get(out, "matched"), "recipients",
                                   json_object_get(out, "recipients"), "excluded",
                                   json_object_get(out, "excluded")));
    if (!rc && !preview)
        json_object_set_new(out, "id", json_integer(id));
    json_decref(t.recipients);
    if (preview && !rc) {
        db_rollback(db);
        return 0;
    }
    return op_end(db, rc);
}
