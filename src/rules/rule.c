/*
 * rule.c - rules as administrator settings: the checks of a definition
 * (the condition compiled by the filter language, every action's
 * parameters), create / edit / delete with audit, and a numbered version
 * kept for every edit so the run log can say which text ran.
 */
#include "rules/rules.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "core/http_out.h"
#include "core/listing.h"
#include "core/op.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"
#include "notify/notify.h"
#include "record/filter.h"
#include "record/tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_MAX_ACTIONS 20

#define RULE_COLUMNS                                                                               \
    "r.id, r.name, r.kind, r.builtin_key, r.entity, r.trigger_kind AS trigger, "                   \
    "r.trigger_params AS trigger_params_json, r.condition_json, r.related_json, "                  \
    "r.actions_json, r.enabled, r.branch_id, r.branch_path, b.name AS branch_name, r.version, "    \
    "r.runs_count, "                                                                               \
    "r.last_run_at, r.created_by, r.updated_by, r.created_at, r.updated_at"
#define RULE_FROM "rules r LEFT JOIN branches b ON b.id = r.branch_id"

json_t *rule_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_unsuffixed(st, r);
    /* The listing may already answer it as a boolean. */
    json_t *en = json_object_get(o, "enabled");
    if (json_is_integer(en))
        json_object_set_new(o, "enabled", json_boolean(json_integer_value(en)));
    return o;
}

json_t *rule_json(struct db *db, int64_t id, int *rc)
{
    json_t *o = NULL;
    *rc = listing_one(db, NULL, &o, rule_row,
                      "SELECT " RULE_COLUMNS " FROM " RULE_FROM " WHERE r.id = ?",
                      DB_ARGS(DB_INT(id)));
    if (*rc == 1) {
        *rc = strcmp(json_string_value(json_object_get(o, "kind")), "builtin") == 0
                  ? rule_builtin_params(db, o)
                  : 0;
        if (!*rc)
            return o;
        json_decref(o);
        return NULL;
    }
    *rc = *rc == 0 ? OP_NOT_FOUND : *rc;
    return NULL;
}

/* ---- checks -------------------------------------------------------------- */

static void fail_at(struct form *f, const char *what, size_t i, const char *key)
{
    char name[32];
    snprintf(name, sizeof(name), "%s.%zu", what, i);
    form_fail(f, name, key);
}

static bool ref_known(const struct rule_entity *re, const char *key)
{
    for (const struct rule_ref *r = re->refs; key && r->key; r++)
        if (strcmp(r->key, key) == 0)
            return true;
    return false;
}

/* An assignee: {"type":"field","field":K} | {"type":"role","role":R} |
 * {"type":"user","user_id":N}. */
static bool assignee_valid(struct db *db, const struct rule_entity *re, json_t *spec)
{
    const char *type = json_string_value(json_object_get(spec, "type"));
    if (!type)
        return false;
    if (strcmp(type, "field") == 0)
        return ref_known(re, json_string_value(json_object_get(spec, "field")));
    if (strcmp(type, "role") == 0) {
        const char *role = json_string_value(json_object_get(spec, "role"));
        return role && (strcmp(role, "admin") == 0 || strcmp(role, "supervisor") == 0 ||
                        strcmp(role, "manager") == 0 || strcmp(role, "clerk") == 0);
    }
    if (strcmp(type, "user") == 0) {
        json_t *u = json_object_get(spec, "user_id");
        int64_t found = 0;
        return json_is_integer(u) &&
               db_query_int(db, "SELECT 1 FROM users WHERE id = ? AND status = 'active'",
                            DB_ARGS(DB_INT(json_integer_value(u))), &found) == 1;
    }
    return false;
}

static bool short_text(json_t *v, size_t max)
{
    return json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= max;
}

