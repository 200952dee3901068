/*
 * interaction_int.h - what the business-record files share and nobody else
 * needs: a record as read from its form, and the checks that look at other
 * records (interaction_checks.c): refunds against the record they pay
 * back, tracking numbers recorded before.
 */
#ifndef HY_INTERACTION_INT_H
#define HY_INTERACTION_INT_H

#include "auth/actor.h"
#include "http/form.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* A business record as read from its form. A refund's fen is negative
 * (the form gives the sum paid back, positive). */
struct interaction_form {
    const char *desc, *dest, *channel, *fu_title;
    char type[33];
    char tracking[16];
    int64_t at, fen, fu_due, refund_of;
    bool has_amount, refund;
};

/* Check a refund against the record it pays back (in the caller's
 * transaction, so two refunds at once cannot both pass): that record must
 * be customer cid's, not deleted, a business record with a positive
 * amount; what it has been refunded plus this refund may not exceed it; the
 * refund's type, when given, is its type. Fills v's type (and tracking
 * number, when none was given) from it. Field messages, in a's language,
 * into errors: 0 or OP_INVALID, or a negative DB_*. */
int interaction_refund_check(struct db *db, const struct actor *a, int64_t cid,
                             struct interaction_form *v, json_t *errors);

/* OP_DUPLICATE with the records already carrying v's tracking number in
 * errors["duplicates"] (and errors["message_key"]), unless in says
 * "confirm_duplicate": true. A record in a's scope names its customer (the
 * phone masked); one outside says only when and that it is another
 * branch's. 0 when there is none, or a negative DB_*. */
int interaction_tracking_check(struct db *db, const struct actor *a, json_t *in,
                               const struct interaction_form *v, json_t *errors);

#endif
