/*
 * activity.c - business records (业务往来: visits, calls, meetings) and
 * to-dos on an enterprise (see enterprise.h). They are crm's records and
 * tasks, made by its operations; this file adds what is the enterprise's:
 * who may write (the enterprise visible to the actor and not deleted:
 * managers their own, supervisors their tree), the types of
 * activity_type, the contacts who took part (its own, by name as they
 * were), and the to-do's default assignee, its account manager.
 */
#include "vip/enterprise_int.h"

#include "base/i18n.h"
#include "core/op.h"
#include "crm/interaction.h"
#include "crm/task.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

/* The most contacts one record names. */
#define PEOPLE_MAX 20

/* The subject of a record or task on enterprise ent, if a may write to
 * it: 0 (s filled, path holds its branch path), OP_NOT_FOUND, or <0. */
static int subject(struct db *db, const struct actor *a, int64_t ent, struct crm_subject *s,
                   char path[256])
{
    json_t *rec = NULL;
    int rc = ent > 0 ? enterprise_find(db, a, ent, false, &rec) : 0;
    if (rc != 1)
        return rc < 0 ? rc : OP_NOT_FOUND;
    memset(s, 0, sizeof(*s));
    snprintf(path, 256, "%s", json_string_value(json_object_get(rec, "branch_path")));
    s->enterprise_id = ent;
    s->branch_path = path;
    s->owner_id = json_integer_value(json_object_get(rec, "owner_id"));
    s->type_dict = "activity_type";
    json_decref(rec);
    return 0;
}

/* The contacts of a record, checked in its transaction (a contact deleted
 * meanwhile is refused, not half kept). */
struct people {
    int64_t ent;
    json_t *ids; /* borrowed; NULL: none */
    json_t *errors;
    const char *lang;
};

static int people_fail(struct people *p)
{
    json_object_set_new(p->errors, "contact_ids",
                        json_string(i18n_msg(p->lang, "enterprise.contact_elsewhere")));
    return OP_INVALID;
}

static int write_people(struct db *db, int64_t record, void *ctx)
{
    struct people *p = ctx;
    if (!p->ids || json_is_null(p->ids))
        return 0;
    if (!json_is_array(p->ids) || json_array_size(p->ids) > PEOPLE_MAX)
        return people_fail(p);
    size_t i;
    json_t *v;
    json_array_foreach(p->ids, i, v)
    {
        struct db_stmt *st = NULL;
        int got = json_is_integer(v)
                      ? db_query_row(db, &st,
                                     "SELECT name FROM enterprise_contacts WHERE "
                                     "id = ? AND enterprise_id = ?",
                                     DB_ARGS(DB_INT(json_integer_value(v)), DB_INT(p->ent)))
                      : 0;
        if (got < 0)
            return got;
        if (got == 0)
            return people_fail(p);
        char name[256];
        snprintf(name, sizeof(name), "%s", db_col_text(st, 0));
        db_finish(st);
        int rc = db_exec(db,
                         "INSERT INTO interaction_contacts (interaction_id, contact_id, name) "
                         "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                         DB_ARGS(DB_INT(record), DB_INT(json_integer_value(v)), DB_TEXT(name)));
        if (rc)
            return rc;
    }
    return 0;
}

int enterprise_record_insert(struct db *db, const struct actor *a, int64_t ent, json_t *in,
                             int64_t *id, int64_t *task_id, json_t *errors)
{
    struct crm_subject s;
    char path[256];
    *id = *task_id = 0;
    int rc = subject(db, a, ent, &s, path);
    if (rc)
        return rc;
    struct people p = {
        .ent = ent, .ids = json_object_get(in, "contact_ids"), .errors = errors, .lang = a->lang};
    s.also = write_people;
    s.ctx = &p;
    return interaction_insert_about(db, a, &s, in, id, task_id, errors);
}

int enterprise_task_insert(struct db *db, const struct actor *a, int64_t ent, json_t *in,
                           int64_t *id, json_t *errors)
{
    struct crm_subject s;
    char path[256];
    *id = 0;
    int rc = subject(db, a, ent, &s, path);
    return rc ? rc : task_insert_about(db, a, &s, in, id, errors);
}
