/*
 * datakey.c - see datakey.h. libsodium does the cryptography; this file
 * only fixes the formats and derives the sub-keys.
 */
#include "base/datakey.h"

#include "base/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* crypto_kdf contexts are 8 characters; the sub-key numbers below. */
static const char kdf_context[crypto_kdf_CONTEXTBYTES + 1] = "hyidkey1";
enum { SUB_ENC = 1, SUB_INDEX = 2, SUB_LAST4 = 3, SUB_KEYID = 4 };

#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG   crypto_aead_xchacha20poly1305_ietf_ABYTES
#define B64   sodium_base64_VARIANT_URLSAFE_NO_PADDING

static struct datakey current;
static bool current_set;

int datakey_parse(const char *text, unsigned char raw[DATAKEY_BYTES])
{
    if (!text)
        return -1;
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    size_t n = strlen(text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\n' ||
                 text[n - 1] == '\r'))
        n--;
    size_t got = 0;
    const char *end = NULL;
    if (n == 2 * DATAKEY_BYTES &&
        sodium_hex2bin(raw, DATAKEY_BYTES, text, n, NULL, &got, &end) == 0 &&
        got == DATAKEY_BYTES && end == text + n)
        return 0;
    static const int variants[] = {sodium_base64_VARIANT_ORIGINAL,
                                   sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                                   sodium_base64_VARIANT_URLSAFE, B64};
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
        if (sodium_base642bin(raw, DATAKEY_BYTES, text, n, NULL, &got, &end, variants[i]) == 0 &&
            got == DATAKEY_BYTES && end == text + n)
            return 0;
    sodium_memzero(raw, DATAKEY_BYTES);
    return -1;
}

void datakey_init(struct datakey *k, const unsigned char raw[DATAKEY_BYTES])
{
    unsigned char idkey[32], digest[DATAKEY_ID_LEN / 2];
    crypto_kdf_derive_from_key(k->enc, sizeof(k->enc), SUB_ENC, kdf_context, raw);
    crypto_kdf_derive_from_key(k->index, sizeof(k->index), SUB_INDEX, kdf_context, raw);
    crypto_kdf_derive_from_key(k->last4, sizeof(k->last4), SUB_LAST4, kdf_context, raw);
    crypto_kdf_derive_from_key(idkey, sizeof(idkey), SUB_KEYID, kdf_context, raw);
    /* crypto_generichash takes at least 16 output bytes; the id is the
     * first 4 of them. */
    unsigned char full[crypto_generichash_BYTES_MIN];
    crypto_generichash(full, sizeof(full), idkey, sizeof(idkey), NULL, 0);
    memcpy(digest, full, sizeof(digest));
    sodium_bin2hex(k->id, sizeof(k->id), digest, sizeof(digest));
    sodium_memzero(idkey, sizeof(idkey));
}

void datakey_generate(char text[2 * DATAKEY_BYTES + 1])
{
    unsigned char raw[DATAKEY_BYTES];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(text, 2 * DATAKEY_BYTES + 1, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
}

/* Write a new key to path, refusing to replace a file (O_EXCL). */
static int create_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create key file '%s': %s", path, strerror(errno));
        return -1;
    }
    char text[2 * DATAKEY_BYTES + 2];
    datakey_generate(text);
    text[2 * DATAKEY_BYTES] = '\n';
    text[2 * DATAKEY_BYTES + 1] = '\0';
    ssize_t w = write(fd, text, strlen(text));
    sodium_memzero(text, sizeof(text));
    if (w != (ssize_t)(2 * DATAKEY_BYTES + 1) || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write key file '%s': %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    close(fd);
    return 0;
}

int datakey_load_file(struct datakey *k, const char *path, bool create, char *err, size_t errlen)
{
    if (create && access(path, F_OK) != 0 && errno == ENOENT && create_file(path, err, errlen))
        return -1;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read key file '%s': %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    bool got = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    unsigned char raw[DATAKEY_BYTES];
    int rc = got ? datakey_parse(line, raw) : -1;
    sodium_memzero(line, sizeof(line));
    if (rc) {
        snprintf(err, errlen, "malformed key in '%s': expected 32 bytes as 64 hex digits or base64",
                 path);
        return -1;
    }
    datakey_init(k, raw);
    sodium_memzero(raw, sizeof(raw));
    return 0;
}

void datakey_use(const struct datakey *k)
{
    current = *k;
    current_set = true;
}

const struct datakey *datakey_current(void)
{
    return current_set ? &current : NULL;
}

char *datakey_seal(const struct datakey *k, const char *plain)
{
    size_t n = strlen(plain), clen = NONCE + n + TAG;
    unsigned char *buf = xmalloc(clen);
    randombytes_buf(buf, NONCE);
    unsigned long long got = 0;
    /* The key id is the associated data: a value moved under another id
     * does not open. */
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + NONCE, &got, (const unsigned char *)plain, n,
                                               (const unsigned char *)k->id, DATAKEY_ID_LEN, NULL,
                                               buf, k->enc);
    size_t b64 = sodium_base64_encoded_len(clen, B64);
    char *out = xmalloc(DATAKEY_ID_LEN + 1 + b64);
    memcpy(out, k->id, DATAKEY_ID_LEN);
    out[DATAKEY_ID_LEN] = ':';
    sodium_bin2base64(out + DATAKEY_ID_LEN + 1, b64, buf, clen, B64);
    free(buf);
    return out;
}

bool datakey_sealed_id(const char *sealed, char id[DATAKEY_ID_LEN + 1])
{
    if (!sealed || strlen(sealed) <= DATAKEY_ID_LEN || sealed[DATAKEY_ID_LEN] != ':')
        return false;
    memcpy(id, sealed, DATAKEY_ID_LEN);
    id[DATAKEY_ID_LEN] = '\0';
    return true;
}

char *datakey_open(const struct datakey *k, const char *sealed)
{
    char id[DATAKEY_ID_LEN + 1];
    if (!datakey_sealed_id(sealed, id) || strcmp(id, k->id) != 0)
        return NULL;
    const char *b64 = sealed + DATAKEY_ID_LEN + 1;
    size_t len = strlen(b64), clen = 0;
    unsigned char *buf = xmalloc(len + 1);
    if (sodium_base642bin(buf, len + 1, b64, len, NULL, &clen, NULL, B64) != 0 ||
        clen < NONCE + TAG) {
        free(buf);
        return NULL;
    }
    char *plain = xmalloc(clen - NONCE - TAG + 1);
    unsigned long long got = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &got, NULL, buf + NONCE,
                                                   clen - NONCE, (const unsigned char *)k->id,
                                                   DATAKEY_ID_LEN, buf, k->enc) != 0) {
        free(buf);
        free(plain);
        return NULL;
    }
    plain[got] = '\0';
    free(buf);
    return plain;
}

static void keyed(const unsigned char key[32], const char *value, size_t n,
                  char out[DATAKEY_INDEX_LEN + 1])
{
    unsigned char digest[16];
    crypto_generichash(digest, sizeof(digest), (const unsigned char *)value, n, key, 32);
    sodium_bin2base64(out, DATAKEY_INDEX_LEN + 1, digest, sizeof(digest), B64);
}

void datakey_index(const struct datakey *k, const char *value, char out[DATAKEY_INDEX_LEN + 1])
{
    keyed(k->index, value, strlen(value), out);
}

void datakey_index_last4(const struct datakey *k, const char *value,
                         char out[DATAKEY_INDEX_LEN + 1])
{
    size_t n = strlen(value);
    keyed(k->last4, n > 4 ? value + n - 4 : value, n > 4 ? 4 : n, out);
}
