"""The demo's yearly cycle (llct/planning/demo.py): this year's round and its approved plan,
partly carried out, with expenses; next year's round under way, some organizations late."""

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document

from llct.assessment.demo import assessment_demo
from llct.core.models import AuditEntry, User
from llct.courses.models import Course, Enrolment
from llct.organizations.demo import demo_reset, demo_seed
from llct.planning.demo import MAIL_DOMAIN, planning_demo
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    BudgetNorms,
    Expense,
    FacilityNeed,
    Nomination,
    NominationRound,
    PlanDecision,
    PlannedCourse,
    Submission,
    SubmissionEvent,
)
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.plan_documents import DOCX_TYPE, plan_docx
from llct.planning.plans import actual as plan_vs_actual
from llct.planning.plans import budget as plan_budget
from llct.planning.plans import history as plan_history
from llct.planning.plans import selectors as plan_selectors

PEOPLE = 300
SEED = 11
# A Wednesday late in the year: most of the year's courses finished, a few running or to come.
TODAY = dt.date(2026, 11, 25)
YEAR = TODAY.year
PLANNING_MODELS = [
    "annualplan",
    "nominationround",
    "submission",
    "plannedcourse",
    "budgetline",
    "facilityneed",
    "budgetnorms",
]


def seed_cycle(seed: int = SEED) -> dict[str, int]:
    """The rolls, a year of courses and their results, then the yearly cycle. seed_demo runs
    the later apps' demos itself once they are wired in; until then this does."""
    summary = demo_seed(people=PEOPLE, seed=seed, today=TODAY)
    department = User.objects.get(username="bantuyengiao")
    leader = User.objects.get(username="lanhdao")
    if getattr(summary, "evaluation", None) is None:
        assessment_demo(rng=random.Random(seed), today=TODAY, actor=department)
    planning = getattr(summary, "planning", None)
    if planning is None:
        planning = planning_demo(
            rng=random.Random(seed), today=TODAY, department=department, leader=leader
        )
    return planning


