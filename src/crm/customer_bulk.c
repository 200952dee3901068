/*
 * customer_bulk.c - a checked record as the values of its row
 * (customer_row_new), customer numbers, and the batch that writes many new
 * records at once for imports, with its bulk-loading path (see the batch
 * in customer.h).
 */
#include "crm/customer_int.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "base/datakey.h"
#include "base/pinyin.h"
#include "base/xmalloc.h"
#include "core/events.h"
#include "crm/customer_ids.h"
#include "crm/name_grams.h"
#include "db/db.h"
#include "record/scope.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ---- */

/* Bump the branch's counter by n: the last number of the block in *last. */
static int reserve_numbers(struct db *db, const char *code, int64_t n, int64_t *last)
{
    char seq[80];
    snprintf(seq, sizeof(seq), "customer_no:%s", code);
    /* One statement for the common case: bump and read the counter. */
    int rc =
        db_query_int(db, "UPDATE sequences SET value = value + ? WHERE name = ? RETURNING value",
                     DB_ARGS(DB_INT(n), DB_TEXT(seq)), last);
    if (rc == 0)
        rc = db_query_int(db, "INSERT INTO sequences (name, value) VALUES (?, ?) RETURNING value",
                          DB_ARGS(DB_TEXT(seq), DB_INT(n)), last);
    return rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
}

/* Numbers a batch reserves at a time. */
#define NUMBER_BLOCK 256

static int next_customer_no(struct db *db, int64_t branch_id, struct customer_batch *b, char *out,
                            size_t outlen)
{
    if (b && b->no_branch == branch_id && b->no_next <= b->no_end) {
        snprintf(out, outlen, "%s-%06lld", b->no_code, (long long)b->no_next++);
        return 0;
    }
    char code[64] = "";
    struct db_stmt *st =
        db_query(db, "SELECT code FROM branches WHERE id = ?", DB_ARGS(DB_INT(branch_id)));
    if (!st)
        return DB_ERROR;
    if (db_step(st) == 1)
        snprintf(code, sizeof(code), "%s", db_col_text(st, 0));
    db_finish(st);
    int64_t n = b ? NUMBER_BLOCK : 1, last = 0;
    int rc = reserve_numbers(db, code, n, &last);
    if (rc)
        return rc;
    if (b) {
        b->no_branch = branch_id;
        snprintf(b->no_code, sizeof(b->no_code), "%s", code);
        b->no_next = last - n + 2;
        b->no_end = last;
    }
    snprintf(out, outlen, "%s-%06lld", code, (long long)(last - n + 1));
    return 0;
}

