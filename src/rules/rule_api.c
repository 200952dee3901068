/*
 * rule_api.c - the endpoints of the rules (系统管理 → 规则): list, read,
 * create, edit, delete, versions, run logs, and "test against a record",
 * which plans the rule on the record and writes nothing. Administrators
 * only: a rule acts for the organisation.
 */
#include "rules/rules.h"

#include "core/listing.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"
#include "http/form.h"

#include <stdlib.h>
#include <string.h>

#define RULE_LIST_COLUMNS                                                                          \
    "r.id, r.name, r.kind, r.builtin_key, r.entity, r.trigger_kind AS trigger, "                   \
    "r.trigger_params AS trigger_params_json, r.condition_json, r.related_json, "                  \
    "r.actions_json, r.enabled, r.branch_id, r.branch_path, b.name AS branch_name, r.version, "    \
    "r.runs_count, r.last_run_at, r.created_by, r.updated_by, r.created_at, r.updated_at"

static void list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r) < 0)
        return;
    listing_filter_text(&l, "entity", "r.entity = ?");
    listing_run_with(&l, RULE_LIST_COLUMNS, "rules r LEFT JOIN branches b ON b.id = r.branch_id",
                     rule_row);
}

static void reply_rule(struct req *r, unsigned status, int64_t id)
{
    int rc;
    json_t *o = rule_json(r->db, id, &rc);
    if (!o) {
        op_reply(r, rc, NULL);
        return;
    }
    reply_json(r, status, json_pack("{s:o}", "rule", o));
}

static void save(struct req *r, int64_t id)
{
    json_t *errors = json_object();
    int64_t saved = 0;
    int rc = rule_save(r->db, r->actor, id, r->json, &saved, errors);
    if (!op_reply(r, rc, errors))
        reply_rule(r, id ? 200 : 201, saved);
    json_decref(errors);
}

static void create(struct req *r)
{
    save(r, 0);
}

static void get_one(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        reply_rule(r, 200, id);
}

static void update(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        save(r, id);
}

static void remove_one(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = rule_delete(r->db, r->actor, id);
    if (rc == OP_CONFLICT) {
        reply_error_key(r, 409, "conflict", "rules.builtin_delete");
        return;
    }
    if (!op_reply(r, rc, NULL))
        reply_ok(r);
}

/* Plan rule on the body's record_id and answer the plan. */
static void test_rule(struct req *r, json_t *rule)
{
    json_t *errors = json_object();
    json_t *rid = json_object_get(r->json, "record_id");
    json_t *out = NULL;
    int rc;
    if (!json_is_integer(rid)) {
        json_object_set_new(errors, "record_id", json_string(req_msg(r, "field.required")));
        rc = OP_INVALID;
    } else {
        json_t *payload = json_object_get(r->json, "payload");
        rc = rule_dry_run(r->db, r->actor, rule, json_integer_value(rid),
                          json_is_object(payload) ? payload : NULL, &out, errors);
        if (rc == OP_NOT_FOUND) {
            json_object_set_new(errors, "record_id",
                                json_string(req_msg(r, "rules.record_missing")));
            rc = OP_INVALID;
        }
    }
    if (!op_reply(r, rc, errors))
        reply_json(r, 200, out);
    json_decref(errors);
}

static void test_saved(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc;
    json_t *rule = rule_json(r->db, id, &rc);
    if (!rule) {
        op_reply(r, rc, NULL);
        return;
    }
    test_rule(r, rule);
    json_decref(rule);
}

static void test_draft(struct req *r)
{
    json_t *rule = json_object_get(r->json, "rule");
    json_t *errors = json_object();
    int rc = json_is_object(rule) ? rule_check(r->db, r->actor, rule, true, errors) : OP_INVALID;
    if (!json_is_object(rule))
        json_object_set_new(errors, "rule", json_string(req_msg(r, "field.required")));
    if (!op_reply(r, rc, errors))
        test_rule(r, rule);
    json_decref(errors);
}

static void versions(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    listing_reply_query(r, listing_row_unsuffixed,
                        "SELECT v.version, v.snapshot AS snapshot_json, v.changed_by, u.name AS "
                        "changed_by_name, v.changed_at FROM rule_versions v LEFT JOIN users u ON "
                        "u.id = v.changed_by WHERE v.rule_id = ? ORDER BY v.version DESC",
                        DB_ARGS(DB_INT(id)));
}

