/*
 * password_policy.h - the rules a staff password must meet, and the
 * generator for initial passwords handed out by an administrator.
 *
 * The policy returns a small negative code, never UI text; the web UI and
 * the API translate the stable key from password_policy_key().
 */
#ifndef HY_PASSWORD_POLICY_H
#define HY_PASSWORD_POLICY_H

/* Limits, in UTF-8 code points (min) and bytes (max). */
#define PASSWORD_POLICY_MIN_CHARS 10
#define PASSWORD_POLICY_MAX_BYTES 128

enum password_policy_error {
    PASSWORD_POLICY_OK = 0,
    PASSWORD_POLICY_TOO_SHORT = -1,                /* "too_short" */
    PASSWORD_POLICY_TOO_LONG = -2,                 /* "too_long" */
    PASSWORD_POLICY_NEEDS_LETTERS_AND_DIGITS = -3, /* "needs_letters_and_digits" */
    PASSWORD_POLICY_CONTAINS_LOGIN = -4,           /* "contains_login" */
    PASSWORD_POLICY_COMMON = -5,                   /* "common" */
    PASSWORD_POLICY_SAME_AS_OLD = -6,              /* "same_as_old" */
    PASSWORD_POLICY_INVALID_ENCODING = -7,         /* "invalid_encoding" */
};

/*
 * Check a new password. Returns 0 when acceptable, else the first failing
 * rule, tested in this order:
 *
 *   too_long                  more than PASSWORD_POLICY_MAX_BYTES bytes (checked
 *                             first, so a huge body is never scanned whole)
 *   invalid_encoding          not well-formed UTF-8 (the same password typed
 *                             on two clients must hash to the same bytes)
 *   too_short                 fewer than PASSWORD_POLICY_MIN_CHARS code points
 *                             (a Chinese character counts as one); NULL too
 *   needs_letters_and_digits  no ASCII letter, or no ASCII digit
 *   contains_login            contains login, ignoring ASCII case; logins
 *                             shorter than 3 bytes are not checked, or a
 *                             login such as "li" would forbid half of all
 *                             passwords
 *   same_as_old               equal (byte for byte) to old_password_or_null
 *   common                    equal, ignoring ASCII case, to an entry of the
 *                             embedded list data/common-passwords.txt
 *
 * login may be NULL (no login check). Thread-safe.
 */
int password_policy_check(const char *login, const char *password,
                          const char *old_password_or_null);

/*
 * Stable English key for a code returned by password_policy_check():
 * "ok", "too_short", "needs_letters_and_digits", "contains_login", "common",
 * "same_as_old", "too_long", "invalid_encoding"; "unknown" otherwise.
 * Never returns NULL.
 */
const char *password_policy_key(int code);

/*
 * A fresh 12-character initial password of ASCII letters and digits that
 * passes password_policy_check() (for any login of 3+ bytes, with
 * overwhelming probability). Characters that are easy to confuse on paper
 * (0 O o 1 l I i) are left out. Uses libsodium's CSPRNG and calls
 * sodium_init() itself; aborts if libsodium cannot initialise. The caller
 * frees the string (ideally after sodium_memzero). Never returns NULL.
 */
char *password_generate(void);

#endif
