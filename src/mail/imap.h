/*
 * imap.h - the few IMAP commands the service mailbox needs, over a
 * connection libcurl makes: curl connects, speaks TLS (imaps://, or
 * STARTTLS) and signs in (CURLOPT_CONNECT_ONLY), then these functions send
 * tagged commands and read the answers, literals included.
 *
 * Why not curl's own IMAP transfers: a URL fetch is "UID FETCH n BODY[]",
 * which marks the message \Seen on the server before Hongyan has stored
 * it, and a custom request cannot carry a literal back (the message body
 * is one). BODY.PEEK[] and a \Seen set after the commit need this.
 */
#ifndef HY_IMAP_H
#define HY_IMAP_H

#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imap_error {
    IMAP_OK = 0,
    IMAP_ECONNECT = -1,  /* could not reach the server, or TLS failed */
    IMAP_ELOGIN = -2,    /* the server refused the user name or password */
    IMAP_EPROTOCOL = -3, /* an answer we cannot read, NO / BAD, or a timeout */
    IMAP_ETOOBIG = -4,   /* an answer over the size cap */
};

struct imap_settings {
    const char *url; /* imap://host:port/ or imaps://host:port/ (no mailbox) */
    const char *user, *password;
    int starttls;   /* 0 required, 1 try, 2 off (imap:// only) */
    long timeout_s; /* per command */
    size_t max_reply;
};

struct imap {
    void *curl;
    int sock;
    struct strbuf in; /* bytes received and not yet read */
    size_t pos;
    unsigned tag;
    long timeout_s;
    size_t max_reply;
    char err[256];
};

/* An answer: the untagged lines (CRLF kept) with literals in place, and
 * where its first literal lies in text. */
struct imap_reply {
    struct strbuf text;
    bool has_literal;
    size_t lit_off, lit_len;
};

/* Connect and sign in; 0 or an enum imap_error with im->err set. Close
 * with imap_close either way. */
int imap_open(struct imap *im, const struct imap_settings *s);
void imap_close(struct imap *im);
/* Send one command (printf-style; no CR or LF in it) and read its whole
 * answer into *reply (initialised here; release it with
 * imap_reply_release). 0 when the server answered OK, else an enum
 * imap_error with im->err set. */
int imap_command(struct imap *im, struct imap_reply *reply, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void imap_reply_release(struct imap_reply *reply);

/* The number after "[UIDVALIDITY " in a SELECT answer; 0 when none. */
int64_t imap_uidvalidity(const char *text);
/* The numbers of "* SEARCH ..." greater than above, ascending, into a new
 * array (*n of them; caller frees). */
int64_t *imap_search_uids(const char *text, int64_t above, size_t *n);
/* From "* n FETCH (UID u RFC822.SIZE s)" lines: the size of uid, -1 when
 * the answer does not name it. */
int64_t imap_fetch_size(const char *text, int64_t uid);

#endif