#define RUN_COLUMNS                                                                                \
    "x.id, x.rule_id, x.rule_name, x.run_key, x.event_id, x.event_kind, x.rule_version, "          \
    "x.entity, x.object_id, x.outcome, x.reason, x.error, x.actions AS actions_json, x.at"
#define RUN_FROM                                                                                   \
    "(SELECT rr.*, ru.name AS rule_name FROM rule_runs rr JOIN rules ru ON ru.id = rr.rule_id) x"

static void runs(struct req *r)
{
    int64_t id;
    struct listing l;
    if (!req_param_id_or_404(r, 0, &id) || listing_begin(&l, r) < 0)
        return;
    listing_where_int(&l, "x.rule_id = ?", id);
    listing_filter_text(&l, "outcome", "x.outcome = ?");
    listing_run_with(&l, RUN_COLUMNS, RUN_FROM, listing_row_unsuffixed);
}

static void record_runs(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r) < 0)
        return;
    const char *entity = req_query(r, "entity");
    const char *object = req_query(r, "object_id");
    char *end = NULL;
    long long oid = object ? strtoll(object, &end, 10) : 0;
    if (!rule_entity_find(entity)) {
        listing_fail(&l, "entity", "rules.unknown_entity");
        return;
    }
    if (!object || !end || *end || oid <= 0) {
        listing_fail(&l, "object_id", "field.invalid");
        return;
    }
    listing_where_text(&l, "x.entity = ?", entity);
    listing_where_int(&l, "x.object_id = ?", oid);
    listing_run_with(&l, RUN_COLUMNS, RUN_FROM, listing_row_unsuffixed);
}

/* What the editor offers: per entity its triggers, assignee fields,
 * settable fields with their values, template variables, tags. */
static void meta(struct req *r)
{
    static const char *const triggers[] = {"created",
                                           "updated",
                                           "field_changed",
                                           "rated",
                                           "sla_breached",
                                           "waybill_stalled",
                                           "statement_generated",
                                           "statement_changed",
                                           NULL};
    json_t *out = json_array();
    for (const struct rule_entity *const *e = rule_entities; *e; e++) {
        const struct rule_entity *re = *e;
        json_t *o = json_pack("{s:s,s:b,s:b}", "name", re->name, "tags", re->tags, "filterable",
                              rule_entity_filter(re) != NULL);
        json_t *t = json_array(), *refs = json_array(), *set = json_array(), *vars = json_array();
        for (const char *const *k = triggers; *k; k++)
            if (rule_trigger_valid(re->name, *k))
                json_array_append_new(t, json_string(*k));
        for (const struct rule_ref *f = re->refs; f->key; f++)
            json_array_append_new(refs, json_string(f->key));
        for (const struct rule_ref *f = re->vars; f->key; f++)
            json_array_append_new(vars, json_string(f->key));
        for (const struct rule_settable *s = re->settable; s->key; s++) {
            json_t *vals = json_array();
            for (const char *const *v = s->values; *v; v++)
                json_array_append_new(vals, json_string(*v));
            json_array_append_new(set, json_pack("{s:s,s:o}", "field", s->key, "values", vals));
        }
        json_object_set_new(o, "triggers", t);
        json_object_set_new(o, "assignee_fields", refs);
        json_object_set_new(o, "settable", set);
        json_object_set_new(o, "variables", vars);
        const struct entity *fe = rule_entity_filter(re);
        json_t *fields = json_array();
        for (const struct entity_field *f = fe ? fe->fields : NULL; f && f->key; f++)
            if (f->flags & EF_FILTER)
                json_array_append_new(fields, json_pack("{s:s,s:s,s:s}", "key", f->key, "label",
                                                        f->label, "label_en", f->label_en));
        json_object_set_new(o, "fields", fields);
        json_array_append_new(out, o);
    }
    reply_json(r, 200, json_pack("{s:o,s:i}", "entities", out, "max_depth", RULE_MAX_DEPTH));
}

#include "rules/rule_api.routes.h"
