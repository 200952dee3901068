/*
 * notify.c - notify_user() and the table of notification kinds (see
 * notify.h). The bell is a row of `notifications`; every other channel is
 * an outbox row per address (a robot's row: recipient = the robot's id,
 * body = {"title","text","mobiles"}, delivered by robot_send.c).
 */
#include "notify/notify.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/outbox.h"
#include "db/db.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const notify_channels[] = {"email", "sms", "dingtalk", "wecom", NULL};

/* Every kind a staff member is told about. Add a line for a new one (and
 * its label under notify.kinds in web/src/i18n/parts/notify.js). */
const char *const notify_kinds[] = {
    "task.assigned",           /* a to-do given to me */
    "reminder",                /* a reminder rule made me a to-do */
    "task.due",                /* a to-do of mine falls due */
    "enterprise.assigned",     /* I became an enterprise's account manager */
    "enterprise.unassigned",   /* I am no longer its account manager */
    "waybill.stalled",         /* a shipment of my enterprise is stuck */
    "waybill.promise_at_risk", /* one may miss its promised delivery */
    "ticket.assigned",         /* a service ticket given to me */
    "ticket.escalated",        /* a ticket escalated to me */
    "ticket.replied",          /* the customer answered my ticket */
    "ticket.breached",         /* a ticket of mine passed its SLA target */
    "statement.credit_alert",  /* an enterprise nears its credit limit */
    "approval.pending",        /* an approval waits for my decision */
    "approval.decided",        /* my approval request was decided */
    "rule",                    /* a rule (流程引擎) told me */
    NULL,
};

/* What a kind reaches besides the bell until its user saves a choice: a
 * ticket has a first-response target of minutes (15 for a VIP), so the
 * person it lands on is told by SMS at once (seed 003, 第二步); the rest
 * wait in the bell. */
static const char *const sms_only[] = {"sms", NULL};

const char *const *notify_kind_defaults(const char *kind)
{
    return kind && strncmp(kind, "ticket.", 7) == 0 ? sms_only : NULL;
}

static bool listed(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

bool notify_channel_known(const char *channel)
{
    return listed(notify_channels, channel);
}

bool notify_kind_known(const char *kind)
{
    return listed(notify_kinds, kind);
}

static char *public_url;

void notify_configure(void)
{
    const char *v = getenv("HONGYAN_PUBLIC_URL");
    free(public_url);
    public_url = NULL;
    if (v && *v) {
        public_url = xstrdup(v);
        size_t n = strlen(public_url);
        while (n > 0 && public_url[n - 1] == '/')
            public_url[--n] = '\0';
    } else {
        log_info("HONGYAN_PUBLIC_URL is not set: e-mail, SMS and robot messages carry no link");
    }
}

const char *notify_public_url(void)
{
    return public_url;
}

/* What notify_user needs to know of the person. */
struct person {
    char *email, *phone, *path, *mobile[2], *lang;
    bool active;
    bool saved; /* the user saved a choice (notify_bindings has a row) */
};

static void person_clear(struct person *p)
{
    free(p->email);
    free(p->phone);
    free(p->path);
    free(p->mobile[0]);
    free(p->mobile[1]);
    free(p->lang);
}

static char *col_dup(struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) || !*db_col_text(st, i) ? NULL : xstrdup(db_col_text(st, i));
}

static int person_load(struct db *db, int64_t user_id, struct person *p)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT u.email, u.phone, COALESCE(b.path, ''), nb.dingtalk_mobile, "
                          "nb.wecom_mobile, u.lang, u.status, nb.user_id IS NOT NULL FROM users u "
                          "LEFT JOIN branches b ON b.id = u.branch_id "
                          "LEFT JOIN notify_bindings nb ON nb.user_id = u.id WHERE u.id = ?",
                          DB_ARGS(DB_INT(user_id)));
    if (rc != 1)
        return rc;
    p->email = col_dup(st, 0);
    p->phone = col_dup(st, 1);
    p->path = xstrdup(db_col_text(st, 2));
    p->mobile[0] = col_dup(st, 3);
    p->mobile[1] = col_dup(st, 4);
    p->lang = xstrdup(db_col_text(st, 5));
    p->active = strcmp(db_col_text(st, 6), "active") == 0;
    p->saved = db_col_int(st, 7) != 0;
    db_finish(st);
    return 1;
}

/* The key of one channel's copy: "<dedupe>:<channel>[:<robot>]". */
static char *channel_key(const char *dedupe, const char *channel, int64_t robot)
{
    if (!dedupe)
        return NULL;
    return robot ? xasprintf("%s:%s:%lld", dedupe, channel, (long long)robot)
                 : xasprintf("%s:%s", dedupe, channel);
}

/* The message with its link, for channels outside the app. */
static char *text_with_link(const struct person *p, const char *title, const char *markdown,
                            const char *link, bool as_markdown)
{
    const char *base = notify_public_url();
    const char *body = markdown && *markdown ? markdown : title;
    if (!link || !*link || !base)
        return xstrdup(body);
    if (as_markdown)
        return xasprintf("%s\n\n[%s](%s%s)", body, i18n_msg(p->lang, "notify.open"), base, link);
    return xasprintf("%s\n\n%s%s", body, base, link);
}

