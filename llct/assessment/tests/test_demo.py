"""The demo's evaluation data (llct/assessment/demo.py): results that follow the rules, approval
through the services, one certificate revoked and one re-issued, anonymous survey answers."""

import datetime as dt
import random
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from llct.assessment.certificates import reissue_reason
from llct.assessment.demo import NAME_NOTE, assessment_demo
from llct.assessment.feedback import (
    MIN_ANSWERS,
    lecturer_feedback,
    pending_surveys_for,
    survey_lecturers,
)
from llct.assessment.grading import classify, needed_scores
from llct.assessment.models import (
    Certificate,
    LecturerRating,
    MembershipDecision,
    Result,
    ResultsApproval,
    ScoreChange,
    SurveyReceipt,
    SurveyResponse,
)
from llct.assessment.selectors import attendance_percent, course_attendance
from llct.core.models import AuditEntry, User
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Lecturer
from llct.organizations.demo import demo_reset, demo_seed
from llct.organizations.models import Person

PEOPLE = 300
SEED = 11
# A Wednesday late in the year: a dozen finished courses of every programme.
TODAY = dt.date(2026, 11, 25)


def seed_and_assess(seed: int = SEED) -> dict[str, int]:
    demo_seed(people=PEOPLE, seed=SEED, today=TODAY, cycle=False)
    department = User.objects.get(username="bantuyengiao")
    return assessment_demo(rng=random.Random(seed), today=TODAY, actor=department)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the tests of this module that only read it (seeding takes a second or
    two); each test still runs in a transaction, so those that write leave it as it was."""
    with django_db_blocker.unblock():
        counts = seed_and_assess()
        yield counts
        demo_reset()


@pytest.fixture
def counts(demo, db):
    return demo


def snapshot() -> tuple[list[Any], ...]:
    learner = ("enrolment__course__code", "enrolment__person__full_name")
    results = list(
        Result.objects.order_by(*learner, "enrolment__person__date_of_birth").values_list(
            *learner,
            "essay_score",
            "test_score",
            "final_score",
            "band",
            "attendance_percent",
            "passed",
            "fail_reason",
        )
    )
    changes = list(
        ScoreChange.objects.order_by(
            "result__enrolment__course__code",
            "result__enrolment__person__full_name",
            "result__enrolment__person__date_of_birth",
            "field",
            "is_correction",
        ).values_list(
            "result__enrolment__course__code",
            "result__enrolment__person__full_name",
            "field",
            "old_value",
            "new_value",
            "reason",
            "is_correction",
            "actor__username",
        )
    )
    approvals = sorted(ResultsApproval.objects.values_list("course__code", "approved_at"))
    certificates = list(
        Certificate.objects.order_by("programme__code", "series__year", "number").values_list(
            "serial",
            "course__code",
            "holder_name",
            "issued_on",
            "issuer_name",
            "expires_on",
            "status",
            "revoked_on",
            "revoke_reason",
            "replaces__serial",
        )
    )
    receipts = sorted(
        SurveyReceipt.objects.values_list(
            "enrolment__course__code", "enrolment__person__full_name", "submitted_at"
        )
    )
    responses = sorted(
        SurveyResponse.objects.values_list(
            "course__code", "organization_rating", "facilities_rating", "comments", "submitted_on"
        )
    )
    ratings = sorted(
        LecturerRating.objects.values_list(
            "response__course__code",
            "lecturer__full_name",
            "session__date",
            "content",
            "method",
            "practice",
        )
    )
    return results, changes, approvals, certificates, receipts, responses, ratings


def test_same_seed_on_the_same_data_gives_the_same_evaluation(counts):
    first = snapshot()
    demo_reset()
    assert seed_and_assess() == counts
    assert snapshot() == first
    demo_reset()
    seed_and_assess(seed=SEED + 1)
    assert snapshot()[0] != first[0]


def test_counts_say_what_was_made(counts):
    finished = Course.objects.filter(status=Course.Status.FINISHED).count()
    assert finished >= 5
    assert counts == {
        "results": Result.objects.count(),
        "approved_courses": finished - 1,
        "certificates": Certificate.objects.count(),
        "revoked": 1,
        "reissued": 1,
        "levels_raised": counts["levels_raised"],
        "survey_responses": SurveyResponse.objects.count(),
        "lecturer_ratings": LecturerRating.objects.count(),
        "membership_decisions": MembershipDecision.objects.count(),
        "membership_exceptions": MembershipDecision.objects.filter(is_exception=True).count(),
    }
    assert ResultsApproval.objects.count() == finished - 1


def test_every_enrolled_learner_of_a_finished_course_has_a_result_by_the_rules(counts):
    enrolled = set(
        Enrolment.objects.filter(
            course__status=Course.Status.FINISHED, status=Enrolment.Status.ENROLLED
        ).values_list("pk", flat=True)
    )
    results = list(Result.objects.select_related("enrolment__course__programme"))
    assert {r.enrolment_id for r in results} == enrolled
    by_course: dict[int, list[Result]] = defaultdict(list)
    for result in results:
        by_course[result.enrolment.course_id].append(result)
    for rows in by_course.values():
        course = rows[0].enrolment.course
        programme = course.programme
        rates = course_attendance(course=course, today=TODAY)
        allowed = set(needed_scores(programme))
        for result in rows:
            given = {f for f in ("essay_score", "test_score") if getattr(result, f) is not None}
            assert given <= allowed, (course.code, given)
            outcome = classify(
                programme=programme,
                essay=result.essay_score,
                test=result.test_score,
                attendance_percent=attendance_percent(*rates[result.enrolment_id]),
            )
            assert result.attendance_percent == attendance_percent(*rates[result.enrolment_id])
            assert (result.final_score, result.band, result.passed) == (
                outcome.final,
                outcome.band,
                outcome.passed,
            )
    # Every entered score left its ScoreChange, and the one correction carries its reason.
    entered = (
        sum((r.essay_score is not None) + (r.test_score is not None) for r in results) + 1
    )  # the corrected score: entered, then corrected
    assert ScoreChange.objects.count() == entered
    # Mostly 6.5–9.5, a few below the pass mark.
    finals = [r.final_score for r in results if r.final_score is not None]
    share = sum(6.5 <= f <= 9.5 for f in finals) / len(finals)
    assert share > 0.7
    assert 0 < sum(r.band == "fail" for r in results) < 0.1 * len(finals)


def test_all_finished_courses_but_the_latest_graded_one_are_approved(counts, client):
    pending = Course.objects.get(status=Course.Status.FINISHED, results_approval__isnull=True)
    assert needed_scores(pending.programme) and pending.programme.issues_certificate
    assert not Certificate.objects.filter(course=pending).exists()
    # A couple of scores are still to be entered there.
    missing = Result.objects.filter(
        enrolment__course=pending, essay_score=None, test_score=None
    ).count()
    assert 1 <= missing <= 2
    client.force_login(User.objects.get(username="bantuyengiao"))
    response = client.get(reverse("assessment:grade_sheet", args=[pending.pk]))
    assert response.status_code == 200
    assert reverse("assessment:results_approve", args=[pending.pk]) in response.content.decode()


def test_every_passer_of_an_approved_course_holds_one_certificate_in_force(counts):
    approved = Course.objects.filter(
        results_approval__isnull=False, programme__issues_certificate=True
    )
    passers = set(
        Result.objects.filter(enrolment__course__in=approved, passed=True).values_list(
            "enrolment_id", flat=True
        )
    )
    valid = Counter(
        Certificate.objects.filter(status=Certificate.Status.VALID).values_list(
            "enrolment_id", flat=True
        )
    )
    assert passers and set(valid) == passers
    assert set(valid.values()) == {1}
    assert not Certificate.objects.filter(course__programme__issues_certificate=False).exists()


def test_one_certificate_is_revoked_after_a_correction_with_its_reasons(counts):
    revoked = Certificate.objects.get(status=Certificate.Status.REVOKED, replaced_by__isnull=True)
    assert revoked.revoked_on == TODAY and revoked.revoke_reason
    result = Result.objects.get(enrolment_id=revoked.enrolment_id)
    assert not result.passed
    correction = ScoreChange.objects.get(is_correction=True)
    assert correction.result == result and correction.reason and correction.new_value == 0


def test_one_certificate_is_reissued_with_the_corrected_name_and_points_back(counts, client):
    new = Certificate.objects.select_related("replaces", "person").get(replaces__isnull=False)
    old = new.replaces
    assert old is not None
    assert old.status == Certificate.Status.REVOKED
    assert old.revoke_reason == reissue_reason(new.serial)
    assert new.status == Certificate.Status.VALID and new.enrolment_id == old.enrolment_id
    assert new.holder_name == new.person.full_name != old.holder_name
    assert new.expires_on == old.expires_on and new.issued_on == TODAY
    assert new.number > old.number
    # The name was corrected on the rolls through the service: its audit entry says so.
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=new.person_id
    ).latest("pk")
    assert entry.summary == NAME_NOTE
    assert entry.changes[0]["old"] == old.holder_name
    assert entry.changes[0]["new"] == new.holder_name

    client.force_login(User.objects.get(username="bantuyengiao"))
    page = client.get(reverse("assessment:certificate_register")).content.decode()
    revoked = Certificate.objects.get(status=Certificate.Status.REVOKED, replaced_by__isnull=True)
    for serial in (old.serial, new.serial, revoked.serial):
        assert serial in page


def test_survey_answers_name_no_one_and_have_one_receipt_each(counts):
    for model in (SurveyResponse, LecturerRating):
        related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
        assert not related & {Person, Enrolment, User}
    receipts = Counter(
        SurveyReceipt.objects.values_list("enrolment__course_id", flat=True).order_by()
    )
    responses = Counter(SurveyResponse.objects.values_list("course_id", flat=True).order_by())
    assert receipts and receipts == responses
    assert not SurveyReceipt.objects.exclude(
        enrolment__status=Enrolment.Status.ENROLLED,
        enrolment__course__status=Course.Status.FINISHED,
    ).exists()
    # The demo learner is left to answer for themselves, and keeps their certificates.
    learner = User.objects.get(username="hocvien")
    assert learner.person_id is not None
    assert not SurveyReceipt.objects.filter(enrolment__person_id=learner.person_id).exists()
    assert pending_surveys_for(learner, today=TODAY)
    assert not Certificate.objects.filter(
        person_id=learner.person_id, status=Certificate.Status.REVOKED
    ).exists()
    # Every answer rates each lecturer of its course once, on their first session there.
    for course in Course.objects.filter(pk__in=list(responses)):
        expected = {(s.lecturer.pk, s.first_session.pk) for s in survey_lecturers(course=course)}
        for response in SurveyResponse.objects.filter(course=course).prefetch_related("ratings"):
            given = [(r.lecturer_id, r.session_id) for r in response.ratings.all()]
            assert len(given) == len(set(given)) and set(given) == expected


def test_some_courses_show_lecturer_averages_and_one_only_its_count(counts):
    answers = Counter(SurveyResponse.objects.values_list("course_id", flat=True).order_by())
    assert any(n > MIN_ANSWERS for n in answers.values())
    few = [course_id for course_id, n in answers.items() if n < MIN_ANSWERS]
    assert few
    lecturer = Lecturer.objects.filter(ratings__response__course_id=few[0]).first()
    assert lecturer is not None
    rows = {row.course_id: row for row in lecturer_feedback(lecturer=lecturer).courses}
    assert rows[few[0]].answers == answers[few[0]] and rows[few[0]].scores is None
