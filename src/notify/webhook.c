/*
 * webhook.c - webhook subscriptions as admin settings (checks, the secret
 * made here and sealed, create / edit / delete / replay with their audit
 * entries, which never hold the secret) and the domain-event consumer that
 * turns each matching event into one outbox row (see webhook.h).
 */
#include "notify/webhook.h"

#include "auth/session.h"
#include "base/clock.h"
#include "base/datakey.h"
#include "base/i18n.h"
#include "base/xmalloc.h"
#include "core/http_out.h"
#include "core/op.h"
#include "core/outbox.h"
#include "core/reseal.h"
#include "core/scheduler.h"
#include "db/db.h"
#include "http/form.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PATTERNS 50
/* Subscriptions a single event is handed to (more are not expected). */
#define MAX_SUBSCRIPTIONS 256

bool webhook_pattern_matches(const char *pattern, const char *kind)
{
    if (!pattern || !kind)
        return false;
    if (strcmp(pattern, "*") == 0 || strcmp(pattern, kind) == 0)
        return true;
    size_t n = strlen(pattern);
    /* "ticket.*": the prefix with its dot, so "ticketing.x" does not match. */
    return n >= 2 && strcmp(pattern + n - 2, ".*") == 0 && strncmp(pattern, kind, n - 1) == 0;
}

/* A pattern is lowercase letters, digits, '_' and '.', optionally ending in
 * ".*", or "*" alone. */
static bool pattern_valid(const char *p)
{
    if (!p || !*p || strlen(p) > 64)
        return false;
    if (strcmp(p, "*") == 0)
        return true;
    size_t n = strlen(p);
    if (n >= 2 && strcmp(p + n - 2, ".*") == 0)
        n -= 2;
    if (n == 0 || p[0] == '.' || p[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
              p[i] == '.'))
            return false;
    return true;
}

static void check_url(struct form *f, const char *url)
{
    char why[256];
    int rc = http_out_check_url(url, NULL, why, sizeof(why));
    if (rc == HTTP_OUT_EURL)
        form_fail(f, "url", "notify.url_invalid");
    else if (rc == HTTP_OUT_EBLOCKED)
        form_fail(f, "url", "notify.url_blocked");
    /* A DNS failure passes: the address is checked again at every send. */
}

struct webhook_in {
    const char *url, *description;
    json_t *events; /* borrowed; NULL: unchanged */
    bool enabled;
    int has_enabled;
};

static void read_in(struct form *f, bool create, struct webhook_in *in)
{
    memset(in, 0, sizeof(*in));
    in->url = form_str(f, "url", create, 1000);
    if (in->url)
        check_url(f, in->url);
    in->description = form_str(f, "description", false, 200);
    in->has_enabled = form_bool(f, "enabled", false, &in->enabled);
    json_t *events = json_object_get(f->in, "events");
    if (!events || json_is_null(events)) {
        if (create)
            form_fail(f, "events", "webhook.events");
        return;
    }
    if (!json_is_array(events) || json_array_size(events) == 0 ||
        json_array_size(events) > MAX_PATTERNS) {
        form_fail(f, "events", "webhook.events");
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        if (!pattern_valid(json_string_value(e))) {
            form_fail(f, "events", "webhook.events");
            return;
        }
    }
    in->events = events;
}

static json_t *audit_detail(const struct webhook_in *in, bool new_secret)
{
    json_t *d = json_object();
    if (in->url)
        json_object_set_new(d, "url", json_string(in->url));
    if (in->events)
        json_object_set(d, "events", in->events);
    if (in->description)
        json_object_set_new(d, "description", json_string(in->description));
    if (in->has_enabled == 1)
        json_object_set_new(d, "enabled", json_boolean(in->enabled));
    if (new_secret)
        json_object_set_new(d, "secret", json_string("created"));
    return d;
}

static int update(struct db *db, const struct actor *a, int64_t id, json_t *in,
                  const struct webhook_in *wi, const char *events, json_t *errors)
{
    json_t *v = json_object_get(in, "version");
    if (!json_is_integer(v)) {
        json_object_set_new(errors, "version", json_string(i18n_msg(a->lang, "field.required")));
        return OP_INVALID;
    }
    int rc = db_exec(db,
                     "UPDATE webhook_subscriptions SET url = COALESCE(?, url), "
                     "events = COALESCE(?, events), description = COALESCE(?, description), "
                     "enabled = COALESCE(?, enabled), version = version + 1, updated_at = ? "
                     "WHERE id = ? AND version = ?",
                     DB_ARGS(DB_TEXT(wi->url), DB_TEXT(events), DB_TEXT(wi->description),
                             DB_INT_OR_NULL(wi->has_enabled == 1, wi->enabled), DB_INT(clock_now()),
                             DB_INT(id), DB_INT(json_integer_value(v))));
    if (!rc && db_changes(db) == 0) {
        int64_t found = 0;
        int q = db_query_int(db, "SELECT 1 FROM webhook_subscriptions WHERE id = ?",
                             DB_ARGS(DB_INT(id)), &found);
        rc = q < 0 ? q : q == 0 ? OP_NOT_FOUND : OP_STALE;
    }
    return rc;
}

