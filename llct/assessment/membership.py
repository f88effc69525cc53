"""Party membership decisions, checked at the moment the rules apply (DOMAIN.md):

- admission (kết nạp) of a candidate needs an awareness-class certificate (a programme of kind
  ADMISSION; its validity is the programme's setting, stored on each certificate) valid on the
  date of the decision;
- full membership (công nhận đảng viên chính thức) comes no earlier than the last day of the
  12 months of probation (Person.probation_ends_on), and needs the new-member class finished
  within the probation (records.new_member_class_finished).

Without the evidence a decision is refused or, where the department allows exceptions
(MembershipRules.exceptions_allowed), recorded with a reason, flagged on the person, audited and
listed among the exceptions. Decisions dated before the cut-over (MembershipRules.cutover_on) are
history: the person form and rosters record those, without checks.

Also here: the probation clock (when probation ends, the day by which the cell must decide) and
the list of members past that day, which the watchlists read.

Why one module past 600 lines: admission and full membership share the evidence checks, the
exception path and the audit, and the probation clock is the full-membership rule read ahead of
time; split, one rule set would live in three files.
"""

import datetime as dt
import itertools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from llct.assessment.certificates import certificate_status_on
from llct.assessment.models import Certificate, MembershipDecision
from llct.assessment.records import (
    AdmissionStatus,
    admission_status,
    new_member_attempts,
    new_member_class_finished,
)
from llct.core.capabilities import Capability, has_capability
from llct.core.models import User, audit_record, audit_value
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.courses.selectors import holidays_between, working_days
from llct.curriculum.models import Programme
from llct.organizations.models import (
    DECISION_WORKING_DAYS,
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    Person,
)
from llct.organizations.person_services import person_validate
from llct.organizations.selectors import organization_name_on, person_list

NUMBER_MAX_LENGTH = MembershipDecision._meta.get_field("number").max_length or 50
REASON_MAX_LENGTH = MembershipDecision._meta.get_field("exception_reason").max_length or 500


def may_record_decisions(user: User) -> bool:
    """The person's organization officer (their scope decides whom) and the department; never
    a leader, a lecturer or a learner."""
    return has_capability(user, Capability.RECORD_MEMBERSHIP_DECISIONS)


# ---------------------------------------------------------------------------------------------
# The probation clock


@dataclass(frozen=True)
class ProbationClock:
    """`ends_on`: the probation's last day, from which the cell may decide; `decide_by`: the
    30th working day after it, by which the cell must have decided."""

    ends_on: dt.date
    decide_by: dt.date
    today: dt.date

    @property
    def state(self) -> str:
        """running | due (the cell may and must decide now) | overdue."""
        if self.today < self.ends_on:
            return "running"
        return "due" if self.today <= self.decide_by else "overdue"

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.decide_by).days, 0)


def decision_deadline(ends_on: dt.date, *, holidays: Collection[dt.date] | None = None) -> dt.date:
    """The 30th working day after the probation's last day (weekends and the holiday calendar
    left out). As the Civil Code (2015, art. 147) counts, the day the period starts from is not
    one of its days."""
    start = ends_on + dt.timedelta(days=1)
    return working_days(start, DECISION_WORKING_DAYS, holidays=holidays)[-1]


def probation_clock(
    person: Person, *, today: dt.date, holidays: Collection[dt.date] | None = None
) -> ProbationClock | None:
    """The clock of a probationary member; None for anyone else."""
    ends_on = person.probation_ends_on()
    if person.stage != MembershipStage.PROBATIONARY or ends_on is None:
        return None
    return ProbationClock(
        ends_on=ends_on, decide_by=decision_deadline(ends_on, holidays=holidays), today=today
    )


@dataclass(frozen=True)
class OverdueMember:
    person: Person
    clock: ProbationClock


# 30 working days are at least six weeks, and probation at least 365 days: nobody admitted
# later than this many days before today can be overdue.
_OVERDUE_AFTER_DAYS = 365 + 42


def probation_overdue(
    *, user: User, today: dt.date, organization: Organization | None = None
) -> list[OverdueMember]:
    """Probationary members in the user's scope (or in `organization`'s subtree, which the
    caller has checked is in it) whose cell has not decided on full membership by the 30th
    working day after the probation ended, longest overdue first. Two queries."""
    scope = person_list(user=user)
    if organization is not None:
        scope = scope.filter(organization__path__startswith=organization.path)
    people = list(
        scope.filter(
            stage=MembershipStage.PROBATIONARY,
            admitted_on__lt=today - dt.timedelta(days=_OVERDUE_AFTER_DAYS),
        ).order_by("admitted_on", "sort_key", "id")
    )
    ends = [e for p in people if (e := p.probation_ends_on()) is not None]
    if not ends:
        return []
    holidays = holidays_between(min(ends), max(ends) + dt.timedelta(days=120))
    rows = []
    for person in people:
        clock = probation_clock(person, today=today, holidays=holidays)
        if clock is not None and clock.overdue:
            rows.append(OverdueMember(person=person, clock=clock))
    return sorted(rows, key=lambda r: (r.clock.decide_by, r.person.sort_key, r.person.pk))


