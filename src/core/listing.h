/*
 * listing.h - the collection endpoint shape of api.md for simple admin
 * lists: {"items":[…],"total":N,"next_cursor":"…"}, newest first, keyset
 * pagination on id, at most 200 per page, filters added as SQL fragments
 * with bound values (never user text in SQL).
 *
 * Customer search with sorting and the filter language has its own, richer
 * path; this one serves users, audit log, mailbox and the like. Every list,
 * this one and the richer ones, pages with the one cursor codec below.
 */
#ifndef HY_LISTING_H
#define HY_LISTING_H

#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/http.h"

#define LISTING_MAX_ARGS 16

struct listing {
    struct req *r;
    char where[1024];
    struct db_val args[LISTING_MAX_ARGS];
    int nargs;
    int64_t limit;
    int64_t cursor; /* 0 = first page */
    bool count;     /* false with count=none */
};

/* Read limit, cursor and count from the query string; on a bad value
 * replies 422 and answers -1. */
int listing_begin(struct listing *l, struct req *r);
/* AND a fragment with one '?' bound to a text / integer value. The text
 * must live as long as the request (query-string values do). */
void listing_where_text(struct listing *l, const char *fragment, const char *value);
void listing_where_int(struct listing *l, const char *fragment, int64_t value);
/* AND a fragment without values (program text only). */
void listing_where(struct listing *l, const char *fragment);
/* AND a fragment with two '?' both bound to value (e.g. name LIKE ? OR login LIKE ?). */
void listing_where_text2(struct listing *l, const char *fragment, const char *value);
/* Reply 422 for a bad filter field (use as: return listing_fail(...)). */
void listing_fail(struct listing *l, const char *field, const char *msg_key);
/* Run "SELECT <columns> FROM <from> WHERE … AND id < cursor ORDER BY id DESC"
 * (the id column must come first), convert each row with row (or
 * listing_row_json when NULL) and reply. */
void listing_run_with(struct listing *l, const char *columns, const char *from,
                      json_t *(*row)(struct db_stmt *st, struct req *r));
/* A row as a JSON object by column name: integers and text as themselves,
 * NULL as null, columns ending in _at (integers) as ISO time, columns
 * named detail or ending in _json parsed as JSON. */
json_t *listing_row_json(struct db_stmt *st, struct req *r);

/* Every row of st as a JSON array, each converted by row (listing_row_json
 * when NULL); finishes st. NULL when st is NULL (the query failed). For
 * short, bounded lists (rules, fields, branches) that need no paging. */
json_t *listing_rows(struct db_stmt *st, struct req *r,
                     json_t *(*row)(struct db_stmt *st, struct req *r));
/* The same, answered as {"items": [...]}, or the database error. */
void listing_reply_rows(struct req *r, struct db_stmt *st,
                        json_t *(*row)(struct db_stmt *st, struct req *r));

/*
 * The keyset cursor of every list. A page ends with the sort key values of
 * its last row, the row's id last; next_cursor is those values (integers
 * or text) as base64url JSON, opaque to clients, and the next page starts
 * after them. One scheme for every list: no offsets, no ad hoc formats.
 */
/* The cursor for values (a JSON array; borrowed). Free with free(). */
char *listing_cursor_encode(json_t *values);
/* The n values of cursor s, the last an integer; NULL when s is not such a
 * cursor (answer 422 "cursor"). New reference. */
json_t *listing_cursor_decode(const char *s, size_t n);
/* AND to b the rows after a cursor of [key value, id] in the order "key,
 * id" both ascending (desc: both descending). key and id are program text;
 * the values are bound. */
void listing_cursor_after(struct sqlbuf *b, const char *key, const char *id, bool desc,
                          json_t *cursor);

#endif
