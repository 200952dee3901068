/*
 * test_customer_check.c - unit tests for customer_check() (src/crm/customer.c),
 * the one validation of a customer create or edit that the API and the
 * importer share, on a temporary SQLite database (all migrations applied,
 * so the dictionaries hold their seeded items; two branches, a staff member
 * and a few custom fields added).
 *
 * Each case checks the normalised values that land in out and the exact set
 * of field errors, each with the message of its key: required fields, the
 * mobile number, the ID number with the birthday and gender derived from it
 * (or checked against what was typed), dictionaries, lists, family members,
 * owner and branch (scope), and custom fields typed by their definition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/actor.h"
#include "auth/perm.h"
#include "base/i18n.h"
#include "crm/customer.h"
#include "db/db.h"
#include "testdb.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/hy_check_XXXXXX";

static const struct actor admin = {.id = 1, .perms = PERM_ADMIN};
/* A clerk of branch 2 (/1/2/), below branch 1 (/1/). */
static const struct actor clerk = {.id = 2, .branch_id = 2, .branch_path = "/1/2/"};

struct result {
    int rc;
    json_t *out, *errors;
};

static void result_clear(struct result *r)
{
    json_decref(r->out);
    json_decref(r->errors);
}

/* customer_check of in (JSON text) on top of a stored customer of branch 2
 * with the fields of cur (JSON text), or of nothing when cur is NULL (a new
 * customer), in Chinese. */
static struct result check(const struct actor *u, const char *in, const char *cur)
{
    json_error_t jerr;
    json_t *jin = json_loads(in, 0, &jerr);
    if (!jin)
        fail_msg("test JSON does not parse: %s: %s", in, jerr.text);
    json_t *jcur = NULL;
    if (cur) {
        json_t *fields = json_loads(cur, 0, &jerr);
        if (!fields)
            fail_msg("test JSON does not parse: %s: %s", cur, jerr.text);
        jcur = json_pack("{s:s,s:s,s:i,s:s,s:{}}", "name", "张三", "phone", "13800138000",
                         "branch_id", 2, "branch_path", "/1/2/", "custom");
        json_object_update(jcur, fields);
        json_decref(fields);
    }
    struct result r = {.out = json_object(), .errors = json_object()};
    r.rc = customer_check(db_get(), u, "zh", jin, jcur, r.out, r.errors);
    json_decref(jin);
    json_decref(jcur);
    return r;
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
        if (!msg)
            fail_msg("no error on %s: %s", field, all);
        if (strcmp(msg, i18n_msg("zh", key)) != 0)
            fail_msg("error on %s: wanted %s (%s), got %s", field, key, i18n_msg("zh", key), msg);
    }
    va_end(ap);
    free(all);
}

static void assert_ok(const struct result *r)
{
    assert_int_equal(r->rc, 0);
    assert_errors(r, 0);
}

static const char *out_str(const struct result *r, const char *key)
{
    return json_string_value(json_object_get(r->out, key));
}

/* An 18-character ID number from its first 17 digits, with the MOD 11-2
 * check character of GB 11643-1999. */
