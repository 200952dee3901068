/*
 * mailin.h - the service mailbox: e-mail taken in over IMAP, stored once,
 * and handed on through the domain event "mail.received" {"id"}.
 *
 * The seam for the modules that act on mail (service tickets): consume
 * "mail.received" (core/events.h), read the message with mailin_get(),
 * act, and record what it became with mailin_mark() in the same
 * transaction. The event comes at least once, and again when an admin
 * re-processes a failed message: act only on status "new". Messages the
 * mailbox itself sets aside (auto-replies, mail from our own address, over
 * the size cap) are stored as "ignored" and need no action.
 *
 * Threading: a subject carrying "[工单 T202612030001]" or
 * "[T202612030001]" (a ticket number: T and 12 digits) has thread_ref
 * "T202612030001"; replies sent through the outbox should carry the same
 * reference in their subject so that the customer's answer threads back.
 */
#ifndef HY_MAILIN_H
#define HY_MAILIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct actor;

/* One stored message; text fields are never NULL ("" when absent) except
 * message_id, in_reply_to, thread_ref, error and record_kind. */
struct mail_message {
    int64_t id;
    char *message_id;  /* without the angle brackets */
    char *from_addr;   /* lower-case address */
    char *from_name;   /* display name, decoded */
    char *to_addrs;    /* the To header, decoded */
    char *subject;     /* decoded (RFC 2047), UTF-8 */
    char *in_reply_to; /* a message id */
    char *refs;        /* the References ids, space-separated */
    char *body_text;   /* text/plain, or the HTML part made plain text */
    char *thread_ref;  /* "T202612030001" from the subject */
    char *status;      /* new, processed, ignored, failed */
    char *error;
    char *record_kind; /* what it became ("ticket"), with record_id */
    int64_t record_id;
    int64_t sent_at;     /* the Date header, Unix seconds; 0 when absent */
    int64_t received_at; /* when the mailbox took it */
    /* [{"index","name","type","size","file"} | {"index","name","type",
     *   "size","refused": "type" | "size" | "executable"}]; "file" names the
     * stored copy in the files directory (core/files.h: files_path). */
    json_t *attachments;
};

/* Read message id: 1 and *out (release with mail_message_release), 0 when
 * there is none, or a negative DB_*. */
int mailin_get(struct db *db, int64_t id, struct mail_message *out);
void mail_message_release(struct mail_message *m);

/* Record what message id became, inside the caller's transaction: status
 * "processed", "ignored" or "failed" (error says why; may be NULL), the
 * record (kind and id, NULL and 0 for none). 0, OP_NOT_FOUND, OP_INVALID
 * for another status, or a negative DB_*. */
int mailin_mark(struct db *db, int64_t id, const char *status, const char *record_kind,
                int64_t record_id, const char *error);

/* Put a failed message back to "new" and publish "mail.received" again,
 * audited as a's action: 0, OP_NOT_FOUND, OP_CONFLICT when it has not
 * failed, or a negative DB_*. */
int mailin_reprocess(struct db *db, const struct actor *a, int64_t id);

/* The subject of a reply about ticket thread_ref ("T202612030001"):
 * subject with "[工单 T202612030001] " in front, unless it carries that
 * reference already. Caller frees. */
char *mailin_reply_subject(const char *thread_ref, const char *subject);
/* Queue an e-mail reply through the outbox inside the caller's transaction
 * (outbox_enqueue(db, "email", ...), dedupe_key as there), its subject
 * made by mailin_reply_subject so that the customer's answer threads back.
 * 0 or a negative DB_*. */
int mailin_reply(struct db *db, const char *to, const char *thread_ref, const char *subject,
                 const char *body, const char *dedupe_key);

/* ---- the mailbox poll (mailin_poll.c) ---- */

enum mailin_poll_result {
    MAILIN_POLL_OK = 0,
    MAILIN_NOT_CONFIGURED = -100, /* no HONGYAN_IMAP_URL */
    MAILIN_BUSY = -101,           /* another poll holds the lease */
    MAILIN_FAILED = -102,         /* the server could not be read; the error is stored */
};

/* Read HONGYAN_IMAP_* once at start-up (before threads). */
void mailin_configure(void);
bool mailin_configured(void);
/* The mailbox URL without credentials ("" when not configured). */
const char *mailin_public_url(void);
int64_t mailin_poll_seconds(void);

/* Take what is new in the mailbox now, under the lease: *taken gets the
 * number of messages stored. wait_seconds: how long to wait for a poll
 * running elsewhere to end. 0 or an enum mailin_poll_result / DB_*. */
int mailin_poll(struct db *db, int wait_seconds, int *taken);
/* The scheduler's periodic work: a poll when the interval has passed. */
int mailin_tick(struct db *db);

#endif
