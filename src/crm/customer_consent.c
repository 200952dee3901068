/*
 * customer_consent.c - marketing consent (PIPL) and the e-mail address on
 * the customer record: whether the person agreed to marketing messages
 * (granted / refused / unknown), when and how that was recorded, and an
 * opt-out per channel. Campaigns reach only "granted" customers who have
 * not opted out of the channel (campaign.c); "unknown" is not asked, so not
 * contacted.
 */
#include "crm/customer_int.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "db/db.h"

#include <string.h>

static const char *const consents[] = {"granted", "refused", "unknown", NULL};
static const char *const sources[] = {"counter", "paper", "phone", "web", "import", NULL};

static bool one_of(const char *const *list, const char *v)
{
    for (; v && *list; list++)
        if (strcmp(*list, v) == 0)
            return true;
    return false;
}

static void fail(json_t *errors, const char *lang, const char *field, const char *key)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(i18n_msg(lang, key)));
}

static void check_choice(json_t *in, json_t *out, json_t *errors, const char *lang, const char *key,
                         const char *const *list)
{
    json_t *v = json_object_get(in, key);
    if (!v)
        return;
    if (json_is_null(v) && list == sources)
        json_object_set_new_nocheck(out, key, json_null());
    else if (!one_of(list, json_string_value(v)))
        fail(errors, lang, key, "field.unknown_option");
    else
        json_object_set(out, key, v);
}

void customer_consent_check(json_t *in, json_t *cur, json_t *out, json_t *errors, const char *lang)
{
    if (!cur) {
        json_object_set_new_nocheck(out, "marketing_consent", json_string("unknown"));
        json_object_set_new_nocheck(out, "sms_opt_out", json_false());
        json_object_set_new_nocheck(out, "email_opt_out", json_false());
    }
    json_t *email = json_object_get(in, "email");
    if (email && (json_is_null(email) || json_string_length(email) == 0))
        json_object_set_new_nocheck(out, "email", json_null());
    else if (email && (!json_is_string(email) || json_string_length(email) > 254 ||
                       validate_email(json_string_value(email))))
        fail(errors, lang, "email", "field.email");
    else if (email)
        json_object_set(out, "email", email);
    check_choice(in, out, errors, lang, "marketing_consent", consents);
    check_choice(in, out, errors, lang, "consent_source", sources);
    static const char *const flags[] = {"sms_opt_out", "email_opt_out", NULL};
    for (const char *const *k = flags; *k; k++) {
        json_t *v = json_object_get(in, *k);
        if (v && !json_is_boolean(v))
            fail(errors, lang, *k, "field.not_boolean");
        else if (v)
            json_object_set(out, *k, v);
    }
    /* A consent given or refused now is dated now and needs its source:
     * the record of how the person said so is what PIPL asks for. */
    const char *was =
        cur ? json_string_value(json_object_get(cur, "marketing_consent")) : "unknown";
    const char *now = json_string_value(json_object_get(out, "marketing_consent"));
    if (now && was && strcmp(now, was) != 0) {
        char iso[32];
        clock_format_iso(clock_now(), iso, sizeof(iso));
        json_object_set_new_nocheck(out, "consent_at",
                                    strcmp(now, "unknown") ? json_string(iso) : json_null());
        if (strcmp(now, "unknown") != 0 &&
            !json_string_value(json_object_get(in, "consent_source")))
            fail(errors, lang, "consent_source", "field.required");
    }
}

int customer_consent_write(struct db *db, int64_t id, json_t *rec)
{
    const char *at = json_string_value(json_object_get(rec, "consent_at"));
    int64_t t = 0;
    bool dated = at && clock_parse_iso(at, &t) == 0;
    const char *consent = json_string_value(json_object_get(rec, "marketing_consent"));
    return db_exec(db,
                   "UPDATE customers SET email = ?, marketing_consent = ?, consent_at = ?, "
                   "consent_source = ?, sms_opt_out = ?, email_opt_out = ? WHERE id = ?",
                   DB_ARGS(DB_TEXT(json_string_value(json_object_get(rec, "email"))),
                           DB_TEXT(consent ? consent : "unknown"), DB_INT_OR_NULL(dated, t),
                           DB_TEXT(json_string_value(json_object_get(rec, "consent_source"))),
                           DB_INT(json_is_true(json_object_get(rec, "sms_opt_out"))),
                           DB_INT(json_is_true(json_object_get(rec, "email_opt_out"))),
                           DB_INT(id)));
}
