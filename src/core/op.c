/*
 * op.c - see op.h.
 */
#include "core/op.h"

#include "base/i18n.h"
#include "db/db.h"
#include "http/http.h"

int op_end(struct db *db, int rc)
{
    return db_end(db, rc);
}

int op_checked(int rc, json_t *errors)
{
    return rc ? rc : json_object_size(errors) ? OP_INVALID : 0;
}

int op_check_version(json_t *in, json_t *cur, const char *lang, json_t *errors, json_int_t *version)
{
    json_t *v = json_object_get(in, "version");
    *version = json_integer_value(v);
    if (!json_is_integer(v)) {
        json_object_set_new(errors, "version", json_string(i18n_msg(lang, "field.required")));
        return OP_INVALID;
    }
    return *version == json_integer_value(json_object_get(cur, "version")) ? 0 : OP_STALE;
}

bool op_reply(struct req *r, int rc, json_t *errors)
{
    switch (rc) {
    case OP_OK:
        return false;
    case OP_INVALID:
        reply_invalid(r, json_deep_copy(errors));
        break;
    case OP_NOT_FOUND:
        reply_error(r, 404, "not_found");
        break;
    case OP_STALE:
        reply_error(r, 409, "stale_version");
        break;
    case OP_CONFLICT: {
        const char *key = json_string_value(json_object_get(errors, "message_key"));
        reply_error_key(r, 409, "conflict", key ? key : "conflict");
        break;
    }
    case OP_FORBIDDEN:
        reply_error(r, 403, "forbidden");
        break;
    case OP_DUPLICATE: {
        /* the operation may name what is duplicated (a tracking number) */
        json_t *dups = json_object_get(errors, "duplicates");
        const char *key = json_string_value(json_object_get(errors, "message_key"));
        reply_json(r, 409,
                   json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "duplicate", "message",
                             req_msg(r, key ? key : "duplicate"), "duplicates",
                             dups ? json_incref(dups) : json_array()));
        break;
    }
    default:
        reply_db_error(r, rc);
    }
    return true;
}
