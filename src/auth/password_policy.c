/*
 * password_policy.c - password rules and initial-password generation (see
 * password_policy.h). The common-password list is compiled in from
 * data/common-passwords.txt by scripts/gen-embed.sh (build/gen/
 * common_passwords.c), so a deployment cannot lose or shadow it.
 */
#include "auth/password_policy.h"

#include "base/i18n.h"
#include "base/utf8.h"
#include "base/xmalloc.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *const common_passwords[];
extern const size_t common_passwords_count;

/* Lower-cased, sorted copy of the embedded list, built once for bsearch. */
static char **common_sorted;
static size_t common_sorted_count;
static pthread_once_t common_once = PTHREAD_ONCE_INIT;

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = ascii_lower(src[i]);
    dst[n] = '\0';
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void common_init(void)
{
    common_sorted = xcalloc(common_passwords_count, sizeof(*common_sorted));
    for (size_t i = 0; i < common_passwords_count; i++) {
        size_t n = strlen(common_passwords[i]);
        common_sorted[i] = xmalloc(n + 1);
        lower_copy(common_sorted[i], common_passwords[i], n);
    }
    common_sorted_count = common_passwords_count;
    qsort(common_sorted, common_sorted_count, sizeof(*common_sorted), cmp_strp);
}

/* lowered: the candidate, already lower-cased. */
static bool is_common(const char *lowered)
{
    pthread_once(&common_once, common_init);
    return bsearch(&lowered, common_sorted, common_sorted_count, sizeof(*common_sorted),
                   cmp_strp) != NULL;
}

int password_policy_check(const char *login, const char *password, const char *old_password_or_null)
{
    if (!password)
        return PASSWORD_POLICY_TOO_SHORT;
    /* Bound the scan: a multi-megabyte body must not be walked to the end. */
    size_t n = strnlen(password, PASSWORD_POLICY_MAX_BYTES + 1);
    if (n > PASSWORD_POLICY_MAX_BYTES)
        return PASSWORD_POLICY_TOO_LONG;
    long chars = utf8_count(password, n);
    if (chars < 0)
        return PASSWORD_POLICY_INVALID_ENCODING;
    if (chars < PASSWORD_POLICY_MIN_CHARS)
        return PASSWORD_POLICY_TOO_SHORT;

    bool letter = false, digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = password[i];
        letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        digit = digit || (c >= '0' && c <= '9');
    }
    if (!letter || !digit)
        return PASSWORD_POLICY_NEEDS_LETTERS_AND_DIGITS;

    int result = 0;
    char lowered[PASSWORD_POLICY_MAX_BYTES + 1];
    lower_copy(lowered, password, n);

    /* A login longer than the password cannot be inside it. */
    size_t login_len = login ? strnlen(login, n + 1) : 0;
    if (login_len >= 3 && login_len <= n) {
        char lowered_login[PASSWORD_POLICY_MAX_BYTES + 1];
        lower_copy(lowered_login, login, login_len);
        if (memmem(lowered, n, lowered_login, login_len)) {
            result = PASSWORD_POLICY_CONTAINS_LOGIN;
            goto out;
        }
    }
    if (old_password_or_null && strcmp(password, old_password_or_null) == 0) {
        result = PASSWORD_POLICY_SAME_AS_OLD;
        goto out;
    }
    if (is_common(lowered))
        result = PASSWORD_POLICY_COMMON;
out:
    /* Don't leave a copy of the password on the stack. */
    sodium_memzero(lowered, sizeof(lowered));
    return result;
}

const char *password_policy_key(int code)
{
    /* In the order of the codes: 0, -1, -2, ... */
    static const char *const keys[] = {
        "ok",     "too_short",   "too_long",        "needs_letters_and_digits", "contains_login",
        "common", "same_as_old", "invalid_encoding"};
    _Static_assert(sizeof(keys) / sizeof(keys[0]) == 1 - PASSWORD_POLICY_INVALID_ENCODING,
                   "a key for every code");
    return i18n_code_key(code, keys, sizeof(keys) / sizeof(keys[0]));
}

char *password_generate(void)
{
    /* No 0 O o 1 l I i: initial passwords are read off paper or a screen. */
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz"
                                   "ABCDEFGHJKLMNPQRSTUVWXYZ"
                                   "23456789";
    const uint32_t size = (uint32_t)(sizeof(alphabet) - 1);
    char *pw = xmalloc(13);

    if (sodium_init() < 0) {
        fprintf(stderr, "hongyan: libsodium failed to initialise\n");
        abort();
    }
    /*
     * Rejection sampling: redraw until the policy is met (about 1 in 8
     * draws lacks a digit). Keeps the result uniform over acceptable
     * passwords instead of forcing a digit into a fixed position.
     */
    do {
        for (size_t i = 0; i < 12; i++)
            pw[i] = alphabet[randombytes_uniform(size)];
        pw[12] = '\0';
    } while (password_policy_check(NULL, pw, NULL) != 0);
    return pw;
}
