"""Attendance pages: the roll call (made for a phone), QR self check-in, the printable sign-in
sheet and the import of its marks, and the attendance matrix of a course."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from llct.core.forms import apply_errors
from llct.core.htmx import render_page, wants_json
from llct.core.permissions import require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.core.types import AuthenticatedHttpRequest
from llct.courses import attendance, marks
from llct.courses.forms import AllPresentForm, MarkForm, MarksUploadForm
from llct.courses.models import Attendance, Session
from llct.courses.qr import qr_data_uri
from llct.courses.roll_call import Saved, Window, roll_call_corrections, roll_call_window
from llct.courses.selectors import course_get
from llct.courses.services.checkin import attendance_check_in, checkin_state


def _attendance_session(request: AuthenticatedHttpRequest, pk: int) -> Session:
    """The session, if the user may take its attendance: 404 outside the scope, 403 for a role
    that may not."""
    session = attendance.session_get(user=request.user, pk=pk)
    require(attendance.may_take_attendance(request.user, session))
    return session


def _filename(session: Session, stem: str, ext: str) -> str:
    return f"{stem}-{slugify(session.course.code)}-{session.date:%Y-%m-%d}-{session.part}.{ext}"


def _checkin_url(request: AuthenticatedHttpRequest, session: Session) -> str:
    return request.build_absolute_uri(reverse("courses:checkin", args=[session.checkin_code]))


# --- Roll call --------------------------------------------------------------------------------


def roll_call(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _attendance_session(request, pk)
    today = timezone.localdate()
    roll = attendance.roll_call(user=request.user, session=session, today=today)
    checkin_url = _checkin_url(request, session)
    return render_page(
        request,
        ROLL_CALL_TEMPLATE,
        {
            **_roll_context(session, roll_call_window(session, today=today)),
            "roll": roll,
            "counts": roll.counts,
            "checkin_url": checkin_url,
            "qr": qr_data_uri(checkin_url, scale=5),
            "window": attendance.checkin_window(session),
            "corrections": roll_call_corrections(session)[:MAX_CORRECTIONS_SHOWN],
        },
    )


MAX_CORRECTIONS_SHOWN = 50
ROLL_CALL_TEMPLATE = "courses/attendance_roll_call.html"


def _roll_context(session: Session, window: Window) -> dict[str, Any]:
    return {"session": session, "statuses": Attendance.Status.choices, "roll_window": window}


def _rate_html(request: AuthenticatedHttpRequest, context: dict[str, Any], row: Any) -> str:
    return render_to_string(f"{ROLL_CALL_TEMPLATE}#rate", {**context, "row": row}, request)


def _refused(
    request: AuthenticatedHttpRequest, pk: int, enrolment_id: int, message: str, status: int
) -> HttpResponse:
    """A mark that was not saved: JSON for the sheet's script, a message and the page back for
    a plain form post."""
    if wants_json(request):
        return JsonResponse({"state": "refused", "message": message}, status=status)
    if getattr(request, "htmx", False):
        return HttpResponse(message, status=status)
    messages.error(request, message)
    anchor = f"#enrolment-{enrolment_id}" if enrolment_id else ""
    return redirect(reverse("courses:roll_call", args=[pk]) + anchor)


@require_POST
def roll_call_mark(request: AuthenticatedHttpRequest, pk: int, enrolment_id: int) -> HttpResponse:
    session = _attendance_session(request, pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        if wants_json(request):
            return _refused(request, pk, enrolment_id, _("Unknown attendance mark."), 400)
        return HttpResponseBadRequest(_("Unknown attendance mark."))
    try:
        row, saved = attendance.roll_call_mark(
            user=request.user,
            session=session,
            enrolment_id=enrolment_id,
            today=timezone.localdate(),
            **form.cleaned_data,
        )
    except ValidationError as error:
        return _refused(request, pk, enrolment_id, " ".join(error.messages), 422)
    return _marked(request, session, row, saved, form.cleaned_data["status"])


def _marked(
    request: AuthenticatedHttpRequest, session: Session, row: Any, saved: Saved, status: str
) -> HttpResponse:
    """The answer to a mark: JSON for the sheet's script (it recounts from its rows), the row
    and the counts (out of band) for htmx, the page back otherwise."""
    context = {**_roll_context(session, saved.window), "row": row, "oob": True}
    if wants_json(request):
        return _mark_json(request, context, row, saved, status)
    if getattr(request, "htmx", False):
        context["counts"] = attendance.roll_call_counts(user=request.user, session=session)
        return HttpResponse(
            render_to_string(f"{ROLL_CALL_TEMPLATE}#row", context, request)
            + render_to_string(f"{ROLL_CALL_TEMPLATE}#counts", context, request)
        )
    if saved.clash:
        name = row.enrolment.person.full_name
        messages.warning(request, f"{name}: {saved.clash_message(status)}")
    anchor = f"#enrolment-{row.enrolment.pk}"
    return redirect(reverse("courses:roll_call", args=[session.pk]) + anchor)


def _mark_json(
    request: AuthenticatedHttpRequest, context: dict[str, Any], row: Any, saved: Any, status: str
) -> JsonResponse:
    return JsonResponse(
        {
            "state": "clash" if saved.clash else "saved",
            "value": saved.status,
            "message": saved.clash_message(status) if saved.clash else "",
            "fragments": {f"rate-{row.enrolment.pk}": _rate_html(request, context, row)},
        },
        status=409 if saved.clash else 200,
    )


@require_POST
def roll_call_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "All present": everyone the officer saw unmarked and still unmarked; the exceptions keep
    their marks."""
    session = _attendance_session(request, pk)
    form = AllPresentForm(request.POST)
    form.is_valid()  # nothing to refuse: unknown ids are left out, the reason is checked below
    today = timezone.localdate()
    try:
        rows = attendance.roll_call_mark_all(
            user=request.user, session=session, today=today, **form.cleaned_data
        )
    except ValidationError as error:
        return _refused(request, pk, 0, " ".join(error.messages), 422)
    if wants_json(request):
        return _all_json(request, session, rows, today)
    present = sum(1 for r in rows if r.status == Attendance.Status.PRESENT)
    messages.success(
        request,
        ngettext("%(n)s learner is marked present.", "%(n)s learners are marked present.", present)
        % {"n": present},
    )
    return redirect("courses:roll_call", pk=pk)