int webhook_save(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out_id,
                 char *secret, size_t secretlen, json_t *errors)
{
    struct form f;
    struct webhook_in wi;
    form_init_json(&f, in, a->lang, errors);
    read_in(&f, id == 0, &wi);
    if (!form_ok(&f))
        return OP_INVALID;
    const struct datakey *k = datakey_current();
    if (!k)
        return DB_ERROR; /* serve always has one; the secret is never stored in clear */

    char *events = wi.events ? json_dumps(wi.events, JSON_COMPACT) : NULL;
    char *sealed = NULL;
    bool creating = id == 0;
    int64_t now = clock_now();
    int rc = db_begin(db);
    if (rc)
        goto out;
    if (creating) {
        char raw[64];
        session_random_token(raw, sizeof(raw), 32);
        snprintf(secret, secretlen, "%s%s", WEBHOOK_SECRET_PREFIX, raw);
        sodium_memzero(raw, sizeof(raw));
        sealed = datakey_seal(k, secret);
        rc = db_query_id(db,
                         "INSERT INTO webhook_subscriptions (url, events, secret_sealed, "
                         "description, enabled, created_by, created_at, updated_at) VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         DB_ARGS(DB_TEXT(wi.url), DB_TEXT(events), DB_TEXT(sealed),
                                 DB_TEXT(wi.description ? wi.description : ""),
                                 DB_INT(wi.has_enabled == 1 ? wi.enabled : 1),
                                 DB_INT_OR_NULL(a->id, a->id), DB_INT(now), DB_INT(now)),
                         &id);
    } else {
        rc = update(db, a, id, in, &wi, events, errors);
    }
    if (!rc)
        rc = actor_audit(db, a, creating ? "webhook.create" : "webhook.update", "webhook", id,
                         audit_detail(&wi, creating));
    rc = op_end(db, rc);
    if (!rc)
        *out_id = id;
out:
    free(events);
    free(sealed);
    return rc;
}

int webhook_delete(struct db *db, const struct actor *a, int64_t id)
{
    char recipient[24];
    snprintf(recipient, sizeof(recipient), "%lld", (long long)id);
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_exec(db, "DELETE FROM webhook_subscriptions WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (!rc && db_changes(db) == 0)
        rc = OP_NOT_FOUND;
    /* Nothing can sign them now: say so rather than retry for hours. */
    if (!rc)
        rc = db_exec(db,
                     "UPDATE outbox SET status = 'dead', last_error = 'subscription removed', "
                     "lease_until = NULL WHERE channel = 'webhook' AND recipient = ? "
                     "AND status IN ('pending', 'sending')",
                     DB_ARGS(DB_TEXT(recipient)));
    if (!rc)
        rc = actor_audit(db, a, "webhook.delete", "webhook", id, NULL);
    return op_end(db, rc);
}

int webhook_replay(struct db *db, const struct actor *a, int64_t outbox_id, int64_t *new_id)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    /* A new row, so the log keeps the first delivery's attempts; the body
     * (and so the event id in it) is the same, which lets a receiver that
     * already has the event drop the repeat. */
    rc = db_query_int(db,
                      "INSERT INTO outbox (channel, recipient, subject, body, next_attempt_at, "
                      "created_at) SELECT channel, recipient, subject, body, ?, ? FROM outbox "
                      "WHERE id = ? AND channel = 'webhook' RETURNING id",
                      DB_ARGS(DB_INT(clock_now()), DB_INT(clock_now()), DB_INT(outbox_id)), new_id);
    rc = rc == 1 ? 0 : rc == 0 ? OP_NOT_FOUND : rc;
    if (!rc)
        rc = actor_audit(db, a, "webhook.replay", "outbox", outbox_id,
                         json_pack("{s:I}", "new_outbox_id", (json_int_t)*new_id));
    if (!rc)
        db_on_commit(db, scheduler_wake);
    return op_end(db, rc);
}

int webhook_rotate(struct db *db, const struct datakey *from, const struct datakey *to,
                   int64_t *done)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = reseal_column(db, "webhook_subscriptions", "secret_sealed", from, to, done);
    return db_end(db, rc);
}

/* ---- the event consumer ---------------------------------------------------- */

/* The delivered JSON: {id, type, occurred_at, data}. Caller frees. */
static char *event_body(const struct domain_event *ev)
{
    char when[32];
    time_t t = (time_t)ev->at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *data = json_pack("{s:s,s:I,s:I}", "entity", ev->entity ? ev->entity : "", "object_id",
                             (json_int_t)ev->object_id, "actor_id", (json_int_t)ev->actor_id);
    if (ev->payload)
        json_object_set(data, "changes", (json_t *)ev->payload);
    char id[32];
    snprintf(id, sizeof(id), "evt_%lld", (long long)ev->id);
    json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "id", id, "type", ev->kind, "occurred_at", when,
                          "data", data);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

int webhook_on_event(struct db *db, const struct domain_event *ev)
{
    int64_t ids[MAX_SUBSCRIPTIONS];
    int n = 0;
    struct db_stmt *st = db_query(
        db, "SELECT id, events FROM webhook_subscriptions WHERE enabled = 1 ORDER BY id LIMIT ?",
        DB_ARGS(DB_INT(MAX_SUBSCRIPTIONS)));
    if (!st)
        return DB_ERROR;
    int step;
    while ((step = db_step(st)) == 1) {
        json_t *patterns = json_loads(db_col_text(st, 1), 0, NULL);
        size_t i;
        json_t *p;
        json_array_foreach(patterns, i, p)
        {
            if (webhook_pattern_matches(json_string_value(p), ev->kind)) {
                ids[n++] = db_col_int(st, 0);
                break;
            }
        }
        json_decref(patterns);
    }
    db_finish(st);
    if (step < 0)
        return step;
    if (n == 0)
        return 0;
    char *body = event_body(ev);
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        char recipient[24], dedupe[64];
        snprintf(recipient, sizeof(recipient), "%lld", (long long)ids[i]);
        /* At least once upstream, at most one row here per (subscription, event). */
        snprintf(dedupe, sizeof(dedupe), "webhook:%lld:%lld", (long long)ids[i], (long long)ev->id);
        rc = outbox_enqueue(db, "webhook", recipient, ev->kind, body, dedupe);
    }
    free(body);
    return rc;
}
