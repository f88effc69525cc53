"""Demo data for the party rules: the decisions behind every admission and full membership the
rolls date on or after the cut-over (MembershipRules.cutover_on), with their evidence, the
awareness certificate valid on the admission day and the new-member class finished within the
probation, which llct.demo.courses scheduled and llct.demo.assessment graded and approved.

The few people llct.demo.courses left without the class (llct.demo.courses.schedule.EXCEPTIONS)
get their decisions as exceptions, with a reason, flagged and audited: the province allows
exceptions (a setting the department can turn off). Decisions are bulk-inserted as
llct.assessment.membership writes them one by one: the decision, its number on the stage change
and an audit entry.
"""

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from llct.assessment.membership import default_committee
from llct.assessment.models import Certificate, MembershipDecision
from llct.assessment.records import (
    Attempt,
    admission_status,
    new_member_class_finished,
    revoked_enrolments,
)
from llct.core.models import AuditEntry, User, audit_value
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    OrganizationVersion,
    Person,
)

ADMISSION_REASONS = [
    "Lớp bồi dưỡng nhận thức về Đảng của Đảng ủy bị hoãn do mưa lũ; Ban Thường vụ đồng ý kết "
    "nạp trước, đối tượng học bổ sung ở lớp gần nhất (Công văn số 112-CV/ĐU).",
    "Giấy chứng nhận cũ hết hiệu lực trước ngày chi bộ họp xét; cấp ủy cấp trên đồng ý kết nạp, "
    "đảng viên học lại lớp nhận thức về Đảng trong quý tới.",
]
FULL_REASONS = [
    "Đi công tác biệt phái tại xã vùng sâu suốt thời gian dự bị, không dự được lớp bồi dưỡng "
    "đảng viên mới; Ban Thường vụ đồng ý công nhận chính thức và bố trí học bổ sung.",
]


def membership_demo(*, rng: random.Random, today: dt.date, actor: User) -> dict[str, int]:
    rules = MembershipRules.current()
    rules.exceptions_allowed = True
    rules.save(update_fields=["exceptions_allowed"])
    steps = list(
        MembershipChange.objects.filter(
            stage__in=[MembershipStage.PROBATIONARY, MembershipStage.FULL],
            effective_on__gte=rules.cutover_on,
            effective_on__lte=today,
            as_history=False,
            decision__isnull=True,
        )
        .select_related("person")
        .order_by("effective_on", "person__sort_key", "id")
    )
    if not steps:
        return {"membership_decisions": 0, "membership_exceptions": 0}
    people = {s.person_id: s.person for s in steps}
    organizations = {o.pk: o for o in Organization.objects.select_related("kind")}
    certificates = _admission_certificates(people)
    attempts, courses = _new_member_attempts(people)
    names = _names(organizations)
    numbers: dict[tuple[int, int], int] = {}
    given = {"admission": ADMISSION_REASONS, "full": FULL_REASONS}
    reasons = {kind: iter(texts) for kind, texts in given.items()}
    decisions: list[MembershipDecision] = []
    for step in steps:
        person = step.person
        committee = _committee(person, organizations)
        key = (committee.pk, step.effective_on.year)
        numbers[key] = numbers.get(key, rng.randint(8, 40)) + rng.randint(1, 4)
        suffix = "TU" if committee.parent_id is None else "ĐU"
        decision = MembershipDecision(
            person=person,
            number=f"{numbers[key]}-QĐ/{suffix}",
            decided_on=step.effective_on,
            issued_by=committee,
            issuer_name=names(committee.pk, step.effective_on),
            stage_change=step,
            actor=actor,
            recorded_at=_afternoon(step.effective_on),
        )
        if step.stage == MembershipStage.PROBATIONARY:
            decision.kind = MembershipDecision.Kind.ADMISSION
            status = admission_status(certificates.get(person.pk, []), step.effective_on)
            decision.certificate = status.certificate if status.valid else None
            evidence = decision.certificate is not None
        else:
            decision.kind = MembershipDecision.Kind.FULL
            finished = new_member_class_finished(
                attempts.get(person.pk, []),
                admitted_on=person.admitted_on,
                probation_ends_on=person.probation_ends_on(),
            )
            decision.course = courses[finished.enrolment_id] if finished else None
            evidence = decision.course is not None
        if not evidence:
            decision.is_exception = True
            decision.exception_reason = next(reasons[decision.kind], given[decision.kind][0])
        decisions.append(decision)
    MembershipDecision.objects.bulk_create(decisions, batch_size=500)
    for step, decision in zip(steps, decisions, strict=True):
        step.note = f"Quyết định số {decision.number}"
    MembershipChange.objects.bulk_update(steps, ["note"], batch_size=500)
    _audit(decisions, actor=actor)
    return {
        "membership_decisions": len(decisions),
        "membership_exceptions": sum(d.is_exception for d in decisions),
    }


