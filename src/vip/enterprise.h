/*
 * enterprise.h - VIP enterprises (大客户): the record, its contact matrix
 * and its departments, shared by the HTTP endpoints, the record layer's
 * export and the demo data.
 *
 * An enterprise travels as a JSON object with clear values (the record):
 * id, customer_no, name, name_pinyin, name_initials, short_name, uscc,
 * uscc_override_reason, industry, size, address, region, website, tier,
 * status, acquired_on, owner_id, owner_name, supervisor_id,
 * supervisor_name, credit_days, credit_limit (yuan text), billing_day,
 * settlement, order_channels, price_sensitivity, timeliness, value_added,
 * branch_id, branch_name, branch_path, custom, deleted, version,
 * created_at, updated_at.
 *
 * Who sees an enterprise (enterprise_visible_sql): admins every one,
 * supervisors and clerks those of their branch and below, account
 * managers (who may write but hold no team right) the ones they manage.
 */
#ifndef HY_ENTERPRISE_H
#define HY_ENTERPRISE_H

#include "auth/actor.h"
#include "db/sqlbuf.h"
#include "http/http.h"
#include "record/filter.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* The joins of an enterprise's names (branch, manager, supervisor). */
#define ENTERPRISE_JOINS                                                                           \
    " JOIN branches b ON b.id = e.branch_id LEFT JOIN users o ON o.id = e.owner_id "               \
    "LEFT JOIN users sv ON sv.id = e.supervisor_id"
#define ENTERPRISE_FROM "enterprises e" ENTERPRISE_JOINS

/* Append "(e within what u may see)" to b. */
void enterprise_visible_sql(const struct actor *u, struct sqlbuf *b);
/* The list's WHERE: visible to u, in or out of the recycle bin, the quick
 * search q (name fragment, pinyin or initials, USCC, customer number, a
 * contact's mobile: whole or last four for masked roles) and the filter
 * tree. -1 with err filled for a bad filter. */
int enterprise_where(struct db *db, const struct actor *u, const char *q, json_t *filter,
                     bool deleted, struct sqlbuf *w, struct filter_error *err);

/* The clear record of id when u may see it: 1 (and *out), 0 not, <0 error. */
int enterprise_find(struct db *db, const struct actor *u, int64_t id, bool deleted, json_t **out);
/* The record in the current row of a SELECT ENTERPRISE_COLUMNS query. */
json_t *enterprise_row(struct db_stmt *st, struct req *r);
/* What a user sees of rec: tags added, branch path left out. */
json_t *enterprise_present(struct db *db, json_t *rec);
/* The same, in place, for every record of a page (one query for the tags). */
void enterprise_present_page(struct db *db, json_t *items);

/*
 * Operations (core/op.h): own transaction, audit entry and domain event;
 * 0, negative DB_*, or OP_*. Field messages in errors (a's language).
 * A USCC with a wrong check character is refused with
 * errors["uscc_warning"] = true unless "uscc_override_reason" is given.
 * Changing the account manager is audited ("enterprise.reassign") and
 * rings both managers' bells.
 */
int enterprise_insert(struct db *db, const struct actor *a, json_t *in, int64_t *id,
                      json_t *errors);
int enterprise_update(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors);
int enterprise_delete(struct db *db, const struct actor *a, int64_t id);
int enterprise_restore(struct db *db, const struct actor *a, int64_t id);

/* The parts of an enterprise with rows of their own, contacts and
 * departments: create part *id (0; the new id into *id) or edit it, or
 * delete part id, of enterprise ent, each checked and audited in its own
 * transaction (core/op.h answers). */
struct enterprise_part;
extern const struct enterprise_part contact_part, department_part;
int enterprise_part_save(struct db *db, const struct actor *a, const struct enterprise_part *p,
                         int64_t ent, int64_t *id, json_t *in, json_t *errors);
int enterprise_part_delete(struct db *db, const struct actor *a, const struct enterprise_part *p,
                           int64_t ent, int64_t id, json_t *errors);

/* A new account manager owner_id for every enterprise w selects (a target
 * group on enterprises e read for a), in one transaction, all or none:
 * each checked as an edit of its owner_id (the manager works in its branch
 * line; else errors["owner_id"] naming the enterprise), more than
 * group_action_max() refused (errors["group"]). A changed one gets what
 * an edit gives (history, "enterprise.reassign", both managers' bells,
 * "enterprise.changed"); the whole is audited once as
 * "enterprise.bulk_reassign" with target (the group as given, borrowed).
 * out: count (the group), changed, dry_run; a dry run writes nothing
 * (enterprise_reassign.c). */
int enterprise_reassign_group(struct db *db, const struct actor *a, const struct sqlbuf *w,
                              json_t *target, int64_t owner_id, bool dry_run, json_t *out,
                              json_t *errors);

/* Contacts (contact.c). The first contact of an enterprise is its primary;
 * making another primary takes the flag from the one before; the primary
 * cannot be deleted while others remain. */
/* The contacts of enterprise ent (at most limit), mobile and phone masked. */
json_t *contact_list(struct db *db, int64_t ent, int64_t limit);
/* One contact, clear (reveal) or masked; NULL when none. */
json_t *contact_get(struct db *db, int64_t ent, int64_t id, bool clear);

/* Departments (department.c): a tree; no cycles, a cost-centre code once
 * per enterprise, a department with sub-departments or contacts stays. */
json_t *department_list(struct db *db, int64_t ent);

/* Business records and to-dos on enterprise ent (activity.c), through
 * crm's operations (interaction_insert_about, task_insert_about) when a
 * may change the enterprise (else OP_NOT_FOUND). A record's type is of
 * the activity_type dictionary (visit, call, meeting, email);
 * "contact_ids" names the enterprise's contacts who took part (another's:
 * OP_INVALID on contact_ids). A to-do without "assignee_id" goes to the
 * enterprise's account manager. */
int enterprise_record_insert(struct db *db, const struct actor *a, int64_t ent, json_t *in,
                             int64_t *id, int64_t *task_id, json_t *errors);
int enterprise_task_insert(struct db *db, const struct actor *a, int64_t ent, json_t *in,
                           int64_t *id, json_t *errors);

extern const struct route enterprises_routes[];
extern const struct route enterprise_activity_routes[];
extern const struct route enterprise_contacts_routes[];
extern const struct entity entity_enterprise;

#endif
