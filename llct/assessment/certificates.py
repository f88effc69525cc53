"""Issuing certificates: serial numbers from a series per programme and year, allocated under a
row lock so that concurrent approvals never share or skip a number."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q

from llct.assessment.models import Certificate, CertificateSeries
from llct.courses.models import Course, Enrolment
from llct.organizations.models import Organization, OrganizationVersion, add_months


def issuer_name_on(organization: Organization, day: dt.date) -> str:
    """The organization's name as it was on that day (names change; certificates keep theirs)."""
    version = (
        OrganizationVersion.objects.filter(organization=organization, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .first()
    )
    return version.name if version else organization.name


def _series_locked(programme_id: int, year: int) -> CertificateSeries:
    CertificateSeries.objects.get_or_create(programme_id=programme_id, year=year)
    return CertificateSeries.objects.select_for_update().get(programme_id=programme_id, year=year)


@transaction.atomic
def certificates_issue(
    *,
    course: Course,
    enrolments: list[Enrolment],
    issued_on: dt.date,
    actor: Any = None,
    replaces: Certificate | None = None,
) -> list[Certificate]:
    """One certificate per enrolment, numbered consecutively in the series of the course's
    programme and the issue year."""
    if not enrolments:
        return []
    programme = course.programme
    series = _series_locked(programme.pk, issued_on.year)
    issuer_name = issuer_name_on(course.organizer, issued_on)
    expires_on = (
        add_months(issued_on, programme.certificate_valid_months)
        if programme.certificate_valid_months
        else None
    )
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
                serial=series.serial_format.format(number=number, year=issued_on.year),
                issued_on=issued_on,
                issuer=course.organizer,
                issuer_name=issuer_name,
                holder_name=enrolment.person.full_name,
                expires_on=expires_on,
                replaces=replaces,
            )
        )
    series.last_number = number
    series.save(update_fields=["last_number"])
    return Certificate.objects.bulk_create(certificates)


def certificate_status_on(certificate: Certificate, day: dt.date) -> str:
    """valid | expired | revoked | not_yet, as of a day."""
    if (
        certificate.status == Certificate.Status.REVOKED
        and certificate.revoked_on
        and certificate.revoked_on <= day
    ):
        return "revoked"
    if day < certificate.issued_on:
        return "not_yet"
    if certificate.expires_on and day > certificate.expires_on:
        return "expired"
    return "valid"
