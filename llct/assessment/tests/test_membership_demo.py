"""The demo obeys the party rules (llct.assessment.membership_demo, with the classes
llct.courses.demo schedules for them): every admission and full membership since the cut-over is
a decision resting on its evidence, but for two or three flagged, audited exceptions."""

import datetime as dt
import random

import pytest
from django.urls import reverse

from llct.assessment.demo import assessment_demo
from llct.assessment.membership import admission_check, new_member_check
from llct.assessment.models import MembershipDecision
from llct.core.models import AuditEntry, User
from llct.organizations.demo import demo_reset, demo_seed
from llct.organizations.models import MembershipChange, MembershipRules

# Late enough after the cut-over (01/01/2026) for full memberships decided since.
TODAY = dt.date(2027, 9, 15)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_seed(people=300, seed=5, today=TODAY, cycle=False)
        department = User.objects.get(username="bantuyengiao")
        counts = assessment_demo(rng=random.Random(5), today=TODAY, actor=department)
        yield counts
        demo_reset()


@pytest.fixture
def counts(demo, db):
    return demo


def test_every_decision_since_the_cut_over_rests_on_its_evidence(counts):
    cutover_on = MembershipRules.current().cutover_on
    steps = list(
        MembershipChange.objects.filter(
            stage__in=["probationary", "full"], effective_on__gte=cutover_on
        ).select_related("decision", "person__organization")
    )
    assert {s.stage for s in steps} == {"probationary", "full"}
    assert counts["membership_decisions"] == len(steps)
    for step in steps:
        decision = step.decision
        assert decision.decided_on == step.effective_on and not step.as_history
        assert decision.number.endswith(("QĐ/ĐU", "QĐ/TU"))
        if decision.is_exception:
            continue
        if decision.kind == MembershipDecision.Kind.ADMISSION:
            status = admission_check(person=step.person, on=decision.decided_on)
            assert status.valid and decision.certificate == status.certificate
        else:
            assert new_member_check(person=step.person).course == decision.course


def test_two_or_three_exceptions_with_reasons_audited_and_listed(counts, client):
    exceptions = list(MembershipDecision.objects.filter(is_exception=True))
    assert 2 <= len(exceptions) <= 3 and counts["membership_exceptions"] == len(exceptions)
    assert all(d.exception_reason for d in exceptions)
    audited = AuditEntry.objects.filter(action__endswith="_exception")
    assert set(audited.values_list("object_id", flat=True)) == {d.person_id for d in exceptions}
    assert MembershipRules.current().exceptions_allowed
    client.force_login(User.objects.get(username="bantuyengiao"))
    page = client.get(reverse("membership:exceptions")).text
    assert all(d.exception_reason in page for d in exceptions)
