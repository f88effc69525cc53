"""Certificate pages: the register (sổ cấp giấy chứng nhận) and its .xlsx export, a certificate's
page and PDF, the whole course's PDF, revoking and re-issuing, the numbering settings, and the
public verification page reached from the QR code.

Views parse, call a selector or a service from `certificates`, and render or redirect."""

import hashlib
import re
import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from llct.assessment import certificates as certs
from llct.assessment import exports
from llct.assessment.certificate_pdf import (
    UrlFor,
    certificates_pdf,
    verification_path,
)
from llct.assessment.models import CertificateSeries
from llct.core.forms import ID_MAX, form_status, set_choices, set_queryset
from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import query_without_page as _query_without_page
from llct.core.htmx import render_page
from llct.core.models import User
from llct.core.permissions import can_read_rolls, require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.core.text import fold
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import VersionedForm, announce_merge
from llct.courses.qr import qr_data_uri
from llct.curriculum.models import Programme
from llct.organizations.forms import OrganizationChoiceField
from llct.organizations.models import Organization
from llct.organizations.selectors import organization_choices

REGISTER_PAGE_SIZE = 50
PDF_TYPE = "application/pdf"
# Public verification: requests per client address per minute. Overridden by the setting
# CERTIFICATE_VERIFY_RATE_LIMIT where one is defined.
VERIFY_RATE_LIMIT = 30
# Codes are secrets.token_urlsafe(18), 24 characters: anything of another shape is not looked up.
CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
YEARS = range(2000, 2101)


def _url_for(request: AuthenticatedHttpRequest) -> UrlFor:
    """The absolute public verification URL of a code, as printed under the QR code."""

    def url_for(code: str) -> str:
        return request.build_absolute_uri(verification_path(code))

    return url_for


def _pdf_name(stem: str) -> str:
    # fold() first: slugify drops "Đ" instead of writing "D".
    return f"{slugify(fold(stem).replace('/', '-')) or 'giay-chung-nhan'}.pdf"


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = file_response(content, filename=filename, content_type=PDF_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


# --- The register -----------------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.filter(issues_certificate=True).order_by("name"),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year of issue"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
    )
    organization = OrganizationChoiceField(
        label=gettext_lazy("Holder's organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
        help_text=gettext_lazy("With the organizations below it."),
    )
    course = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=ID_MAX
    )

    def __init__(self, *args: Any, user: User, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "year", [("", _("All")), *((y, str(y)) for y in years)])
        if can_read_rolls(user):
            set_queryset(self, "organization", organization_choices(user=user))
        else:
            del self.fields["organization"]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "programme_id": data["programme"].pk if data.get("programme") else None,
            "year": data.get("year"),
            "organization": data.get("organization"),
            "course_id": data.get("course"),
        }


def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(certs.may_see_register(user))
    form = RegisterFilterForm(
        request.GET or None, user=user, years=certs.certificate_years(user=user)
    )
    filters = form.filters()
    qs = certs.certificate_register(user=user, **filters)
    page = Paginator(qs, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = certs.with_status(page.object_list, today=timezone.localdate())
    return render_page(
        request,
        "assessment/register_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "course_id": filters.get("course_id"),
            "can_export": can_read_rolls(user),
            "can_manage": certs.can_manage_certificates(user),
        },
        fragment="results",
    )


def register_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(can_read_rolls(user))
    form = RegisterFilterForm(
        request.GET or None, user=user, years=certs.certificate_years(user=user)
    )
    today = timezone.localdate()
    rows = certs.with_status(certs.certificate_register(user=user, **form.filters()), today=today)
    content = exports.certificate_register_xlsx(rows)
    return file_response(
        content, filename=f"so-cap-giay-chung-nhan-{today:%Y%m%d}.xlsx", content_type=XLSX_TYPE
    )


# --- One certificate --------------------------------------------------------------------------


def certificate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    certificate = certs.certificate_get(user=user, pk=pk)
    today = timezone.localdate()
    status = certs.certificate_status_on(certificate, today)
    url = _url_for(request)(certificate.code)
    return render_page(
        request,
        "assessment/certificate_detail.html",
        {
            "certificate": certificate,
            "status": status,
            "status_label": certs.STATUS_LABELS[status],
            "replaced_by": certs.certificate_replaced_by(certificate),
            "verify_url": url,
            "qr": qr_data_uri(url, scale=4, border=1),
            "can_manage": certs.can_manage_certificates(user),
            "can_course_pdf": can_read_rolls(user),
        },
    )


def certificate_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    certificate = certs.certificate_get(user=request.user, pk=pk)
    content = certificates_pdf([certificate], url_for=_url_for(request), today=timezone.localdate())
    return _pdf_response(content, _pdf_name(f"giay-chung-nhan-{certificate.serial}"))


def course_pdf(request: AuthenticatedHttpRequest, course_pk: int) -> HttpResponse:
    """Every certificate in force of a course that the user may see, one per page."""
    user = request.user
    require(can_read_rolls(user))
    rows = certs.course_certificates(user=user, course_id=course_pk)
    if not rows:
        raise Http404
    content = certificates_pdf(rows, url_for=_url_for(request), today=timezone.localdate())
    return _pdf_response(content, _pdf_name(f"giay-chung-nhan-lop-{rows[0].course.code}"))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def certificate_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    certificate = certs.certificate_get(user=user, pk=pk)
    require(certs.can_manage_certificates(user))
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certs.certificate_revoke(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                actor=user,
                today=timezone.localdate(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The certificate has been revoked."))
            return redirect("assessment:certificate_detail", pk=certificate.pk)
    return render_page(
        request,
        "assessment/certificate_revoke.html",
        {"form": form, "certificate": certificate},
        status=form_status(form),
    )


class ReissueForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was corrected"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the history, e.g. “holder's name corrected”."),
    )


