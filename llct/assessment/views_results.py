"""Results pages: the courses awaiting results, the grade sheet (typed cell by cell, saved as
you go), its .xlsx template and import, the department's approval, corrections after approval,
the change log of a course, and a person's courses, results and certificates."""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from llct.assessment import records, selectors, services
from llct.assessment.forms import CorrectionForm, GradesUploadForm, ResolutionDateForm
from llct.assessment.grades_import import GradesFileError, grades_import, grades_template_xlsx
from llct.core.capabilities import Capability, has_capability
from llct.core.forms import apply_errors, form_status
from llct.core.htmx import render_page, wants_json
from llct.core.models import User
from llct.core.permissions import require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import canonical
from llct.courses.models import Course
from llct.courses.selectors import course_get
from llct.organizations.selectors import person_get

COURSES_PAGE_SIZE = 25
CHANGES_PAGE_SIZE = 100
SHEET_TEMPLATE = "assessment/results_sheet.html"
_INPUT_NAME = re.compile(r"^(essay_score|test_score)-(\d+)$")


def _entry_course(request: AuthenticatedHttpRequest, pk: int) -> Course:
    """The course, if the user may enter its results: 404 outside their sight, 403 for a role
    or an organization that may not."""
    course = course_get(user=request.user, pk=pk)
    require(selectors.may_enter_results(request.user, course))
    return course


def certificates_url(course: Course) -> str:
    """The course's certificates in the register, where each is revoked or re-issued (another
    module's page: linked when it exists)."""
    try:
        return reverse("assessment:certificate_register") + f"?course={course.pk}"
    except NoReverseMatch:
        return ""


def _message_join(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The courses awaiting results -------------------------------------------------------------


def results_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.ENTER_RESULTS))
    courses = selectors.results_courses(user=user)
    pending = request.GET.get("pending") == "1"
    if pending:
        courses = courses.filter(results_approval__isnull=True)
    page = Paginator(courses, COURSES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "assessment/results_index.html",
        {"page": page, "pending": pending},
    )


# --- The grade sheet --------------------------------------------------------------------------


def _sheet_context(
    request: AuthenticatedHttpRequest, course: Course, sheet: selectors.GradeSheet
) -> dict[str, Any]:
    return {
        "course": course,
        "sheet": sheet,
        "counts": sheet.counts,
        "can_approve": selectors.may_approve_results(request.user),
        "certificates_url": certificates_url(course),
        "all_sessions": course.status == Course.Status.FINISHED,
    }


_WAS_NAME = re.compile(r"^was-(essay_score|test_score)-(\d+)$")


def _parse_sheet(
    post: Any, visible: set[int]
) -> tuple[
    dict[int, dict[str, Decimal | None]], dict[int, dict[str, str]], dict[int, dict[str, str]]
]:
    """Every score input of the posted sheet: the parsed values, what was typed, and the
    refusals, per enrolment and field."""
    values: dict[int, dict[str, Decimal | None]] = {}
    typed: dict[int, dict[str, str]] = {}
    errors: dict[int, dict[str, str]] = {}
    for key, raw in post.items():
        match = _INPUT_NAME.match(key)
        if not match or int(match[2]) not in visible:
            continue
        name, enrolment_id = match[1], int(match[2])
        typed.setdefault(enrolment_id, {})[name] = raw
        try:
            values.setdefault(enrolment_id, {})[name] = services.parse_score(raw)
        except ValidationError as error:
            errors.setdefault(enrolment_id, {})[name] = _message_join(error)
    return values, typed, errors


def _original(raw: object) -> tuple[bool, Decimal | None]:
    """The stored value a cell was shown with, as sent back: (known, value). An unreadable one
    counts as unknown, and the typed value is then written as it is."""
    if not isinstance(raw, str):
        return False, None
    try:
        return True, services.parse_score(raw)
    except ValidationError:
        return False, None


def _parse_originals(post: Any) -> dict[int, dict[str, Decimal | None]]:
    originals: dict[int, dict[str, Decimal | None]] = {}
    for key, raw in post.items():
        match = _WAS_NAME.match(key)
        known, value = _original(raw)
        if match and known:
            originals.setdefault(int(match[2]), {})[match[1]] = value
    return originals


