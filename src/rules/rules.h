/*
 * rules.h - the rule engine (流程引擎): trigger → condition → actions,
 * edited by administrators, run from the domain events after the
 * transaction that caused them (docs/rules.md, docs/decisions/0015).
 *
 * A rule names a kind of record (rule_entity), a trigger (created,
 * updated, field_changed, rated, sla_breached, waybill_stalled,
 * statement_generated), a condition in the filter language on the record
 * (plus optional conditions on its related enterprise or customer) and a
 * list of actions (create_task, notify, set_field, add_tag, remove_tag,
 * webhook). The engine plans a run (the condition, each action with its
 * resolved values: assignee, rendered message) before it writes anything,
 * so "test against a record" is the same plan without the writes.
 */
#ifndef HY_RULES_H
#define HY_RULES_H

#include "auth/actor.h"
#include "core/events.h"
#include "http/http.h"
#include "record/entity.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* Events caused by a rule's actions carry rule_depth (the cause's + 1); a
 * rule does not run on an event deeper than this (logged skipped_depth). */
#define RULE_MAX_DEPTH 3

/* A user reference a rule can take an assignee from ("the enterprise's
 * account manager"). */
struct rule_ref {
    const char *key;  /* "owner_id" */
    const char *expr; /* SQL over the entity's alias */
};

/* A field a set_field action may change, with its allowed values. */
struct rule_settable {
    const char *key, *column;
    const char *const *values; /* NULL-terminated */
};

/* A kind of record rules can watch. */
struct rule_entity {
    const char *name;  /* "ticket" */
    const char *table; /* "tickets" */
    const char *alias; /* "k" */
    const char *branch_id_expr, *branch_path_expr;
    const char *customer_expr, *enterprise_expr; /* NULL when it has none */
    const char *link;                            /* "/tickets/" + id */
    const struct rule_ref *refs;                 /* user references, ends with {NULL} */
    const struct rule_ref *vars;                 /* template variables, ends with {NULL} */
    const struct rule_settable *settable;        /* ends with {NULL} */
    const char *changed_event;                   /* what set_field publishes */
    bool tags;
    /* The filter language's description; NULL: looked up by name (the
     * domains' registrations), else the rule module's own. */
    const struct entity *filter_entity;
};

const struct rule_entity *rule_entity_find(const char *name);
/* The record layer's descriptor the condition compiles against, or NULL. */
const struct entity *rule_entity_filter(const struct rule_entity *re);
extern const struct rule_entity *const rule_entities[]; /* NULL-terminated */

/* The trigger an event kind fires on its entity ("ticket.rated" →
 * ticket / rated), or false when rules do not watch it. */
bool rule_trigger_of(const char *event_kind, const char **entity, const char **trigger);
/* Whether entity has trigger (field_changed: where it has updated). */
bool rule_trigger_valid(const char *entity, const char *trigger);

/* ---- rules (rule.c) ------------------------------------------------------ */

/* Create (id 0) or edit a rule from in: name, entity, trigger,
 * trigger_params, condition, related, actions, enabled, branch_id;
 * version required on an edit. Each edit is a new version (the old text
 * kept in rule_versions). Audit rule.create / rule.update. */
int rule_save(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out_id,
              json_t *errors);
/* Delete a custom rule (a built-in: OP_CONFLICT). Audit rule.delete. */
int rule_delete(struct db *db, const struct actor *a, int64_t id);
/* Check a rule's definition (as rule_save does) into errors; 0 or
 * OP_INVALID or a negative DB_*. */
int rule_check(struct db *db, const struct actor *a, json_t *in, bool create, json_t *errors);
/* The rule in the current row of a rule query, as the API shows it. */
json_t *rule_row(struct db_stmt *st, struct req *r);
/* The rule as the API shows it, or NULL (not found / error in *rc). */
json_t *rule_json(struct db *db, int64_t id, int *rc);

/* A built-in rule's parameters from its feature's settings, into
 * rule["trigger_params"] (rule_builtin.c). 0 or negative DB_*. */
int rule_builtin_params(struct db *db, json_t *rule);
/* Write in's parameters of built-in rule to its feature's settings, in the
 * caller's transaction: 0, OP_INVALID (errors), negative DB_*. */
int rule_builtin_save(struct db *db, const struct actor *a, json_t *rule, json_t *in,
                      json_t *errors);

/* ---- the engine (rule_engine.c) ------------------------------------------ */

/* The event consumer: runs every enabled rule the event triggers. */
int rule_handle_event(struct db *db, const struct domain_event *ev);

/* What rule (a rule_json-shaped object) would do on record object_id:
 * {"matched", "reason", "actions":[{type, ... resolved}]} in *out. No
 * write. 0, OP_NOT_FOUND (no such record), OP_INVALID (errors), or a
 * negative DB_*. */
int rule_dry_run(struct db *db, const struct actor *a, json_t *rule, int64_t object_id,
                 json_t *payload, json_t **out, json_t *errors);

/* ---- message templates (template.c) -------------------------------------- */

/* Render text with {{var}} taken from vars (object of strings / numbers),
 * escaped for channel (dingtalk / wecom / bell: Markdown; sms: one line;
 * email: as is). Unknown variables render empty and are listed in
 * unknown (may be NULL). Caller frees. */
char *template_render(const char *text, json_t *vars, const char *channel, json_t *unknown);
/* Template id's channel, subject and body (caller frees *subject, *body).
 * 1 found, 0 none, negative DB_*. */
int template_get(struct db *db, int64_t id, char **channel, char **subject, char **body);
int template_save(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out_id,
                  json_t *errors);
int template_delete(struct db *db, const struct actor *a, int64_t id);
/* The variables of record object_id of re for templates (masked values
 * never: only the fields listed in re->vars). NULL when not found. */
json_t *rule_record_vars(struct db *db, const struct rule_entity *re, int64_t object_id, int *rc);

extern const struct route rules_routes[];
extern const struct route templates_routes[];

#endif
