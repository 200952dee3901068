/*
 * group_api.c - the HTTP side of acting on a target group (see
 * group_action.h): batch follow-up tasks, customer handover, campaigns
 * (preview, send, the list of sent ones). Handlers read the group with
 * customer_group_where, call the operation and reply its figures.
 */
#include "crm/group_action.h"

#include "crm/customer.h"

#include "core/listing.h"
#include "record/group.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <string.h>

/* POST /customers/bulk-tasks */
static void bulk_tasks_create(struct req *r)
{
    struct sqlbuf w;
    if (!customer_group_where(r, r->json, &w))
        return;
    json_t *out = json_object(), *errors = json_object();
    int rc = bulk_tasks(r->db, r->actor, &w, r->json, out, errors);
    sqlbuf_release(&w);
    bool preview = json_is_true(json_object_get(r->json, "preview"));
    if (!op_reply(r, rc, errors))
        reply_json(r, preview ? 200 : 201, json_incref(out));
    json_decref(out);
    json_decref(errors);
}

/* POST /customers/handover */
static void handover(struct req *r)
{
    struct form f;
    form_init(&f, r);
    struct handover h = {.open_tasks = true};
    form_int(&f, "from_user", true, &h.from_user);
    form_int(&f, "to_user", true, &h.to_user);
    form_bool(&f, "include_open_tasks", false, &h.open_tasks);
    form_bool(&f, "dry_run", false, &h.dry_run);
    if (!form_done(&f))
        return;
    struct sqlbuf w;
    if (!customer_group_where(r, r->json, &w))
        return;
    h.group = &w;
    h.target = entity_group_target(r->json);
    json_t *out = json_object(), *errors = json_object();
    int rc = customer_handover(r->db, r->actor, &h, out, errors);
    sqlbuf_release(&w);
    json_decref(h.target);
    if (!op_reply(r, rc, errors)) {
        json_object_set_new(out, "dry_run", json_boolean(h.dry_run));
        reply_json(r, 200, json_incref(out));
    }
    json_decref(out);
    json_decref(errors);
}

static void campaign(struct req *r, bool preview)
{
    struct sqlbuf w;
    if (!customer_group_where(r, r->json, &w))
        return;
    json_t *target = entity_group_target(r->json);
    json_t *out = json_object(), *errors = json_object();
    int rc = campaign_send(r->db, r->actor, &w, target, r->json, preview, out, errors);
    sqlbuf_release(&w);
    json_decref(target);
    if (!op_reply(r, rc, errors))
        reply_json(r, preview || json_object_get(out, "repeated") ? 200 : 201, json_incref(out));
    json_decref(out);
    json_decref(errors);
}

/* POST /campaigns/preview: who would receive it, who not and why, a sample. */
static void campaigns_preview(struct req *r)
{
    campaign(r, true);
}

/* POST /campaigns: send. */
static void campaigns_send(struct req *r)
{
    campaign(r, false);
}

#define CAMPAIGN_COLUMNS                                                                           \
    "cp.id, cp.channel, cp.subject, cp.body, cp.status, cp.matched, cp.recipients, "               \
    "cp.excluded_consent, cp.excluded_opt_out, cp.excluded_no_contact, cp.created_by, "            \
    "u.name AS created_by_name, cp.created_at"
#define CAMPAIGN_FROM "campaigns cp LEFT JOIN users u ON u.id = cp.created_by"

/* GET /campaigns: the sent campaigns of the caller's branch and below
 * (admins: all), newest first. */
static void campaigns_list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    const struct actor *a = r->actor;
    if (!(a->perms & PERM_ADMIN)) {
        if (!a->branch_path[0])
            listing_where(&l, "1 = 0");
        else
            listing_where_text2(&l, "substr(cp.branch_path, 1, length(CAST(? AS TEXT))) = ?",
                                a->branch_path);
    }
    listing_filter_text(&l, "channel", "cp.channel = ?");
    listing_run_with(&l, CAMPAIGN_COLUMNS, CAMPAIGN_FROM, NULL);
}

/* The route table group_routes[], made from group_api.routes. */
#include "crm/group_api.routes.h"
