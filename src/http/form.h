/*
 * form.h - reading and validating JSON request bodies field by field.
 *
 * A handler walks the fields it accepts; each accessor records a
 * translated message for a bad field and carries on, so the user sees every
 * problem at once. form_done() answers 422 with all field messages when any
 * field was bad. Built-in and custom fields go through the same code.
 */
#ifndef HY_FORM_H
#define HY_FORM_H

#include "base/utf8.h" /* utf8_len() for field limits */
#include "http/http.h"

struct form {
    struct req *r; /* NULL for a form read outside a request */
    json_t *in;
    json_t *errors;
    const char *lang; /* of the messages */
};

void form_init(struct form *f, struct req *r);
/* A form over the object in outside a request (a domain operation): the
 * messages, in lang, go into errors (the caller's object). Finish with
 * form_release, not form_done. */
void form_init_json(struct form *f, json_t *in, const char *lang, json_t *errors);
/* form_init for the edit of the record the path names: its id (path
 * parameter i) into *id first; false, having answered 404 and with no form
 * to release, when the parameter is no id. */
bool form_init_id(struct form *f, struct req *r, int i, int64_t *id);
void form_release(struct form *f);
/* True when the body names key (even as null). */
bool form_has(struct form *f, const char *key);
/* Record msg_key as the message for key (the first message per field wins). */
void form_fail(struct form *f, const char *key, const char *msg_key);
/* A string value with surrounding white space trimmed. NULL when absent,
 * null or empty (an error if required), or not a string / longer than
 * max_chars code points (an error). Valid as long as the request. */
const char *form_str(struct form *f, const char *key, bool required, size_t max_chars);
/* An integer: 1 when present and valid (in *out), 0 when absent or null
 * (an error if required), -1 when invalid. */
int form_int(struct form *f, const char *key, bool required, int64_t *out);
/* A boolean, same return values as form_int. */
int form_bool(struct form *f, const char *key, bool required, bool *out);
/* False, having replied 422, when any field failed; true otherwise. */
bool form_done(struct form *f);
/* For form_init_json: release f and tell whether every field was good
 * (the messages stay in the caller's errors). */
bool form_ok(struct form *f);

#endif
