/*
 * customer_ids.h - the one place customers' ID numbers are sealed and
 * opened (issue 13): every path that writes, reads, searches or checks an
 * ID number goes through here, with the process's data key
 * (base/datakey.h). The clear number lives only in memory; the row holds
 * the sealed value and two keyed indexes (whole number, last four).
 */
#ifndef HY_CUSTOMER_IDS_H
#define HY_CUSTOMER_IDS_H

#include "base/datakey.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* The stored columns of an ID number (a validated, normalised one). */
struct customer_id_cols {
    char *sealed; /* caller frees */
    char index[DATAKEY_INDEX_LEN + 1], last4[DATAKEY_INDEX_LEN + 1];
};
/* Seal id (NULL or "": no number, all three columns NULL: sealed NULL,
 * index and last4 ""). */
void customer_id_seal(const char *id, struct customer_id_cols *out);
/* The clear number of a stored sealed value (caller frees); NULL for none
 * or one the key cannot open. */
char *customer_id_open(const char *sealed);
/* The index of a whole ID number as typed (validated and normalised
 * first, 15 digits to 18) into out; false for a text that is no ID number. */
bool customer_id_lookup(const char *typed, char *out, size_t outlen);
/*
 * Search parameters are kept (export jobs, the audit log, saved segments):
 * there an ID number typed as the quick search q or as a value of an
 * id_number filter is replaced by a token, "sealed:" and the number
 * sealed, which the search and the filter take as the number itself.
 * In place; other values untouched.
 */
void customer_ids_protect(json_t *params);
/* The clear number of a token (caller frees); NULL when s is none. */
char *customer_id_untoken(const char *s);

/* The index of the last four characters of an ID number ("1863", "186X"). */
void customer_id_last4(const char *last4, char out[DATAKEY_INDEX_LEN + 1]);

/*
 * Start-up, after the migrations (serve, demo): check that the key is the
 * one the stored values are under (the first start records it), refuse an
 * unfinished rotation, and seal the ID numbers stored in clear by earlier
 * versions (batches of 500, each its own transaction; the history's old
 * values masked alike), then on SQLite rewrite the file (VACUUM) so the
 * freed pages keep no number. 0, or -1 with the reason in err.
 */
int customer_ids_prepare(struct db *db, char *err, size_t errlen);
/*
 * rotate-key: re-seal and re-index every stored ID number from key `from`
 * to key `to`, in batches of 500 (each its own transaction). Resumable: a
 * value already under `to` is skipped, and the database remembers the
 * rotation until it is complete. *done counts the values re-sealed.
 */
int customer_ids_rotate(struct db *db, const struct datakey *from, const struct datakey *to,
                        int64_t *done, char *err, size_t errlen);

#endif
