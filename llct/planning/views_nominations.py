"""Pages of the nomination round: the "Đề xuất học viên" page, opening and editing a round,
the department's status table and reminders, an organization's submission with its
suggestions (one URL per action, POST-only where it writes), reopening, the province-wide
suggestions job, and the position-requirement setting.

Who may do what: department officers open rounds, remind, reopen, run the province-wide job and
keep the requirement table; organization officers nominate for the grassroots organizations of
their subtree; leaders read. Organizations outside the user's scope answer 404.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.files import open_stored
from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status as _status
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.organizations.models import Organization
from llct.planning.forms_nominations import (
    AcceptForm,
    AddForm,
    NominationsForm,
    ProvinceForm,
    RemindForm,
    ReopenForm,
    RequirementForm,
    RoundForm,
    SearchForm,
    StatusFilterForm,
)
from llct.planning.models import NominationRound, PositionRequirement
from llct.planning.nominations import permissions as nom_permissions
from llct.planning.nominations import province as nom_province
from llct.planning.nominations import reminders as nom_reminders
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.nominations import services as nom_services
from llct.planning.nominations import suggestions as nom_suggestions
from llct.planning.nominations.reminders import ReminderResult

SUGGESTIONS_PAGE_SIZE = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> dt.date:
    return timezone.localdate()


# --- The "Đề xuất học viên" page -----------------------------------------------------------


def nominations_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(nom_permissions.can_see_rounds(user))
    today = _today()
    cards = [
        (r, nom_selectors.submission_status_table(user=user, nomination_round=r, today=today))
        for r in nom_selectors.open_rounds()
    ]
    context = {
        "cards": cards,
        "rounds": nom_selectors.round_list(user=user),
        "is_department": has_capability(user, Capability.MANAGE_NOMINATION_ROUNDS),
        "today": today,
        "province_form": ProvinceForm(initial={"year": today.year + 1}),
    }
    return render_page(request, "planning/round_list.html", context)


def _round_page(
    request: AuthenticatedHttpRequest, form: RoundForm, nomination_round: NominationRound | None
) -> HttpResponse:
    context = {"form": form, "round": nomination_round}
    return render_page(request, "planning/round_form.html", context, status=_status(form))


def round_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS))
    form = RoundForm(request.POST or None, initial={"year": _today().year + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = nom_services.round_open(
                year=data["year"],
                deadline=data["deadline"],
                programmes=list(data["programmes"]),
                instructions=data["instructions"],
                actor=request.user,
                today=_today(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            text = _("The nomination round for %(year)s is open.") % {"year": created.year}
            messages.success(request, text)
            return redirect("planning:round_status", pk=created.pk)
    return _round_page(request, form, None)


def round_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS))
    nomination_round = nom_selectors.round_get(user=request.user, pk=pk)
    initial = nom_selectors.round_initial(nomination_round)
    form = RoundForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nom_services.round_update(
                nomination_round=nomination_round,
                deadline=data["deadline"],
                programmes=list(data["programmes"]),
                instructions=data["instructions"],
                is_closed=data["is_closed"],
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("planning:round_status", pk=nomination_round.pk)
    return _round_page(request, form, nomination_round)


# --- The department's status table ----------------------------------------------------------


def round_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(nom_permissions.can_see_rounds(user))
    nomination_round = nom_selectors.round_get(user=user, pk=pk)
    form = StatusFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_valid() else ""
    table = nom_selectors.submission_status_table(
        user=user, nomination_round=nomination_round, today=_today(), show=show
    )
    context = {
        "round": nomination_round,
        "table": table,
        "form": form,
        "show": show,
        "today": _today(),
        "is_department": has_capability(user, Capability.MANAGE_NOMINATION_ROUNDS),
    }
    return render_page(request, "planning/round_status.html", context, fragment="table")


@require_POST
def round_remind(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS))
    nomination_round = nom_selectors.round_get(user=request.user, pk=pk)
    form = RemindForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    try:
        result = nom_reminders.submissions_remind(
            nomination_round=nomination_round,
            organizations=form.chosen(nom_selectors.grassroots_in_scope(user=request.user)),
            link_for=lambda o: request.build_absolute_uri(
                reverse("planning:submission", args=[nomination_round.pk, o.pk])
            ),
            actor=request.user,
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("planning:round_status", pk=nomination_round.pk)
    _announce_reminders(request, result, named=bool(form.cleaned_data["organization"]))
    back = reverse("planning:round_status", args=[nomination_round.pk])
    show = form.cleaned_data["show"]
    return redirect(f"{back}?show={show}" if show else back)


def _announce_reminders(
    request: AuthenticatedHttpRequest, result: ReminderResult, *, named: bool
) -> None:
    if result.sent:
        n = len(result.sent)
        text = ngettext(
            "Reminder sent to %(n)s organization.", "Reminders sent to %(n)s organizations.", n
        )
        messages.success(request, text % {"n": n})
    if result.without_email:
        names = ", ".join(f"{u.display_name} ({u.username})" for u in result.without_email)
        text = _("These officers have no email address and were not reminded: %(names)s.")
        messages.warning(request, text % {"names": names})
    if result.nobody:
        names = ", ".join(o.name for o in result.nobody)
        text = _("Nobody could be reminded at %(names)s: no officer there has an email address.")
        messages.error(request, text % {"names": names})
    if result.already_submitted and named:
        names = ", ".join(o.name for o in result.already_submitted)
        messages.info(request, _("Already submitted, not reminded: %(names)s.") % {"names": names})


# --- An organization's submission -------------------------------------------------------------


def _submission_page(
    request: AuthenticatedHttpRequest,
    nomination_round: NominationRound,
    organization: Organization,
    *,
    add_form: AddForm | None = None,
    nominations_form: NominationsForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The submission page; after a refused action, with the refused form and its errors."""
    today = _today()
    context = nom_selectors.submission_overview(
        nomination_round=nomination_round, organization=organization, today=today
    )
    context |= _suggestions_context(request, nomination_round, organization, today)
    context |= _search_context(request, organization, context["nominations"])
    context |= _submission_actions(request, organization, context["state"].editable, today)
    context |= {
        "nominations_form": nominations_form or NominationsForm(nominations=context["nominations"]),
        "add_form": add_form or AddForm(programmes=nomination_round.programmes.all()),
        "errors": errors or [],
    }
    template = "planning/submission_detail.html"
    return render_page(request, template, context, fragment="search", status=status)


