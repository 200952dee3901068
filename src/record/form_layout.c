/*
 * form_layout.c - layouts of the form designer: the default layout, the
 * rules compiled per saved version, and what they enforce (see
 * form_layout.h). Nothing here names an entity.
 */
#include "record/form_layout.h"

#include "auth/perm.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/xmalloc.h"
#include "core/memo.h"
#include "core/op.h"
#include "db/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 50
#define HELP_MAX   200
#define ALL_ROLES  (~0u)

/* ---- the fields of an entity ---- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static const char *mask_name(enum field_mask m)
{
    return m == MASK_PHONE   ? "phone"
           : m == MASK_ID    ? "id"
           : m == MASK_EMAIL ? "email"
           : m == MASK_YEAR  ? "year"
                             : NULL;
}

static json_t *options_json(const char *const (*options)[3])
{
    json_t *out = json_array();
    for (const char *const(*o)[3] = options; (*o)[0]; o++)
        json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "value", (*o)[0], "label", (*o)[1],
                                             "label_en", (*o)[2]));
    return out;
}

static json_t *builtin_json(const struct entity_field *f)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:o,s:o,s:b}", "key", f->key,
                          "type", entity_type_name(f->type), "label", f->label, "label_en",
                          f->label_en, "builtin", 1, "filter", (f->flags & EF_FILTER) != 0, "sort",
                          (f->flags & EF_SORT) != 0, "export", (f->flags & EF_EXPORT) != 0,
                          "import", (f->flags & EF_IMPORT) != 0, "required",
                          (f->flags & EF_REQUIRED) != 0, "mask", str_or_null(mask_name(f->mask)),
                          "dict", str_or_null(f->dict), "auto", (f->flags & EF_AUTO) != 0);
    if (f->options)
        json_object_set_new(o, "options", options_json(f->options));
    return o;
}

/* The active custom fields of e, appended to out: filterable, exported and
 * imported like built-in fields (record/filter.c, export.c, import). */
static int append_custom(struct db *db, const struct entity *e, json_t *out)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT key, type, label, label_en, required, hidden, options "
                                  "FROM custom_fields WHERE entity = ? AND retired = 0 "
                                  "ORDER BY sort, id",
                                  DB_ARGS(DB_TEXT(e->name)));
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1) {
        char key[64];
        snprintf(key, sizeof(key), "custom.%s", db_col_text(st, 0));
        const char *label_en = db_col_is_null(st, 3) ? "" : db_col_text(st, 3);
        json_t *options = db_col_is_null(st, 6) ? NULL : json_loads(db_col_text(st, 6), 0, NULL);
        json_array_append_new(
            out, json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:n,s:n,s:o,s:b}", "key",
                           key, "type", db_col_text(st, 1), "label", db_col_text(st, 2), "label_en",
                           *label_en ? label_en : db_col_text(st, 2), "builtin", 0, "filter", 1,
                           "sort", 0, "export", 1, "import", 1, "required", db_col_int(st, 4) != 0,
                           "hidden", db_col_int(st, 5) != 0, "mask", "dict", "options",
                           json_is_array(options) ? options : json_array(), "auto", 0));
        if (!json_is_array(options))
            json_decref(options);
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

json_t *form_layout_fields(struct db *db, const struct entity *e)
{
    json_t *fields = json_array();
    for (const struct entity_field *f = e->fields; f->key; f++)
        if (!(f->flags & EF_INTERNAL))
            json_array_append_new(fields, builtin_json(f));
    if (e->custom_column && append_custom(db, e, fields) < 0) {
        json_decref(fields);
        return NULL;
    }
    return fields;
}

static json_t *field_by_key(json_t *fields, const char *key)
{
    size_t i;
    json_t *f;
    json_array_foreach(
        fields, i, f) if (strcmp(json_string_value(json_object_get(f, "key")), key) == 0) return f;
    return NULL;
}

/* ---- the default layout ---- */