# ---------------------------------------------------------------------------------------------
# Reads for the pages


def admission_certificates(*, person: Person) -> list[Certificate]:
    """The person's awareness-class certificates, newest first."""
    return list(
        Certificate.objects.filter(person=person, programme__kind=Programme.Kind.ADMISSION)
        .select_related("programme", "course")
        .order_by("-issued_on", "-id")
    )


def admission_check(*, person: Person, on: dt.date) -> AdmissionStatus:
    """The awareness certificate that decides an admission on a day (or why there is none)."""
    return admission_status(admission_certificates(person=person), on)


def decision_committees(*, person: Person) -> QuerySet[Organization]:
    """The committees that may issue a decision on the person: their organization and the ones
    above it, the nearest first."""
    ids = [int(part) for part in person.organization.path.strip("/").split("/") if part]
    return Organization.objects.filter(pk__in=ids, dissolved_on__isnull=True).order_by("-depth")


def default_committee(committees: list[Organization]) -> Organization | None:
    """The committee directly above the grassroots organization (cấp ủy cấp trên trực tiếp),
    which decides admissions and full memberships; the nearest one when the tree says nothing.
    `committees` is decision_committees' list, nearest first, with kinds loaded."""
    for below, above in itertools.pairwise(committees):
        if below.kind.is_grassroots:
            return above
    return committees[1] if len(committees) > 1 else (committees[0] if committees else None)


@dataclass
class PersonMembership:
    """What the membership section of a person's page shows."""

    person: Person
    clock: ProbationClock | None
    decisions: list[MembershipDecision]
    history_steps: int  # stage changes recorded as history, before the cut-over
    cutover_on: dt.date
    may_record: bool

    @property
    def exceptions(self) -> list[MembershipDecision]:
        return [d for d in self.decisions if d.is_exception]

    @property
    def may_admit(self) -> bool:
        return self.may_record and self.person.stage == MembershipStage.CANDIDATE

    @property
    def may_recognize(self) -> bool:
        return self.may_record and self.person.stage == MembershipStage.PROBATIONARY


def person_membership(*, person: Person, user: User, today: dt.date) -> PersonMembership:
    """The person's decisions with their evidence, the probation clock and what the user may
    record. `person` comes from person_get (in the user's scope). Four queries."""
    decisions = list(
        MembershipDecision.objects.filter(person=person)
        .select_related("certificate", "course", "actor")
        .order_by("decided_on", "id")
    )
    return PersonMembership(
        person=person,
        clock=probation_clock(person, today=today),
        decisions=decisions,
        history_steps=person.stage_changes.filter(as_history=True).count(),
        cutover_on=MembershipRules.current().cutover_on,
        may_record=may_record_decisions(user),
    )


