"""A PDF reads the project's own files and inline data, never the network."""

import base64
import socket

from llct.core.pdf import html_to_pdf

# A 1×1 PNG, inline.
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def test_a_pdf_never_fetches_from_the_network_but_keeps_inline_pictures(monkeypatch):
    dialled = []

    def dial(address, *args, **kwargs):
        dialled.append(address)
        raise OSError("no network in a PDF")

    monkeypatch.setattr(socket, "create_connection", dial)
    pdf = html_to_pdf(
        '<p>Nguyễn Văn Ánh</p><img src="http://127.0.0.1:9/tracker.png">'
        '<img src="https://example.invalid/x.png">'
        f'<img src="data:image/png;base64,{PIXEL}">'
    )
    assert pdf.startswith(b"%PDF")
    assert dialled == []
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
