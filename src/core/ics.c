/*
 * ics.c - task calendar feed through libical (see ics.h).
 *
 * Times are written in UTC ("...Z") so that no VTIMEZONE is needed; phone
 * calendars show them in the device's zone. The alarm is what makes the
 * reminder pop up on the phone, which is the point of the feed.
 */
#include "core/ics.h"

#include "base/xmalloc.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

static struct icaltimetype utc(int64_t t)
{
    return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

char *ics_feed(const char *cal_name, const struct ics_item *items, size_t n)
{
    icalcomponent *cal = icalcomponent_vanew(
        ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
        icalproperty_new_prodid("-//Hongyan//Tasks//ZH"), icalproperty_new_calscale("GREGORIAN"),
        icalproperty_new_method(ICAL_METHOD_PUBLISH), (void *)0);
    icalproperty *name = icalproperty_new_x(cal_name);
    icalproperty_set_x_name(name, "X-WR-CALNAME");
    icalcomponent_add_property(cal, name);

    for (size_t i = 0; i < n; i++) {
        const struct ics_item *it = &items[i];
        icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
        icalcomponent_add_property(ev, icalproperty_new_uid(it->uid));
        icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc(it->created_unix)));
        icalcomponent_add_property(ev, icalproperty_new_created(utc(it->created_unix)));
        icalcomponent_add_property(ev, icalproperty_new_dtstart(utc(it->due_unix)));
        icalcomponent_add_property(ev,
                                   icalproperty_new_duration(icaldurationtype_from_int(30 * 60)));
        icalcomponent_add_property(ev, icalproperty_new_summary(it->title ? it->title : ""));
        if (it->description && *it->description)
            icalcomponent_add_property(ev, icalproperty_new_description(it->description));
        if (it->url && *it->url)
            icalcomponent_add_property(ev, icalproperty_new_url(it->url));

        icalcomponent *alarm = icalcomponent_new(ICAL_VALARM_COMPONENT);
        icalcomponent_add_property(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY));
        icalcomponent_add_property(alarm, icalproperty_new_description(it->title ? it->title : ""));
        struct icaltriggertype trig = {.time = icaltime_null_time(),
                                       .duration = icaldurationtype_from_int(-15 * 60)};
        icalcomponent_add_property(alarm, icalproperty_new_trigger(trig));
        icalcomponent_add_component(ev, alarm);
        icalcomponent_add_component(cal, ev);
    }
    char *s = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    /* libical allocates with malloc by default; copy so callers free() ours. */
    char *out = xstrdup(s ? s : "");
    free(s);
    return out;
}