static const struct {
    const char *key, *label, *label_en;
} default_groups[] = {
    {"basic", "基本信息", "Basic information"},
    {"ownership", "归属与标签", "Ownership and tags"},
    {"custom", "自定义字段", "Custom fields"},
    {"system", "系统信息", "System"},
};

/* Which default group a field goes to: people and places it belongs to
 * together, custom fields together, what the program sets last. */
static size_t default_group_of(json_t *f)
{
    const char *type = json_string_value(json_object_get(f, "type"));
    if (json_is_true(json_object_get(f, "auto")))
        return 3;
    if (!json_is_true(json_object_get(f, "builtin")))
        return 2;
    if (strcmp(type, "ref") == 0 || strcmp(type, "branch") == 0 || strcmp(type, "tags") == 0)
        return 1;
    return 0;
}

static json_t *default_layout(json_t *fields)
{
    size_t ng = sizeof(default_groups) / sizeof(default_groups[0]);
    json_t *groups = json_array();
    for (size_t g = 0; g < ng; g++) {
        json_t *placed = json_array();
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f)
        {
            /* A custom field hidden from forms stays in the palette. */
            if (default_group_of(f) != g || json_is_true(json_object_get(f, "hidden")))
                continue;
            const char *type = json_string_value(json_object_get(f, "type"));
            bool wide = strcmp(type, "textarea") == 0 || strcmp(type, "tags") == 0;
            json_array_append_new(
                placed, json_pack("{s:O,s:s,s:O,s:s,s:s,s:n,s:n}", "key", json_object_get(f, "key"),
                                  "width", wide ? "full" : "half", "required",
                                  json_object_get(f, "required"), "help", "", "help_en", "",
                                  "visible_roles", "editable_roles"));
        }
        if (json_array_size(placed))
            json_array_append_new(groups,
                                  json_pack("{s:s,s:s,s:s,s:o}", "key", default_groups[g].key,
                                            "label", default_groups[g].label, "label_en",
                                            default_groups[g].label_en, "fields", placed));
        else
            json_decref(placed);
    }
    return json_pack("{s:o}", "groups", groups);
}

/* ---- stored versions ---- */

/* The current version of e's layout: 0 when none is saved. The import
 * reads it once per batch (core/memo.h). */
static int current_version(struct db *db, const struct entity *e, int64_t *version)
{
    json_t *m = memo_get("form_layout", e->name, NULL);
    if (m) {
        *version = json_integer_value(m);
        return 0;
    }
    *version = 0;
    int rc = db_query_int(db,
                          "SELECT version FROM form_layouts WHERE entity = ? ORDER BY version "
                          "DESC LIMIT 1",
                          DB_ARGS(DB_TEXT(e->name)), version);
    if (rc < 0)
        return rc;
    if (memo_active())
        memo_put("form_layout", e->name, NULL, json_integer(*version));
    return 0;
}

int form_layout_version(struct db *db, const struct entity *e, int64_t n, json_t **out)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT l.layout, l.note, l.author_id, u.name, l.created_at FROM "
                          "form_layouts l LEFT JOIN users u ON u.id = l.author_id WHERE "
                          "l.entity = ? AND l.version = ?",
                          DB_ARGS(DB_TEXT(e->name), DB_INT(n)));
    if (rc != 1)
        return rc;
    json_t *layout = json_loads(db_col_text(st, 0), 0, NULL);
    if (!json_is_object(layout)) {
        json_decref(layout);
        layout = json_pack("{s:[]}", "groups");
    }
    json_object_set_new(layout, "version", json_integer(n));
    json_object_set_new(layout, "note",
                        db_col_is_null(st, 1) ? json_null() : json_string(db_col_text(st, 1)));
    json_object_set_new(layout, "author_id",
                        db_col_is_null(st, 2) ? json_null() : json_integer(db_col_int(st, 2)));
    json_object_set_new(layout, "author_name",
                        db_col_is_null(st, 3) ? json_null() : json_string(db_col_text(st, 3)));
    char iso[32];
    clock_format_iso(db_col_int(st, 4), iso, sizeof(iso));
    json_object_set_new(layout, "created_at", json_string(iso));
    db_finish(st);
    *out = layout;
    return 1;
}

