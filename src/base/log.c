/*
 * log.c - see log.h.
 */
#include "base/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Thread_local char current_request_id[32];
static bool json_lines; /* set once at start-up, before any thread */

void log_set_json(bool on)
{
    json_lines = on;
}

/* {"ts":…,"level":…,"request_id":…,"msg":…} for log collectors. */
static void put_json(const char *ts, const char *level, const char *msg)
{
    const char *rid = current_request_id[0] ? current_request_id : NULL;
    json_t *o =
        json_pack("{s:s, s:s, s:s?, s:s}", "ts", ts, "level", level, "request_id", rid, "msg", msg);
    if (!o) /* a message that is not UTF-8 (a client's bytes in a path) */
        o = json_pack("{s:s, s:s, s:s?, s:s}", "ts", ts, "level", level, "request_id", rid, "msg",
                      "(message not valid UTF-8)");
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (line) {
        fprintf(stderr, "%s\n", line);
        free(line);
    }
}

void log_set_request_id(const char *id)
{
    if (!id) {
        current_request_id[0] = '\0';
        return;
    }
    snprintf(current_request_id, sizeof(current_request_id), "%s", id);
}

void log_msg(const char *level, const char *fmt, ...)
{
    char ts[64], line[2048];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
    int n = json_lines ? 0
                       : snprintf(line, sizeof(line), "%s %-5s [%s] ", ts, level,
                                  current_request_id[0] ? current_request_id : "-");
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    if (json_lines) {
        put_json(ts, level, line);
        return;
    }
    /* One fputs per line so lines from different threads do not interleave. */
    size_t len = strlen(line);
    if (len + 1 < sizeof(line)) {
        line[len] = '\n';
        line[len + 1] = '\0';
    }
    fputs(line, stderr);
}