def _afternoon(day: dt.date) -> dt.datetime:
    # Recorded on the day of the decision, as an officer would have.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)))


def _committee(person: Person, organizations: dict[int, Organization]) -> Organization:
    ids = [int(part) for part in organizations[person.organization_id].path.strip("/").split("/")]
    chain = [organizations[i] for i in reversed(ids) if i in organizations]
    return default_committee(chain) or organizations[person.organization_id]


def _names(organizations: dict[int, Organization]) -> Any:
    """The name of a committee on a day, from its versions (one query for all)."""
    versions: dict[int, list[OrganizationVersion]] = defaultdict(list)
    for version in OrganizationVersion.objects.order_by("valid_from"):
        versions[version.organization_id].append(version)

    def name(pk: int, day: dt.date) -> str:
        for version in versions.get(pk, []):
            if version.valid_from <= day and (version.valid_to is None or day < version.valid_to):
                return version.name
        return organizations[pk].name

    return name


def _admission_certificates(people: dict[int, Person]) -> dict[int, list[Certificate]]:
    found: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in (
        Certificate.objects.filter(
            person__in=list(people), programme__kind=Programme.Kind.ADMISSION
        )
        .select_related("programme")
        .order_by("-issued_on", "-id")
    ):
        found[certificate.person_id].append(certificate)
    return found


def _new_member_attempts(
    people: dict[int, Person],
) -> tuple[dict[int, list[Attempt]], dict[int, Course]]:
    enrolments = list(
        Enrolment.objects.filter(
            person__in=list(people), course__programme__kind=Programme.Kind.NEW_MEMBER
        ).values_list(
            "person_id",
            "course_id",
            "course__starts_on",
            "course__ends_on",
            "course__programme_id",
            "id",
            "status",
            "result__passed",
            "course__results_approval__id",
            "course__status",
        )
    )
    revoked = revoked_enrolments(
        Certificate.objects.filter(enrolment__in=[row[5] for row in enrolments]).only(
            "enrolment_id", "status"
        )
    )
    courses = Course.objects.in_bulk({row[1] for row in enrolments})
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    by_enrolment: dict[int, Course] = {}
    for (
        person_id,
        course_id,
        starts,
        ends,
        programme_id,
        pk,
        status,
        passed,
        approval,
        state,
    ) in enrolments:
        attempts[person_id].append(
            Attempt(
                programme_id=programme_id,
                starts_on=starts,
                ends_on=ends,
                enrolment_id=pk,
                withdrawn=status == Enrolment.Status.WITHDRAWN,
                passed=passed,
                approved=approval is not None,
                cancelled=state == Course.Status.CANCELLED,
                revoked=pk in revoked,
            )
        )
        by_enrolment[pk] = courses[course_id]
    return attempts, by_enrolment


def _audit(decisions: list[MembershipDecision], *, actor: User) -> None:
    content_type = ContentType.objects.get_for_model(Person)
    rows = []
    for decision in decisions:
        person = decision.person
        field = (
            "admitted_on"
            if decision.kind == MembershipDecision.Kind.ADMISSION
            else "full_member_on"
        )
        day = decision.decided_on.strftime("%d/%m/%Y")
        summary = f"{decision.get_kind_display()}: Quyết định số {decision.number} ngày {day}"
        if decision.is_exception:
            summary += f", ngoại lệ: {decision.exception_reason}"
        rows.append(
            AuditEntry(
                actor=actor,
                at=_afternoon(decision.decided_on),
                content_type=content_type,
                object_id=person.pk,
                action=f"{decision.kind}_exception" if decision.is_exception else decision.kind,
                summary=summary[:500],
                changes=[
                    {
                        "field": field,
                        "label": str(getattr(Person._meta.get_field(field), "verbose_name", field)),
                        "old": "",
                        "new": audit_value(person, field),
                        "personal": False,
                    }
                ],
            )
        )
    AuditEntry.objects.bulk_create(rows, batch_size=500)