static void id_with_check(const char *first17, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * w[i];
    memcpy(out, first17, 17);
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* ---- required fields, name and phone ------------------------------------------ */

static void test_new_customer_minimal(void **state)
{
    (void)state;
    struct result r = check(&admin,
                            "{\"name\":\"  张三 \",\"phone\":\"+86 138 0013 8000\","
                            "\"branch_id\":2,\"custom\":{\"card\":\"C1\"}}",
                            NULL);
    assert_ok(&r);
    assert_string_equal(out_str(&r, "name"), "张三");
    assert_string_equal(out_str(&r, "phone"), "13800138000");
    assert_int_equal(json_integer_value(json_object_get(r.out, "branch_id")), 2);
    assert_string_equal(out_str(&r, "branch_path"), "/1/2/");
    /* a new customer starts with empty lists, no custom values, a solar birthday */
    assert_int_equal(json_array_size(json_object_get(r.out, "interests")), 0);
    assert_int_equal(json_array_size(json_object_get(r.out, "family_members")), 0);
    assert_int_equal(json_array_size(json_object_get(r.out, "business_prefs")), 0);
    assert_int_equal(json_object_size(json_object_get(r.out, "custom")), 1); /* card below */
    assert_true(json_is_false(json_object_get(r.out, "birthday_lunar")));
    result_clear(&r);
}

static void test_required(void **state)
{
    (void)state;
    /* an admin has no branch to default to: asked to pick one */
    struct result r = check(&admin, "{}", NULL);
    assert_int_equal(r.rc, 0);
    assert_errors(&r, 4, "name", "field.required", "phone", "field.required", "branch_id",
                  "field.branch_pick", "custom.card", "field.required");
    result_clear(&r);
    /* a clerk's new customer is in the clerk's branch */
    r = check(&clerk, "{\"name\":\"李四\",\"phone\":\"13800138000\",\"custom\":{\"card\":\"C1\"}}",
              NULL);
    assert_ok(&r);
    assert_int_equal(json_integer_value(json_object_get(r.out, "branch_id")), 2);
    assert_string_equal(out_str(&r, "branch_path"), "/1/2/");
    result_clear(&r);
    /* blank text is no value */
    r = check(&clerk, "{\"name\":\" \\t \",\"phone\":\"\",\"custom\":{\"card\":\"C1\"}}", NULL);
    assert_errors(&r, 2, "name", "field.required", "phone", "field.required");
    result_clear(&r);
    r = check(&clerk, "{\"name\":null,\"phone\":null,\"custom\":{\"card\":\"C1\"}}", NULL);
    assert_errors(&r, 2, "name", "field.required", "phone", "field.phone");
    result_clear(&r);
}

static void test_name_and_phone(void **state)
{
    (void)state;
    /* 32 characters (not bytes) at most */
    char in[512];
    const char *c32 = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二";
    snprintf(in, sizeof(in),
             "{\"name\":\"%s\",\"phone\":\"13800138000\",\"custom\":{\"card\":\"C\"}}", c32);
    struct result r = check(&clerk, in, NULL);
    assert_ok(&r);
    assert_string_equal(out_str(&r, "name"), c32);
    result_clear(&r);
    snprintf(in, sizeof(in),
             "{\"name\":\"%s三\",\"phone\":\"13800138000\",\"custom\":{\"card\":\"C\"}}", c32);
    r = check(&clerk, in, NULL);
    assert_errors(&r, 1, "name", "field.too_long");
    result_clear(&r);
    r = check(&clerk, "{\"name\":5,\"phone\":\"13800138000\",\"custom\":{\"card\":\"C\"}}", NULL);
    assert_errors(&r, 1, "name", "field.not_string");
    result_clear(&r);

    static const char *const bad_phones[] = {"\"1380013800\"",   "\"23800138000\"",
                                             "\"138001380001\"", "\"138-0013-800a\"",
                                             "13800138000",      "true"};
    for (size_t i = 0; i < sizeof(bad_phones) / sizeof(bad_phones[0]); i++) {
        snprintf(in, sizeof(in), "{\"name\":\"王五\",\"phone\":%s,\"custom\":{\"card\":\"C\"}}",
                 bad_phones[i]);
        r = check(&clerk, in, NULL);
        assert_errors(&r, 1, "phone", "field.phone");
        result_clear(&r);
    }
    r = check(&clerk,
              "{\"name\":\"王五\",\"phone\":\"+86 138-1234-1234\",\"custom\":{\"card\":\"C\"}}",
              NULL);
    assert_ok(&r);
    assert_string_equal(out_str(&r, "phone"), "13812341234");
    result_clear(&r);
}

/* ---- ID number, birthday, gender --------------------------------------------- */

static void test_id_number_derives(void **state)
{
    (void)state;
    /* 17th digit odd: male */
    struct result r = check(&clerk, "{\"id_number\":\"440103196109272135\"}", "{}");
    assert_ok(&r);
    assert_string_equal(out_str(&r, "id_number"), "440103196109272135");
    assert_string_equal(out_str(&r, "birthday"), "1961-09-27");
    assert_string_equal(out_str(&r, "gender"), "male");
    result_clear(&r);
    /* even: female; a lower-case x is stored upper-case */
    r = check(&clerk, "{\"id_number\":\" 11010519491231002x \"}", "{}");
    assert_ok(&r);
    assert_string_equal(out_str(&r, "id_number"), "11010519491231002X");
    assert_string_equal(out_str(&r, "birthday"), "1949-12-31");
    assert_string_equal(out_str(&r, "gender"), "female");
    result_clear(&r);
    /* the old 15 digits (19YY) become 18 with their check character */
    char want[19];
    id_with_check("44010319610927213", want);
    r = check(&clerk, "{\"id_number\":\"440103610927213\"}", "{}");
    assert_ok(&r);
    assert_string_equal(out_str(&r, "id_number"), want);
    assert_string_equal(out_str(&r, "birthday"), "1961-09-27");
    assert_string_equal(out_str(&r, "gender"), "male");
    result_clear(&r);
    /* typed birthday and gender that agree are kept */
    r = check(&clerk,
              "{\"id_number\":\"440103196109272135\",\"birthday\":\"1961-09-27\","
              "\"gender\":\"male\"}",
              "{}");
    assert_ok(&r);
    result_clear(&r);
    /* an edit that changes the ID number derives again over the stored values */
    r = check(&clerk, "{\"id_number\":\"11010519491231002X\"}",
              "{\"id_number\":\"440103196109272135\",\"birthday\":\"1961-09-27\","
              "\"gender\":\"male\"}");
    assert_ok(&r);
    assert_string_equal(out_str(&r, "birthday"), "1949-12-31");
    assert_string_equal(out_str(&r, "gender"), "female");
    result_clear(&r);
    /* null clears it */
    r = check(&clerk, "{\"id_number\":null}", "{\"id_number\":\"440103196109272135\"}");
    assert_ok(&r);
    assert_true(json_is_null(json_object_get(r.out, "id_number")));
    result_clear(&r);
}

static void test_id_number_errors(void **state)
{
    (void)state;
    static const struct {
        const char *id, *key;
    } cases[] = {
        {"440103196109272136", "id_number.checksum"},
        {"4401031961092721", "id_number.length"},
        {"4401031961092721X5", "id_number.format"},
        {"990103196109272135", "id_number.region"},
        {"440103196102302135", "id_number.birthdate"},
        {"440103290001012135", "id_number.birthdate_future"},
        {"440103189912312135", "id_number.birthdate_range"},
    };
    char in[128], id[19];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* with a right check character, so that the named check is the one that fails */
        if (strcmp(cases[i].key, "id_number.checksum") == 0 ||
            strcmp(cases[i].key, "id_number.length") == 0 ||
            strcmp(cases[i].key, "id_number.format") == 0)
            snprintf(id, sizeof(id), "%s", cases[i].id);
        else
            id_with_check(cases[i].id, id);
        snprintf(in, sizeof(in), "{\"id_number\":\"%s\"}", id);
        struct result r = check(&clerk, in, "{}");
        if (json_object_size(r.errors) != 1)
            fail_msg("%s: %s", id, json_dumps(r.errors, 0));
        assert_errors(&r, 1, "id_number", cases[i].key);
        result_clear(&r);
    }
    struct result r = check(&clerk, "{\"id_number\":123}", "{}");
    assert_errors(&r, 1, "id_number", "field.not_string");
    result_clear(&r);
    r = check(&clerk, "{\"id_number\":\"4401031961092721350\"}", "{}");
    assert_errors(&r, 1, "id_number", "field.too_long");
    result_clear(&r);
}

