import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from llct.corps import followups
from llct.corps.models import FollowUp, FollowUpCriterion, FollowUpScore
from llct.corps.tests.factories import make_finished_course, make_lecturer, make_session

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 5)


def _open(world, ends_on=dt.date(2026, 5, 30)):
    course = make_finished_course(world.province, [world.person_a, world.person_b], ends_on)
    followups.followups_open(today=TODAY)
    return course


def _scores(value=4):
    return {c.pk: (value, "") for c in FollowUpCriterion.objects.filter(is_active=True)}


def test_cells_are_asked_six_months_after_the_course_not_before(world):
    _open(world, ends_on=dt.date(2026, 6, 6))  # six months end on 6/12: not yet
    assert not FollowUp.objects.exists()
    assert followups.followups_open(today=dt.date(2026, 12, 6)) == 2
    assert followups.followups_open(today=dt.date(2026, 12, 7)) == 0  # idempotent
    first = FollowUp.objects.get(enrolment__person=world.person_a)
    assert first.organization == world.org_a1 and first.due_on == dt.date(2026, 12, 6)


def test_an_officer_sees_only_the_learners_of_their_subtree(world):
    _open(world)
    mine = followups.followup_list(user=world.officer_a, pending=True)
    assert [f.enrolment.person for f in mine] == [world.person_a]
    other = FollowUp.objects.get(enrolment__person=world.person_b)
    with pytest.raises(Http404):
        followups.followup_get(user=world.officer_a, pk=other.pk)
    with pytest.raises(Http404):
        followups.followup_answer(follow_up=other, scores=_scores(), actor=world.officer_a)
    assert not FollowUpScore.objects.exists()


def test_learners_see_no_follow_up(world):
    _open(world)
    with pytest.raises(Http404):
        followups.followup_list(user=world.learner, pending=True)


def test_the_answer_needs_every_criterion_from_one_to_five(world):
    _open(world)
    mine = FollowUp.objects.get(enrolment__person=world.person_a)
    scores = _scores()
    scores.popitem()
    with pytest.raises(ValidationError, match="1 đến 5"):
        followups.followup_answer(follow_up=mine, scores=scores, actor=world.officer_a)
    answered = followups.followup_answer(follow_up=mine, scores=_scores(5), actor=world.officer_a)
    assert answered.average == 5 and answered.answered_by == world.officer_a


def test_the_leader_reads_but_does_not_answer(world):
    _open(world)
    mine = FollowUp.objects.get(enrolment__person=world.person_a)
    with pytest.raises(PermissionDenied):
        followups.followup_answer(follow_up=mine, scores=_scores(), actor=world.leader)


def test_reminders_go_to_officers_of_cells_that_have_not_answered(world):
    world.officer_a.email = "a@example.vn"
    world.officer_a.save()
    _open(world)
    mine = FollowUp.objects.get(enrolment__person=world.person_a)
    result = followups.followups_remind(today=TODAY, link="http://x/")
    assert result.organizations == 1 and result.nobody == 1  # B has no officer's email
    assert mail.outbox[0].to == ["a@example.vn"]
    followups.followup_answer(follow_up=mine, scores=_scores(), actor=world.officer_a)
    assert followups.followups_remind(today=TODAY, link="http://x/").organizations == 0


def test_aggregates_per_course_programme_and_lecturer_within_scope(world):
    course = _open(world)
    lecturer = make_lecturer()
    make_session(course, course.starts_on, lecturer=lecturer)
    make_session(course, course.ends_on, lecturer=lecturer)  # two sessions: counted once
    for f in FollowUp.objects.all():
        officer = world.officer_a if f.organization_id == world.org_a1.pk else world.officer_b
        value = 5 if officer == world.officer_a else 3
        followups.followup_answer(follow_up=f, scores=_scores(value), actor=officer)
    (row,) = followups.aggregates(user=world.department, by="lecturer", year=2026)
    assert (row.label, row.asked, row.answered) == (lecturer.full_name, 2, 2)
    assert row.average == Decimal(4)
    (row,) = followups.aggregates(user=world.officer_a, by="programme", year=2026)
    assert row.asked == 1 and row.average == 5
    (row,) = followups.aggregates(user=world.department, by="course", year=2026)
    assert row.label == course.name


def test_criteria_are_editable(world):
    FollowUpCriterion.objects.create(label="Tham gia phong trào địa phương", order=9)
    _open(world)
    mine = FollowUp.objects.get(enrolment__person=world.person_a)
    assert len(_scores()) == 4
    followups.followup_answer(follow_up=mine, scores=_scores(), actor=world.officer_a)
    assert mine.scores.count() == 4
