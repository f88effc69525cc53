"""Annual plan pages: the plan and its planned courses, budget and facility needs, building it
from the nominations, submitting and deciding, the documents, creating courses from the plan,
expenses and the plan set against what happened. Views parse, call the plans package, render or
redirect.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status as _status
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.courses.models import Enrolment
from llct.courses.services.conflicts import ConflictError
from llct.curriculum.models import Programme
from llct.organizations.selectors import organization_choices
from llct.planning import plan_documents
from llct.planning.forms_plans import (
    BudgetLineForm,
    CreateCourseForm,
    DecisionForm,
    ExpenseForm,
    FacilityNeedForm,
    NominationPickForm,
    NormsForm,
    PlanForm,
    PlannedCourseForm,
    ProgrammeFilterForm,
)
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    BudgetNorms,
    Expense,
    FacilityNeed,
    PlanDecision,
    PlannedCourse,
)
from llct.planning.nominations.selectors import nominations_for_year
from llct.planning.plans import actual as plan_vs_actual
from llct.planning.plans import courses as plan_courses
from llct.planning.plans import history as plan_history
from llct.planning.plans import overview as plan_overview
from llct.planning.plans import permissions as plan_permissions
from llct.planning.plans import selectors as plan_selectors
from llct.planning.plans import services as plan_services


def _plan(request: AuthenticatedHttpRequest, pk: int) -> AnnualPlan:
    require(plan_permissions.can_read_plans(request.user))
    return plan_selectors.plan_get(user=request.user, pk=pk)


def _editable_plan(request: AuthenticatedHttpRequest, pk: int) -> AnnualPlan:
    plan = _plan(request, pk)
    require(plan_permissions.can_edit_plan(request.user, plan))
    return plan


def _detail(plan: AnnualPlan, anchor: str = "") -> HttpResponse:
    return redirect(reverse("planning:plan_detail", args=[plan.pk]) + anchor)


# --- Plans ------------------------------------------------------------------------------------


def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(plan_permissions.can_read_plans(user))
    return render_page(
        request,
        "planning/plan_list.html",
        {
            "plans": [
                (plan, plan_selectors.status_label(plan.status))
                for plan in plan_selectors.plan_list(user=user)
            ],
            "can_create": has_capability(user, Capability.EDIT_PLANS),
        },
    )


def _plan_form_page(request: AuthenticatedHttpRequest, plan: AnnualPlan | None) -> HttpResponse:
    organizations = organization_choices(user=request.user)
    initial = plan_selectors.new_plan_initial(today=timezone.localdate()) if plan is None else {}
    form = PlanForm(
        request.POST or None, instance=plan, organizations=organizations, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.plan_data()
        try:
            if plan is None:
                saved = plan_services.plan_create(data=data, actor=request.user)
            else:
                saved = plan_services.plan_update(plan=plan, data=data, actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return _detail(saved)
    context = {"form": form, "plan": plan}
    return render_page(request, "planning/plan_form.html", context, status=_status(form))


def plan_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_PLANS))
    return _plan_form_page(request, None)


def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _plan_form_page(request, _editable_plan(request, pk))


def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    context = plan_overview.plan_page(plan=plan, user=request.user)
    context["is_department"] = has_capability(request.user, Capability.EDIT_PLANS)
    return render_page(request, "planning/plan_detail.html", context)


# --- From the nominations ---------------------------------------------------------------------


def plan_nominations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    editable = plan_permissions.can_edit_plan(request.user, plan)
    free = plan_selectors.nomination_choices(plan=plan, free=True)
    pick = NominationPickForm(request.POST or None, nominations=free)
    if request.method == "POST":
        require(editable)
        if pick.is_valid():
            chosen = list(pick.cleaned_data["nominations"])
            try:
                planned = plan_services.planned_course_from_nominations(
                    plan=plan, nominations=chosen, actor=request.user
                )
            except ValidationError as error:
                _apply_errors(pick, error)
            else:
                _announce_planned(request, planned)
                return redirect("planning:planned_course_edit", pk=planned.pk)
    context = _nominations_context(request, plan) | {"pick": pick, "can_edit": editable}
    template = "planning/plan_nominations.html"
    return render_page(request, template, context, fragment="nominations", status=_status(pick))


def _nominations_context(request: AuthenticatedHttpRequest, plan: AnnualPlan) -> dict[str, Any]:
    filter_form = ProgrammeFilterForm(request.GET or None, programmes=_nominated(plan))
    programme = filter_form.cleaned_data["programme"] if filter_form.is_valid() else None
    context = plan_overview.nominations_page(
        plan=plan,
        programme_id=programme.pk if programme else None,
        chosen=set(request.POST.getlist("nominations")),
    )
    return context | {"filter_form": filter_form, "programme": programme}


def _nominated(plan: AnnualPlan) -> QuerySet[Programme]:
    """The programmes with nominations for the plan's year."""
    ids = nominations_for_year(year=plan.year).values("programme_id")
    return Programme.objects.filter(pk__in=ids).order_by("name")


