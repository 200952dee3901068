/*
 * form_layout.h - the form designer's layouts (表单引擎): how an entity's
 * profile form and detail page are arranged (groups, order, width,
 * required, help) and which roles see and change each field.
 *
 * A layout is JSON saved as numbered versions (form_layouts; the highest
 * is current):
 *   {"groups":[{"key","label","label_en","fields":[{"key","width":"half"|"full",
 *     "required","help","help_en","visible_roles":[ROLE…]|null,
 *     "editable_roles":[ROLE…]|null}]}]}
 * null roles mean every role. Fields of the entity placed in no group are
 * "unplaced": not on the form, but not restricted either. Until an admin
 * saves one, the layout is derived from the descriptor and the custom
 * fields, with no role restrictions, so nothing changes for users.
 *
 * The server enforces what the layout says for every entity alike: a field
 * hidden from a role is left out of its records (form_layout_strip), its
 * export columns and filters; a field it may not edit is refused when its
 * value changes, and a layout-required field needs a value
 * (form_layout_check, called by the entity's own check, import included).
 * The rules of a saved version are compiled once and kept for the life of
 * the process, so the list path reads only the current version number.
 */
#ifndef HY_FORM_LAYOUT_H
#define HY_FORM_LAYOUT_H

#include "http/http.h"
#include "record/entity.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* The fields of e as GET /meta/entities describes them, in descriptor
 * order (built-in, then active custom fields); NULL on a database error. */
json_t *form_layout_fields(struct db *db, const struct entity *e);

/* The same fields as the caller sees them (GET /meta/entities): those
 * hidden from u left out and, once a layout is saved, in its order, each
 * with "group", "group_label", "group_label_en" (null when unplaced) and
 * "order". NULL on a database error. */
json_t *form_layout_meta_fields(struct db *db, const struct entity *e, const struct actor *u);

/* Whether u may see (read) field key of e under the current layout: 1
 * yes, 0 no, <0 a database error. */
int form_layout_visible(struct db *db, const struct entity *e, const struct actor *u,
                        const char *key);

/* Which of keys[0..n-1] (n at most 31) u may see under the current
 * layout, as bit i for keys[i], with one read of the current version: a
 * quick search skips the matchers of hidden fields, so that typing a
 * value one may not see does not tell whether a record holds it. <0 on a
 * database error. */
int form_layout_visible_mask(struct db *db, const struct entity *e, const struct actor *u,
                             const char *const keys[], size_t n);

/* Remove from rec (one record, or an array of them) what u may not see:
 * the hidden fields, with "x_name" beside a hidden "x_id" and hidden
 * custom values. <0 on a database error (rec then holds no custom values
 * or hidden candidates: better too little than a leak). */
int form_layout_strip(struct db *db, const struct entity *e, const struct actor *u, json_t *rec);

/* The layout's rules on a create (cur NULL) or an edit of a record by u:
 * a field u may not edit whose value in `in` differs from cur is refused
 * (layout.not_editable); a required field given empty, or missing on a
 * create from out (the record as it will be written), is refused
 * (field.required). Messages in lang into errors, keyed by field
 * ("custom.<key>" for custom fields). 0 or <0 on a database error. */
int form_layout_check(struct db *db, const struct entity *e, const struct actor *u,
                      const char *lang, json_t *in, json_t *cur, json_t *out, json_t *errors);

/* The layout of e resolved for u (GET /form-layouts/{entity}); NULL on a
 * database error. */
json_t *form_layout_resolved(struct db *db, const struct entity *e, const struct actor *u);

/* The stored version n of e's layout as saved, with version, note,
 * author_id, author_name and created_at: 1, 0 when there is none, <0. */
int form_layout_version(struct db *db, const struct entity *e, int64_t n, json_t **out);

/* Save layout (the PUT body: base_version, note, groups) as the next
 * version of e, audited (form_layout.save with from / to); OP_INVALID
 * with field messages, OP_STALE when base_version is not current. */
int form_layout_save(struct db *db, const struct actor *a, const struct entity *e, json_t *in,
                     int64_t *version, json_t *errors);

extern const struct route form_layouts_routes[];

#endif
