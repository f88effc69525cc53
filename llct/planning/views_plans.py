"""Annual plan pages: the plan and its planned courses, budget and facility needs, building it
from the nominations, submitting and deciding, the documents, creating courses from the plan,
expenses and the plan set against what happened. Views parse, call the plans package, render or
redirect.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status as _status
from llct.core.htmx import render_page
from llct.core.permissions import is_department, require
from llct.core.spreadsheets import XLSX_TYPE, file_response
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
from llct.planning.plans import budget as plan_budget
from llct.planning.plans import courses as plan_courses
from llct.planning.plans import history as plan_history
from llct.planning.plans import permissions as plan_permissions
from llct.planning.plans import selectors as plan_selectors
from llct.planning.plans import services as plan_services


def _plan(request: HttpRequest, pk: int) -> AnnualPlan:
    require(plan_permissions.can_read_plans(request.user))
    return plan_selectors.plan_get(user=request.user, pk=pk)


def _editable_plan(request: HttpRequest, pk: int) -> AnnualPlan:
    plan = _plan(request, pk)
    require(plan_permissions.can_edit_plan(request.user, plan))
    return plan


def _detail(plan: AnnualPlan, anchor: str = "") -> HttpResponse:
    return redirect(reverse("planning:plan_detail", args=[plan.pk]) + anchor)


# --- Plans ------------------------------------------------------------------------------------


def plan_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(plan_permissions.can_read_plans(user))
    return render_page(
        request,
        "planning/plan_list.html",
        {
            "plans": [
                (plan, plan_selectors.status_label(plan.status))
                for plan in plan_selectors.plan_list(user=user)
            ],
            "can_create": is_department(user),
        },
    )


def _plan_form_page(request: HttpRequest, plan: AnnualPlan | None) -> HttpResponse:
    user: Any = request.user
    initial: dict[str, Any] = {}
    if plan is None:
        year = timezone.localdate().year + 1
        initial = {
            "year": year,
            "title": _("Training and refresher courses in political theory, %(year)s")
            % {"year": year},
        }
    form = PlanForm(
        request.POST or None,
        instance=plan,
        organizations=organization_choices(user=user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if plan is None:
                saved = plan_services.plan_create(data=form.plan_data(), actor=user)
            else:
                saved = plan_services.plan_update(plan=plan, data=form.plan_data(), actor=user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return _detail(saved)
    return render_page(
        request, "planning/plan_form.html", {"form": form, "plan": plan}, status=_status(form)
    )


def plan_create(request: HttpRequest) -> HttpResponse:
    require(is_department(request.user))
    return _plan_form_page(request, None)


def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_form_page(request, _editable_plan(request, pk))


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    plan = _plan(request, pk)
    courses = list(plan_selectors.planned_courses(plan=plan))
    lines = plan_budget.budget_lines(plan=plan)
    needs = list(plan.facility_needs.order_by("id"))
    versions = plan_history.plan_versions(plan=plan)
    editable = plan_permissions.can_edit_plan(user, plan)
    last = versions[-1] if versions else None
    changes = None
    revised = False
    if plan.status == AnnualPlan.Status.RETURNED and last is not None:
        snapshot = plan_history.plan_snapshot(plan=plan)
        revised = plan_history.is_revised(plan=plan, snapshot=snapshot)
        changes = plan_history.snapshot_diff(last.snapshot, snapshot)
    returned_with = None
    if last is not None and hasattr(last, "decision"):
        returned_with = last.decision if last.decision.decision == "returned" else None
    context = {
        "plan": plan,
        "status_label": plan_selectors.status_label(plan.status),
        "courses": courses,
        "budget": plan_budget.budget_by_course(courses, lines),
        "kind_labels": [dict(BudgetLine.Kind.choices)[k] for k in plan_budget.KINDS],
        "totals": plan_budget.plan_totals(lines, needs),
        "needs": needs,
        "versions": versions,
        "timeline": plan_history.plan_timeline(plan=plan, versions=versions),
        "can_edit": editable,
        "can_submit": plan_permissions.can_submit(user, plan),
        "can_decide": plan_permissions.can_decide(user, plan),
        "can_create_courses": plan_permissions.can_create_courses(user, plan),
        "stale": editable
        and plan_budget.budget_is_stale(courses=courses, lines=lines, norms=BudgetNorms.current()),
        "revised": revised,
        "changes": changes,
        "returned_with": returned_with,
        "is_department": is_department(user),
    }
    return render_page(request, "planning/plan_detail.html", context)


# --- From the nominations ---------------------------------------------------------------------


def plan_nominations(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    plan = _plan(request, pk)
    editable = plan_permissions.can_edit_plan(user, plan)
    programmes = Programme.objects.filter(
        pk__in=nominations_for_year(year=plan.year).values("programme_id")
    ).order_by("name")
    filter_form = ProgrammeFilterForm(request.GET or None, programmes=programmes)
    programme = filter_form.cleaned_data["programme"] if filter_form.is_valid() else None
    choices = plan_selectors.nomination_choices(
        plan=plan, programme_id=programme.pk if programme else None
    )
    pick = NominationPickForm(
        request.POST or None,
        nominations=plan_selectors.nomination_choices(plan=plan, free=True),
    )
    if request.method == "POST":
        require(editable)
        if pick.is_valid():
            try:
                planned = plan_services.planned_course_from_nominations(
                    plan=plan, nominations=list(pick.cleaned_data["nominations"]), actor=user
                )
            except ValidationError as error:
                _apply_errors(pick, error)
            else:
                messages.success(
                    request,
                    _(
                        "Planned course “%(name)s” created for %(n)s nominee(s). Complete its"
                        " venue, lecturers and month."
                    )
                    % {"name": planned.name, "n": planned.expected_learners},
                )
                return redirect("planning:planned_course_edit", pk=planned.pk)
    rows = list(choices)
    planned_names = dict(plan.planned_courses.values_list("pk", "name"))
    chosen = set(request.POST.getlist("nominations"))
    return render_page(
        request,
        "planning/plan_nominations.html",
        {
            "plan": plan,
            "summary": plan_selectors.nomination_summary(plan=plan),
            "filter_form": filter_form,
            "programme": programme,
            "rows": [
                (n, planned_names.get(getattr(n, "planned_in", None) or 0), str(n.pk) in chosen)
                for n in rows
            ],
            "pick": pick,
            "can_edit": editable,
        },
        fragment="nominations",
        status=_status(pick),
    )


# --- Planned courses --------------------------------------------------------------------------


def _planned_form_page(request: HttpRequest, planned: PlannedCourse) -> HttpResponse:
    user: Any = request.user
    plan = planned.plan
    nominations = None
    if planned.pk:
        nominations = plan_selectors.nomination_choices(
            plan=plan, programme_id=planned.programme_id, free=True, keep=planned.pk
        )
    form = PlannedCourseForm(
        request.POST or None,
        instance=planned,
        organizations=organization_choices(user=user),
        nominations=nominations,
        initial={} if planned.pk else {"organizer": plan.issuer_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = plan_services.planned_course_save(
                planned=planned,
                data=form.course_data(),
                actor=user,
                lecturers=list(data["lecturers"]),
                nominations=list(data["nominations"]) if "nominations" in data else None,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved; the budget lines have been recomputed."))
            announce_merge(request, form)
            return _detail(plan, f"#planned-{saved.pk}")
    return render_page(
        request,
        "planning/plan_course_form.html",
        {"form": form, "plan": plan, "planned": planned if planned.pk else None},
        status=_status(form),
    )


def planned_course_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    return _planned_form_page(request, PlannedCourse(plan=plan))


def planned_course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    planned = plan_selectors.planned_course_get(user=request.user, pk=pk)
    require(plan_permissions.can_edit_plan(request.user, planned.plan))
    return _planned_form_page(request, planned)


def planned_course_delete(request: HttpRequest, pk: int) -> HttpResponse:
    planned = plan_selectors.planned_course_get(user=request.user, pk=pk)
    require(plan_permissions.can_edit_plan(request.user, planned.plan))
    if request.method == "POST":
        plan_services.planned_course_delete(planned=planned, actor=request.user)
        messages.success(request, _("The planned course has been removed."))
        return _detail(planned.plan, "#courses")
    return render_page(request, "planning/plan_course_delete.html", {"planned": planned})


# --- Budget and facilities --------------------------------------------------------------------


@require_POST
def budget_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    changed = plan_services.budget_recompute(plan=plan, actor=request.user)
    messages.success(
        request,
        _("Budget recomputed from the norms: %(n)s line(s) changed.") % {"n": changed}
        if changed
        else _("The budget already follows the norms."),
    )
    return _detail(plan, "#budget")


def budget_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(BudgetLine.objects.select_related("planned_course", "plan"), pk=pk)
    plan = _editable_plan(request, line.plan_id)
    line.plan = plan
    form = BudgetLineForm(
        request.POST or None,
        initial={"amount": line.amount, "adjustment_note": line.adjustment_note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.budget_line_adjust(
                line=line,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["adjustment_note"],
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return _detail(plan, f"#planned-{line.planned_course_id}")
    return render_page(
        request,
        "planning/budget_adjust.html",
        {"form": form, "line": line, "plan": plan},
        status=_status(form),
    )


def _facility_form_page(request: HttpRequest, need: FacilityNeed) -> HttpResponse:
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


def facility_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    return _facility_form_page(request, FacilityNeed(plan=plan))


def _facility(request: HttpRequest, pk: int) -> FacilityNeed:
    need = get_object_or_404(FacilityNeed, pk=pk)
    need.plan = _editable_plan(request, need.plan_id)
    return need


def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _facility_form_page(request, _facility(request, pk))


def facility_delete(request: HttpRequest, pk: int) -> HttpResponse:
    need = _facility(request, pk)
    if request.method == "POST":
        plan_services.facility_delete(need=need, actor=request.user)
        messages.success(request, _("The facility need has been removed."))
        return _detail(need.plan, "#facilities")
    return render_page(request, "planning/plan_facility_delete.html", {"need": need})


def norms_edit(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(plan_permissions.can_read_plans(user))
    norms = BudgetNorms.current()
    editable = is_department(user)
    form = NormsForm(
        request.POST or None,
        initial={name: getattr(norms, name) for name in plan_services.NORM_FIELDS},
    )
    if request.method == "POST":
        require(editable)
        if form.is_valid():
            try:
                plan_services.norms_update(data=form.cleaned_data, actor=user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Saved. Plans being drafted keep their amounts until their budget is"
                        " recomputed."
                    ),
                )
                announce_merge(request, form)
                return redirect("planning:norms")
    return render_page(
        request,
        "planning/norms_form.html",
        {"form": form, "norms": norms, "can_edit": editable},
        status=_status(form),
    )


# --- Workflow ---------------------------------------------------------------------------------


@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
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


def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require(plan_permissions.can_decide(request.user, plan))
    versions = plan_history.plan_versions(plan=plan)
    current = versions[-1]
    previous = versions[-2] if len(versions) > 1 else None
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == PlanDecision.Decision.APPROVED:
                plan_services.plan_approve(plan=plan, actor=request.user, comment=data["comment"])
                messages.success(request, _("The plan has been approved."))
            else:
                plan_services.plan_return(plan=plan, actor=request.user, comment=data["comment"])
                messages.success(request, _("The plan has been returned with your comments."))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _detail(plan)
    return render_page(
        request,
        "planning/plan_decide.html",
        {
            "plan": plan,
            "form": form,
            "version": current,
            "previous": previous,
            "diff": plan_history.snapshot_diff(previous.snapshot, current.snapshot)
            if previous
            else None,
            "snapshot": plan_history.snapshot_view(current.snapshot),
        },
        status=_status(form),
    )


def plan_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
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


def plan_docx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return file_response(
        plan_documents.plan_docx(plan=plan),
        filename=f"ke-hoach-{plan.year}.docx",
        content_type=plan_documents.DOCX_TYPE,
    )


def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return file_response(
        plan_documents.plan_xlsx(plan=plan),
        filename=f"ke-hoach-{plan.year}.xlsx",
        content_type=XLSX_TYPE,
    )


# --- From plan to courses ---------------------------------------------------------------------


def planned_course_to_course(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    planned = plan_selectors.planned_course_get(user=user, pk=pk)
    plan = planned.plan
    require(is_department(user))
    if planned.course_id:
        messages.info(request, _("The course for this planned course has already been created."))
        return redirect("courses:detail", pk=planned.course_id)
    require(plan_permissions.can_create_courses(user, plan))
    form = CreateCourseForm(request.POST or None)
    error: ConflictError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            result = plan_courses.planned_course_create_course(
                planned=planned,
                actor=user,
                override_reason=form.cleaned_data["override_reason"],
                confirm_warnings=form.cleaned_data["confirm_warnings"],
            )
        except ConflictError as refused:
            error = refused
            _apply_errors(form, refused, skip=[c.message for c in refused.conflicts])
        except ValidationError as refused:
            _apply_errors(form, refused)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Course %(code)s created and %(n)s nominee(s) enrolled.")
                    % {"code": result.course.code, "n": result.enrolled},
                )
            else:
                messages.info(
                    request, _("The course for this planned course has already been created.")
                )
            return redirect("courses:detail", pk=result.course.pk)
    people = [n.person for n in plan_courses.nominees(planned=planned)]
    starts_on, ends_on = plan_courses.course_dates(planned, plan.year)
    return render_page(
        request,
        "planning/plan_course_to_course.html",
        {
            "planned": planned,
            "plan": plan,
            "form": form,
            "error": error,
            "nominees": plan_courses.nominees(planned=planned),
            "warnings": plan_courses.nominee_warnings(planned=planned, people=people),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "capacity": max(planned.expected_learners, len({p.pk for p in people}), 1),
        },
        status=422 if error is not None or (form.is_bound and form.errors) else 200,
    )


# --- Expenses ---------------------------------------------------------------------------------


def expense_list(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    course = plan_selectors.expense_course_get(user=user, pk=pk)
    can_record = is_department(user)
    form = ExpenseForm(request.POST or None, initial={"spent_on": timezone.localdate()})
    if request.method == "POST":
        require(can_record)
        if form.is_valid():
            try:
                plan_services.expense_record(course=course, data=form.cleaned_data, actor=user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The expense has been recorded."))
                return redirect("planning:expense_list", pk=course.pk)
    expenses = plan_selectors.course_expenses(course=course)
    planned_lines = plan_budget.course_planned_lines(course=course)
    kinds = dict(BudgetLine.Kind.choices)
    spent = {
        k: sum((e.amount for e in expenses if e.kind == k), plan_budget.ZERO)
        for k in plan_budget.KINDS
    }
    planned_by_kind = {
        k: sum((li.amount for li in planned_lines if li.kind == k), plan_budget.ZERO)
        for k in plan_budget.KINDS
    }
    comparison = [
        (kinds[k], planned_by_kind[k], spent[k], spent[k] > planned_by_kind[k])
        for k in plan_budget.KINDS
    ]
    total_planned = sum(planned_by_kind.values(), plan_budget.ZERO)
    total_spent = sum(spent.values(), plan_budget.ZERO)
    planned_course = PlannedCourse.objects.filter(course=course).select_related("plan").first()
    return render_page(
        request,
        "planning/expense_list.html",
        {
            "course": course,
            "form": form,
            "expenses": expenses,
            "comparison": comparison,
            "total_planned": total_planned,
            "total_spent": total_spent,
            "overspent": total_spent > total_planned,
            "planned_course": planned_course,
            "can_record": can_record,
        },
        status=_status(form),
    )


@require_POST
def expense_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    expense = get_object_or_404(Expense.objects.select_related("course"), pk=pk)
    plan_selectors.expense_course_get(user=user, pk=expense.course_id)
    require(is_department(user))
    plan_services.expense_delete(expense=expense, actor=user)
    messages.success(request, _("The expense has been deleted."))
    return redirect("planning:expense_list", pk=expense.course_id)


# --- Plan against actual ----------------------------------------------------------------------


def plan_actual(request: HttpRequest, pk: int) -> HttpResponse:
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
            "is_department": is_department(request.user),
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
