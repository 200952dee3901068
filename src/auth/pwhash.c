/*
 * pwhash.c - see pwhash.h.
 */
#include "auth/pwhash.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define OPSLIMIT 2
#define MEMLIMIT (19u * 1024u * 1024u)

_Static_assert(PWHASH_LEN == crypto_pwhash_STRBYTES, "hash buffer size");

int pwhash_make(const char *password, char out[PWHASH_LEN])
{
    return crypto_pwhash_str_alg(out, password, strlen(password), OPSLIMIT, MEMLIMIT,
                                 crypto_pwhash_ALG_ARGON2ID13);
}

bool pwhash_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static char dummy[PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    pwhash_make("hongyan-timing-equaliser", dummy);
}

void pwhash_dummy_verify(const char *password)
{
    pthread_once(&dummy_once, make_dummy);
    (void)pwhash_verify(dummy, password);
}
