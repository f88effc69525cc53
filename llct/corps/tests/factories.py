import datetime as dt
from typing import Any

from llct.corps.models import Appointment, Observation, WorkEntry
from llct.courses.models import Session
from llct.curriculum.models import Lecturer
from llct.curriculum.tests.factories import (
    make_course,
    make_lecturer,
    make_programme,
    make_session,
)
from llct.organizations.models import Organization

__all__ = ["make_course", "make_lecturer", "make_programme", "make_session"]


def make_appointment(lecturer: Lecturer, **fields: Any) -> Appointment:
    starts = fields.pop("term_starts", dt.date(2024, 1, 1))
    ends = fields.pop("term_ends", dt.date(2028, 12, 31))
    return Appointment.objects.create(
        lecturer=lecturer,
        number=fields.pop("number", f"{lecturer.pk}-QĐ/TU"),
        signed_on=fields.pop("signed_on", starts),
        issuer=fields.pop("issuer", "Ban Thường vụ Tỉnh ủy"),
        term_starts=starts,
        term_ends=ends,
        renewal_due=fields.pop("renewal_due", ends - dt.timedelta(days=60)),
    )


def make_sessions(
    lecturer: Lecturer, organizer: Organization, dates: list[dt.date]
) -> list[Session]:
    programme = make_programme(topics=1)
    course = make_course(programme, organizer, starts_on=min(dates), ends_on=max(dates))
    return [make_session(course, day, lecturer=lecturer) for day in dates]


def make_work(lecturer: Lecturer, kind: str, quantity: int, date: dt.date) -> WorkEntry:
    return WorkEntry.objects.create(lecturer=lecturer, kind=kind, quantity=quantity, date=date)


def make_observation(session: Session, score: int = 8) -> Observation:
    assert session.lecturer_id is not None
    return Observation.objects.create(
        session=session,
        lecturer_id=session.lecturer_id,
        observer="Phạm Văn Dự",
        content=score,
        method=score,
        time=score,
        response=score,
    )


def make_finished_course(organizer: Organization, people: list[Any], ends_on: dt.date) -> Any:
    from llct.courses.models import Enrolment

    programme = make_programme(topics=1)
    course = make_course(
        programme, organizer, starts_on=ends_on - dt.timedelta(days=4), ends_on=ends_on
    )
    course.status = "finished"
    course.save()
    for person in people:
        Enrolment.objects.create(course=course, person=person)
    return course
