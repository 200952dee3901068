/*
 * fields.h - custom fields, the "form engine": definitions added by admins
 * at run time, values validated by the same code as built-in fields and
 * stored in the record's custom JSON column.
 */
#ifndef HY_FIELDS_H
#define HY_FIELDS_H

#include "record/entity.h"
#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;

struct custom_field {
    int64_t id;
    char key[40];
    char label[128];
    enum field_type type;
    bool required, hidden, retired;
    json_t *options; /* [{"value","label","label_en"}] or NULL; owned */
};

void custom_field_clear(struct custom_field *f);

/* The keys of entity's custom fields of type phone, as a JSON object of
 * key → true (new reference; empty when there are none), or NULL on a
 * database error. Read it once for a page of records. */
json_t *fields_phone_keys(struct db *db, const char *entity);

/* Mask, in place, the values in custom (a record's custom object) whose key
 * is in phone_keys (fields_phone_keys), as the built-in phone is masked
 * (138****1234). A NULL phone_keys (the lookup failed) masks every
 * non-empty text value: better hide too much than show a number. */
void fields_mask_phones(json_t *phone_keys, json_t *custom);

/* Load the definition of entity's field key: 1 found, 0 not, <0 error. */
int fields_lookup(struct db *db, const char *entity, const char *key, struct custom_field *out);

/* Check one value v of type t against options; answers the normalised
 * value (new reference) or NULL with *err_key set to a message key. Used
 * for built-in and custom fields alike. */
json_t *fields_check_value(enum field_type t, json_t *options, json_t *v, const char **err_key);

/* Validate the custom values in `in` (an object, may be NULL) for entity:
 * unknown or retired keys are errors, values are normalised into `out`
 * (which may hold the current values on update), and on create every
 * required active field must end up with a value. Messages go to errors
 * keyed "custom.<key>" in lang. */
int fields_check(struct db *db, const char *lang, const char *entity, json_t *in, json_t *out,
                 json_t *errors, bool create);

extern const struct route fields_routes[];

#endif
