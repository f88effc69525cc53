"""Pages of the nomination round: the "Đề xuất học viên" page, opening and editing a round,
the department's status table and reminders, an organization's submission with its
suggestions, reopening, and the position-requirement setting.

Who may do what: department officers open rounds, remind, reopen and keep the requirement
table; organization officers nominate for the grassroots organizations of their subtree;
leaders read. Organizations outside the user's scope answer 404.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status as _status
from llct.core.htmx import render_page
from llct.core.permissions import is_department, require
from llct.core.versions import announce_merge
from llct.organizations.models import Organization
from llct.planning.forms_nominations import (
    AcceptForm,
    AddForm,
    NominationsForm,
    ReopenForm,
    RequirementForm,
    RoundForm,
    SearchForm,
    StatusFilterForm,
)
from llct.planning.models import NominationRound, PositionRequirement
from llct.planning.nominations import permissions as nom_permissions
from llct.planning.nominations import reminders as nom_reminders
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.nominations import services as nom_services
from llct.planning.nominations import suggestions as nom_suggestions

SUGGESTIONS_PAGE_SIZE = 100


def _today() -> dt.date:
    return timezone.localdate()


# --- The "Đề xuất học viên" page -----------------------------------------------------------


def nominations_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(nom_permissions.can_see_rounds(user))
    today = _today()
    cards = [
        (r, nom_selectors.submission_status_table(user=user, nomination_round=r, today=today))
        for r in nom_selectors.open_rounds()
    ]
    return render_page(
        request,
        "planning/round_list.html",
        {
            "cards": cards,
            "rounds": nom_selectors.round_list(user=user),
            "is_department": is_department(user),
            "today": today,
        },
    )


def _round_form_page(
    request: HttpRequest, nomination_round: NominationRound | None
) -> HttpResponse:
    user: Any = request.user
    require(is_department(user))
    today = _today()
    editing = nomination_round is not None
    initial: dict[str, Any] = {"year": today.year + 1}
    if nomination_round is not None:
        initial = {
            "year": nomination_round.year,
            "deadline": nomination_round.deadline,
            "programmes": list(nomination_round.programmes.all()),
            "instructions": nomination_round.instructions,
            "is_closed": nomination_round.is_closed,
        }
    form = RoundForm(request.POST or None, initial=initial, editing=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if nomination_round is None:
                nomination_round = nom_services.round_open(
                    year=data["year"],
                    deadline=data["deadline"],
                    programmes=list(data["programmes"]),
                    instructions=data["instructions"],
                    actor=user,
                    today=today,
                )
                messages.success(
                    request,
                    _("The nomination round for %(year)s is open.")
                    % {"year": nomination_round.year},
                )
            else:
                nom_services.round_update(
                    nomination_round=nomination_round,
                    deadline=data["deadline"],
                    programmes=list(data["programmes"]),
                    instructions=data["instructions"],
                    is_closed=data["is_closed"],
                    actor=user,
                )
                messages.success(request, _("Saved."))
                announce_merge(request, form)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("planning:round_status", pk=nomination_round.pk)
    return render_page(
        request,
        "planning/round_form.html",
        {"form": form, "round": nomination_round},
        status=_status(form),
    )


def round_create(request: HttpRequest) -> HttpResponse:
    return _round_form_page(request, None)


def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(is_department(request.user))
    return _round_form_page(request, nom_selectors.round_get(user=request.user, pk=pk))


# --- The department's status table ----------------------------------------------------------


def round_status(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    require(nom_permissions.can_see_rounds(user))
    nomination_round = nom_selectors.round_get(user=user, pk=pk)
    today = _today()
    form = StatusFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_valid() else ""
    table = nom_selectors.submission_status_table(
        user=user, nomination_round=nomination_round, today=today, show=show
    )
    return render_page(
        request,
        "planning/round_status.html",
        {
            "round": nomination_round,
            "table": table,
            "form": form,
            "show": show,
            "today": today,
            "is_department": is_department(user),
        },
        fragment="table",
    )


@require_POST
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    require(is_department(user))
    nomination_round = nom_selectors.round_get(user=user, pk=pk)
    organizations = nom_selectors.grassroots_in_scope(user=user)
    ids = [int(v) for v in request.POST.getlist("organization") if v.isdigit()]
    if ids:
        chosen = list(organizations.filter(pk__in=ids))
    elif request.POST.get("all_pending"):
        chosen = list(organizations)
    else:
        return HttpResponseBadRequest()

    def link_for(organization: Organization) -> str:
        return request.build_absolute_uri(
            reverse("planning:submission", args=[nomination_round.pk, organization.pk])
        )

    try:
        result = nom_reminders.submissions_remind(
            nomination_round=nomination_round,
            organizations=chosen,
            link_for=link_for,
            actor=user,
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("planning:round_status", pk=nomination_round.pk)
    if result.sent:
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(n)s organization.",
                "Reminders sent to %(n)s organizations.",
                len(result.sent),
            )
            % {"n": len(result.sent)},
        )
    if result.without_email:
        messages.warning(
            request,
            _("These officers have no email address and were not reminded: %(names)s.")
            % {
                "names": ", ".join(f"{u.display_name} ({u.username})" for u in result.without_email)
            },
        )
    if result.nobody:
        messages.error(
            request,
            _("Nobody could be reminded at %(names)s: no officer there has an email address.")
            % {"names": ", ".join(o.name for o in result.nobody)},
        )
    if result.already_submitted and ids:
        messages.info(
            request,
            _("Already submitted, not reminded: %(names)s.")
            % {"names": ", ".join(o.name for o in result.already_submitted)},
        )
    back = reverse("planning:round_status", args=[nomination_round.pk])
    show = request.POST.get("show", "")
    return redirect(f"{back}?show={show}" if show else back)


# --- An organization's submission -------------------------------------------------------------


def _submission_page(
    request: HttpRequest,
    nomination_round: NominationRound,
    organization: Organization,
    *,
    add_form: AddForm | None = None,
    nominations_form: NominationsForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    today = _today()
    submission = nom_selectors.submission_find(
        nomination_round=nomination_round, organization=organization
    )
    state = nom_selectors.submission_state(
        nomination_round=nomination_round, submission=submission, today=today
    )
    nominations = nom_selectors.submission_nominations(submission)
    if nominations_form is None:
        nominations_form = NominationsForm(nominations=nominations)
    sub_status = submission.status if submission else "not_started"
    # After a refused "add", search again for what the officer had searched.
    search = SearchForm(
        request.GET or None if request.method == "GET" else {"q": request.POST.get("q", "")}
    )
    q = search.cleaned_data["q"] if search.is_valid() else ""
    found = nom_selectors.person_search(organization=organization, q=q) if q else []
    # The round comes with its programmes prefetched: no query for the add forms' choices.
    offered = sorted(nomination_round.programmes.all(), key=lambda p: p.code)
    if add_form is None:
        add_form = AddForm(programmes=nomination_round.programmes.all())
    can_edit = nom_permissions.can_nominate(user, organization)
    suggestions = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=organization, today=today
    )
    context = {
        "round": nomination_round,
        "organization": organization,
        "submission": submission,
        "status": sub_status,
        "status_label": nom_selectors.STATUS_LABELS[sub_status],
        "state": state,
        "can_edit": can_edit and state.editable,
        "can_act": can_edit,
        "is_department": is_department(user),
        "suggestions": suggestions,
        # A page of the table: a grassroots organization of ten thousand people may have
        # thousands of suggestions, and one page of rows is what a person reads.
        "suggestion_page": Paginator(suggestions.items, SUGGESTIONS_PAGE_SIZE).get_page(
            request.GET.get("goi-y")
        ),
        "nominations_form": nominations_form,
        "nominations": nominations,
        "events": [
            (e, nom_selectors.EVENT_LABELS.get(e.action, e.action))
            for e in nom_selectors.submission_events(submission)
        ],
        "q": q,
        "found": found,
        "nominated_people": {n.person_id for n in nominations},
        "offered": offered,
        "add_form": add_form,
        "errors": errors or [],
        "reopen_form": ReopenForm(initial={"reopened_until": today + dt.timedelta(days=7)}),
        "today": today,
    }
    return render_page(
        request, "planning/submission_detail.html", context, fragment="search", status=status
    )


def submission_detail(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    user: Any = request.user
    require(nom_permissions.can_see_rounds(user))
    nomination_round = nom_selectors.round_get(user=user, pk=pk)
    organization = nom_selectors.grassroots_get(user=user, pk=org)
    if request.method != "POST":
        return _submission_page(request, nomination_round, organization)
    require(nom_permissions.can_nominate(user, organization))
    here = reverse("planning:submission", args=[nomination_round.pk, organization.pk])
    common: dict[str, Any] = {
        "nomination_round": nomination_round,
        "organization": organization,
        "actor": user,
        "today": _today(),
    }
    action = request.POST.get("action", "")
    remove = request.POST.get("remove", "")
    try:
        if remove.isdigit():
            nom_services.nomination_remove(nomination_id=int(remove), **common)
            messages.success(request, _("Removed from the list."))
        elif action in ("accept", "accept_urgent"):
            form = AcceptForm(request.POST)
            keys = form.cleaned_data["accept"] if form.is_valid() else []
            created = nom_services.nominations_accept(
                keys=keys, all_urgent=action == "accept_urgent", **common
            )
            messages.success(
                request,
                ngettext(
                    "%(n)s person added to the list.",
                    "%(n)s people added to the list.",
                    len(created),
                )
                % {"n": len(created)},
            )
        elif action == "add":
            add_form = AddForm(request.POST, programmes=nomination_round.programmes.all())
            if not add_form.is_valid():
                return _submission_page(
                    request, nomination_round, organization, add_form=add_form, status=422
                )
            data = add_form.cleaned_data
            try:
                nomination = nom_services.nomination_add(
                    person_id=data["person"],
                    programme=data["programme"],
                    priority=data["priority"],
                    quarter=data["quarter"],
                    note=data["note"],
                    **common,
                )
            except ValidationError as error:
                _apply_errors(add_form, error)
                return _submission_page(
                    request, nomination_round, organization, add_form=add_form, status=422
                )
            messages.success(
                request, _("%(name)s added to the list.") % {"name": nomination.person.full_name}
            )
        elif action == "save":
            submission = nom_selectors.submission_find(
                nomination_round=nomination_round, organization=organization
            )
            form_n = NominationsForm(
                request.POST, nominations=nom_selectors.submission_nominations(submission)
            )
            if not form_n.is_valid():
                return _submission_page(
                    request, nomination_round, organization, nominations_form=form_n, status=422
                )
            changed = nom_services.nominations_update(changes=form_n.changes(), **common)
            messages.success(
                request,
                ngettext("%(n)s nomination changed.", "%(n)s nominations changed.", changed)
                % {"n": changed},
            )
            announce_merge(request, form_n)
        elif action == "submit":
            nom_services.submission_submit(**common)
            messages.success(request, _("Submitted to the department."))
        elif action == "take_back":
            nom_services.submission_take_back(**common)
            messages.success(request, _("Taken back: make your changes, then submit again."))
        else:
            return HttpResponseBadRequest()
    except ValidationError as error:
        return _submission_page(
            request, nomination_round, organization, errors=error.messages, status=422
        )
    return redirect(here)


def submission_reopen(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    user: Any = request.user
    require(is_department(user))
    nomination_round = nom_selectors.round_get(user=user, pk=pk)
    organization = nom_selectors.grassroots_get(user=user, pk=org)
    today = _today()
    form = ReopenForm(
        request.POST or None, initial={"reopened_until": today + dt.timedelta(days=7)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            nom_services.submission_reopen(
                nomination_round=nomination_round,
                organization=organization,
                until=form.cleaned_data["reopened_until"],
                note=form.cleaned_data["note"],
                actor=user,
                today=today,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Reopened until %(date)s.")
                % {"date": form.cleaned_data["reopened_until"].strftime("%d/%m/%Y")},
            )
            return redirect("planning:submission", pk=nomination_round.pk, org=organization.pk)
    return render_page(
        request,
        "planning/submission_reopen.html",
        {"round": nomination_round, "organization": organization, "form": form},
        status=_status(form),
    )


# --- Position requirements ---------------------------------------------------------------------


def requirement_list(request: HttpRequest) -> HttpResponse:
    require(nom_permissions.can_see_rounds(request.user))
    return render_page(
        request,
        "planning/requirement_list.html",
        {
            "requirements": nom_selectors.requirement_list(),
            "is_department": is_department(request.user),
        },
    )


def _requirement_form_page(
    request: HttpRequest, requirement: PositionRequirement | None
) -> HttpResponse:
    require(is_department(request.user))
    form = RequirementForm(request.POST or None, instance=requirement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nom_services.requirement_save(
                requirement=requirement,
                position=data["position"],
                required_level=data["required_level"],
                programme=data["programme"],
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("planning:requirement_list")
    return render_page(
        request,
        "planning/requirement_form.html",
        {"form": form, "requirement": requirement},
        status=_status(form),
    )


def requirement_create(request: HttpRequest) -> HttpResponse:
    return _requirement_form_page(request, None)


def requirement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(is_department(request.user))
    return _requirement_form_page(request, get_object_or_404(PositionRequirement, pk=pk))


def requirement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(is_department(request.user))
    requirement = get_object_or_404(PositionRequirement, pk=pk)
    if request.method == "POST":
        nom_services.requirement_delete(requirement=requirement, actor=request.user)
        messages.success(request, _("Deleted %(position)s.") % {"position": requirement.position})
        return redirect("planning:requirement_list")
    return render_page(request, "planning/requirement_delete.html", {"requirement": requirement})


urlpatterns: list[URLPattern] = [
    path("de-xuat/", nominations_home, name="nominations"),
    path("de-xuat/mo-dot/", round_create, name="round_create"),
    path("de-xuat/<int:pk>/", round_status, name="round_status"),
    path("de-xuat/<int:pk>/sua/", round_edit, name="round_edit"),
    path("de-xuat/<int:pk>/nhac/", round_remind, name="round_remind"),
    path("de-xuat/<int:pk>/to-chuc/<int:org>/", submission_detail, name="submission"),
    path("de-xuat/<int:pk>/to-chuc/<int:org>/mo-lai/", submission_reopen, name="submission_reopen"),
    path("yeu-cau-chuc-danh/", requirement_list, name="requirement_list"),
    path("yeu-cau-chuc-danh/them/", requirement_create, name="requirement_create"),
    path("yeu-cau-chuc-danh/<int:pk>/sua/", requirement_edit, name="requirement_edit"),
    path("yeu-cau-chuc-danh/<int:pk>/xoa/", requirement_delete, name="requirement_delete"),
]
