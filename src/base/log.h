/*
 * log.h - line-oriented logging to stderr.
 *
 * Every line carries a UTC timestamp, a level and the id of the request the
 * calling thread is serving (set by the HTTP layer), so one request can be
 * followed through the log with grep.
 */
#ifndef HY_LOG_H
#define HY_LOG_H

#include <stdbool.h>

void log_set_request_id(const char *id);

/* One JSON object a line ({"ts","level","request_id","msg"}) instead of
 * text, for log collectors: HONGYAN_LOG_FORMAT=json. Call before threads. */
void log_set_json(bool on);
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...)  log_msg("info", __VA_ARGS__)
#define log_warn(...)  log_msg("warn", __VA_ARGS__)
#define log_error(...) log_msg("error", __VA_ARGS__)

#endif
