/*
 * form.c - see form.h.
 */
#include "http/form.h"

#include "base/i18n.h"
#include "base/xmalloc.h"

#include <string.h>

void form_init(struct form *f, struct req *r)
{
    f->r = r;
    f->in = r->json;
    f->errors = json_object();
    f->lang = r->lang;
}

void form_init_json(struct form *f, json_t *in, const char *lang, json_t *errors)
{
    f->r = NULL;
    f->in = in;
    f->errors = json_incref(errors);
    f->lang = lang;
}

bool form_init_id(struct form *f, struct req *r, int i, int64_t *id)
{
    if (!req_param_id_or_404(r, i, id))
        return false;
    form_init(f, r);
    return true;
}

void form_release(struct form *f)
{
    json_decref(f->errors);
    f->errors = NULL;
}

bool form_has(struct form *f, const char *key)
{
    return f->in && json_object_get(f->in, key) != NULL;
}

void form_fail(struct form *f, const char *key, const char *msg_key)
{
    if (!json_object_get(f->errors, key))
        json_object_set_new(f->errors, key, json_string(i18n_msg(f->lang, msg_key)));
}

/* The value of key; NULL when it is absent or null (a failure for the field
 * when it is required). */
static json_t *field_value(struct form *f, const char *key, bool required)
{
    json_t *v = f->in ? json_object_get(f->in, key) : NULL;
    if (v && !json_is_null(v))
        return v;
    if (required)
        form_fail(f, key, "field.required");
    return NULL;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *form_str(struct form *f, const char *key, bool required, size_t max_chars)
{
    json_t *v = field_value(f, key, required);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        form_fail(f, key, "field.not_string");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len) { /* embedded NUL */
        form_fail(f, key, "field.invalid");
        return NULL;
    }
    size_t start = 0, end = len;
    while (start < end && is_space(s[start]))
        start++;
    while (end > start && is_space(s[end - 1]))
        end--;
    if (start == end) {
        if (required)
            form_fail(f, key, "field.required");
        return NULL;
    }
    if (start != 0 || end != len) {
        /* Keep the trimmed copy in the body object so it lives as long as
         * the request does. */
        json_object_set_new(f->in, key, json_stringn(s + start, end - start));
        s = json_string_value(json_object_get(f->in, key));
    }
    if (utf8_len(s) > max_chars) {
        form_fail(f, key, "field.too_long");
        return NULL;
    }
    return s;
}

static bool is_integer(const json_t *v)
{
    return json_is_integer(v);
}

static bool is_boolean(const json_t *v)
{
    return json_is_boolean(v);
}

/* The value of key into *v when it is of the type `ok` tells: 1; 0 when
 * absent (failed when required), -1 when of another type (failed with
 * msg_key). */
static int typed_value(struct form *f, const char *key, bool required, bool (*ok)(const json_t *),
                       const char *msg_key, json_t **v)
{
    *v = field_value(f, key, required);
    if (!*v)
        return 0;
    if (!ok(*v)) {
        form_fail(f, key, msg_key);
        return -1;
    }
    return 1;
}

int form_int(struct form *f, const char *key, bool required, int64_t *out)
{
    json_t *v;
    int rc = typed_value(f, key, required, is_integer, "field.not_integer", &v);
    if (rc == 1)
        *out = json_integer_value(v);
    return rc;
}

int form_bool(struct form *f, const char *key, bool required, bool *out)
{
    json_t *v;
    int rc = typed_value(f, key, required, is_boolean, "field.not_boolean", &v);
    if (rc == 1)
        *out = json_is_true(v);
    return rc;
}

bool form_ok(struct form *f)
{
    bool ok = json_object_size(f->errors) == 0;
    form_release(f);
    return ok;
}

bool form_done(struct form *f)
{
    if (json_object_size(f->errors) == 0) {
        form_release(f);
        return true;
    }
    reply_invalid(f->r, f->errors);
    f->errors = NULL;
    return false;
}