/* ---- compiled rules ---- */

struct rule {
    char *key;
    unsigned visible, editable; /* bit i: role perm_role_at(i) */
    bool required;
};

/* The rules of one saved version. Kept for the life of the process (a
 * save is rare; the list path must not parse JSON per request), so a
 * pointer handed out stays valid without locks. */
struct rules {
    const char *entity;
    int64_t version;
    size_t n;
    struct rule *r;
    struct rules *next;
};

static pthread_mutex_t rules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rules *rules_list;

static unsigned role_bits(json_t *roles)
{
    if (!json_is_array(roles))
        return ALL_ROLES;
    unsigned bits = 0;
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v)
    {
        int k = perm_role_index(json_string_value(v));
        if (k >= 0)
            bits |= 1u << k;
    }
    return bits;
}

static struct rules *compile(const struct entity *e, int64_t version, json_t *layout)
{
    struct rules *rs = xcalloc(1, sizeof(*rs));
    rs->entity = e->name;
    rs->version = version;
    size_t cap = 0, g, i;
    json_t *group, *f;
    json_array_foreach(json_object_get(layout, "groups"), g, group) cap +=
        json_array_size(json_object_get(group, "fields"));
    rs->r = xcalloc(cap ? cap : 1, sizeof(*rs->r));
    json_array_foreach(json_object_get(layout, "groups"), g, group)
    {
        json_array_foreach(json_object_get(group, "fields"), i, f)
        {
            struct rule *r = &rs->r[rs->n++];
            r->key = xstrdup(json_string_value(json_object_get(f, "key")));
            r->visible = role_bits(json_object_get(f, "visible_roles"));
            /* Changing a field one cannot see makes no sense: editable
             * within visible. */
            r->editable = role_bits(json_object_get(f, "editable_roles")) & r->visible;
            r->required = json_is_true(json_object_get(f, "required"));
        }
    }
    return rs;
}

/* The rules of e's current layout into *out: NULL when none is saved
 * (nothing restricted). 0 or <0 on a database error. */
static int current_rules(struct db *db, const struct entity *e, const struct rules **out)
{
    *out = NULL;
    int64_t version;
    int rc = current_version(db, e, &version);
    if (rc || version == 0)
        return rc;
    pthread_mutex_lock(&rules_lock);
    for (struct rules *rs = rules_list; rs; rs = rs->next)
        if (rs->version == version && strcmp(rs->entity, e->name) == 0)
            *out = rs;
    pthread_mutex_unlock(&rules_lock);
    if (*out)
        return 0;
    json_t *layout = NULL;
    rc = form_layout_version(db, e, version, &layout);
    if (rc != 1)
        return rc < 0 ? rc : 0;
    struct rules *rs = compile(e, version, layout);
    json_decref(layout);
    pthread_mutex_lock(&rules_lock);
    /* Another thread may have compiled it meanwhile: keep one. */
    struct rules *have = NULL;
    for (struct rules *x = rules_list; x; x = x->next)
        if (x->version == version && strcmp(x->entity, e->name) == 0)
            have = x;
    if (!have) {
        rs->next = rules_list;
        rules_list = rs;
        have = rs;
        rs = NULL;
    }
    pthread_mutex_unlock(&rules_lock);
    if (rs) {
        for (size_t i = 0; i < rs->n; i++)
            free(rs->r[i].key);
        free(rs->r);
        free(rs);
    }
    *out = have;
    return 0;
}

static const struct rule *rule_of(const struct rules *rs, const char *key)
{
    for (size_t i = 0; rs && i < rs->n; i++)
        if (strcmp(rs->r[i].key, key) == 0)
            return &rs->r[i];
    return NULL;
}

