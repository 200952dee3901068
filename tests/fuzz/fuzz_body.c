/*
 * fuzz_body.c - libFuzzer target for the JSON request-body path: the bytes
 * of a POST / PATCH body through server_parse_body() (src/http/server.c),
 * as dispatch reads every API body, then the validation handlers run on it:
 * the form accessors of src/http/form.c on every key it holds, and
 * customer_check() (src/crm/customer.c) as a create and as an edit, in
 * Chinese and English.
 */
#include "auth/actor.h"
#include "auth/perm.h"
#include "crm/customer.h"
#include "db/db.h"
#include "fuzz_db.h"
#include "http/form.h"
#include "http/http.h"
#include "http/server.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct actor admin = {.id = 1, .perms = PERM_ADMIN};
static const struct actor clerk = {.id = 2, .branch_id = 2, .branch_path = "/1/2/"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_db_open();
    return 0;
}

static void check_as(const struct actor *u, const char *lang, json_t *body, json_t *cur)
{
    json_t *out = json_object(), *errors = json_object();
    if (customer_check(db_get(), u, lang, body, cur, out, errors) != 0) {
        fprintf(stderr, "customer_check answered a database failure\n");
        abort();
    }
    /* every message is text */
    const char *k;
    json_t *msg;
    json_object_foreach(errors, k, msg)
    {
        if (!json_is_string(msg)) {
            fprintf(stderr, "error %s is not a message\n", k);
            abort();
        }
    }
    /* what passed must serialise (it is written to the database as JSON) */
    char *text = json_dumps(out, JSON_COMPACT);
    if (!text)
        abort();
    free(text);
    json_decref(out);
    json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = server_parse_body((const char *)data, size);
    if (!body)
        return 0;
    if (!json_is_object(body))
        abort();
    const char *lang = size % 2 ? "en" : "zh";
    struct req r = {0};
    r.json = body;
    r.lang = lang;
    struct form f;
    form_init(&f, &r);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        int64_t i;
        bool b;
        (void)form_has(&f, key);
        (void)form_str(&f, key, true, 32);
        (void)form_int(&f, key, false, &i);
        (void)form_bool(&f, key, false, &b);
    }
    form_release(&f);

    check_as(&clerk, lang, body, NULL);
    json_t *cur = json_pack("{s:s,s:s,s:i,s:s,s:{s:s}}", "name", "张三", "phone", "13800138000",
                            "branch_id", 2, "branch_path", "/1/2/", "custom", "card", "C1");
    check_as(&admin, lang, body, cur);
    json_decref(cur);
    json_decref(body);
    return 0;
}
