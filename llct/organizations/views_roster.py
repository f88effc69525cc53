"""Roster import pages: upload, preview with every rejected row, commit with a progress bar.

The work runs as tasks (tasks.py); these pages start them and show where they are."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from llct.core.forms import form_status, set_queryset
from llct.core.htmx import render_page
from llct.core.permissions import can_edit_rolls, require
from llct.core.spreadsheets import XLSX_TYPE, WorkbookRefused, file_response, xlsx_check_bounds
from llct.core.types import AuthenticatedHttpRequest
from llct.organizations import selectors, tasks
from llct.organizations.forms import OrganizationChoiceField
from llct.organizations.models import Organization, RosterImport
from llct.organizations.roster import uploads
from llct.organizations.roster.placement import CREATE, ROOT
from llct.organizations.roster.reader import RosterFileError
from llct.organizations.widgets import OrganizationPicker

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RECENT_IMPORTS = 10


class RosterUploadForm(forms.Form):
    organization = OrganizationChoiceField(
        label=gettext_lazy("Import into"),
        queryset=Organization.objects.none(),
        help_text=gettext_lazy(
            "People the file does not place in a sub-organization (no “Đơn vị” or “Chi bộ” "
            "column, or a blank cell) are added to this organization."
        ),
        widget=OrganizationPicker,
    )
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx)"),
        help_text=gettext_lazy(
            "An Excel .xlsx file of at most 20 MB, with a header row such as “Họ và tên”, "
            "“Ngày sinh”, “Số thẻ đảng viên”, “Trình độ LLCT”."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organization", organizations)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _(
                    "Only Excel .xlsx files can be imported. Open the file in Excel, save it as "
                    "“Excel Workbook (.xlsx)” and upload it again."
                )
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 20 MB. Split the roster into several files.")
            )
        # An .xlsx is a zip archive: catch a renamed file before it reaches the worker.
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError(
                _("This file is not a real .xlsx workbook. Save it again in Excel as .xlsx.")
            )
        # Only counted here (one streamed pass, bounded): the parsing is the task's.
        try:
            xlsx_check_bounds(upload)
        except WorkbookRefused as error:
            raise forms.ValidationError(str(error)) from None
        finally:
            upload.seek(0)
        return upload


class PlacementForm(forms.Form):
    placement = forms.ChoiceField(
        choices=[
            (CREATE, gettext_lazy("Create these cells under the organization, then import")),
            (ROOT, gettext_lazy("Put these people in the organization itself")),
        ],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked the list above."),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


def roster_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(can_edit_rolls(request.user))
    user = request.user
    form = RosterUploadForm(
        request.POST or None,
        request.FILES or None,
        organizations=selectors.organization_choices(user=user),
        initial={"organization": user.organization_id},
    )
    if request.method == "POST" and form.is_valid():
        roster_import = uploads.roster_import_create(
            organization=form.cleaned_data["organization"],
            upload=form.cleaned_data["file"],
            user=user,
            today=timezone.localdate(),
            language=translation.get_language(),
        )
        return redirect("organizations:roster_detail", pk=roster_import.pk)
    return render_page(
        request,
        "organizations/roster_upload.html",
        {"form": form, "imports": uploads.roster_import_list(user=user)[:RECENT_IMPORTS]},
        status=form_status(form),
    )


def _progress(roster_import: RosterImport) -> tuple[int, int]:
    if roster_import.status == RosterImport.Status.COMMITTING:
        return tasks.commit_progress(roster_import.pk)
    return roster_import.processed_rows, roster_import.total_rows


def roster_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(can_edit_rolls(request.user))
    roster_import = uploads.roster_import_get(user=request.user, pk=pk)
    done, total = _progress(roster_import)
    status = roster_import.Status
    return render_page(
        request,
        "organizations/roster_import.html",
        {
            "roster_import": roster_import,
            "working": roster_import.status in (status.ANALYSING, status.COMMITTING),
            "done": done,
            "total": total,
            "percent": 100 * done // total if total else 0,
            "can_commit": roster_import.status == status.PREVIEW
            and (roster_import.to_create or roster_import.to_update),
            "placement_form": PlacementForm(),
        },
        fragment="status",
    )


@require_POST
def roster_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(can_edit_rolls(request.user))
    roster_import = uploads.roster_import_get(user=request.user, pk=pk)
    if not uploads.roster_import_commit(
        roster_import=roster_import,
        actor=request.user,
        today=timezone.localdate(),
        language=translation.get_language(),
    ):
        messages.error(request, _("This import cannot be written now."))
    return redirect("organizations:roster_detail", pk=roster_import.pk)


@require_POST
def roster_place(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The officer's answer about cells that do not exist: the preview is made again with it."""
    require(can_edit_rolls(request.user))
    roster_import = uploads.roster_import_get(user=request.user, pk=pk)
    form = PlacementForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    elif not uploads.roster_import_place(
        roster_import=roster_import,
        placement=form.cleaned_data["placement"],
        today=timezone.localdate(),
        language=translation.get_language(),
    ):
        messages.error(request, _("This import can no longer be changed."))
    return redirect("organizations:roster_detail", pk=roster_import.pk)


@require_POST
def roster_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(can_edit_rolls(request.user))
    roster_import = uploads.roster_import_get(user=request.user, pk=pk)
    if uploads.roster_import_cancel(roster_import=roster_import):
        messages.success(request, _("The import has been cancelled; nothing was written."))
        return redirect("organizations:roster_upload")
    messages.error(request, _("This import can no longer be cancelled."))
    return redirect("organizations:roster_detail", pk=roster_import.pk)


def roster_rejected(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(can_edit_rolls(request.user))
    roster_import = uploads.roster_import_get(user=request.user, pk=pk)
    if not roster_import.rejected_rows or not roster_import.file:
        raise Http404
    try:
        content = uploads.roster_rejected_xlsx(roster_import=roster_import)
    except (RosterFileError, FileNotFoundError):
        raise Http404 from None
    return file_response(
        content, filename=f"dong-bi-tu-choi-{roster_import.pk}.xlsx", content_type=XLSX_TYPE
    )
