/*
 * test_config.c - the configuration file (base/config.h): settings fill in
 * what the environment lacks and never override it, quotes keep spaces, a
 * bad line or an unknown key is refused with its line number and sets
 * nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/config.h"

static char path[64];

static void write_file(const char *text)
{
    snprintf(path, sizeof(path), "/tmp/hy-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_fills_in_without_overriding(void **state)
{
    (void)state;
    unsetenv("HONGYAN_CFG_A");
    unsetenv("HONGYAN_CFG_B");
    setenv("HONGYAN_CFG_C", "from-env", 1);
    write_file("# a comment\n\n  HONGYAN_CFG_A = 0.0.0.0:8080 \nHONGYAN_CFG_B=\" two words \"\n"
               "HONGYAN_CFG_C=from-file\r\n");
    char err[256] = "";
    assert_int_equal(config_load_env(path, err, sizeof(err)), 0);
    assert_string_equal(getenv("HONGYAN_CFG_A"), "0.0.0.0:8080");
    assert_string_equal(getenv("HONGYAN_CFG_B"), " two words ");
    assert_string_equal(getenv("HONGYAN_CFG_C"), "from-env");
    unlink(path);
}

static void test_bad_lines_set_nothing(void **state)
{
    (void)state;
    unsetenv("HONGYAN_CFG_D");
    char err[256] = "";
    write_file("HONGYAN_CFG_D=1\nLISTEN=0.0.0.0\n");
    assert_int_equal(config_load_env(path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":2: unknown setting \"LISTEN\""));
    assert_null(getenv("HONGYAN_CFG_D"));
    unlink(path);

    write_file("HONGYAN_CFG_D=1\n\njust words\n");
    assert_int_equal(config_load_env(path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":3: expected KEY=VALUE"));
    assert_null(getenv("HONGYAN_CFG_D"));
    unlink(path);

    write_file("HONGYAN_CFG_D=\"unclosed\n");
    assert_int_equal(config_load_env(path, err, sizeof(err)), -1);
    assert_null(getenv("HONGYAN_CFG_D"));
    unlink(path);

    assert_int_equal(config_load_env("/nonexistent/hongyan.conf", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot read /nonexistent/hongyan.conf"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fills_in_without_overriding),
        cmocka_unit_test(test_bad_lines_set_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
