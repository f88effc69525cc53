"""An .xlsx written row by row straight into its zip archive: a million rows in seconds and in
constant memory, where openpyxl builds a cell object per value.

Strings are inline strings (`t="inlineStr"`): never a formula, whatever they start with, so a
name or a position typed as "=..." stays text. Numbers are numbers; None is an empty cell."""

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any
from xml.sax.saxutils import escape

# Characters XML 1.0 does not allow, which a pasted name may still carry.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACES = " \t\n\r"
_ILLEGAL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG = "http://schemas.openxmlformats.org/package/2006"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SHEET}.styles+xml"/></Types>'
)
_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
# Two cell styles: 0 normal, 1 bold (the header row).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _workbook(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}">'
        f'<sheets><sheet name="{escape(title[:31], {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


def _cell(value: Any, style: str = "") -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float):
        return f"<c{style}><v>{value}</v></c>"
    text = escape(_ILLEGAL.sub("", str(value)))
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


def text_cell(value: str) -> str:
    """A string cell, escaped, for rows given to `write_xlsx_rows` (which removes the
    characters XML does not allow, a chunk at a time). Spaces at either end are kept
    (`xml:space="preserve"`, which a spreadsheet would otherwise trim)."""
    if not value:
        return "<c/>"
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if value[0] in _SPACES or value[-1] in _SPACES:
        return f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def write_xlsx_stream(
    target: str | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet",
    progress: Any = None,
) -> int:
    """Write the workbook to `target` (a path or a binary file); returns the number of rows.
    `progress(n)` is called every 10,000 rows."""
    return write_xlsx_rows(
        target,
        headers,
        ("<row>" + "".join(map(_cell, row)) + "</row>" for row in rows),
        title=title,
        progress=progress,
    )


def write_xlsx_rows(
    target: str | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[str],
    *,
    title: str = "Sheet",
    progress: Any = None,
) -> int:
    """Like `write_xlsx_stream`, from rows already written as `<row>` XML whose text is
    escaped (`text_cell`): a million rows without a function call per cell. Characters XML
    does not allow are removed here, a chunk at a time."""
    count = 0

    def chunks() -> Iterator[bytes]:
        nonlocal count
        parts: list[str] = []
        for row in rows:
            parts.append(row)
            count += 1
            if count % 10_000 == 0:
                yield "".join(parts).encode()
                parts = []
                if progress is not None:
                    progress(count)
        yield "".join(parts).encode()

    write_xlsx_chunks(target, headers, chunks(), title=title)
    return count


def xml_clean(chunk: bytes) -> bytes:
    """UTF-8 XML text without the characters XML 1.0 does not allow: the control bytes never
    occur inside a multi-byte sequence, so deleting them is one pass in C."""
    chunk = chunk.translate(None, _ILLEGAL_BYTES)
    if b"\xef\xbf\xbe" in chunk or b"\xef\xbf\xbf" in chunk:  # U+FFFE, U+FFFF
        chunk = chunk.replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")
    return chunk


def write_xlsx_chunks(
    target: str | IO[bytes],
    headers: Sequence[str],
    chunks: Iterable[bytes],
    *,
    title: str = "Sheet",
) -> None:
    """The workbook around a sheet whose rows come as UTF-8 `<row>` XML in chunks of any
    size (whitespace between rows allowed), text escaped; `xml_clean` is applied here. The
    archive is compressed at level 1: the sheet is most of the work, and the file is still
    about a sixth of the XML."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _workbook(title))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            header = "".join(_cell(h, ' s="1"') for h in headers)
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData>" + f"<row>{header}</row>".encode()
            )
            for chunk in chunks:
                sheet.write(xml_clean(chunk))
            sheet.write(b"</sheetData></worksheet>")
