/*
 * ics.h - an iCalendar (RFC 5545) feed of tasks for phone and desktop
 * calendars. libical builds and serialises the components; nothing here
 * escapes or folds text by hand.
 */
#ifndef HY_ICS_H
#define HY_ICS_H

#include <stddef.h>
#include <stdint.h>

struct ics_item {
    const char *uid;         /* stable per task, e.g. "task-42" */
    const char *title;       /* SUMMARY */
    const char *description; /* DESCRIPTION, may be NULL */
    const char *url;         /* URL, may be NULL */
    int64_t due_unix;        /* DTSTART (UTC); the event lasts 30 minutes */
    int64_t created_unix;    /* DTSTAMP / CREATED */
};

/*
 * A VCALENDAR named cal_name with one VEVENT per item, each with a display
 * alarm 15 minutes before. Returns a malloc'd NUL-terminated string (CRLF
 * line ends, as RFC 5545 requires); never NULL.
 */
char *ics_feed(const char *cal_name, const struct ics_item *items, size_t n);

#endif
