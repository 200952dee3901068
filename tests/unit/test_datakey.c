/*
 * test_datakey.c - unit tests for src/base/datakey.c: keys parsed from hex
 * and base64 and nothing else, a sealed value opens to itself only under
 * its key, tampering is refused, the seal is random but the indexes are
 * not, and the indexes depend on the key; key files are made private and a
 * malformed one is refused without its text in the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/datakey.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const HEX_A = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char *const ID = "440106199106181863";

static void key_of(const char *text, struct datakey *k)
{
    unsigned char raw[DATAKEY_BYTES];
    assert_int_equal(datakey_parse(text, raw), 0);
    datakey_init(k, raw);
}

static void test_parse(void **state)
{
    (void)state;
    unsigned char a[DATAKEY_BYTES], b[DATAKEY_BYTES];
    assert_int_equal(datakey_parse(HEX_A, a), 0);
    assert_int_equal(a[0], 0);
    assert_int_equal(a[31], 0x1f);
    /* the same 32 bytes in base64, with spaces and a newline around */
    assert_int_equal(datakey_parse("  AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", b), 0);
    assert_memory_equal(a, b, DATAKEY_BYTES);
    assert_int_equal(datakey_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", b), 0);
    assert_memory_equal(a, b, DATAKEY_BYTES);
    /* too short, too long, not hex, empty, NULL */
    assert_int_equal(datakey_parse("0001", b), -1);
    char longer[80];
    snprintf(longer, sizeof(longer), "%s00", HEX_A);
    assert_int_equal(datakey_parse(longer, b), -1);
    assert_int_equal(
        datakey_parse("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", b), -1);
    assert_int_equal(datakey_parse("", b), -1);
    assert_int_equal(datakey_parse(NULL, b), -1);
}

static void test_seal_open(void **state)
{
    (void)state;
    struct datakey k, other;
    key_of(HEX_A, &k);
    key_of("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100", &other);
    assert_int_equal(strlen(k.id), DATAKEY_ID_LEN);
    assert_string_not_equal(k.id, other.id);

    char *s1 = datakey_seal(&k, ID), *s2 = datakey_seal(&k, ID);
    assert_string_not_equal(s1, s2); /* a random nonce each time */
    assert_null(strstr(s1, ID));
    assert_null(strstr(s1, "1863"));
    char id[DATAKEY_ID_LEN + 1];
    assert_true(datakey_sealed_id(s1, id));
    assert_string_equal(id, k.id);

    char *clear = datakey_open(&k, s1);
    assert_non_null(clear);
    assert_string_equal(clear, ID);
    free(clear);
    assert_null(datakey_open(&other, s1)); /* another key */

    /* one character of the ciphertext changed: refused */
    size_t n = strlen(s1);
    s1[n - 3] = s1[n - 3] == 'A' ? 'B' : 'A';
    assert_null(datakey_open(&k, s1));
    /* the key id changed to the other key's: refused too */
    memcpy(s2, other.id, DATAKEY_ID_LEN);
    assert_null(datakey_open(&other, s2));
    assert_null(datakey_open(&k, "garbage"));
    assert_false(datakey_sealed_id("short", id));
    free(s1);
    free(s2);
}

static void test_indexes(void **state)
{
    (void)state;
    struct datakey k, other;
    key_of(HEX_A, &k);
    key_of("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100", &other);
    char a[DATAKEY_INDEX_LEN + 1], b[DATAKEY_INDEX_LEN + 1], c[DATAKEY_INDEX_LEN + 1];
    datakey_index(&k, ID, a);
    datakey_index(&k, ID, b);
    assert_string_equal(a, b); /* deterministic: an equality lookup */
    assert_int_equal(strlen(a), DATAKEY_INDEX_LEN);
    datakey_index(&other, ID, c);
    assert_string_not_equal(a, c); /* keyed */
    datakey_index(&k, "440106199106181871", c);
    assert_string_not_equal(a, c);
    /* the last four: the same for two numbers ending alike, not the whole
     * number's index, and not the clear digits */
    datakey_index_last4(&k, ID, b);
    datakey_index_last4(&k, "110105194912311863", c);
    assert_string_equal(b, c);
    assert_string_not_equal(a, b);
    datakey_index_last4(&k, "1863", c);
    assert_string_equal(b, c);
    assert_null(strstr(b, "1863"));
}

static void test_key_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/hy-datakey-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/hongyan.key", dir);
    struct datakey k1, k2;
    /* made on first use, private, and the same key when read again */
    assert_int_equal(datakey_load_file(&k1, path, true, err, sizeof(err)), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(datakey_load_file(&k2, path, true, err, sizeof(err)), 0);
    assert_string_equal(k1.id, k2.id);
    /* missing and not to be made */
    char missing[160];
    snprintf(missing, sizeof(missing), "%s/none.key", dir);
    assert_int_equal(datakey_load_file(&k2, missing, false, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot read key file"));
    /* malformed: refused, and the message does not carry the text */
    FILE *f = fopen(missing, "w");
    assert_non_null(f);
    fputs("secret-but-short\n", f);
    fclose(f);
    assert_int_equal(datakey_load_file(&k2, missing, false, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "malformed key"));
    assert_null(strstr(err, "secret-but-short"));
    unlink(missing);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_indexes),
        cmocka_unit_test(test_key_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