def grade_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The grade sheet. With JavaScript every cell saves itself (grade_cell); this POST saves
    the whole sheet at once, for browsers without it: only the cells changed on this page, and
    it keeps refused values (and values someone else changed meanwhile) in place."""
    course = _entry_course(request, pk)
    today = timezone.localdate()
    typed: dict[int, dict[str, str]] = {}
    errors: dict[int, dict[str, str]] = {}
    if request.method == "POST":
        try:
            typed, errors = _save_sheet(request, course, today)
        except ValidationError as error:
            messages.error(request, _message_join(error))
            return redirect("assessment:grade_sheet", pk=course.pk)
        if not errors:
            messages.success(request, _("Saved."))
            return redirect("assessment:grade_sheet", pk=course.pk)
    sheet = selectors.grade_sheet(
        user=request.user, course=course, today=today, typed=typed, errors=errors
    )
    context = _sheet_context(request, course, sheet)
    return render_page(request, SHEET_TEMPLATE, context, status=422 if errors else 200)


def _save_sheet(
    request: AuthenticatedHttpRequest, course: Course, today: Any
) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, str]]]:
    """Save the cells posted (as typed, refusals and clashes kept per cell): (typed, errors)."""
    enrolments = selectors.sheet_enrolments(user=request.user, course=course)
    values, typed, errors = _parse_sheet(request.POST, set(enrolments.values_list("pk", flat=True)))
    valid = {
        i: {f: v for f, v in scores.items() if f not in errors.get(i, {})}
        for i, scores in values.items()
    }
    saved = services.scores_save(
        course=course,
        changes=valid,
        originals=_parse_originals(request.POST),
        actor=request.user,
        today=today,
    )
    for (enrolment_id, name), clash in saved.clashes.items():
        errors.setdefault(enrolment_id, {})[name] = clash.message(valid[enrolment_id][name])
    return typed, errors


@require_POST
def grade_cell(request: AuthenticatedHttpRequest, pk: int, enrolment_id: int) -> HttpResponse:
    """Save one score as it is typed, against the value the page showed (`original`). The
    sheet's script gets JSON (the state, the stored value, the learner's final score, band and
    verdict); htmx gets the cell and, out of band, those parts and the tally."""
    user = request.user
    course = _entry_course(request, pk)
    enrolment = selectors.sheet_enrolment_get(user=user, course=course, enrolment_id=enrolment_id)
    enrolment.course = course
    columns = selectors.columns_for(course.programme)
    name = next((c.field for c in columns if f"{c.field}-{enrolment.pk}" in request.POST), None)
    if name is None:
        return HttpResponseBadRequest(_("Unknown score."))
    raw = request.POST[f"{name}-{enrolment.pk}"]
    today = timezone.localdate()
    outcome = _save_cell(course, enrolment, name, raw, request.POST.get("original"), user, today)
    if wants_json(request):
        return _cell_json(request, course, enrolment, name, outcome, today)
    if getattr(request, "htmx", False):
        return _cell_html(request, course, enrolment, name, raw, outcome, today)
    if outcome.error:
        messages.error(request, f"{enrolment.person.full_name}: {outcome.error}")
    url = reverse("assessment:grade_sheet", args=[course.pk])
    return redirect(f"{url}#learner-{enrolment.pk}")


def _cell_html(
    request: AuthenticatedHttpRequest,
    course: Course,
    enrolment: Any,
    name: str,
    raw: str,
    outcome: "CellOutcome",
    today: Any,
) -> HttpResponse:
    """The cell and, out of band, the learner's final score, band, verdict and the tally. 200
    even when refused: htmx swaps only successful answers, and the refusal is shown in the
    cell itself (aria-invalid, the message, the value as typed)."""
    errors = {enrolment.pk: {name: outcome.error}} if outcome.error else None
    typed = {enrolment.pk: {name: raw}}
    sheet, row = _sheet_row(request, course, enrolment, today, typed=typed, errors=errors)
    context = {**_sheet_context(request, course, sheet), "row": row, "cell": row.cell(name)}
    html = render_to_string(f"{SHEET_TEMPLATE}#cell", context, request)
    context["oob"] = True
    for part in ("final", "band", "verdict", "summary"):
        html += render_to_string(f"{SHEET_TEMPLATE}#{part}", context, request)
    return HttpResponse(html)


def _sheet_row(
    request: AuthenticatedHttpRequest,
    course: Course,
    enrolment: Any,
    today: Any,
    *,
    typed: dict[int, dict[str, str]] | None = None,
    errors: dict[int, dict[str, str]] | None = None,
) -> tuple[selectors.GradeSheet, selectors.GradeRow]:
    """The sheet as the user sees it, and the learner's row in it."""
    sheet = selectors.grade_sheet(
        user=request.user, course=course, today=today, typed=typed, errors=errors
    )
    return sheet, next(r for r in sheet.rows if r.enrolment.pk == enrolment.pk)


