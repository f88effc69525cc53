"""The approval workflow: draft → submitted → approved, or returned with comments → revised →
submitted again. Every allowed and forbidden transition, who may take each, frozen versions,
what changed between them, and the timeline."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from llct.core.models import Role
from llct.organizations.tests.factories import make_user
from llct.planning.models import AnnualPlan, PlanDecision, PlanVersion
from llct.planning.plans import history as plan_history
from llct.planning.plans import services as plan_services
from llct.planning.tests.plan_factories import make_plan, make_programme, norms, plan_course

S = AnnualPlan.Status


@pytest.fixture
def programme(db):
    return make_programme("Bồi dưỡng nghiệp vụ công tác đảng")


@pytest.fixture
def plan(world, programme):
    plan = make_plan(world.province, number="131-KH/ĐUK")
    plan_course(plan, programme, world.department, name="Lớp nghiệp vụ khóa 1")
    return plan


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _to(plan, status, world):
    """Bring the plan to a status through the real steps."""
    if status == S.DRAFT:
        return plan
    plan_services.plan_submit(plan=plan, actor=world.department)
    if status == S.RETURNED:
        plan_services.plan_return(plan=plan, actor=world.leader, comment="Bổ sung lớp quý III")
    elif status == S.APPROVED:
        plan_services.plan_approve(plan=plan, actor=world.leader)
    plan.refresh_from_db()
    assert plan.status == status
    return plan


def _revise(plan, world, **changes):
    planned = plan.planned_courses.first()
    plan_services.planned_course_save(
        planned=planned, data=changes or {"expected_learners": 45}, actor=world.department
    )


# --- Allowed transitions ------------------------------------------------------------------------


def test_the_happy_path_with_one_return(world, plan):
    v1 = plan_services.plan_submit(plan=plan, actor=world.department)
    assert (plan.status, v1.number) == (S.SUBMITTED, 1)
    plan_services.plan_return(plan=plan, actor=world.leader, comment="Tăng số học viên")
    assert plan.status == S.RETURNED
    _revise(plan, world)
    v2 = plan_services.plan_submit(plan=plan, actor=world.department)
    assert (plan.status, v2.number) == (S.SUBMITTED, 2)
    decision = plan_services.plan_approve(plan=plan, actor=world.leader, comment="Đồng ý")
    plan.refresh_from_db()
    assert plan.status == S.APPROVED
    assert decision.version == v2
    assert list(PlanDecision.objects.values_list("decision", flat=True).order_by("id")) == [
        "returned",
        "approved",
    ]


# --- Forbidden transitions ----------------------------------------------------------------------

FORBIDDEN = [
    (S.DRAFT, "approve"),
    (S.DRAFT, "return"),
    (S.SUBMITTED, "submit"),
    (S.RETURNED, "approve"),
    (S.RETURNED, "return"),
    (S.APPROVED, "submit"),
    (S.APPROVED, "approve"),
    (S.APPROVED, "return"),
]


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_no_skipping_states(world, plan, status, action):
    _to(plan, status, world)
    with pytest.raises(ValidationError):
        if action == "submit":
            plan_services.plan_submit(plan=plan, actor=world.department)
        elif action == "approve":
            plan_services.plan_approve(plan=plan, actor=world.leader)
        else:
            plan_services.plan_return(plan=plan, actor=world.leader, comment="Sửa lại")
    plan.refresh_from_db()
    assert plan.status == status


def test_a_returned_plan_must_be_revised_before_it_is_submitted_again(world, plan):
    _to(plan, S.RETURNED, world)
    with pytest.raises(ValidationError, match="chỉnh sửa"):
        plan_services.plan_submit(plan=plan, actor=world.department)
    assert plan_history.is_revised(plan=plan) is False
    _revise(plan, world)
    assert plan_history.is_revised(plan=plan) is True
    plan_services.plan_submit(plan=plan, actor=world.department)
    assert plan.status == S.SUBMITTED


def test_an_empty_plan_cannot_be_submitted(world):
    empty = make_plan(world.province, year=2030)
    with pytest.raises(ValidationError, match="ít nhất một lớp"):
        plan_services.plan_submit(plan=empty, actor=world.department)


def test_a_plan_with_a_budget_from_old_norms_cannot_be_submitted(world, plan):
    norms(fee_part_time=650_000)
    with pytest.raises(ValidationError, match="tính lại"):
        plan_services.plan_submit(plan=plan, actor=world.department)
    plan_services.budget_recompute(plan=plan, actor=world.department)
    plan_services.plan_submit(plan=plan, actor=world.department)


# --- Who may act ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "officer_a", "learner"])
def test_only_department_officers_submit(world, plan, who):
    with pytest.raises(PermissionDenied):
        plan_services.plan_submit(plan=plan, actor=getattr(world, who))
    assert not PlanVersion.objects.exists()


@pytest.mark.parametrize("who", ["department", "officer_a", "learner", "superuser"])
def test_only_leaders_approve_or_return(world, plan, who):
    _to(plan, S.SUBMITTED, world)
    actor = (
        make_user("quantri", Role.DEPARTMENT, is_superuser=True)
        if who == "superuser"
        else getattr(world, who)
    )
    with pytest.raises(PermissionDenied):
        plan_services.plan_approve(plan=plan, actor=actor)
    with pytest.raises(PermissionDenied):
        plan_services.plan_return(plan=plan, actor=actor, comment="Không được")
    plan.refresh_from_db()
    assert plan.status == S.SUBMITTED


def test_a_return_needs_a_comment(world, plan):
    _to(plan, S.SUBMITTED, world)
    with pytest.raises(ValidationError) as raised:
        plan_services.plan_return(plan=plan, actor=world.leader, comment="   ")
    assert "comment" in raised.value.message_dict
    plan.refresh_from_db()
    assert plan.status == S.SUBMITTED


def test_the_database_refuses_a_return_without_a_comment(world, plan):
    version = plan_services.plan_submit(plan=plan, actor=world.department)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanDecision.objects.create(version=version, decision="returned", comment="")


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED])
def test_a_submitted_or_approved_plan_cannot_be_changed(world, plan, programme, status):
    _to(plan, status, world)
    planned = plan.planned_courses.first()
    with pytest.raises(ValidationError):
        plan_services.planned_course_save(
            planned=planned, data={"month": 9}, actor=world.department
        )
    with pytest.raises(ValidationError):
        plan_services.plan_update(plan=plan, data={"title": "Khác"}, actor=world.department)
    with pytest.raises(ValidationError):
        plan_services.budget_recompute(plan=plan, actor=world.department)


# --- Versions and their differences --------------------------------------------------------------


def test_each_submission_freezes_a_version(world, plan, programme):
    v1 = plan_services.plan_submit(plan=plan, actor=world.department)
    snapshot = v1.snapshot
    assert snapshot["plan"]["number"] == "131-KH/ĐUK"
    assert [c["name"] for c in snapshot["courses"]] == ["Lớp nghiệp vụ khóa 1"]
    assert {line["kind"] for line in snapshot["budget"]} == {
        "lecturer_fees",
        "materials",
        "venue",
        "other",
    }
    assert snapshot["totals"]["grand"] == sum(line["amount"] for line in snapshot["budget"])
    plan_services.plan_return(plan=plan, actor=world.leader, comment="Sửa")
    _revise(plan, world)
    v1.refresh_from_db()
    assert v1.snapshot == snapshot  # frozen: later edits do not touch it


def test_the_diff_shows_added_removed_and_changed_courses_and_lines(
    world, plan, programme, english
):
    norms(materials_per_learner=100_000)
    plan_services.budget_recompute(plan=plan, actor=world.department)
    _to(plan, S.RETURNED, world)
    first = plan.planned_courses.get()
    plan_services.planned_course_save(
        planned=first, data={"expected_learners": 50, "month": 6}, actor=world.department
    )
    line = first.budget_lines.get(kind="other")
    plan_services.budget_line_adjust(
        line=line, amount=Decimal(1_400_000), note="Khai giảng", actor=world.department
    )
    plan_course(plan, programme, world.department, name="Lớp nghiệp vụ khóa 2", month=9)
    plan_services.plan_submit(plan=plan, actor=world.department)
    _version, diff = plan_history.version_diff(plan=plan, number=2)
    sections = {s.title: s for s in diff.sections}
    courses = sections["Planned courses"]
    assert courses.added == ["Lớp nghiệp vụ khóa 2 (month 9, 30 learners)"]
    assert not courses.removed
    [changed] = courses.changed
    assert changed.label == "Lớp nghiệp vụ khóa 1"
    assert {(c.label, c.old, c.new) for c in changed.changes} == {
        ("Expected learners", "30", "50"),
        ("Month", "3", "6"),
    }
    budget = sections["Budget lines"]
    assert len(budget.added) == 4
    changed_lines = {item.label: item.changes for item in budget.changed}
    materials = changed_lines["Lớp nghiệp vụ khóa 1 — Materials"]
    assert ("Amount", "3.000.000 đ", "5.000.000 đ") in {(c.label, c.old, c.new) for c in materials}
    other = changed_lines["Lớp nghiệp vụ khóa 1 — Other"]
    assert ("Amount", "1.000.000 đ", "1.400.000 đ") in {(c.label, c.old, c.new) for c in other}
    assert ("Reason for adjustment", "—", "Khai giảng") in {(c.label, c.old, c.new) for c in other}
    assert not sections["Totals"].empty


def test_the_diff_shows_a_removed_course(world, plan, programme, english):
    extra = plan_course(plan, programme, world.department, name="Lớp bỏ đi", month=11)
    _to(plan, S.RETURNED, world)
    plan_services.planned_course_delete(planned=extra, actor=world.department)
    plan_services.plan_submit(plan=plan, actor=world.department)
    _version, diff = plan_history.version_diff(plan=plan, number=2)
    sections = {s.title: s for s in diff.sections}
    assert sections["Planned courses"].removed == ["Lớp bỏ đi (month 11, 30 learners)"]
    assert len(sections["Budget lines"].removed) == 4


def test_the_timeline_keeps_every_step(world, plan):
    _to(plan, S.RETURNED, world)
    _revise(plan, world)
    plan_services.plan_submit(plan=plan, actor=world.department)
    plan_services.plan_approve(plan=plan, actor=world.leader, comment="Đồng ý ban hành")
    steps = plan_history.plan_timeline(plan=plan)
    assert [s.action for s in steps] == [
        "created",
        "submitted",
        "returned",
        "revised",
        "submitted",
        "approved",
    ]
    assert steps[2].comment == "Bổ sung lớp quý III"
    assert steps[2].actor == world.leader.display_name
    assert steps[4].version == 2
    assert steps[5].comment == "Đồng ý ban hành"


# --- Pages ---------------------------------------------------------------------------------------


def test_department_submits_from_the_plan_page(client, world, plan):
    client.force_login(world.department)
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).text
    assert "Trình phê duyệt" in page or "Submit for approval" in page
    response = client.post(reverse("planning:plan_submit", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == S.SUBMITTED


def test_leader_cannot_submit_and_department_cannot_decide(client, world, plan):
    client.force_login(world.leader)
    assert client.post(reverse("planning:plan_submit", args=[plan.pk])).status_code == 403
    _to(plan, S.SUBMITTED, world)
    client.force_login(world.department)
    url = reverse("planning:plan_decide", args=[plan.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "approved"}).status_code == 403


def test_leader_returns_with_a_comment_from_the_decision_page(client, world, plan):
    _to(plan, S.SUBMITTED, world)
    client.force_login(world.leader)
    url = reverse("planning:plan_decide", args=[plan.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "returned", "comment": ""})
    assert response.status_code == 422
    plan.refresh_from_db()
    assert plan.status == S.SUBMITTED
    response = client.post(url, {"decision": "returned", "comment": "Thiếu kinh phí tài liệu"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == S.RETURNED
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).text
    assert "Thiếu kinh phí tài liệu" in page


def test_the_decision_page_shows_what_changed_since_the_last_version(client, world, plan):
    _to(plan, S.RETURNED, world)
    _revise(plan, world)
    plan_services.plan_submit(plan=plan, actor=world.department)
    client.force_login(world.leader)
    page = client.get(reverse("planning:plan_decide", args=[plan.pk])).text
    assert "<del>30</del> → <ins>45</ins>" in page


EDIT_PAGES = [
    ("planning:plan_edit", "plan"),
    ("planning:planned_course_create", "plan"),
    ("planning:planned_course_edit", "planned"),
    ("planning:planned_course_delete", "planned"),
    ("planning:facility_create", "plan"),
    ("planning:budget_adjust", "line"),
]


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED])
@pytest.mark.parametrize(("name", "arg"), EDIT_PAGES)
def test_the_approver_cannot_edit_a_plan(client, world, plan, status, name, arg):
    _to(plan, status, world)
    planned = plan.planned_courses.first()
    pk = {"plan": plan.pk, "planned": planned.pk, "line": planned.budget_lines.first().pk}[arg]
    client.force_login(world.leader)
    assert client.get(reverse(name, args=[pk])).status_code == 403
    assert client.post(reverse(name, args=[pk]), {}).status_code == 403


@pytest.mark.parametrize(("name", "arg"), EDIT_PAGES)
def test_department_cannot_edit_a_submitted_plan(client, world, plan, name, arg):
    _to(plan, S.SUBMITTED, world)
    planned = plan.planned_courses.first()
    pk = {"plan": plan.pk, "planned": planned.pk, "line": planned.budget_lines.first().pk}[arg]
    client.force_login(world.department)
    assert client.get(reverse(name, args=[pk])).status_code == 403


def test_version_page_shows_the_frozen_plan(client, world, plan):
    _to(plan, S.APPROVED, world)
    client.force_login(world.leader)
    response = client.get(reverse("planning:plan_version", args=[plan.pk, 1]))
    assert response.status_code == 200
    assert "Lớp nghiệp vụ khóa 1" in response.text
    assert client.get(reverse("planning:plan_version", args=[plan.pk, 7])).status_code == 404
