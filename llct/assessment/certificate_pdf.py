"""The printed certificate: A4 landscape, one page per certificate, in Vietnamese (DejaVu fonts
have every Vietnamese glyph), with a QR code that opens the public verification page."""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse

from llct.assessment.certificates import STATUS_LABELS, Status, certificate_status_on
from llct.assessment.models import Certificate, GradeBand
from llct.core.pdf import html_to_pdf
from llct.courses.qr import qr_data_uri

# Turns a verification code into the absolute URL printed under the QR code.
UrlFor = Callable[[str], str]


def verification_path(code: str) -> str:
    return reverse("verify:certificate", args=[code])


def _band(certificate: Certificate) -> str:
    try:
        result = certificate.enrolment.result
    except ObjectDoesNotExist:
        return ""
    return str(GradeBand(result.band).label) if result.band else ""


def certificate_pages(
    certificates: Sequence[Certificate], *, url_for: UrlFor, today: dt.date
) -> list[dict[str, Any]]:
    pages = []
    for certificate in certificates:
        url = url_for(certificate.code)
        status = certificate_status_on(certificate, today)
        pages.append(
            {
                "certificate": certificate,
                "url": url,
                "qr": qr_data_uri(url, scale=4, border=1),
                "band": _band(certificate),
                "revoked": status == Status.REVOKED,
                "status_label": STATUS_LABELS[status],
            }
        )
    return pages


def certificates_html(
    certificates: Sequence[Certificate], *, url_for: UrlFor, today: dt.date
) -> str:
    return render_to_string(
        "assessment/certificate_pdf.html",
        {"pages": certificate_pages(certificates, url_for=url_for, today=today)},
    )


def certificates_pdf(
    certificates: Sequence[Certificate], *, url_for: UrlFor, today: dt.date
) -> bytes:
    """One page per certificate, in the order given."""
    return html_to_pdf(certificates_html(certificates, url_for=url_for, today=today))
