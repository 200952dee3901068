/*
 * template_api.c - the endpoints of message templates (系统管理 → 消息模板):
 * list, create, edit, delete, and a preview that renders a template (saved
 * or as typed) for a record or for sample variables, escaped for its
 * channel as a rule would send it.
 */
#include "rules/rules.h"

#include "core/listing.h"
#include "core/op.h"
#include "core/perms.h"
#include "base/xmalloc.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

#define TEMPLATE_COLUMNS "id, name, channel, subject, body, version, created_at, updated_at"

static void list(struct req *r)
{
    listing_reply_query(r, listing_row_json,
                        "SELECT " TEMPLATE_COLUMNS " FROM message_templates ORDER BY name",
                        DB_NOARGS);
}

static void reply_template(struct req *r, unsigned status, int64_t id)
{
    listing_reply_one(r, status, "template", listing_row_json,
                      "SELECT " TEMPLATE_COLUMNS " FROM message_templates WHERE id = ?",
                      DB_ARGS(DB_INT(id)));
}

static void save(struct req *r, int64_t id)
{
    json_t *errors = json_object();
    int64_t saved = 0;
    int rc = template_save(r->db, r->actor, id, r->json, &saved, errors);
    if (!op_reply(r, rc, errors))
        reply_template(r, id ? 200 : 201, saved);
    json_decref(errors);
}

static void create(struct req *r)
{
    save(r, 0);
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
    int rc = template_delete(r->db, r->actor, id);
    if (!op_reply(r, rc, NULL))
        reply_ok(r);
}

static void preview(struct req *r)
{
    json_t *in = r->json, *errors = json_object();
    char *channel = NULL, *subject = NULL, *body = NULL;
    json_t *tid = json_object_get(in, "template_id");
    int rc = 0;
    if (tid) {
        int q = json_is_integer(tid)
                    ? template_get(r->db, json_integer_value(tid), &channel, &subject, &body)
                    : 0;
        if (q == 0) {
            json_object_set_new(errors, "template_id",
                                json_string(req_msg(r, "rules.template_missing")));
            rc = OP_INVALID;
        }
        rc = q < 0 ? q : rc;
    } else {
        const char *c = json_string_value(json_object_get(in, "channel"));
        const char *s = json_string_value(json_object_get(in, "subject"));
        const char *b = json_string_value(json_object_get(in, "body"));
        channel = xstrdup(c ? c : "bell");
        subject = xstrdup(s ? s : "");
        body = xstrdup(b ? b : "");
    }
    json_t *vars = NULL;
    const char *entity = json_string_value(json_object_get(in, "entity"));
    json_t *rid = json_object_get(in, "record_id");
    if (!rc && entity && rid) {
        const struct rule_entity *re = rule_entity_find(entity);
        if (!re || !json_is_integer(rid)) {
            json_object_set_new(
                errors, re ? "record_id" : "entity",
                json_string(req_msg(r, re ? "field.invalid" : "rules.unknown_entity")));
            rc = OP_INVALID;
        } else {
            vars = rule_record_vars(r->db, re, json_integer_value(rid), &rc);
            if (rc == OP_NOT_FOUND) {
                json_object_set_new(errors, "record_id",
                                    json_string(req_msg(r, "rules.record_missing")));
                rc = OP_INVALID;
            }
        }
    } else if (!rc) {
        json_t *v = json_object_get(in, "variables");
        vars = json_is_object(v) ? json_incref(v) : json_object();
    }
    if (!op_reply(r, rc, errors)) {
        json_t *unknown = json_array();
        char *s = template_render(subject, vars, "email", unknown);
        char *b = template_render(body, vars, channel, unknown);
        reply_json(r, 200,
                   json_pack("{s:s,s:s,s:s,s:o}", "channel", channel, "subject", s, "body", b,
                             "unknown_variables", unknown));
        free(s);
        free(b);
    }
    json_decref(vars);
    json_decref(errors);
    free(channel);
    free(subject);
    free(body);
}

#include "rules/template_api.routes.h"