/* One outbox row per robot of this kind serving the person's branch and
 * the notification kind. */
static int to_robots(struct db *db, const struct person *p, const char *channel, const char *kind,
                     const char *title, const char *markdown, const char *link, const char *dedupe)
{
    int64_t ids[16];
    int n = 0;
    struct db_stmt *st = db_query(
        db,
        "SELECT r.id FROM notify_robots r LEFT JOIN branches rb ON rb.id = r.branch_id "
        "WHERE r.enabled = 1 AND r.kind = ? AND (r.branch_id IS NULL OR ? LIKE rb.path || '%') "
        "AND (NOT EXISTS (SELECT 1 FROM notify_robot_kinds k WHERE k.robot_id = r.id) OR "
        "EXISTS (SELECT 1 FROM notify_robot_kinds k WHERE k.robot_id = r.id AND k.kind = ?)) "
        "ORDER BY r.id LIMIT 16",
        DB_ARGS(DB_TEXT(channel), DB_TEXT(p->path), DB_TEXT(kind)));
    if (!st)
        return DB_ERROR;
    int step;
    while ((step = db_step(st)) == 1)
        ids[n++] = db_col_int(st, 0);
    db_finish(st);
    if (step < 0)
        return step;
    if (n == 0)
        return 0;

    const char *mobile = p->mobile[strcmp(channel, "dingtalk") == 0 ? 0 : 1];
    char *text = text_with_link(p, title, markdown, link, true);
    json_t *msg = json_pack("{s:s,s:s,s:[]}", "title", title, "text", text, "mobiles");
    if (mobile)
        json_array_append_new(json_object_get(msg, "mobiles"), json_string(mobile));
    char *body = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    free(text);
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        char recipient[24];
        snprintf(recipient, sizeof(recipient), "%lld", (long long)ids[i]);
        char *key = channel_key(dedupe, channel, ids[i]);
        rc = outbox_enqueue(db, channel, recipient, title, body, key);
        free(key);
    }
    free(body);
    return rc;
}

static int to_channel(struct db *db, const struct person *p, const char *channel, const char *kind,
                      const char *title, const char *markdown, const char *link, const char *dedupe)
{
    if (strcmp(channel, "dingtalk") == 0 || strcmp(channel, "wecom") == 0)
        return to_robots(db, p, channel, kind, title, markdown, link, dedupe);
    bool email = strcmp(channel, "email") == 0;
    const char *to = email ? p->email : p->phone;
    if (!to || (!email && strcmp(channel, "sms") != 0))
        return 0;
    /* An SMS is the title and the link: the gateway bills per 70 characters. */
    char *text = email ? text_with_link(p, title, markdown, link, false)
                       : text_with_link(p, title, NULL, link, false);
    char *key = channel_key(dedupe, channel, 0);
    int rc = outbox_enqueue(db, channel, to, title, text, key);
    free(key);
    free(text);
    return rc;
}

int notify_user(struct db *db, int64_t user_id, const char *kind, const char *title,
                const char *markdown, const char *link, const char *dedupe_key,
                const char *const *channels)
{
    char *bell_key = channel_key(dedupe_key, "bell", 0);
    int rc = db_exec(db,
                     "INSERT INTO notifications (user_id, kind, title, body, link, created_at, "
                     "dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     DB_ARGS(DB_INT(user_id), DB_TEXT(kind), DB_TEXT(title), DB_TEXT(markdown),
                             DB_TEXT(link), DB_INT(clock_now()), DB_TEXT(bell_key)));
    free(bell_key);
    if (rc)
        return rc;

    struct person p = {0};
    rc = person_load(db, user_id, &p);
    if (rc != 1 || !p.active) {
        person_clear(&p);
        return rc < 0 ? rc : 0;
    }
    rc = 0;
    /* Saving the settings page writes the user's bindings row: before that
     * the user has chosen nothing, and the kind's defaults apply. */
    if (!channels && !p.saved)
        channels = notify_kind_defaults(kind);
    if (channels) {
        for (const char *const *c = channels; *c && !rc; c++)
            if (notify_channel_known(*c))
                rc = to_channel(db, &p, *c, kind, title, markdown, link, dedupe_key);
    } else {
        /* The choice, read whole before writing (one statement at a time). */
        bool chosen[4] = {false};
        struct db_stmt *st =
            db_query(db, "SELECT channel FROM notify_prefs WHERE user_id = ? AND kind = ?",
                     DB_ARGS(DB_INT(user_id), DB_TEXT(kind)));
        if (!st) {
            person_clear(&p);
            return DB_ERROR;
        }
        while ((rc = db_step(st)) == 1)
            for (int i = 0; notify_channels[i]; i++)
                if (strcmp(notify_channels[i], db_col_text(st, 0)) == 0)
                    chosen[i] = true;
        db_finish(st);
        for (int i = 0; notify_channels[i] && rc == 0; i++)
            if (chosen[i])
                rc =
                    to_channel(db, &p, notify_channels[i], kind, title, markdown, link, dedupe_key);
    }
    person_clear(&p);
    return rc;
}
