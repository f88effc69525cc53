"""Venues (halls, classrooms, online rooms) and the class settings: the public-holiday calendar
and the scheduling rules.

Who may do what: everyone signed in reads venues; department officers manage every venue; an
organization officer manages the venues owned by their subtree and creates venues owned there.
The settings pages belong to the department.

The reads and writes sit at the top of this module (the courses app's services.py and
selectors.py belong to another part of the work); views follow.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status as _status
from llct.core.htmx import render_page
from llct.core.models import Role, audit_record
from llct.core.permissions import ALL, require, scope_path
from llct.core.text import clean_text, fold
from llct.courses.forms_venues import (
    HALF_DAYS,
    RULES_FIELDS,
    VENUE_FIELDS,
    HolidayForm,
    RulesForm,
    VenueFilterForm,
    VenueForm,
)
from llct.courses.models import Holiday, SchedulingRules, Session, Venue
from llct.organizations.models import Organization
from llct.organizations.selectors import organization_choices

# ---------------------------------------------------------------------------------------------
# Permissions


def is_department(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.DEPARTMENT))


def can_create_venue(user: Any) -> bool:
    return is_department(user) or bool(
        user.is_authenticated and user.role == Role.ORG_OFFICER and user.organization_id
    )


def can_manage_venue(user: Any, venue: Venue) -> bool:
    if is_department(user):
        return True
    if not user.is_authenticated or user.role != Role.ORG_OFFICER:
        return False
    path = scope_path(user)
    return (
        path not in (None, ALL)
        and venue.owner is not None
        and venue.owner.path.startswith(str(path))
    )


# ---------------------------------------------------------------------------------------------
# Reads


def venue_list(*, q: str = "", include_inactive: bool = False, today: dt.date) -> list[Venue]:
    """Venues with their owner and the number of sessions booked from today. One query; the
    search ignores diacritics (venues number in the tens or hundreds)."""
    qs = Venue.objects.select_related("owner").annotate(
        upcoming=Count("sessions", filter=Q(sessions__date__gte=today))
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    words = fold(q).split()
    return [v for v in qs if all(w in fold(f"{v.name} {v.address}") for w in words)]


def venue_get(*, pk: int) -> Venue:
    try:
        return Venue.objects.select_related("owner").get(pk=pk)
    except Venue.DoesNotExist:
        raise Http404 from None


def venue_bookings(*, venue: Venue, today: dt.date, limit: int = 100) -> QuerySet[Session]:
    """The venue's sessions from today on, soonest first."""
    return (
        Session.objects.filter(venue=venue, date__gte=today)
        .select_related("course", "topic", "lecturer")
        .order_by("date", "starts_at")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# Writes

_http_url = URLValidator(schemes=["http", "https"])


def venue_validate(venue: Venue) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not venue.name:
        add("name", _("Enter the venue's name."))
    if not venue.capacity or venue.capacity < 1:
        add("capacity", _("Enter the number of seats (at least 1)."))
    if venue.meeting_url:
        try:
            _http_url(venue.meeting_url)
        except ValidationError:
            add("meeting_url", _("Enter a full link, starting with https://"))
    elif venue.kind == Venue.Kind.ONLINE:
        add("meeting_url", _("An online room needs its meeting link."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def venue_save(*, venue: Venue | None, data: dict[str, Any], actor: Any) -> Venue:
    """Create (venue=None) or update a venue."""
    target = venue or Venue()
    for field, value in data.items():
        if field not in VENUE_FIELDS:
            raise ValueError(f"{field} is not an editable venue field")
        if field in ("name", "address", "meeting_url"):
            value = clean_text(value)
        if field == "equipment":
            value = (value or "").strip()
        setattr(target, field, value)
    venue_validate(target)
    target.full_clean()
    target.save()
    audit_record(
        actor=actor,
        obj=target,
        action="update" if venue else "create",
        summary=target.name,
    )
    return target


@transaction.atomic
def venue_set_active(*, venue: Venue, active: bool, actor: Any) -> Venue:
    venue.is_active = active
    venue.save(update_fields=["is_active"])
    audit_record(actor=actor, obj=venue, action="activate" if active else "deactivate")
    return venue


@transaction.atomic
def holiday_add(*, date: dt.date, name: str, actor: Any) -> Holiday:
    name = clean_text(name)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter the holiday's name.")]
    existing = Holiday.objects.filter(date=date).first()
    if existing:
        errors["date"] = [
            _("%(date)s is already a holiday: %(name)s.")
            % {"date": date.strftime("%d/%m/%Y"), "name": existing.name}
        ]
    if errors:
        raise ValidationError(errors)
    holiday = Holiday.objects.create(date=date, name=name)
    audit_record(actor=actor, obj=holiday, action="create", summary=str(holiday))
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, actor: Any) -> None:
    audit_record(actor=actor, obj=holiday, action="delete", summary=str(holiday))
    holiday.delete()


MAX_CHECKIN_MINUTES = 720


@transaction.atomic
def rules_update(*, rules: SchedulingRules, data: dict[str, Any], actor: Any) -> SchedulingRules:
    errors: dict[str, list[str]] = {}
    for field, value in data.items():
        if field not in RULES_FIELDS:
            raise ValueError(f"{field} is not an editable rule")
        setattr(rules, field, value)
    for field in ("checkin_opens_minutes", "checkin_closes_minutes"):
        value = getattr(rules, field)
        if value is None or not 0 <= value <= MAX_CHECKIN_MINUTES:
            errors[field] = [
                _("Enter a number of minutes from 0 to %(max)s.") % {"max": MAX_CHECKIN_MINUTES}
            ]
    for start, end in HALF_DAYS:
        starts_at, ends_at = getattr(rules, start), getattr(rules, end)
        if starts_at is None or ends_at is None:
            for field in (start, end):
                if getattr(rules, field) is None:
                    errors[field] = [_("Enter a time as hh:mm, for example 07:30.")]
        elif ends_at <= starts_at:
            errors[end] = [
                _("The end must be after the start (%(start)s).")
                % {"start": starts_at.strftime("%H:%M")}
            ]
    if errors:
        raise ValidationError(errors)
    rules.full_clean()
    rules.save()
    audit_record(actor=actor, obj=rules, action="update", summary=_("Scheduling rules"))
    return rules


# ---------------------------------------------------------------------------------------------
# Views


def _owner_choices(user: Any) -> QuerySet[Organization]:
    return organization_choices(user=user)


def venue_list_view(request: HttpRequest) -> HttpResponse:
    form = VenueFilterForm(request.GET or None)
    q, inactive = "", False
    if form.is_valid():
        q, inactive = form.cleaned_data["q"], form.cleaned_data["inactive"]
    venues = venue_list(q=q, include_inactive=inactive, today=timezone.localdate())
    user: Any = request.user
    return render_page(
        request,
        "courses/venue_list.html",
        {
            "form": form,
            "venues": venues,
            "manageable": {v.pk for v in venues if can_manage_venue(user, v)},
            "can_create": can_create_venue(user),
            "can_settings": is_department(user),
        },
        fragment="results",
    )


def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
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


def _venue_form(request: HttpRequest, venue: Venue | None) -> HttpResponse:
    user: Any = request.user
    department = is_department(user)
    initial = None
    if venue is None and not department:
        initial = {"owner": user.organization_id}
    form = VenueForm(
        request.POST or None,
        instance=venue,
        initial=initial,
        organizations=_owner_choices(user),
        owner_required=not department,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = venue_save(
                venue=Venue.objects.get(pk=venue.pk) if venue else None,
                data=form.venue_data(),
                actor=user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("courses:venue_detail", pk=saved.pk)
    return render_page(
        request,
        "courses/venue_form.html",
        {"venue": venue, "form": form},
        status=_status(form),
    )


def venue_create(request: HttpRequest) -> HttpResponse:
    require(can_create_venue(request.user))
    return _venue_form(request, None)


def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    venue = venue_get(pk=pk)
    require(can_manage_venue(request.user, venue))
    return _venue_form(request, venue)


@require_POST
def venue_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
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
def venue_activate(request: HttpRequest, pk: int) -> HttpResponse:
    venue = venue_get(pk=pk)
    require(can_manage_venue(request.user, venue))
    venue_set_active(venue=venue, active=True, actor=request.user)
    messages.success(request, _("%(name)s is in use again.") % {"name": venue.name})
    return redirect("courses:venue_detail", pk=venue.pk)


# --- Settings: holidays and scheduling rules -----------------------------------------------


def holiday_list(request: HttpRequest) -> HttpResponse:
    require(is_department(request.user))
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 1900 <= year <= 2200:
        year = today.year
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
    return render_page(
        request,
        "courses/holiday_list.html",
        {
            "year": year,
            "years": sorted({*years, year - 1, year, year + 1, today.year}),
            "holidays": Holiday.objects.filter(date__year=year).order_by("date"),
            "form": form,
        },
        status=_status(form),
    )


@require_POST
def holiday_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(is_department(request.user))
    try:
        holiday = Holiday.objects.get(pk=pk)
    except Holiday.DoesNotExist:
        raise Http404 from None
    year = holiday.date.year
    holiday_delete(holiday=holiday, actor=request.user)
    messages.success(request, _("Deleted %(holiday)s.") % {"holiday": holiday})
    return redirect(reverse("courses:holiday_list") + f"?year={year}")


def rules_view(request: HttpRequest) -> HttpResponse:
    require(is_department(request.user))
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
