"""What a demo made, without primary keys: the same demo seeded twice has other ids, not other
rows."""

from typing import Any

from llct.assessment.models import (
    Certificate,
    LecturerRating,
    MembershipDecision,
    Result,
    ScoreChange,
    SurveyResponse,
)
from llct.courses.models import Attendance, Course, Enrolment, Session
from llct.curriculum.models import Lecturer
from llct.monitoring.models import IndicatorSnapshot
from llct.organizations.models import (
    Person,
)
from llct.planning.models import (
    BudgetLine,
    Expense,
    Nomination,
    PlanDecision,
    PlannedCourse,
    Submission,
)
from llct.reviews.models import Finding


def snapshot() -> dict[str, list[Any]]:
    """What the demo made, without primary keys (the same demo seeded twice has others)."""
    person = ("full_name", "date_of_birth")
    learner = ("enrolment__course__code", *(f"enrolment__person__{f}" for f in person))
    return {
        "people": list(
            Person.objects.order_by("id").values_list(
                *person,
                "sex",
                "position",
                "organization__code",
                "stage",
                "admitted_on",
                "full_member_on",
                "party_card_no",
                "theory_level",
            )
        ),
        "courses": list(
            Course.objects.order_by("code").values_list(
                "code",
                "name",
                "programme__code",
                "organizer__code",
                "starts_on",
                "ends_on",
                "status",
                "capacity",
                "venue__name",
            )
        ),
        "sessions": list(
            Session.objects.order_by("course__code", "date", "starts_at").values_list(
                "course__code", "date", "part", "topic__order", "lecturer__full_name", "venue__name"
            )
        ),
        "enrolments": sorted(
            Enrolment.objects.values_list(
                "course__code", *(f"person__{f}" for f in person), "status"
            )
        ),
        "marks": sorted(
            Attendance.objects.values_list(
                "session__course__code",
                "session__date",
                "session__starts_at",
                *(f"enrolment__person__{f}" for f in person),
                "status",
                "method",
            )
        ),
        "lecturers": sorted(
            Lecturer.objects.values_list("full_name", "kind", "workplace", "qualifications")
        ),
        "results": sorted(
            Result.objects.values_list(
                *learner,
                "essay_score",
                "test_score",
                "final_score",
                "band",
                "attendance_percent",
                "passed",
                "fail_reason",
            ),
            key=repr,
        ),
        "score_changes": sorted(
            ScoreChange.objects.values_list(
                *(f"result__{f}" for f in learner),
                "field",
                "old_value",
                "new_value",
                "reason",
                "is_correction",
            ),
            key=repr,
        ),
        "certificates": sorted(
            Certificate.objects.values_list(
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
        ),
        "surveys": sorted(
            SurveyResponse.objects.values_list(
                "course__code", "organization_rating", "facilities_rating", "comments"
            )
        ),
        "ratings": sorted(
            LecturerRating.objects.values_list(
                "response__course__code", "lecturer__full_name", "content", "method", "practice"
            )
        ),
        "decisions": sorted(
            MembershipDecision.objects.values_list(
                "person__full_name", "kind", "decided_on", "number", "is_exception"
            )
        ),
        "nominations": sorted(
            Nomination.objects.values_list(
                "submission__round__year",
                "submission__organization__code",
                *(f"person__{f}" for f in person),
                "programme__code",
                "quarter",
                "priority",
                "note",
                "rule",
            )
        ),
        "submissions": sorted(
            Submission.objects.values_list(
                "round__year", "organization__code", "status", "reopened_until"
            )
        ),
        "planned": sorted(
            PlannedCourse.objects.values_list(
                "plan__year", "month", "programme__code", "name", "expected_learners", "sessions"
            )
        ),
        "budget": sorted(
            BudgetLine.objects.values_list(
                "planned_course__name", "kind", "computed_amount", "amount", "adjustment_note"
            )
        ),
        "decisions_on_plan": sorted(
            PlanDecision.objects.values_list("version__number", "decision", "comment")
        ),
        "expenses": sorted(
            Expense.objects.values_list("course__name", "kind", "amount", "spent_on", "note")
        ),
        "snapshots": sorted(
            IndicatorSnapshot.objects.values_list(
                "indicator", "year", "organization__code", "numerator", "denominator"
            )
        ),
        "findings": sorted(Finding.objects.values_list("inspection__number", "note", "result")),
    }