@dataclass(frozen=True)
class CellOutcome:
    state: str  # saved | clash | refused
    stored: Decimal | None = None
    error: str = ""


def _save_cell(
    course: Course,
    enrolment: Any,
    name: str,
    raw: str,
    original: str | None,
    user: User,
    today: Any,
) -> CellOutcome:
    try:
        value = services.parse_score(raw)
        known, seen = _original(original)
        saved = services.scores_save(
            course=course,
            changes={enrolment.pk: {name: value}},
            originals={enrolment.pk: {name: seen}} if known else {},
            actor=user,
            today=today,
        )
    except ValidationError as refused:
        return CellOutcome("refused", error=_message_join(refused))
    clash = saved.clashes.get((enrolment.pk, name))
    if clash is not None:
        return CellOutcome("clash", clash.stored, clash.message(value))
    return CellOutcome("saved", value)


def _cell_json(
    request: AuthenticatedHttpRequest,
    course: Course,
    enrolment: Any,
    name: str,
    outcome: CellOutcome,
    today: Any,
) -> JsonResponse:
    sheet, row = _sheet_row(request, course, enrolment, today)
    context = {**_sheet_context(request, course, sheet), "row": row, "oob": False}
    fragments = {
        f"{part}-{enrolment.pk}": render_to_string(f"{SHEET_TEMPLATE}#{part}", context, request)
        for part in ("final", "band", "verdict")
    }
    stored = outcome.stored if outcome.state != "refused" else row.cell(name).value
    return JsonResponse(
        {
            "state": outcome.state,
            "value": canonical(stored),
            "message": outcome.error,
            "fragments": fragments,
        },
        status={"saved": 200, "clash": 409, "refused": 422}[outcome.state],
    )


def grades_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = _entry_course(request, pk)
    enrolments = selectors.sheet_enrolments(user=request.user, course=course)
    content = grades_template_xlsx(course=course, enrolments=enrolments)
    return file_response(
        content, filename=f"bang-diem-{slugify(course.code)}.xlsx", content_type=XLSX_TYPE
    )


def grades_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = _entry_course(request, pk)
    approval = selectors.approval_of(course)
    form = GradesUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            file, today = form.cleaned_data["file"], timezone.localdate()
            result = grades_import(file=file, course=course, actor=request.user, today=today)
        except GradesFileError as error:
            form.add_error("file", str(error))
        except ValidationError as error:
            form.add_error(None, _message_join(error))
        else:
            if result.scores and not result.rejected:
                return _grades_changed(request, course, result.changed)
            if not result.rejected:
                form.add_error("file", _("The file has no scores to import."))
    failed = form.is_bound and (bool(form.errors) or bool(result and result.rejected))
    context = {"course": course, "form": form, "result": result, "approval": approval}
    return render_page(
        request, "assessment/results_import.html", context, status=422 if failed else 200
    )


def _grades_changed(request: AuthenticatedHttpRequest, course: Course, n: int) -> HttpResponse:
    text = ngettext("%(n)s score has been changed.", "%(n)s scores have been changed.", n)
    messages.success(request, text % {"n": n})
    return redirect("assessment:grade_sheet", pk=course.pk)


# --- Approval and corrections -----------------------------------------------------------------


def results_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    course = course_get(user=user, pk=pk)
    require(selectors.may_approve_results(user))
    today = timezone.localdate()
    errors: list[str] = []
    if request.method == "POST":
        try:
            outcome = services.results_approve(course=course, actor=user, today=today)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _approved(outcome))
            return redirect("assessment:grade_sheet", pk=course.pk)
    sheet = selectors.grade_sheet(user=user, course=course, today=today)
    context = {
        **_sheet_context(request, course, sheet),
        "errors": errors,
        "failing": [r for r in sheet.rows if not r.outcome.passed],
        "finished": course.status == Course.Status.FINISHED,
    }
    status = 422 if errors else 200
    return render_page(request, "assessment/results_approve.html", context, status=status)


def _approved(outcome: services.ApprovalOutcome) -> str:
    text = _("The results have been approved: %(passed)s passed, %(failed)s did not pass.") % {
        "passed": len(outcome.passed),
        "failed": len(outcome.failed),
    }
    if outcome.certificates:
        text += " " + ngettext(
            "%(n)s certificate has been issued.",
            "%(n)s certificates have been issued.",
            len(outcome.certificates),
        ) % {"n": len(outcome.certificates)}
    if outcome.raised:
        text += " " + ngettext(
            "The theory level of %(n)s person has been raised.",
            "The theory level of %(n)s people has been raised.",
            len(outcome.raised),
        ) % {"n": len(outcome.raised)}
    return text