def _submission_actions(
    request: AuthenticatedHttpRequest, organization: Organization, editable: bool, today: dt.date
) -> dict[str, Any]:
    """What the user may do on the page; the department's form to reopen the submission."""
    can_act = nom_permissions.can_nominate(request.user, organization)
    return {
        "can_edit": can_act and editable,
        "can_act": can_act,
        "is_department": has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS),
        "reopen_form": ReopenForm(initial={"reopened_until": today + dt.timedelta(days=7)}),
    }


def _suggestions_context(
    request: AuthenticatedHttpRequest,
    nomination_round: NominationRound,
    organization: Organization,
    today: dt.date,
) -> dict[str, Any]:
    suggestions = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=organization, today=today
    )
    # A page of the table: a grassroots organization of ten thousand people may have thousands
    # of suggestions, and one page of rows is what a person reads.
    page = Paginator(suggestions.items, SUGGESTIONS_PAGE_SIZE).get_page(request.GET.get("goi-y"))
    return {
        "suggestions": suggestions,
        "urgent_count": len(suggestions.urgent),
        "suggestion_page": page,
    }


def _search_context(
    request: AuthenticatedHttpRequest, organization: Organization, nominations: list[Any]
) -> dict[str, Any]:
    # After a refused "add", search again for what the officer had searched.
    search = SearchForm(request.GET or None if request.method == "GET" else request.POST)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    return {
        "q": q,
        "found": nom_selectors.person_search(organization=organization, q=q) if q else [],
        "nominated_people": {n.person_id for n in nominations},
    }


def _submission_of(
    request: AuthenticatedHttpRequest, pk: int, org: int
) -> tuple[NominationRound, Organization]:
    require(nom_permissions.can_see_rounds(request.user))
    nomination_round = nom_selectors.round_get(user=request.user, pk=pk)
    return nomination_round, nom_selectors.grassroots_get(user=request.user, pk=org)


def _acting(request: AuthenticatedHttpRequest, pk: int, org: int) -> dict[str, Any]:
    """The keyword arguments every submission service takes, for someone who may nominate."""
    nomination_round, organization = _submission_of(request, pk, org)
    require(nom_permissions.can_nominate(request.user, organization))
    return {
        "nomination_round": nomination_round,
        "organization": organization,
        "actor": request.user,
        "today": _today(),
    }


def _refused(request: AuthenticatedHttpRequest, common: dict[str, Any], error: Any) -> HttpResponse:
    return _submission_page(
        request,
        common["nomination_round"],
        common["organization"],
        errors=error.messages,
        status=422,
    )


def _back(common: dict[str, Any]) -> HttpResponse:
    return redirect(
        "planning:submission", pk=common["nomination_round"].pk, org=common["organization"].pk
    )