/* The role bit of u; ALL_ROLES for the system and roles the layout
 * cannot name (nothing is withheld from the process itself). */
static unsigned actor_bit(const struct actor *u)
{
    int k = u && !u->system ? perm_role_index(u->role) : -1;
    return k < 0 ? ALL_ROLES : 1u << k;
}

static bool sees(const struct rule *r, const struct actor *u)
{
    return !r || (r->visible & actor_bit(u)) != 0;
}

static bool edits(const struct rule *r, const struct actor *u)
{
    return !r || (r->editable & actor_bit(u)) != 0;
}

int form_layout_visible(struct db *db, const struct entity *e, const struct actor *u,
                        const char *key)
{
    const struct rules *rs;
    int rc = current_rules(db, e, &rs);
    return rc < 0 ? rc : sees(rule_of(rs, key), u);
}

int form_layout_visible_mask(struct db *db, const struct entity *e, const struct actor *u,
                             const char *const keys[], size_t n)
{
    const struct rules *rs;
    int rc = current_rules(db, e, &rs);
    if (rc < 0)
        return rc;
    int mask = 0;
    for (size_t i = 0; i < n && i < 31; i++)
        if (sees(rule_of(rs, keys[i]), u))
            mask |= 1 << i;
    return mask;
}

static void strip_one(const struct rules *rs, const struct actor *u, json_t *rec)
{
    json_t *custom = json_object_get(rec, "custom");
    for (size_t i = 0; i < rs->n; i++) {
        const struct rule *r = &rs->r[i];
        if (sees(r, u))
            continue;
        if (strncmp(r->key, "custom.", 7) == 0) {
            json_object_del(custom, r->key + 7);
            continue;
        }
        json_object_del(rec, r->key);
        /* A reference's name goes with its id (owner_id → owner_name). */
        size_t n = strlen(r->key);
        if (n > 3 && strcmp(r->key + n - 3, "_id") == 0) {
            char name[80];
            snprintf(name, sizeof(name), "%.*s_name", (int)(n - 3), r->key);
            json_object_del(rec, name);
        }
    }
}

int form_layout_strip(struct db *db, const struct entity *e, const struct actor *u, json_t *rec)
{
    const struct rules *rs;
    int rc = current_rules(db, e, &rs);
    if (rc < 0 || !rs)
        return rc;
    if (json_is_array(rec)) {
        size_t i;
        json_t *o;
        json_array_foreach(rec, i, o) strip_one(rs, u, o);
    } else {
        strip_one(rs, u, rec);
    }
    return 0;
}

/* The value of field key in a record or an input (custom values in
 * "custom", tags as "tag_ids" in an input); NULL when absent. */
static json_t *value_of(json_t *o, const char *key, bool input)
{
    if (!o)
        return NULL;
    if (strncmp(key, "custom.", 7) == 0)
        return json_object_get(json_object_get(o, "custom"), key + 7);
    if (input && strcmp(key, "tags") == 0)
        return json_object_get(o, "tag_ids");
    return json_object_get(o, key);
}

static bool empty(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0) ||
           (json_is_object(v) && json_object_size(v) == 0);
}

/* The form sends back what it showed: equal, or both empty. Numbers
 * compare by value (1 and 1.0), money text as given. */
static bool same(json_t *a, json_t *b)
{
    if (empty(a) && empty(b))
        return true;
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    return a && b && json_equal(a, b);
}

