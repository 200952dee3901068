/*
 * i18n.h - server-side messages in the user's language.
 *
 * Error messages and field messages the API returns are looked up by a
 * stable English key ("invalid_credentials", "field.required", ...) in one
 * table (i18n.c) holding Chinese and English, so that translations are
 * reviewed in one place. Chinese is the default language.
 */
#ifndef HY_I18N_H
#define HY_I18N_H

#include <stddef.h>

/* "zh-CN" or "en", from an Accept-Language header value (may be NULL). */
const char *i18n_lang_from_header(const char *accept_language);

/* The message for key in lang; the key itself when no translation exists. */
const char *i18n_msg(const char *lang, const char *key);

/* The stable key of an error code 0, -1, -2, ... from keys[-code] (a table
 * indexed by the negated code; NULL holes allowed): "unknown" for a code
 * the table does not name. Never NULL. */
const char *i18n_code_key(int code, const char *const keys[], size_t nkeys);

#endif
