"""The document library: list and search (signed in or not), a document's page, its files
streamed through an access check, and the department's editing pages."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from llct.core.files import open_stored
from llct.core.forms import apply_errors, form_status, query_without_page
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.portal import documents as docs
from llct.portal import selectors
from llct.portal.cache import public_cache
from llct.portal.forms import DocumentFileForm, DocumentForm, LibraryFilterForm, RelationForm

PAGE_SIZE = 20


@login_not_required
@require_GET
@public_cache
def document_list(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = docs.document_list(
        user=request.user,
        query=filters.get("q") or "",
        kind=filters.get("kind") or "",
        year=filters.get("year"),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "q": "",
        "can_edit": docs.may_edit_library(request.user),
        "portal_categories": list(selectors.categories()),
    }
    return render_page(request, "portal/document_list.html", context, fragment="results")


@login_not_required
@require_GET
@public_cache
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = docs.document_get(user=request.user, pk=pk)
    docs.document_mark_read(user=request.user, document=document)
    context = {
        "document": document,
        "files": document.files.all(),
        "relations": docs.document_relations(user=request.user, document=document),
        "can_edit": docs.may_edit_library(request.user),
        "portal_categories": list(selectors.categories()),
    }
    if context["can_edit"]:
        context["file_form"] = DocumentFileForm()
        context["relation_form"] = RelationForm(
            documents=docs.document_choices(user=request.user).exclude(pk=document.pk)
        )
    return render(request, "portal/document_detail.html", context)


@login_not_required
@require_GET
def document_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """A document's file, only for whoever may see the document (404 otherwise)."""
    item = docs.document_file_get(user=request.user, document_pk=pk, pk=file_pk)
    handle = open_stored(item.file)
    content_type = mimetypes.guess_type(item.original_name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, filename=item.original_name)
    public = item.document.access == "public" and not request.user.is_authenticated
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


def document_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(docs.may_edit_library(request.user))
    form = DocumentForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            document = docs.document_save(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The document is saved. Attach its files."))
            return redirect("portal:document", document.pk)
    return render(request, "portal/document_form.html", {"form": form}, status=form_status(form))


def document_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(docs.may_edit_library(request.user))
    document = docs.document_get(user=request.user, pk=pk)
    form = DocumentForm(request.POST or None, instance=document)
    if form.is_bound and form.is_valid():
        try:
            docs.document_save(document=document, **form.cleaned_data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The document is saved."))
            announce_merge(request, form)
            return redirect("portal:document", document.pk)
    context = {"form": form, "document": document}
    return render(request, "portal/document_form.html", context, status=form_status(form))


@require_POST
def document_file_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(docs.may_edit_library(request.user))
    document = docs.document_get(user=request.user, pk=pk)
    form = DocumentFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            docs.document_file_add(
                document=document, upload=form.cleaned_data["file"], actor=request.user
            )
            messages.success(request, _("The file is attached; its text is searchable."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose a .pdf or .docx file."))
    return redirect("portal:document", document.pk)


@require_POST
def document_relate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(docs.may_edit_library(request.user))
    document = docs.document_get(user=request.user, pk=pk)
    form = RelationForm(request.POST, documents=docs.document_choices(user=request.user))
    if form.is_valid():
        try:
            docs.document_relate(
                source=document,
                target=form.cleaned_data["target"],
                kind=form.cleaned_data["kind"],
                actor=request.user,
            )
            messages.success(request, _("The relation is recorded."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("portal:document", document.pk)


urlpatterns: list[URLPattern] = [
    path("", document_list, name="documents"),
    path("them/", document_create, name="document_create"),
    path("<int:pk>/", document_detail, name="document"),
    path("<int:pk>/sua/", document_edit, name="document_edit"),
    path("<int:pk>/tep/", document_file_add, name="document_file_add"),
    path("<int:pk>/tep/<int:file_pk>/", document_file, name="document_file"),
    path("<int:pk>/lien-ket/", document_relate, name="document_relate"),
]