def score_correct(request: AuthenticatedHttpRequest, pk: int, enrolment_id: int) -> HttpResponse:
    user = request.user
    course = _entry_course(request, pk)
    enrolment = selectors.sheet_enrolment_get(user=user, course=course, enrolment_id=enrolment_id)
    enrolment.course = course
    if selectors.approval_of(course) is None:
        messages.info(request, _("The results are not approved yet: enter the score here."))
        return redirect("assessment:grade_sheet", pk=course.pk)
    today = timezone.localdate()
    columns = selectors.columns_for(course.programme)
    form = CorrectionForm(
        request.POST or None, columns=columns, initial={"field": request.GET.get("field", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.score_correct(
                enrolment=enrolment, actor=user, today=today, **form.correction()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            _corrected_messages(request, correction, enrolment.person.full_name)
            url = reverse("assessment:grade_sheet", args=[course.pk])
            return redirect(f"{url}#learner-{enrolment.pk}")
    return _correction_page(request, course, enrolment, form, today)


def _corrected_messages(
    request: AuthenticatedHttpRequest, correction: services.Correction, name: str
) -> None:
    messages.success(request, _("The correction has been saved."))
    if correction.certificate_action == "revoke":
        messages.warning(
            request,
            _(
                "%(name)s no longer passes but holds a certificate of this course: "
                "revoke it on the certificates page."
            )
            % {"name": name},
        )
    elif correction.certificate_action == "issue":
        messages.warning(
            request,
            _("%(name)s now passes and needs a certificate: issue it on the certificates page.")
            % {"name": name},
        )


def _correction_page(
    request: AuthenticatedHttpRequest,
    course: Course,
    enrolment: Any,
    form: CorrectionForm,
    today: Any,
) -> HttpResponse:
    sheet = selectors.grade_sheet(user=request.user, course=course, today=today)
    changes = selectors.course_changes(user=request.user, course=course)
    context = {
        "course": course,
        "row": next(r for r in sheet.rows if r.enrolment.pk == enrolment.pk),
        "form": form,
        "approval": selectors.approval_of(course),
        "changes": selectors.with_labels(
            changes.filter(result__enrolment=enrolment), course.programme
        ),
    }
    status = form_status(form)
    return render_page(request, "assessment/results_correct.html", context, status=status)


def results_changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = _entry_course(request, pk)
    changes = selectors.course_changes(user=request.user, course=course)
    page = Paginator(changes, CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "assessment/results_changes.html",
        {
            "course": course,
            "page": page,
            "changes": selectors.with_labels(page.object_list, course.programme),
            "approval": selectors.approval_of(course),
        },
    )


# --- A person's results -----------------------------------------------------------------------


def person_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A person's courses, results and certificates; an htmx request (the section on the
    person's page) gets the section alone."""
    person = person_get(user=request.user, pk=pk)
    today = timezone.localdate()
    form = ResolutionDateForm(request.GET or None)
    on = form.cleaned_data["on"] if form.is_valid() and form.cleaned_data["on"] else today
    data = records.person_results(person=person, today=today, on=on)
    return render_page(
        request,
        "assessment/person_results.html",
        {
            "person": person,
            "data": data,
            "form": form,
            "today": today,
            "on": on,
        },
        fragment="section",
    )


urlpatterns: list[URLPattern] = [
    path("", results_index, name="results_index"),
    path("lop/<int:pk>/bang-diem/", grade_sheet, name="grade_sheet"),
    path("lop/<int:pk>/bang-diem/<int:enrolment_id>/", grade_cell, name="grade_cell"),
    path("lop/<int:pk>/mau-bang-diem.xlsx", grades_template, name="grades_template"),
    path("lop/<int:pk>/nhap-diem/", grades_upload, name="grades_import"),
    path("lop/<int:pk>/phe-duyet/", results_approve, name="results_approve"),
    path("lop/<int:pk>/dinh-chinh/<int:enrolment_id>/", score_correct, name="score_correct"),
    path("lop/<int:pk>/lich-su-diem/", results_changes, name="results_changes"),
    path("hoc-vien/<int:pk>/", person_results, name="person_results"),
]
