"""Course surveys and lecturer evaluations: the learner's survey, a lecturer's ratings, the
department's report. Views parse, call llct/assessment/feedback/ (surveys.py, reports.py), and
render or redirect."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from llct.assessment import exports
from llct.assessment.feedback import reports, surveys
from llct.assessment.forms_feedback import FeedbackFilterForm, SurveyForm
from llct.core.forms import apply_errors, form_status
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.core.types import AuthenticatedHttpRequest
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Lecturer

# --- The learner's surveys --------------------------------------------------------------------


@require_GET
def my_surveys(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render_page(
        request,
        "assessment/survey_list.html",
        {
            "pending": surveys.pending_surveys_for(user, today=timezone.localdate()),
            "answered": surveys.answered_surveys_for(user),
            "has_person": bool(user.person_id),
        },
    )


@require_http_methods(["GET", "POST"])
def survey_fill(request: AuthenticatedHttpRequest, course_pk: int) -> HttpResponse:
    enrolment = surveys.survey_enrolment_get(user=request.user, course_pk=course_pk)
    today = timezone.localdate()
    if refusal := surveys.survey_refusal(enrolment=enrolment, today=today):
        answered = bool(getattr(enrolment, "answered", False))
        # Answering twice is a conflict with what exists; the other refusals are not allowed.
        status = (409 if request.method == "POST" else 200) if answered else 403
        return _survey_refused(request, enrolment, refusal, answered=answered, status=status)
    lecturers = surveys.survey_lecturers(course=enrolment.course)
    form = SurveyForm(request.POST or None, lecturers=lecturers)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_submit(enrolment=enrolment, answers=form.answers(), today=today)
        except surveys.SurveyRefused as error:
            return _survey_refused(request, enrolment, error.messages[0], answered=True, status=409)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Thank you: your answers have been recorded, without your name.")
            )
            return redirect("assessment:my_surveys")
    context = {"course": enrolment.course, "form": form}
    return render_page(request, "assessment/survey_form.html", context, status=form_status(form))


def _survey_refused(
    request: AuthenticatedHttpRequest,
    enrolment: Enrolment,
    refusal: str,
    *,
    answered: bool,
    status: int,
) -> HttpResponse:
    context = {"course": enrolment.course, "refusal": refusal, "answered": answered}
    return render_page(request, "assessment/survey_form.html", context, status=status)


# --- A lecturer's ratings ---------------------------------------------------------------------


@require_GET
def lecturer_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lecturer = get_object_or_404(Lecturer, pk=pk)
    require(reports.can_view_lecturer_feedback(request.user, lecturer))
    return render_page(
        request,
        "assessment/feedback_lecturer.html",
        {
            "data": reports.lecturer_feedback(lecturer=lecturer),
            "lecturer": lecturer,
            "can_view_courses": reports.can_view_feedback_report(request.user),
        },
    )


@require_GET
def my_lecturer_feedback(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The nav link of a lecturer: to their own ratings."""
    return redirect("assessment:lecturer_feedback", pk=reports.lecturer_of_user(request.user).pk)


# --- The department's report ------------------------------------------------------------------


def _report_filters(request: AuthenticatedHttpRequest) -> tuple[FeedbackFilterForm, dict[str, Any]]:
    form = FeedbackFilterForm(request.GET or None, years=reports.feedback_years())
    filters: dict[str, Any] = {}
    if form.is_valid():
        programme = form.cleaned_data["programme"]
        filters = {
            "year": form.cleaned_data["year"],
            "programme_id": programme.pk if programme else None,
        }
    return form, filters


@require_GET
def feedback_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(reports.can_view_feedback_report(request.user))
    form, filters = _report_filters(request)
    return render_page(
        request,
        "assessment/feedback_report.html",
        {
            "form": form,
            "report": reports.feedback_report(**filters),
            "query": request.GET.urlencode(),
            "min_answers": reports.MIN_ANSWERS,
        },
        fragment="results",
    )


EXPORTS = ("giang-vien", "lop")


@require_GET
def feedback_report_xlsx(request: AuthenticatedHttpRequest, table: str) -> HttpResponse:
    require(reports.can_view_feedback_report(request.user))
    if table not in EXPORTS:
        raise Http404
    _form, filters = _report_filters(request)
    report = reports.feedback_report(**filters)
    suffix = f"-{filters['year']}" if filters.get("year") else ""
    if table == "giang-vien":
        content, filename = (
            exports.lecturer_ratings_xlsx(report),
            f"danh-gia-giang-vien{suffix}.xlsx",
        )
    else:
        content, filename = exports.course_surveys_xlsx(report), f"khao-sat-lop-hoc{suffix}.xlsx"
    return file_response(content, filename=filename, content_type=XLSX_TYPE)


@require_GET
def course_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(reports.can_view_feedback_report(request.user))
    course = get_object_or_404(Course.objects.select_related("programme", "organizer"), pk=pk)
    with_comments = reports.can_read_comments(request.user)
    return render_page(
        request,
        "assessment/feedback_course.html",
        {
            "data": reports.course_feedback(course=course, with_comments=with_comments),
            "course": course,
            "with_comments": with_comments,
        },
    )


urlpatterns: list[URLPattern] = [
    path("khao-sat/", my_surveys, name="my_surveys"),
    path("khao-sat/lop/<int:course_pk>/", survey_fill, name="survey"),
    path("danh-gia-giang-vien/", feedback_report, name="feedback_report"),
    path(
        "danh-gia-giang-vien/xuat/<slug:table>/",
        feedback_report_xlsx,
        name="feedback_report_xlsx",
    ),
    path("danh-gia-giang-vien/cua-toi/", my_lecturer_feedback, name="my_lecturer_feedback"),
    path("danh-gia-giang-vien/giang-vien/<int:pk>/", lecturer_feedback, name="lecturer_feedback"),
    path("danh-gia-giang-vien/lop/<int:pk>/", course_feedback, name="course_feedback"),
]
