"""Writes to the curriculum. Each function checks every rule at once, writes in one transaction
and records who did it."""

import itertools
import os
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record, audit_value
from llct.core.text import clean_text
from llct.curriculum.models import Lecturer, LessonPlan, Programme, Topic
from llct.organizations.models import MembershipStage, TheoryLevel

# ---------------------------------------------------------------------------------------------
# Programmes

BANDS = ["band_excellent", "band_good", "band_fair", "band_pass"]
PROGRAMME_FIELDS = [
    "name",
    "kind",
    "eligible_stages",
    "min_theory_level",
    "default_days",
    "default_sessions",
    "assessment_kind",
    "issues_certificate",
    "certificate_valid_months",
    "raises_level_to",
    "attendance_threshold",
    *BANDS,
    "is_active",
]
TEN = Decimal("10")


def _band_label(field: str) -> str:
    return str(getattr(Programme._meta.get_field(field), "verbose_name", field))


def _as_score(value: Any) -> Decimal | None:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return score if score.is_finite() else None


def programme_validate(programme: Programme) -> None:
    """The programme's own rules, all reported at once with the field they concern."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    _check_settings(programme, add)
    _check_bands(programme, add)
    if errors:
        raise ValidationError(errors)


def _check_settings(programme: Programme, add: Callable[[str, str], None]) -> None:
    if not programme.name:
        add("name", _("Enter the programme's name."))
    unknown = set(programme.eligible_stages) - set(MembershipStage.values)
    if unknown:
        add("eligible_stages", _("Unknown membership stage."))
    if programme.default_days is None or programme.default_days <= 0:
        add("default_days", _("The length must be more than 0 days."))
    if not programme.default_sessions:
        add("default_sessions", _("A programme has at least one session."))
    if programme.attendance_threshold is None or not 0 <= programme.attendance_threshold <= 100:
        add("attendance_threshold", _("Enter a percentage from 0 to 100."))
    if programme.certificate_valid_months and not programme.issues_certificate:
        add(
            "certificate_valid_months",
            _("Leave this empty: the programme issues no certificate."),
        )
    if programme.raises_level_to is not None and programme.raises_level_to == TheoryLevel.NONE:
        add("raises_level_to", _("Choose a theory level, or leave this empty."))


def _check_bands(programme: Programme, add: Callable[[str, str], None]) -> None:
    """Each band's lowest score is a score, and the bands decrease strictly."""
    scores: dict[str, Decimal] = {}
    for field in BANDS:
        score = _as_score(getattr(programme, field))
        if score is None:
            add(field, _("Enter a score from 0 to 10."))
        elif not 0 <= score <= TEN:
            add(field, _("A score must be between 0 and 10."))
        elif score != score.quantize(Decimal("0.1")):
            add(field, _("Use at most one decimal, for example 8.5."))
        else:
            scores[field] = score
    unordered = False
    for upper, lower in itertools.pairwise(BANDS):
        if upper in scores and lower in scores and scores[lower] >= scores[upper]:
            unordered = True
            add(
                lower,
                _("Must be lower than “%(band)s” (%(score)s).")
                % {"band": _band_label(upper), "score": str(scores[upper]).replace(".", ",")},
            )
    if unordered:
        add(
            NON_FIELD_ERRORS,
            _(
                "The grade bands must be strictly decreasing: "
                "Xuất sắc > Giỏi > Khá > Trung bình, each from 0 to 10."
            ),
        )


def _display(programme: Programme, field: str) -> str:
    if field == "eligible_stages":
        return ", ".join(programme.stage_labels())
    return audit_value(programme, field)


@transaction.atomic
def programme_update(*, programme: Programme, data: dict[str, Any], actor: User) -> Programme:
    before = Programme.objects.get(pk=programme.pk)
    for field, value in data.items():
        if field not in PROGRAMME_FIELDS:
            raise ValueError(f"{field} is not an editable programme field")
        if field == "name":
            value = clean_text(value)
        setattr(programme, field, value)
    programme_validate(programme)
    programme.full_clean()
    changes = [
        {
            "field": field,
            "label": str(getattr(Programme._meta.get_field(field), "verbose_name", field)),
            "old": _display(before, field),
            "new": _display(programme, field),
        }
        for field in PROGRAMME_FIELDS
        if getattr(before, field) != getattr(programme, field)
    ]
    if changes:
        programme.save()
        audit_record(actor=actor, obj=programme, action="update", changes=changes)
    return programme


# ---------------------------------------------------------------------------------------------
# Topics


