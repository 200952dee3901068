/*
 * print_template.h - statement print templates (打印模板,
 * print_template.c): what a statement's PDF shows and how — its blocks in
 * order (each shown or hidden, with its heading), the waybill table's
 * columns (which, order, labels, widths), the page, the letterhead, the
 * payment terms, the bank details, the footer, a logo and a seal image.
 * One shared default and at most one template of an enterprise's own,
 * which its statements use instead. Admins (PERM_ADMIN) edit them; every
 * change is audited and publishes print_template.changed.
 *
 * The API shape (GET, PUT, the preview's draft):
 *   {"id", "enterprise_id" (null: the default), "enterprise_name", "name",
 *    "version", "updated_at", "page_size": "A4"|"A5",
 *    "orientation": "portrait"|"landscape",
 *    "blocks": [{"key", "visible", "label"}] (every block once, in order),
 *    "columns": [{"field", "label", "width"}] (1-8, width 5-60 parts),
 *    "company", "company_info", "terms", "footer",
 *    "bank": {"bank", "account", "holder"}, "logo": bool, "seal": bool}
 * A label or text left empty prints the default.
 */
#ifndef HY_PRINT_TEMPLATE_H
#define HY_PRINT_TEMPLATE_H

#include "auth/actor.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

enum pt_block {
    PT_HEADER,      /* company letterhead with the logo */
    PT_CUSTOMER,    /* the customer's details */
    PT_SUMMARY,     /* period, pieces, amount due */
    PT_PRODUCTS,    /* totals by product */
    PT_DEPARTMENTS, /* totals by department */
    PT_LINES,       /* the waybill table */
    PT_TOTAL,       /* total in figures and in 大写 */
    PT_TERMS,       /* payment terms */
    PT_BANK,        /* 开户行, 账号, 户名 */
    PT_SEAL,        /* the seal image */
    PT_FOOTER,      /* the footer text (under the document's end) */
    PT_NBLOCKS
};

enum pt_field { PF_NO, PF_DATE, PF_DEPT, PF_PRODUCT, PF_DEST, PF_WEIGHT, PF_AMOUNT, PF_WHY, PF_N };

#define PT_LABEL 100 /* bytes: 32 characters of CJK with room */
#define PT_TEXT  1600

struct pt_block_cfg {
    enum pt_block key;
    bool visible;
    char label[PT_LABEL];
};

struct pt_column {
    enum pt_field field;
    char label[PT_LABEL];
    int width;
};

struct print_template {
    int64_t id, enterprise_id, version, updated_at;
    char name[PT_LABEL * 2], enterprise_name[200];
    bool a5, landscape;
    struct pt_block_cfg blocks[PT_NBLOCKS];
    int ncols;
    struct pt_column cols[PF_N];
    char company[PT_LABEL * 2], company_info[PT_TEXT / 4], terms[PT_TEXT], footer[PT_TEXT / 4];
    char bank[PT_LABEL * 2], account[PT_LABEL], holder[PT_LABEL * 2];
    char logo_file[64], seal_file[64];
};

/* The block's and the field's code ("header", "waybill_no") and the
 * default heading / column label. */
const char *pt_block_code(enum pt_block b);
const char *pt_block_default_label(enum pt_block b);
const char *pt_field_code(enum pt_field f);
const char *pt_field_default_label(enum pt_field f);

/* Template id into *t: 1, 0 none, or DB_*. */
int print_template_read(struct db *db, int64_t id, struct print_template *t);
/* The template enterprise ent's statements use (its own, else the
 * default) into *t: 0 or DB_*. */
int print_template_for(struct db *db, int64_t ent, struct print_template *t);
/* A template as the API shows it. */
json_t *print_template_json(const struct print_template *t);
/* Read in over *t (what in leaves out keeps its value): 0, or OP_INVALID
 * with field messages in errors (lang). Nothing stored. */
int print_template_apply(json_t *in, struct print_template *t, const char *lang, json_t *errors);

/* Every template, the default first. NULL on a database failure. */
json_t *print_template_list(struct db *db);
/* An enterprise's own template (in: enterprise_id, name), a copy of the
 * default's layout: OP_INVALID (no such enterprise; one exists already:
 * errors["enterprise_id"]), 0 with *id. Audited. */
int print_template_create(struct db *db, const struct actor *a, json_t *in, int64_t *id,
                          json_t *errors);
/* Change template id from in (send its "version"): checked, audited. */
int print_template_save(struct db *db, const struct actor *a, int64_t id, json_t *in,
                        json_t *errors);
/* Drop an enterprise's own template (the default stays: OP_CONFLICT). */
int print_template_delete(struct db *db, const struct actor *a, int64_t id);
/* Set (png non-NULL, len bytes) or clear the logo (seal false) or seal
 * image of template id: the PNG is checked (errors["file"]: print.png,
 * print.png_large) and kept in the files directory. Audited. */
int print_template_image(struct db *db, const struct actor *a, int64_t id, bool seal,
                         const void *png, size_t len, json_t *errors);
/* The template's logo / seal file's bytes (*data malloc'd): 1, 0 none. */
int print_template_image_read(const struct print_template *t, bool seal, char **data, size_t *len);

/* Page 1 of a sample statement laid out from t as a PNG, and the sample's
 * page count (the same layout code as the PDF). 0 or -1. */
int print_template_preview(const struct print_template *t, char **png, size_t *len, int *pages);

extern const struct route print_templates_routes[];
extern const struct route statement_xlsx_routes[];

#endif