int form_layout_check(struct db *db, const struct entity *e, const struct actor *u,
                      const char *lang, json_t *in, json_t *cur, json_t *out, json_t *errors)
{
    const struct rules *rs;
    int rc = current_rules(db, e, &rs);
    if (rc < 0 || !rs)
        return rc;
    for (size_t i = 0; i < rs->n; i++) {
        const struct rule *r = &rs->r[i];
        json_t *given = value_of(in, r->key, true);
        if (json_object_get(errors, r->key))
            continue;
        /* On an edit of a tags field, tags are changed through their own
         * endpoints; the record has no "tags" to compare with. */
        json_t *was = cur ? value_of(cur, r->key, false) : NULL;
        if (given && !edits(r, u) && !same(given, was)) {
            json_object_set_new(errors, r->key, json_string(i18n_msg(lang, "layout.not_editable")));
            continue;
        }
        if (!r->required || !edits(r, u) || (cur && !given))
            continue;
        json_t *v = strcmp(r->key, "tags") == 0 ? given : value_of(out, r->key, false);
        if (empty(v) && empty(given))
            json_object_set_new(errors, r->key, json_string(i18n_msg(lang, "field.required")));
    }
    return 0;
}

/* ---- the resolved layout ---- */

/* Group key, labels and position of every placed field of layout, keyed
 * by field key. */
static json_t *placements(json_t *layout)
{
    json_t *at = json_object();
    size_t g, i, n = 0;
    json_t *group, *f;
    json_array_foreach(json_object_get(layout, "groups"), g, group)
    {
        json_array_foreach(json_object_get(group, "fields"), i, f)
        {
            const char *key = json_string_value(json_object_get(f, "key"));
            if (key)
                json_object_set_new(
                    at, key,
                    json_pack("{s:O,s:O,s:O,s:I}", "group", json_object_get(group, "key"),
                              "group_label", json_object_get(group, "label"), "group_label_en",
                              json_object_get(group, "label_en"), "order", (json_int_t)n++));
        }
    }
    return at;
}

/* The current layout of e (stored or derived) with its version into
 * *layout, the fields into *fields. 0 or <0. */
static int current_layout(struct db *db, const struct entity *e, json_t **layout, json_t **fields)
{
    *layout = NULL;
    *fields = form_layout_fields(db, e);
    if (!*fields)
        return DB_ERROR;
    int64_t version;
    int rc = current_version(db, e, &version);
    if (!rc && version)
        rc = form_layout_version(db, e, version, layout) < 0 ? DB_ERROR : 0;
    if (!rc && !*layout) {
        *layout = default_layout(*fields);
        json_object_set_new(*layout, "version", json_integer(0));
    }
    if (rc) {
        json_decref(*fields);
        json_decref(*layout);
        *fields = *layout = NULL;
    }
    return rc;
}

static int cmp_order(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_t *ox = json_object_get(x, "order"), *oy = json_object_get(y, "order");
    json_int_t i = json_is_integer(ox) ? json_integer_value(ox) : 1 << 20;
    json_int_t j = json_is_integer(oy) ? json_integer_value(oy) : 1 << 20;
    if (i != j)
        return i < j ? -1 : 1;
    json_int_t si = json_integer_value(json_object_get(x, "_seq"));
    json_int_t sj = json_integer_value(json_object_get(y, "_seq"));
    return si < sj ? -1 : si > sj;
}

json_t *form_layout_meta_fields(struct db *db, const struct entity *e, const struct actor *u)
{
    json_t *layout, *fields;
    const struct rules *rs;
    if (current_layout(db, e, &layout, &fields) || current_rules(db, e, &rs) < 0) {
        json_decref(layout);
        json_decref(fields);
        return NULL;
    }
    json_t *at = placements(layout);
    bool saved = json_integer_value(json_object_get(layout, "version")) > 0;
    size_t n = json_array_size(fields), k = 0, i;
    json_t **v = xcalloc(n ? n : 1, sizeof(*v)), *f;
    json_array_foreach(fields, i, f)
    {
        const char *key = json_string_value(json_object_get(f, "key"));
        if (!sees(rule_of(rs, key), u))
            continue;
        json_t *p = json_object_get(at, key);
        /* The description stays as it was until a layout is saved. */
        json_object_del(f, "auto");
        if (saved) {
            json_object_set(f, "group", p ? json_object_get(p, "group") : json_null());
            json_object_set(f, "group_label", p ? json_object_get(p, "group_label") : json_null());
            json_object_set(f, "group_label_en",
                            p ? json_object_get(p, "group_label_en") : json_null());
            json_object_set(f, "order", p ? json_object_get(p, "order") : json_null());
        }
        json_object_set_new(f, "_seq", json_integer((json_int_t)i));
        v[k++] = f;
    }
    /* A saved layout orders them, unplaced fields after in descriptor
     * order; until then the descriptor's order stands as it always did. */
    if (saved)
        qsort(v, k, sizeof(*v), cmp_order);
    json_t *out = json_array();
    for (i = 0; i < k; i++) {
        json_object_del(v[i], "_seq");
        json_array_append(out, v[i]);
    }
    free(v);
    json_decref(at);
    json_decref(layout);
    json_decref(fields);
    return out;
}

