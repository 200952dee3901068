/*
 * notify.h - telling a staff member something, on the channels they chose:
 * the bell always, and e-mail, SMS, the DingTalk and WeCom group robots of
 * their branch as they chose per notification kind (or as a rule says).
 * Everything but the bell leaves through the outbox, written in the
 * caller's transaction: never lost, never sent twice.
 *
 * Domain code calls notify_user(); the kinds users can choose for are the
 * one table notify_kinds[] in notify.c (add a line for a new kind).
 */
#ifndef HY_NOTIFY_H
#define HY_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct db;

/* The channels besides the bell, in the order the UI shows them. */
extern const char *const notify_channels[]; /* NULL-terminated */
/* The notification kinds users choose channels for. */
extern const char *const notify_kinds[]; /* NULL-terminated */

bool notify_channel_known(const char *channel);
/* The channels (NULL-terminated) a kind reaches besides the bell for a user
 * who has not saved a choice yet; NULL: the bell alone. */
const char *const *notify_kind_defaults(const char *kind);
bool notify_kind_known(const char *kind);

/* Tell a staff member: the bell always, plus each channel the user chose
 * for `kind` (or `channels`, a NULL-terminated list that overrides the
 * choice, for rules). Inside the caller's transaction; dedupe_key (may be
 * NULL) makes a repeat a no-op per channel. Returns 0 or a negative DB_*
 * error.
 *
 * markdown is the message (may be NULL: the title alone); link a path of
 * the web app ("/tasks/12", may be NULL), made absolute with
 * HONGYAN_PUBLIC_URL for the channels that leave the app. E-mail goes to
 * the user's address, SMS to their phone, robot messages to every enabled
 * robot of that kind that serves the user's branch (or every branch) and
 * the kind, @-mentioning the mobile the user bound for it. A channel the
 * user has no address for is skipped; a disabled user gets the bell only. */
int notify_user(struct db *db, int64_t user_id, const char *kind, const char *title,
                const char *markdown, const char *link, const char *dedupe_key,
                const char *const *channels);

/* Read HONGYAN_PUBLIC_URL (start-up, before threads). */
void notify_configure(void);
/* The public base URL, without a trailing slash, or NULL when unset. */
const char *notify_public_url(void);

#endif
