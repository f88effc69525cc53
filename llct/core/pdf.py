"""PDFs from HTML with WeasyPrint, reading only what the project itself holds.

A PDF's HTML may load the project's own files (under BASE_DIR) and inline data, never the
network: its names and notes come from users, and a page never needs anything from elsewhere.
WeasyPrint's own fetcher would also build an HTTPS context, with the system's certificates,
for every document (some 20 ms each, for a protocol we refuse anyway)."""

import ssl
from functools import cache

from django.conf import settings

ALLOWED_PROTOCOLS = ("file", "data")


@cache
def _no_network() -> ssl.SSLContext:
    """Given to the fetcher in place of the default context it would build: never used, since
    https is not among the allowed protocols."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`, whose relative addresses are read from BASE_DIR."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, ssl_context=_no_network())
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf
