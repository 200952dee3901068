/*
 * module.h - a module is data: its name, its route tables, its background
 * job kinds, its periodic work and its domain-event handlers in one
 * descriptor. The application (app/main.c) keeps one table of modules and
 * starts them in order; nothing else registers routes, jobs or timers.
 *
 * Adding a domain: write its files, end them with route tables, describe
 * them in a `const struct module` and add it to the table in main.c.
 */
#ifndef HY_MODULE_H
#define HY_MODULE_H

#include "core/events.h"
#include "core/jobs.h"
#include "http/http.h"

#include <stdint.h>

struct db;

struct module_job {
    const char *kind; /* jobs.kind, a string literal */
    job_fn run;
};

struct module_periodic {
    const char *name;
    int64_t every_seconds;
    int (*run)(struct db *db);
};

struct module {
    const char *name;
    const struct route *const *routes;      /* NULL-terminated list of tables */
    const struct module_job *jobs;          /* ends with {NULL} */
    const struct module_periodic *periodic; /* ends with {NULL} */
    const struct event_handler *handlers;   /* ends with {NULL} */
    void (*init)(void);                     /* optional, before any thread starts */
};

/* Register the routes, job kinds, periodic work and event handlers of every
 * module in mods (NULL-terminated), in order, and run their init. Call once
 * at start-up, before the server, the scheduler and the job pool start. */
void modules_register(const struct module *const *mods);

/* Register only the routes (commands that need the router, tests). */
void modules_register_routes(const struct module *const *mods);

#endif
