/*
 * validate.h - validation and normalisation of identifiers that have a
 * published format: resident ID numbers (GB 11643-1999), mobile numbers,
 * Unified Social Credit Codes (GB 32100-2015), UPU S10 and domestic tracking
 * numbers, e-mail addresses and calendar dates; plus the masking helpers used
 * when such identifiers are shown in lists and exports.
 *
 * Every validator returns 0 or one negative enum validate_error. No UI text
 * lives here: callers turn the code into a message through the stable key
 * from validate_error_key() (e.g. "id_number.checksum"), which the web UI
 * and the API translate. All functions are pure and thread-safe; none
 * allocates except the mask helpers.
 *
 * Surrounding ASCII whitespace is trimmed by every validator, because values
 * pasted from spreadsheets routinely carry it; whitespace inside a value is
 * an error except where a function says otherwise.
 */
#ifndef HY_VALIDATE_H
#define HY_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

enum validate_error {
    VALIDATE_OK = 0,

    VALIDATE_ID_EMPTY = -1,
    VALIDATE_ID_LENGTH = -2,           /* neither 18 nor 15 characters */
    VALIDATE_ID_FORMAT = -3,           /* non-digit where a digit belongs */
    VALIDATE_ID_REGION = -4,           /* first two digits: no such province */
    VALIDATE_ID_BIRTHDATE = -5,        /* not a calendar date */
    VALIDATE_ID_BIRTHDATE_FUTURE = -6, /* after "today" */
    VALIDATE_ID_BIRTHDATE_RANGE = -7,  /* on or before 1900-01-01 */
    VALIDATE_ID_CHECKSUM = -8,

    VALIDATE_MOBILE_EMPTY = -20,
    VALIDATE_MOBILE_FORMAT = -21,

    VALIDATE_USCC_EMPTY = -30,
    VALIDATE_USCC_LENGTH = -31,
    VALIDATE_USCC_CHARSET = -32, /* a character outside the GB 32100 set */
    VALIDATE_USCC_REGION = -33,  /* positions 3-8 must be digits */
    VALIDATE_USCC_CHECKSUM = -34,

    VALIDATE_TRACKING_EMPTY = -40,
    VALIDATE_TRACKING_FORMAT = -41,
    VALIDATE_TRACKING_CHECKSUM = -42,

    VALIDATE_EMAIL_EMPTY = -50,
    VALIDATE_EMAIL_TOO_LONG = -51,
    VALIDATE_EMAIL_FORMAT = -52,

    VALIDATE_DATE_FORMAT = -60,  /* not "YYYY-MM-DD" */
    VALIDATE_DATE_INVALID = -61, /* right shape, no such day */
};

/*
 * Stable English key for an error code, e.g. "id_number.checksum",
 * "mobile.format", "uscc.checksum", "tracking_no.checksum", "email.format",
 * "date.invalid"; "ok" for 0 and "unknown" for a code not listed above.
 * Keys never change once released: translations are keyed on them.
 * Never returns NULL.
 */
const char *validate_error_key(int code);

/* ASCII letters and digits, the base of validate_chars() sets. */
#define VALIDATE_LOWER  "abcdefghijklmnopqrstuvwxyz"
#define VALIDATE_DIGITS "0123456789"
#define VALIDATE_ALNUM  "ABCDEFGHIJKLMNOPQRSTUVWXYZ" VALIDATE_LOWER VALIDATE_DIGITS

/* True when s is min..max bytes long and every byte is one of set: the
 * shape of identifiers (logins, branch codes, field keys, colours). */
bool validate_chars(const char *s, size_t min, size_t max, const char *set);

/* A calendar day; months and days count from 1. */
struct validate_ymd {
    int year;
    int month;
    int day;
};

/* Today's business day: clock_now() (the movable test clock) at +08:00,
 * whatever the host's time zone. */
void validate_today(struct validate_ymd *out);

/* True when y-m-d is a day of the proleptic Gregorian calendar, years 1-9999. */
bool validate_is_real_date(int year, int month, int day);

/* Result of validate_id_number(). */
struct validate_id_info {
    char id[19];        /* normalised 18-character form, upper-case X */
    char birthday[11];  /* "YYYY-MM-DD" */
    const char *gender; /* "male" or "female" (static string) */
};

/*
 * Validate a resident ID number (GB 11643-1999).
 *
 * Accepts the 18-character form (17 digits + MOD 11-2 check character, 'x'
 * accepted as 'X') and the legacy 15-digit form (YYMMDD birth date read as
 * 19YY), which is upgraded to 18 characters with a computed check character.
 * The first two digits must be a province-level code; the birth date must be
 * a real date after 1900-01-01 and not after *today (a parameter so tests
 * and batch re-validation are deterministic).
 *
 * On success returns 0 and, when out is not NULL, fills *out. On failure
 * returns a VALIDATE_ID_* code and leaves *out untouched.
 */
