/*
 * entity.h - the entity registry: what the generic machinery (filter
 * language, custom fields, tags, history, scoping, masking, import,
 * export, segments, merge and erasure of references, the metadata
 * endpoint) needs to know about a kind of record.
 *
 * A domain describes each of its kinds of record in a `const struct
 * entity` and registers it from its module's init (crm/customer_entity.c,
 * crm/interaction_entity.c). Nothing in src/record names an entity: a new
 * domain is a descriptor, not a copy of the import or export code.
 */
#ifndef HY_ENTITY_H
#define HY_ENTITY_H

#include "auth/actor.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct sqlbuf;

enum field_type {
    /* types a custom field can have */
    FT_TEXT,
    FT_TEXTAREA,
    FT_NUMBER,
    FT_MONEY,
    FT_DATE, /* 'YYYY-MM-DD' text */
    FT_SELECT,
    FT_MULTISELECT,
    FT_PHONE,
    FT_EMAIL,
    FT_BOOLEAN,
    /* built-in only */
    FT_INT,
    FT_TIME,   /* Unix seconds */
    FT_TAGS,   /* tags attached through object_tags */
    FT_BRANCH, /* a branch id; filters match the branch and below */
    FT_ARRAY,  /* JSON array of text */
    FT_REF,    /* the id of another record (a user, a customer) */
};

/* Field flags. */
#define EF_FILTER   1u  /* usable in the filter language */
#define EF_SORT     2u  /* a list may sort by it */
#define EF_EXPORT   4u  /* an export column */
#define EF_IMPORT   8u  /* an import target */
#define EF_REQUIRED 16u /* a record needs a value (forms, import mappings) */
#define EF_INTERNAL 32u /* for the program (filters, reminders), not shown to people */
/* set by the program (numbers, times): shown on a profile, never on a form */
#define EF_AUTO 64u

/* What masking a value needs for a user without PERM_REVEAL. */
enum field_mask {
    MASK_NONE,
    MASK_PHONE,
    MASK_ID,
    MASK_EMAIL, /* "w***@example.com" */
    /* a date that holds a person's year of birth: month-day only (the ID
     * number's mask would otherwise be undone by it, issue 13) */
    MASK_YEAR,
    MASK_NAME,    /* a person's name: "王*" (validate.h name_mask) */
    MASK_ADDRESS, /* an address: its first 6 characters and "****" */
};

/* How an export writes a cell; CELL_AUTO derives it from the type and the
 * mask (lists joined with '|', times as local date and time). */
enum field_cell {
    CELL_AUTO,
    CELL_TEXT,
    CELL_GENDER,    /* male / female in the reader's words */
    CELL_BOOL,      /* 是 / 否 */
    CELL_MONEY_FEN, /* integer fen written as yuan */
    CELL_GRAMS,     /* integer grams written as kilograms ("1.250") */
};

struct entity_field {
    const char *key;  /* API name */
    const char *expr; /* SQL over the entity's alias (program text only); NULL: not a column */
    enum field_type type;
    const char *label; /* the words the UI shows */
    const char *label_en;
    unsigned flags;
    enum field_mask mask;
    const char *dict; /* dictionary code of its values, or NULL */
    /* Fixed values of a select without a dictionary: {value, label,
     * label_en} triples ending with {NULL}. */
    const char *const (*options)[3];
    enum field_cell cell;
    /* Export: the column title and the SELECT expression when they differ
     * from label / expr (e.g. a user's name for an owner id); expr_en is
     * used for English readers when set (dictionary labels). */
    const char *header, *header_en;
    const char *export_expr, *export_expr_en;
    /* A value kept sealed (encrypted) in the row, with expr a keyed index
     * of it (a blind index): filters may only ask whether it equals values
     * (eq, in) or is empty, and lookup turns a value into the index
     * (false: not a valid value); export_expr is the sealed column and
     * open gives its clear text (caller frees; NULL when it cannot). */
    bool (*lookup)(const char *value, char *out, size_t outlen);
    char *(*open)(const char *sealed);
};

/* The leading members of an entity_field in order, for descriptor tables:
 * {FIELD("name", "c.name", FT_TEXT, "姓名", "Name", EF_FILTER), .dict = ...}. */
#define FIELD(k, e, t, l, le, fl)                                                                  \
    .key = (k), .expr = (e), .type = (t), .label = (l), .label_en = (le), .flags = (fl)

/* A column of another table that points at records of this entity: moved
 * to the survivor when two records merge, and handled as `on_erase` says
 * when a record is erased (PIPL). */
enum ref_erase {
    REF_KEEP,   /* the rows stay with the erased husk (counts stay right) */
    REF_DELETE, /* the rows go */
    REF_NULL,   /* the column is set to NULL */
};

struct entity_ref {
    const char *table;  /* "interactions" */
    const char *column; /* "customer_id" */
    enum ref_erase on_erase;
    /* Merge: the columns that must stay unique with `column` (a primary
     * key such as (gram, customer_id)); rows of the duplicate that would
     * collide with the survivor's are dropped instead of moved. NULL: none. */
    const char *unique_with;
};

/* The search of an entity's records: append to w the WHERE (over the FROM
 * of its export, aliases included) of the records that params select for
 * u: scope, nothing deleted, the entity's own filters (for customers the
 * quick search q and the filter tree, for business records the list's
 * filters). 0, -1 with *err_field / *err_key set for a bad parameter, or a
 * negative DB_* error. Exports, segments and (in time) rules and reports
 * select through it. */
