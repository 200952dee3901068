/*
 * module.c - see module.h.
 */
#include "core/module.h"

#include "core/events.h"
#include "core/jobs.h"
#include "core/scheduler.h"
#include "http/router.h"

#include <stddef.h>

void modules_register_routes(const struct module *const *mods)
{
    for (size_t i = 0; mods[i]; i++)
        for (size_t t = 0; mods[i]->routes && mods[i]->routes[t]; t++)
            router_add(mods[i]->routes[t]);
}

void modules_register(const struct module *const *mods)
{
    modules_register_routes(mods);
    for (size_t i = 0; mods[i]; i++) {
        const struct module *m = mods[i];
        if (m->init)
            m->init();
        for (const struct module_job *j = m->jobs; j && j->kind; j++)
            jobs_register(j->kind, j->run);
        for (const struct module_periodic *p = m->periodic; p && p->name; p++)
            scheduler_every(p->every_seconds, p->run);
        for (const struct event_handler *h = m->handlers; h && h->consumer; h++)
            events_subscribe(h);
    }
}
