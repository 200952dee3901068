/*
 * vip_module.c - the VIP enterprise module: enterprises with their contact
 * matrix and departments (their segments, exports, custom fields, tags and
 * history are the record layer's, through the entity registered here).
 */
#include "vip/vip_module.h"

#include "record/entity.h"
#include "vip/enterprise.h"

static const struct route *const routes[] = {enterprises_routes, enterprise_contacts_routes,
                                             enterprise_activity_routes, NULL};

static void init(void)
{
    entity_register(&entity_enterprise);
}

const struct module vip_module = {.name = "vip", .routes = routes, .init = init};
