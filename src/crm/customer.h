/*
 * customer.h - individual customers (个人客户): the record, its validation
 * and storage, shared by the HTTP endpoints, import and export.
 *
 * A record travels as a JSON object with clear values (the "record"):
 * id, customer_no, name, gender, phone, id_number, birthday,
 * birthday_lunar, address, region, occupation, interests, family_members,
 * business_prefs, service_level, level, owner_id, owner_name, branch_id,
 * branch_name, branch_path, custom, deleted, version, created_at,
 * updated_at. customer_present() turns it into what a user may see.
 */
#ifndef HY_CUSTOMER_H
#define HY_CUSTOMER_H

#include "auth/actor.h"
#include "base/keyset.h"
#include "record/filter.h"
#include "crm/name_grams.h"
#include "db/sqlbuf.h"
#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* Validate the fields in `in` on top of `cur` (NULL for a new customer:
 * then name and phone are required). Normalised values of every editable
 * field land in out; translated messages in errors, keyed by field
 * ("custom.<key>" for custom fields). Negative only on database failure. */
int customer_check(struct db *db, const struct actor *u, const char *lang, json_t *in, json_t *cur,
                   json_t *out, json_t *errors);

/*
 * Operations (see core/op.h): each runs in its own transaction, writes the
 * audit entry and publishes its domain event there, and answers 0, a
 * negative DB_*, or an enum op_result with the field messages (in a's
 * language) or the duplicates in errors (an object the caller owns).
 */
/* Create a customer from `in`: the fields of customer_check, optionally
 * "tag_ids" (ids of tags to attach) and "confirm_duplicate" (create even
 * when another profile has the phone or ID number: else OP_DUPLICATE).
 * Sets *id. Audit "customer.create", event "customer.created". */
int customer_insert(struct db *db, const struct actor *a, json_t *in, int64_t *id, json_t *errors);
/* Edit customer id with the fields of `in` on top of the stored ones;
 * "version" (required) must be the stored one (else OP_STALE);
 * "confirm_duplicate" as for customer_insert when the phone or ID number
 * changes. OP_NOT_FOUND when a may not see it or it is deleted. Audit
 * "customer.update", event "customer.changed" ({"fields": [changed keys]}). */
int customer_update(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors);

/* The recycle bin (customer_bin.c): move customer id (visible to a, not
 * deleted) into it, restore it (in the bin, not erased), or erase the
 * person's data for good (PIPL; in the bin or not). Audit
 * "customer.delete" / ".restore" / ".erase", events "customer.deleted" /
 * ".restored" / ".erased". OP_NOT_FOUND when a may not see it. */
int customer_delete(struct db *db, const struct actor *a, int64_t id);
int customer_restore(struct db *db, const struct actor *a, int64_t id);
/* With approval_id, the erasure is filed for approval instead while the
 * flow customer_erasure is enabled (*approval_id; nothing erased yet: the
 * approval erases in its transaction); NULL erases at once. */
int customer_erase(struct db *db, const struct actor *a, int64_t id, int64_t *approval_id);
/* Register the erasure's approval applier (the module's init). */
void customer_erase_init(void);
/* In the caller's transaction: clear every personal column of customer id
 * and name it name (a placeholder such as 已擦除 or 已匿名客户 #12); its
 * name fragments go too. The one function that knows which columns hold
 * personal data (erasure and retention both use it). 0 or negative DB_*. */
int customer_clear_personal(struct db *db, int64_t id, const char *name);

/* The writing steps of those operations, for callers that hold their own
 * transaction and have checked the record (imports, demo data): insert a
 * checked new record (number given, *id set, "customer.created"
 * published), or write one over customer id with cur its stored record
 * (history recorded, "customer.changed" published). No audit entry. */
