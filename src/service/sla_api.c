/*
 * sla_api.c - the admin's side of ticket SLAs: the policies by tier and
 * priority (targets in minutes, business calendar or 7x24) and the
 * escalation ladder that follows a missed target. A change applies to
 * tickets logged after it; the ladder to every step not yet taken.
 */
#include "service/ticket.h"

#include "base/clock.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/perms.h"
#include "db/db.h"
#include "http/form.h"

#include <string.h>

static void policies(struct req *r)
{
    listing_reply_query(r, NULL,
                        "SELECT tier, priority, first_response_minutes, resolution_minutes, "
                        "calendar, updated_by, updated_at FROM sla_policies ORDER BY tier DESC, "
                        "CASE priority WHEN 'urgent' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' "
                        "THEN 3 ELSE 4 END",
                        DB_NOARGS);
}

/* Minutes between 1 and 30 days. */
static void minutes(struct form *f, const char *key, int64_t *out)
{
    if (form_int(f, key, true, out) == 1 && (*out < 1 || *out > 43200))
        form_fail(f, key, "sla.minutes");
}

static void policy_update(struct req *r)
{
    const char *tier = r->params[0], *priority = r->params[1];
    struct form f;
    form_init(&f, r);
    int64_t fr = 0, res = 0;
    minutes(&f, "first_response_minutes", &fr);
    minutes(&f, "resolution_minutes", &res);
    const char *calendar = form_str(&f, "calendar", true, 16);
    if (calendar && strcmp(calendar, "business") != 0 && strcmp(calendar, "24x7") != 0)
        form_fail(&f, "calendar", "sla.calendar");
    if (fr && res && res < fr)
        form_fail(&f, "resolution_minutes", "sla.order");
    if (!form_done(&f))
        return;
    if (!audit_begin(r))
        return;
    int rc = db_exec(r->db,
                     "UPDATE sla_policies SET first_response_minutes = ?, resolution_minutes = ?, "
                     "calendar = ?, updated_by = ?, updated_at = ? WHERE tier = ? AND priority = ?",
                     DB_ARGS(DB_INT(fr), DB_INT(res), DB_TEXT(calendar), DB_INT(r->actor_id),
                             DB_INT(clock_now()), DB_TEXT(tier), DB_TEXT(priority)));
    if (!rc && db_changes(r->db) == 0) {
        db_end(r->db, DB_ERROR);
        reply_error(r, 404, "not_found");
        return;
    }
    if (!audit_end(r, rc, "sla.update", "sla_policy", 0,
                   json_pack("{s:s,s:s,s:I,s:I,s:s}", "tier", tier, "priority", priority,
                             "first_response_minutes", (json_int_t)fr, "resolution_minutes",
                             (json_int_t)res, "calendar", calendar)))
        return;
    policies(r);
}

static void steps(struct req *r)
{
    listing_reply_query(r, NULL,
                        "SELECT step, target, delay_minutes, updated_by, updated_at FROM "
                        "ticket_escalation_steps ORDER BY step",
                        DB_NOARGS);
}

static void steps_update(struct req *r)
{
    struct form f;
    form_init(&f, r);
    json_t *list = json_object_get(r->json, "steps");
    if (!json_is_array(list) || json_array_size(list) > 5)
        form_fail(&f, "steps", "sla.steps");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *target = json_string_value(json_object_get(v, "target"));
        json_t *delay = json_object_get(v, "delay_minutes");
        if (!target ||
            (strcmp(target, "assignee") != 0 && strcmp(target, "enterprise_supervisor") != 0 &&
             strcmp(target, "branch_head") != 0))
            form_fail(&f, "steps", "sla.step_target");
        if (!json_is_integer(delay) || json_integer_value(delay) < 0 ||
            json_integer_value(delay) > 43200)
            form_fail(&f, "steps", "sla.minutes");
    }
    if (!form_done(&f))
        return;
    if (!audit_begin(r))
        return;
    int64_t now = clock_now();
    int rc = db_exec(r->db, "DELETE FROM ticket_escalation_steps", DB_NOARGS);
    json_array_foreach(list, i, v)
    {
        if (!rc)
            rc = db_exec(r->db,
                         "INSERT INTO ticket_escalation_steps (step, target, delay_minutes, "
                         "updated_by, updated_at) VALUES (?, ?, ?, ?, ?)",
                         DB_ARGS(DB_INT(i + 1),
                                 DB_TEXT(json_string_value(json_object_get(v, "target"))),
                                 DB_INT(json_integer_value(json_object_get(v, "delay_minutes"))),
                                 DB_INT(r->actor_id), DB_INT(now)));
    }
    if (!audit_end(r, rc, "sla.steps", "sla_policy", 0, json_pack("{s:O}", "steps", list)))
        return;
    steps(r);
}

#include "service/sla_api.routes.h"