static const char *str(json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

static char *dump(json_t *rec, const char *key)
{
    json_t *v = json_object_get(rec, key);
    /* Most profiles have none: skip the serialiser for the empty forms. */
    if (!v || (json_is_array(v) && json_array_size(v) == 0))
        return xstrdup("[]");
    if (json_is_object(v) && json_object_size(v) == 0)
        return xstrdup("{}");
    return json_dumps(v, JSON_COMPACT);
}

struct customer_row *customer_row_new(const struct actor *u, json_t *rec, json_t *tag_ids)
{
    const char *name = str(rec, "name"), *phone = str(rec, "phone");
    char *full = NULL, *initials = NULL;
    pinyin_name(name ? name : "", &full, &initials);
    char *dumps[4] = {dump(rec, "interests"), dump(rec, "family_members"),
                      dump(rec, "business_prefs"), dump(rec, "custom")};
    size_t plen = phone ? strlen(phone) : 0;
    struct customer_id_cols idc;
    customer_id_seal(str(rec, "id_number"), &idc);
    const char *src[ROW_TEXTS] = {
        [ROW_NAME] = name,
        [ROW_PINYIN] = full,
        [ROW_INITIALS] = initials,
        [ROW_GENDER] = str(rec, "gender"),
        [ROW_PHONE] = phone,
        [ROW_PHONE_LAST4] = plen >= 4 ? phone + plen - 4 : phone,
        [ROW_ID_SEALED] = idc.sealed,
        [ROW_ID_INDEX] = idc.sealed ? idc.index : NULL,
        [ROW_ID_LAST4] = idc.sealed ? idc.last4 : NULL,
        [ROW_ID_CLEAR] = str(rec, "id_number"),
        [ROW_BIRTHDAY] = str(rec, "birthday"),
        [ROW_ADDRESS] = str(rec, "address"),
        [ROW_REGION] = str(rec, "region"),
        [ROW_OCCUPATION] = str(rec, "occupation"),
        [ROW_INTERESTS] = dumps[0],
        [ROW_FAMILY] = dumps[1],
        [ROW_PREFS] = dumps[2],
        [ROW_SERVICE_LEVEL] = str(rec, "service_level"),
        [ROW_LEVEL] = str(rec, "level"),
        [ROW_BRANCH_PATH] = str(rec, "branch_path"),
        [ROW_CUSTOM] = dumps[3],
    };
    char grams[NAME_GRAMS_MAX][NAME_GRAM_SIZE];
    size_t ngrams = name_grams_collect(name ? name : "", grams);
    size_t ntags = json_array_size(tag_ids), lens[ROW_TEXTS], size = 0;
    for (int i = 0; i < ROW_TEXTS; i++)
        size += src[i] ? (lens[i] = strlen(src[i]) + 1) : 0;
    /* One block: tag ids, fragments, then the texts (no alignment after). */
    struct customer_row *row =
        xmalloc(sizeof(*row) + ntags * sizeof(int64_t) + ngrams * NAME_GRAM_SIZE + size);
    int64_t *tags = (int64_t *)row->data;
    for (size_t i = 0; i < ntags; i++)
        tags[i] = json_integer_value(json_array_get(tag_ids, i));
    char *p = row->data + ntags * sizeof(int64_t);
    memcpy(p, grams, ngrams * NAME_GRAM_SIZE);
    row->grams = (const char(*)[NAME_GRAM_SIZE])p;
    p += ngrams * NAME_GRAM_SIZE;
    for (int i = 0; i < ROW_TEXTS; i++) {
        row->v[i] = src[i] ? memcpy(p, src[i], lens[i]) : NULL;
        p += src[i] ? lens[i] : 0;
    }
    json_t *owner = json_object_get(rec, "owner_id");
    row->has_owner = json_is_integer(owner);
    row->owner_id = json_integer_value(owner);
    row->branch_id = json_integer_value(json_object_get(rec, "branch_id"));
    row->lunar = json_is_true(json_object_get(rec, "birthday_lunar"));
    row->user_id = u->id;
    row->tags = tags;
    row->ntags = ntags;
    row->ngrams = ngrams;
    row->no[0] = '\0';
    row->id = 0;
    free(full);
    free(initials);
    free(idc.sealed);
    for (int i = 0; i < 4; i++)
        free(dumps[i]);
    return row;
}

void customer_row_free(struct customer_row *row)
{
    free(row);
}

#define INSERT_COLUMNS                                                                             \
    "INSERT INTO customers (customer_no, name, name_pinyin, name_initials, gender, phone, "        \
    "phone_last4, id_sealed, id_index, id_last4_index, birthday, address, region, occupation, "    \
    "interests, "                                                                                  \
    "family_members, business_prefs, service_level, level, branch_path, custom, "                  \
    "birthday_lunar, owner_id, branch_id, created_by, updated_by, created_at, updated_at) VALUES "

/* Append the value tuple of a row to an INSERT being built (the texts are
 * borrowed from the row). */
static void add_values(struct sqlbuf *q, const struct customer_row *row, int64_t now)
{
    sqlbuf_add(q, q->nargs ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                             "?, ?, ?, ?, ?, ?, ?)"
                           : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                             "?, ?, ?, ?, ?, ?)");
    /* The queue keeps the rows until the statement is done. */
    sqlbuf_bind(q, DB_TEXT_KEPT(row->no));
    for (int i = 0; i < ROW_BOUND; i++)
        sqlbuf_bind(q, DB_TEXT_KEPT(row->v[i]));
    sqlbuf_bind(q, DB_INT(row->lunar));
    sqlbuf_bind(q, DB_INT_OR_NULL(row->has_owner, row->owner_id));
    sqlbuf_bind(q, DB_INT(row->branch_id));
    sqlbuf_bind(q, DB_INT_OR_NULL(row->user_id, row->user_id));
    sqlbuf_bind(q, DB_INT_OR_NULL(row->user_id, row->user_id));
    sqlbuf_bind(q, DB_INT(now));
    sqlbuf_bind(q, DB_INT(now));
}

int customer_row_number(struct db *db, struct customer_row *row, struct customer_batch *b)
{
    return next_customer_no(db, row->branch_id, b, row->no, sizeof(row->no));
}

int customer_row_insert(struct db *db, struct customer_row *row)
{
    struct sqlbuf q;
    sqlbuf_init(&q);
    sqlbuf_add(&q, INSERT_COLUMNS);
    add_values(&q, row, clock_now());
    sqlbuf_add(&q, " RETURNING id");
    int rc = db_query_int(db, q.sql, q.args, q.nargs, &row->id);
    rc = rc == 1 ? 0 : rc < 0 ? rc : DB_ERROR;
    sqlbuf_release(&q);
    return rc ? rc : name_grams_add(db, row->id, row->v[ROW_NAME]);
}

int customer_row_update(struct db *db, const struct customer_row *row, int64_t id,
                        const char *cur_name)
{
    bool renamed = strcmp(row->v[ROW_NAME], cur_name) != 0;
    int rc = renamed ? name_grams_forget(db, id) : 0;
    if (!rc)
        rc = db_exec(db,
                     "UPDATE customers SET name = ?, name_pinyin = ?, name_initials = ?, "
                     "gender = ?, phone = ?, phone_last4 = ?, id_sealed = ?, id_index = ?, "
                     "id_last4_index = ?, birthday = ?, "
                     "address = ?, region = ?, occupation = ?, interests = ?, "
                     "family_members = ?, business_prefs = ?, service_level = ?, level = ?, "
                     "branch_path = ?, custom = ?, birthday_lunar = ?, owner_id = ?, "
                     "branch_id = ?, updated_by = ?, updated_at = ?, version = version + 1 "
                     "WHERE id = ?",
                     DB_ARGS(DB_TEXT(row->v[ROW_NAME]), DB_TEXT(row->v[ROW_PINYIN]),
                             DB_TEXT(row->v[ROW_INITIALS]), DB_TEXT(row->v[ROW_GENDER]),
                             DB_TEXT(row->v[ROW_PHONE]), DB_TEXT(row->v[ROW_PHONE_LAST4]),
                             DB_TEXT(row->v[ROW_ID_SEALED]), DB_TEXT(row->v[ROW_ID_INDEX]),
                             DB_TEXT(row->v[ROW_ID_LAST4]), DB_TEXT(row->v[ROW_BIRTHDAY]),
                             DB_TEXT(row->v[ROW_ADDRESS]), DB_TEXT(row->v[ROW_REGION]),
                             DB_TEXT(row->v[ROW_OCCUPATION]), DB_TEXT(row->v[ROW_INTERESTS]),
                             DB_TEXT(row->v[ROW_FAMILY]), DB_TEXT(row->v[ROW_PREFS]),
                             DB_TEXT(row->v[ROW_SERVICE_LEVEL]), DB_TEXT(row->v[ROW_LEVEL]),
                             DB_TEXT(row->v[ROW_BRANCH_PATH]), DB_TEXT(row->v[ROW_CUSTOM]),
                             DB_INT(row->lunar), DB_INT_OR_NULL(row->has_owner, row->owner_id),
                             DB_INT(row->branch_id), DB_INT_OR_NULL(row->user_id, row->user_id),
                             DB_INT(clock_now()), DB_INT(id)));
    if (!rc && renamed)
        rc = name_grams_add(db, id, row->v[ROW_NAME]);
    return rc;
}

/* Records a batch holds before writing them with one statement each for
 * the rows, their name fragments and their tags. */
#define BATCH_QUEUE 64

/* A validated mobile number (11 digits) or ID number (17 digits and a
 * check character 0-9 or X) as a number, tagged with its kind in the low
 * bits; 0 for anything else, which can never equal a validated input. */
static uint64_t phone_key(const char *s)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; s && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return i == 11 && !s[i] ? v << 2 | 1 : 0;
}

