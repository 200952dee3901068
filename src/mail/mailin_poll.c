/*
 * mailin_poll.c - taking the service mailbox's new messages in over IMAP
 * (see mailin.h).
 *
 * Exactly once: the poll remembers the mailbox's UIDVALIDITY and the last
 * UID taken (mailin_state). A message is parsed, its attachments written
 * to the files directory under names made from (UIDVALIDITY, UID) (a
 * retry overwrites them), and then stored, with its "mail.received" event
 * and the new last UID, in one transaction; only after the commit is it
 * marked \Seen on the server. A crash between the two leaves it stored
 * and unseen: the next poll finds it past the last UID no more, and marks
 * it seen first (seen_at is NULL until then). The same message under
 * another UID (a copy, a renumbered mailbox) is known by its Message-ID.
 *
 * One poller at a time: the periodic poll runs on the scheduler, which
 * one process runs (the leader lock); "poll now" runs on a request thread
 * of any process. Both take a lease in mailin_state (an UPDATE that
 * succeeds only when the lease is free or run out, as the outbox claims a
 * message), renewed after each message.
 */
#include "mail/mailin.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/events.h"
#include "core/files.h"
#include "core/scheduler.h"
#include "db/db.h"
#include "http/server.h"
#include "mail/imap.h"
#include "mail/mail_parse.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LEASE_SECONDS 120
#define BATCH         100 /* messages a poll takes; the rest at the next */
/* The database failed while the IMAP conversation went well (apart from
 * enum imap_error, which is negative too). */
#define STORE_FAILED (-200)

static struct {
    bool configured;
    char *base_url;   /* scheme://host:port/ */
    char *mailbox;    /* INBOX */
    char *public_url; /* scheme://host:port/INBOX, no credentials */
    char *user, *password, *own_address;
    int starttls;
    int64_t poll_seconds;
    size_t max_message, max_attachment;
    char owner[40]; /* this process's lease token */
} cfg;

static int64_t env_int(const char *name, int64_t fallback, int64_t min)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end || n < min) {
        log_warn("%s=%s is not a whole number of at least %lld: using %lld", name, v,
                 (long long)min, (long long)fallback);
        return fallback;
    }
    return n;
}

static char *env_dup(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? xstrdup(v) : NULL;
}

/* A mailbox name this client sends quoted: printable ASCII without the
 * quote and backslash (modified UTF-7 names are not needed here). */
static bool mailbox_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            return false;
    return true;
}

