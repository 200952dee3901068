/*
 * notify_module.c - the notification channels module: the robots' outbox
 * channels, the public address for links, and the endpoints.
 */
#include "notify/notify_module.h"

#include "notify/notify.h"
#include "notify/notify_api.h"
#include "notify/robot.h"

static const struct route *const routes[] = {notify_routes, NULL};

static void init(void)
{
    notify_configure();
    robot_channels_register();
}

const struct module notify_module = {.name = "notify", .routes = routes, .init = init};