/* An ID number is known by its index (the database holds no other form):
 * 62 bits of the keyed digest. Two numbers share a key with odds of 1 in
 * 10^5 among ten million customers; 0 for no index. */
static uint64_t index_key(const char *index)
{
    unsigned char d[DATAKEY_INDEX_LEN];
    size_t n = 0;
    if (!index || strlen(index) != DATAKEY_INDEX_LEN ||
        sodium_base642bin(d, sizeof(d), index, DATAKEY_INDEX_LEN, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < 8)
        return 0;
    uint64_t v = 0;
    memcpy(&v, d, sizeof(v));
    return v << 2 | 2;
}

static uint64_t id_key(const char *s)
{
    char index[DATAKEY_INDEX_LEN + 1];
    if (!s || !*s || !datakey_current())
        return 0;
    datakey_index(datakey_current(), s, index);
    return index_key(index);
}

enum customer_known customer_batch_known(const struct customer_batch *b, const char *phone,
                                         const char *id_number)
{
    uint8_t v = phone && *phone ? keyset_get(&b->known, phone_key(phone)) : 0;
    if (!v && id_number && *id_number)
        v = keyset_get(&b->known, id_key(id_number));
    return (enum customer_known)v;
}

void customer_batch_note(struct customer_batch *b, json_t *rec)
{
    keyset_put(&b->known, phone_key(str(rec, "phone")), CUSTOMER_KNOWN_IN_SCOPE);
    keyset_put(&b->known, id_key(str(rec, "id_number")), CUSTOMER_KNOWN_IN_SCOPE);
}

bool customer_batch_queued(const struct customer_batch *b, const char *phone, const char *id_number)
{
    return keyset_get(&b->queued, phone_key(phone)) || keyset_get(&b->queued, id_key(id_number));
}

int customer_batch_add(struct db *db, const struct actor *u, json_t *rec, json_t *tag_ids,
                       struct customer_batch *b)
{
    return customer_batch_add_row(db, b, customer_row_new(u, rec, tag_ids));
}

int customer_batch_add_row(struct db *db, struct customer_batch *b, struct customer_row *row)
{
    int rc = customer_row_number(db, row, b);
    if (rc) {
        customer_row_free(row);
        return rc;
    }
    if (!b->rows)
        b->rows = xmalloc(BATCH_QUEUE * sizeof(*b->rows));
    b->rows[b->nrows++] = row;
    keyset_put(&b->queued, phone_key(row->v[ROW_PHONE]), 1);
    keyset_put(&b->queued, index_key(row->v[ROW_ID_INDEX]), 1);
    return b->nrows >= BATCH_QUEUE ? customer_batch_flush(db, b) : 0;
}

/* Drop the queued rows. */
static void clear_queue(struct customer_batch *b)
{
    for (size_t i = 0; i < b->nrows; i++)
        customer_row_free(b->rows[i]);
    b->nrows = 0;
    keyset_clear(&b->queued);
}

/* The ids RETURNING gave, by customer number, onto the queued rows. Rows
 * come back in no promised order, but in practice in the order given:
 * look there first. */
static void match_id(struct customer_batch *b, size_t *hint, const char *no, int64_t id)
{
    for (size_t k = 0; k < b->nrows; k++) {
        struct customer_row *row = b->rows[(*hint + k) % b->nrows];
        if (strcmp(row->no, no) == 0) {
            row->id = id;
            *hint = (*hint + k + 1) % b->nrows;
            return;
        }
    }
}

/* One "customer.imported" event for the rows just written, their ids in
 * the payload ({"ids": [...]}): the consumers of new customers (lunar
 * birthdays, today's reminders) see imports as they see the form, at one
 * event a batch rather than one a row. */
static int publish_imported(struct db *db, const struct customer_batch *b)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < b->nrows; i++)
        json_array_append_new(ids, json_integer(b->rows[i]->id));
    return events_publish(db, "customer.imported", "customer", b->rows[0]->id, b->rows[0]->user_id,
                          json_pack("{s:o}", "ids", ids));
}