static void test_birthday_and_gender(void **state)
{
    (void)state;
    /* typed values that disagree with the ID number */
    struct result r = check(&clerk,
                            "{\"id_number\":\"440103196109272135\",\"birthday\":\"1961-09-28\","
                            "\"gender\":\"female\"}",
                            "{}");
    assert_errors(&r, 2, "birthday", "field.birthday_mismatch", "gender", "field.gender_mismatch");
    result_clear(&r);
    /* without an ID number: a real date, not in the future; male or female */
    r = check(&clerk, "{\"birthday\":\"1990-02-30\",\"gender\":\"M\"}", "{}");
    assert_errors(&r, 2, "birthday", "field.date", "gender", "field.gender");
    result_clear(&r);
    r = check(&clerk, "{\"birthday\":\"1990/02/01\"}", "{}");
    assert_errors(&r, 1, "birthday", "field.date");
    result_clear(&r);
    /* a future birthday typed alone is about the birthday, not an ID number */
    r = check(&clerk, "{\"birthday\":\"2999-01-01\"}", "{}");
    assert_errors(&r, 1, "birthday", "field.birthday_future");
    result_clear(&r);
    r = check(&clerk, "{\"birthday\":\"1990-02-28\",\"gender\":\"female\",\"birthday_lunar\":true}",
              "{}");
    assert_ok(&r);
    assert_string_equal(out_str(&r, "birthday"), "1990-02-28");
    assert_string_equal(out_str(&r, "gender"), "female");
    assert_true(json_is_true(json_object_get(r.out, "birthday_lunar")));
    result_clear(&r);
    r = check(&clerk, "{\"birthday_lunar\":\"yes\"}", "{}");
    assert_errors(&r, 1, "birthday_lunar", "field.not_boolean");
    result_clear(&r);
}

