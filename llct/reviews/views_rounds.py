"""Pages of the reporting rounds: the list, opening a round, the status page with reminders,
each report (figures, narrative, submit, return, issue, downloads), the department's template
texts and layouts, document issuers and the register of numbers.

Who may do what: the department opens rounds, returns reports, issues its roll-up and keeps
the settings; organization officers write and submit their organization's report; leaders
read. What lies outside the user's scope answers 404."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.forms import apply_errors, form_status
from llct.core.htmx import render_page
from llct.core.models import User
from llct.core.party_documents import DOCX_TYPE, TemplateError
from llct.core.permissions import require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.reviews import documents, report_documents, rounds
from llct.reviews.forms import (
    IssuerForm,
    ReportForm,
    ReportTemplateForm,
    ReturnForm,
    RoundEditForm,
    RoundForm,
    issuer_initial,
)
from llct.reviews.models import SECTIONS, DocumentIssuer, IssuedNumber, Report, RoundKind


def _today() -> dt.date:
    return timezone.localdate()


def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(rounds.can_see_rounds(user))
    return render_page(
        request,
        "reviews/round_list.html",
        {
            "rounds": rounds.round_list(user=user),
            "my_reports": rounds.my_reports(user=user),
            "is_department": has_capability(user, Capability.MANAGE_REPORTING_ROUNDS),
            "today": _today(),
        },
    )


def round_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_REPORTING_ROUNDS))
    today = _today()
    initial = {
        "kind": RoundKind.HALF_YEAR,
        "period_start": dt.date(today.year, 1, 1),
        "period_end": dt.date(today.year, 6, 30),
    }
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reporting_round = rounds.round_open(**form.cleaned_data, today=today, actor=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The round is open."))
            return redirect("reviews:round_status", pk=reporting_round.pk)
    return render_page(request, "reviews/round_form.html", {"form": form}, status=form_status(form))


def round_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_REPORTING_ROUNDS))
    reporting_round = rounds.round_get(user=user, pk=pk)
    form = RoundEditForm(
        request.POST or None,
        initial={"deadline": reporting_round.deadline, "is_closed": reporting_round.is_closed},
    )
    if request.method == "POST" and form.is_valid():
        rounds.round_update(reporting_round=reporting_round, **form.cleaned_data, actor=user)
        messages.success(request, _("Saved."))
        announce_merge(request, form)
        return redirect("reviews:round_status", pk=pk)
    return render_page(
        request,
        "reviews/round_form.html",
        {"form": form, "round": reporting_round},
        status=form_status(form),
    )


def round_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    reporting_round = rounds.round_get(user=user, pk=pk)
    show = request.GET.get("show", "")
    today = _today()
    table = rounds.status_table(
        user=user,
        reporting_round=reporting_round,
        today=today,
        show=show,
        page=request.GET.get("page") or 1,
    )
    context = {
        "round": reporting_round,
        "table": table,
        "show": show,
        "today": today,
        "is_department": has_capability(user, Capability.MANAGE_REPORTING_ROUNDS),
        "department_report": rounds.department_report(reporting_round)
        if rounds.is_reader_of_all(user)
        else None,
    }
    return render_page(request, "reviews/round_status.html", context, fragment="table")


@require_POST
def round_remind(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_REPORTING_ROUNDS))
    reporting_round = rounds.round_get(user=user, pk=pk)
    wanted = request.POST.get("report", "")
    reports = rounds.pending_reports(
        user=user, reporting_round=reporting_round, pk=int(wanted) if wanted.isdigit() else None
    )
    try:
        result = rounds.reports_remind(
            reporting_round=reporting_round,
            reports=reports,
            link_for=lambda r: request.build_absolute_uri(reverse("reviews:report", args=[r.pk])),
            actor=user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reminders sent: %(n)s.") % {"n": len(result.sent)})
        if result.nobody:
            names = ", ".join(o.name for o in result.nobody)
            messages.warning(request, _("No officer with an email: %(names)s.") % {"names": names})
    return redirect("reviews:round_status", pk=pk)


def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = rounds.report_get(user=user, pk=pk)
    editable = rounds.can_edit(user, report)
    posted = editable and request.method == "POST"
    form = ReportForm(
        request.POST if posted else None,
        initial={name: getattr(report, name) for name in SECTIONS},
    )
    if posted and form.is_valid():
        submit = "submit" in request.POST
        try:
            report = rounds.report_write(
                report=report, sections=form.cleaned_data, submit=submit, actor=user, today=_today()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _report_saved(report, submitted=submit))
            announce_merge(request, form)
            return redirect("reviews:report", pk=report.pk)
    context = _report_context(user, report, form, editable=editable)
    return render_page(request, "reviews/report_detail.html", context, status=form_status(form))


def _report_saved(report: Report, *, submitted: bool) -> str:
    if submitted:
        return _("Submitted as %(number)s.") % {"number": report.number}
    return _("Saved.")


def _report_context(
    user: User, report: Report, form: ReportForm, *, editable: bool
) -> dict[str, Any]:
    figures = report_documents.report_figures(report)
    return {
        "report": report,
        "form": form,
        "editable": editable,
        "can_return": rounds.can_return(user, report),
        "can_issue": report.is_department
        and has_capability(user, Capability.MANAGE_REPORTING_ROUNDS)
        and not report.number,
        "figures": figures,
        "tables": report_documents.tables(figures),
        "events": report.events.select_related("actor"),
        "return_form": ReturnForm(),
        "late": rounds.is_late(report, _today()),
    }


@require_POST
def report_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = rounds.report_get(user=user, pk=pk)
    require(rounds.can_return(user, report))
    form = ReturnForm(request.POST)
    if form.is_valid():
        rounds.report_return(report=report, comment=form.cleaned_data["comment"], actor=user)
        messages.success(
            request, _("The report was returned to %(org)s.") % {"org": report.organization.name}
        )
    else:
        messages.error(request, _("Say what must be corrected."))
    return redirect("reviews:report", pk=pk)


@require_POST
def report_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_REPORTING_ROUNDS))
    report = rounds.report_get(user=user, pk=pk)
    try:
        report = rounds.department_report_issue(report=report, actor=user, today=_today())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Issued as %(number)s.") % {"number": report.number})
    return redirect("reviews:report", pk=pk)


def _filename(report: Report, ext: str) -> str:
    number = report.number.replace("/", "-") if report.number else "du-thao"
    return f"bao-cao-{report.round_id}-{report.organization.code}-{number}.{ext}"


def report_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = rounds.report_get(user=request.user, pk=pk)
    try:
        content = report_documents.report_docx(report=report, today=_today())
    except TemplateError as error:
        messages.error(request, str(error))
        return redirect("reviews:report", pk=pk)
    return file_response(content, filename=_filename(report, "docx"), content_type=DOCX_TYPE)


def report_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = rounds.report_get(user=request.user, pk=pk)
    content = report_documents.report_xlsx(report=report)
    return file_response(content, filename=_filename(report, "xlsx"), content_type=XLSX_TYPE)


# --- Settings: template texts and layouts, issuers, the register of numbers ----------------------


def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_DOCUMENT_SETTINGS))
    templates = [rounds.template_for(kind) for kind in RoundKind.values]
    return render_page(request, "reviews/template_list.html", {"templates": templates})


def template_edit(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.EDIT_DOCUMENT_SETTINGS))
    if kind not in RoundKind.values:
        return redirect("reviews:template_list")
    template = rounds.template_for(kind)
    form = ReportTemplateForm(
        request.POST or None,
        request.FILES or None,
        initial={name: getattr(template, name) for name in SECTIONS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rounds.template_save(template=template, **form.cleaned_data, actor=user)
        except (ValidationError, TemplateError) as error:
            form.add_error("docx", str(error) if isinstance(error, TemplateError) else error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("reviews:template_list")
    context = {"form": form, "template": template, "placeholders": _placeholders()}
    return render_page(request, "reviews/template_form.html", context, status=form_status(form))


def _placeholders() -> list[tuple[str, str]]:
    from llct.core.party_documents import PLACEHOLDERS

    return [("{{" + key + "}}", text) for key, text in PLACEHOLDERS.items()]


def issuer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_DOCUMENT_SETTINGS))
    issuers = DocumentIssuer.objects.select_related("organization")
    numbers = IssuedNumber.objects.select_related(
        "series__issuer__organization", "issued_by"
    ).order_by("-issued_on", "-id")[:50]
    return render_page(
        request, "reviews/issuer_list.html", {"issuers": issuers, "numbers": numbers}
    )


def issuer_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.EDIT_DOCUMENT_SETTINGS))
    issuer = get_object_or_404(DocumentIssuer, pk=pk) if pk else None
    form = IssuerForm(request.POST or None, initial=issuer_initial(issuer))
    if request.method == "POST" and form.is_valid():
        try:
            documents.issuer_save(issuer=issuer, **form.cleaned_data, actor=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("reviews:issuer_list")
    return render_page(
        request,
        "reviews/issuer_form.html",
        {"form": form, "issuer": issuer},
        status=form_status(form),
    )


urlpatterns: list[URLPattern] = [
    path("bao-cao/", round_list, name="rounds"),
    path("bao-cao/mo-dot/", round_open, name="round_open"),
    path("bao-cao/dot/<int:pk>/", round_status, name="round_status"),
    path("bao-cao/dot/<int:pk>/sua/", round_edit, name="round_edit"),
    path("bao-cao/dot/<int:pk>/nhac/", round_remind, name="round_remind"),
    path("bao-cao/<int:pk>/", report_detail, name="report"),
    path("bao-cao/<int:pk>/tra-lai/", report_return, name="report_return"),
    path("bao-cao/<int:pk>/ban-hanh/", report_issue, name="report_issue"),
    path("bao-cao/<int:pk>/bao-cao.docx", report_docx, name="report_docx"),
    path("bao-cao/<int:pk>/bang-so-lieu.xlsx", report_xlsx, name="report_xlsx"),
    path("bao-cao/mau/", template_list, name="template_list"),
    path("bao-cao/mau/<str:kind>/", template_edit, name="template_edit"),
    path("bao-cao/co-quan-ban-hanh/", issuer_list, name="issuer_list"),
    path("bao-cao/co-quan-ban-hanh/them/", issuer_edit, name="issuer_create"),
    path("bao-cao/co-quan-ban-hanh/<int:pk>/", issuer_edit, name="issuer_edit"),
]
