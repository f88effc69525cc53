"""QR images of links: the check-in poster of a session and the verification code printed on a
certificate (the assessment app uses them too)."""

import io

import segno


def qr_data_uri(url: str, *, scale: int = 6, border: int = 2) -> str:
    """An SVG QR code as a data: URI (the CSP allows data: images, not inline markup)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=scale, border=border))


def qr_svg(url: str, *, scale: int = 10) -> bytes:
    """An SVG file of the QR code, for printing."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=True)
    return buffer.getvalue()