int validate_id_number(const char *in, const struct validate_ymd *today,
                       struct validate_id_info *out);

/*
 * Validate a mainland mobile number: 11 digits starting with 1. Carrier
 * prefixes are deliberately not checked (new ranges appear every year).
 *
 * Tolerated and stripped: spaces and hyphens anywhere, and one leading
 * country code "+86", "0086" or "86" (the bare "86" form is unambiguous:
 * 13 digits beginning "861" cannot be a domestic number). Nothing else.
 * "+86 138-1234-1234" normalises to "13812341234".
 *
 * On success returns 0 and, when out is not NULL, writes the 11 digits and a
 * NUL into out[12].
 */
int validate_mobile(const char *in, char out[12]);

/*
 * Validate a Unified Social Credit Code (GB 32100-2015): 18 characters from
 * "0123456789ABCDEFGHJKLMNPQRTUWXY", positions 3-8 digits (administrative
 * division), the 18th a weighted MOD 31 check character. Lower case is
 * accepted and upper-cased. On success writes the code into out[19] when out
 * is not NULL.
 */
int validate_uscc(const char *in, char out[19]);

enum validate_tracking_kind {
    VALIDATE_TRACKING_S10 = 1,      /* UPU S10: EA123456785CN */
    VALIDATE_TRACKING_DOMESTIC = 2, /* 13 digits, no published check */
};

/*
 * Validate a tracking number: either UPU S10 (2 letters, 8 serial digits, a
 * MOD 11 check digit, 2-letter country code) or a 13-digit domestic number
 * (accepted without a check). Letters are upper-cased; spaces inside are
 * stripped because printed labels group the digits ("EA 123 456 785 CN").
 *
 * On success returns 0, writes the normalised number into out[14] and the
 * kind into *kind (each when not NULL).
 */
int validate_tracking_no(const char *in, char out[14], enum validate_tracking_kind *kind);

/*
 * Pragmatic e-mail check, not RFC 5322: at most 254 bytes, exactly one '@',
 * a non-empty local part of at most 64 bytes, a domain of dot-separated
 * non-empty labels with at least one dot, no whitespace or control
 * characters, and none of the characters that would let one address smuggle
 * a second recipient or a header into a mail ("<>()[],;:\" and the
 * backslash). Non-ASCII bytes are allowed (internationalised addresses).
 */
int validate_email(const char *in);

/*
 * Validate a "YYYY-MM-DD" date (exactly that shape, a real day, year >= 1).
 * On success fills *out when not NULL.
 */
int validate_date(const char *in, struct validate_ymd *out);

/*
 * Masked copy of a resident ID number for lists and exports: an 18- or
 * 15-character ID keeps its last 4 characters only
 * ("110105194912310021" -> "**************0021"): the first 6 are the
 * place of birth and the next 8 the birth date, which together with a
 * shown birthday would give the whole number back (issue 13). Anything else is masked
 * completely, one '*' per character, so a malformed value never leaks.
 * NULL gives "". Returns a string the caller frees; never NULL.
 */
char *id_mask(const char *id);

/*
 * A birthday without its year for users who see ID numbers masked:
 * "1991-06-18" -> "06-18" (month and day, enough for greetings). A value
 * already in that form stays; anything else is masked completely. NULL
 * gives "". Returns a string the caller frees; never NULL.
 */
char *date_mask_year(const char *date);

/* Money in fen (1/100 yuan) as yuan text with two decimals: 1234 → "12.34",
 * -50 → "-0.50". out holds at least 32 bytes. */
void money_format(long long fen, char *out, size_t outlen);

/*
 * Masked copy of a phone number: a valid mobile number (in any form
 * validate_mobile() accepts) becomes "138****1234"; another value of at
 * least 8 characters keeps its first 3 and last 4; a shorter one is masked
 * completely. NULL gives "". Returns a string the caller frees; never NULL.
 */
char *phone_mask(const char *phone);
/* Masked copy of an e-mail address: "wang@example.com" → "w***@example.com"
 * (no '@' or nothing before it: "***"). The caller frees; never NULL. */
char *email_mask(const char *email);
/* Masked copy of a person's name: its first character and "*" ("王小五" →
 * "王*"; one character stays as it is). NULL gives "". The caller frees. */
char *name_mask(const char *name);
/* Masked copy of an address: its first 6 characters and "****" (one of 6
 * characters or fewer stays). NULL gives "". The caller frees. */
char *address_mask(const char *address);

#endif
