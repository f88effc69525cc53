"""A report as files: the .docx party document (built-in layout or the department's template)
and its tables as .xlsx. The tables print `figures.Figures` cell lists, the very lists the
screen shows, so the document and the page cannot disagree."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from llct.core.party_documents import PartyDocument
from llct.core.spreadsheets import write_workbook
from llct.reviews import figures as fig
from llct.reviews.documents import department_issuer, issuer_for, letterhead, signature
from llct.reviews.models import DocumentIssuer, DocumentKind, Report
from llct.reviews.rounds import SECTION_TITLES, template_for

ROMAN = ["I", "II", "III", "IV", "V", "VI"]


def report_issuer(report: Report) -> DocumentIssuer:
    if report.is_department:
        issuer = department_issuer()
        if issuer is not None:
            return issuer
    return issuer_for(report.organization)


def report_figures(report: Report) -> fig.Figures:
    # Labels from other apps (indicators) read Vietnamese, as the document always does.
    with translation.override(settings.LANGUAGE_CODE):
        return fig.report_figures(
            organization=report.organization,
            start=report.round.period_start,
            end=report.round.period_end,
        )


def tables(figures: fig.Figures) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headers, rows) of every table of the report, in the order printed."""
    return [
        (
            "Học viên theo chương trình",
            fig.LINE_HEADERS,
            [line.cells() for line in figures.programmes] + [figures.total.cells()],
        ),
        (
            "Xếp loại",
            fig.BAND_HEADERS,
            [line.band_cells() for line in figures.programmes] + [figures.total.band_cells()],
        ),
        ("Theo tổ chức đảng", fig.ORG_HEADERS, [row.cells() for row in figures.children]),
        ("Chỉ số", fig.INDICATOR_HEADERS, [line.cells() for line in figures.indicators]),
        ("Chỉ tiêu đề án", fig.TARGET_HEADERS, [line.cells() for line in figures.targets]),
        ("Kiểm tra, giám sát", fig.OVERSIGHT_HEADERS, [figures.oversight.cells()]),
    ]


def _charts(figures: fig.Figures) -> list[tuple[bytes, str]]:
    from llct.reviews.report_charts import report_charts

    return report_charts(figures)


def _recipients(report: Report, issuer: DocumentIssuer) -> list[str]:
    if report.is_department:
        return [
            "- Thường trực Tỉnh ủy (để báo cáo),",
            "- Ban Tuyên giáo và Dân vận Trung ương (để báo cáo),",
            "- Các đảng bộ trực thuộc,",
            "- Lưu Văn phòng.",
        ]
    return [
        "- Ban Tuyên giáo và Dân vận (để báo cáo),",
        "- Các chi bộ trực thuộc,",
        "- Lưu Văn phòng.",
    ]


def report_docx(
    *, report: Report, figures: fig.Figures | None = None, today: dt.date | None = None
) -> bytes:
    figures = figures or report_figures(report)
    issuer = report_issuer(report)
    day = report.issued_on or today or timezone.localdate()
    template = template_for(report.round.kind)
    layout = template.docx.read() if template.docx else None
    if template.docx:
        template.docx.close()
    document = PartyDocument(template=layout)
    document.head(
        letterhead(
            issuer=issuer,
            kind=DocumentKind.REPORT,
            number=report.number,
            day=day,
            subject=report.round.title,
            draft=not report.number,
        )
    )
    start, end = report.round.period_start, report.round.period_end
    document.paragraph(
        f"Thực hiện kế hoạch của Ban Tuyên giáo và Dân vận, {figures.organization.name} báo cáo "
        f"kết quả công tác giáo dục lý luận chính trị từ ngày {start:%d/%m/%Y} đến ngày "
        f"{end:%d/%m/%Y} như sau:"
    )
    _results(document, report, figures)
    for n, name in enumerate(("limitations", "lessons", "directions", "proposals"), start=2):
        document.heading(f"{ROMAN[n - 1]}. {SECTION_TITLES[name].upper()}")
        document.text(getattr(report, name) or "Không.")
    document.close(signature(issuer=issuer, recipients=_recipients(report, issuer)))
    return document.to_bytes()


def _results(document: PartyDocument, report: Report, figures: fig.Figures) -> None:
    document.heading(f"I. {SECTION_TITLES['results'].upper()}")
    document.text(report.results)
    blocks = tables(figures)
    total = figures.total
    document.paragraph("1. Đào tạo, bồi dưỡng theo chương trình", bold=True)
    document.paragraph(
        f"Tổ chức {total.courses_held}/{total.courses_planned} lớp theo kế hoạch "
        f"({total.held_rate}); {total.enrolled} lượt học viên nhập học, {total.passed}/"
        f"{total.with_results} học viên có kết quả đạt yêu cầu ({total.pass_rate})."
    )
    _table(document, blocks[0], widths=[4.2, 1.6, 1.6, 1.8, 1.8, 1.6, 1.4, 1.6])
    document.paragraph("2. Kết quả xếp loại", bold=True)
    _table(document, blocks[1], widths=[5.0, 1.9, 1.9, 1.9, 1.9, 1.9, 1.9])
    charts = _charts(figures)
    for png, caption in charts:
        document.picture(png, caption=caption)
    if figures.children:
        document.paragraph("3. Kết quả theo tổ chức đảng trực thuộc", bold=True)
        _table(document, blocks[2], widths=[4.4, 1.5, 1.5, 1.6, 1.4, 1.6, 2.4, 2.2])
        if figures.idle_children:
            document.paragraph(
                f"{figures.idle_children} tổ chức trực thuộc khác chưa có số liệu trong kỳ.",
                italic=True,
            )
    document.paragraph("4. Kinh phí", bold=True)
    document.paragraph(
        f"Kinh phí theo kế hoạch được duyệt: {fig.money(figures.budget.denominator)} đồng; "
        f"đã chi: {fig.money(figures.budget.numerator)} đồng ({figures.budget_rate})."
    )
    document.paragraph("5. Đánh giá của học viên đối với giảng viên", bold=True)
    document.paragraph(
        f"Điểm đánh giá bình quân: {figures.rating_text} (thang điểm 5, "
        f"{figures.rating_answers} lượt đánh giá)."
    )
    if figures.indicators:
        document.paragraph("6. Thực hiện các chỉ tiêu", bold=True)
        _table(document, blocks[3], widths=[8.0, 2.2, 2.2, 4.0])
    if figures.targets:
        project = figures.targets[0].project
        document.paragraph(f"7. Chỉ tiêu Đề án {project} so với mốc năm", bold=True)
        _table(document, blocks[4], widths=[8.4, 2.4, 2.4, 3.2])
    document.paragraph("8. Kiểm tra, giám sát", bold=True)
    _table(document, blocks[5], widths=[2.6, 2.4, 2.2, 2.2, 2.4, 2.4, 2.2])


def _table(
    document: PartyDocument, block: tuple[str, list[str], list[list[str]]], *, widths: list[float]
) -> Any:
    _title, headers, rows = block
    numeric = list(range(1, len(headers)))
    return document.table(headers, rows, widths=widths, numeric=numeric, size=10)


def report_xlsx(*, report: Report, figures: fig.Figures | None = None) -> bytes:
    figures = figures or report_figures(report)
    return write_workbook(tables(figures))