static json_t *roles_or_null(json_t *roles)
{
    return json_is_array(roles) ? json_incref(roles) : json_null();
}

json_t *form_layout_resolved(struct db *db, const struct entity *e, const struct actor *u)
{
    json_t *layout, *fields;
    if (current_layout(db, e, &layout, &fields))
        return NULL;
    unsigned bit = actor_bit(u);
    json_t *groups = json_array(), *placed = json_object();
    size_t g, i;
    json_t *group, *f;
    json_array_foreach(json_object_get(layout, "groups"), g, group)
    {
        json_t *out = json_array();
        json_array_foreach(json_object_get(group, "fields"), i, f)
        {
            const char *key = json_string_value(json_object_get(f, "key"));
            json_t *meta = key ? field_by_key(fields, key) : NULL;
            /* A custom field retired after the save is no longer there. */
            if (!meta)
                continue;
            unsigned vis = role_bits(json_object_get(f, "visible_roles"));
            unsigned ed = role_bits(json_object_get(f, "editable_roles")) & vis;
            json_t *o = json_deep_copy(meta);
            /* What every record needs (EF_REQUIRED) the designer keeps
             * required and open to every role. */
            json_object_set_new(o, "needed",
                                json_boolean(json_is_true(json_object_get(meta, "builtin")) &&
                                             json_is_true(json_object_get(meta, "required"))));
            json_object_set(o, "width", json_object_get(f, "width"));
            json_object_set_new(o, "required",
                                json_boolean(json_is_true(json_object_get(f, "required"))));
            json_object_set(o, "help", json_object_get(f, "help"));
            json_object_set(o, "help_en", json_object_get(f, "help_en"));
            json_object_set_new(o, "visible_roles",
                                roles_or_null(json_object_get(f, "visible_roles")));
            json_object_set_new(o, "editable_roles",
                                roles_or_null(json_object_get(f, "editable_roles")));
            json_object_set_new(o, "visible", json_boolean((vis & bit) != 0));
            json_object_set_new(o, "editable", json_boolean((ed & bit) != 0));
            json_array_append_new(out, o);
            json_object_set_new(placed, key, json_true());
        }
        json_array_append_new(groups,
                              json_pack("{s:O,s:O,s:O,s:o}", "key", json_object_get(group, "key"),
                                        "label", json_object_get(group, "label"), "label_en",
                                        json_object_get(group, "label_en"), "fields", out));
    }
    json_t *unplaced = json_array();
    json_array_foreach(
        fields, i, f) if (!json_object_get(placed, json_string_value(json_object_get(f, "key"))))
        json_array_append(unplaced, f);
    json_t *body = json_pack("{s:s,s:O,s:b,s:o,s:o}", "entity", e->name, "version",
                             json_object_get(layout, "version"), "saved",
                             json_integer_value(json_object_get(layout, "version")) > 0, "groups",
                             groups, "unplaced", unplaced);
    static const char *const about[] = {"note", "author_id", "author_name", "created_at", NULL};
    for (const char *const *k = about; *k; k++) {
        json_t *v = json_object_get(layout, *k);
        json_object_set(body, *k, v ? v : json_null());
    }
    json_decref(placed);
    json_decref(layout);
    json_decref(fields);
    return body;
}

