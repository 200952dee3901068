/*
 * test_events.c - domain events on a temporary SQLite database: an event
 * published in a transaction that rolls back leaves nothing; a consumer
 * sees each event once, in order, and its position moves with its
 * handler's effects; a failing handler is retried on the next pass and
 * its position stays put (and so do its effects); a new consumer starts at
 * the newest event; events_prepare fixes that start before any pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/events.h"
#include "db/db.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/hy_events_XXXXXX";

/* What the handlers saw; fail_next makes the next call fail. */
static int64_t seen[16];
static int nseen;
static bool fail_next;

static int record(struct db *db, const struct domain_event *ev)
{
    if (fail_next) {
        fail_next = false;
        /* An effect the rollback must take away with the position. */
        db_exec(db, "INSERT INTO sequences (name, value) VALUES ('events-test-effect', 1)",
                DB_NOARGS);
        return DB_ERROR;
    }
    if (nseen < 16)
        seen[nseen++] = ev->object_id;
    return 0;
}

static const struct event_handler first = {"test.first", "thing.made", record};
static const struct event_handler late = {"test.late", NULL, record};

static int64_t count(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int(db_get(), sql, DB_NOARGS, &n), 1);
    return n;
}

static int64_t position_of(const char *consumer)
{
    int64_t pos = -1;
    assert_int_equal(db_query_int(db_get(),
                                  "SELECT last_id FROM event_positions WHERE consumer = ?",
                                  DB_ARGS(DB_TEXT(consumer)), &pos),
                     1);
    return pos;
}

static void publish(int64_t object_id, bool commit)
{
    struct db *db = db_get();
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(events_publish(db, "thing.made", "thing", object_id, 0,
                                    json_pack("{s:I}", "n", (json_int_t)object_id)),
                     0);
    if (commit)
        assert_int_equal(db_commit(db), 0);
    else
        db_rollback(db);
}

static void test_rollback_leaves_nothing(void **state)
{
    (void)state;
    int64_t before = count("SELECT COUNT(*) FROM domain_events");
    publish(1, false);
    assert_int_equal(count("SELECT COUNT(*) FROM domain_events"), before);
    nseen = 0;
    assert_int_equal(events_run(db_get()), 0);
    assert_int_equal(nseen, 0);
}

static void test_once_in_order(void **state)
{
    (void)state;
    nseen = 0;
    publish(10, true);
    publish(11, true);
    assert_int_equal(events_run(db_get()), 2);
    assert_int_equal(nseen, 2);
    assert_int_equal(seen[0], 10);
    assert_int_equal(seen[1], 11);
    assert_int_equal(position_of("test.first"), count("SELECT MAX(id) FROM domain_events"));
    /* Nothing twice. */
    assert_int_equal(events_run(db_get()), 0);
    assert_int_equal(nseen, 2);
}

static void test_failure_retried(void **state)
{
    (void)state;
    nseen = 0;
    int64_t pos = position_of("test.first");
    publish(20, true);
    fail_next = true;
    events_run(db_get());
    assert_int_equal(nseen, 0);
    assert_int_equal(position_of("test.first"), pos);
    assert_int_equal(count("SELECT COUNT(*) FROM sequences WHERE name = 'events-test-effect'"), 0);
    /* The next pass hands the same event again. */
    assert_int_equal(events_run(db_get()), 1);
    assert_int_equal(nseen, 1);
    assert_int_equal(seen[0], 20);
    assert_true(position_of("test.first") > pos);
}

static void test_new_consumer_starts_at_newest(void **state)
{
    (void)state;
    publish(30, true);
    int64_t newest = count("SELECT MAX(id) FROM domain_events");
    events_subscribe(&late);
    /* events_prepare places it at the newest event before any pass. */
    assert_int_equal(events_prepare(db_get()), 0);
    assert_int_equal(position_of("test.late"), newest);
    nseen = 0;
    assert_int_equal(events_run(db_get()), 1); /* "test.first" gets event 30 */
    assert_int_equal(nseen, 1);
    assert_int_equal(seen[0], 30);
    /* The late consumer saw no history; it sees what comes next. */
    publish(31, true);
    nseen = 0;
    events_run(db_get());
    assert_int_equal(nseen, 2); /* both consumers */
    assert_int_equal(seen[0], 31);
    assert_int_equal(seen[1], 31);
}

static int setup(void **state)
{
    (void)state;
    if (testdb_open(dir, "events.db", false))
        return -1;
    events_reset();
    events_subscribe(&first);
    return events_prepare(db_get());
}

static int teardown(void **state)
{
    (void)state;
    events_reset();
    return testdb_close(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollback_leaves_nothing),
        cmocka_unit_test(test_once_in_order),
        cmocka_unit_test(test_failure_retried),
        cmocka_unit_test(test_new_consumer_starts_at_newest),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