def submission_detail(request: AuthenticatedHttpRequest, pk: int, org: int) -> HttpResponse:
    nomination_round, organization = _submission_of(request, pk, org)
    return _submission_page(request, nomination_round, organization)


@require_POST
def suggestions_accept(request: AuthenticatedHttpRequest, pk: int, org: int) -> HttpResponse:
    """Accept the ticked suggestions."""
    common = _acting(request, pk, org)
    form = AcceptForm(request.POST)
    keys = form.cleaned_data["accept"] if form.is_valid() else []
    try:
        created = nom_services.nominations_accept(keys=keys, **common)
    except ValidationError as error:
        return _refused(request, common, error)
    _added(request, len(created))
    return _back(common)


@require_POST
def suggestions_accept_urgent(request: AuthenticatedHttpRequest, pk: int, org: int) -> HttpResponse:
    """Accept every urgent suggestion."""
    common = _acting(request, pk, org)
    try:
        created = nom_services.nominations_accept(all_urgent=True, **common)
    except ValidationError as error:
        return _refused(request, common, error)
    _added(request, len(created))
    return _back(common)


def _added(request: AuthenticatedHttpRequest, n: int) -> None:
    text = ngettext("%(n)s person added to the list.", "%(n)s people added to the list.", n)
    messages.success(request, text % {"n": n})


@require_POST
def nomination_add(request: AuthenticatedHttpRequest, pk: int, org: int) -> HttpResponse:
    common = _acting(request, pk, org)
    form = AddForm(request.POST, programmes=common["nomination_round"].programmes.all())
    if form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("programme", "priority", "quarter", "note")}
        try:
            nomination = nom_services.nomination_add(person_id=data["person"], **fields, **common)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            name = nomination.person.full_name
            messages.success(request, _("%(name)s added to the list.") % {"name": name})
            return _back(common)
    return _submission_page(
        request, common["nomination_round"], common["organization"], add_form=form, status=422
    )


@require_POST
def nominations_save(request: AuthenticatedHttpRequest, pk: int, org: int) -> HttpResponse:
    """Priorities, preferred quarters and notes of the list."""
    common = _acting(request, pk, org)
    submission = nom_selectors.submission_find(
        nomination_round=common["nomination_round"], organization=common["organization"]
    )
    form = NominationsForm(
        request.POST, nominations=nom_selectors.submission_nominations(submission)
    )
    if not form.is_valid():
        return _submission_page(
            request, common["nomination_round"], common["organization"], nominations_form=form,
            status=422,
        )  # fmt: skip
    try:
        changed = nom_services.nominations_update(changes=form.changes(), **common)
    except ValidationError as error:
        return _refused(request, common, error)
    text = ngettext("%(n)s nomination changed.", "%(n)s nominations changed.", changed)
    messages.success(request, text % {"n": changed})
    announce_merge(request, form)
    return _back(common)


@require_POST
def nomination_remove(
    request: AuthenticatedHttpRequest, pk: int, org: int, nomination: int
) -> HttpResponse:
    common = _acting(request, pk, org)
    try:
        nom_services.nomination_remove(nomination_id=nomination, **common)
    except ValidationError as error:
        return _refused(request, common, error)
    messages.success(request, _("Removed from the list."))
    return _back(common)


@require_POST
def submission_submit(request: AuthenticatedHttpRequest, pk: int, org: int) -> HttpResponse:
    common = _acting(request, pk, org)
    try:
        nom_services.submission_submit(**common)
    except ValidationError as error:
        return _refused(request, common, error)
    messages.success(request, _("Submitted to the department."))
    return _back(common)


@require_POST
def submission_take_back(request: AuthenticatedHttpRequest, pk: int, org: int) -> HttpResponse:
    common = _acting(request, pk, org)
    try:
        nom_services.submission_take_back(**common)
    except ValidationError as error:
        return _refused(request, common, error)
    messages.success(request, _("Taken back: make your changes, then submit again."))
    return _back(common)


