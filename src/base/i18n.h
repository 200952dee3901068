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

/* "zh-CN" or "en", from an Accept-Language header value (may be NULL). */
const char *i18n_lang_from_header(const char *accept_language);

/* The message for key in lang; the key itself when no translation exists. */
const char *i18n_msg(const char *lang, const char *key);

#endif
