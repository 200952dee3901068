/*
 * test_enterprise_check.c - unit tests for enterprise_check()
 * (src/vip/enterprise_check.c), the one validation of an enterprise that
 * the API, the importer and the demo data share, on a temporary SQLite
 * database (migrations applied: the GB/T 4754 sections and the other
 * dictionaries are seeded; branches /1/, /1/2/, /1/3/ and two managers).
 *
 * Each case checks the normalised values in out and the exact set of field
 * errors with the message of each key: the USCC and its override reason,
 * money, the billing day and credit days ranges, dictionaries and lists,
 * dates, and the account manager within the branch line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/actor.h"
#include "auth/perm.h"
#include "base/i18n.h"
#include "db/db.h"
#include "vip/enterprise_int.h"
#include "testdb.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/hy_entcheck_XXXXXX";

static const struct actor admin = {.id = 1, .perms = PERM_ALL, .lang = "zh-CN"};

struct result {
    int rc;
    json_t *out, *errors;
};

static struct result check(const char *in, const char *cur)
{
    json_t *jin = json_loads(in, 0, NULL), *jcur = cur ? json_loads(cur, 0, NULL) : NULL;
    if (!jin || (cur && !jcur))
        fail_msg("test JSON does not parse");
    struct result r = {.out = json_object(), .errors = json_object()};
    r.rc = enterprise_check(db_get(), &admin, jin, jcur, r.out, r.errors);
    json_decref(jin);
    json_decref(jcur);
    return r;
}

static void result_clear(struct result *r)
{
    json_decref(r->out);
    json_decref(r->errors);
}

/* The errors are exactly the n pairs (field, message key) that follow. */
static void assert_errors(const struct result *r, int n, ...)
{
    char *all = json_dumps(r->errors, JSON_SORT_KEYS);
    if ((int)json_object_size(r->errors) != n)
        fail_msg("wanted %d errors, got %s", n, all);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *field = va_arg(ap, const char *);
        const char *key = va_arg(ap, const char *);
        const char *msg = json_string_value(json_object_get(r->errors, field));
        if (!msg || strcmp(msg, i18n_msg("zh-CN", key)) != 0)
            fail_msg("error on %s: wanted %s, got %s", field, key, all);
    }
    va_end(ap);
    free(all);
}

static const char *out_str(const struct result *r, const char *key)
{
    return json_string_value(json_object_get(r->out, key));
}

static void test_minimal(void **state)
{
    (void)state;
    struct result r = check("{\"name\":\" 云仓电商 \",\"branch_id\":2}", NULL);
    assert_int_equal(r.rc, 0);
    assert_errors(&r, 0);
    assert_string_equal(out_str(&r, "name"), "云仓电商");
    assert_string_equal(out_str(&r, "status"), "prospect");
    assert_string_equal(out_str(&r, "branch_path"), "/1/2/");
    assert_int_equal(json_array_size(json_object_get(r.out, "value_added")), 0);
    result_clear(&r);
    r = check("{\"short_name\":\"x\"}", NULL);
    assert_errors(&r, 2, "name", "field.required", "branch_id", "field.required");
    result_clear(&r);
}

static void test_uscc(void **state)
{
    (void)state;
    /* valid, typed in lower case: stored upper-case */
    struct result r =
        check("{\"name\":\"甲\",\"branch_id\":2,\"uscc\":\"91350100m000100y43\"}", NULL);
    assert_errors(&r, 0);
    assert_string_equal(out_str(&r, "uscc"), "91350100M000100Y43");
    result_clear(&r);
    /* a wrong check character: both the code and the reason are asked about */
    r = check("{\"name\":\"甲\",\"branch_id\":2,\"uscc\":\"91350100M000100Y44\"}", NULL);
    assert_errors(&r, 2, "uscc", "uscc.override", "uscc_override_reason", "field.required");
    result_clear(&r);
    /* ... until a reason is given, kept with the code as typed */
    r = check("{\"name\":\"甲\",\"branch_id\":2,\"uscc\":\"91350100m000100y44\","
              "\"uscc_override_reason\":\"执照如此\"}",
              NULL);
    assert_errors(&r, 0);
    assert_string_equal(out_str(&r, "uscc"), "91350100M000100Y44");
    assert_string_equal(out_str(&r, "uscc_override_reason"), "执照如此");
    result_clear(&r);
    /* a malformed code has no override */
    r = check("{\"name\":\"甲\",\"branch_id\":2,\"uscc\":\"9135\",\"uscc_override_reason\":\"x\"}",
              NULL);
    assert_errors(&r, 1, "uscc", "uscc.length");
    result_clear(&r);
}