int customer_add(struct db *db, const struct actor *a, json_t *rec, int64_t *id);
int customer_write(struct db *db, const struct actor *a, int64_t id, json_t *cur, json_t *rec);
/*
 * A checked new record as the values of its row: pinyin, JSON texts and
 * name fragments computed once, in one allocation, on whichever thread
 * checked it (a bulk import's checker), so that the writing thread only
 * binds them. tag_ids (may be NULL): ids of tags to attach.
 */
struct customer_row;
struct customer_row *customer_row_new(const struct actor *u, json_t *rec, json_t *tag_ids);
void customer_row_free(struct customer_row *row);

/*
 * Many inserts in a row (imports) go through a batch, which writes new
 * records 64 at a time with one statement each for the rows, their name
 * fragments and their tags, and reserves customer numbers a block at a
 * time (the unused rest of a block is a gap; numbers are never reused
 * either way). Zero-initialise it; flush before the transaction commits;
 * customer_batch_end frees it (dropping what was not flushed).
 *
 * Bulk loading, in one write transaction: customer_batch_bulk_begin reads
 * the phone and ID number of every stored customer into memory (the
 * duplicate check then asks customer_batch_known, not the database), drops
 * the secondary indexes and keeps the name fragments of new rows in memory;
 * customer_batch_bulk_finish flushes, adds the fragments in key order, and
 * rebuilds the indexes by sorting; the caller commits. begin answers 1 when
 * bulk loading is on, 0 when the backend has no such path (load row by
 * row), negative on error (roll back).
 */
struct customer_batch {
    bool bulk;
    struct db_index_set *indexes[2];
    int64_t no_branch, no_next, no_end; /* reserved numbers no_next..no_end */
    char no_code[64];
    struct customer_row **rows; /* queued, not yet written */
    size_t nrows;
    struct keyset queued;       /* phones and ID numbers of the queue */
    struct keyset known;        /* bulk: phones and ID numbers stored or queued */
    struct name_gram_set grams; /* name fragments of written rows not yet added */
    /* Optional: called as customer_batch_bulk_finish gets through its steps
     * (the fragments, then each index), done of steps. */
    void (*on_step)(void *arg, int done, int steps);
    void *step_arg;
    int steps_done, steps;
};
/* Queue a checked new record (and the ids of its tags, may be NULL). */
int customer_batch_add(struct db *db, const struct actor *u, json_t *rec, json_t *tag_ids,
                       struct customer_batch *b);
/* The same for a row made by customer_row_new (the batch takes it, also
 * on failure). */
int customer_batch_add_row(struct db *db, struct customer_batch *b, struct customer_row *row);
/* Write what is queued. 0 or negative DB_E*. */
int customer_batch_flush(struct db *db, struct customer_batch *b);
/* True when a queued record has this phone or ID number: a duplicate the
 * database cannot see yet. */
bool customer_batch_queued(const struct customer_batch *b, const char *phone,
                           const char *id_number);
/* u: who imports (whose scope tells "skip" from "another branch's"). */
int customer_batch_bulk_begin(struct db *db, const struct actor *u, struct customer_batch *b);
/* Bulk: whether a stored customer or a queued row has this phone or ID
 * number (validated forms; either may be NULL or ""), phone first. */
enum customer_known {
    CUSTOMER_UNKNOWN = 0,
    CUSTOMER_KNOWN_IN_SCOPE = 1,  /* the importer's own: skip the row */
    CUSTOMER_KNOWN_ELSEWHERE = 2, /* another branch's: the row fails */
};
enum customer_known customer_batch_known(const struct customer_batch *b, const char *phone,
                                         const char *id_number);
/* Bulk: a checked record of the importer's that will be queued; its phone
 * and ID number are known from now on. (Apart from customer_batch_add, so
 * that one thread can check and note rows while another writes them.) */
void customer_batch_note(struct customer_batch *b, json_t *rec);
int customer_batch_bulk_finish(struct db *db, struct customer_batch *b);
void customer_batch_end(struct customer_batch *b);