typedef int (*entity_search_fn)(struct db *db, const struct actor *u, json_t *params,
                                struct sqlbuf *w, const char **err_field, const char **err_key);

/* The background-job hooks of an export (record/export.c). */
struct entity_export {
    const char *from;       /* FROM of the rows, joins for the export expressions included */
    const char *count_from; /* FROM of the count (fewer joins); NULL: from */
    /* The page key beside the id: e.g. "i.occurred_at" read newest first;
     * NULL pages by id ascending. */
    const char *page_key;
    bool columns_required;              /* false: no columns means default_columns */
    const char *const *default_columns; /* NULL-ended keys */
    const char *const *params;          /* request keys copied into the job (NULL-ended) */
    const char *sheet, *sheet_en;       /* sheet name */
    const char *file, *file_en;         /* file name stem */
};

/* What the import pipeline hands an entity's import hooks for one run. */
struct import_ctx {
    struct db *db; /* the calling thread's connection (a bulk load checks on one
                    * thread and writes on another) */
    const struct actor *user;
    const char *lang;
    bool update;  /* a duplicate is updated (else skipped) */
    bool dry_run; /* decide only, write nothing */
    void *state;  /* the entity's own, from open */
};

/* Outcomes of entity_import.check. */
enum import_outcome {
    IMPORT_CREATE,  /* a new record: *prepared holds it for write (NULL in a dry run) */
    IMPORT_UPDATED, /* an existing record was updated (or would be, dry run) */
    IMPORT_SKIPPED, /* a duplicate left alone */
    IMPORT_FAILED,  /* errors says why */
};

/* The import hooks (record/import_pipeline.c). The pipeline reads the file,
 * turns each row through the mapping into the JSON the API accepts (by the
 * field types, tags as ids, custom values typed), reports bad rows and
 * commits in batches; the entity checks, deduplicates and writes. */
struct entity_import {
    /* Column titles people use beside the labels: {title, key} pairs,
     * ending with {NULL, NULL}. May be NULL. */
    const char *const (*aliases)[2];
    /* Optional: the API value of a cell for a built-in key (男 → male);
     * NULL: the generic conversion by the field's type. */
    json_t *(*convert)(const char *key, const char *cell);
    /* The message key when a mapping leaves a required field out. */
    const char *missing_required;
    void *(*open)(void);
    void (*close)(void *state);
    /* Check one row's input (tag_ids: its tags' ids): decide its outcome,
     * updating a duplicate on the spot. <0 only for a database failure. */
    int (*check)(struct import_ctx *c, json_t *in, json_t *tag_ids, json_t *errors,
                 enum import_outcome *outcome, void **prepared);
    /* Write (queue) a prepared new record; takes it, also on failure. */
    int (*write)(struct import_ctx *c, void *prepared);
    void (*discard)(void *prepared);
    /* Write what is queued, before the transaction commits. */
    int (*flush)(struct import_ctx *c);
    /* Optional bulk load, in one transaction: begin answers 1 when it is on,
     * 0 when the backend has no bulk path; finish rebuilds what begin took
     * away, reporting its steps (done of steps) to step(arg, ...). */
    int (*bulk_begin)(struct import_ctx *c);
    int (*bulk_finish)(struct import_ctx *c, void (*step)(void *arg, int done, int steps),
                       void *arg);
};

struct entity {
    const char *name;          /* "customer": also the object_tags / history / fields key */
    const char *collection;    /* "customers": also accepted by entity_find */
    const char *label;         /* "个人客户" */
    const char *label_en;      /* "Customers" */
    const char *table;         /* "customers" */
    const char *alias;         /* "c" */
    const char *custom_column; /* "c.custom", or NULL: no custom fields */
    const char *scope_column;  /* "c.branch_path", or NULL: not branch-scoped */
    bool tags;                 /* attaches tags through object_tags */
    unsigned perm_read, perm_write, perm_reveal; /* PERM_* bits (core/perms.h) */
    entity_search_fn search;                     /* NULL: no search (nor export) */
    /* Replace in place what a search's params (q, filter) hold in clear and
     * the entity keeps sealed by what its search takes instead, before the
     * params are stored (export jobs, audit, segments). NULL: nothing. */
    void (*protect)(json_t *params);
    const struct entity_field *fields;  /* form order; ends with {NULL} */
    const struct entity_ref *refs;      /* ends with {NULL}; may be NULL */
    const struct entity_export *export; /* NULL: not exportable */
    const struct entity_import *import; /* NULL: not importable */
};

/* Register e (a static descriptor) from a module's init, before any thread
 * starts. Registering the same descriptor twice is a no-op; a second
 * descriptor with a taken name aborts (a programming error). */
void entity_register(const struct entity *e);
/* The entity named name (or its collection name); NULL when none is. */
const struct entity *entity_find(const char *name);
/* The first registered entity: what an API that names none means. */
const struct entity *entity_default(void);
/* The i-th registered entity, NULL past the last. */
const struct entity *entity_at(size_t i);
/* Forget every registration (tests). */
void entity_registry_clear(void);

const struct entity_field *entity_field(const struct entity *e, const char *key);
/* True when u may read records of e. */
bool entity_readable(const struct entity *e, const struct actor *u);
/* The field type named by a custom field definition ("text", "money", ...);
 * -1 when unknown. */
int entity_type_from_name(const char *name);
const char *entity_type_name(enum field_type t);

#endif
