"""Personal .ics feeds: a secret link per user to the sessions they teach or attend."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.courses.calendars import own_sessions
from llct.courses.models import (
    CalendarFeed,
    Course,
    Session,
    Venue,
    new_code,
)

FEED_DAYS_BEFORE = 30
FEED_DAYS_AFTER = 365


def calendar_feed_get(*, user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """A new secret link; the old one stops working at once."""
    feed = calendar_feed_get(user=user)
    feed.token = new_code()
    feed.save(update_fields=["token"])
    audit_record(actor=user, obj=feed, action="regenerate_token")
    return feed


def session_location(session: Session) -> str:
    venue = session.venue
    if venue is None:
        return ""
    if venue.kind == Venue.Kind.ONLINE and venue.meeting_url:
        return venue.meeting_url
    return ", ".join(part for part in (venue.name, venue.address) if part)


def session_summary(session: Session) -> str:
    if session.topic is not None:
        return f"{session.course.name} — {session.topic.title}"
    return session.course.name


def feed_ics(*, user: User, today: dt.date, now: dt.datetime) -> bytes:
    """The user's sessions (taught or attended) from 30 days ago to a year ahead, with times
    in the province's zone so phones show them right wherever they are."""
    from icalendar import Calendar, Event

    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    sessions = own_sessions(
        user=user,
        start=today - dt.timedelta(days=FEED_DAYS_BEFORE),
        end=today + dt.timedelta(days=FEED_DAYS_AFTER),
    ).exclude(course__status=Course.Status.CANCELLED)
    cal = Calendar()
    cal.add("prodid", "-//LLCT//Lich hoc//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("LLCT sessions"))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@llct")
        event.add("dtstamp", now)
        event.add("dtstart", dt.datetime.combine(session.date, session.starts_at, tzinfo=zone))
        event.add("dtend", dt.datetime.combine(session.date, session.ends_at, tzinfo=zone))
        event.add("summary", session_summary(session))
        location = session_location(session)
        if location:
            event.add("location", location)
        if session.venue is not None and session.venue.meeting_url:
            event.add("url", session.venue.meeting_url)
        details = [str(session.get_part_display())]
        if session.lecturer is not None:
            details.append(_("Lecturer: %(name)s") % {"name": session.lecturer.full_name})
        event.add("description", "\n".join(details))
        cal.add_component(event)
    cal.add_missing_timezones()
    ics: bytes = cal.to_ical()
    return ics