int customer_batch_flush(struct db *db, struct customer_batch *b)
{
    if (b->nrows == 0)
        return 0;
    int64_t now = clock_now();
    struct sqlbuf q;
    sqlbuf_init(&q);
    sqlbuf_add(&q, INSERT_COLUMNS);
    for (size_t i = 0; i < b->nrows; i++)
        add_values(&q, b->rows[i], now);
    sqlbuf_add(&q, " RETURNING id, customer_no");
    struct db_stmt *st = db_query(db, q.sql, q.args, q.nargs);
    int rc = st ? 0 : DB_ERROR, got;
    size_t hint = 0, n = 0;
    while (st && (got = db_step(st)) == 1 && ++n)
        match_id(b, &hint, db_col_text(st, 1), db_col_int(st, 0));
    if (st && got < 0)
        rc = got;
    db_finish(st);
    sqlbuf_release(&q);

    struct sqlbuf tags;
    sqlbuf_init(&tags);
    for (size_t i = 0; i < b->nrows && !rc; i++) {
        const struct customer_row *row = b->rows[i];
        if (!row->id) {
            rc = DB_ERROR; /* RETURNING left one out */
            break;
        }
        name_gram_set_add(&b->grams, row->id, row->grams, row->ngrams);
        for (size_t k = 0; k < row->ntags; k++) {
            sqlbuf_add(&tags, tags.nargs ? ", ('customer', ?, ?, ?)" : "('customer', ?, ?, ?)");
            sqlbuf_bind(&tags, DB_INT(row->id));
            sqlbuf_bind(&tags, DB_INT(row->tags[k]));
            sqlbuf_bind(&tags, DB_INT(now));
        }
    }
    if (!rc && n != b->nrows)
        rc = DB_ERROR;
    if (!rc)
        rc = publish_imported(db, b);
    /* In bulk mode the fragments wait for the end (customer_batch_bulk_finish). */
    if (!rc && !b->bulk)
        rc = name_gram_set_write(db, &b->grams);
    if (!rc && tags.nargs) {
        struct sqlbuf q2;
        sqlbuf_init(&q2);
        sqlbuf_add(&q2, "INSERT INTO object_tags (entity, object_id, tag_id, created_at) VALUES ");
        sqlbuf_append(&q2, &tags);
        sqlbuf_add(&q2, " ON CONFLICT DO NOTHING");
        rc = db_exec(db, q2.sql, q2.args, q2.nargs);
        sqlbuf_release(&q2);
    }
    sqlbuf_release(&tags);
    clear_queue(b);
    return rc;
}

