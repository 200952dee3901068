/*
 * entity.h - what the generic machinery (filter language, custom fields,
 * tags, history, import, export, segments) needs to know about a kind of
 * record: its table, its built-in fields with their SQL expressions and
 * types, and where its custom values live.
 *
 * Customers are the first entity; enterprises reuse the same machinery by
 * adding a descriptor, not code.
 */
#ifndef HY_ENTITY_H
#define HY_ENTITY_H

#include <stdbool.h>

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
};

/* Field flags. */
#define EF_FILTER     1u
#define EF_SORT       2u
#define EF_EXPORT     4u
#define EF_MASK_PHONE 8u
#define EF_MASK_ID    16u

struct entity_field {
    const char *key;  /* API name */
    const char *expr; /* SQL over the entity's alias, from the program only */
    enum field_type type;
    const char *label;
    const char *label_en;
    unsigned flags;
};

struct entity {
    const char *name;          /* "customer": also the object_tags / history key */
    const char *table;         /* "customers" */
    const char *alias;         /* "c" */
    const char *custom_column; /* "c.custom" */
    const char *scope_column;  /* "c.branch_path" */
    const struct entity_field *fields;
};

extern const struct entity entity_customer;

const struct entity *entity_find(const char *name);
const struct entity_field *entity_field(const struct entity *e, const char *key);
/* The field type named by a custom field definition ("text", "money", ...);
 * -1 when unknown. */
int entity_type_from_name(const char *name);
const char *entity_type_name(enum field_type t);

#endif
