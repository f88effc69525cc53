"""Pages of inspection and supervision: the year's programme, each inspection (subjects'
checklist with figures from the data, findings, recommendations, conclusions, the notice as
.docx), recommendations and remedies, the checklists the department keeps, evidence files.

Who may do what: the department plans inspections and keeps checklists; the department and the
inspection team record findings, recommend, conclude and decide on remedies; officers of the
organization that must act report remedies; leaders read. Outside the scope: 404."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.files import open_stored
from llct.core.forms import apply_errors, form_status, query_int
from llct.core.htmx import render_page
from llct.core.party_documents import DOCX_TYPE
from llct.core.permissions import require
from llct.core.spreadsheets import file_response
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.reviews import access, figures, inspection_documents
from llct.reviews import inspections as ins
from llct.reviews.forms import (
    ChecklistForm,
    ChecklistItemForm,
    ConcludeForm,
    DecideForm,
    FindingForm,
    InspectionForm,
    ProgrammeForm,
    RecommendationFilterForm,
    RecommendationForm,
    RemedyForm,
    checklist_initial,
    inspection_initial,
    programme_initial,
)
from llct.reviews.models import ChecklistItem, Evidence, Inspection, Recommendation, Remedy


def _today() -> dt.date:
    return timezone.localdate()


def _files(request: AuthenticatedHttpRequest) -> list[Any]:
    upload = request.FILES.get("file")
    return [upload] if upload else []


# --- The programme and the inspections ----------------------------------------------------------


def programme_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(access.can_see(user) or user.inspection_teams.exists())
    year = query_int(request, "year", default=_today().year, low=1900, high=2999)
    context = {
        "year": year,
        "programmes": ins.programme_list(),
        "programme": ins.programme_for_year(year),
        "inspections": ins.inspection_list(user=user, year=year),
        "overdue": ins.recommendations_overdue(user=user, today=_today())[:10],
        "is_department": has_capability(user, Capability.MANAGE_OVERSIGHT),
        "today": _today(),
    }
    return render_page(request, "reviews/programme.html", context)


def programme_edit(request: AuthenticatedHttpRequest, year: int | None = None) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_OVERSIGHT))
    programme = ins.programme_get(year=year) if year else None
    form = ProgrammeForm(request.POST or None, initial=programme_initial(programme, today=_today()))
    if request.method == "POST" and form.is_valid():
        try:
            programme = ins.programme_save(programme=programme, **form.cleaned_data, actor=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            announce_merge(request, form)
            return redirect(f"{_index_url()}?year={programme.year}")
    return render_page(
        request,
        "reviews/simple_form.html",
        _form_context(form, _("Inspection programme")),
        status=form_status(form),
    )


def _index_url() -> str:
    return reverse("reviews:inspections")


def _form_context(form: Any, title: str, back: str = "") -> dict[str, Any]:
    return {"form": form, "title": title, "back": back or _index_url()}


def _inspection_page(
    request: AuthenticatedHttpRequest, inspection: Inspection | None
) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_OVERSIGHT))
    form = InspectionForm(request.POST or None, initial=inspection_initial(inspection))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = ins.programme_of(data["scheduled_on"])
            inspection = ins.inspection_save(
                inspection=inspection, programme=programme, **data, actor=user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            announce_merge(request, form)
            return redirect("reviews:inspection", pk=inspection.pk)
    return render_page(
        request,
        "reviews/simple_form.html",
        _form_context(form, _("Inspection")),
        status=form_status(form),
    )


def inspection_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _inspection_page(request, None)


def inspection_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_OVERSIGHT))
    return _inspection_page(request, ins.inspection_get(user=request.user, pk=pk))


def inspection_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    inspection = ins.inspection_get(user=user, pk=pk)
    can_record = ins.can_record(user, inspection)
    context = {
        "inspection": inspection,
        "sheet": ins.subject_sheet(inspection),
        "recommendations": inspection.recommendations.select_related("organization"),
        "can_record": can_record and inspection.status != Inspection.Status.CONCLUDED,
        "is_department": has_capability(user, Capability.MANAGE_OVERSIGHT),
        "finding_form": FindingForm(),
        "recommendation_form": RecommendationForm(inspection=inspection) if can_record else None,
        "conclude_form": ConcludeForm(initial={"conclusion": inspection.conclusion}),
        "today": _today(),
    }
    return render_page(request, "reviews/inspection_detail.html", context)


@require_POST
def finding_record(request: AuthenticatedHttpRequest, pk: int, org: int, item: int) -> HttpResponse:
    user = request.user
    inspection = ins.inspection_get(user=user, pk=pk)
    require(ins.can_record(user, inspection))
    organization = get_object_or_404(inspection.subjects.all(), pk=org)
    checklist_item = get_object_or_404(ChecklistItem, pk=item, template=inspection.checklist_id)
    form = FindingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            ins.finding_record(
                inspection=inspection,
                organization=organization,
                item=checklist_item,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                files=_files(request),
                actor=user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Finding recorded."))
    else:
        messages.error(request, _("Choose met or not met."))
    return redirect(f"{_detail_url(pk)}#org-{org}")


def _detail_url(pk: int) -> str:
    return reverse("reviews:inspection", args=[pk])


@require_POST
def recommendation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    inspection = ins.inspection_get(user=user, pk=pk)
    require(ins.can_record(user, inspection))
    form = RecommendationForm(request.POST, inspection=inspection)
    if form.is_valid():
        try:
            ins.recommendation_create(
                inspection=inspection, **form.cleaned_data, today=_today(), actor=user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Recommendation added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{_detail_url(pk)}#recommendations")


@require_POST
def inspection_conclude(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    inspection = ins.inspection_get(user=user, pk=pk)
    require(ins.can_record(user, inspection))
    form = ConcludeForm(request.POST)
    try:
        conclusion = form.data.get("conclusion", "")
        inspection = ins.inspection_conclude(
            inspection=inspection, conclusion=str(conclusion), today=_today(), actor=user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Concluded; notice %(number)s.") % {"number": inspection.number}
        )
    return redirect("reviews:inspection", pk=pk)


def inspection_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inspection = ins.inspection_get(user=request.user, pk=pk)
    content = inspection_documents.conclusion_docx(inspection=inspection, today=_today())
    name = (inspection.number or "du-thao").replace("/", "-")
    return file_response(content, filename=f"ket-luan-{name}.docx", content_type=DOCX_TYPE)


# --- Recommendations and remedies ---------------------------------------------------------------


def recommendation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(access.can_see(user) or user.inspection_teams.exists())
    form = RecommendationFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_valid() else ""
    today = _today()
    context = {
        "form": form,
        "recommendations": ins.recommendation_list(user=user, show=show, today=today),
        "today": today,
    }
    return render_page(request, "reviews/recommendation_list.html", context, fragment="rows")


def recommendation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    recommendation = ins.recommendation_get(user=user, pk=pk)
    can_report = ins.can_report_remedy(user, recommendation)
    form = RemedyForm(request.POST or None, request.FILES or None) if can_report else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            ins.remedy_report(
                recommendation=recommendation,
                text=form.cleaned_data["text"],
                files=_files(request),
                actor=user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Remedy reported; the team will review it."))
            return redirect("reviews:recommendation", pk=pk)
    return _recommendation_page(request, recommendation, form)


def _recommendation_page(
    request: AuthenticatedHttpRequest, recommendation: Recommendation, form: RemedyForm | None
) -> HttpResponse:
    context = {
        "recommendation": recommendation,
        "remedy_form": form,
        "can_decide": ins.can_record(request.user, recommendation.inspection),
        "decide_form": DecideForm(),
        "today": _today(),
    }
    return render_page(
        request, "reviews/recommendation_detail.html", context, status=form_status(form)
    )


@require_POST
def remedy_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    remedy = get_object_or_404(Remedy, pk=pk)
    recommendation = ins.recommendation_get(user=user, pk=remedy.recommendation_id)
    require(ins.can_record(user, recommendation.inspection))
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            ins.remedy_decide(
                remedy=remedy,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
                actor=user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Choose accept or reopen."))
    return redirect("reviews:recommendation", pk=recommendation.pk)


def evidence_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    user = request.user
    evidence = get_object_or_404(Evidence.objects.select_related("finding", "remedy"), pk=pk)
    if evidence.finding is not None:
        ins.inspection_get(user=user, pk=evidence.finding.inspection_id)  # 404 outside scope
    elif evidence.remedy is not None:
        ins.recommendation_get(user=user, pk=evidence.remedy.recommendation_id)
    return FileResponse(open_stored(evidence.file), as_attachment=True, filename=evidence.name)


# --- Checklists ----------------------------------------------------------------------------------


def checklist_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_OVERSIGHT))
    return render_page(request, "reviews/checklist_list.html", {"checklists": ins.checklist_list()})


def checklist_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_OVERSIGHT))
    checklist = ins.checklist_get(pk=pk) if pk else None
    form = ChecklistForm(request.POST or None, initial=checklist_initial(checklist))
    if request.method == "POST" and form.is_valid():
        try:
            checklist = ins.checklist_save(checklist=checklist, **form.cleaned_data, actor=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("reviews:checklist_edit", pk=checklist.pk)
    items = list(checklist.items.all()) if checklist else []
    item_form = ChecklistItemForm(initial={"position": len(items) + 1}) if checklist else None
    context = {
        "form": form,
        "checklist": checklist,
        "items": items,
        "item_form": item_form,
        "indicators": figures.checklist_indicators(),
    }
    return render_page(request, "reviews/checklist_form.html", context, status=form_status(form))


@require_POST
def checklist_item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_OVERSIGHT))
    checklist = ins.checklist_get(pk=pk)
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        try:
            ins.checklist_item_save(item=None, checklist=checklist, **form.cleaned_data, actor=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Write the requirement."))
    return redirect("reviews:checklist_edit", pk=pk)


@require_POST
def checklist_item_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(has_capability(user, Capability.MANAGE_OVERSIGHT))
    item = get_object_or_404(ChecklistItem, pk=pk)
    try:
        ins.checklist_item_delete(item=item, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reviews:checklist_edit", pk=item.template_id)


urlpatterns: list[URLPattern] = [
    path("kiem-tra/", programme_index, name="inspections"),
    path("kiem-tra/chuong-trinh/them/", programme_edit, name="programme_create"),
    path("kiem-tra/chuong-trinh/<int:year>/", programme_edit, name="programme_edit"),
    path("kiem-tra/them/", inspection_create, name="inspection_create"),
    path("kiem-tra/<int:pk>/", inspection_detail, name="inspection"),
    path("kiem-tra/<int:pk>/sua/", inspection_edit, name="inspection_edit"),
    path(
        "kiem-tra/<int:pk>/ket-qua/<int:org>/<int:item>/",
        finding_record,
        name="finding_record",
    ),
    path("kiem-tra/<int:pk>/kien-nghi/", recommendation_add, name="recommendation_add"),
    path("kiem-tra/<int:pk>/ket-luan/", inspection_conclude, name="inspection_conclude"),
    path("kiem-tra/<int:pk>/thong-bao-ket-luan.docx", inspection_docx, name="inspection_docx"),
    path("kiem-tra/kien-nghi/", recommendation_list, name="recommendations"),
    path("kiem-tra/kien-nghi/<int:pk>/", recommendation_detail, name="recommendation"),
    path("kiem-tra/khac-phuc/<int:pk>/danh-gia/", remedy_decide, name="remedy_decide"),
    path("kiem-tra/minh-chung/<int:pk>/", evidence_download, name="evidence"),
    path("kiem-tra/bang-kiem/", checklist_list, name="checklist_list"),
    path("kiem-tra/bang-kiem/them/", checklist_edit, name="checklist_create"),
    path("kiem-tra/bang-kiem/<int:pk>/", checklist_edit, name="checklist_edit"),
    path("kiem-tra/bang-kiem/<int:pk>/muc/", checklist_item_add, name="checklist_item_add"),
    path(
        "kiem-tra/bang-kiem/muc/<int:pk>/xoa/", checklist_item_delete, name="checklist_item_delete"
    ),
]
