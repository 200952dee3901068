/*
 * config.h - a configuration file as well as the environment.
 *
 * The server is configured by HONGYAN_* environment variables (README,
 * docs/deploy.md). An installed server reads them from a file too,
 * /etc/hongyan/hongyan.conf by default for the systemd unit:
 *
 *     # comment
 *     HONGYAN_LISTEN=0.0.0.0:8080
 *     HONGYAN_DB="postgres://hongyan@db/hongyan"
 *
 * one KEY=VALUE a line, the value optionally in double quotes (no escapes:
 * the quotes only keep spaces at its ends). Only HONGYAN_* keys are
 * accepted, so a typo is an error at start-up rather than a setting that
 * silently does nothing. The file fills in what the environment does not
 * set: the environment wins, and command-line options win over both.
 */
#ifndef HY_CONFIG_H
#define HY_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* Load path into the environment (setenv without overwriting). 0 on
 * success; -1 with a message in err naming the line on a bad line, an
 * unknown key or a file that cannot be read. Nothing is set on error. */
int config_load_env(const char *path, char *err, size_t errlen);
/* A positive whole number from environment variable name (fallback when
 * unset or not one), read once: *cache holds it from then on (the
 * environment does not change while serving). For the knobs tests turn
 * down (HONGYAN_QUICK_COUNT_CAP, HONGYAN_DUPES_SCAN). */
int64_t config_env_once(_Atomic int64_t *cache, const char *name, int64_t fallback);

#endif
