/*
 * perm.c - which role holds which permission (see perm.h).
 */
#include "auth/perm.h"

#include <jansson.h>
#include <string.h>

#define PERM_BASE                                                                                  \
    (PERM_SIGNED_IN | PERM_CUSTOMERS_READ | PERM_CUSTOMERS_WRITE | PERM_INTERACTIONS |             \
     PERM_TASKS | PERM_TICKETS)

static const struct {
    const char *role;
    unsigned bits;
} roles[] = {
    /* clerks read their branch's enterprises (masked); managers edit the
     * ones they manage, supervisors their branch tree's */
    {"clerk", PERM_BASE | PERM_ENTERPRISES},
    {"manager",
     PERM_BASE | PERM_ENTERPRISES | PERM_VIP_WRITE | PERM_REPORTS | PERM_REVEAL | PERM_CAMPAIGNS},
    {"supervisor", PERM_BASE | PERM_ENTERPRISES | PERM_VIP_WRITE | PERM_REPORTS | PERM_REVEAL |
                       PERM_MERGE | PERM_CAMPAIGNS | PERM_BILLING},
    {"admin", PERM_BASE | PERM_ENTERPRISES | PERM_VIP_WRITE | PERM_REPORTS | PERM_REVEAL |
                  PERM_MERGE | PERM_ADMIN | PERM_CAMPAIGNS | PERM_BILLING},
};

static const struct {
    unsigned bit;
    const char *name;
} names[] = {
    {PERM_CUSTOMERS_READ, "customers.read"},
    {PERM_CUSTOMERS_WRITE, "customers.write"},
    {PERM_INTERACTIONS, "interactions.write"},
    {PERM_TASKS, "tasks.read"},
    {PERM_ENTERPRISES, "enterprises.read"},
    {PERM_VIP_WRITE, "enterprises.write"},
    {PERM_REPORTS, "reports.read"},
    {PERM_REVEAL, "customers.reveal"},
    {PERM_MERGE, "customers.merge"},
    {PERM_ADMIN, "admin"},
    {PERM_CAMPAIGNS, "customers.campaigns"},
    {PERM_WAYBILLS_WRITE, "waybills.write"},
    {PERM_TICKETS, "tickets.work"},
    {PERM_TICKETS_API, "tickets.write"},
    {PERM_BILLING, "billing.write"},
    {PERM_PORTAL, "portal"},
};

unsigned perm_for_role(const char *role)
{
    for (size_t i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i].role, role) == 0)
            return roles[i].bits;
    return 0;
}

bool perm_role_valid(const char *role)
{
    return perm_for_role(role) != 0;
}

const char *perm_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (bit == names[i].bit)
            return names[i].name;
    return NULL;
}

const char *perm_role_at(size_t i)
{
    return i < sizeof(roles) / sizeof(roles[0]) ? roles[i].role : NULL;
}

int perm_role_index(const char *role)
{
    for (size_t i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i].role, role) == 0)
            return (int)i;
    return -1;
}

void perm_names(unsigned bits, json_t *array)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (bits & names[i].bit)
            json_array_append_new(array, json_string(names[i].name));
}
