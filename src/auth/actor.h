/*
 * actor.h - who is acting: a signed-in staff member, an integration's API
 * key, or the system itself (the scheduler, imports of the command line).
 *
 * Every domain operation takes an actor, never a request, so handlers, the
 * scheduler, rules and other domains call the same function. The system
 * actor is explicit (actor_system): it holds every permission, sees every
 * branch, and is audited as "system", never as a made-up user.
 */
#ifndef HY_ACTOR_H
#define HY_ACTOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct req;

struct actor {
    int64_t id;            /* users.id; 0 for the system */
    int64_t session_id;    /* 0 when signed in by API key, or the system */
    int64_t branch_id;     /* 0 when none */
    int64_t api_key_id;    /* an integration's key acting (id 0, no role); 0 otherwise */
    int64_t enterprise_id; /* the one enterprise an API key or a portal contact acts for */
    unsigned api_scopes;   /* an API key's scopes: bit i is scopes_known[i] of auth/api_keys.c */
    int api_rate;          /* an API key's requests a minute */
    int64_t contact_id;    /* an enterprise contact signed in to the portal (id 0); 0 otherwise */
    char login[64];
    char name[128];
    char role[16];
    char branch_path[256]; /* '/1/3/7/' of the user's branch; '' for all */
    char lang[8];          /* messages to the actor: the request's language while
                            * serving one (actor_attach), else the user's setting */
    char csrf[64];
    char ip[64];         /* where from, for the audit log; '' for none */
    char request_id[20]; /* the request acting, for the audit log; '' for none */
    unsigned perms;
    bool must_change_password;
    bool system; /* the process itself acting (scheduler, jobs) */
};

/* The system actor: every permission, every branch, login "system". */
extern const struct actor actor_system;

/* Make a the request's actor (r takes a heap copy; the server frees it).
 * The copy carries the request's language, address and id. */
void actor_attach(struct req *r, const struct actor *a);

struct db;

/* Append an audit entry for what a did (see core/audit.h): its user id
 * (none for the system), login, address and request id. detail stolen. */
int actor_audit(struct db *db, const struct actor *a, const char *action, const char *object_type,
                int64_t object_id, json_t *detail);

#endif