/* ---- dictionaries, lists, family -------------------------------------------- */

static void test_dictionaries(void **state)
{
    (void)state;
    struct result r = check(&clerk, "{\"level\":\"高价值\",\"service_level\":\"A\"}", "{}");
    assert_ok(&r);
    assert_string_equal(out_str(&r, "level"), "高价值");
    assert_string_equal(out_str(&r, "service_level"), "A");
    result_clear(&r);
    r = check(&clerk, "{\"level\":\"VIP\",\"service_level\":\"Z\"}", "{}");
    assert_errors(&r, 2, "level", "field.unknown_option", "service_level", "field.unknown_option");
    result_clear(&r);
    /* a value of another dictionary is not an option */
    r = check(&clerk, "{\"level\":\"A\"}", "{}");
    assert_errors(&r, 1, "level", "field.unknown_option");
    result_clear(&r);
}

static void test_lists_and_family(void **state)
{
    (void)state;
    struct result r = check(
        &clerk,
        "{\"interests\":[\"集邮\",\"理财\"],\"business_prefs\":null,"
        "\"family_members\":[{\"relation\":\"子女\",\"name\":\" 李小四 \","
        "\"phone\":\"+86 139 0013 9000\",\"birthday\":\"2010-01-02\"},{\"relation\":\"配偶\"}]}",
        "{\"business_prefs\":[\"ems\"]}");
    assert_ok(&r);
    assert_int_equal(json_array_size(json_object_get(r.out, "interests")), 2);
    assert_int_equal(json_array_size(json_object_get(r.out, "business_prefs")), 0);
    json_t *fam = json_object_get(r.out, "family_members");
    assert_int_equal(json_array_size(fam), 2);
    json_t *m0 = json_array_get(fam, 0);
    assert_string_equal(json_string_value(json_object_get(m0, "name")), "李小四");
    assert_string_equal(json_string_value(json_object_get(m0, "phone")), "13900139000");
    result_clear(&r);

    r = check(&clerk, "{\"interests\":\"集邮\",\"business_prefs\":[1]}", "{}");
    assert_errors(&r, 2, "interests", "field.not_array", "business_prefs", "field.not_string");
    result_clear(&r);

    r = check(
        &clerk,
        "{\"family_members\":[{\"name\":\"甲\",\"phone\":\"123\",\"birthday\":\"2010-13-01\"},"
        "\"乙\",{\"phone\":\"13900139000\"}]}",
        "{}");
    assert_errors(&r, 4, "family_members.0.phone", "field.phone", "family_members.0.birthday",
                  "field.date", "family_members.1", "field.not_object", "family_members.2.name",
                  "field.required");
    result_clear(&r);

    char in[2048];
    size_t len = (size_t)snprintf(in, sizeof(in), "{\"family_members\":[");
    for (int i = 0; i < 21; i++)
        len += (size_t)snprintf(in + len, sizeof(in) - len, "%s{\"name\":\"甲\"}", i ? "," : "");
    snprintf(in + len, sizeof(in) - len, "]}");
    r = check(&clerk, in, "{}");
    assert_errors(&r, 1, "family_members", "field.not_array");
    result_clear(&r);
}