static void check_action(struct form *f, struct db *db, const struct rule_entity *re, json_t *act,
                         size_t i)
{
    const char *type = json_string_value(json_object_get(act, "type"));
    if (!json_is_object(act) || !type) {
        fail_at(f, "actions", i, "rules.unknown_action");
        return;
    }
    if (strcmp(type, "create_task") == 0) {
        json_t *due = json_object_get(act, "due_in_days");
        const char *prio = json_string_value(json_object_get(act, "priority"));
        if (!short_text(json_object_get(act, "title"), 200) ||
            (due && (!json_is_integer(due) || json_integer_value(due) < 0 ||
                     json_integer_value(due) > 365)) ||
            (prio && strcmp(prio, "low") != 0 && strcmp(prio, "normal") != 0 &&
             strcmp(prio, "high") != 0))
            fail_at(f, "actions", i, "rules.action_invalid");
        else if (!assignee_valid(db, re, json_object_get(act, "assignee")))
            fail_at(f, "actions", i, "rules.assignee_invalid");
    } else if (strcmp(type, "notify") == 0) {
        json_t *tpl = json_object_get(act, "template_id");
        json_t *chans = json_object_get(act, "channels");
        size_t k;
        json_t *c;
        bool ok = chans == NULL || json_is_array(chans);
        json_array_foreach(chans, k, c)
        {
            if (!notify_channel_known(json_string_value(c)))
                ok = false;
        }
        int64_t found = 0;
        if (!ok || (!tpl && !short_text(json_object_get(act, "title"), 200)))
            fail_at(f, "actions", i, "rules.action_invalid");
        else if (tpl && (!json_is_integer(tpl) ||
                         db_query_int(db, "SELECT 1 FROM message_templates WHERE id = ?",
                                      DB_ARGS(DB_INT(json_integer_value(tpl))), &found) != 1))
            fail_at(f, "actions", i, "rules.template_missing");
        else if (!assignee_valid(db, re, json_object_get(act, "to")))
            fail_at(f, "actions", i, "rules.assignee_invalid");
    } else if (strcmp(type, "set_field") == 0) {
        const char *field = json_string_value(json_object_get(act, "field"));
        const char *value = json_string_value(json_object_get(act, "value"));
        bool ok = false;
        for (const struct rule_settable *s = re->settable; field && value && s->key; s++)
            if (strcmp(s->key, field) == 0)
                for (const char *const *v = s->values; *v; v++)
                    ok = ok || strcmp(*v, value) == 0;
        if (!ok)
            fail_at(f, "actions", i, "rules.field_not_settable");
    } else if (strcmp(type, "add_tag") == 0 || strcmp(type, "remove_tag") == 0) {
        json_t *tag = json_object_get(act, "tag_id");
        if (!re->tags)
            fail_at(f, "actions", i, "rules.no_tags");
        else if (!json_is_integer(tag) || !tags_exists(db, json_integer_value(tag)))
            fail_at(f, "actions", i, "rules.action_invalid");
    } else if (strcmp(type, "webhook") == 0) {
        const char *url = json_string_value(json_object_get(act, "url"));
        bool internal = false;
        char why[128];
        /* Delivery checks the address again at each send (core/http_out). */
        if (!url || strlen(url) > 1000 ||
            http_out_check_url(url, &internal, why, sizeof(why)) == HTTP_OUT_EURL)
            fail_at(f, "actions", i, "rules.action_invalid");
    } else if (strcmp(type, "assign") == 0) {
        /* Tickets: the ticket module's (re)assignment. */
        if (strcmp(re->name, "ticket") != 0)
            fail_at(f, "actions", i, "rules.action_invalid");
        else if (!assignee_valid(db, re, json_object_get(act, "assignee")))
            fail_at(f, "actions", i, "rules.assignee_invalid");
    } else if (strcmp(type, "request_approval") == 0) {
        /* A flow of the record's kind (its applier applies "after" once
         * approved); the approvers are found from the record's branch. */
        const char *flow = json_string_value(json_object_get(act, "flow"));
        json_t *after = json_object_get(act, "after");
        int64_t found = 0;
        if (!flow || (after && !json_is_object(after)) ||
            db_query_int(db, "SELECT 1 FROM approval_flows WHERE key = ? AND entity = ?",
                         DB_ARGS(DB_TEXT(flow), DB_TEXT(re->name)), &found) != 1)
            fail_at(f, "actions", i, "rules.action_invalid");
    } else {
        fail_at(f, "actions", i, "rules.unknown_action");
    }
}

