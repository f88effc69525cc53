"""Issuing party documents: who issues (names as on the document's date), the number series
that never repeats or skips, and the letterhead and signing block every document shares."""

import datetime as dt
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from llct.core.models import audit_record
from llct.core.party_documents import Letterhead, Signature
from llct.core.text import clean_text
from llct.organizations.models import Organization
from llct.planning.plans.selectors import names_on
from llct.reviews.models import DocumentIssuer, DocumentKind, DocumentSeries, IssuedNumber

KIND_TITLES = {
    DocumentKind.REPORT: "BÁO CÁO",
    DocumentKind.PLAN: "KẾ HOẠCH",
    DocumentKind.NOTICE: "THÔNG BÁO",
    DocumentKind.DECISION: "QUYẾT ĐỊNH",
    DocumentKind.RESOLUTION: "NGHỊ QUYẾT",
    DocumentKind.LETTER: "CÔNG VĂN",
}


def default_abbreviation(name: str) -> str:
    """ "Đảng ủy xã Đồng Tâm" -> "ĐU"; "Chi bộ thôn Trung Hòa" -> "CB": the initials of the
    first two words, as organizations abbreviate themselves in numbers."""
    initials = "".join(w[0] for w in name.split()[:2]).upper()
    # Tone and vowel marks go ("Ủ" -> "U"); Đ has no decomposition and stays.
    plain = "".join(
        c for c in unicodedata.normalize("NFD", initials) if not unicodedata.combining(c)
    )
    return unicodedata.normalize("NFC", plain) or "TC"


def department_issuer() -> DocumentIssuer | None:
    return DocumentIssuer.objects.select_related("organization").filter(is_department=True).first()


def issuer_for(organization: Organization) -> DocumentIssuer:
    """The organization's own issuer row, made with defaults the first time it issues."""
    issuer, _created = DocumentIssuer.objects.select_related("organization").get_or_create(
        organization=organization,
        body="",
        defaults={"abbreviation": default_abbreviation(organization.name)},
    )
    return issuer


@transaction.atomic
def issuer_save(
    *,
    issuer: DocumentIssuer | None,
    organization: Organization,
    body: str,
    abbreviation: str,
    place: str,
    authority: str,
    signer_position: str,
    signer_name: str,
    is_department: bool,
    actor: Any,
) -> DocumentIssuer:
    issuer = issuer or DocumentIssuer()
    issuer.organization = organization
    issuer.body = clean_text(body)
    issuer.abbreviation = clean_text(abbreviation)
    issuer.place = clean_text(place)
    issuer.authority = clean_text(authority)
    issuer.signer_position = clean_text(signer_position)
    issuer.signer_name = clean_text(signer_name)
    if is_department:
        DocumentIssuer.objects.exclude(pk=issuer.pk).filter(is_department=True).update(
            is_department=False
        )
    issuer.is_department = is_department
    issuer.full_clean()
    issuer.save()
    audit_record(actor=actor, obj=issuer, action="saved", summary=str(issuer))
    return issuer


def number_issue(
    *, issuer: DocumentIssuer, kind: str, day: dt.date, subject: str, actor: Any
) -> str:
    """The next number of the issuer's series for the kind and the year of `day`, e.g.
    "05-BC/BTG". The series row is locked (SELECT ... FOR UPDATE) for the rest of the caller's
    transaction, so two documents issued at once get consecutive numbers; a failed issue rolls
    back with its transaction, so nothing is skipped."""
    if not issuer.abbreviation:
        raise ValidationError(_("The issuer has no abbreviation for its numbers."))
    with transaction.atomic():
        DocumentSeries.objects.get_or_create(issuer=issuer, kind=kind, year=day.year)
        series = DocumentSeries.objects.select_for_update().get(
            issuer=issuer, kind=kind, year=day.year
        )
        series.last_number += 1
        series.save(update_fields=["last_number"])
        text = f"{series.last_number:02d}-{kind}/{issuer.abbreviation}"
        IssuedNumber.objects.create(
            series=series,
            number=series.last_number,
            text=text,
            subject=subject[:300],
            issued_on=day,
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
    return text


def issuer_names(issuer: DocumentIssuer, day: dt.date) -> tuple[str, str]:
    """(superior body, issuing body) as named on `day`."""
    parent_name, own_name = names_on(issuer.organization, day)
    if issuer.body:
        return own_name, issuer.body
    return parent_name, own_name


def letterhead(
    *,
    issuer: DocumentIssuer,
    kind: str,
    number: str,
    day: dt.date,
    subject: str,
    draft: bool = False,
) -> Letterhead:
    superior, name = issuer_names(issuer, day)
    return Letterhead(
        superior=superior,
        issuer=name,
        number=number,
        kind_code=kind,
        place=issuer.place,
        day=day,
        kind_title=KIND_TITLES.get(DocumentKind(kind), kind),
        subject=subject,
        draft=draft,
    )


def signature(*, issuer: DocumentIssuer, recipients: list[str]) -> Signature:
    return Signature(
        authority=issuer.authority,
        position=issuer.signer_position,
        name=issuer.signer_name,
        recipients=recipients,
    )