/* ---- saving ---- */

static bool group_key_ok(const char *k)
{
    if (!k || !(*k >= 'a' && *k <= 'z') || strlen(k) > 32)
        return false;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

static void fail(json_t *errors, const char *lang, const char *where, const char *key)
{
    if (!json_object_get(errors, where))
        json_object_set_new(errors, where, json_string(i18n_msg(lang, key)));
}

/* A roles list: null (every role) or known role names, each once. */
static json_t *clean_roles(json_t *v, bool *ok)
{
    if (!v || json_is_null(v))
        return json_null();
    *ok = json_is_array(v);
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(v, i, r)
    {
        int k = perm_role_index(json_string_value(r));
        if (k < 0) {
            *ok = false;
            continue;
        }
        bool seen = false;
        size_t j;
        json_t *p;
        json_array_foreach(out, j, p) seen =
            seen || strcmp(json_string_value(p), perm_role_at((size_t)k)) == 0;
        if (!seen)
            json_array_append_new(out, json_string(perm_role_at((size_t)k)));
    }
    return out;
}

static const char *text_or(json_t *o, const char *key, size_t max, bool *ok)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return "";
    if (!json_is_string(v) || json_string_length(v) > max) {
        *ok = false;
        return "";
    }
    return json_string_value(v);
}

/* One placed field of the PUT body, checked, into the clean layout. */
static void clean_field(json_t *fields, json_t *f, json_t *seen, json_t *out, const char *lang,
                        json_t *errors)
{
    const char *key = json_string_value(json_object_get(f, "key"));
    if (!key) {
        fail(errors, lang, "groups", "layout.unknown_field");
        return;
    }
    if (!field_by_key(fields, key)) {
        fail(errors, lang, key, "layout.unknown_field");
        return;
    }
    if (json_object_get(seen, key)) {
        fail(errors, lang, key, "layout.field_twice");
        return;
    }
    json_object_set_new(seen, key, json_true());
    const char *width = json_string_value(json_object_get(f, "width"));
    if (!width)
        width = "half";
    if (strcmp(width, "half") != 0 && strcmp(width, "full") != 0)
        fail(errors, lang, key, "layout.width");
    bool ok = true, roles_ok = true;
    const char *help = text_or(f, "help", HELP_MAX, &ok);
    const char *help_en = text_or(f, "help_en", HELP_MAX, &ok);
    if (!ok)
        fail(errors, lang, key, "field.too_long");
    json_t *vis = clean_roles(json_object_get(f, "visible_roles"), &roles_ok);
    json_t *ed = clean_roles(json_object_get(f, "editable_roles"), &roles_ok);
    if (!roles_ok)
        fail(errors, lang, key, "field.unknown_role");
    json_array_append_new(
        out, json_pack("{s:s,s:s,s:b,s:s,s:s,s:o,s:o}", "key", key, "width", width, "required",
                       json_is_true(json_object_get(f, "required")), "help", help, "help_en",
                       help_en, "visible_roles", vis, "editable_roles", ed));
}

/* What every record of e needs (EF_REQUIRED) stays on the form, required,
 * visible and editable for every role that may create one. */
static void check_needed(const struct entity *e, const struct rules *rs, const char *lang,
                         json_t *errors)
{
    unsigned creators = 0;
    for (size_t i = 0; perm_role_at(i); i++)
        if ((perm_for_role(perm_role_at(i)) & e->perm_write) == e->perm_write)
            creators |= 1u << i;
    for (const struct entity_field *f = e->fields; f->key; f++) {
        if (!(f->flags & EF_REQUIRED) || (f->flags & EF_INTERNAL))
            continue;
        const struct rule *r = rule_of(rs, f->key);
        if (!r || !r->required || (r->editable & creators) != creators)
            fail(errors, lang, f->key, "layout.entity_required");
    }
}

