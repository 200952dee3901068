/*
 * otp.h - spending a one-time code sent by SMS: a staff member's password
 * reset code (reset_codes, by user) and a portal contact's sign-in code
 * (portal_codes, by mobile). Both keep the hash of the code, its tries and
 * when it was used; one check serves both so that the rules (newest live
 * code only, a fixed number of tries, spent once) cannot drift apart.
 */
#ifndef HY_OTP_H
#define HY_OTP_H

#include "db/db.h"

#include <stdint.h>

#define OTP_MAX_TRIES 5

enum otp_kind { OTP_RESET, OTP_PORTAL };

/* Inside the caller's transaction: compare hash (64 hex characters) with
 * the newest unused, unexpired code of owner (a user id for OTP_RESET, a
 * mobile for OTP_PORTAL). A wrong guess counts a try, and a code with
 * OTP_MAX_TRIES wrong tries matches nothing any more; a right one is marked
 * used. 1 matched (and spent), 0 not, negative DB_* error. */
int otp_spend(struct db *db, enum otp_kind kind, struct db_val owner, const char *hash);

#endif
