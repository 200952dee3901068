/*
 * notify_module.c - the notification channels module: the robots' and the
 * webhooks' outbox channels, the public address for links, the consumer
 * that turns domain events into webhook deliveries, and the endpoints.
 */
#include "notify/notify_module.h"

#include "notify/notify.h"
#include "notify/notify_api.h"
#include "notify/robot.h"
#include "notify/webhook.h"
#include "notify/webhook_api.h"

static const struct route *const routes[] = {notify_routes, webhook_routes, NULL};

/* Every event kind: a subscription's patterns decide which ones go out. */
static const struct event_handler handlers[] = {
    {"webhooks", NULL, webhook_on_event},
    {NULL, NULL, NULL},
};

static void init(void)
{
    notify_configure();
    robot_channels_register();
    webhook_channel_register();
}

const struct module notify_module = {
    .name = "notify", .routes = routes, .handlers = handlers, .init = init};
