"""Builders for the course and assessment tests, and the `as_user` fixture (a client signed in as
the user given). get_or_create where data migrations made rows, because browser (transactional)
tests flush them."""

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from llct.core.models import User
from llct.courses.models import Course, Enrolment, Holiday, Session, Venue
from llct.curriculum.models import Lecturer, LessonPlan, Programme, Topic
from llct.organizations.models import Organization, Person

_seq = itertools.count(1)

MORNING = (dt.time(7, 30), dt.time(11, 30))
AFTERNOON = (dt.time(13, 30), dt.time(17, 0))


def make_programme(
    kind: str = "professional",
    *,
    topics: list[tuple[str, int]] | None = None,
    eligible_stages: list[str] | None = None,
    min_theory_level: int = 0,
    name: str | None = None,
) -> Programme:
    n = next(_seq)
    programme = Programme.objects.create(
        code=f"CT{n}",
        name=name or f"Chương trình thử {n}",
        kind=kind,
        eligible_stages=eligible_stages or [],
        min_theory_level=min_theory_level,
    )
    for order, (title, sessions) in enumerate(
        topics or [("Chuyên đề một", 1), ("Chuyên đề hai", 1)], start=1
    ):
        Topic.objects.create(programme=programme, order=order, title=title, sessions=sessions)
    return programme


def make_venue(name: str = "Hội trường A", capacity: int = 100, **fields: Any) -> Venue:
    if fields.get("kind") == Venue.Kind.ONLINE:
        fields.setdefault("meeting_url", "https://hop.example.vn/phong-1")
    return Venue.objects.create(name=name, capacity=capacity, **fields)


def make_lecturer(full_name: str = "Lê Văn Giảng", topics: list[Topic] | None = None) -> Lecturer:
    lecturer = Lecturer.objects.create(full_name=full_name)
    lecturer.topics.set(topics or [])
    return lecturer


def make_course(
    programme: Programme,
    organizer: Organization,
    *,
    starts_on: dt.date = dt.date(2026, 3, 2),
    ends_on: dt.date | None = None,
    **fields: Any,
) -> Course:
    n = next(_seq)
    return Course.objects.create(
        code=fields.pop("code", f"LOP-{n}"),
        name=fields.pop("name", f"Lớp thử {n}"),
        programme=programme,
        organizer=organizer,
        starts_on=starts_on,
        ends_on=ends_on or starts_on + dt.timedelta(days=30),
        status=fields.pop("status", Course.Status.OPEN),
        **fields,
    )


def make_session(
    course: Course,
    date: dt.date,
    times: tuple[dt.time, dt.time] = MORNING,
    **fields: Any,
) -> Session:
    part = fields.pop(
        "part", {MORNING: "morning", AFTERNOON: "afternoon"}.get(times, Session.Part.CUSTOM)
    )
    return Session.objects.create(
        course=course, date=date, part=part, starts_at=times[0], ends_at=times[1], **fields
    )


def enrol(course: Course, person: Person, **fields: Any) -> Enrolment:
    return Enrolment.objects.create(course=course, person=person, **fields)


def make_plan(topic: Topic, version: int) -> LessonPlan:
    plan = LessonPlan(topic=topic, version=version, original_name=f"v{version}.docx")
    plan.file.save(f"v{version}.docx", ContentFile(b"giao an"), save=False)
    plan.save()
    return plan


def holiday(date: dt.date, name: str = "Ngày nghỉ") -> Holiday:
    return Holiday.objects.get_or_create(date=date, defaults={"name": name})[0]


@pytest.fixture
def as_user(client: Client) -> Callable[[User], Client]:
    """`as_user(world.officer_a).get(url)`: the test client, signed in as that user."""

    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login
