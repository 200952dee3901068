/*
 * actor.c - the system actor and attaching an actor to a request.
 */
#include "auth/actor.h"

#include "auth/perm.h"
#include "base/xmalloc.h"
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

const struct actor actor_system = {
    .login = "system",
    .name = "系统",
    .role = "system",
    .branch_path = "",
    .lang = "zh-CN",
    .perms = PERM_ALL,
    .system = true,
};

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
}
