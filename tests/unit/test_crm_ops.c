/*
 * test_crm_ops.c - crm's domain operations called without HTTP, as the
 * scheduler or a rule would, on a temporary SQLite database: the system
 * actor is audited as "system" with no user; a bad form answers
 * OP_INVALID with field messages and writes nothing; duplicates, stale
 * versions and closed tasks answer their outcome; a business record with a
 * follow-up publishes both events; a merge moves records and tasks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/actor.h"
#include "core/op.h"
#include "crm/customer.h"
#include "crm/customer_merge.h"
#include "crm/interaction.h"
#include "crm/task.h"
#include "db/db.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/hy_crm_ops_XXXXXX";

static int64_t count(const char *sql, int64_t arg)
{
    int64_t n = -1;
    assert_int_equal(db_query_int(db_get(), sql, DB_ARGS(DB_INT(arg)), &n), 1);
    return n;
}

static int64_t create(const char *name, const char *phone)
{
    json_t *in =
        json_pack("{s:s,s:s,s:I}", "name", name, "phone", phone, "branch_id", (json_int_t)1);
    json_t *errors = json_object();
    int64_t id = 0;
    assert_int_equal(customer_insert(db_get(), &actor_system, in, &id, errors), 0);
    assert_int_equal(json_object_size(errors), 0);
    json_decref(in);
    json_decref(errors);
    assert_true(id > 0);
    return id;
}

static void test_system_actor_audited_as_system(void **state)
{
    (void)state;
    int64_t id = create("系统建档", "13900000001");
    char oid[24];
    snprintf(oid, sizeof(oid), "%lld", (long long)id);
    struct db_stmt *st = db_query(db_get(),
                                  "SELECT login, user_id IS NULL, ip IS NULL FROM audit_log "
                                  "WHERE action = 'customer.create' AND object_id = ?",
                                  DB_ARGS(DB_TEXT(oid)));
    assert_non_null(st);
    assert_int_equal(db_step(st), 1);
    assert_string_equal(db_col_text(st, 0), "system");
    assert_int_equal(db_col_int(st, 1), 1);
    assert_int_equal(db_col_int(st, 2), 1);
    db_finish(st);
    assert_int_equal(count("SELECT COUNT(*) FROM domain_events WHERE kind = 'customer.created' "
                           "AND object_id = ? AND actor_id IS NULL",
                           id),
                     1);
}

static void test_invalid_writes_nothing(void **state)
{
    (void)state;
    int64_t before = count("SELECT COUNT(*) FROM customers WHERE id > ?", 0);
    json_t *in =
        json_pack("{s:s,s:s,s:I}", "name", "坏号码", "phone", "12345", "branch_id", (json_int_t)1);
    json_t *errors = json_object();
    int64_t id = 0;
    assert_int_equal(customer_insert(db_get(), &actor_system, in, &id, errors), OP_INVALID);
    assert_non_null(json_string_value(json_object_get(errors, "phone")));
    assert_int_equal(count("SELECT COUNT(*) FROM customers WHERE id > ?", 0), before);
    json_decref(in);
    json_decref(errors);
}

static void test_duplicate_and_stale(void **state)
{
    (void)state;
    int64_t first = create("重号甲", "13900000002");
    json_t *in = json_pack("{s:s,s:s,s:I}", "name", "重号乙", "phone", "13900000002", "branch_id",
                           (json_int_t)1);
    json_t *errors = json_object();
    int64_t id = 0;
    assert_int_equal(customer_insert(db_get(), &actor_system, in, &id, errors), OP_DUPLICATE);
    json_t *dups = json_object_get(errors, "duplicates");
    assert_int_equal(json_array_size(dups), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(dups, 0), "id")), first);
    json_object_set_new(in, "confirm_duplicate", json_true());
    json_object_clear(errors);
    assert_int_equal(customer_insert(db_get(), &actor_system, in, &id, errors), 0);
    json_decref(in);

    in = json_pack("{s:s,s:i}", "name", "改名", "version", 99);
    assert_int_equal(customer_update(db_get(), &actor_system, first, in, errors), OP_STALE);
    json_object_set_new(in, "version", json_integer(1));
    assert_int_equal(customer_update(db_get(), &actor_system, first, in, errors), 0);
    assert_int_equal(customer_update(db_get(), &actor_system, 987654, in, errors), OP_NOT_FOUND);
    json_decref(in);
    json_decref(errors);
}

static void test_record_task_and_merge(void **state)
{
    (void)state;
    struct db *db = db_get();
    int64_t keep = create("留存", "13900000003"), dup = create("重复", "13900000004");
    json_t *in = json_pack("{s:s,s:s,s:{s:s,s:s}}", "type", "parcel", "amount", "12.50",
                           "follow_up", "title", "回访", "due_at", "2026-12-20");
    json_t *errors = json_object();
    int64_t rec = 0, task = 0;
    assert_int_equal(interaction_insert(db, &actor_system, dup, in, &rec, &task, errors), 0);
    assert_true(rec > 0 && task > 0);
    assert_int_equal(
        count("SELECT COUNT(*) FROM domain_events WHERE kind = 'interaction.created' AND "
              "object_id = ?",
              rec),
        1);
    assert_int_equal(
        count("SELECT COUNT(*) FROM domain_events WHERE kind = 'task.created' AND object_id = ?",
              task),
        1);
    json_decref(in);

    /* A closed task cannot be closed again. */
    in = json_pack("{s:s}", "outcome", "已回访");
    assert_int_equal(task_close(db, &actor_system, task, true, in, errors), 0);
    assert_int_equal(task_close(db, &actor_system, task, true, in, errors), OP_CONFLICT);
    json_decref(in);

    assert_int_equal(customer_merge(db, &actor_system, keep, dup, errors), 0);
    assert_int_equal(count("SELECT customer_id FROM interactions WHERE id = ?", rec), keep);
    assert_int_equal(count("SELECT customer_id FROM tasks WHERE id = ?", task), keep);
    assert_int_equal(count("SELECT spend_12m_fen FROM customers WHERE id = ?", keep), 1250);
    assert_int_equal(count("SELECT spend_12m_fen FROM customers WHERE id = ?", dup), 0);
    assert_int_equal(count("SELECT merged_into FROM customers WHERE id = ?", dup), keep);
    assert_int_equal(count("SELECT COUNT(*) FROM domain_events WHERE kind = 'customer.merged' "
                           "AND object_id = ?",
                           keep),
                     1);
    assert_int_equal(customer_merge(db, &actor_system, keep, keep, errors), OP_INVALID);
    json_decref(errors);
}

static int setup(void **state)
{
    (void)state;
    return testdb_open(dir, "ops.db", true);
}

static int teardown(void **state)
{
    (void)state;
    return testdb_close(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_actor_audited_as_system),
        cmocka_unit_test(test_invalid_writes_nothing),
        cmocka_unit_test(test_duplicate_and_stale),
        cmocka_unit_test(test_record_task_and_merge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
