/*
 * test_router.c - route matching: literal and {param} segments, the
 * 405-versus-404 distinction, HEAD served by GET routes, and the first
 * registered match winning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"

static void h_list(struct req *r)
{
    (void)r;
}
static void h_get(struct req *r)
{
    (void)r;
}
static void h_item(struct req *r)
{
    (void)r;
}
static void h_me(struct req *r)
{
    (void)r;
}

static const struct route table[] = {
    {"GET", "/api/v1/users", h_list, 0, 0, "list"},
    {"POST", "/api/v1/users", h_list, 0, 0, "create"},
    {"GET", "/api/v1/users/me", h_me, 0, 0, "me"},
    {"GET", "/api/v1/users/{id}", h_get, 0, 0, "get"},
    {"PATCH", "/api/v1/dictionaries/{code}/items/{id}", h_item, 0, 0, "item"},
    {0},
};

static int setup(void **state)
{
    (void)state;
    router_reset();
    router_add(table);
    return 0;
}

static void test_literal_and_params(void **state)
{
    (void)state;
    struct req r = {0};
    const struct route *route = NULL;
    unsigned allow;
    assert_int_equal(router_match("GET", "/api/v1/users", &route, &r, &allow), ROUTER_FOUND);
    assert_ptr_equal(route->handler, h_list);

    assert_int_equal(router_match("GET", "/api/v1/users/42", &route, &r, &allow), ROUTER_FOUND);
    assert_ptr_equal(route->handler, h_get);
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "42");

    assert_int_equal(
        router_match("PATCH", "/api/v1/dictionaries/business_type/items/7", &route, &r, &allow),
        ROUTER_FOUND);
    assert_int_equal(r.nparams, 2);
    assert_string_equal(r.params[0], "business_type");
    assert_string_equal(r.params[1], "7");
    free(r.param_buf);
}

static void test_first_match_wins(void **state)
{
    (void)state;
    struct req r = {0};
    const struct route *route = NULL;
    unsigned allow;
    /* /users/me is registered before /users/{id}. */
    assert_int_equal(router_match("GET", "/api/v1/users/me", &route, &r, &allow), ROUTER_FOUND);
    assert_ptr_equal(route->handler, h_me);
    free(r.param_buf);
}

static void test_not_found_versus_bad_method(void **state)
{
    (void)state;
    const struct route *route = NULL;
    unsigned allow = 0;
    assert_int_equal(router_match("GET", "/api/v1/nothing", &route, NULL, &allow),
                     ROUTER_NOT_FOUND);
    assert_int_equal(router_match("GET", "/api/v1/users/1/extra", &route, NULL, &allow),
                     ROUTER_NOT_FOUND);
    assert_int_equal(router_match("DELETE", "/api/v1/users", &route, NULL, &allow),
                     ROUTER_BAD_METHOD);
    assert_int_equal(allow, HTTP_GET | HTTP_POST);
    assert_int_equal(router_match("BREW", "/api/v1/users", &route, NULL, &allow),
                     ROUTER_BAD_METHOD);
}

static void test_head_uses_get(void **state)
{
    (void)state;
    const struct route *route = NULL;
    unsigned allow;
    assert_int_equal(router_match("HEAD", "/api/v1/users", &route, NULL, &allow), ROUTER_FOUND);
    assert_ptr_equal(route->handler, h_list);
}

static void test_slashes_and_depth(void **state)
{
    (void)state;
    const struct route *route = NULL;
    unsigned allow;
    /* Repeated and trailing slashes do not create empty segments. */
    assert_int_equal(router_match("GET", "//api/v1//users/", &route, NULL, &allow), ROUTER_FOUND);
    assert_ptr_equal(route->handler, h_list);
    /* A path deeper than any route is refused without overflowing. */
    assert_int_equal(router_match("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", &route, NULL, &allow),
                     ROUTER_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_literal_and_params, setup),
        cmocka_unit_test_setup(test_first_match_wins, setup),
        cmocka_unit_test_setup(test_not_found_versus_bad_method, setup),
        cmocka_unit_test_setup(test_head_uses_get, setup),
        cmocka_unit_test_setup(test_slashes_and_depth, setup),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