def membership_exceptions(*, user: User, kind: str = "") -> QuerySet[MembershipDecision]:
    """Decisions recorded as exceptions on people in the user's scope, newest first."""
    qs = MembershipDecision.objects.filter(is_exception=True).select_related(
        "person__organization", "actor"
    )
    path = scope_path(user)
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(person__organization__path__startswith=path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-decided_on", "-id")


# ---------------------------------------------------------------------------------------------
# Recording a decision


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _common_errors(
    *,
    person: Person,
    number: str,
    decided_on: dt.date,
    issued_by: Organization | None,
    today: dt.date,
    rules: MembershipRules,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not number:
        add("number", _("Enter the decision number."))
    elif len(number) > NUMBER_MAX_LENGTH:
        add("number", _("The decision number is too long."))
    if decided_on > today:
        add("decided_on", _("The decision date cannot be in the future."))
    if decided_on < rules.cutover_on:
        add(
            "decided_on",
            _(
                "Decisions before %(date)s, when LLCT came into use, are history: record them "
                "in the person's form."
            )
            % {"date": _day(rules.cutover_on)},
        )
    last = person.stage_changes.order_by("-effective_on").values_list("effective_on", flat=True)
    if (last_on := last.first()) is not None and decided_on < last_on:
        add(
            "decided_on",
            _("The decision date cannot be before %(date)s, the person's last change of stage.")
            % {"date": _day(last_on)},
        )
    if issued_by is None or issued_by.pk not in {o.pk for o in decision_committees(person=person)}:
        add("issued_by", _("Choose the person's organization or a committee above it."))
    return errors


def _check_person(person: Person, *, today: dt.date, errors: dict[str, list[str]]) -> None:
    """The rules of the rolls on the person as the decision leaves them (18 or older when
    admitted, dates in order): their errors go to the decision date."""
    try:
        person_validate(person, today=today)
    except ValidationError as error:
        for message in error.messages:
            if message not in errors.get("decided_on", []):
                errors.setdefault("decided_on", []).append(message)


def _locked(person: Person) -> Person:
    # Two officers recording the same decision at once: the second waits and then sees the
    # first one's stage.
    return (
        Person.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=person.pk)
    )


def _exception_reason(
    *, missing: str, reason: str, rules: MembershipRules, errors: dict[str, list[str]]
) -> str:
    """The exception reason a decision is recorded with: none when the evidence is there
    (`missing` is empty). Without it (`missing` says why), the decision is refused unless the
    department allows exceptions and a reason is given. Raises every error collected so far."""
    recorded = ""
    if missing:
        if not rules.exceptions_allowed:
            errors.setdefault("__all__", []).append(missing)
        elif not reason:
            errors.setdefault("reason", []).append(
                _("%(why)s To record the decision as an exception, give the reason.")
                % {"why": missing}
            )
        elif len(reason) > REASON_MAX_LENGTH:
            errors.setdefault("reason", []).append(_("The reason is too long."))
        else:
            recorded = reason
    if errors:
        raise ValidationError(errors)
    return recorded


def _record(
    *,
    person: Person,
    before: Person,
    kind: str,
    number: str,
    decided_on: dt.date,
    issued_by: Organization,
    certificate: Certificate | None,
    course: Any,
    reason: str,
    actor: User,
    summary: str,
) -> MembershipDecision:
    person.save()
    change = MembershipChange.objects.create(
        person=person,
        stage=person.stage,
        effective_on=decided_on,
        note=_("Decision %(number)s") % {"number": number},
        actor=actor if getattr(actor, "pk", None) else None,
    )
    decision = MembershipDecision(
        person=person,
        kind=kind,
        number=number,
        decided_on=decided_on,
        issued_by=issued_by,
        issuer_name=organization_name_on(issued_by, decided_on),
        certificate=certificate,
        course=course,
        is_exception=bool(reason),
        exception_reason=reason,
        stage_change=change,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    decision.full_clean()
    decision.save()
    fields = [
        "stage",
        "admitted_on" if kind == MembershipDecision.Kind.ADMISSION else "full_member_on",
    ]
    audit_record(
        actor=actor,
        obj=person,
        action=f"{kind}_exception" if reason else kind,
        summary=summary[:500],
        changes=[
            {
                "field": field,
                "label": str(getattr(Person._meta.get_field(field), "verbose_name", field)),
                "old": audit_value(before, field),
                "new": audit_value(person, field),
                "personal": False,
            }
            for field in fields
        ],
    )
    return decision


@transaction.atomic
def admission_record(
    *,
    person: Person,
    number: str,
    decided_on: dt.date,
    issued_by: Organization | None,
    reason: str = "",
    actor: User,
    today: dt.date,
) -> MembershipDecision:
    """Admit a candidate: the probation starts on the decision date. Refused unless an
    awareness-class certificate is valid on that date or, where exceptions are allowed, a reason
    is given (the reason is ignored when the certificate is there). Every problem is reported at
    once; nothing is written on refusal."""
    number, reason = clean_text(number), clean_text(reason)
    rules = MembershipRules.current()
    person = _locked(person)
    before = Person.objects.get(pk=person.pk)
    if person.stage != MembershipStage.CANDIDATE:
        raise ValidationError(
            _("Only an admission candidate can be admitted; %(name)s is: %(stage)s.")
            % {"name": person.full_name, "stage": person.get_stage_display()}
        )
    errors = _common_errors(
        person=person,
        number=number,
        decided_on=decided_on,
        issued_by=issued_by,
        today=today,
        rules=rules,
    )
    person.stage = MembershipStage.PROBATIONARY
    person.admitted_on = decided_on
    _check_person(person, today=today, errors=errors)
    status = admission_check(person=person, on=decided_on)
    reason = _exception_reason(
        missing="" if status.valid else admission_refusal(status),
        reason=reason,
        rules=rules,
        errors=errors,
    )
    assert issued_by is not None
    certificate = status.certificate if status.valid else None
    summary = (
        _("Admitted by decision %(number)s of %(date)s; certificate %(serial)s")
        if certificate is not None
        else _("Admitted by decision %(number)s of %(date)s, as an exception: %(reason)s")
    ) % {
        "number": number,
        "date": _day(decided_on),
        "serial": certificate.serial if certificate is not None else "",
        "reason": reason,
    }
    return _record(
        person=person,
        before=before,
        kind=MembershipDecision.Kind.ADMISSION,
        number=number,
        decided_on=decided_on,
        issued_by=issued_by,
        certificate=certificate,
        course=None,
        reason=reason,
        actor=actor,
        summary=summary,
    )


def admission_refusal(status: AdmissionStatus) -> str:
    """Why a candidate cannot be admitted on the day, in a sentence."""
    day = _day(status.on)
    certificate = status.certificate
    if certificate is None:
        return _(
            "There is no awareness-class certificate (nhận thức về Đảng) valid on %(day)s."
        ) % {"day": day}
    serial = certificate.serial
    state = certificate_status_on(certificate, status.on)
    if state == "expired" and certificate.expires_on:
        return _("Certificate %(serial)s expired on %(until)s, before %(day)s.") % {
            "serial": serial,
            "until": _day(certificate.expires_on),
            "day": day,
        }
    if state == "revoked" and certificate.revoked_on:
        return _("Certificate %(serial)s was revoked on %(when)s.") % {
            "serial": serial,
            "when": _day(certificate.revoked_on),
        }
    return _("Certificate %(serial)s was issued only on %(issued)s, after %(day)s.") % {
        "serial": serial,
        "issued": _day(certificate.issued_on),
        "day": day,
    }


@dataclass(frozen=True)
class NewMemberCheck:
    """The new-member class that lets a probationary member become a full member, if any."""

    course: Any  # Course | None
    admitted_on: dt.date | None
    probation_ends_on: dt.date | None

    @property
    def done(self) -> bool:
        return self.course is not None


def new_member_check(*, person: Person) -> NewMemberCheck:
    attempts, courses = new_member_attempts(person=person)
    ends_on = person.probation_ends_on()
    finished = new_member_class_finished(
        attempts, admitted_on=person.admitted_on, probation_ends_on=ends_on
    )
    return NewMemberCheck(
        course=courses[finished.enrolment_id] if finished else None,
        admitted_on=person.admitted_on,
        probation_ends_on=ends_on,
    )


@transaction.atomic
def full_membership_record(
    *,
    person: Person,
    number: str,
    decided_on: dt.date,
    issued_by: Organization | None,
    reason: str = "",
    actor: User,
    today: dt.date,
) -> MembershipDecision:
    """Recognize a probationary member as a full member from the decision date, which may not
    come before the probation's last day. Refused unless the new-member class was finished
    within the probation or, where exceptions are allowed, a reason is given. Every problem is
    reported at once; nothing is written on refusal."""
    number, reason = clean_text(number), clean_text(reason)
    rules = MembershipRules.current()
    person = _locked(person)
    before = Person.objects.get(pk=person.pk)
    if person.stage != MembershipStage.PROBATIONARY or person.admitted_on is None:
        raise ValidationError(
            _("Only a probationary member can become a full member; %(name)s is: %(stage)s.")
            % {"name": person.full_name, "stage": person.get_stage_display()}
        )
    errors = _common_errors(
        person=person,
        number=number,
        decided_on=decided_on,
        issued_by=issued_by,
        today=today,
        rules=rules,
    )
    check = new_member_check(person=person)
    ends_on = check.probation_ends_on
    if ends_on is not None and decided_on < ends_on:
        errors.setdefault("decided_on", []).append(
            _(
                "Full membership can be decided only from %(date)s, the last day of the 12 "
                "months of probation."
            )
            % {"date": _day(ends_on)}
        )
    else:
        person.stage = MembershipStage.FULL
        person.full_member_on = decided_on
        _check_person(person, today=today, errors=errors)
    missing = ""
    if not check.done:
        missing = _(
            "%(name)s has not finished the new-member class within the probation "
            "(%(start)s – %(end)s): passed, with the results approved."
        ) % {
            "name": person.full_name,
            "start": _day(person.admitted_on),
            "end": _day(ends_on) if ends_on else "—",
        }
    reason = _exception_reason(missing=missing, reason=reason, rules=rules, errors=errors)
    assert issued_by is not None
    summary = (
        _("Full member by decision %(number)s of %(date)s; new-member class %(course)s")
        if check.course is not None
        else _("Full member by decision %(number)s of %(date)s, as an exception: %(reason)s")
    ) % {
        "number": number,
        "date": _day(decided_on),
        "course": check.course.name if check.course is not None else "",
        "reason": reason,
    }
    return _record(
        person=person,
        before=before,
        kind=MembershipDecision.Kind.FULL,
        number=number,
        decided_on=decided_on,
        issued_by=issued_by,
        certificate=None,
        course=check.course,
        reason=reason,
        actor=actor,
        summary=summary,
    )