def submission_reopen(request: AuthenticatedHttpRequest, pk: int, org: int) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS))
    nomination_round, organization = _submission_of(request, pk, org)
    week = _today() + dt.timedelta(days=7)
    form = ReopenForm(request.POST or None, initial={"reopened_until": week})
    if request.method == "POST" and form.is_valid():
        until = form.cleaned_data["reopened_until"]
        try:
            nom_services.submission_reopen(
                nomination_round=nomination_round,
                organization=organization,
                until=until,
                note=form.cleaned_data["note"],
                actor=request.user,
                today=_today(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Reopened until %(date)s.") % {"date": f"{until:%d/%m/%Y}"})
            return redirect("planning:submission", pk=nomination_round.pk, org=organization.pk)
    context = {"round": nomination_round, "organization": organization, "form": form}
    return render_page(request, "planning/submission_reopen.html", context, status=_status(form))


# --- The whole province's suggestions, as a task ------------------------------------------------


@require_POST
def province_suggestions_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(nom_province.can_export_province(request.user))
    form = ProvinceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    export = nom_province.province_export_start(
        user=request.user,
        year=form.cleaned_data["year"],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return redirect("planning:province_suggestions", pk=export.pk)


def province_suggestions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    export = nom_province.province_export_get(user=request.user, pk=pk)
    context = {
        "export": export,
        "working": export.working,
        "steps": nom_suggestions.RULE_STEPS + 1,
    }
    return render_page(request, "planning/province_suggestions.html", context, fragment="status")


def province_suggestions_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    export = nom_province.province_export_get(user=request.user, pk=pk)
    if export.status != export.Status.DONE or not export.file:
        raise Http404
    return FileResponse(
        open_stored(export.file),
        as_attachment=True,
        filename=f"de-xuat-toan-tinh-{export.year}.xlsx",
        content_type=XLSX_TYPE,
    )


# --- Position requirements ---------------------------------------------------------------------


def requirement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(nom_permissions.can_see_rounds(request.user))
    context = {
        "requirements": nom_selectors.requirement_list(),
        "is_department": has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS),
    }
    return render_page(request, "planning/requirement_list.html", context)


def _requirement_form_page(
    request: AuthenticatedHttpRequest, requirement: PositionRequirement | None
) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS))
    form = RequirementForm(request.POST or None, instance=requirement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("position", "required_level", "programme")}
        try:
            nom_services.requirement_save(requirement=requirement, actor=request.user, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("planning:requirement_list")
    context = {"form": form, "requirement": requirement}
    return render_page(request, "planning/requirement_form.html", context, status=_status(form))


def requirement_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _requirement_form_page(request, None)


def requirement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS))
    return _requirement_form_page(request, get_object_or_404(PositionRequirement, pk=pk))


def requirement_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(has_capability(request.user, Capability.MANAGE_NOMINATION_ROUNDS))
    requirement = get_object_or_404(PositionRequirement, pk=pk)
    if request.method == "POST":
        nom_services.requirement_delete(requirement=requirement, actor=request.user)
        messages.success(request, _("Deleted %(position)s.") % {"position": requirement.position})
        return redirect("planning:requirement_list")
    return render_page(request, "planning/requirement_delete.html", {"requirement": requirement})


SUBMISSION = "de-xuat/<int:pk>/to-chuc/<int:org>/"

urlpatterns: list[URLPattern] = [
    path("de-xuat/", nominations_home, name="nominations"),
    path("de-xuat/mo-dot/", round_create, name="round_create"),
    path("de-xuat/<int:pk>/", round_status, name="round_status"),
    path("de-xuat/<int:pk>/sua/", round_edit, name="round_edit"),
    path("de-xuat/<int:pk>/nhac/", round_remind, name="round_remind"),
    path(SUBMISSION, submission_detail, name="submission"),
    path(f"{SUBMISSION}nhan/", suggestions_accept, name="suggestions_accept"),
    path(f"{SUBMISSION}nhan-khan/", suggestions_accept_urgent, name="suggestions_accept_urgent"),
    path(f"{SUBMISSION}them/", nomination_add, name="nomination_add"),
    path(f"{SUBMISSION}luu/", nominations_save, name="nominations_save"),
    path(f"{SUBMISSION}bo/<int:nomination>/", nomination_remove, name="nomination_remove"),
    path(f"{SUBMISSION}nop/", submission_submit, name="submission_submit"),
    path(f"{SUBMISSION}rut-lai/", submission_take_back, name="submission_take_back"),
    path(f"{SUBMISSION}mo-lai/", submission_reopen, name="submission_reopen"),
    path("de-xuat/toan-tinh/", province_suggestions_start, name="province_suggestions_start"),
    path("de-xuat/toan-tinh/<int:pk>/", province_suggestions, name="province_suggestions"),
    path(
        "de-xuat/toan-tinh/<int:pk>/tai-ve.xlsx",
        province_suggestions_download,
        name="province_suggestions_download",
    ),
    path("yeu-cau-chuc-danh/", requirement_list, name="requirement_list"),
    path("yeu-cau-chuc-danh/them/", requirement_create, name="requirement_create"),
    path("yeu-cau-chuc-danh/<int:pk>/sua/", requirement_edit, name="requirement_edit"),
    path("yeu-cau-chuc-danh/<int:pk>/xoa/", requirement_delete, name="requirement_delete"),
]
