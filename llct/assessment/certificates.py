"""Certificates: issuing them with serial numbers from a series per programme and year, revoking
and re-issuing them, the numbering settings, and the reads behind the certificate pages and the
register (sổ cấp giấy chứng nhận).

Serial numbers are allocated under a row lock on the series, so two approvals running at once get
consecutive numbers without gaps or duplicates. Nothing here is ever deleted: a wrong certificate
is revoked (with a date and a reason) and, after a correction, re-issued under a new serial that
points back to it.
"""

import datetime as dt
import string
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from llct.assessment.models import Certificate, CertificateSeries
from llct.core import events
from llct.core.capabilities import Capability, has_capability
from llct.core.models import User, audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.organizations.models import (
    Organization,
    Person,
    add_months,
)
from llct.organizations.selectors import organization_name_on

SERIAL_FIELDS = frozenset({"number", "year"})
SERIAL_MAX_LENGTH = Certificate._meta.get_field("serial").max_length or 80


class Status:
    """A certificate's status on a given day (certificate_status_on)."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET = "not_yet"


STATUS_LABELS = {
    Status.VALID: gettext_lazy("Valid"),
    Status.EXPIRED: gettext_lazy("Expired"),
    Status.REVOKED: gettext_lazy("Revoked"),
    Status.NOT_YET: gettext_lazy("Not yet in force"),
}


# ---------------------------------------------------------------------------------------------
# The numbering setting


def serial_format_validate(value: str) -> str:
    """The format, cleaned, if it makes a serial: it must contain {number}, may contain {year},
    nothing else, and must format (e.g. "{number:03d}/GCN-ĐUK" gives "001/GCN-ĐUK")."""
    fmt = clean_text(value)
    error = _serial_format_error(fmt)
    if error:
        raise ValidationError({"serial_format": error})
    return fmt


def _serial_format_error(fmt: str) -> str:
    if not fmt:
        return _("Enter a serial number format.")
    return _serial_fields_error(fmt) or _serial_sample_error(fmt)


def _serial_fields_error(fmt: str) -> str:
    """What is wrong with the names between braces, if anything."""
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(fmt) if name}
    except ValueError:
        return _("The braces in the format do not match; write {number}.")
    roots = {name.split(".")[0].split("[")[0] for name in fields}
    if "number" not in roots:
        return _("The format must contain {number}, for example {number:03d}/GCN-ĐUK.")
    unknown = roots - SERIAL_FIELDS
    if unknown or any(name not in SERIAL_FIELDS for name in fields):
        return _("Only {number} and {year} may appear between braces.")
    return ""


def _serial_sample_error(fmt: str) -> str:
    """What is wrong with the serials the format makes, if anything."""
    try:
        sample = fmt.format(number=1, year=2026)
    except (ValueError, TypeError, KeyError, IndexError):
        return _("The format cannot be applied to a number; try {number:03d}.")
    if len(fmt.format(number=99999, year=2026)) > SERIAL_MAX_LENGTH or not sample.strip():
        return _("The serial number would be too long.")
    return ""


def serial_make(fmt: str, *, number: int, year: int) -> str:
    return fmt.format(number=number, year=year)


def _format_for_new_series(programme: Programme) -> str:
    """A new year's series keeps the programme's latest format: the department sets it once."""
    latest = (
        CertificateSeries.objects.filter(programme=programme)
        .order_by("-year")
        .values_list("serial_format", flat=True)
        .first()
    )
    return latest or str(CertificateSeries._meta.get_field("serial_format").get_default())


def series_for(*, programme: Programme, year: int) -> CertificateSeries:
    """The series of a programme and year, created (unsaved numbers: none yet) if missing."""
    series, _created = CertificateSeries.objects.get_or_create(
        programme=programme,
        year=year,
        defaults={"serial_format": _format_for_new_series(programme)},
    )
    return series


@transaction.atomic
def series_set_format(
    *, programme: Programme, year: int, serial_format: str, actor: User | None
) -> CertificateSeries:
    """Set the serial format of a programme's series for a year. Serials already issued keep
    the text they were issued with; only the next numbers use the new format."""
    fmt = serial_format_validate(serial_format)
    series = series_for(programme=programme, year=year)
    series = CertificateSeries.objects.select_for_update().get(pk=series.pk)
    old = series.serial_format
    if old != fmt:
        series.serial_format = fmt
        series.save(update_fields=["serial_format"])
        audit_record(
            actor=actor,
            obj=series,
            action="series_format",
            summary=f"{programme.code} {year}: {old} → {fmt}",
            changes=[{"field": "serial_format", "old": old, "new": fmt}],
        )
    return series


@dataclass(frozen=True)
class SeriesRow:
    programme: Programme
    series: CertificateSeries | None
    serial_format: str
    next_serial: str


def series_overview(*, year: int) -> list[SeriesRow]:
    """Every programme that issues certificates, with its series of that year (if any yet), the
    format it uses or will use, and its next serial. Two queries."""
    programmes = list(Programme.objects.filter(issues_certificate=True).order_by("code"))
    default = str(CertificateSeries._meta.get_field("serial_format").get_default())
    of_year: dict[int, CertificateSeries] = {}
    latest: dict[int, str] = {}
    for s in CertificateSeries.objects.filter(programme__in=programmes).order_by("year"):
        latest[s.programme_id] = s.serial_format
        if s.year == year:
            of_year[s.programme_id] = s
    rows = []
    for programme in programmes:
        series = of_year.get(programme.pk)
        fmt = series.serial_format if series else latest.get(programme.pk, default)
        number = (series.last_number if series else 0) + 1
        rows.append(
            SeriesRow(
                programme=programme,
                series=series,
                serial_format=fmt,
                next_serial=serial_make(fmt, number=number, year=year),
            )
        )
    return rows


def series_format(*, programme: Programme, year: int) -> str:
    """The format a series uses, or would use once its first certificate is issued."""
    series = CertificateSeries.objects.filter(programme=programme, year=year).first()
    return series.serial_format if series else _format_for_new_series(programme)


def series_next_serial(*, programme: Programme, year: int) -> str:
    """What the next serial of a series will look like (shown on the settings page)."""
    series = CertificateSeries.objects.filter(programme=programme, year=year).first()
    fmt = series.serial_format if series else _format_for_new_series(programme)
    last = series.last_number if series else 0
    return serial_make(fmt, number=last + 1, year=year)


# ---------------------------------------------------------------------------------------------
# Issuing


def _series_locked(programme: Programme, year: int) -> CertificateSeries:
    # Create first (a concurrent creator makes get_or_create fall back to a get), then lock:
    # the second approval waits here until the first commits, and reads its last_number.
    series_for(programme=programme, year=year)
    return CertificateSeries.objects.select_for_update().get(programme=programme, year=year)


def expiry_for(programme: Programme, issued_on: dt.date) -> dt.date | None:
    """The last day a certificate is valid: `certificate_valid_months` after the issue date
    (the admission class: 60 months by default), or None when the programme sets no limit."""
    months = programme.certificate_valid_months
    return add_months(issued_on, months) if months else None


@transaction.atomic
def certificates_issue(
    *,
    course: Course,
    enrolments: list[Enrolment],
    issued_on: dt.date,
    actor: User | None = None,
    replaces: Certificate | None = None,
) -> list[Certificate]:
    """One certificate per enrolment, numbered consecutively in the series of the course's
    programme and the issue year, and returned in that order.

    - A programme that issues no certificate gets none (an empty list).
    - An enrolment that already holds a certificate of this course that is not revoked gets no
      second one: approving again (after a correction) issues only to those still without.
    - `replaces` re-issues one certificate: exactly one enrolment, the holder's of `replaces`;
      the new certificate keeps its expiry, and `replaces` is revoked "re-issued as <serial>".
    """
    programme = course.programme
    if not enrolments or not programme.issues_certificate:
        return []
    if any(e.course_id != course.pk for e in enrolments):
        raise ValidationError(_("Every enrolment must belong to the course."))
    if replaces is not None:
        replaces = Certificate.objects.select_for_update().get(pk=replaces.pk)
        if len(enrolments) != 1 or enrolments[0].pk != replaces.enrolment_id:
            raise ValidationError(_("A re-issue replaces one certificate of the same learner."))
        if replaces.status == Certificate.Status.REVOKED:
            raise ValidationError(_("This certificate has already been revoked or re-issued."))
    else:
        held = set(
            Certificate.objects.filter(
                course=course,
                enrolment__in=enrolments,
                status=Certificate.Status.VALID,
            ).values_list("enrolment_id", flat=True)
        )
        enrolments = [e for e in enrolments if e.pk not in held]
        if not enrolments:
            return []
    # The holder's name as it is on the rolls now (a re-issue exists to carry a corrected one),
    # read in one query rather than from possibly stale enrolment.person objects.
    holders = {
        pk: (name, organization_id)
        for pk, name, organization_id in Person.objects.filter(
            pk__in=[e.person_id for e in enrolments]
        ).values_list("pk", "full_name", "organization_id")
    }
    issuer = course.organizer
    issuer_name = organization_name_on(issuer, issued_on)
    expires_on = replaces.expires_on if replaces else expiry_for(programme, issued_on)
    series = _series_locked(programme, issued_on.year)
    certificates = []
    number = series.last_number
    for enrolment in enrolments:
        number += 1
        certificates.append(
            Certificate(
                enrolment=enrolment,
                person_id=enrolment.person_id,
                programme=programme,
                course=course,
                series=series,
                number=number,
                serial=serial_make(series.serial_format, number=number, year=issued_on.year),
                issued_on=issued_on,
                issuer=issuer,
                issuer_name=issuer_name,
                holder_name=holders[enrolment.person_id][0],
                expires_on=expires_on,
                replaces=replaces,
            )
        )
    series.last_number = number
    series.save(update_fields=["last_number"])
    if replaces is not None:
        replaces.status = Certificate.Status.REVOKED
        replaces.revoked_on = issued_on
        replaces.revoke_reason = reissue_reason(certificates[0].serial)
        replaces.save(update_fields=["status", "revoked_on", "revoke_reason"])
    created = Certificate.objects.bulk_create(certificates)
    issued = [
        certificate_event(events.CERTIFICATE_ISSUED, c, holders[c.person_id][1]) for c in created
    ]
    if replaces is not None:
        organization_id = holders[replaces.person_id][1]
        issued.append(certificate_event(events.CERTIFICATE_REVOKED, replaces, organization_id))
    events.emit(issued)
    return created


def certificate_event(kind: str, certificate: Certificate, organization_id: int) -> events.Event:
    """What listeners are told about a certificate: no personal data beyond the holder's name,
    which the certificate itself shows."""
    return events.Event(
        kind=kind,
        data={
            "certificate_id": certificate.pk,
            "serial": certificate.serial,
            "status": certificate.status,
            "person_id": certificate.person_id,
            "holder_name": certificate.holder_name,
            "programme_id": certificate.programme_id,
            "course_id": certificate.course_id,
            "issued_on": certificate.issued_on.isoformat(),
            "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
            "issuer_name": certificate.issuer_name,
            "revoked_on": certificate.revoked_on.isoformat() if certificate.revoked_on else None,
            "revoke_reason": certificate.revoke_reason,
        },
        organization_ids=(organization_id,),
    )


def reissue_reason(serial: str) -> str:
    # Stored text, so written in the site's language, not the language of whoever clicked.
    with translation.override(settings.LANGUAGE_CODE):
        return _("Re-issued as %(serial)s") % {"serial": serial}


def certificate_status_on(certificate: Certificate, day: dt.date) -> str:
    """valid | expired | revoked | not_yet, as of a day. A certificate is valid up to and
    including its expiry date, and revoked from its revocation date on."""
    if (
        certificate.status == Certificate.Status.REVOKED
        and certificate.revoked_on
        and certificate.revoked_on <= day
    ):
        return Status.REVOKED
    if day < certificate.issued_on:
        return Status.NOT_YET
    if certificate.expires_on and day > certificate.expires_on:
        return Status.EXPIRED
    return Status.VALID


# ---------------------------------------------------------------------------------------------
# Revoking and re-issuing


def can_manage_certificates(user: User) -> bool:
    """Revoking, re-issuing and the numbering settings belong to the department."""
    return has_capability(user, Capability.MANAGE_CERTIFICATES)


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, reason: str, actor: User | None, today: dt.date
) -> Certificate:
    """Revoke with a reason, from today. The certificate stays, marked revoked."""
    reason = clean_text(reason)
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Give the reason for revoking the certificate.")
    elif len(reason) > 500:
        errors["reason"] = _("Keep the reason under 500 characters.")
    if locked.status == Certificate.Status.REVOKED:
        errors["__all__"] = _("This certificate has already been revoked.")
    if errors:
        raise ValidationError(errors)
    locked.status = Certificate.Status.REVOKED
    locked.revoked_on = today
    locked.revoke_reason = reason
    locked.save(update_fields=["status", "revoked_on", "revoke_reason"])
    audit_record(actor=actor, obj=locked, action="certificate_revoke", summary=reason)
    organization_id = Person.objects.filter(pk=locked.person_id).values_list(
        "organization_id", flat=True
    )[0]
    events.emit([certificate_event(events.CERTIFICATE_REVOKED, locked, organization_id)])
    return locked


@transaction.atomic
def certificate_reissue(
    *, certificate: Certificate, actor: User | None, today: dt.date, note: str = ""
) -> Certificate:
    """Re-issue after a correction (e.g. of the holder's name on the person record): a new
    certificate, new serial in this year's series, carrying the person's name as it is now and
    the old expiry; the old one is revoked "re-issued as <new serial>"."""
    note = clean_text(note)
    if len(note) > 500:
        raise ValidationError({"note": _("Keep the note under 500 characters.")})
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError(_("This certificate has already been revoked or re-issued."))
    enrolment = Enrolment.objects.get(pk=certificate.enrolment_id)
    course = Course.objects.select_related("programme", "organizer").get(pk=certificate.course_id)
    (new,) = certificates_issue(
        course=course,
        enrolments=[enrolment],
        issued_on=today,
        actor=actor,
        replaces=certificate,
    )
    audit_record(
        actor=actor,
        obj=new,
        action="certificate_reissue",
        summary=f"{certificate.serial} → {new.serial}" + (f": {note}" if note else ""),
    )
    return new


# ---------------------------------------------------------------------------------------------
# Reads


def certificate_scope(*, user: User) -> QuerySet[Certificate]:
    """The certificates this user may see: department officers and leaders all of them, an
    organization officer those whose holder is in their subtree, anyone else their own."""
    qs = Certificate.objects.all()
    path = scope_path(user)
    if path == ALL:
        return qs
    if path is not None:
        return qs.filter(person__organization__path__startswith=path)
    person_id = getattr(user, "person_id", None)
    if user.is_authenticated and person_id:
        return qs.filter(person_id=person_id)
    return qs.none()


def may_see_register(user: User) -> bool:
    """Staff within their scope; anyone whose account is a person, for their own."""
    if has_capability(user, Capability.READ_CERTIFICATES) and scope_path(user) is not None:
        return True
    return bool(user.is_authenticated and getattr(user, "person_id", None))


def certificate_get(*, user: User, pk: int) -> Certificate:
    """One certificate with what its page shows; 404 outside the user's scope."""
    try:
        return (
            certificate_scope(user=user)
            .select_related(
                "programme", "course", "issuer", "person__organization", "replaces", "series"
            )
            .get(pk=pk)
        )
    except Certificate.DoesNotExist:
        raise Http404 from None


def certificate_replaced_by(certificate: Certificate) -> Certificate | None:
    """The certificate that re-issued this one, if any (a reverse one-to-one: may be absent)."""
    return Certificate.objects.filter(replaces=certificate).first()


def certificate_register(
    *,
    user: User,
    programme_id: int | None = None,
    year: int | None = None,
    organization: Organization | None = None,
    course_id: int | None = None,
) -> QuerySet[Certificate]:
    """The register (sổ cấp giấy chứng nhận) as this user may see it: by programme, then year,
    then number, which is the order of each series. `organization` means the holder's
    organization and everything below it."""
    qs = certificate_scope(user=user).select_related(
        "programme", "course", "person__organization", "replaces"
    )
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if year:
        qs = qs.filter(issued_on__year=year)
    if organization is not None:
        qs = qs.filter(person__organization__path__startswith=organization.path)
    if course_id:
        qs = qs.filter(course_id=course_id)
    return qs.order_by("programme__code", "series__year", "number", "pk")


def certificate_years(*, user: User) -> list[int]:
    years = (
        certificate_scope(user=user)
        .order_by()
        .annotate(y=ExtractYear("issued_on"))
        .values_list("y", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)


def course_certificates(*, user: User, course_id: int) -> list[Certificate]:
    """The course's certificates in force (not revoked) that the user may see, in serial order,
    with what the printed page needs."""
    return list(
        certificate_scope(user=user)
        .filter(course_id=course_id, status=Certificate.Status.VALID)
        .select_related("programme", "course", "enrolment__result")
        .order_by("series__year", "number", "pk")
    )


@dataclass(frozen=True)
class RegisterRow:
    """A certificate as the register lists it: with its status on the day."""

    certificate: Certificate
    status: str
    label: str


def with_status(certificates: Iterable[Certificate], *, today: dt.date) -> list[RegisterRow]:
    """Each certificate with its status today (a list: it is read by templates and exports)."""
    rows = []
    for certificate in certificates:
        status = certificate_status_on(certificate, today)
        rows.append(RegisterRow(certificate, status, str(STATUS_LABELS[status])))
    return rows


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a verification code names (public: no scope), with what the page shows."""
    return Certificate.objects.select_related("programme", "course").filter(code=code).first()
