/*
 * actor.c - the system actor and attaching an actor to a request.
 */
#include "auth/actor.h"

#include "auth/perm.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
const struct actor actor_system = {
    .login = "system", .name = "系统", .role = "system", .branch_path = "", .lang = "zh-CN",
    .perms = PERM_ALL, .system = true,
};
/* clang-format on */

void actor_attach(struct req *r, const struct actor *a)
{
    free(r->actor);
    r->actor = NULL;
    r->actor_id = 0;
    r->actor_login = NULL;
    if (!a)
        return;
    r->actor = xmalloc(sizeof(*r->actor));
    memcpy(r->actor, a, sizeof(*a));
    r->actor_id = a->id;
    r->actor_login = r->actor->login;
    snprintf(r->actor->lang, sizeof(r->actor->lang), "%s", r->lang ? r->lang : a->lang);
    snprintf(r->actor->ip, sizeof(r->actor->ip), "%s", r->ip);
    snprintf(r->actor->request_id, sizeof(r->actor->request_id), "%s", r->request_id);
}

int actor_audit(struct db *db, const struct actor *a, const char *action, const char *object_type,
                int64_t object_id, json_t *detail)
{
    return audit_write_as(db, a->system || a->api_key_id ? 0 : a->id, a->login,
                          a->ip[0] ? a->ip : NULL, a->request_id[0] ? a->request_id : NULL, action,
                          object_type, object_id, detail);
}