static void check_tree(struct form *f, struct db *db, const struct entity *e, json_t *tree,
                       const char *key)
{
    if (!tree || json_is_null(tree))
        return;
    struct sqlbuf b;
    struct filter_error err = {0};
    sqlbuf_init(&b);
    int rc = e ? filter_compile_for(db, e, tree, &b, &err, 0) : -1;
    sqlbuf_release(&b);
    if (rc == -1)
        form_fail(f, key, err.key ? err.key : "filter.invalid");
}

static void check_related(struct form *f, struct db *db, const struct rule_entity *re,
                          json_t *related)
{
    if (!related || json_is_null(related))
        return;
    if (!json_is_array(related) || json_array_size(related) > 2) {
        form_fail(f, "related", "rules.related_invalid");
        return;
    }
    size_t i;
    json_t *r;
    json_array_foreach(related, i, r)
    {
        const char *path = json_string_value(json_object_get(r, "path"));
        bool ok = path && ((strcmp(path, "enterprise") == 0 && re->enterprise_expr) ||
                           (strcmp(path, "customer") == 0 && re->customer_expr));
        if (!ok || !json_is_object(json_object_get(r, "filter")))
            form_fail(f, "related", "rules.related_invalid");
        else
            check_tree(f, db, entity_find(path), json_object_get(r, "filter"), "related");
    }
}

int rule_check(struct db *db, const struct actor *a, json_t *in, bool create, json_t *errors)
{
    struct form f;
    form_init_json(&f, in, a->lang, errors);
    form_str(&f, "name", create, 64);
    const char *entity = form_str(&f, "entity", create, 32);
    const char *trigger = form_str(&f, "trigger", create, 32);
    const struct rule_entity *re = rule_entity_find(entity);
    if (entity && !re)
        form_fail(&f, "entity", "rules.unknown_entity");
    else if (re && trigger && !rule_trigger_valid(entity, trigger))
        form_fail(&f, "trigger", "rules.unknown_trigger");
    json_t *params = json_object_get(in, "trigger_params");
    if (params && !json_is_null(params) && !json_is_object(params))
        form_fail(&f, "trigger_params", "field.not_object");
    if (trigger && strcmp(trigger, "field_changed") == 0 &&
        !short_text(json_object_get(params, "field"), 64))
        form_fail(&f, "trigger_params", "field.required");
    if (trigger && strcmp(trigger, "rated") == 0) {
        json_t *s = json_object_get(params, "max_score");
        if (!json_is_integer(s) || json_integer_value(s) < 1 || json_integer_value(s) > 5)
            form_fail(&f, "trigger_params", "field.invalid");
    }
    bool enabled;
    form_bool(&f, "enabled", false, &enabled);
    if (form_has(&f, "branch_id")) {
        int64_t b = 0, found = 0;
        if (form_int(&f, "branch_id", false, &b) == 1 &&
            db_query_int(db, "SELECT 1 FROM branches WHERE id = ?", DB_ARGS(DB_INT(b)), &found) !=
                1)
            form_fail(&f, "branch_id", "field.unknown_option");
    }
    if (re) {
        json_t *cond = json_object_get(in, "condition");
        if (cond && !json_is_null(cond) && !json_is_object(cond))
            form_fail(&f, "condition", "field.not_object");
        else
            check_tree(&f, db, rule_entity_filter(re), cond, "condition");
        check_related(&f, db, re, json_object_get(in, "related"));
        json_t *acts = json_object_get(in, "actions");
        if (acts && !json_is_array(acts))
            form_fail(&f, "actions", "field.not_array");
        else if (json_array_size(acts) > RULE_MAX_ACTIONS)
            form_fail(&f, "actions", "rules.too_many_actions");
        size_t i;
        json_t *act;
        json_array_foreach(acts, i, act) check_action(&f, db, re, act, i);
    }
    return form_ok(&f) ? 0 : OP_INVALID;
}

