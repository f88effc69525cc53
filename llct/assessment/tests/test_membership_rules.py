"""Admission and full membership as decisions: the party rules at their date edges, the refusal
(nothing written), the audited exception, and what a transfer keeps."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from llct.assessment.certificates import certificate_revoke
from llct.assessment.membership import admission_record, full_membership_record
from llct.assessment.models import MembershipDecision
from llct.assessment.tests.factories import (
    awareness_certificate,
    candidate,
    new_member_class,
    probationary,
)
from llct.core.models import AuditEntry
from llct.organizations.models import MembershipChange, MembershipRules, Person
from llct.organizations.person_services import person_update
from llct.organizations.services import organization_merge

TODAY = dt.date(2026, 11, 25)


def allow_exceptions(allowed: bool = True) -> None:
    MembershipRules.objects.update_or_create(pk=1, defaults={"exceptions_allowed": allowed})


def admit(person, *, on=TODAY, today=TODAY, actor=None, **fields):
    fields.setdefault("number", "125-QĐ/ĐU")
    fields.setdefault("issued_by", person.organization.parent)
    return admission_record(person=person, decided_on=on, actor=actor, today=today, **fields)


def recognize(person, *, on, today=None, actor=None, **fields):
    fields.setdefault("number", "210-QĐ/ĐU")
    fields.setdefault("issued_by", person.organization.parent)
    return full_membership_record(
        person=person, decided_on=on, actor=actor, today=today or on, **fields
    )


def snapshot():
    """Everything a decision writes, to show that a refusal writes nothing."""
    return (
        list(Person.objects.order_by("pk").values_list("stage", "admitted_on", "full_member_on")),
        MembershipChange.objects.count(),
        MembershipDecision.objects.count(),
        AuditEntry.objects.count(),
    )


def refused(call, **kwargs):
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        call(**kwargs)
    assert snapshot() == before
    return excinfo.value


# --- Admission --------------------------------------------------------------------------------


def test_admission_with_a_valid_certificate_starts_the_probation(world):
    person = candidate(world.org_a1)
    certificate = awareness_certificate(person, world.org_a, issued_on=dt.date(2025, 6, 2))
    decision = admit(person, actor=world.officer_a)
    person.refresh_from_db()
    assert (person.stage, person.admitted_on) == ("probationary", TODAY)
    assert decision.certificate == certificate and not decision.is_exception
    assert decision.issuer_name == world.org_a.name
    change = decision.stage_change
    assert (change.stage, change.effective_on, change.as_history) == ("probationary", TODAY, False)
    entry = AuditEntry.objects.get(action="admission", object_id=person.pk)
    assert entry.actor == world.officer_a
    assert certificate.serial in entry.summary and "125-QĐ/ĐU" in entry.summary
    assert {c["field"] for c in entry.changes} == {"stage", "admitted_on"}


def test_admission_on_the_last_valid_day_of_the_certificate(world):
    person = candidate(world.org_a1)
    certificate = awareness_certificate(person, world.org_a, issued_on=dt.date(2021, 11, 25))
    assert certificate.expires_on == dt.date(2026, 11, 25)
    assert admit(person, on=dt.date(2026, 11, 25)).certificate == certificate


def test_admission_the_day_after_the_certificate_expired_is_refused(world):
    person = candidate(world.org_a1)
    awareness_certificate(person, world.org_a, issued_on=dt.date(2021, 11, 25))
    error = refused(admit, person=person, on=dt.date(2026, 11, 26), today=dt.date(2026, 11, 30))
    assert "hết hiệu lực ngày 25/11/2026" in " ".join(error.messages)


def test_a_certificate_issued_after_the_decision_date_does_not_count(world):
    person = candidate(world.org_a1)
    awareness_certificate(person, world.org_a, issued_on=TODAY)
    error = refused(admit, person=person, on=TODAY - dt.timedelta(days=1))
    assert "chỉ được cấp ngày 25/11/2026" in " ".join(error.messages)


def test_a_revoked_certificate_does_not_count(world):
    person = candidate(world.org_a1)
    certificate = awareness_certificate(person, world.org_a, issued_on=dt.date(2025, 6, 2))
    certificate_revoke(
        certificate=certificate, reason="Hồ sơ không hợp lệ", actor=None, today=dt.date(2026, 9, 1)
    )
    error = refused(admit, person=person)
    assert "bị thu hồi ngày 01/09/2026" in " ".join(error.messages)


def test_without_a_certificate_and_without_exceptions_the_admission_is_refused(world):
    person = candidate(world.org_a1)
    error = refused(admit, person=person, reason="Lớp học bị hoãn do bão")
    assert "Không có giấy chứng nhận" in " ".join(error.messages)


def test_where_exceptions_are_allowed_a_reason_is_required(world):
    allow_exceptions()
    person = candidate(world.org_a1)
    error = refused(admit, person=person)
    assert "reason" in error.message_dict


def test_an_exception_is_recorded_with_its_reason_audited_and_flagged(world):
    allow_exceptions()
    person = candidate(world.org_a1)
    decision = admit(
        person, reason="  Lớp học bị hoãn do bão,  học bổ sung quý I ", actor=world.department
    )
    assert decision.is_exception and decision.certificate is None
    assert decision.exception_reason == "Lớp học bị hoãn do bão, học bổ sung quý I"
    entry = AuditEntry.objects.get(action="admission_exception", object_id=person.pk)
    assert "Lớp học bị hoãn do bão" in entry.summary and entry.actor == world.department


def test_a_reason_given_with_a_valid_certificate_is_no_exception(world):
    allow_exceptions()
    person = candidate(world.org_a1)
    awareness_certificate(person, world.org_a, issued_on=dt.date(2025, 6, 2))
    decision = admit(person, reason="Không cần")
    assert not decision.is_exception and decision.exception_reason == ""


def test_only_a_candidate_can_be_admitted(world):
    person = probationary(world.org_a1, admitted_on=dt.date(2026, 3, 2))
    refused(admit, person=person)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"on": dt.date(2026, 11, 26)}, "decided_on"),  # in the future
        ({"on": dt.date(2025, 12, 31)}, "decided_on"),  # before the cut-over: history
        ({"number": "  "}, "number"),
        ({"issued_by": "org_b"}, "issued_by"),  # not a committee above the person
    ],
)
def test_decision_fields_are_checked(world, fields, field):
    person = candidate(world.org_a1)
    awareness_certificate(person, world.org_a, issued_on=dt.date(2022, 1, 4))
    if fields.get("issued_by") == "org_b":
        fields["issued_by"] = world.org_b
    error = refused(admit, person=person, **fields)
    assert field in error.message_dict


def test_every_problem_is_reported_at_once(world):
    person = candidate(world.org_a1)
    error = refused(admit, person=person, number="", on=dt.date(2026, 12, 1))
    assert {"number", "decided_on", "__all__"} <= set(error.message_dict)


def test_an_admission_under_18_is_refused(world):
    person = candidate(world.org_a1, date_of_birth=dt.date(2008, 11, 26))
    awareness_certificate(person, world.org_a, issued_on=dt.date(2026, 6, 1))
    error = refused(admit, person=person)
    assert "18" in " ".join(error.message_dict["decided_on"])


def test_a_decision_cannot_come_before_the_last_change_of_stage(world):
    person = candidate(world.org_a1)
    MembershipChange.objects.create(person=person, stage="candidate", effective_on=TODAY)
    awareness_certificate(person, world.org_a, issued_on=dt.date(2025, 6, 2))
    refused(admit, person=person, on=TODAY - dt.timedelta(days=1))
    assert admit(person, on=TODAY)


# --- Full membership --------------------------------------------------------------------------


@pytest.fixture
def member(world):
    """Admitted on 02/03/2025, before the cut-over: probation ends on
    02/03/2026; the new-member class ended within it."""
    person = probationary(world.org_a1, admitted_on=dt.date(2025, 3, 2))
    new_member_class(person, world.org_a, ends_on=dt.date(2025, 6, 13))
    return person


def test_full_membership_on_the_day_probation_ends(world, member):
    decision = recognize(member, on=dt.date(2026, 3, 2), actor=world.officer_a)
    member.refresh_from_db()
    assert (member.stage, member.full_member_on) == ("full", dt.date(2026, 3, 2))
    assert decision.course is not None and not decision.is_exception
    assert AuditEntry.objects.filter(action="full", object_id=member.pk).exists()


def test_full_membership_the_day_before_probation_ends_is_refused(world, member):
    error = refused(recognize, person=member, on=dt.date(2026, 3, 1), today=TODAY)
    assert "02/03/2026" in " ".join(error.message_dict["decided_on"])


def test_admitted_on_29_february_probation_ends_on_28_february(world):
    """The Civil Code counts months to the same day, or the month's last day when there is
    none: admission on 29/02/2028 ends probation on 28/02/2029."""
    person = probationary(world.org_a1, admitted_on=dt.date(2028, 2, 29))
    assert person.probation_ends_on() == dt.date(2029, 2, 28)
    new_member_class(person, world.org_a, ends_on=dt.date(2029, 2, 28))
    refused(recognize, person=person, on=dt.date(2029, 2, 27))
    assert recognize(person, on=dt.date(2029, 2, 28)).course is not None


def test_admitted_on_28_february_of_a_leap_year_probation_ends_on_28_february():
    assert Person(admitted_on=dt.date(2027, 2, 28)).probation_ends_on() == dt.date(2028, 2, 28)
    assert Person(admitted_on=dt.date(2027, 3, 1)).probation_ends_on() == dt.date(2028, 3, 1)


def test_a_class_ending_after_the_probation_does_not_count(world):
    person = probationary(world.org_a1, admitted_on=dt.date(2025, 3, 2))
    new_member_class(person, world.org_a, ends_on=dt.date(2026, 3, 3))
    error = refused(recognize, person=person, on=dt.date(2026, 3, 10))
    assert "chưa hoàn thành lớp bồi dưỡng đảng viên mới" in " ".join(error.messages)


@pytest.mark.parametrize(
    "attempt",
    [
        {"passed": False},
        {"approved": False},
        {"withdrawn": True},
        {"ends_on": dt.date(2025, 3, 1)},  # the day before the admission
    ],
)
def test_classes_that_do_not_count(world, attempt):
    person = probationary(world.org_a1, admitted_on=dt.date(2025, 3, 2))
    attempt.setdefault("ends_on", dt.date(2025, 6, 13))
    new_member_class(person, world.org_a, **attempt)
    refused(recognize, person=person, on=dt.date(2026, 3, 2))


def test_a_class_whose_certificate_was_revoked_does_not_count(world, member):
    from llct.assessment.certificates import certificates_issue

    enrolment = member.enrolments.get()
    (certificate,) = certificates_issue(
        course=enrolment.course, enrolments=[enrolment], issued_on=dt.date(2025, 6, 20)
    )
    certificate_revoke(
        certificate=certificate, reason="Gian lận", actor=None, today=dt.date(2025, 9, 1)
    )
    refused(recognize, person=member, on=dt.date(2026, 3, 2))


def test_full_membership_without_the_class_as_an_exception(world):
    allow_exceptions()
    person = probationary(world.org_a1, admitted_on=dt.date(2025, 3, 2))
    error = refused(recognize, person=person, on=dt.date(2026, 3, 2))
    assert "reason" in error.message_dict
    decision = recognize(
        person, on=dt.date(2026, 3, 2), reason="Đi công tác biệt phái suốt thời gian dự bị"
    )
    assert decision.is_exception and decision.course is None
    assert AuditEntry.objects.filter(action="full_exception", object_id=person.pk).exists()


def test_only_a_probationary_member_can_become_a_full_member(world):
    person = candidate(world.org_a1)
    refused(recognize, person=person, on=TODAY)


def test_a_full_membership_after_the_cut_over_of_an_admission_before_it(world, member):
    """Admitted before LLCT (history), recognized after it: the rule applies to the decision."""
    MembershipChange.objects.create(
        person=member, stage="probationary", effective_on=member.admitted_on, as_history=True
    )
    assert recognize(member, on=dt.date(2026, 3, 20)).stage_change.as_history is False


# --- Transfers keep the training and the certificate -------------------------------------------


def test_a_transferred_candidate_is_admitted_on_the_certificate_earned_before(world):
    person = candidate(world.org_a1)
    certificate = awareness_certificate(person, world.org_a, issued_on=dt.date(2025, 6, 2))
    person_update(
        person=person,
        data={"organization": world.org_b1},
        actor=world.department,
        today=dt.date(2026, 9, 1),
        effective_on=dt.date(2026, 9, 1),
    )
    person.refresh_from_db()
    decision = admit(person, actor=world.officer_b, issued_by=world.org_b)
    assert decision.certificate == certificate
    certificate.refresh_from_db()
    assert certificate.expires_on == dt.date(2030, 6, 2)


def test_a_merged_members_class_still_counts(world, member):
    organization_merge(
        sources=[world.org_a1], target=world.org_b1, effective_on=dt.date(2025, 9, 1), today=TODAY
    )
    member.refresh_from_db()
    assert member.organization == world.org_b1
    assert recognize(member, on=dt.date(2026, 3, 2), issued_by=world.org_b).course is not None
