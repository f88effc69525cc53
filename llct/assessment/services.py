"""Writes of results: entering scores, approving a course's results (which issues the
certificates and raises theory levels) and correcting a score after approval.

Every change of a score leaves a ScoreChange (old value, new value, who, when and, after
approval, why). Before approval a score is simply entered; once the department has approved,
it changes only through score_correct, which asks for a reason.

Why one module past 600 lines: every write of a score takes the course's lock here
(_lock_course), so entering, approving and correcting take turns in one place; split, a new
writer could forget the lock.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from llct.assessment.certificates import certificates_issue
from llct.assessment.grading import TENTH, classify, needed_scores
from llct.assessment.models import Certificate, Result, ResultsApproval, ScoreChange
from llct.assessment.selectors import attendance_percent, course_attendance
from llct.core import events
from llct.core.models import AuditEntry, User, audit_record
from llct.core.text import clean_text
from llct.core.versions import canonical, three_way
from llct.courses.models import Course, Enrolment
from llct.organizations.models import Person, TheoryLevel, TheoryLevelChange

SCORE_FIELDS = ("essay_score", "test_score")
TEN = Decimal(10)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")

# ---------------------------------------------------------------------------------------------
# Scores as typed


def parse_score(raw: object) -> Decimal | None:
    """A score as typed or read from a spreadsheet: "7,5" and "7.5" alike; blank is no score.
    Refused with a message a user can act on: not a number, outside 0–10, or more than one
    decimal ("7,50" is 7,5; "7,55" is refused)."""
    if isinstance(raw, bool):
        raise ValidationError(_("Enter a score from 0 to 10, for example 7,5."), code="invalid")
    # A spreadsheet gives numbers (str of a float is its shortest form: 7.3, not 7.29999...).
    numeric = isinstance(raw, (int, float, Decimal))
    text = str(raw) if numeric else clean_text(raw).replace(" ", "")
    if text == "":
        return None
    if not _NUMBER.match(text):
        raise ValidationError(
            _("“%(value)s” is not a number. Enter a score from 0 to 10, for example 7,5.")
            % {"value": clean_text(raw)},
            code="invalid",
        )
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValidationError(_("Enter a score from 0 to 10, for example 7,5.")) from None
    validate_score(value)
    return value.quantize(TENTH)


def validate_score(value: Decimal | None) -> None:
    if value is None:
        return
    if value < 0 or value > TEN:
        raise ValidationError(_("A score must be between 0 and 10."), code="range")
    if value != value.quantize(TENTH):
        raise ValidationError(
            _("A score has at most one decimal, for example 7,5."), code="precision"
        )


# ---------------------------------------------------------------------------------------------
# Computing a result


def result_compute(result: Result, *, course: Course, percent: int) -> Result:
    """Set the final score, band, pass and reason from the scores and the attendance."""
    outcome = classify(
        programme=course.programme,
        essay=result.essay_score,
        test=result.test_score,
        attendance_percent=percent,
    )
    result.final_score = outcome.final
    result.band = outcome.band
    result.attendance_percent = percent
    result.passed = outcome.passed
    result.fail_reason = outcome.reason[:255]
    return result


COMPUTED_FIELDS = [
    "essay_score",
    "test_score",
    "final_score",
    "band",
    "attendance_percent",
    "passed",
    "fail_reason",
    "updated_at",
]


def _actor(actor: User) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _lock_course(course: Course) -> Course:
    """The course row, locked: score writes and the approval of one course take turns, so no
    score slips in while the results are being approved."""
    return (
        Course.objects.select_for_update(of=("self",))
        .select_related("programme", "organizer")
        .get(pk=course.pk)
    )


def _is_approved(course: Course) -> bool:
    return ResultsApproval.objects.filter(course=course).exists()


def _check_changes(
    course: Course, changes: Mapping[int, Mapping[str, Decimal | None]]
) -> dict[int, Enrolment]:
    """Every field is one the programme grades, every value on the scale, every learner
    enrolled in this course. All problems at once, keyed by field."""
    allowed = needed_scores(course.programme)
    errors: dict[str, list[str]] = {}
    for scores in changes.values():
        for name, value in scores.items():
            if name not in allowed:
                errors.setdefault(name, []).append(_("This course's programme has no such score."))
                continue
            try:
                validate_score(value)
            except ValidationError as error:
                errors.setdefault(name, []).extend(error.messages)
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.filter(
            course=course, pk__in=list(changes), status=Enrolment.Status.ENROLLED
        )
    }
    if len(enrolments) != len(changes):
        errors.setdefault("__all__", []).append(
            _("Scores can be entered only for learners enrolled in this course.")
        )
    if errors:
        raise ValidationError(errors)
    return enrolments


def _computed(result: Result) -> tuple[Any, ...]:
    return tuple(getattr(result, f) for f in COMPUTED_FIELDS if f != "updated_at")


def _write(
    *,
    course: Course,
    changes: Mapping[int, Mapping[str, Decimal | None]],
    actor: User,
    today: dt.date,
    reason: str = "",
    is_correction: bool = False,
) -> tuple[dict[int, Result], list[ScoreChange]]:
    """Apply the new values, one ScoreChange per value that differs, and recompute the
    results touched. A fixed number of queries, however many learners."""
    results = {
        r.enrolment_id: r
        for r in Result.objects.select_for_update().filter(enrolment_id__in=list(changes))
    }
    before = {i: _computed(r) for i, r in results.items()}
    missing = [Result(enrolment_id=i) for i in changes if i not in results]
    for result in Result.objects.bulk_create(missing):
        results[result.enrolment_id] = result
    rates = course_attendance(course=course, today=today)
    now = timezone.now()
    logged: list[ScoreChange] = []
    for enrolment_id, scores in changes.items():
        result = results[enrolment_id]
        for name, value in scores.items():
            old = getattr(result, name)
            if old == value:
                continue
            setattr(result, name, value)
            logged.append(
                ScoreChange(
                    result=result,
                    field=name,
                    old_value=old,
                    new_value=value,
                    reason=reason,
                    is_correction=is_correction,
                    actor=_actor(actor),
                    at=now,
                )
            )
        present, held = rates.get(enrolment_id, (0, 0))
        result_compute(result, course=course, percent=attendance_percent(present, held))
        result.updated_at = now
    # Only the rows whose values moved: approving a large course rewrites nothing that stays.
    changed = [r for i, r in results.items() if before.get(i) != _computed(r)]
    Result.objects.bulk_update(changed, COMPUTED_FIELDS, batch_size=500)
    ScoreChange.objects.bulk_create(logged)
    return results, logged


@transaction.atomic
def scores_set(
    *,
    course: Course,
    changes: Mapping[int, Mapping[str, Decimal | None]],
    actor: User,
    today: dt.date,
) -> tuple[dict[int, Result], list[ScoreChange]]:
    """Enter scores (per enrolment id, per field) before the results are approved. Used by the
    grade sheet, one cell at a time or all at once, and by the .xlsx import."""
    course = _lock_course(course)
    if _is_approved(course):
        raise ValidationError(
            _(
                "The results of this course have been approved: a score now changes only "
                "through a correction, with its reason."
            ),
            code="approved",
        )
    _check_changes(course, changes)
    return _write(course=course, changes=changes, actor=actor, today=today)


@dataclass(frozen=True)
class ScoreClash:
    """A score someone else saved after the user opened the sheet."""

    stored: Decimal | None
    by: str  # who saved it, when known

    def message(self, yours: Decimal | None) -> str:
        return _(
            "%(who)s has just saved %(theirs)s here; your %(yours)s is not saved. "
            "Save again to keep yours."
        ) % {
            "who": self.by or _("Someone else"),
            "theirs": _score_text(self.stored),
            "yours": _score_text(yours),
        }


def _score_text(value: Decimal | None) -> str:
    return _("(empty)") if value is None else str(value).replace(".", ",")


@dataclass
class SheetSave:
    results: dict[int, Result]
    clashes: dict[tuple[int, str], ScoreClash]  # (enrolment id, field) -> what is stored
    written: int  # scores changed


@transaction.atomic
def scores_save(
    *,
    course: Course,
    changes: Mapping[int, Mapping[str, Decimal | None]],
    originals: Mapping[int, Mapping[str, Decimal | None]],
    actor: User,
    today: dt.date,
) -> SheetSave:
    """Scores typed on the grade sheet, each against the value the user saw (`originals`, same
    keys; a cell without one is written as typed). Only the cells the user changed are written,
    so saving the whole sheet never puts back a value someone else has just changed; a cell
    both changed is not written either: it is returned as a clash, with what is stored."""
    course = _lock_course(course)
    if _is_approved(course):
        raise ValidationError(
            _(
                "The results of this course have been approved: a score now changes only "
                "through a correction, with its reason."
            ),
            code="approved",
        )
    _check_changes(course, changes)
    stored = {
        r.enrolment_id: r
        for r in Result.objects.select_for_update().filter(enrolment_id__in=list(changes))
    }
    keep: dict[int, dict[str, Decimal | None]] = {}
    clashing: dict[tuple[int, str], Decimal | None] = {}
    for enrolment_id, scores in changes.items():
        seen = originals.get(enrolment_id, {})
        for name, value in scores.items():
            if name in seen:
                now = getattr(stored[enrolment_id], name) if enrolment_id in stored else None
                merge = three_way(
                    original={name: canonical(seen[name])},
                    current={name: canonical(now)},
                    submitted={name: canonical(value)},
                )
                if name not in merge.mine:
                    continue  # not touched by this user: whatever is stored stands
                if name in merge.clashes:
                    clashing[(enrolment_id, name)] = now
                    continue
            keep.setdefault(enrolment_id, {})[name] = value
    results, logged = (
        _write(course=course, changes=keep, actor=actor, today=today) if keep else ({}, [])
    )
    by = _last_savers(stored, clashing)
    clashes = {key: ScoreClash(value, by.get(key, "")) for key, value in clashing.items()}
    return SheetSave(results=results, clashes=clashes, written=len(logged))


def _last_savers(
    stored: Mapping[int, Result], clashing: Mapping[tuple[int, str], Decimal | None]
) -> dict[tuple[int, str], str]:
    """Who saved each clashing score last (one query)."""
    if not clashing:
        return {}
    ids = {stored[e].pk: e for e, _f in clashing if e in stored}
    found: dict[tuple[int, str], str] = {}
    changes = (
        ScoreChange.objects.filter(result_id__in=list(ids), field__in={f for _e, f in clashing})
        .select_related("actor")
        .order_by("-at", "-id")
    )
    for change in changes:
        key = (ids[change.result_id], change.field)
        if key in clashing and key not in found:
            found[key] = change.actor.display_name if change.actor else ""
    return found


def score_set(
    *,
    enrolment: Enrolment,
    field_name: str,
    value: Decimal | None,
    actor: User,
    today: dt.date,
) -> Result:
    results, _logged = scores_set(
        course=enrolment.course,
        changes={enrolment.pk: {field_name: value}},
        actor=actor,
        today=today,
    )
    return results[enrolment.pk]


# ---------------------------------------------------------------------------------------------
# Correcting a score after approval


@dataclass(frozen=True)
class Correction:
    result: Result
    change: ScoreChange
    was_passed: bool
    # "revoke" when a pass became a fail and a certificate is in force, "issue" when a fail
    # became a pass and the programme issues certificates; "" otherwise. The certificates page
    # does either: a correction never revokes or issues by itself.
    certificate_action: str = ""


class Unseen(Enum):
    """The caller did not say which value it read: the write is not checked against one."""

    UNSEEN = "unseen"


UNSEEN = Unseen.UNSEEN


class ScoreStale(ValidationError):
    """The score changed after the caller read it (`original`): nothing was written."""

    def __init__(self, stored: Decimal | None) -> None:
        super().__init__(
            _("Someone else has just changed this score to %(value)s: read it again.")
            % {"value": _score_text(stored)},
            code="stale",
        )
        self.stored = stored


def _correction_errors(course: Course, reason: str) -> dict[str, list[str]]:
    """A correction is for approved results only, and states its reason."""
    errors: dict[str, list[str]] = {}
    if not _is_approved(course):
        errors.setdefault("__all__", []).append(
            _("The results are not approved yet: enter the score on the grade sheet.")
        )
    if not reason:
        errors.setdefault("reason", []).append(_("Give the reason for the correction."))
    elif len(reason) > 500:
        errors.setdefault("reason", []).append(_("Keep the reason under 500 characters."))
    return errors


@transaction.atomic
def score_correct(
    *,
    enrolment: Enrolment,
    field_name: str,
    value: Decimal | None,
    reason: str,
    actor: User,
    today: dt.date,
    original: Decimal | Unseen | None = UNSEEN,
) -> Correction:
    """Change a score of an approved course. The reason is required and kept with the change.
    With `original` (the score the caller read), a score changed meanwhile is refused
    (ScoreStale), checked under the course's lock."""
    course = _lock_course(enrolment.course)
    reason = clean_text(reason)
    errors = _correction_errors(course, reason)
    current = Result.objects.filter(enrolment=enrolment).first()
    stored = getattr(current, field_name) if current and field_name in SCORE_FIELDS else None
    if original is not UNSEEN and field_name in SCORE_FIELDS and stored != original:
        raise ScoreStale(stored)
    if field_name in SCORE_FIELDS and (getattr(current, field_name) if current else None) == value:
        errors.setdefault("value", []).append(_("This is already the score."))
    try:
        _check_changes(course, {enrolment.pk: {field_name: value}})
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault("value" if key in SCORE_FIELDS else key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    was_passed = bool(current and current.passed)
    results, logged = _write(
        course=course,
        changes={enrolment.pk: {field_name: value}},
        actor=actor,
        today=today,
        reason=reason,
        is_correction=True,
    )
    result = results[enrolment.pk]
    action = ""
    if was_passed and not result.passed:
        in_force = Certificate.objects.filter(
            enrolment=enrolment, course=course, status=Certificate.Status.VALID
        ).exists()
        action = "revoke" if in_force else ""
    elif not was_passed and result.passed and course.programme.issues_certificate:
        action = "issue"
    return Correction(
        result=result, change=logged[0], was_passed=was_passed, certificate_action=action
    )


# ---------------------------------------------------------------------------------------------
# Approval


@dataclass
class ApprovalOutcome:
    approval: ResultsApproval
    passed: list[Enrolment] = field(default_factory=list)
    failed: list[Enrolment] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    raised: list[Person] = field(default_factory=list)


@transaction.atomic
def results_approve(*, course: Course, actor: User, today: dt.date) -> ApprovalOutcome:
    """The department approves a finished course's results: every enrolled learner's result is
    computed over all the sessions and stored, the passers get their certificates (if the
    programme issues them, dated today) and, where the programme raises the theory level, their
    level is raised, dated today and sourced by the certificate's serial."""
    course = _lock_course(course)
    errors = []
    if _is_approved(course):
        errors.append(_("The results of this course have already been approved."))
    if course.status != Course.Status.FINISHED:
        errors.append(
            _(
                "The course is not marked as finished yet. Finish it first, so that attendance "
                "counts all of its sessions."
            )
        )
    if errors:
        raise ValidationError(errors)
    enrolments = list(
        Enrolment.objects.filter(course=course, status=Enrolment.Status.ENROLLED)
        .select_related("person")
        .order_by("person__sort_key", "id")
    )
    results, _logged = _write(
        course=course, changes={e.pk: {} for e in enrolments}, actor=actor, today=today
    )
    approval = ResultsApproval.objects.create(course=course, approved_by=_actor(actor))
    outcome = ApprovalOutcome(approval=approval)
    for enrolment in enrolments:
        (outcome.passed if results[enrolment.pk].passed else outcome.failed).append(enrolment)
    if course.programme.issues_certificate and outcome.passed:
        outcome.certificates = certificates_issue(
            course=course, enrolments=outcome.passed, issued_on=today, actor=actor
        )
    level = course.programme.raises_level_to
    if level:
        serials = {c.enrolment_id: c.serial for c in outcome.certificates}
        outcome.raised = levels_raise(
            people=[e.person for e in outcome.passed],
            level=level,
            effective_on=today,
            sources={e.person_id: _level_source(course, serials.get(e.pk)) for e in outcome.passed},
            actor=actor,
        )
    events.emit(
        [
            events.Event(
                kind=events.RESULTS_APPROVED,
                data={
                    "course_id": course.pk,
                    "course_code": course.code,
                    "programme_id": course.programme_id,
                    "approved_at": approval.approved_at.isoformat()
                    if isinstance(approval.approved_at, dt.datetime)
                    else timezone.now().isoformat(),
                    "passed": len(outcome.passed),
                    "failed": len(outcome.failed),
                    "certificates": len(outcome.certificates),
                },
                organization_ids=(course.organizer_id,),
            )
        ]
    )
    audit_record(
        actor=actor,
        obj=course,
        action="results_approve",
        summary=_("Results approved: %(passed)s passed, %(failed)s did not pass")
        % {"passed": len(outcome.passed), "failed": len(outcome.failed)},
    )
    return outcome


def _level_source(course: Course, serial: str | None) -> str:
    # Stored text, so in the site's language rather than that of whoever clicked.
    with translation.override(settings.LANGUAGE_CODE):
        if serial:
            return _("Certificate %(serial)s, %(course)s") % {
                "serial": serial,
                "course": course.name,
            }
        return _("Results of %(course)s") % {"course": course.name}


def levels_raise(
    *,
    people: list[Person],
    level: int,
    effective_on: dt.date,
    sources: Mapping[int, str],
    actor: User,
) -> list[Person]:
    """Raise each person's theory level to `level`, dated `effective_on`, with a
    TheoryLevelChange naming its source and an audit entry, as person_update would write
    them. A level is never lowered: people already at `level` or above are left alone.
    Returns the people raised. Call inside a transaction."""
    ids = [p.pk for p in people]
    below = list(Person.objects.select_for_update().filter(pk__in=ids, theory_level__lt=level))
    if not below:
        return []
    now = timezone.now()
    Person.objects.filter(pk__in=[p.pk for p in below]).update(theory_level=level, updated_at=now)
    TheoryLevelChange.objects.bulk_create(
        TheoryLevelChange(
            person=p,
            level=level,
            effective_on=effective_on,
            source=sources.get(p.pk, "")[:255],
            actor=_actor(actor),
        )
        for p in below
    )
    content_type = ContentType.objects.get_for_model(Person)
    label = str(Person._meta.get_field("theory_level").verbose_name)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=_actor(actor),
            at=now,
            content_type=content_type,
            object_id=p.pk,
            action="update",
            summary=sources.get(p.pk, "")[:500],
            changes=[
                {
                    "field": "theory_level",
                    "label": label,
                    "old": str(TheoryLevel(p.theory_level).label),
                    "new": str(TheoryLevel(level).label),
                    "personal": False,
                }
            ],
        )
        for p in below
    )
    for person in below:
        person.theory_level = level
    return below
