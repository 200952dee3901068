/*
 * print_template_api.c - the HTTP endpoints of the statement print
 * templates (print_template.c): list, one, create an enterprise's own,
 * change, delete, the logo and seal images, and the preview (page 1 of a
 * sample statement as a PNG, the page count in X-Page-Count) of the
 * stored template or of a draft sent in the body. Admins only.
 */
#include "billing/print_template.h"

#include "base/xmalloc.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>

static void reply_template(struct req *r, unsigned status, int64_t id)
{
    struct print_template *t = xmalloc(sizeof(*t));
    int rc = print_template_read(r->db, id, t);
    if (rc == 1)
        reply_json(r, status, print_template_json(t));
    else
        op_reply(r, rc ? rc : OP_NOT_FOUND, NULL);
    free(t);
}

static void list(struct req *r)
{
    json_t *items = print_template_list(r->db);
    if (!items) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:o,s:I,s:n}", "items", items, "total",
                         (json_int_t)json_array_size(items), "next_cursor"));
}

static void get(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        reply_template(r, 200, id);
}

static void create(struct req *r)
{
    json_t *errors = json_object();
    int64_t id = 0;
    int rc = print_template_create(r->db, r->actor, r->json, &id, errors);
    if (!op_reply(r, rc, errors))
        reply_template(r, 201, id);
    json_decref(errors);
}

static void update(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    int rc = print_template_save(r->db, r->actor, id, r->json, errors);
    if (!op_reply(r, rc, errors))
        reply_template(r, 200, id);
    json_decref(errors);
}

static void remove_template(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = print_template_delete(r->db, r->actor, id);
    if (rc == OP_CONFLICT)
        reply_error_key(r, 409, "conflict", "print.default");
    else if (!op_reply(r, rc, NULL))
        reply_ok(r);
}

/* The stored template with the draft in the body over it (nothing kept). */
static void preview(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    struct print_template *t = xmalloc(sizeof(*t));
    json_t *errors = json_object();
    int rc = print_template_read(r->db, id, t);
    if (rc == 1)
        rc = print_template_apply(r->json, t, r->actor->lang, errors);
    else
        rc = rc ? rc : OP_NOT_FOUND;
    char *png = NULL;
    size_t len = 0;
    int pages = 0;
    if (!rc && print_template_preview(t, &png, &len, &pages))
        rc = DB_ERROR;
    if (!op_reply(r, rc, errors)) {
        char n[16];
        snprintf(n, sizeof(n), "%d", pages);
        reply_bytes(r, 200, "image/png", png, len, NULL);
        reply_header(r, "X-Page-Count", n);
    }
    free(png);
    free(t);
    json_decref(errors);
}

static void put_image(struct req *r, bool seal)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    char *data = NULL;
    size_t len = 0;
    /* past the limit the check refuses it by its size alone */
    size_t cap = (2u << 20);
    FILE *f = fopen(r->upload_path, "rb");
    if (f) {
        data = xmalloc(cap);
        len = fread(data, 1, cap, f);
        fclose(f);
        if ((int64_t)len < r->upload_size)
            len = cap;
    }
    int rc = print_template_image(r->db, r->actor, id, seal, data ? data : "", len, errors);
    if (!op_reply(r, rc, errors))
        reply_template(r, 200, id);
    free(data);
    json_decref(errors);
}

static void get_image(struct req *r, bool seal)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    struct print_template *t = xmalloc(sizeof(*t));
    int rc = print_template_read(r->db, id, t);
    char *data = NULL;
    size_t len = 0;
    if (rc == 1 && print_template_image_read(t, seal, &data, &len) == 1)
        reply_bytes(r, 200, "image/png", data, len, NULL);
    else if (rc < 0)
        reply_db_error(r, rc);
    else
        reply_error(r, 404, "not_found");
    free(data);
    free(t);
}

static void del_image(struct req *r, bool seal)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = print_template_image(r->db, r->actor, id, seal, NULL, 0, NULL);
    if (!op_reply(r, rc, NULL))
        reply_template(r, 200, id);
}

static void set_logo(struct req *r)
{
    put_image(r, false);
}
static void set_seal(struct req *r)
{
    put_image(r, true);
}
static void get_logo(struct req *r)
{
    get_image(r, false);
}
static void get_seal(struct req *r)
{
    get_image(r, true);
}
static void del_logo(struct req *r)
{
    del_image(r, false);
}
static void del_seal(struct req *r)
{
    del_image(r, true);
}

#include "billing/print_template_api.routes.h"