def _all_json(
    request: AuthenticatedHttpRequest, session: Session, rows: list[Any], today: Any
) -> JsonResponse:
    context = _roll_context(session, roll_call_window(session, today=today))
    return JsonResponse(
        {
            "state": "saved",
            "marks": {str(r.enrolment.pk): r.status for r in rows},
            "fragments": {f"rate-{r.enrolment.pk}": _rate_html(request, context, r) for r in rows},
        }
    )


def checkin_qr(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The QR code alone, big, for a projector or a printed poster."""
    session = _attendance_session(request, pk)
    checkin_url = _checkin_url(request, session)
    return render(
        request,
        "courses/attendance_qr.html",
        {
            "session": session,
            "checkin_url": checkin_url,
            "qr": qr_data_uri(checkin_url, scale=12),
            "window": attendance.checkin_window(session),
        },
    )


# --- QR self check-in -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkin(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """GET only shows the session and a button: link previews and prefetchers must not check
    anybody in. The POST checks the signed-in learner in."""
    session = get_object_or_404(
        Session.objects.select_related("course", "topic", "lecturer", "venue"), checkin_code=code
    )
    context: dict[str, Any] = {"session": session, "window": attendance.checkin_window(session)}
    if request.method == "POST":
        context["result"] = attendance_check_in(
            session=session, user=request.user, now=timezone.now()
        )
        return render(request, "courses/checkin_result.html", context)
    context["state"] = checkin_state(session=session, user=request.user, now=timezone.now())
    return render(request, "courses/checkin_confirm.html", context)


# --- Sign-in sheet and its marks --------------------------------------------------------------


def signin_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _attendance_session(request, pk)
    enrolments = attendance.roll_call_enrolments(user=request.user, course=session.course)
    pdf = attendance.signin_sheet_pdf(session=session, enrolments=enrolments)
    response = HttpResponse(pdf, content_type="application/pdf")
    # Inline: it opens in the browser's viewer, one click from printing.
    response["Content-Disposition"] = (
        f'inline; filename="{_filename(session, "phieu-ky-ten", "pdf")}"'
    )
    return response


def marks_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _attendance_session(request, pk)
    enrolments = attendance.roll_call_enrolments(user=request.user, course=session.course)
    content = marks.marks_template_xlsx(session=session, enrolments=enrolments)
    return file_response(
        content, filename=_filename(session, "diem-danh", "xlsx"), content_type=XLSX_TYPE
    )


def _imported(result: marks.MarksImport) -> str:
    if not result.written:
        return _("The file changes no mark: nothing to save.")
    return ngettext(
        "%(n)s attendance mark has been saved.",
        "%(n)s attendance marks have been saved.",
        result.written,
    ) % {"n": result.written}


def marks_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _attendance_session(request, pk)
    form = MarksUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = marks.attendance_import_marks(
                session=session, actor=request.user, today=timezone.localdate(), **form.cleaned_data
            )
        except marks.MarksFileError as error:
            form.add_error("file", str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if result.written or result.unchanged:
                messages.success(request, _imported(result))
                return redirect("courses:roll_call", pk=session.pk)
            if not result.rejected:
                form.add_error("file", _("The file has no learner rows."))
    failed = form.is_bound and (bool(form.errors) or bool(result and result.rejected))
    context = {"session": session, "form": form, "result": result}
    status = 422 if failed else 200
    return render_page(request, "courses/attendance_import.html", context, status=status)


# --- The attendance matrix of a course --------------------------------------------------------


def attendance_matrix(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = course_get(user=request.user, pk=pk)
    require(attendance.is_staff(request.user))
    matrix = attendance.attendance_matrix(
        user=request.user, course=course, today=timezone.localdate()
    )
    return render_page(
        request, "courses/attendance_matrix.html", {"course": course, "matrix": matrix}
    )


urlpatterns: list[URLPattern] = [
    path("buoi-hoc/<int:pk>/diem-danh/", roll_call, name="roll_call"),
    path(
        "buoi-hoc/<int:pk>/diem-danh/<int:enrolment_id>/",
        roll_call_mark,
        name="roll_call_mark",
    ),
    path("buoi-hoc/<int:pk>/diem-danh/co-mat-tat-ca/", roll_call_all, name="roll_call_all"),
    path("buoi-hoc/<int:pk>/ma-qr/", checkin_qr, name="checkin_qr"),
    path("buoi-hoc/<int:pk>/phieu-ky-ten.pdf", signin_sheet, name="signin_sheet"),
    path("buoi-hoc/<int:pk>/mau-diem-danh.xlsx", marks_template, name="marks_template"),
    path("buoi-hoc/<int:pk>/nhap-diem-danh/", marks_import, name="marks_import"),
    path("diem-danh/<str:code>/", checkin, name="checkin"),
    path("<int:pk>/chuyen-can/", attendance_matrix, name="attendance_matrix"),
]