/* The PUT body checked into a clean layout (only what the layout keeps). */
static json_t *clean_layout(struct db *db, const struct entity *e, json_t *in, const char *lang,
                            json_t *errors)
{
    json_t *fields = form_layout_fields(db, e);
    if (!fields)
        return NULL;
    json_t *groups = json_object_get(in, "groups"), *out = json_array(), *seen = json_object(),
           *keys = json_object();
    if (!json_is_array(groups) || !json_array_size(groups) || json_array_size(groups) > MAX_GROUPS)
        fail(errors, lang, "groups", "layout.groups");
    size_t g, i;
    json_t *group, *f;
    json_array_foreach(groups, g, group)
    {
        char where[32];
        snprintf(where, sizeof(where), "groups[%zu]", g);
        const char *key = json_string_value(json_object_get(group, "key"));
        if (!group_key_ok(key) || json_object_get(keys, key))
            fail(errors, lang, where, "layout.group_key");
        else
            json_object_set_new(keys, key, json_true());
        bool ok = true;
        const char *label = text_or(group, "label", 32, &ok);
        const char *label_en = text_or(group, "label_en", 64, &ok);
        if (!ok || !*label)
            fail(errors, lang, where, ok ? "layout.label_required" : "field.too_long");
        json_t *placed = json_array();
        json_array_foreach(json_object_get(group, "fields"), i, f)
            clean_field(fields, f, seen, placed, lang, errors);
        json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:o}", "key", key ? key : "", "label",
                                             label, "label_en", *label_en ? label_en : label,
                                             "fields", placed));
    }
    json_t *layout = json_pack("{s:o}", "groups", out);
    struct rules *rs = compile(e, 0, layout);
    check_needed(e, rs, lang, errors);
    for (size_t k = 0; k < rs->n; k++)
        free(rs->r[k].key);
    free(rs->r);
    free(rs);
    json_decref(seen);
    json_decref(keys);
    json_decref(fields);
    return layout;
}

int form_layout_save(struct db *db, const struct actor *a, const struct entity *e, json_t *in,
                     int64_t *version, json_t *errors)
{
    json_t *base = json_object_get(in, "base_version");
    json_t *note = json_object_get(in, "note");
    if (!json_is_integer(base))
        fail(errors, a->lang, "base_version", "field.not_integer");
    if (note && !json_is_null(note) && (!json_is_string(note) || json_string_length(note) > 200))
        fail(errors, a->lang, "note", "field.too_long");
    json_t *layout = clean_layout(db, e, in, a->lang, errors);
    if (!layout)
        return DB_ERROR;
    int64_t cur = 0;
    int rc = json_object_size(errors) ? OP_INVALID : current_version(db, e, &cur);
    if (!rc && cur != json_integer_value(base))
        rc = OP_STALE;
    char *text = rc ? NULL : json_dumps(layout, JSON_COMPACT);
    if (!rc && !(rc = db_begin(db))) {
        *version = cur + 1;
        rc = db_exec(db,
                     "INSERT INTO form_layouts (entity, version, layout, note, author_id, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(e->name), DB_INT(*version), DB_TEXT(text),
                             DB_TEXT(json_string_value(note)), DB_INT_OR_NULL(a->id, a->id),
                             DB_INT(clock_now())));
        /* Two saves from one base: the second meets the first's row. */
        if (rc == DB_CONSTRAINT)
            rc = OP_STALE;
        if (!rc)
            rc = actor_audit(db, a, "form_layout.save", "form_layout", *version,
                             json_pack("{s:s,s:I,s:I,s:s?}", "entity", e->name, "from",
                                       (json_int_t)cur, "to", (json_int_t)*version, "note",
                                       json_string_value(note)));
        rc = op_end(db, rc);
    }
    free(text);
    json_decref(layout);
    return rc;
}
