"""The nomination suggestions, the person's page and the full-membership decision read the same
definition of a finished new-member class (assessment.selectors.new_member_class_finished)."""

import datetime as dt

import pytest

from llct.assessment.membership import new_member_check
from llct.assessment.records import person_results
from llct.assessment.tests.factories import new_member_class, probationary
from llct.planning import nominations as nom
from llct.planning.tests.test_rounds import TODAY, make_round

ADMITTED = dt.date(2026, 3, 2)


def suggested(person, organization):
    found = nom.suggestions_for(
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
