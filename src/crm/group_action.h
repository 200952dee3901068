/*
 * group_action.h - from a target group (customer_group_where) to action:
 * follow-up tasks for every customer (bulk_task.c), SMS / e-mail campaigns
 * through the outbox (campaign.c), and the handover of a staff member's
 * customers and open tasks to another (handover.c). The HTTP side is
 * group_api.c.
 *
 * Each operation takes the group's conditions on customers c (built for
 * the same actor), runs in its own transaction with its audit entry, and
 * answers 0, a negative DB_* or an enum op_result with field messages in
 * a's language in errors. A preview / dry run answers the same figures and
 * changes nothing.
 */
#ifndef HY_GROUP_ACTION_H
#define HY_GROUP_ACTION_H

#include "auth/actor.h"
#include "db/sqlbuf.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* More customers than this in one action is refused (group.too_large):
 * the action runs inline, in one transaction. */
int64_t group_action_max(void);

/* Hand from_user's customers of the group (and, with open_tasks, their
 * open tasks assigned to from_user) over to to_user, who must be active
 * and work in every such customer's branch line (else errors["to_user"],
 * the message of a wrong account manager). Figures into out: customers,
 * open_tasks, reminders (open tasks a reminder rule made). Audit
 * "customer.handover" (target: the group as given, borrowed), a history
 * entry and "customer.changed" for each customer. */
struct handover {
    const struct sqlbuf *group;
    json_t *target;
    int64_t from_user, to_user;
    bool open_tasks, dry_run;
};
int customer_handover(struct db *db, const struct actor *a, const struct handover *h, json_t *out,
                      json_t *errors);

/* Follow-up tasks, one per customer of the group: "title" (required),
 * "note", "priority", "assignee": "owner" (each customer's manager; a
 * customer without one: the caller) or "user" with "assignee_id" (active,
 * in every customer's branch line), due over "days" (1-30) working days
 * from "start" (YYYY-MM-DD, default tomorrow), round robin, from 09:00
 * +08:00 an hour apart; "preview": figures only; "client_token": a second
 * submit with the same token makes nothing ({"repeated": true}). out:
 * count, by_assignee [{assignee_id, name, count}], created. Audit
 * "task.bulk_create". */
int bulk_tasks(struct db *db, const struct actor *a, const struct sqlbuf *group, json_t *in,
               json_t *out, json_t *errors);
/* The same for the records of another kind with a manager (owner_id),
 * a branch (branch_id, branch_path) and a task column: group is on
 * "<table> <alias>"; the tasks name the record as their customer or, with
 * enterprise, their enterprise (the vip module's enterprises, whose group
 * it reads as record/group.h does). */
struct bulk_task_on {
    const char *table, *alias;
    bool enterprise;
};
int bulk_tasks_on(struct db *db, const struct actor *a, const struct bulk_task_on *on,
                  const struct sqlbuf *group, json_t *in, json_t *out, json_t *errors);

/* A campaign: "channel" sms / email, "subject" (e-mail), "body" with
 * variables {姓名} {称呼} {客户经理} {网点} {客户编号}, "client_token". Only
 * customers with marketing_consent granted, not opted out of the channel
 * and with an address for it receive it, the rest are counted as excluded.
 * out: matched, recipients, excluded {consent, opt_out, no_contact},
 * sample {to, subject, body} (the first recipient's rendering, address
 * masked), and on sending the campaign's id. Audit "campaign.send". */
int campaign_send(struct db *db, const struct actor *a, const struct sqlbuf *group, json_t *target,
                  json_t *in, bool preview, json_t *out, json_t *errors);
/* The text of a template for one customer (rec: name, gender, owner_name,
 * branch_name, customer_no): unknown variables stay as they are written.
 * Caller frees. */
char *campaign_render(const char *tmpl, json_t *rec, const char *lang);

extern const struct route group_routes[];

#endif
