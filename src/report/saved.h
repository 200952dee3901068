/*
 * saved.h - saved reports and custom dashboards of the report builder
 * (migration 0041). Each is its owner's, and visible besides to admins
 * and to those it is shared with: a role, or a branch (everyone working
 * in it or below it). Only the owner and admins change or delete one.
 * A saved report may be mailed weekly or monthly to staff e-mails
 * (saved_mail_due, the module's periodic work).
 *
 * Functions answer OP_* (core/op.h) or a negative DB_*; OP_INVALID with
 * field messages in errors (the actor's language).
 */
#ifndef HY_REPORT_SAVED_H
#define HY_REPORT_SAVED_H

#include "auth/actor.h"

#include <jansson.h>
#include <stdint.h>

struct db;

enum saved_kind { SAVED_REPORT, SAVED_DASHBOARD };

/* The kind's items u sees: {items: [{id, name, owner_id, owner_name, mine,
 * updated_at, …}]}, for reports with source, chart and schedule. */
int saved_list(struct db *db, const struct actor *u, enum saved_kind k, json_t **out);
/* One item with everything (definition or layout, shares, schedule,
 * recipients, version, mine). OP_NOT_FOUND when u does not see it. */
int saved_get(struct db *db, const struct actor *u, enum saved_kind k, int64_t id, json_t **out);
/* Create (id 0) or change an item from in; *id_out its id. A change needs
 * in.version and is refused OP_STALE for another; OP_CONFLICT when u sees
 * it but is neither its owner nor an admin. */
int saved_put(struct db *db, const struct actor *u, enum saved_kind k, int64_t id, json_t *in,
              json_t *errors, int64_t *id_out);
int saved_delete(struct db *db, const struct actor *u, enum saved_kind k, int64_t id);

/* Mail the scheduled reports whose period began since they were last
 * mailed: each once per week (from Monday) or month, across servers
 * (scheduler_claim), run as its owner sees it. */
int saved_mail_due(struct db *db);
/* The text body of a report's mail: its name, and its result as a table
 * (the outbox sends text without attachments). */
char *saved_mail_body(const char *name, json_t *result);

#endif
