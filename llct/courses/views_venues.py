"""Venues (halls, classrooms, online rooms) and the class settings: the public-holiday calendar
and the scheduling rules.

Who may do what: everyone signed in reads venues; department officers manage every venue; an
organization officer manages the venues owned by their subtree and creates venues owned there.
The settings pages belong to the department.

The reads are in the app's selectors.py, the writes in its services.py.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status as _status
from llct.core.htmx import render_page
from llct.core.models import User
from llct.core.permissions import is_department, require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.courses.forms_venues import (
    HolidayForm,
    RulesForm,
    VenueFilterForm,
    VenueForm,
    YearForm,
)
from llct.courses.models import Holiday, SchedulingRules, Session, Venue
from llct.courses.selectors import (
    can_create_venue,
    can_manage_venue,
    venue_bookings,
    venue_get,
    venue_list,
)
from llct.courses.services.venues import (
    holiday_add,
    holiday_delete,
    rules_update,
    venue_save,
    venue_set_active,
)
from llct.organizations.models import Organization
from llct.organizations.selectors import organization_choices

# ---------------------------------------------------------------------------------------------
# Views


def _owner_choices(user: User) -> QuerySet[Organization]:
    return organization_choices(user=user)


def venue_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = VenueFilterForm(request.GET or None)
    q, inactive = "", False
    if form.is_valid():
        q, inactive = form.cleaned_data["q"], form.cleaned_data["inactive"]
    venues = venue_list(q=q, include_inactive=inactive, today=timezone.localdate())
    user = request.user
    return render_page(
        request,
        "courses/venue_list.html",
        {
            "form": form,
            "venues": venues,
            "manageable": {v.pk for v in venues if can_manage_venue(user, v)},
            "can_create": can_create_venue(user),
            "can_settings": has_capability(user, Capability.EDIT_CLASS_SETTINGS),
        },
        fragment="results",
    )


def venue_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    venue = venue_get(pk=pk)
    return render_page(
        request,
        "courses/venue_detail.html",
        {
            "venue": venue,
            "bookings": venue_bookings(venue=venue, today=timezone.localdate()),
            "can_manage": can_manage_venue(request.user, venue),
        },
    )


def _venue_form(request: AuthenticatedHttpRequest, venue: Venue | None) -> HttpResponse:
    user = request.user
    department = is_department(user)
    form = VenueForm(
        request.POST or None,
        instance=venue,
        initial={"owner": user.organization_id} if venue is None and not department else None,
        organizations=_owner_choices(user),
        owner_required=not department,
    )
    if request.method == "POST" and form.is_valid():
        stored = Venue.objects.get(pk=venue.pk) if venue else None
        try:
            saved = venue_save(venue=stored, data=form.venue_data(), actor=user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("courses:venue_detail", pk=saved.pk)
    context = {"venue": venue, "form": form}
    return render_page(request, "courses/venue_form.html", context, status=_status(form))


def venue_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(can_create_venue(request.user))
    return _venue_form(request, None)


def venue_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    venue = venue_get(pk=pk)
    require(can_manage_venue(request.user, venue))
    return _venue_form(request, venue)


@require_POST
def venue_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    venue = venue_get(pk=pk)
    require(can_manage_venue(request.user, venue))
    venue_set_active(venue=venue, active=False, actor=request.user)
    booked = Session.objects.filter(venue=venue, date__gte=timezone.localdate()).count()
    messages.success(request, _("%(name)s is no longer in use.") % {"name": venue.name})
    if booked:
        messages.warning(
            request,
            _("%(n)s upcoming session(s) still take place there; move them to another venue.")
            % {"n": booked},
        )
    return redirect("courses:venue_detail", pk=venue.pk)


@require_POST
def venue_activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    venue = venue_get(pk=pk)
    require(can_manage_venue(request.user, venue))
    venue_set_active(venue=venue, active=True, actor=request.user)
    messages.success(request, _("%(name)s is in use again.") % {"name": venue.name})
    return redirect("courses:venue_detail", pk=venue.pk)


# --- Settings: holidays and scheduling rules -----------------------------------------------


def holiday_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_CLASS_SETTINGS))
    today = timezone.localdate()
    year = YearForm.year_of(request.GET, default=today.year)
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holiday = holiday_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Added %(holiday)s.") % {"holiday": holiday})
            return redirect(reverse("courses:holiday_list") + f"?year={holiday.date.year}")
    years = {d.year for d in Holiday.objects.dates("date", "year")}
    context = {
        "year": year,
        "years": sorted({*years, year - 1, year, year + 1, today.year}),
        "holidays": Holiday.objects.filter(date__year=year).order_by("date"),
        "form": form,
    }
    return render_page(request, "courses/holiday_list.html", context, status=_status(form))


@require_POST
def holiday_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_CLASS_SETTINGS))
    try:
        holiday = Holiday.objects.get(pk=pk)
    except Holiday.DoesNotExist:
        raise Http404 from None
    year = holiday.date.year
    holiday_delete(holiday=holiday, actor=request.user)
    messages.success(request, _("Deleted %(holiday)s.") % {"holiday": holiday})
    return redirect(reverse("courses:holiday_list") + f"?year={year}")


def rules_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_CLASS_SETTINGS))
    rules = SchedulingRules.current()
    form = RulesForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            rules_update(
                rules=SchedulingRules.objects.get(pk=rules.pk),
                data=form.rules_data(),
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("courses:rules")
    return render_page(request, "courses/rules_form.html", {"form": form}, status=_status(form))


urlpatterns: list[URLPattern] = [
    path("dia-diem/", venue_list_view, name="venue_list"),
    path("dia-diem/them/", venue_create, name="venue_create"),
    path("dia-diem/<int:pk>/", venue_detail, name="venue_detail"),
    path("dia-diem/<int:pk>/sua/", venue_edit, name="venue_edit"),
    path("dia-diem/<int:pk>/ngung-su-dung/", venue_deactivate, name="venue_deactivate"),
    path("dia-diem/<int:pk>/dung-lai/", venue_activate, name="venue_activate"),
    path("cai-dat/", rules_view, name="rules"),
    path("cai-dat/ngay-le/", holiday_list, name="holiday_list"),
    path("cai-dat/ngay-le/<int:pk>/xoa/", holiday_delete_view, name="holiday_delete"),
]
