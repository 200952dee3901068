/*
 * contact_api.c - the HTTP endpoints of an enterprise's contacts and
 * departments: parse, call contact.c / department.c, reply.
 */
#include "vip/enterprise_int.h"

#include "core/audit.h"
#include "core/op.h"
#include "db/db.h"

/* The enterprise the path names, visible to the caller; 0 after a 404. */
static int64_t enterprise_or_404(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    int rc = id > 0 ? enterprise_visible(r->db, r->actor, id) : 0;
    if (rc != 1)
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
    return rc == 1 ? id : 0;
}

/* A create (POST, 201) or an edit (PATCH of the path's second {id}) of
 * a contact or department of the enterprise the path names; the part
 * written is answered by reply. */
static void part_save(struct req *r, bool create, const struct enterprise_part *p,
                      void (*reply)(struct req *r, unsigned status, int64_t ent, int64_t id))
{
    json_t *errors = json_object();
    int64_t ent = req_param_id(r, 0), id = create ? 0 : req_param_id(r, 1);
    int rc = create || id > 0 ? enterprise_part_save(r->db, r->actor, p, ent, &id, r->json, errors)
                              : OP_NOT_FOUND;
    if (!op_reply(r, rc, errors))
        reply(r, create ? 201 : 200, ent, id);
    json_decref(errors);
}

static void part_remove(struct req *r, const struct enterprise_part *p)
{
    json_t *errors = json_object();
    int rc =
        enterprise_part_delete(r->db, r->actor, p, req_param_id(r, 0), req_param_id(r, 1), errors);
    if (!op_reply(r, rc, errors))
        reply_ok(r);
    json_decref(errors);
}

static void contacts_list(struct req *r)
{
    int64_t ent = enterprise_or_404(r);
    json_t *items = ent ? contact_list(r->db, ent, 500) : NULL;
    if (ent)
        items ? reply_json(r, 200, json_pack("{s:o}", "items", items))
              : reply_db_error(r, DB_ERROR);
}

static void reply_contact(struct req *r, unsigned status, int64_t ent, int64_t id)
{
    json_t *o = contact_get(r->db, ent, id, false);
    o ? reply_json(r, status, json_pack("{s:o}", "contact", o)) : reply_error(r, 404, "not_found");
}

/* The contact's numbers in full, for a role that may reveal; audited. */
static void contact_reveal(struct req *r)
{
    int64_t ent = enterprise_or_404(r), id = req_param_id(r, 1);
    json_t *o = ent ? contact_get(r->db, ent, id, true) : NULL;
    if (!ent)
        return;
    if (!o) {
        reply_error(r, 404, "not_found");
        return;
    }
    int rc = audit_write(
        r->db, r, NULL, "enterprise.contact_reveal", "enterprise", ent,
        json_pack("{s:I,s:[s,s]}", "contact_id", (json_int_t)id, "fields", "mobile", "phone"));
    if (rc)
        reply_db_error(r, rc);
    else
        reply_json(r, 200,
                   json_pack("{s:O,s:O}", "mobile", json_object_get(o, "mobile"), "phone",
                             json_object_get(o, "phone")));
    json_decref(o);
}

static void departments_list(struct req *r)
{
    int64_t ent = enterprise_or_404(r);
    json_t *items = ent ? department_list(r->db, ent) : NULL;
    if (ent)
        items ? reply_json(r, 200, json_pack("{s:o}", "items", items))
              : reply_db_error(r, DB_ERROR);
}

/* The department just written, from the list (departments are few). */
static void reply_department(struct req *r, unsigned status, int64_t ent, int64_t id)
{
    json_t *all = department_list(r->db, ent), *d;
    size_t i;
    json_array_foreach(all, i, d)
    {
        if (json_integer_value(json_object_get(d, "id")) == id) {
            reply_json(r, status, json_pack("{s:O}", "department", d));
            json_decref(all);
            return;
        }
    }
    json_decref(all);
    reply_error(r, 404, "not_found");
}

/* The create, edit and delete handlers of a part, by the names the route
 * table gives them. */
/* clang-format off */
#define PART_HANDLERS(name, part, reply)                                                           \
    static void name##_create(struct req *r) { part_save(r, true, &(part), reply); }              \
    static void name##_update_(struct req *r) { part_save(r, false, &(part), reply); }            \
    static void name##_remove(struct req *r) { part_remove(r, &(part)); }
PART_HANDLERS(contact, contact_part, reply_contact)
PART_HANDLERS(department, department_part, reply_department)
/* clang-format on */

#include "vip/contact_api.routes.h"