def certificate_reissue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    certificate = certs.certificate_get(user=user, pk=pk)
    require(certs.can_manage_certificates(user))
    form = ReissueForm(request.POST or None)
    today = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        try:
            new = certs.certificate_reissue(
                certificate=certificate, actor=user, today=today, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            text = _("Re-issued as %(serial)s; the old certificate is revoked.")
            messages.success(request, text % {"serial": new.serial})
            return redirect("assessment:certificate_detail", pk=new.pk)
    context = {
        "form": form,
        "certificate": certificate,
        "name_now": certificate.person.full_name,
        "next_serial": certs.series_next_serial(programme=certificate.programme, year=today.year),
    }
    status = form_status(form)
    return render_page(request, "assessment/certificate_reissue.html", context, status=status)


# --- Numbering settings -----------------------------------------------------------------------


class SeriesFormatForm(VersionedForm, forms.Form):
    serial_format = forms.CharField(
        label=gettext_lazy("Serial number format"),
        max_length=CertificateSeries._meta.get_field("serial_format").max_length,
        help_text=gettext_lazy(
            "{number} is the number in the series, {number:03d} pads it to three digits, "
            "{year} is the year; e.g. {number:03d}/GCN-ĐUK gives 001/GCN-ĐUK."
        ),
    )

    def clean_serial_format(self) -> str:
        try:
            return certs.serial_format_validate(self.cleaned_data["serial_format"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["serial_format"]) from None


def _year_param(request: AuthenticatedHttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if year in YEARS else timezone.localdate().year


def series_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(certs.can_manage_certificates(request.user))
    year = _year_param(request)
    rows = certs.series_overview(year=year)
    return render_page(
        request,
        "assessment/certificate_series.html",
        {"year": year, "rows": rows, "years": [year - 1, year, year + 1]},
    )


def series_edit(request: AuthenticatedHttpRequest, programme_pk: int, year: int) -> HttpResponse:
    require(certs.can_manage_certificates(request.user))
    if year not in YEARS:
        raise Http404
    programme = get_object_or_404(Programme, pk=programme_pk, issues_certificate=True)
    series = CertificateSeries.objects.filter(programme=programme, year=year).first()
    initial = {"serial_format": certs.series_format(programme=programme, year=year)}
    form = SeriesFormatForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            serial_format = form.cleaned_data["serial_format"]
            certs.series_set_format(
                programme=programme, year=year, serial_format=serial_format, actor=request.user
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect(f"{reverse('assessment:certificate_series')}?year={year}")
    context = {"form": form, "programme": programme, "year": year, "series": series}
    status = form_status(form)
    return render_page(request, "assessment/certificate_series_form.html", context, status=status)


# --- Public verification ----------------------------------------------------------------------


def _rate_limited(request: HttpRequest) -> bool:
    """A fixed one-minute window per client address, counted in the cache. The address is
    hashed: the cache holds no readable IP addresses."""
    limit = int(getattr(settings, "CERTIFICATE_VERIFY_RATE_LIMIT", VERIFY_RATE_LIMIT))
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    window = int(time.time() // 60)
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    key = f"verify-rate:{digest}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


def _public(response: HttpResponse) -> HttpResponse:
    # The page answers for today: never cached; and it is nobody's business to index it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """What anyone holding the QR code may read: the certificate's facts and its status today.
    Nothing else about the holder (no date of birth, no card number, no organization)."""
    if _rate_limited(request):
        response = render(request, "assessment/verify_rate_limited.html", status=429)
        response["Retry-After"] = "60"
        return _public(response)
    shaped = CODE_SHAPE.match(code)
    certificate = certs.certificate_by_code(code) if shaped else None
    if certificate is None:
        return _public(render(request, "assessment/verify_not_found.html", status=404))
    today = timezone.localdate()
    status = certs.certificate_status_on(certificate, today)
    context = {
        "certificate": certificate,
        "status": status,
        "status_label": certs.STATUS_LABELS[status],
        "today": today,
        "replaced_by": certs.certificate_replaced_by(certificate),
    }
    return _public(render(request, "assessment/verify_certificate.html", context))


urlpatterns: list[URLPattern] = [
    path("giay-chung-nhan/", register, name="certificate_register"),
    path("giay-chung-nhan/xuat-excel/", register_xlsx, name="certificate_register_xlsx"),
    path("giay-chung-nhan/so-hieu/", series_settings, name="certificate_series"),
    path(
        "giay-chung-nhan/so-hieu/<int:programme_pk>/<int:year>/",
        series_edit,
        name="certificate_series_edit",
    ),
    path("giay-chung-nhan/lop/<int:course_pk>/pdf/", course_pdf, name="course_certificates_pdf"),
    path("giay-chung-nhan/<int:pk>/", certificate_detail, name="certificate_detail"),
    path("giay-chung-nhan/<int:pk>/pdf/", certificate_pdf, name="certificate_pdf"),
    path("giay-chung-nhan/<int:pk>/thu-hoi/", certificate_revoke, name="certificate_revoke"),
    path("giay-chung-nhan/<int:pk>/cap-lai/", certificate_reissue, name="certificate_reissue"),
]

# Public pages (no sign-in), mounted at /xac-minh/ under the namespace "verify".
public_urlpatterns: list[URLPattern] = [
    path("<str:code>/", verify, name="certificate"),
]