def _announce_planned(request: AuthenticatedHttpRequest, planned: PlannedCourse) -> None:
    text = _(
        "Planned course “%(name)s” created for %(n)s nominee(s). Complete its"
        " venue, lecturers and month."
    )
    messages.success(request, text % {"name": planned.name, "n": planned.expected_learners})


# --- Planned courses --------------------------------------------------------------------------


def _planned_form(request: AuthenticatedHttpRequest, planned: PlannedCourse) -> PlannedCourseForm:
    """The planned course's form; once saved, with the year's free nominations of its
    programme to link."""
    plan, nominations = planned.plan, None
    if planned.pk:
        nominations = plan_selectors.nomination_choices(
            plan=plan, programme_id=planned.programme_id, free=True, keep=planned.pk
        )
    return PlannedCourseForm(
        request.POST or None,
        instance=planned,
        organizations=organization_choices(user=request.user),
        nominations=nominations,
        initial={} if planned.pk else {"organizer": plan.issuer_id},
    )


def _planned_form_page(request: AuthenticatedHttpRequest, planned: PlannedCourse) -> HttpResponse:
    form = _planned_form(request, planned)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = plan_services.planned_course_save(
                planned=planned,
                data=form.course_data(),
                actor=request.user,
                lecturers=list(data["lecturers"]),
                nominations=list(data["nominations"]) if "nominations" in data else None,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved; the budget lines have been recomputed."))
            announce_merge(request, form)
            return _detail(planned.plan, f"#planned-{saved.pk}")
    context = {"form": form, "plan": planned.plan, "planned": planned if planned.pk else None}
    return render_page(request, "planning/plan_course_form.html", context, status=_status(form))


def planned_course_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    return _planned_form_page(request, PlannedCourse(plan=plan))


def planned_course_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    planned = plan_selectors.planned_course_get(user=request.user, pk=pk)
    require(plan_permissions.can_edit_plan(request.user, planned.plan))
    return _planned_form_page(request, planned)


def planned_course_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    planned = plan_selectors.planned_course_get(user=request.user, pk=pk)
    require(plan_permissions.can_edit_plan(request.user, planned.plan))
    if request.method == "POST":
        plan_services.planned_course_delete(planned=planned, actor=request.user)
        messages.success(request, _("The planned course has been removed."))
        return _detail(planned.plan, "#courses")
    return render_page(request, "planning/plan_course_delete.html", {"planned": planned})


# --- Budget and facilities --------------------------------------------------------------------


@require_POST
def budget_recompute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    changed = plan_services.budget_recompute(plan=plan, actor=request.user)
    messages.success(
        request,
        _("Budget recomputed from the norms: %(n)s line(s) changed.") % {"n": changed}
        if changed
        else _("The budget already follows the norms."),
    )
    return _detail(plan, "#budget")


def budget_adjust(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(BudgetLine.objects.select_related("planned_course", "plan"), pk=pk)
    line.plan = plan = _editable_plan(request, line.plan_id)
    initial = {"amount": line.amount, "adjustment_note": line.adjustment_note}
    form = BudgetLineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan_services.budget_line_adjust(
                line=line, amount=data["amount"], note=data["adjustment_note"], actor=request.user
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return _detail(plan, f"#planned-{line.planned_course_id}")
    context = {"form": form, "line": line, "plan": plan}
    return render_page(request, "planning/budget_adjust.html", context, status=_status(form))


def _facility_form_page(request: AuthenticatedHttpRequest, need: FacilityNeed) -> HttpResponse:
    form = FacilityNeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.facility_save(need=need, data=form.need_data(), actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return _detail(need.plan, "#facilities")
    return render_page(
        request,
        "planning/plan_facility_form.html",
        {"form": form, "plan": need.plan, "need": need if need.pk else None},
        status=_status(form),
    )


def facility_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    return _facility_form_page(request, FacilityNeed(plan=plan))


def _facility(request: AuthenticatedHttpRequest, pk: int) -> FacilityNeed:
    need = get_object_or_404(FacilityNeed, pk=pk)
    need.plan = _editable_plan(request, need.plan_id)
    return need


def facility_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _facility_form_page(request, _facility(request, pk))


def facility_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = _facility(request, pk)
    if request.method == "POST":
        plan_services.facility_delete(need=need, actor=request.user)
        messages.success(request, _("The facility need has been removed."))
        return _detail(need.plan, "#facilities")
    return render_page(request, "planning/plan_facility_delete.html", {"need": need})


def norms_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(plan_permissions.can_read_plans(request.user))
    norms = BudgetNorms.current()
    editable = has_capability(request.user, Capability.EDIT_PLANS)
    initial = {name: getattr(norms, name) for name in plan_services.NORM_FIELDS}
    form = NormsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(editable)
        if form.is_valid():
            try:
                plan_services.norms_update(data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                text = _(
                    "Saved. Plans being drafted keep their amounts until their budget is"
                    " recomputed."
                )
                messages.success(request, text)
                announce_merge(request, form)
                return redirect("planning:norms")
    context = {"form": form, "norms": norms, "can_edit": editable}
    return render_page(request, "planning/norms_form.html", context, status=_status(form))


# --- Workflow ---------------------------------------------------------------------------------


@require_POST
def plan_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require(plan_permissions.can_submit(request.user, plan))
    try:
        version = plan_services.plan_submit(plan=plan, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The plan has been submitted for approval (version %(n)s).") % {"n": version.number},
        )
    return _detail(plan)


def plan_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require(plan_permissions.can_decide(request.user, plan))
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        approve = form.cleaned_data["decision"] == PlanDecision.Decision.APPROVED
        decide = plan_services.plan_approve if approve else plan_services.plan_return
        try:
            decide(plan=plan, actor=request.user, comment=comment)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if approve:
                messages.success(request, _("The plan has been approved."))
            else:
                messages.success(request, _("The plan has been returned with your comments."))
            return _detail(plan)
    page = plan_overview.decision_page(plan=plan)
    context = {"plan": plan, "form": form, **vars(page)}
    return render_page(request, "planning/plan_decide.html", context, status=_status(form))


def plan_version(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _plan(request, pk)
    version, diff = plan_history.version_diff(plan=plan, number=number)
    return render_page(
        request,
        "planning/plan_version.html",
        {
            "plan": plan,
            "version": version,
            "diff": diff,
            "snapshot": plan_history.snapshot_view(version.snapshot),
        },
    )


# --- Documents --------------------------------------------------------------------------------


def plan_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return file_response(
        plan_documents.plan_docx(plan=plan),
        filename=f"ke-hoach-{plan.year}.docx",
        content_type=plan_documents.DOCX_TYPE,
    )


def plan_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return file_response(
        plan_documents.plan_xlsx(plan=plan),
        filename=f"ke-hoach-{plan.year}.xlsx",
        content_type=XLSX_TYPE,
    )


# --- From plan to courses ---------------------------------------------------------------------


def planned_course_to_course(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    planned = plan_selectors.planned_course_get(user=request.user, pk=pk)
    require(has_capability(request.user, Capability.EDIT_PLANS))
    if planned.course_id:
        messages.info(request, _("The course for this planned course has already been created."))
        return redirect("courses:detail", pk=planned.course_id)
    require(plan_permissions.can_create_courses(request.user, planned.plan))
    form = CreateCourseForm(request.POST or None)
    error: ConflictError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            result = plan_courses.planned_course_create_course(
                planned=planned, actor=request.user, **form.cleaned_data
            )
        except ConflictError as refused:
            error = refused
            _apply_errors(form, refused, skip=[c.message for c in refused.conflicts])
        except ValidationError as refused:
            _apply_errors(form, refused)
        else:
            _announce_course(request, result)
            return redirect("courses:detail", pk=result.course.pk)
    context = plan_overview.to_course_page(planned=planned) | {"form": form, "error": error}
    status = 422 if error is not None else _status(form)
    return render_page(request, "planning/plan_course_to_course.html", context, status=status)


def _announce_course(
    request: AuthenticatedHttpRequest, result: plan_courses.CourseFromPlan
) -> None:
    if result.created:
        text = _("Course %(code)s created and %(n)s nominee(s) enrolled.")
        messages.success(request, text % {"code": result.course.code, "n": result.enrolled})
    else:
        messages.info(request, _("The course for this planned course has already been created."))


# --- Expenses ---------------------------------------------------------------------------------


def expense_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = plan_selectors.expense_course_get(user=request.user, pk=pk)
    can_record = has_capability(request.user, Capability.EDIT_PLANS)
    form = ExpenseForm(request.POST or None, initial={"spent_on": timezone.localdate()})
    if request.method == "POST":
        require(can_record)
        if form.is_valid():
            try:
                plan_services.expense_record(
                    course=course, data=form.cleaned_data, actor=request.user
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The expense has been recorded."))
                return redirect("planning:expense_list", pk=course.pk)
    spending = plan_overview.course_spending(course=course)
    context = {"course": course, "form": form, "spending": spending, "can_record": can_record}
    return render_page(request, "planning/expense_list.html", context, status=_status(form))


@require_POST
def expense_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    expense = get_object_or_404(Expense.objects.select_related("course"), pk=pk)
    plan_selectors.expense_course_get(user=user, pk=expense.course_id)
    require(has_capability(user, Capability.EDIT_PLANS))
    plan_services.expense_delete(expense=expense, actor=user)
    messages.success(request, _("The expense has been deleted."))
    return redirect("planning:expense_list", pk=expense.course_id)


# --- Plan against actual ----------------------------------------------------------------------


def plan_actual(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    courses = list(
        plan.planned_courses.select_related("programme", "organizer", "course").order_by(
            "month", "id"
        )
    )
    return render_page(
        request,
        "planning/plan_actual.html",
        {
            "plan": plan,
            "actual": plan_vs_actual.plan_actual(plan=plan),
            "courses": courses,
            "enrolled_status": Enrolment.Status.ENROLLED,
            "is_department": has_capability(request.user, Capability.EDIT_PLANS),
        },
    )


urlpatterns: list[URLPattern] = [
    path("ke-hoach-nam/", plan_list, name="plan_list"),
    path("ke-hoach-nam/them/", plan_create, name="plan_create"),
    path("ke-hoach-nam/<int:pk>/", plan_detail, name="plan_detail"),
    path("ke-hoach-nam/<int:pk>/sua/", plan_edit, name="plan_edit"),
    path("ke-hoach-nam/<int:pk>/de-xuat/", plan_nominations, name="plan_nominations"),
    path("ke-hoach-nam/<int:pk>/lop/them/", planned_course_create, name="planned_course_create"),
    path("ke-hoach-nam/lop/<int:pk>/sua/", planned_course_edit, name="planned_course_edit"),
    path("ke-hoach-nam/lop/<int:pk>/xoa/", planned_course_delete, name="planned_course_delete"),
    path(
        "ke-hoach-nam/lop/<int:pk>/mo-lop/",
        planned_course_to_course,
        name="planned_course_to_course",
    ),
    path("ke-hoach-nam/<int:pk>/kinh-phi/tinh-lai/", budget_recompute, name="budget_recompute"),
    path("ke-hoach-nam/kinh-phi/<int:pk>/dieu-chinh/", budget_adjust, name="budget_adjust"),
    path("ke-hoach-nam/<int:pk>/co-so-vat-chat/them/", facility_create, name="facility_create"),
    path("ke-hoach-nam/co-so-vat-chat/<int:pk>/sua/", facility_edit, name="facility_edit"),
    path("ke-hoach-nam/co-so-vat-chat/<int:pk>/xoa/", facility_delete, name="facility_delete"),
    path("ke-hoach-nam/<int:pk>/trinh-duyet/", plan_submit, name="plan_submit"),
    path("ke-hoach-nam/<int:pk>/phe-duyet/", plan_decide, name="plan_decide"),
    path("ke-hoach-nam/<int:pk>/phien-ban/<int:number>/", plan_version, name="plan_version"),
    path("ke-hoach-nam/<int:pk>/tai-ve.docx", plan_docx, name="plan_docx"),
    path("ke-hoach-nam/<int:pk>/tai-ve.xlsx", plan_xlsx, name="plan_xlsx"),
    path("ke-hoach-nam/<int:pk>/thuc-hien/", plan_actual, name="plan_actual"),
    path("ke-hoach-nam/lop-hoc/<int:pk>/chi-phi/", expense_list, name="expense_list"),
    path("ke-hoach-nam/chi-phi/<int:pk>/xoa/", expense_delete, name="expense_delete"),
    path("dinh-muc/", norms_edit, name="norms"),
]
