"""Interchange files for systems without an API.

- People with their theory levels in the column layout of the party-member database (họ tên,
  ngày sinh, ngày vào Đảng, ngày chính thức, số thẻ, trình độ LLCT), out as .xlsx within the
  user's scope, and back in through the roster import, whose reader knows these headers.
- An organization's study sessions as .ics and JSON, for a member app or a phone calendar.
  They carry course, topic, time, place and lecturer: no one's personal data.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from llct.core.spreadsheets import write_xlsx
from llct.courses.feeds import session_location, session_summary
from llct.courses.models import Course, Session
from llct.courses.selectors import sessions_between
from llct.organizations.models import Organization, Person, TheoryLevel
from llct.organizations.selectors import PersonFilter, person_list

# The party-member database's columns, in its order; "Đơn vị" last, by code, so that a file
# sent back lands each person in their own organization.
PARTY_DB_HEADERS = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ đảng viên",
    "Trình độ LLCT",
    "Đơn vị",
]
FEED_DAYS_BEFORE = 30
FEED_DAYS_AFTER = 365


def _day(value: dt.date | None) -> str:
    # As text, day first: what the party-member database shows, and what the importer reads.
    return value.strftime("%d/%m/%Y") if value else ""


def party_db_rows(people: Iterable[Person]) -> Iterator[list[Any]]:
    for number, p in enumerate(people, start=1):
        level = TheoryLevel(p.theory_level)
        yield [
            number,
            p.full_name,
            _day(p.date_of_birth),
            _day(p.admitted_on),
            _day(p.full_member_on),
            p.party_card_no or "",
            str(level.label) if level != TheoryLevel.NONE else "",
            p.organization.code,
        ]


def party_db_people(*, user: Any, organization: Organization) -> QuerySet[Person]:
    """The people of the organization's subtree as the user may see them (person_list)."""
    return person_list(user=user, filters=PersonFilter(organization=organization, subtree=True))


def party_db_xlsx(*, user: Any, organization: Organization) -> bytes:
    """The workbook. Personal data leaves only within the user's scope: the caller has checked
    the organization is in it (organization_get) and, for a token, the personal-data right."""
    people = party_db_people(user=user, organization=organization)
    return write_xlsx(
        PARTY_DB_HEADERS,
        party_db_rows(people.iterator(chunk_size=2000)),
        title="Dang vien",
    )


# ---------------------------------------------------------------------------------------------
# Study sessions


def study_sessions(*, organization: Organization, today: dt.date) -> QuerySet[Session]:
    """Sessions of courses the organization's subtree organizes or its people attend, from 30
    days ago to a year ahead; cancelled courses left out."""
    return sessions_between(
        start=today - dt.timedelta(days=FEED_DAYS_BEFORE),
        end=today + dt.timedelta(days=FEED_DAYS_AFTER),
        organization_path=organization.path,
    ).exclude(course__status=Course.Status.CANCELLED)


def _moment(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def sessions_json(*, organization: Organization, sessions: Iterable[Session]) -> dict[str, Any]:
    return {
        "organization": {
            "id": organization.pk,
            "code": organization.code,
            "name": organization.name,
        },
        "sessions": [
            {
                "uid": f"session-{s.pk}@llct",
                "course": {"id": s.course_id, "code": s.course.code, "name": s.course.name},
                "title": session_summary(s),
                "topic": s.topic.title if s.topic else None,
                "starts": _moment(s.date, s.starts_at).isoformat(),
                "ends": _moment(s.date, s.ends_at).isoformat(),
                "part": s.part,
                "location": session_location(s),
                "online": bool(s.venue and s.venue.meeting_url),
                "lecturer": s.lecturer.full_name if s.lecturer else None,
            }
            for s in sessions
        ],
    }


def sessions_ics(
    *, organization: Organization, sessions: Iterable[Session], now: dt.datetime
) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//LLCT//Lich hoc chi bo//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Study sessions of %(name)s") % {"name": organization.name})
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@llct")
        event.add("dtstamp", now)
        event.add("dtstart", _moment(session.date, session.starts_at))
        event.add("dtend", _moment(session.date, session.ends_at))
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
