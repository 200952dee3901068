/*
 * reminder.h - reminder rules (提醒规则) and the daily pass that turns them
 * into tasks: birthday greetings N days before (Gregorian or lunar),
 * offsets from a date field (agreement end − 30 days, product maturity − 7
 * days), periodic visits by an RFC 5545 rule. Also the personal calendar
 * feed (.ics) of a user's open tasks.
 *
 * The pass is idempotent: each task carries a unique source_ref
 * rule:<rule>:<customer>:<date>, and each (rule, day) is claimed in
 * job_runs, so restarts, repeated passes and a second process never double
 * a reminder. Days missed while the server was down (up to 31) are caught
 * up on the next pass. Customers added or changed after today's pass get
 * today's reminders on the next pass (the unique source_ref keeps it to
 * one task): the pass runs the pending domain events first, and a
 * consumer of customer events makes today's reminders of customers added
 * or changed after the day's pass.
 */
#ifndef HY_REMINDER_H
#define HY_REMINDER_H

#include "core/events.h"
#include "http/http.h"

struct db;

/* Run every enabled rule for every day not yet run, up to today. Answers
 * the number of tasks created, or a negative DB_* error. */
int reminders_run(struct db *db);
/* Keep birthday_lunar_md of a customer in step with its birthday. */
int reminders_update_lunar_md(struct db *db, int64_t customer_id);

/* Consumers of customer events (crm_module's handlers; see core/events.h),
 * for "customer.created", "customer.changed", "customer.restored" and
 * "customer.imported" (a batch: payload {"ids": [...]}); other kinds are
 * ignored. Idempotent.
 * lunar: keep birthday_lunar_md of the customers in step (list it first:
 * the next one's birthday rules read it). changed: the customers added or
 * changed after a rule's pass of today get that day's reminders. */
int reminders_on_customer_lunar(struct db *db, const struct domain_event *ev);
int reminders_on_customer_changed(struct db *db, const struct domain_event *ev);

extern const struct route reminders_routes[];

#endif
