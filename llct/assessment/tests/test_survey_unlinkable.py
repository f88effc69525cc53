"""Survey answers cannot be paired with their receipts: not by id, not by time."""

from llct.assessment.feedback.surveys import survey_submit
from llct.assessment.models import LecturerRating, SurveyReceipt, SurveyResponse
from llct.assessment.tests.test_feedback import (
    TODAY,
    answers_for,
    enrol,
    make_lecturer,
    surveyed_course,
)
from llct.organizations.tests.factories import make_person


def _submit_eight(world):
    """Eight learners answer in turn, each with a different pair of ratings."""
    course = surveyed_course(
        world.org_a, lecturers=[make_lecturer(), make_lecturer("Phạm Thị Dạy")]
    )
    learners = [make_person(world.org_a1, f"Học Viên Số {n}") for n in range(8)]
    submitted = []
    for n, person in enumerate(learners):
        rating = (1 + n % 5, 1 + n // 5)
        survey_submit(
            enrolment=enrol(course, person),
            answers=answers_for(course, organization=rating[0], facilities=rating[1]),
            today=TODAY,
        )
        submitted.append(rating)
    return learners, submitted


def test_answers_ordered_by_id_do_not_pair_with_the_receipts(world):
    learners, submitted = _submit_eight(world)

    receipts = SurveyReceipt.objects.order_by("pk").select_related("enrolment__person")
    assert [r.enrolment.person for r in receipts] == learners
    answers = SurveyResponse.objects.order_by("pk")
    by_id = [(a.organization_rating, a.facilities_rating) for a in answers]
    assert sorted(by_id) == sorted(submitted)
    assert by_id != submitted  # 1 chance in 40,320 of the same order by luck
    ids = [a.pk for a in answers]
    assert max(ids) - min(ids) > 10**6, "answers' ids must not be consecutive numbers"

    # Nor through the lecturers' ratings, which carry their own ids.
    rating_ids = LecturerRating.objects.order_by("pk").values_list("response_id", flat=True)
    in_rating_order = list(dict.fromkeys(rating_ids))
    submission_order = [
        a.pk
        for a in sorted(
            answers, key=lambda a: submitted.index((a.organization_rating, a.facilities_rating))
        )
    ]
    assert in_rating_order != submission_order


def test_receipts_and_answers_carry_the_day_only(world):
    _submit_eight(world)

    times = set(SurveyReceipt.objects.values_list("submitted_at", flat=True))
    assert len(times) == 1, "receipts told apart by their time would line up with the answers"
    assert set(SurveyResponse.objects.values_list("submitted_on", flat=True)) == {TODAY}