/* ---- owner and branch -------------------------------------------------------- */

static void test_owner_and_branch(void **state)
{
    (void)state;
    struct result r = check(&clerk, "{\"owner_id\":7,\"branch_id\":2}", "{}");
    assert_ok(&r);
    assert_int_equal(json_integer_value(json_object_get(r.out, "owner_id")), 7);
    result_clear(&r);
    /* a disabled member of staff is no owner */
    r = check(&clerk, "{\"owner_id\":8}", "{}");
    assert_errors(&r, 1, "owner_id", "field.unknown_owner");
    result_clear(&r);
    r = check(&clerk, "{\"owner_id\":\"7\",\"branch_id\":\"2\"}", "{}");
    assert_errors(&r, 2, "owner_id", "field.not_integer", "branch_id", "field.not_integer");
    result_clear(&r);
    r = check(&clerk, "{\"owner_id\":null}", "{\"owner_id\":7}");
    assert_ok(&r);
    assert_true(json_is_null(json_object_get(r.out, "owner_id")));
    result_clear(&r);
    r = check(&clerk, "{\"branch_id\":99}", "{}");
    assert_errors(&r, 1, "branch_id", "field.unknown_branch");
    result_clear(&r);
    /* a clerk chooses the own branch or one below it, never the one above */
    r = check(&clerk, "{\"branch_id\":1}", "{}");
    assert_errors(&r, 1, "branch_id", "field.branch_scope");
    result_clear(&r);
    r = check(&admin, "{\"branch_id\":1}", "{}");
    assert_ok(&r);
    assert_string_equal(out_str(&r, "branch_path"), "/1/");
    result_clear(&r);
}

/* ---- custom fields ----------------------------------------------------------- */

static void test_custom_fields(void **state)
{
    (void)state;
    struct result r = check(&clerk,
                            "{\"custom\":{\"card\":\"C9\",\"children\":2,\"deposit\":\"12.5\","
                            "\"channel\":\"wx\",\"hobbies\":[\"stamps\"],\"backup\":\"+86 139 "
                            "0013 9000\",\"mail\":\"a@example.com\",\"vip\":true,"
                            "\"since\":\"2000-05-20\"}}",
                            "{}");
    assert_ok(&r);
    json_t *c = json_object_get(r.out, "custom");
    assert_string_equal(json_string_value(json_object_get(c, "deposit")), "12.50");
    assert_string_equal(json_string_value(json_object_get(c, "backup")), "13900139000");
    assert_int_equal(json_integer_value(json_object_get(c, "children")), 2);
    result_clear(&r);

    r = check(&clerk,
              "{\"custom\":{\"children\":\"2\",\"deposit\":12.345,\"channel\":\"nope\","
              "\"hobbies\":[\"golf\"],\"backup\":\"123\",\"mail\":\"a@\",\"vip\":\"yes\","
              "\"since\":\"2000-02-30\",\"nokey\":1,\"old\":\"x\"}}",
              "{}");
    assert_errors(&r, 10, "custom.children", "field.not_number", "custom.deposit", "field.money",
                  "custom.channel", "field.unknown_option", "custom.hobbies",
                  "field.unknown_option", "custom.backup", "field.phone", "custom.mail",
                  "field.email", "custom.vip", "field.not_boolean", "custom.since", "field.date",
                  "custom.nokey", "field.unknown_field", "custom.old", "field.unknown_field");
    result_clear(&r);

    r = check(&clerk, "{\"custom\":[1]}", "{}");
    assert_errors(&r, 1, "custom", "field.not_object");
    result_clear(&r);

    /* required: on create, and on an edit that clears it; an edit that does
     * not name it keeps the stored value */
    r = check(&clerk, "{\"occupation\":\"教师\"}", "{\"custom\":{\"card\":\"C1\"}}");
    assert_ok(&r);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.out, "custom"), "card")), "C1");
    result_clear(&r);
    r = check(&clerk, "{\"custom\":{\"card\":\"\"}}", "{\"custom\":{\"card\":\"C1\"}}");
    assert_errors(&r, 1, "custom.card", "field.required");
    result_clear(&r);
    /* an empty value clears an optional field */
    r = check(&clerk, "{\"custom\":{\"mail\":\"\"}}",
              "{\"custom\":{\"card\":\"C1\",\"mail\":\"a@b.cn\"}}");
    assert_ok(&r);
    assert_null(json_object_get(json_object_get(r.out, "custom"), "mail"));
    result_clear(&r);
}

