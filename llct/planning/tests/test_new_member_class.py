"""The nomination suggestions, the person's page and the full-membership decision read the same
definition of a finished new-member class (assessment.records.new_member_class_finished)."""

import datetime as dt
from typing import Any

import pytest

from llct.assessment.certificates import certificates_issue
from llct.assessment.membership import new_member_check
from llct.assessment.models import Certificate
from llct.assessment.records import new_member_attempts, new_member_class_finished, person_results
from llct.assessment.tests.factories import new_member_class, probationary
from llct.organizations.models import MembershipStage, Person
from llct.organizations.tests.factories import make_person
from llct.planning.nominations import due
from llct.planning.nominations import suggestions as nom_suggestions
from llct.planning.tests.factories import make_round
from llct.planning.tests.test_rounds import TODAY

ADMITTED = dt.date(2026, 3, 2)


def suggested(person, organization):
    found = nom_suggestions.suggestions_for(
        nomination_round=make_round(), organization=organization, today=TODAY
    )
    return any(s.person_id == person.pk and s.rule == "new_member" for s in found.items)


def page_done(person):
    status = person_results(person=person, today=TODAY).new_member
    return status is not None and status.done


@pytest.mark.parametrize(
    ("attempt", "done"),
    [
        ({"ends_on": dt.date(2026, 6, 12)}, True),
        ({"ends_on": dt.date(2026, 3, 1)}, False),  # before the admission
        ({"ends_on": dt.date(2026, 6, 12), "passed": False}, False),
    ],
)
def test_suggestions_page_and_decision_agree(world, attempt, done):
    person = probationary(world.org_a1, admitted_on=ADMITTED)
    new_member_class(person, world.org_a, **attempt)
    assert page_done(person) is done
    assert new_member_check(person=person).done is done
    assert suggested(person, world.org_a1) is not done


def test_a_pass_awaiting_approval_is_not_done_but_not_suggested_again(world):
    person = probationary(world.org_a1, admitted_on=ADMITTED)
    new_member_class(person, world.org_a, ends_on=dt.date(2026, 6, 12), approved=False)
    assert not page_done(person) and not new_member_check(person=person).done
    assert not suggested(person, world.org_a1)


def test_the_sql_rule_agrees_with_new_member_class_finished(world):
    """due.new_member_class_finished_exists (SQL) against the one definition, on members at
    every edge: inside, before and after the probation, failed, withdrawn, waiting for
    approval, revoked certificate, a 29/02 admission whose probation ends on 28/02."""
    cases: list[tuple[dt.date | None, dict[str, Any]]] = [
        (ADMITTED, {"ends_on": dt.date(2026, 6, 12)}),
        (ADMITTED, {"ends_on": dt.date(2026, 3, 1)}),
        (ADMITTED, {"ends_on": ADMITTED}),
        (ADMITTED, {"ends_on": dt.date(2027, 3, 2)}),  # the probation's last day
        (ADMITTED, {"ends_on": dt.date(2027, 3, 3)}),
        (ADMITTED, {"ends_on": dt.date(2026, 6, 12), "passed": False}),
        (ADMITTED, {"ends_on": dt.date(2026, 6, 12), "approved": False}),
        (ADMITTED, {"ends_on": dt.date(2026, 6, 12), "withdrawn": True}),
        (dt.date(2024, 2, 29), {"ends_on": dt.date(2025, 2, 28)}),
        (dt.date(2024, 2, 29), {"ends_on": dt.date(2025, 3, 1)}),
        (dt.date(2024, 2, 29), {"ends_on": dt.date(2024, 2, 29)}),
        (None, {"ends_on": dt.date(2026, 6, 12)}),
    ]
    for index, (admitted_on, attempt) in enumerate(cases):
        person = make_person(
            world.org_a1,
            f"Người Số {index}",
            stage=MembershipStage.PROBATIONARY,
            admitted_on=admitted_on,
        )
        new_member_class(person, world.org_a, **attempt)
    revoked = probationary(world.org_a1, "Người Bị Thu Hồi", admitted_on=ADMITTED)
    enrolment = new_member_class(revoked, world.org_a, ends_on=dt.date(2026, 6, 12))
    certificates_issue(course=enrolment.course, enrolments=[enrolment], issued_on=TODAY)
    Certificate.objects.filter(enrolment=enrolment).update(
        status=Certificate.Status.REVOKED, revoked_on=TODAY, revoke_reason="Sai thông tin"
    )
    reissued = probationary(world.org_a1, "Người Cấp Lại", admitted_on=ADMITTED)
    enrolment = new_member_class(reissued, world.org_a, ends_on=dt.date(2026, 6, 12))
    (first,) = certificates_issue(course=enrolment.course, enrolments=[enrolment], issued_on=TODAY)
    certificates_issue(
        course=enrolment.course, enrolments=[enrolment], issued_on=TODAY, replaces=first
    )
    nobody = probationary(world.org_a1, "Người Chưa Học", admitted_on=ADMITTED)

    people = Person.objects.filter(stage=MembershipStage.PROBATIONARY)
    in_sql = set(people.filter(due.new_member_class_finished_exists()).values_list("pk", flat=True))
    in_python = set()
    for person in people:
        attempts, _courses = new_member_attempts(person=person)
        finished = new_member_class_finished(
            attempts, admitted_on=person.admitted_on, probation_ends_on=person.probation_ends_on()
        )
        if finished is not None:
            in_python.add(person.pk)
    assert people.count() == len(cases) + 3
    assert in_sql == in_python
    assert nobody.pk not in in_sql and revoked.pk not in in_sql and reissued.pk in in_sql
    assert len(in_sql) == 6