def _topic_validate(*, title: str, sessions: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Enter the topic's title.")]
    if not sessions or sessions < 1:
        errors["sessions"] = [_("A topic takes at least one half-day.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def topic_add(*, programme: Programme, title: str, sessions: int, actor: User) -> Topic:
    """A new topic at the end of the programme."""
    title = clean_text(title)
    _topic_validate(title=title, sessions=sessions)
    # Lock the programme so that two topics added at once do not take the same place.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    last = programme.topics.aggregate(m=Max("order"))["m"] or 0
    topic = Topic.objects.create(
        programme=programme, order=last + 1, title=title, sessions=sessions
    )
    audit_record(
        actor=actor,
        obj=programme,
        action="topic_add",
        summary=_("Added topic %(title)s") % {"title": title},
    )
    return topic


@transaction.atomic
def topic_update(*, topic: Topic, title: str, sessions: int, actor: User) -> Topic:
    title = clean_text(title)
    _topic_validate(title=title, sessions=sessions)
    changes = []
    if topic.title != title:
        changes.append({"field": "title", "label": _("title"), "old": topic.title, "new": title})
    if topic.sessions != sessions:
        changes.append(
            {
                "field": "sessions",
                "label": _("half-day sessions"),
                "old": str(topic.sessions),
                "new": str(sessions),
            }
        )
    if changes:
        topic.title, topic.sessions = title, sessions
        topic.save(update_fields=["title", "sessions"])
        audit_record(actor=actor, obj=topic.programme, action="topic_update", changes=changes)
    return topic


@transaction.atomic
def topic_move(*, topic: Topic, direction: str, actor: User) -> Topic:
    """Swap the topic with its neighbour above ("up") or below ("down").

    (programme, order) is unique and checked row by row, so the swap goes through a free
    place past the end: topic -> free, neighbour -> topic's place, topic -> neighbour's place.
    """
    if direction not in ("up", "down"):
        raise ValidationError(_("Unknown direction."))
    Programme.objects.select_for_update().filter(pk=topic.programme_id).first()
    topic.refresh_from_db(fields=["order"])
    siblings = Topic.objects.filter(programme_id=topic.programme_id)
    neighbour = (
        siblings.filter(order__lt=topic.order).order_by("-order").first()
        if direction == "up"
        else siblings.filter(order__gt=topic.order).order_by("order").first()
    )
    if neighbour is None:
        return topic
    mine, theirs = topic.order, neighbour.order
    free = (siblings.aggregate(m=Max("order"))["m"] or 0) + 1
    Topic.objects.filter(pk=topic.pk).update(order=free)
    Topic.objects.filter(pk=neighbour.pk).update(order=mine)
    Topic.objects.filter(pk=topic.pk).update(order=theirs)
    topic.order = theirs
    audit_record(
        actor=actor,
        obj=topic.programme,
        action="topic_move",
        summary=_("Moved topic %(title)s to place %(n)s") % {"title": topic.title, "n": theirs},
    )
    return topic


def topic_delete_blockers(topic: Topic) -> list[str]:
    """Why the topic may not be deleted: it is taught in sessions, or it has lesson plans."""
    from llct.courses.models import Session

    reasons = []
    used = Session.objects.filter(topic=topic).count()
    if used:
        reasons.append(
            _("It is used by %(n)s session(s); the course history keeps it.") % {"n": used}
        )
    if topic.lesson_plans.exists():
        reasons.append(_("It has lesson plans; their versions are never deleted."))
    return reasons


@transaction.atomic
def topic_delete(*, topic: Topic, actor: User) -> None:
    Programme.objects.select_for_update().filter(pk=topic.programme_id).first()
    reasons = topic_delete_blockers(topic)
    if reasons:
        raise ValidationError(reasons)
    programme, order, title = topic.programme, topic.order, topic.title
    topic.delete()
    # Close the gap, lowest first, so that each topic moves into a place just freed.
    for later in Topic.objects.filter(programme=programme, order__gt=order).order_by("order"):
        Topic.objects.filter(pk=later.pk).update(order=later.order - 1)
    audit_record(
        actor=actor,
        obj=programme,
        action="topic_delete",
        summary=_("Deleted topic %(title)s") % {"title": title},
    )


# ---------------------------------------------------------------------------------------------
# Lesson plans

LESSON_PLAN_EXTENSIONS = (".pdf", ".doc", ".docx", ".ppt", ".pptx", ".odt")
LESSON_PLAN_MAX_BYTES = 20 * 1024 * 1024


def lesson_plan_file_errors(file: "UploadedFile[Any] | None") -> list[str]:
    if file is None or not file.name:
        return [_("Choose a file.")]
    errors = []
    extension = os.path.splitext(file.name)[1].lower()
    if extension not in LESSON_PLAN_EXTENSIONS:
        errors.append(
            _("This file type is not accepted; upload a %(types)s file.")
            % {"types": ", ".join(LESSON_PLAN_EXTENSIONS)}
        )
    size = file.size or 0
    if size == 0:
        errors.append(_("The file is empty."))
    elif size > LESSON_PLAN_MAX_BYTES:
        errors.append(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": f"{size / 1024 / 1024:.1f}".replace(".", ","),
                "limit": LESSON_PLAN_MAX_BYTES // 1024 // 1024,
            }
        )
    return errors


def _next_version(topic: Topic) -> int:
    latest = LessonPlan.objects.filter(topic=topic).aggregate(m=Max("version"))["m"]
    return int(latest or 0) + 1


def lesson_plan_add(
    *, topic: Topic, file: "UploadedFile[Any]", note: str, author: Any
) -> LessonPlan:
    """Store a new version of the topic's lesson plan: version N+1, nothing overwritten.

    The topic row is locked while the next number is computed; the unique (topic, version)
    constraint is the last guard (SQLite has no row locks), and a lost race simply retries.
    """
    errors = lesson_plan_file_errors(file)
    if errors:
        raise ValidationError({"file": errors})
    note = clean_text(note)
    if len(note) > 500:
        raise ValidationError({"note": _("Keep the note under 500 characters.")})
    original_name = clean_text(os.path.basename(file.name or ""))[:255]
    extension = os.path.splitext(original_name)[1].lower()
    for _attempt in range(3):
        plan = None
        try:
            with transaction.atomic():
                locked = Topic.objects.select_for_update().get(pk=topic.pk)
                version = _next_version(locked)
                plan = LessonPlan(
                    topic=locked,
                    version=version,
                    original_name=original_name,
                    note=note,
                    author=author if getattr(author, "pk", None) else None,
                )
                file.seek(0)
                # The storage never overwrites: it picks a free name if this one is taken.
                plan.file.save(f"topic{locked.pk}-v{version}{extension}", file, save=False)
                plan.save()
                audit_record(
                    actor=author,
                    obj=locked,
                    action="lesson_plan_add",
                    summary=_("Lesson plan version %(n)s") % {"n": version},
                )
                return plan
        except IntegrityError:
            if plan is not None and plan.file.name:
                plan.file.storage.delete(plan.file.name)
    raise ValidationError(_("Another version was uploaded at the same moment; please try again."))


# ---------------------------------------------------------------------------------------------
# Lecturers

LECTURER_FIELDS = [
    "full_name",
    "kind",
    "person",
    "user",
    "workplace",
    "qualifications",
    "email",
    "phone",
    "is_active",
]


def _lecturer_validate(lecturer: Lecturer) -> None:
    errors: dict[str, list[str]] = {}
    if not lecturer.full_name:
        errors["full_name"] = [_("Enter the full name.")]
    if lecturer.person_id:
        other = Lecturer.objects.filter(person_id=lecturer.person_id).exclude(pk=lecturer.pk)
        if other.exists():
            errors["person"] = [_("This person is already linked to another lecturer.")]
    if lecturer.user_id:
        other = Lecturer.objects.filter(user_id=lecturer.user_id).exclude(pk=lecturer.pk)
        if other.exists():
            errors["user"] = [_("This account is already linked to another lecturer.")]
    if errors:
        raise ValidationError(errors)


def _lecturer_apply(lecturer: Lecturer, data: dict[str, Any]) -> None:
    for field, value in data.items():
        if field not in LECTURER_FIELDS:
            raise ValueError(f"{field} is not an editable lecturer field")
        if isinstance(value, str) and field != "qualifications":
            value = clean_text(value)
        setattr(lecturer, field, value)


@transaction.atomic
def lecturer_create(*, data: dict[str, Any], topics: list[Topic], actor: User) -> Lecturer:
    lecturer = Lecturer()
    _lecturer_apply(lecturer, data)
    _lecturer_validate(lecturer)
    lecturer.full_clean()
    lecturer.save()
    lecturer.topics.set(topics)
    audit_record(actor=actor, obj=lecturer, action="create", summary=_("Lecturer added"))
    return lecturer


def lecturer_save(
    *, lecturer: Lecturer | None, data: dict[str, Any], topics: list[Topic], actor: User
) -> Lecturer:
    """Add a lecturer, or update one from a fresh copy of the row (a refused change must not
    leak into the caller's copy, which the page still shows)."""
    if lecturer is None:
        return lecturer_create(data=data, topics=topics, actor=actor)
    fresh = Lecturer.objects.get(pk=lecturer.pk)
    return lecturer_update(lecturer=fresh, data=data, topics=topics, actor=actor)


@transaction.atomic
def lecturer_update(
    *, lecturer: Lecturer, data: dict[str, Any], topics: list[Topic], actor: User
) -> Lecturer:
    before = {field: getattr(lecturer, field) for field in LECTURER_FIELDS}
    before_topics = set(lecturer.topics.values_list("id", flat=True))
    _lecturer_apply(lecturer, data)
    _lecturer_validate(lecturer)
    lecturer.full_clean()
    changes: list[dict[str, Any]] = [
        {
            "field": field,
            "label": str(getattr(Lecturer._meta.get_field(field), "verbose_name", field)),
            "old": "" if before[field] is None else str(before[field]),
            "new": "" if getattr(lecturer, field) is None else str(getattr(lecturer, field)),
        }
        for field in LECTURER_FIELDS
        if before[field] != getattr(lecturer, field)
    ]
    lecturer.save()
    if {t.pk for t in topics} != before_topics:
        lecturer.topics.set(topics)
        changes.append(
            {
                "field": "topics",
                "label": _("approved topics"),
                "old": str(len(before_topics)),
                "new": str(len(topics)),
            }
        )
    if changes:
        audit_record(actor=actor, obj=lecturer, action="update", changes=changes)
    return lecturer