static int setup(void **state)
{
    (void)state;
    if (testdb_open(dir, "check.db", true))
        return -1;
    struct db *db = db_get();
    if (db_exec(db,
                "INSERT INTO branches (id, code, name, level, path, parent_id, created_at, "
                "updated_at) VALUES (2, 'B2', '下级网点', 'branch', '/1/2/', 1, 0, 0)",
                DB_NOARGS) ||
        db_exec(db,
                "INSERT INTO users (id, login, name, role, branch_id, password_hash, status, "
                "created_at, updated_at) VALUES (7, 'M7', '经理', 'manager', 2, 'x', 'active', 0, "
                "0), (8, 'M8', '离职经理', 'manager', 2, 'x', 'disabled', 0, 0)",
                DB_NOARGS))
        return -1;
    /* card is required */
    static const char *const defs[][3] = {
        {"card", "text", "[]"},
        {"children", "number", "[]"},
        {"deposit", "money", "[]"},
        {"since", "date", "[]"},
        {"channel", "select", "[{\"value\":\"wx\",\"label\":\"微信\"}]"},
        {"hobbies", "multiselect", "[{\"value\":\"stamps\",\"label\":\"集邮\"}]"},
        {"backup", "phone", "[]"},
        {"mail", "email", "[]"},
        {"vip", "boolean", "[]"},
    };
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        if (db_exec(db,
                    "INSERT INTO custom_fields (entity, key, label, type, options, required, "
                    "created_at, updated_at) VALUES ('customer', ?, ?, ?, ?, ?, 0, 0)",
                    DB_ARGS(DB_TEXT(defs[i][0]), DB_TEXT(defs[i][0]), DB_TEXT(defs[i][1]),
                            DB_TEXT(defs[i][2]), DB_INT(i == 0))))
            return -1;
    return db_exec(db,
                   "INSERT INTO custom_fields (entity, key, label, type, retired, created_at, "
                   "updated_at) VALUES ('customer', 'old', 'old', 'text', 1, 0, 0)",
                   DB_NOARGS);
}

static int teardown(void **state)
{
    (void)state;
    return testdb_close(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_customer_minimal), cmocka_unit_test(test_required),
        cmocka_unit_test(test_name_and_phone),       cmocka_unit_test(test_id_number_derives),
        cmocka_unit_test(test_id_number_errors),     cmocka_unit_test(test_birthday_and_gender),
        cmocka_unit_test(test_dictionaries),         cmocka_unit_test(test_lists_and_family),
        cmocka_unit_test(test_owner_and_branch),     cmocka_unit_test(test_custom_fields),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
