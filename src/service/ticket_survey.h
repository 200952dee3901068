/*
 * ticket_survey.h - the satisfaction survey of a resolved ticket: a
 * single-use link (a random token, only its hash stored) sent to the
 * contact when the ticket is resolved, valid SURVEY_SECONDS; the answer
 * (CSAT 1-5, NPS 0-10, one free-text answer) lands on the ticket and its
 * timeline, the KPIs and the enterprise's 满意度 card.
 */
#ifndef HY_TICKET_SURVEY_H
#define HY_TICKET_SURVEY_H

#include "auth/actor.h"
#include "core/events.h"
#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

#define SURVEY_SECONDS (7 * 24 * 3600)

struct db;

/* A new survey link for ticket id in the caller's transaction: the token
 * (base64url, < 64 bytes) into token. */
int ticket_survey_issue(struct db *db, int64_t id, char token[64]);

/* The event handler: on ticket.status_changed to resolved, a survey link
 * to the ticket's contact by SMS (and e-mail when the contact has one),
 * through the outbox, once per resolution. */
int ticket_survey_on_status(struct db *db, const struct domain_event *ev);

/* Record the answer to ticket tid's survey (csat 1-5, nps 0-10, comment
 * may be NULL) as a, the contact answering, in the caller's transaction:
 * the ticket's figures, every link of it spent, its timeline, the audit
 * entry and the ticket.rated event. The caller has checked the ticket is
 * resolved or closed and not yet rated. 0 or negative DB_*. */
int ticket_survey_record(struct db *db, const struct actor *a, int64_t tid, int64_t csat,
                         int64_t nps, const char *comment);

extern const struct route ticket_survey_routes[];

#endif