/* The clear record of id if u may see it; NULL otherwise. deleted: also
 * records in the recycle bin. */
json_t *customer_load(struct db *db, const struct actor *u, int64_t id, bool deleted);
/* The same into *out: 1 found, 0 not (or not u's), negative DB_E* on error. */
int customer_find(struct db *db, const struct actor *u, int64_t id, bool deleted, json_t **out);
/* What u sees of rec: masked phone / ID / family phones, tags added; for
 * u without the reveal right (NULL: none) the birthday without its year
 * ("06-18"), which with the ID number's last four would give back most of
 * what its mask hides (issue 13). */
json_t *customer_present(struct db *db, const struct actor *u, json_t *rec);
/* Customers (not deleted) with the same phone or ID number, excluding
 * exclude_id: [{"id","customer_no","name","match"}] inside u's scope,
 * [{"match","other_branch":true}] outside it. */
json_t *customer_duplicates(struct db *db, const struct actor *u, const char *phone,
                            const char *id_number, int64_t exclude_id);
/* Append the WHERE conditions of a list (scope, not deleted / deleted, quick
 * search q, filter tree) to w. -1 with err filled for a bad filter. */
int customer_where(struct db *db, const struct actor *u, const char *q, json_t *filter,
                   bool deleted, struct sqlbuf *w, struct filter_error *err);
/* The same rows as customer_where, as the union of *n (1 or 2) disjoint
 * condition sets w[0..*n-1] (both initialised by the caller): a pinyin quick
 * search (initials OR pinyin prefix) becomes "initials" and "pinyin and not
 * initials", each answered by one index alone, where the OR would read every
 * matching row of the table. */
int customer_where_split(struct db *db, const struct actor *u, const char *q, json_t *filter,
                         bool deleted, struct sqlbuf w[2], int *n, struct filter_error *err);

/*
 * A target group (customer_group.c): what a body names of the customers r's
 * actor may see, not deleted: "ids" (at most ENTITY_GROUP_MAX_IDS chosen
 * in the list), "filter" and "q" (the list's search), "segment_id" (a saved
 * segment), all that are given AND-ed. The conditions on customers c are
 * put in w (made here: release it after use); false having replied 4xx /
 * 5xx, w released.
 */
bool customer_group_where(struct req *r, json_t *group, struct sqlbuf *w);
/* How many customers w selects into *n: 0 or negative DB_*. */
int customer_group_count(struct db *db, const struct sqlbuf *w, int64_t *n);
/* 422 for a bad filter tree, naming where it went wrong. */
void customer_reply_filter_error(struct req *r, const struct filter_error *err);

/* SELECT list and FROM clause that customer_row() reads. */
#define CUSTOMER_COLUMNS                                                                           \
    "c.id, c.customer_no, c.name, c.name_pinyin, c.name_initials, c.gender, c.phone, "             \
    "c.id_sealed, c.birthday, c.birthday_lunar, c.address, c.region, c.occupation, c.interests, "  \
    "c.family_members, c.business_prefs, c.service_level, c.level, c.owner_id, o.name, "           \
    "c.branch_id, b.name, c.branch_path, c.custom, c.deleted_at, c.erased_at, c.merged_into, "     \
    "c.version, c.created_at, c.updated_at, c.last_visit_at, c.visits_90d, c.spend_12m_fen, "      \
    "c.top_types, c.email, c.marketing_consent, c.consent_at, c.consent_source, c.sms_opt_out, "   \
    "c.email_opt_out"
#define CUSTOMER_FROM                                                                              \
    "customers c JOIN branches b ON b.id = c.branch_id LEFT JOIN users o ON o.id = c.owner_id"
/* The record in the current row of a CUSTOMER_COLUMNS query. */
json_t *customer_row(struct db_stmt *st);

extern const struct route customers_routes[];
/* The customer's descriptor for the record layer (crm/customer_entity.c). */
extern const struct entity entity_customer;

#endif