def reset() -> None:
    demo_reset()
    # The reset leaves the audit rows of plans and rounds; the demo's accounts are gone.
    AuditEntry.objects.filter(
        content_type__app_label="planning", content_type__model__in=PLANNING_MODELS
    ).delete()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the tests of this module (seeding takes a few seconds); each test runs in a
    transaction, so those that write leave it as it was."""
    with django_db_blocker.unblock():
        had_norms = BudgetNorms.objects.exists()
        counts = seed_cycle()
        yield counts
        reset()
        if not had_norms:
            BudgetNorms.objects.all().delete()


@pytest.fixture
def counts(demo, db):
    return demo


@pytest.fixture
def plan(counts) -> AnnualPlan:
    return AnnualPlan.objects.select_related("issuer").get(year=YEAR)


def department() -> User:
    return User.objects.get(username="bantuyengiao")


def local(value: Any) -> dt.date:
    assert value is not None
    return timezone.localdate(value)


def snapshot() -> tuple[list[Any], ...]:
    """What the cycle made, without primary keys (the same demo seeded twice has others)."""
    rounds = list(
        NominationRound.objects.order_by("year").values_list(
            "year", "deadline", "is_closed", "opened_at", "instructions"
        )
    )
    submissions = sorted(
        Submission.objects.values_list(
            "round__year",
            "organization__code",
            "status",
            "submitted_at",
            "reopened_until",
            "submitted_by__username",
        )
    )
    events = sorted(
        SubmissionEvent.objects.values_list(
            "submission__round__year",
            "submission__organization__code",
            "action",
            "note",
            "at",
        )
    )
    nominations = sorted(
        Nomination.objects.values_list(
            "submission__round__year",
            "submission__organization__code",
            "person__full_name",
            "person__date_of_birth",
            "programme__code",
            "quarter",
            "priority",
            "note",
            "rule",
        )
    )
    planned = [
        (
            pc.plan.year,
            pc.month,
            pc.programme.code,
            pc.name,
            pc.expected_learners,
            pc.sessions,
            pc.days,
            pc.venue.name if pc.venue else "",
            pc.organizer.code,
            # Not the code: a course made from the plan is numbered after the planned course's id.
            (pc.course.name, pc.course.starts_on, pc.course.status) if pc.course else None,
            sorted(lecturer.full_name for lecturer in pc.lecturers.all()),
            sorted((n.person.full_name, str(n.person.date_of_birth)) for n in pc.nominations.all()),
        )
        for pc in PlannedCourse.objects.select_related(
            "plan", "programme", "venue", "organizer", "course"
        )
        .prefetch_related("lecturers", "nominations__person")
        .order_by("month", "programme__code", "name")
    ]
    lines = sorted(
        BudgetLine.objects.values_list(
            "planned_course__name", "kind", "computed_amount", "amount", "adjustment_note"
        )
    )
    plan = list(AnnualPlan.objects.values_list("year", "number", "title", "status", "created_at"))
    versions = [
        (v.number, v.submitted_at, v.snapshot["totals"], [c["name"] for c in v.snapshot["courses"]])
        for v in plan_history.plan_versions(plan=AnnualPlan.objects.get(year=YEAR))
    ]
    decisions = sorted(
        PlanDecision.objects.values_list(
            "version__number", "decision", "comment", "decided_at", "decided_by__username"
        )
    )
    needs = sorted(
        FacilityNeed.objects.values_list("kind", "description", "quantity", "estimated_cost")
    )
    expenses = sorted(
        Expense.objects.values_list("course__name", "kind", "amount", "spent_on", "note")
    )
    return (
        rounds,
        submissions,
        events,
        nominations,
        planned,
        lines,
        plan,
        versions,
        decisions,
        needs,
        expenses,
    )


def test_same_seed_on_the_same_data_gives_the_same_cycle(counts):
    first = snapshot()
    reset()
    assert seed_cycle() == counts
    assert mail.outbox == []  # the reminder went through the service, but no mail went out
    assert snapshot() == first
    reset()
    seed_cycle(seed=SEED + 1)
    assert snapshot()[3] != first[3]


def test_counts_say_what_was_made(counts, plan):
    next_round = NominationRound.objects.get(year=YEAR + 1)
    assert counts["rounds"] == 2
    assert counts["nominations"] == Nomination.objects.count()
    assert (
        counts["this_year_nominations"] == nom_selectors.nominations_for_year(year=YEAR).count() > 0
    )
    assert counts["planned_courses"] == plan.planned_courses.count()
    assert counts["budget_lines"] == plan.budget_lines.count()
    assert counts["adjusted_lines"] == plan.budget_lines.exclude(adjustment_note="").count() == 2
    assert counts["facility_needs"] == 3
    assert counts["plan_versions"] == 2
    assert counts["linked_courses"] + counts["courses_from_plan"] == (
        plan.planned_courses.exclude(course=None).count()
    )
    assert counts["expenses"] == Expense.objects.count()
    assert counts["next_year_submitted"] == (
        Submission.objects.filter(round=next_round, status=Submission.Status.SUBMITTED).count()
    )
    assert counts["reminders"] == (
        SubmissionEvent.objects.filter(submission__round=next_round, action="reminded").count()
    )


# --- This year's round and plan ---------------------------------------------------------------


def test_this_years_round_is_closed_with_the_organizations_submissions(counts):
    this_round = NominationRound.objects.get(year=YEAR)
    assert this_round.is_closed
    assert local(this_round.opened_at) < this_round.deadline < dt.date(YEAR, 1, 1)
    submissions = Submission.objects.filter(round=this_round)
    assert submissions.count() >= 10
    assert set(submissions.values_list("status", flat=True)) == {Submission.Status.SUBMITTED}
    for submitted_at in submissions.values_list("submitted_at", flat=True):
        assert local(submitted_at) <= this_round.deadline
    # Accepted from the suggestion engine: each keeps the rule that suggested it.
    rules = set(
        Nomination.objects.filter(submission__round=this_round).values_list("rule", flat=True)
    )
    assert rules and "" not in rules


def test_the_plan_was_returned_with_comments_revised_and_approved(plan):
    assert plan.status == AnnualPlan.Status.APPROVED
    versions = plan_history.plan_versions(plan=plan)
    assert len(versions) >= 2
    decisions = [v.decision for v in versions]
    returned = [d for d in decisions if d.decision == PlanDecision.Decision.RETURNED]
    assert len(returned) == 1 and returned[0].comment.strip()
    assert decisions[-1].decision == PlanDecision.Decision.APPROVED
    assert decisions[-1].decided_by.username == "lanhdao"

    steps = plan_history.plan_timeline(plan=plan, versions=versions)
    assert [s.action for s in steps] == [
        "created",
        "submitted",
        "returned",
        "revised",
        "submitted",
        "approved",
    ]
    times = [s.at for s in steps]
    assert times == sorted(times)
    assert local(times[-1]) < dt.date(YEAR, 1, 1)
    assert plan_selectors.document_date(plan) == local(times[-1])

    # The second version differs from the first: a course added, a budget line changed.
    _version, diff = plan_history.version_diff(plan=plan, number=2)
    assert diff is not None and not diff.empty
    sections = {s.title: s for s in diff.sections}
    assert sections[_("Planned courses")].added
    assert sections[_("Budget lines")].changed


def test_the_budget_follows_the_norms_but_for_two_lines_adjusted_with_a_reason(plan):
    courses = list(plan_selectors.planned_courses(plan=plan))
    lines = plan_budget.budget_lines(plan=plan)
    assert not plan_budget.budget_is_stale(
        courses=courses, lines=lines, norms=BudgetNorms.current()
    )
    assert {(line.planned_course_id, line.kind) for line in lines} == {
        (pc.pk, kind) for pc in courses for kind in plan_budget.KINDS
    }
    adjusted = [line for line in lines if line.amount != line.computed_amount]
    assert len(adjusted) == 2
    assert all(line.adjustment_note for line in adjusted)
    assert {line.kind for line in adjusted} == {BudgetLine.Kind.VENUE, BudgetLine.Kind.MATERIALS}
    kinds = set(plan.facility_needs.values_list("kind", flat=True))
    assert kinds == {FacilityNeed.Kind.HALL, FacilityNeed.Kind.ONLINE, FacilityNeed.Kind.EQUIPMENT}


def test_planned_courses_are_built_from_the_years_nominations(plan):
    submitted = set(nom_selectors.nominations_for_year(year=YEAR).values_list("pk", flat=True))
    linked = list(
        Nomination.objects.filter(planned_courses__plan=plan).values_list("pk", "programme_id")
    )
    assert linked
    assert {pk for pk, _programme in linked} <= submitted
    # Each nomination sits in one planned course, of its programme.
    assert len(linked) == len({pk for pk, _programme in linked})
    for pc in plan.planned_courses.prefetch_related("nominations"):
        assert all(n.programme_id == pc.programme_id for n in pc.nominations.all())


def test_the_plan_is_partly_carried_out(plan):
    planned = list(plan.planned_courses.select_related("course"))
    linked = [pc for pc in planned if pc.course is not None]
    assert linked
    for pc in linked:
        assert pc.course.programme_id == pc.programme_id
    held = [pc for pc in linked if pc.course.status in plan_vs_actual.HELD]
    assert any(pc.course.status == Course.Status.FINISHED for pc in held)
    assert any(pc.course.status == Course.Status.IN_PROGRESS for pc in held)
    assert [pc for pc in planned if pc.course is None]  # not held (yet)
    # One course made from the plan, its nominees enrolled.
    made = [
        pc for pc in linked if pc.course.starts_on.month == pc.month and pc.nominations.exists()
    ]
    created = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(AnnualPlan),
        object_id=plan.pk,
        action="course_create",
    )
    assert created.count() == 1
    from_plan = next(pc for pc in made if pc.course.code in created.get().summary)
    assert from_plan.course.status == Course.Status.OPEN
    nominees = set(from_plan.nominations.values_list("person_id", flat=True))
    enrolled = set(
        Enrolment.objects.filter(course=from_plan.course).values_list("person_id", flat=True)
    )
    assert nominees == enrolled


def test_plan_against_actual_shows_the_gaps(plan):
    actual = plan_vs_actual.plan_actual(plan=plan)
    assert actual.by_organization and actual.by_programme
    total = actual.total
    assert 0 < total.courses_held < total.courses_planned
    assert 0 < total.spent < total.budget_planned
    assert any(row.held_gap for row in actual.by_programme)
    assert any(row.overspent for row in actual.by_organization)
    # Per course: one over its budget, others under.
    planned = {
        pc.course_id: sum((line.amount for line in pc.budget_lines.all()), Decimal(0))
        for pc in plan.planned_courses.exclude(course=None).prefetch_related("budget_lines")
    }
    spent: dict[int, Decimal] = {}
    for course_id, amount in Expense.objects.values_list("course_id", "amount"):
        spent[course_id] = spent.get(course_id, Decimal(0)) + amount
    assert len(spent) >= 3
    assert any(spent[c] > planned[c] for c in spent)
    assert any(spent[c] < planned[c] for c in spent)
    for course in Course.objects.filter(pk__in=list(spent)):
        assert course.status in plan_vs_actual.HELD


def test_the_plan_document_downloads(client, plan):
    document = Document(io.BytesIO(plan_docx(plan=plan)))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert f"Số {plan.number}" in text
    assert "DỰ THẢO" not in text  # approved
    client.force_login(department())
    response = client.get(reverse("planning:plan_docx", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(DOCX_TYPE)


# --- Next year's round --------------------------------------------------------------------------


def test_next_years_round_is_past_its_deadline_with_late_organizations(counts):
    next_round = NominationRound.objects.get(year=YEAR + 1)
    assert not next_round.is_closed
    assert next_round.deadline == TODAY - dt.timedelta(days=3)
    assert local(next_round.opened_at) < next_round.deadline
    table = nom_selectors.submission_status_table(
        user=department(), nomination_round=next_round, today=TODAY
    )
    assert 0.3 < table.submitted / table.total < 0.7
    assert table.late >= 3
    statuses = [row.status for row in table.rows if row.late]
    assert Submission.Status.DRAFT in statuses and "not_started" in statuses
    assert sum(row.submitted_late for row in table.rows) == 1
    # Submitted on time, bar the one the department reopened.
    for row in table.rows:
        if row.is_submitted and not row.submitted_late:
            assert local(row.submission.submitted_at) <= next_round.deadline
    assert counts["next_year_late"] == table.late


def test_the_officers_organization_was_reminded_and_reopened(counts):
    next_round = NominationRound.objects.get(year=YEAR + 1)
    officer = User.objects.get(username="canbo_coso")
    submission = Submission.objects.get(round=next_round, organization=officer.organization)
    assert submission.status == Submission.Status.REOPENED
    assert submission.reopened_until is not None and submission.reopened_until > TODAY
    state = nom_selectors.submission_state(
        nomination_round=next_round, submission=submission, today=TODAY
    )
    assert state.editable
    actions = list(submission.events.values_list("action", flat=True))
    assert actions == ["reminded", "reopened"]
    assert officer.email.endswith(MAIL_DOMAIN)
    reminded = SubmissionEvent.objects.filter(submission__round=next_round, action="reminded")
    assert reminded.exists()
    assert {local(e.at) for e in reminded} == {next_round.deadline - dt.timedelta(days=4)}
    assert counts["next_year_reopened"] == 2


def test_some_organizations_added_people_by_hand(counts):
    by_hand = Nomination.objects.filter(submission__round__year=YEAR + 1, rule="")
    assert by_hand.count() == counts["next_year_by_hand"] >= 2
    assert all(n.note for n in by_hand)
    assert by_hand.filter(priority=Nomination.Priority.HIGH).exists()
    accepted = Nomination.objects.filter(submission__round__year=YEAR + 1).exclude(rule="")
    assert accepted.count() > by_hand.count()


def test_nothing_is_dated_after_today(counts):
    assert not SubmissionEvent.objects.filter(at__date__gt=TODAY).exists()
    assert not Nomination.objects.filter(created_at__date__gt=TODAY).exists()
    assert not Expense.objects.filter(spent_on__gt=TODAY).exists()
    assert not Submission.objects.filter(submitted_at__date__gt=TODAY).exists()
