/*
 * privacy.h - a person's access report (PIPL art. 45): everything stored
 * about one customer, and what the audit log recorded of who saw,
 * revealed, changed or exported it; as JSON or as a PDF
 * (docs/privacy.md says what is and is not recorded).
 */
#ifndef HY_PRIVACY_H
#define HY_PRIVACY_H

#include "auth/actor.h"
#include "http/http.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* The report of customer id as a sees it (scope; the recycle bin too), in
 * a's language where it has words. Writes the audit entry
 * "customer.access_report" ({"format"}) first, so the report lists itself.
 * 0 with *out, OP_NOT_FOUND, or negative DB_*. */
int privacy_report(struct db *db, const struct actor *a, int64_t id, const char *format,
                   json_t **out);
/* The report as a PDF in lang (malloc'd into *data, *len). 0 or -1. */
int privacy_report_pdf(json_t *report, const char *lang, char **data, size_t *len);

extern const struct route privacy_routes[];

#endif
