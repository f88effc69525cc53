import datetime as dt
import itertools
from typing import Any

from llct.courses.models import Course, Session, Venue
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.organizations.models import Organization

_seq = itertools.count(1)


def make_programme(name: str = "Chương trình thử", topics: int = 3, **fields: Any) -> Programme:
    programme = Programme.objects.create(
        code=fields.pop("code", f"P{next(_seq)}"), name=name, kind="professional", **fields
    )
    for order in range(1, topics + 1):
        Topic.objects.create(programme=programme, order=order, title=f"Chuyên đề {order}")
    return programme


def make_lecturer(full_name: str = "Lê Văn Giảng", **fields: Any) -> Lecturer:
    topics = fields.pop("topics", [])
    lecturer = Lecturer.objects.create(full_name=full_name, **fields)
    lecturer.topics.set(topics)
    return lecturer


def make_course(programme: Programme, organizer: Organization, **fields: Any) -> Course:
    start = fields.pop("starts_on", dt.date(2026, 3, 2))
    return Course.objects.create(
        code=fields.pop("code", f"K{next(_seq)}"),
        name=fields.pop("name", f"Lớp {programme.name}"),
        programme=programme,
        organizer=organizer,
        starts_on=start,
        ends_on=fields.pop("ends_on", start + dt.timedelta(days=30)),
        **fields,
    )


def make_session(
    course: Course,
    date: dt.date,
    *,
    part: str = "morning",
    topic: Topic | None = None,
    lecturer: Lecturer | None = None,
    venue: Venue | None = None,
) -> Session:
    starts, ends = (
        (dt.time(7, 30), dt.time(11, 30))
        if part == "morning"
        else (
            dt.time(13, 30),
            dt.time(17, 0),
        )
    )
    return Session.objects.create(
        course=course,
        date=date,
        part=part,
        starts_at=starts,
        ends_at=ends,
        topic=topic,
        lecturer=lecturer,
        venue=venue,
    )
