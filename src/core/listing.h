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
/* AND a fragment with one '?' bound to query parameter param, as text or
 * as an integer, when the request gives the parameter non-empty. */
void listing_filter_text(struct listing *l, const char *param, const char *fragment);
void listing_filter_int(struct listing *l, const char *param, const char *fragment);
/* AND column within the days named by the query parameters from and to
 * ("YYYY-MM-DD", both inclusive, each optional). -1, having answered 422
 * on the parameter, when one is not a date. */
int listing_filter_days(struct listing *l, const char *from, const char *to, const char *column);
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
/* The same, a "_json" column named without its suffix ("filter AS
 * filter_json" answers "filter"): for rows whose JSON columns are named
 * for the answer. */
json_t *listing_row_unsuffixed(struct db_stmt *st, struct req *r);
/* o[to] = fmt's text (at most 31 bytes) of the integer o[from], null when
 * that is not an integer; from goes. Stored units (fen, grams) become
 * what the answer shows (yuan, kg). */
void listing_format(json_t *o, const char *from, const char *to,
                    void (*fmt)(long long v, char *out, size_t outlen));
/* to[key] = from[from_key] (null when absent), which from loses. */
void listing_move(json_t *to, const char *key, json_t *from, const char *from_key);
/* The total of a list: SELECT COUNT(*) FROM <from> WHERE <w> into *n.
 * 0 or negative DB_*. */
int listing_count(struct db *db, const char *from, const struct sqlbuf *w, int64_t *n);

/* Every row of st as a JSON array, each converted by row (listing_row_json
 * when NULL); finishes st. NULL when st is NULL (the query failed). For
 * short, bounded lists (rules, fields, branches) that need no paging. */
json_t *listing_rows(struct db_stmt *st, struct req *r,
                     json_t *(*row)(struct db_stmt *st, struct req *r));
/* The same, answered as {"items": [...]}, or the database error. */
void listing_reply_rows(struct req *r, struct db_stmt *st,
                        json_t *(*row)(struct db_stmt *st, struct req *r));
/* listing_reply_rows of the query sql (args bound) on the request's connection. */
void listing_reply_query(struct req *r, json_t *(*row)(struct db_stmt *st, struct req *r),
                         const char *sql, const struct db_val *args, int nargs);

/* The one row of a query as JSON, converted by row (listing_row_json when
 * NULL; r may be NULL): 1 and *out (new reference), 0 when there is no row,
 * negative DB_E* when the database failed; *out is NULL unless 1. */
int listing_one(struct db *db, struct req *r, json_t **out,
                json_t *(*row)(struct db_stmt *st, struct req *r), const char *sql,
                const struct db_val *args, int nargs);
/* listing_one answered as {key: row} with status; 404 not_found when there
 * is no row, 500/503 when the database failed. */
void listing_reply_one(struct req *r, unsigned status, const char *key,
                       json_t *(*row)(struct db_stmt *st, struct req *r), const char *sql,
                       const struct db_val *args, int nargs);

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
/* body's "next_cursor": the cursor of values (a JSON array, borrowed), or
 * null when values is NULL (the last page). */
void listing_set_next(json_t *body, json_t *values);
/* A page of a list keyed on (key, id): up to limit rows of st, each made
 * JSON by row, as body's "items", and as "next_cursor" [key, id] of the
 * page's last row when st has one more (null when not). st's last column
 * is the key named k (an integer or text), which the items leave out. Finishes st;
 * a NULL st or a failed step ends the page there. */
void listing_keyed_page(json_t *body, struct db_stmt *st, struct req *r, int64_t limit,
                        json_t *(*row)(struct db_stmt *st, struct req *r));
/* AND to b the rows after a cursor of [key value, id] in the order "key,
 * id" both ascending (desc: both descending). key and id are program text;
 * the values are bound. */
void listing_cursor_after(struct sqlbuf *b, const char *key, const char *id, bool desc,
                          json_t *cursor);

/*
 * The query string of a searchable record list (customers, enterprises):
 * q, filter, segment_id, sort, limit, cursor, deleted and count, read the
 * same way for every kind of record.
 */
/* A sort= key: expr orders (program text); field is the record's field
 * that holds expr's value (the cursor carries it); text: the value is
 * text, not a time; money: field shows yuan where expr orders by fen. */
struct listing_sort {
    const char *key, *expr, *field;
    bool text, money;
};
struct listing_query {
    const char *q, *segment;      /* as given; NULL when absent */
    bool deleted, desc, counting; /* counting: not count=none */
    size_t si;                    /* into the list's sorts */
    int64_t limit;                /* 1-200, 20 by default */
    json_t *filter, *cursor;      /* owned; NULL when not given */
};
/* Read lq from the query string, the sort among sorts[0..nsorts-1]
 * (default: the first, newest first); a [value, id] cursor. False having
 * replied 4xx (a bad limit, sort or cursor 422, filter JSON 400). Release
 * lq with listing_query_release either way. */
bool listing_query_read(struct req *r, const struct listing_sort *sorts, size_t nsorts,
                        struct listing_query *lq);
void listing_query_release(struct listing_query *lq);
#endif
