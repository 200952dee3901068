/*
 * idempotency.c - see idempotency.h.
 */
#include "http/idempotency.h"

#include "base/clock.h"
#include "db/db.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KEEP_SECONDS    86400
#define PENDING_SECONDS 300
#define KEY_MAX         200

static bool key_valid(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > KEY_MAX)
        return false;
    for (; *k; k++)
        if ((unsigned char)*k <= 0x20 || (unsigned char)*k >= 0x7f)
            return false;
    return true;
}

/* BLAKE2b of "METHOD path\n" and the body (the upload file of an upload
 * route), in hex. false when the upload cannot be read. */
static bool request_hash(struct req *r, char hex[65])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)r->method_name, strlen(r->method_name));
    crypto_generichash_update(&st, (const unsigned char *)" ", 1);
    crypto_generichash_update(&st, (const unsigned char *)r->path, strlen(r->path));
    crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
    if (r->upload_path) {
        int fd = open(r->upload_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return false;
        unsigned char buf[65536];
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
            crypto_generichash_update(&st, buf, (size_t)n);
        close(fd);
        if (n < 0)
            return false;
    } else if (r->body.buf) {
        crypto_generichash_update(&st, (const unsigned char *)r->body.buf, r->body.len);
    }
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(hex, 65, h, sizeof(h));
    return true;
}

static void caller_of(const struct req *r, char *out, size_t n)
{
    /* actor_id: a user's id, or an API key's id negated (auth/api_keys.c). */
    if (r->actor_id > 0)
        snprintf(out, n, "u:%lld", (long long)r->actor_id);
    else
        snprintf(out, n, "k:%lld", (long long)-r->actor_id);
}

/* The stored answer of a key already claimed. */
static void answer_repeat(struct req *r, const char *caller, const char *key, const char *hash)
{
    struct db_stmt *st;
    int rc = db_query_row(r->db, &st,
                          "SELECT request_hash, status, body FROM idempotency_keys "
                          "WHERE caller = ? AND key = ?",
                          DB_ARGS(DB_TEXT(caller), DB_TEXT(key)));
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    if (rc == 0) {
        /* Released between our insert and this read: the first one failed. */
        reply_error_key(r, 409, "idempotency_in_progress", "idempotency.in_progress");
        reply_header(r, "Retry-After", "1");
        return;
    }
    if (strcmp(db_col_text(st, 0), hash) != 0) {
        db_finish(st);
        reply_error_key(r, 422, "idempotency_conflict", "idempotency.conflict");
        return;
    }
    int64_t status = db_col_int(st, 1);
    if (status == 0) {
        db_finish(st);
        reply_error_key(r, 409, "idempotency_in_progress", "idempotency.in_progress");
        reply_header(r, "Retry-After", "1");
        return;
    }
    const char *body = db_col_text(st, 2);
    reply_bytes(r, (unsigned)status, "application/json; charset=utf-8", body, strlen(body), NULL);
    db_finish(st);
    reply_header(r, "Idempotent-Replayed", "true");
}

enum idem_state idem_begin(struct req *r)
{
    const char *key = req_header(r, "Idempotency-Key");
    if (!key || r->method != HTTP_POST || r->actor_id == 0)
        return IDEM_NONE;
    if (!key_valid(key)) {
        reply_error_key(r, 400, "bad_request", "idempotency.key_invalid");
        return IDEM_ANSWERED;
    }
    char caller[32], hash[65];
    caller_of(r, caller, sizeof(caller));
    if (!request_hash(r, hash)) {
        reply_error(r, 500, "internal");
        return IDEM_ANSWERED;
    }
    int64_t now = clock_now();
    int rc = db_exec(r->db,
                     "DELETE FROM idempotency_keys WHERE caller = ? AND key = ? AND "
                     "(created_at < ? OR (status = 0 AND created_at < ?))",
                     DB_ARGS(DB_TEXT(caller), DB_TEXT(key), DB_INT(now - KEEP_SECONDS),
                             DB_INT(now - PENDING_SECONDS)));
    if (!rc)
        rc = db_exec(r->db,
                     "INSERT INTO idempotency_keys (caller, key, request_hash, status, created_at) "
                     "VALUES (?, ?, ?, 0, ?) ON CONFLICT DO NOTHING",
                     DB_ARGS(DB_TEXT(caller), DB_TEXT(key), DB_TEXT(hash), DB_INT(now)));
    if (rc) {
        reply_db_error(r, rc);
        return IDEM_ANSWERED;
    }
    if (db_changes(r->db) == 1) {
        r->capture = true;
        return IDEM_CLAIMED;
    }
    answer_repeat(r, caller, key, hash);
    return IDEM_ANSWERED;
}

void idem_finish(struct req *r)
{
    const char *key = req_header(r, "Idempotency-Key");
    char caller[32];
    caller_of(r, caller, sizeof(caller));
    bool keep = r->replied && r->captured && r->status < 500 && r->status != 429;
    if (keep)
        db_exec(r->db,
                "UPDATE idempotency_keys SET status = ?, body = ? WHERE caller = ? AND key = ?",
                DB_ARGS(DB_INT(r->status), DB_TEXT(r->captured), DB_TEXT(caller), DB_TEXT(key)));
    else
        db_exec(r->db, "DELETE FROM idempotency_keys WHERE caller = ? AND key = ?",
                DB_ARGS(DB_TEXT(caller), DB_TEXT(key)));
}

int idem_prune(struct db *db)
{
    return db_exec(db, "DELETE FROM idempotency_keys WHERE created_at < ?",
                   DB_ARGS(DB_INT(clock_now() - KEEP_SECONDS)));
}
