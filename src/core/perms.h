/*
 * perms.h - the permission vocabulary: the bits a route table names as
 * the permission it needs.
 *
 * The bits live here, below the auth layer, so that every module's route
 * table can name them (core's own audit and dev-mailbox routes included).
 * What the bits mean for a person (which role holds which) is the auth
 * layer's business (auth/perm.h); the HTTP layer only carries them.
 */
#ifndef HY_PERMS_H
#define HY_PERMS_H

#define PERM_PUBLIC          0u
#define PERM_SIGNED_IN       (1u << 0)
#define PERM_CUSTOMERS_READ  (1u << 1)
#define PERM_CUSTOMERS_WRITE (1u << 2)
#define PERM_INTERACTIONS    (1u << 3)
#define PERM_TASKS           (1u << 4)
#define PERM_ENTERPRISES     (1u << 5)
#define PERM_REPORTS         (1u << 6)
#define PERM_REVEAL          (1u << 7) /* see unmasked phone / ID numbers */
#define PERM_MERGE           (1u << 8) /* merge duplicate profiles, team views */
#define PERM_ADMIN           (1u << 9)
#define PERM_CAMPAIGNS       (1u << 10) /* act on a target group: tasks, SMS / e-mail */
#define PERM_VIP_WRITE       (1u << 11) /* create and edit VIP enterprises (大客户) */
/* Feed waybills and tracking events (the batch endpoints): a scope of API
 * keys only; no staff role holds it. */
#define PERM_WAYBILLS_WRITE (1u << 12)
/* Work service tickets (log, claim, reply, change status): every staff
 * role, clerks log tickets at the counter. */
#define PERM_TICKETS (1u << 13)
/* File tickets for the key's own enterprise (POST /tickets): a scope of
 * API keys only; no staff role holds it. */
#define PERM_TICKETS_API (1u << 14)
/* Price lists and contract prices (计费): supervisors and admins edit them;
 * managers read their own enterprises' contract prices through
 * PERM_ENTERPRISES and the enterprise's scope. */
#define PERM_BILLING (1u << 15)
#define PERM_ALL     ((1u << 16) - 1)
/* The contact portal: held only by a signed-in enterprise contact (a
 * portal session), never by staff, keys or the system, so a portal actor
 * reaches the portal's routes and nothing else. */
#define PERM_PORTAL (1u << 16)

#endif
