/*
 * mail_module.c - the service mailbox module: its admin routes, and the
 * poll of the mailbox on the scheduler (every second it looks whether
 * HONGYAN_IMAP_POLL_SECONDS have passed; see mailin_poll.c).
 */
#include "mail/mail_module.h"

#include "mail/mailin.h"

static const struct route *const routes[] = {mail_routes, NULL};

static const struct module_periodic periodic[] = {
    {"mail.poll", 1, mailin_tick},
    {NULL, 0, NULL},
};

const struct module mail_module = {
    .name = "mail", .routes = routes, .periodic = periodic, .init = mailin_configure};
