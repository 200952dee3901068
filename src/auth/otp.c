/*
 * otp.c - see otp.h.
 */
#include "auth/otp.h"

#include "base/clock.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The statements of each kind: fixed text, the owner bound. */
static const struct {
    const char *find, *tried, *used;
} sql[] = {
    [OTP_RESET] = {"SELECT id, code_hash, attempts FROM reset_codes WHERE user_id = ? AND "
                   "used_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1",
                   "UPDATE reset_codes SET attempts = attempts + 1 WHERE id = ?",
                   "UPDATE reset_codes SET used_at = ? WHERE id = ?"},
    [OTP_PORTAL] = {"SELECT id, code_hash, attempts FROM portal_codes WHERE mobile = ? AND "
                    "used_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1",
                    "UPDATE portal_codes SET attempts = attempts + 1 WHERE id = ?",
                    "UPDATE portal_codes SET used_at = ? WHERE id = ?"},
};

int otp_spend(struct db *db, enum otp_kind kind, struct db_val owner, const char *hash)
{
    int64_t now = clock_now();
    struct db_stmt *st;
    int found = db_query_row(db, &st, sql[kind].find, DB_ARGS(owner, DB_INT(now)));
    if (found <= 0)
        return found;
    int64_t id = db_col_int(st, 0), attempts = db_col_int(st, 2);
    char stored[65];
    snprintf(stored, sizeof(stored), "%s", db_col_text(st, 1));
    db_finish(st);
    bool matched = attempts < OTP_MAX_TRIES && strlen(stored) == 64 && strlen(hash) == 64 &&
                   sodium_memcmp(stored, hash, 64) == 0;
    if (!matched) {
        int rc = db_exec(db, sql[kind].tried, DB_ARGS(DB_INT(id)));
        return rc < 0 ? rc : 0;
    }
    int rc = db_exec(db, sql[kind].used, DB_ARGS(DB_INT(now), DB_INT(id)));
    return rc < 0 ? rc : 1;
}
