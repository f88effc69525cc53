"""The study record (sổ học tập): one's own, or, for staff, a person's in their scope."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.text import slugify

from llct.core.spreadsheets import file_response
from llct.core.text import fold
from llct.core.types import AuthenticatedHttpRequest
from llct.studies.record import record_pdf, record_person, study_record


def record_page(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    person = record_person(user=request.user, pk=pk)
    record = study_record(person=person, today=timezone.localdate())
    own = request.user.person_id == person.pk
    return render(request, "studies/record.html", {"record": record, "own": own})


def record_download(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    person = record_person(user=request.user, pk=pk)
    record = study_record(person=person, today=timezone.localdate())
    name = f"so-hoc-tap-{slugify(fold(person.full_name))}.pdf"
    response = file_response(record_pdf(record), filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("so-hoc-tap/", record_page, name="record"),
    path("so-hoc-tap/pdf/", record_download, name="record_pdf"),
    path("so-hoc-tap/<int:pk>/", record_page, name="person_record"),
    path("so-hoc-tap/<int:pk>/pdf/", record_download, name="person_record_pdf"),
]