/* ---- writes -------------------------------------------------------------- */

static char *dump_or_null(json_t *v)
{
    return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT) : NULL;
}

/* Keep the rule's text as its current version. */
static int keep_version(struct db *db, const struct actor *a, int64_t id)
{
    int rc;
    json_t *o = rule_json(db, id, &rc);
    if (!o)
        return rc;
    char *snap = json_dumps(o, JSON_COMPACT);
    rc = db_exec(db,
                 "INSERT INTO rule_versions (rule_id, version, snapshot, changed_by, changed_at) "
                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                 DB_ARGS(DB_INT(id), DB_INT(json_integer_value(json_object_get(o, "version"))),
                         DB_TEXT(snap), DB_INT_OR_NULL(a->id, a->id), DB_INT(clock_now())));
    free(snap);
    json_decref(o);
    return rc;
}

/* Tell every server's engine that its compiled rules are stale
 * (rule_engine.c reads the number per event). */
static int bump_generation(struct db *db)
{
    return db_exec(db, "UPDATE rule_generation SET gen = gen + 1 WHERE id = 1", DB_NOARGS);
}

int rule_save(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out_id,
              json_t *errors)
{
    int rc = rule_check(db, a, in, id == 0, errors);
    if (rc)
        return rc;
    json_t *cur = NULL;
    if (id) {
        cur = rule_json(db, id, &rc);
        if (!cur)
            return rc;
        json_int_t version;
        rc = op_check_version(in, cur, a->lang, errors, &version);
        /* A built-in rule's kind of record and trigger are its feature's. */
        const char *kind = json_string_value(json_object_get(cur, "kind"));
        if (!rc && strcmp(kind, "builtin") == 0 &&
            (json_object_get(in, "entity") || json_object_get(in, "trigger"))) {
            json_object_set_new(errors, "trigger",
                                json_string(i18n_msg(a->lang, "rules.unknown_trigger")));
            rc = OP_INVALID;
        }
        /* An edit is checked whole: what it does not send is the stored
         * rule's (and is written back unchanged). */
        const char *keep[] = {"entity",    "trigger", "trigger_params",
                              "condition", "related", "actions"};
        for (size_t k = 0; !rc && k < sizeof(keep) / sizeof(keep[0]); k++)
            if (!json_object_get(in, keep[k]))
                json_object_set(in, keep[k], json_object_get(cur, keep[k]));
        if (!rc)
            rc = rule_check(db, a, in, false, errors);
        if (rc) {
            json_decref(cur);
            return rc;
        }
    }
    const char *name = json_string_value(json_object_get(in, "name"));
    const char *entity = json_string_value(json_object_get(in, "entity"));
    const char *trigger = json_string_value(json_object_get(in, "trigger"));
    bool builtin = cur && strcmp(json_string_value(json_object_get(cur, "kind")), "builtin") == 0;
    /* A built-in rule's parameters live in its feature's settings. */
    json_t *params = builtin ? NULL : json_object_get(in, "trigger_params");
    char *p = dump_or_null(params), *cond = dump_or_null(json_object_get(in, "condition")),
         *rel = dump_or_null(json_object_get(in, "related")),
         *acts = dump_or_null(json_object_get(in, "actions"));
    json_t *en = json_object_get(in, "enabled");
    json_t *br = json_object_get(in, "branch_id");
    bool br_given = br != NULL;
    int64_t branch = json_is_integer(br) ? json_integer_value(br) : 0;
    int64_t now = clock_now();
    rc = db_begin(db);
    if (rc)
        goto out;
    if (!id) {
        rc = db_query_id(
            db,
            "INSERT INTO rules (name, entity, trigger_kind, trigger_params, condition_json, "
            "related_json, actions_json, enabled, branch_id, branch_path, created_by, updated_by, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "(SELECT path FROM branches WHERE id = ?), ?, ?, ?, ?) RETURNING id",
            DB_ARGS(DB_TEXT(name), DB_TEXT(entity), DB_TEXT(trigger), DB_TEXT(p ? p : "{}"),
                    DB_TEXT(cond), DB_TEXT(rel), DB_TEXT(acts ? acts : "[]"),
                    DB_INT(en ? json_is_true(en) : 1), DB_INT_OR_NULL(branch, branch),
                    DB_INT(branch), DB_INT_OR_NULL(a->id, a->id), DB_INT_OR_NULL(a->id, a->id),
                    DB_INT(now), DB_INT(now)),
            &id);
    } else {
        /* Only what was sent changes; condition and related may be cleared
         * by sending null. */
        rc = db_exec(
            db,
            "UPDATE rules SET name = COALESCE(?, name), trigger_params = COALESCE(?, "
            "trigger_params), condition_json = CASE WHEN ? = 1 THEN ? ELSE condition_json END, "
            "related_json = CASE WHEN ? = 1 THEN ? ELSE related_json END, "
            "actions_json = COALESCE(?, actions_json), enabled = COALESCE(?, enabled), "
            "branch_id = CASE WHEN ? = 1 THEN ? ELSE branch_id END, "
            "branch_path = CASE WHEN ? = 1 THEN (SELECT path FROM branches WHERE id = ?) ELSE "
            "branch_path END, version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?",
            DB_ARGS(DB_TEXT(name), DB_TEXT(p), DB_INT(json_object_get(in, "condition") != NULL),
                    DB_TEXT(cond), DB_INT(json_object_get(in, "related") != NULL), DB_TEXT(rel),
                    DB_TEXT(acts), DB_INT_OR_NULL(en != NULL, en && json_is_true(en)),
                    DB_INT(br_given), DB_INT_OR_NULL(branch, branch), DB_INT(br_given),
                    DB_INT(branch), DB_INT_OR_NULL(a->id, a->id), DB_INT(now), DB_INT(id)));
    }
    if (!rc && builtin)
        rc = rule_builtin_save(db, a, cur, in, errors);
    if (!rc)
        rc = keep_version(db, a, id);
    if (!rc)
        rc = bump_generation(db);
    if (!rc)
        rc = actor_audit(
            db, a, cur ? "rule.update" : "rule.create", "rule", id,
            json_pack("{s:s?,s:s?,s:s?}", "name", name, "entity", entity, "trigger", trigger));
    rc = op_end(db, rc);
    if (!rc)
        *out_id = id;
out:
    free(p);
    free(cond);
    free(rel);
    free(acts);
    json_decref(cur);
    return rc;
}

int rule_delete(struct db *db, const struct actor *a, int64_t id)
{
    int rc;
    json_t *cur = rule_json(db, id, &rc);
    if (!cur)
        return rc;
    bool builtin = strcmp(json_string_value(json_object_get(cur, "kind")), "builtin") == 0;
    json_decref(cur);
    if (builtin)
        return OP_CONFLICT;
    rc = db_begin(db);
    if (!rc)
        rc = db_exec(db, "DELETE FROM rule_runs WHERE rule_id = ?", DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = db_exec(db, "DELETE FROM rule_versions WHERE rule_id = ?", DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = db_exec(db, "DELETE FROM rules WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = bump_generation(db);
    if (!rc)
        rc = actor_audit(db, a, "rule.delete", "rule", id, NULL);
    return op_end(db, rc);
}