static void test_values(void **state)
{
    (void)state;
    struct result r =
        check("{\"name\":\"甲\",\"branch_id\":2,\"credit_limit\":\"1234.5\",\"billing_day\":28,"
              "\"credit_days\":0,\"industry\":\"T\",\"value_added\":[\"cod\",\"cold_chain\"],"
              "\"settlement\":\"prepaid\",\"acquired_on\":\"2024-02-29\"}",
              NULL);
    assert_errors(&r, 0);
    assert_string_equal(out_str(&r, "credit_limit"), "1234.50");
    assert_int_equal(enterprise_fen(out_str(&r, "credit_limit")), 123450);
    result_clear(&r);
    r = check("{\"name\":\"甲\",\"branch_id\":2,\"credit_limit\":\"-5\",\"billing_day\":29,"
              "\"credit_days\":366,\"industry\":\"Z\",\"value_added\":[\"teleport\"],"
              "\"settlement\":\"barter\",\"acquired_on\":\"2026-02-30\",\"tier\":\"gold\"}",
              NULL);
    assert_errors(&r, 8, "credit_limit", "field.invalid", "billing_day", "field.invalid",
                  "credit_days", "field.invalid", "industry", "field.unknown_option", "value_added",
                  "field.unknown_option", "settlement", "field.unknown_option", "acquired_on",
                  "field.date", "tier", "field.unknown_option");
    result_clear(&r);
}

static void test_manager(void **state)
{
    (void)state;
    /* manager 7 works in branch 2: fits an enterprise of branch 2, not of 3 */
    struct result r = check("{\"name\":\"甲\",\"branch_id\":2,\"owner_id\":7}", NULL);
    assert_errors(&r, 0);
    result_clear(&r);
    r = check("{\"name\":\"甲\",\"branch_id\":3,\"owner_id\":7,\"supervisor_id\":7}", NULL);
    assert_errors(&r, 2, "owner_id", "field.unknown_owner", "supervisor_id", "field.unknown_owner");
    result_clear(&r);
    /* kept from before a move to branch 3: no longer the manager */
    r = check("{\"branch_id\":3}",
              "{\"name\":\"甲\",\"branch_id\":2,\"branch_path\":\"/1/2/\",\"owner_id\":7,"
              "\"custom\":{}}");
    assert_errors(&r, 0);
    assert_true(json_is_null(json_object_get(r.out, "owner_id")));
    result_clear(&r);
}

static int setup(void **state)
{
    (void)state;
    if (testdb_open(dir, "check.db", true))
        return -1;
    return db_exec(db_get(),
                   "INSERT INTO branches (id, code, name, level, path, parent_id, created_at, "
                   "updated_at) VALUES (2, 'B2', '甲网点', 'branch', '/1/2/', 1, 0, 0), "
                   "(3, 'B3', '乙网点', 'branch', '/1/3/', 1, 0, 0)",
                   DB_NOARGS) ||
                   db_exec(db_get(),
                           "INSERT INTO users (id, login, name, role, branch_id, password_hash, "
                           "status, created_at, updated_at) VALUES (7, 'M7', '经理', 'manager', "
                           "2, 'x', 'active', 0, 0)",
                           DB_NOARGS)
               ? -1
               : 0;
}

static int teardown(void **state)
{
    (void)state;
    return testdb_close(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_uscc),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_manager),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
