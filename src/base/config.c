/*
 * config.c - see config.h.
 */
#include "base/config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE    4096
#define MAX_ENTRIES 128

struct entry {
    char *key, *value;
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static bool valid_key(const char *k)
{
    if (strncmp(k, "HONGYAN_", 8) != 0 || !k[8])
        return false;
    for (const char *p = k + 8; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

/* Parse one non-empty, non-comment line into e (pointers into line). */
static int parse_line(char *line, struct entry *e)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return -1;
    *eq = '\0';
    e->key = trim(line);
    char *v = trim(eq + 1);
    size_t n = strlen(v);
    if (n && v[0] == '"') {
        if (n < 2 || v[n - 1] != '"')
            return -1;
        v[n - 1] = '\0';
        v++;
    }
    e->value = v;
    return valid_key(e->key) ? 0 : -2;
}

int config_load_env(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    /* Read and check the whole file before setting anything. */
    static const struct entry none = {0};
    struct entry entries[MAX_ENTRIES];
    char *lines[MAX_ENTRIES];
    int n = 0, lineno = 0, rc = 0;
    char buf[MAX_LINE];
    while (!rc && fgets(buf, sizeof(buf), f)) {
        lineno++;
        if (!strchr(buf, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        char *t = trim(buf);
        if (!*t || *t == '#')
            continue;
        if (n == MAX_ENTRIES) {
            snprintf(err, errlen, "%s:%d: more than %d settings", path, lineno, MAX_ENTRIES);
            rc = -1;
            break;
        }
        lines[n] = strdup(t);
        entries[n] = none;
        if (!lines[n]) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        int prc = parse_line(lines[n], &entries[n]);
        n++;
        if (prc == -1) {
            snprintf(err, errlen, "%s:%d: expected KEY=VALUE", path, lineno);
            rc = -1;
        } else if (prc == -2) {
            snprintf(err, errlen, "%s:%d: unknown setting \"%.64s\" (only HONGYAN_* names)", path,
                     lineno, entries[n - 1].key);
            rc = -1;
        }
    }
    if (!rc && ferror(f)) {
        snprintf(err, errlen, "cannot read %s", path);
        rc = -1;
    }
    fclose(f);
    for (int i = 0; !rc && i < n; i++)
        if (setenv(entries[i].key, entries[i].value, 0) != 0) {
            snprintf(err, errlen, "cannot set %s", entries[i].key);
            rc = -1;
        }
    for (int i = 0; i < n; i++)
        free(lines[i]);
    return rc;
}

int64_t config_env_once(_Atomic int64_t *cache, const char *name, int64_t fallback)
{
    int64_t c = *cache;
    if (!c) {
        const char *v = getenv(name);
        long n = v ? strtol(v, NULL, 10) : 0;
        *cache = c = n > 0 ? n : fallback;
    }
    return c;
}