/* Every stored customer's phone and ID number, for customer_batch_known:
 * some 0.1 µs a row instead of two index lookups, and the two indexes can
 * go with the others (16 bytes a key at most, half the table empty). */
static int load_known(struct db *db, const struct actor *u, struct keyset *known)
{
    struct db_stmt *st =
        db_query(db, "SELECT phone, id_index, branch_path FROM customers WHERE deleted_at IS NULL",
                 DB_NOARGS);
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1) {
        uint8_t v = scope_contains(u, db_col_text(st, 2)) ? CUSTOMER_KNOWN_IN_SCOPE
                                                          : CUSTOMER_KNOWN_ELSEWHERE;
        keyset_put(known, phone_key(db_col_text(st, 0)), v);
        keyset_put(known, index_key(db_col_text(st, 1)), v);
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

int customer_batch_bulk_begin(struct db *db, const struct actor *u, struct customer_batch *b)
{
    int rc = db_indexes_drop(db, "customers", &b->indexes[0]);
    if (rc || !b->indexes[0])
        return rc;
    rc = load_known(db, u, &b->known);
    if (rc)
        return rc;
    rc = db_indexes_drop(db, "customer_name_grams", &b->indexes[1]);
    b->bulk = rc == 0;
    return rc ? rc : 1;
}

/* One more step of customer_batch_bulk_finish done: tell the caller. */
static void finish_step(void *arg)
{
    struct customer_batch *b = arg;
    b->steps_done++;
    if (b->on_step)
        b->on_step(b->step_arg, b->steps_done, b->steps);
}

int customer_batch_bulk_finish(struct db *db, struct customer_batch *b)
{
    b->steps_done = 0;
    b->steps = 1 + (int)(db_index_set_size(b->indexes[0]) + db_index_set_size(b->indexes[1]));
    int rc = customer_batch_flush(db, b);
    if (!rc)
        rc = name_gram_set_write(db, &b->grams);
    if (!rc)
        rc = db_bulk_spill(db);
    if (!rc)
        finish_step(b);
    for (int i = 0; i < 2; i++) {
        if (!rc)
            rc = db_indexes_rebuild(db, b->indexes[i], finish_step, b);
        else
            db_index_set_free(b->indexes[i]);
        b->indexes[i] = NULL;
    }
    b->bulk = false;
    return rc;
}

void customer_batch_end(struct customer_batch *b)
{
    keyset_free(&b->known);
    name_gram_set_free(&b->grams);
    for (int i = 0; i < 2; i++)
        db_index_set_free(b->indexes[i]);
    clear_queue(b);
    free(b->rows);
    keyset_free(&b->queued);
    memset(b, 0, sizeof(*b));
}