static bool parse_url(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK;
    if (ok && strcmp(scheme, "imap") != 0 && strcmp(scheme, "imaps") != 0)
        ok = false;
    if (ok) {
        const char *box = path[0] == '/' ? path + 1 : path;
        /* curl's own URL options (";UID=…") are not for this setting. */
        cfg.mailbox = xstrndup(box, strcspn(box, ";/"));
        if (!*cfg.mailbox) {
            free(cfg.mailbox);
            cfg.mailbox = xstrdup("INBOX");
        }
        ok = mailbox_ok(cfg.mailbox);
        cfg.base_url = xasprintf("%s://%s:%s/", scheme, host, port);
        cfg.public_url = xasprintf("%s%s", cfg.base_url, cfg.mailbox);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    return ok;
}

void mailin_configure(void)
{
    mail_parse_init();
    cfg.poll_seconds = env_int("HONGYAN_IMAP_POLL_SECONDS", 60, 1);
    cfg.max_message = (size_t)env_int("HONGYAN_IMAP_MAX_MESSAGE_BYTES", 25 << 20, 1024);
    cfg.max_attachment = (size_t)env_int("HONGYAN_IMAP_MAX_ATTACHMENT_BYTES", 10 << 20, 1);
    const char *tls = getenv("HONGYAN_IMAP_STARTTLS");
    cfg.starttls = !tls || !*tls || strcmp(tls, "required") == 0 ? 0
                   : strcmp(tls, "try") == 0                     ? 1
                   : strcmp(tls, "off") == 0                     ? 2
                                                                 : 0;
    unsigned char rnd[8];
    if (sodium_init() < 0)
        abort();
    randombytes_buf(rnd, sizeof(rnd));
    snprintf(cfg.owner, sizeof(cfg.owner), "%ld-%02x%02x%02x%02x%02x%02x%02x%02x", (long)getpid(),
             rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    char *url = env_dup("HONGYAN_IMAP_URL");
    if (!url) {
        log_info("service mailbox: not configured (HONGYAN_IMAP_URL)");
        return;
    }
    if (!parse_url(url)) {
        log_error("service mailbox: HONGYAN_IMAP_URL is not an imap:// or imaps:// URL with a "
                  "plain mailbox name; the mailbox is not polled");
        free(url);
        return;
    }
    free(url);
    cfg.user = env_dup("HONGYAN_IMAP_USER");
    cfg.password = env_dup("HONGYAN_IMAP_PASSWORD");
    char *own = env_dup("HONGYAN_SMTP_FROM");
    if (own)
        for (char *c = own; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    cfg.own_address = own;
    cfg.configured = true;
    log_info("service mailbox: %s every %lld s", cfg.public_url, (long long)cfg.poll_seconds);
}

bool mailin_configured(void)
{
    return cfg.configured;
}

const char *mailin_public_url(void)
{
    return cfg.public_url ? cfg.public_url : "";
}

int64_t mailin_poll_seconds(void)
{
    return cfg.poll_seconds;
}

/* ---- the lease ---- */

static int lease_take(struct db *db)
{
    int64_t now = clock_now();
    int rc = db_exec(
        db,
        "UPDATE mailin_state SET lease_owner = ?, lease_until = ? WHERE id = 1 AND "
        "(lease_until IS NULL OR lease_until < ? OR lease_owner = ?)",
        DB_ARGS(DB_TEXT(cfg.owner), DB_INT(now + LEASE_SECONDS), DB_INT(now), DB_TEXT(cfg.owner)));
    return rc ? rc : db_changes(db) == 1;
}

static void lease_release(struct db *db)
{
    db_exec(db,
            "UPDATE mailin_state SET lease_owner = NULL, lease_until = NULL "
            "WHERE id = 1 AND lease_owner = ?",
            DB_ARGS(DB_TEXT(cfg.owner)));
}

/* ---- the record of how polls went ---- */

static void record_failure(struct db *db, const char *code, const char *detail)
{
    log_warn("service mailbox: poll failed (%s): %s; trying again in %lld s", code, detail,
             (long long)cfg.poll_seconds);
    db_exec(db,
            "UPDATE mailin_state SET last_error_code = ?, last_error = ?, last_error_at = ? "
            "WHERE id = 1",
            DB_ARGS(DB_TEXT(code), DB_TEXT(detail), DB_INT(clock_now())));
}

static void record_success(struct db *db)
{
    db_exec(db,
            "UPDATE mailin_state SET last_success_at = ?, last_error_code = NULL, "
            "last_error = NULL, last_error_at = NULL WHERE id = 1",
            DB_ARGS(DB_INT(clock_now())));
}

static const char *imap_code(int rc)
{
    return rc == IMAP_ELOGIN     ? "login"
           : rc == IMAP_ECONNECT ? "connect"
           : rc == IMAP_ETOOBIG  ? "too_large"
                                 : "protocol";
}

/* ---- storing one message ---- */

/* Write an attachment's bytes to the files directory as name; 0 or -1. */
static int save_file(const char *name, const unsigned char *data, size_t size)
{
    char *path = files_path(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -1 : 0;
    for (size_t done = 0; !rc && done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            rc = -1;
        else
            done += (size_t)n;
    }
    if (fd >= 0 && (fsync(fd) || close(fd)))
        rc = -1;
    if (rc)
        log_error("service mailbox: cannot write %s: %s", path, strerror(errno));
    free(path);
    return rc;
}

static void unlink_files(json_t *atts)
{
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        const char *file = json_string_value(json_object_get(a, "file"));
        if (file) {
            char *path = files_path(file);
            unlink(path);
            free(path);
        }
    }
}

/* The attachments of p as stored: kept ones written to files. */
static json_t *keep_attachments(const struct mail_parsed *p, int64_t uv, int64_t uid)
{
    json_t *list = json_array();
    for (size_t i = 0; i < p->natt; i++) {
        const struct mail_attachment *a = &p->att[i];
        json_t *o = json_pack("{s:I,s:s,s:s,s:I}", "index", (json_int_t)i, "name", a->name, "type",
                              a->type, "size", (json_int_t)a->size);
        const char *refused = a->refused;
        if (!refused) {
            char *name = xasprintf("mail-%lld-%lld-%zu", (long long)uv, (long long)uid, i);
            if (save_file(name, a->data, a->size) == 0)
                json_object_set_new(o, "file", json_string(name));
            else
                refused = "storage";
            free(name);
        }
        if (refused)
            json_object_set_new(o, "refused", json_string(refused));
        json_array_append_new(list, o);
    }
    return list;
}

/* Why a message needs no action (stored as "ignored"), or NULL. */
static const char *ignored_because(const struct mail_parsed *p, bool too_big)
{
    if (too_big)
        return "too_large";
    if (p->automatic)
        return "automatic";
    if (cfg.own_address && strcmp(p->from_addr, cfg.own_address) == 0)
        return "own_address";
    return NULL;
}

/* Store message uid (raw: the whole message, or its header when too_big)
 * and move the last UID past it, in one transaction. 1 stored, 0 already
 * there (same Message-ID or UID), negative DB_*. */
static int store(struct db *db, int64_t uv, int64_t uid, int64_t size, const char *raw,
                 size_t rawlen, bool too_big)
{
    struct mail_parsed p;
    bool parsed = mail_parse(raw, rawlen, cfg.max_attachment, too_big, &p) == 0;
    const char *status = "new", *error = NULL;
    if (!parsed) {
        memset(&p, 0, sizeof(p));
        status = "failed";
        error = "not_a_message";
    } else if ((error = ignored_because(&p, too_big)) != NULL) {
        status = "ignored";
    }
    char ref[14];
    bool has_ref = parsed && mail_thread_ref(p.subject, ref);
    json_t *atts = parsed ? keep_attachments(&p, uv, uid) : json_array();
    char *atts_text = json_dumps(atts, JSON_COMPACT);
    int64_t now = clock_now(), id = 0;
    int rc = db_begin(db);
    if (!rc) {
        rc = db_query_int(
            db,
            "INSERT INTO mail_messages (uidvalidity, uid, message_id, from_addr, from_name, "
            "to_addrs, subject, in_reply_to, refs, sent_at, body_text, body_from_html, "
            "attachments_json, size, thread_ref, status, error, received_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING RETURNING id",
            DB_ARGS(DB_INT(uv), DB_INT(uid), DB_TEXT(p.message_id),
                    DB_TEXT(p.from_addr ? p.from_addr : ""),
                    DB_TEXT(p.from_name ? p.from_name : ""), DB_TEXT(p.to_addrs ? p.to_addrs : ""),
                    DB_TEXT(p.subject ? p.subject : ""), DB_TEXT(p.in_reply_to), DB_TEXT(p.refs),
                    DB_INT_OR_NULL(p.sent_at != 0, p.sent_at),
                    DB_TEXT(p.body_text ? p.body_text : ""), DB_INT(p.body_from_html),
                    DB_TEXT(atts_text), DB_INT(size), DB_TEXT(has_ref ? ref : NULL),
                    DB_TEXT(status), DB_TEXT(error), DB_INT(now), DB_INT(now)),
            &id);
        int stored = rc;
        if (rc == 1) {
            rc = events_publish(db, "mail.received", "mail_message", id, 0,
                                json_pack("{s:I}", "id", (json_int_t)id));
        } else if (rc == 0) {
            log_info("service mailbox: UID %lld is message <%s>, taken before", (long long)uid,
                     p.message_id ? p.message_id : "");
            /* Taken under this very UID (by a poller whose lease this one
             * outlived): the files are that row's, keep them. */
            int64_t one;
            if (db_query_int(db, "SELECT 1 FROM mail_messages WHERE uidvalidity = ? AND uid = ?",
                             DB_ARGS(DB_INT(uv), DB_INT(uid)), &one) == 1)
                stored = 2;
        }
        if (rc >= 0)
            rc = db_exec(db, "UPDATE mailin_state SET last_uid = ? WHERE id = 1 AND last_uid < ?",
                         DB_ARGS(DB_INT(uid), DB_INT(uid)));
        rc = db_end(db, rc < 0 ? rc : 0);
        if (!rc)
            rc = stored;
    }
    if (rc != 1 && rc != 2)
        unlink_files(atts); /* not stored, or stored before with its own files */
    if (rc == 2)
        rc = 0;
    free(atts_text);
    json_decref(atts);
    if (parsed)
        mail_parsed_release(&p);
    return rc;
}

/* ---- the poll ---- */

static int mark_seen(struct imap *im, struct db *db, int64_t uv, int64_t uid)
{
    struct imap_reply r;
    int rc = imap_command(im, &r, "UID STORE %lld +FLAGS.SILENT (\\Seen)", (long long)uid);
    imap_reply_release(&r);
    if (rc)
        return rc;
    db_exec(db, "UPDATE mail_messages SET seen_at = ? WHERE uidvalidity = ? AND uid = ?",
            DB_ARGS(DB_INT(clock_now()), DB_INT(uv), DB_INT(uid)));
    return 0;
}

/* Messages stored but not yet marked \Seen (a crash came between). */
static int mark_pending(struct imap *im, struct db *db, int64_t uv)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT uid FROM mail_messages WHERE uidvalidity = ? AND "
                                  "seen_at IS NULL ORDER BY uid LIMIT ?",
                                  DB_ARGS(DB_INT(uv), DB_INT(BATCH)));
    if (!st)
        return STORE_FAILED;
    int64_t uids[BATCH];
    size_t n = 0;
    while (n < BATCH && db_step(st) == 1)
        uids[n++] = db_col_int(st, 0);
    db_finish(st);
    for (size_t i = 0; i < n; i++) {
        int rc = mark_seen(im, db, uv, uids[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* Test mode: HONGYAN_TEST_MAILIN_CRASH=after_commit dies as a crash would
 * right after the first message is committed, before it is marked seen. */
static void test_crash_point(void)
{
    const char *c = getenv("HONGYAN_TEST_MAILIN_CRASH");
    if (server_test_mode() && c && strcmp(c, "after_commit") == 0) {
        log_warn("test mode: dying after the commit, before \\Seen");
        raise(SIGKILL);
    }
}

static int take_new(struct imap *im, struct db *db, int64_t uv, int64_t last, int *taken)
{
    struct imap_reply r;
    int rc = imap_command(im, &r, "UID SEARCH UID %lld:*", (long long)last + 1);
    if (rc) {
        imap_reply_release(&r);
        return rc;
    }
    size_t n;
    int64_t *uids = imap_search_uids(r.text.buf, last, &n);
    imap_reply_release(&r);
    if (n > BATCH)
        n = BATCH;
    if (n == 0) {
        free(uids);
        return 0;
    }
    struct imap_reply sizes;
    rc = imap_command(im, &sizes, "UID FETCH %lld:%lld (RFC822.SIZE)", (long long)uids[0],
                      (long long)uids[n - 1]);
    for (size_t i = 0; !rc && i < n && !scheduler_stopping(); i++) {
        int64_t size = imap_fetch_size(sizes.text.buf, uids[i]);
        bool too_big = size > (int64_t)cfg.max_message;
        struct imap_reply body;
        rc = imap_command(im, &body, "UID FETCH %lld (BODY.PEEK[%s])", (long long)uids[i],
                          too_big ? "HEADER" : "");
        if (rc) {
            imap_reply_release(&body);
            break;
        }
        bool gone = !body.has_literal; /* expunged meanwhile */
        int st = gone ? 0
                      : store(db, uv, uids[i], size, body.text.buf + body.lit_off, body.lit_len,
                              too_big);
        imap_reply_release(&body);
        if (st < 0) {
            rc = STORE_FAILED;
            break;
        }
        if (st == 1) {
            (*taken)++;
            test_crash_point();
        }
        if (gone)
            db_exec(db, "UPDATE mailin_state SET last_uid = ? WHERE id = 1 AND last_uid < ?",
                    DB_ARGS(DB_INT(uids[i]), DB_INT(uids[i])));
        rc = mark_seen(im, db, uv, uids[i]);
        if (!rc && lease_take(db) != 1)
            break; /* the lease was lost: let its new holder go on */
    }
    imap_reply_release(&sizes);
    free(uids);
    return rc;
}

/* One poll under the lease: 0 or negative (the failure recorded). */
static int poll_locked(struct db *db, int *taken)
{
    db_exec(db, "UPDATE mailin_state SET last_attempt_at = ? WHERE id = 1",
            DB_ARGS(DB_INT(clock_now())));
    struct imap im;
    struct imap_settings s = {.url = cfg.base_url,
                              .user = cfg.user,
                              .password = cfg.password,
                              .starttls = cfg.starttls,
                              .timeout_s = 30,
                              .max_reply = cfg.max_message + 65536};
    int rc = imap_open(&im, &s);
    struct imap_reply r = {0};
    if (!rc)
        rc = imap_command(&im, &r, "SELECT \"%s\"", cfg.mailbox);
    int64_t uv = rc ? 0 : imap_uidvalidity(r.text.buf);
    imap_reply_release(&r);
    if (!rc && uv <= 0) {
        snprintf(im.err, sizeof(im.err), "the server named no UIDVALIDITY for %s", cfg.mailbox);
        rc = IMAP_EPROTOCOL;
    }
    if (rc) {
        record_failure(db, imap_code(rc), im.err);
        imap_close(&im);
        return MAILIN_FAILED;
    }
    int64_t stored_uv = 0, last = 0;
    struct db_stmt *st;
    int q = db_query_row(db, &st, "SELECT uidvalidity, last_uid FROM mailin_state WHERE id = 1",
                         NULL, 0);
    if (q == 1) {
        stored_uv = db_col_is_null(st, 0) ? 0 : db_col_int(st, 0);
        last = db_col_int(st, 1);
        db_finish(st);
    }
    if (q != 1) {
        imap_close(&im);
        return q < 0 ? q : -1;
    }
    if (stored_uv != uv) {
        /* A new mailbox, or one renumbered: UIDs start again; what was
         * taken before is known by its Message-ID. */
        if (stored_uv)
            log_warn("service mailbox: UIDVALIDITY changed from %lld to %lld", (long long)stored_uv,
                     (long long)uv);
        db_exec(db, "UPDATE mailin_state SET uidvalidity = ?, last_uid = 0 WHERE id = 1",
                DB_ARGS(DB_INT(uv)));
        last = 0;
    }
    rc = mark_pending(&im, db, uv);
    if (!rc)
        rc = take_new(&im, db, uv, last, taken);
    if (rc == STORE_FAILED) {
        record_failure(db, "storage", "the database refused the message");
        rc = MAILIN_FAILED;
    } else if (rc) {
        record_failure(db, imap_code(rc), im.err);
        rc = MAILIN_FAILED;
    } else {
        record_success(db);
    }
    imap_close(&im);
    if (*taken)
        log_info("service mailbox: %d new message(s)", *taken);
    return rc;
}

int mailin_poll(struct db *db, int wait_seconds, int *taken)
{
    *taken = 0;
    if (!cfg.configured)
        return MAILIN_NOT_CONFIGURED;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int got;
    while ((got = lease_take(db)) == 0) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= wait_seconds)
            return MAILIN_BUSY;
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    if (got < 0)
        return got;
    int rc = poll_locked(db, taken);
    lease_release(db);
    return rc;
}

int mailin_tick(struct db *db)
{
    static int64_t next_due;
    if (!cfg.configured)
        return 0;
    int64_t now = clock_now();
    if (now < next_due && next_due - now <= cfg.poll_seconds)
        return 0;
    next_due = now + cfg.poll_seconds;
    int taken;
    int rc = mailin_poll(db, 0, &taken);
    return rc == MAILIN_BUSY || rc == MAILIN_FAILED ? 0 : rc;
}
