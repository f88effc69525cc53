"""Reads for the curriculum: programmes, topics, lesson plans, lecturers; and who may do what.

Programmes and lesson plans are not personal data: everyone signed in reads them. Lecturer
records carry contact details, so learners do not read them. Only the department edits.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404

from llct.core.capabilities import Capability, has_capability
from llct.core.text import fold, name_sort_key
from llct.curriculum.models import Lecturer, LessonPlan, Programme, Topic
from llct.organizations.models import Person

# ---------------------------------------------------------------------------------------------
# Permissions


def can_edit_curriculum(user: Any) -> bool:
    return has_capability(user, Capability.EDIT_CURRICULUM)


def can_read_lecturers(user: Any) -> bool:
    return has_capability(user, Capability.READ_LECTURERS)


def approved_topic_ids(user: Any) -> set[int]:
    """The topics a lecturer's account is approved to teach (and so to upload plans for)."""
    if not has_capability(user, Capability.UPLOAD_OWN_LESSON_PLANS):
        return set()
    return set(
        Topic.objects.filter(lecturers__user=user, lecturers__is_active=True).values_list(
            "id", flat=True
        )
    )


def can_upload_lesson_plan(user: Any, topic: Topic) -> bool:
    return can_edit_curriculum(user) or topic.pk in approved_topic_ids(user)


# ---------------------------------------------------------------------------------------------
# Programmes and topics


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.annotate(topic_count=Count("topics")).order_by("-is_active", "code")


def programme_get(*, pk: int) -> Programme:
    """A programme with its topics in order, each with its lesson-plan versions (newest first)
    and approved lecturers. A fixed number of queries, whatever the number of topics."""
    topics = Topic.objects.order_by("order").prefetch_related(
        Prefetch(
            "lesson_plans",
            queryset=LessonPlan.objects.select_related("author").order_by("-version"),
        ),
        Prefetch("lecturers", queryset=Lecturer.objects.filter(is_active=True)),
    )
    try:
        return Programme.objects.prefetch_related(Prefetch("topics", queryset=topics)).get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404 from None


def topic_get(*, pk: int) -> Topic:
    try:
        return Topic.objects.select_related("programme").get(pk=pk)
    except Topic.DoesNotExist:
        raise Http404 from None


def lesson_plan_versions(*, topic: Topic) -> QuerySet[LessonPlan]:
    return LessonPlan.objects.filter(topic=topic).select_related("author").order_by("-version")


def lesson_plan_get(*, pk: int) -> LessonPlan:
    try:
        return LessonPlan.objects.select_related("topic").get(pk=pk)
    except LessonPlan.DoesNotExist:
        raise Http404 from None


# ---------------------------------------------------------------------------------------------
# Lecturers


def lecturer_list(*, q: str = "", include_inactive: bool = False) -> list[Lecturer]:
    """Lecturers in Vietnamese name order, each with its approved topics (and their programmes).
    Lecturers number in the hundreds at most, so the diacritic-free search runs in Python on
    the folded name: two queries whatever the number of lecturers and topics."""
    qs = Lecturer.objects.prefetch_related(
        Prefetch(
            "topics",
            queryset=Topic.objects.select_related("programme").order_by("programme__code", "order"),
        )
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    words = fold(q).split()
    lecturers = [
        lecturer
        for lecturer in qs
        if all(word in fold(f"{lecturer.full_name} {lecturer.workplace}") for word in words)
    ]
    lecturers.sort(key=lambda lecturer: (name_sort_key(lecturer.full_name), lecturer.pk))
    return lecturers


def lecturer_get(*, pk: int) -> Lecturer:
    try:
        return (
            Lecturer.objects.select_related("person__organization", "user")
            .prefetch_related(
                Prefetch(
                    "topics",
                    queryset=Topic.objects.select_related("programme").order_by(
                        "programme__code", "order"
                    ),
                )
            )
            .get(pk=pk)
        )
    except Lecturer.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class TeachingYear:
    year: int
    sessions: int


def lecturer_teaching_log(*, lecturer: Lecturer, today: dt.date) -> list[TeachingYear]:
    """Sessions taught per year up to today, counted from the sessions themselves (never typed
    in); sessions still ahead are not taught yet."""
    from llct.courses.models import Session

    rows = (
        Session.objects.filter(lecturer=lecturer, date__lte=today)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("-year")
    )
    return [TeachingYear(year=row["year"], sessions=row["n"]) for row in rows]


def lecturer_recent_sessions(*, lecturer: Lecturer, today: dt.date, limit: int = 20) -> Any:
    """The lecturer's latest sessions up to today, with their course and topic."""
    from llct.courses.models import Session

    return (
        Session.objects.filter(lecturer=lecturer, date__lte=today)
        .select_related("course", "topic")
        .order_by("-date", "-starts_at")[:limit]
    )


def lecturer_upcoming_sessions(*, lecturer: Lecturer, today: dt.date, limit: int = 20) -> Any:
    """The lecturer's next sessions after today, soonest first."""
    from llct.courses.models import Session

    return (
        Session.objects.filter(lecturer=lecturer, date__gt=today)
        .select_related("course", "topic")
        .order_by("date", "starts_at")[:limit]
    )


def person_matches(*, q: str, limit: int = 20) -> list[Person]:
    """People whose name contains every word of q, ignoring diacritics (to link a lecturer)."""
    words = fold(q).split()
    if not words:
        return []
    qs = Person.objects.select_related("organization")
    for word in words:
        qs = qs.filter(search_key__contains=word)
    return list(qs.order_by("sort_key", "id")[:limit])
