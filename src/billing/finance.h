/*
 * finance.h - the finance export of the billing module (finance.c,
 * finance_api.c; docs/billing.md): account codes, receivables, vouchers.
 */
#ifndef HY_FINANCE_H
#define HY_FINANCE_H

#include "billing/billing.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* The account codes and VAT rate of the vouchers (finance_settings). */
struct finance_settings {
    char receivable[24], revenue[24], tax[24], word[16];
    int64_t vat_bp; /* 600 = 6 %; 0: no tax line */
    int64_t version;
};
int finance_settings_read(struct db *db, struct finance_settings *out);
json_t *finance_settings_json(const struct finance_settings *s);
/* Change the settings (receivable_account, revenue_account, tax_account:
 * 1-20 digits; vat_rate percent text 0-30; voucher_word 1-4 characters;
 * "version" required): checked, audited. */
int finance_settings_save(struct db *db, const struct actor *a, json_t *in, json_t *errors);
/* The VAT inside a total that includes it, half up to the fen. */
int64_t finance_tax_fen(int64_t total_fen, int64_t vat_bp);

/* What is exported: a period's statements (the latest version of each,
 * drafts left out) or the statements listed. */
#define FINANCE_MAX_IDS 500
struct finance_pick {
    char period[8];
    int64_t ids[FINANCE_MAX_IDS];
    int nids;
};

/* One statement as a receivable. */
struct finance_receivable {
    int64_t id, enterprise_id, department_id, version, total_fen, adjust_fen, paid_fen, waybills,
        created_at;
    char customer_no[40], customer[200], department[200], cost_centre[64], period[8], status[16],
        due_on[16];
};
/* Call fn for each chosen statement a sees (its enterprise's scope), in
 * period, customer code order; fn answering nonzero stops (that answer). */
int finance_each(struct db *db, const struct actor *a, const struct finance_pick *p,
                 int (*fn)(const struct finance_receivable *r, void *arg), void *arg);
/* The voucher date of a period: its last day. */
void finance_voucher_date(const char *period, char out[11]);

#endif
