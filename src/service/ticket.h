/*
 * ticket.h - service tickets (服务工单): logging a ticket from any channel,
 * routing it (a VIP enterprise's to its dedicated manager, others to their
 * branch's queue), its status, replies and internal notes, its timeline,
 * and its SLA clocks with the escalation ladder.
 *
 * Every operation takes the store and an actor, runs in its own
 * transaction with its audit entry, timeline entry and domain event
 * (ticket.created, ticket.assigned, ticket.responded,
 * ticket.status_changed, ticket.escalated), and answers 0, a negative
 * DB_* or an enum op_result (core/op.h) with field messages in errors.
 * The later channels (portal, e-mail) and the survey call the same
 * functions.
 */
#ifndef HY_TICKET_H
#define HY_TICKET_H

#include "auth/actor.h"
#include "db/sqlbuf.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct domain_event;

/* What a channel knows of a new ticket. Either enterprise_id (with
 * contact_id, or contact_mobile matched among its contacts) or
 * customer_id. */
struct ticket_new {
    const char *channel;  /* phone, counter, portal, email, api */
    const char *type;     /* a value of the ticket_type dictionary */
    const char *priority; /* NULL: normal */
    const char *subject, *description;
    int64_t enterprise_id, contact_id, customer_id;
    const char *contact_mobile;   /* API and portal: the contact by mobile */
    json_t *waybills;             /* array of waybill numbers, or NULL (borrowed) */
    const char *email_thread_ref; /* the e-mail channel's Message-ID, or NULL */
};

/* Log a ticket: checks (the type, the customer or enterprise the actor
 * sees, the contact of that enterprise, waybills of that enterprise), the
 * number, the SLA due times of its policy, and the routing: assigned to
 * the enterprise's dedicated manager at once (notified), else left in the
 * branch's queue. *id set. */
int ticket_create(struct db *db, const struct actor *a, const struct ticket_new *in, int64_t *id,
                  json_t *errors);

/* ticket_create inside the caller's transaction (the e-mail channel makes
 * the ticket in the transaction that marks the message). */
int ticket_create_in(struct db *db, const struct actor *a, const struct ticket_new *in, int64_t *id,
                     json_t *errors);

/* The customer's answer on ticket id (from the portal or by mail), in the
 * caller's transaction: a "customer_reply" timeline entry (detail stolen),
 * waiting_customer back to in_progress, resolved reopened, the assignee
 * told ("ticket.replied", dedupe_key as ticket_notify), the event
 * ticket.replied. */
int ticket_customer_reply(struct db *db, const struct actor *a, int64_t id, const char *body,
                          json_t *detail, const char *dedupe);

/* ---- the e-mail channel (ticket_mail.c) ---- */

/* A staff reply on ticket id goes to the customer by e-mail when the
 * ticket came by e-mail (caller's transaction): through mailin_reply with
 * the ticket number in the subject. 0 when there is nobody to write to. */
int ticket_mail_reply(struct db *db, int64_t id, const char *body);
/* The mail.received consumer. */
int ticket_mail_received(struct db *db, const struct domain_event *ev);
/* The type a ticket attachment named name with the bytes at path has
 * (its extension agreeing with its first bytes), or NULL when refused. */
const char *ticket_attachment_kind(const char *name, const char *path);

/* Move ticket id to status (a manual change: in_progress,
 * waiting_customer, resolved, closed, reopened), with an optional note.
 * OP_CONFLICT with errors["message"] naming both statuses when the change
 * is not allowed from the ticket's status. */
int ticket_set_status(struct db *db, const struct actor *a, int64_t id, const char *status,
                      const char *note, json_t *errors);

/* A reply to the customer (internal false: the first one by staff is the
 * first response) or an internal note. */
int ticket_reply(struct db *db, const struct actor *a, int64_t id, const char *body, bool internal,
                 json_t *errors);

/* Give ticket id to user assignee (reassignment: the current assignee or
 * a supervisor; the new one is notified), or claim it from the queue
 * (claim true: assignee is a itself). */
int ticket_assign(struct db *db, const struct actor *a, int64_t id, int64_t assignee, bool claim,
                  json_t *errors);
/* ticket_assign (not a claim) in the caller's open transaction (a rule's
 * action): refusals (OP_CONFLICT, OP_INVALID) come before any write. */
int ticket_assign_in_tx(struct db *db, const struct actor *a, int64_t id, int64_t assignee,
                        json_t *errors);

/* Add a timeline entry in the caller's transaction. detail stolen (NULL:
 * none). */
int ticket_entry(struct db *db, const struct actor *a, int64_t id, const char *kind,
                 const char *body, json_t *detail);

/* Every notification of the tickets goes through here: notify_user, so the
 * bell and the channels the user chose (until they choose, SMS: see
 * notify_kind_defaults). dedupe_key makes a repeat a no-op per channel. */
int ticket_notify(struct db *db, int64_t user_id, const char *kind, const char *title,
                  const char *text, const char *link, const char *dedupe_key);

/* "(tickets t within a's sight)": the branch scope, or assigned to a, or
 * for an API key its enterprise's only. */
void ticket_visible_sql(const struct actor *a, struct sqlbuf *b);
/* 1 when a sees ticket id (its status into status), 0 not, negative
 * DB_*. */
int ticket_find(struct db *db, const struct actor *a, int64_t id, char *status, size_t status_len);

/* Tell user about ticket id (ticket_notify with the ticket's number,
 * subject and link; the title starts with the message what_key in the
 * user's language). */
int ticket_tell(struct db *db, int64_t id, int64_t user, const char *kind, const char *what_key,
                const char *dedupe);

/* ---- SLA (ticket_sla.c) ---- */

/* The policy of tier x priority: its targets in minutes and calendar. */
int ticket_sla_policy(struct db *db, const char *tier, const char *priority, int64_t *fr,
                      int64_t *res, char calendar[16]);
/* The instant `secs` seconds of the calendar ("business" or "24x7") after
 * start. */
int ticket_sla_due(struct db *db, const char *calendar, int64_t start, int64_t secs, int64_t *due);
/* Working seconds between a and b on calendar. */
int ticket_sla_between(struct db *db, const char *calendar, int64_t a, int64_t b, int64_t *secs);
/* Recompute tickets.next_due_at of ticket id from its due times and the
 * escalation rows it has (caller's transaction). */
int ticket_sla_rearm(struct db *db, int64_t id);
/* The scheduler's sweep: escalate the tickets whose next due instant has
 * passed (an index range, never a scan). Answers how many escalations
 * were made, or a negative DB_*. */
int ticket_sla_sweep(struct db *db);
/* The round-robin pass: queue tickets left unclaimed for
 * HONGYAN_TICKET_QUEUE_SECONDS go in turn to staff on duty of their branch. */
int ticket_round_robin(struct db *db);

/* Store r's uploaded body (ROUTE_UPLOAD, ?name=) as an attachment of
 * ticket id, which the caller found in its actor's sight: name, size (10
 * MiB) and type (by the first bytes, matching the extension) checked.
 * False having replied the error. */
bool ticket_attach_upload(struct req *r, int64_t id);

extern const struct route tickets_routes[];
extern const struct route ticket_admin_routes[];
extern const struct route ticket_kpi_routes[];

#endif
