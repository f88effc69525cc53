"""The notice of an inspection's conclusions (Thông báo kết luận) as a party document."""

import datetime as dt

from llct.core.party_documents import PartyDocument
from llct.reviews import inspections as ins
from llct.reviews.documents import department_issuer, issuer_for, letterhead, signature
from llct.reviews.models import DocumentKind, Finding, Inspection


def conclusion_docx(*, inspection: Inspection, today: dt.date) -> bytes:
    issuer = department_issuer() or issuer_for(inspection.subjects.all()[0])
    day = inspection.concluded_on or today
    document = PartyDocument()
    document.head(
        letterhead(
            issuer=issuer,
            kind=DocumentKind.NOTICE,
            number=inspection.number,
            day=day,
            subject=f"Kết luận {inspection.get_kind_display().lower()}: {inspection.title}",
            draft=not inspection.number,
        )
    )
    subjects = ", ".join(s.name for s in inspection.subjects.all())
    team = ", ".join(u.display_name for u in inspection.team.all())
    document.paragraph(
        f"Thực hiện Chương trình kiểm tra, giám sát năm {inspection.programme.year}, Đoàn "
        f"({team}) đã tiến hành {inspection.get_kind_display().lower()} đối với {subjects} về "
        f"{inspection.title}, thời kỳ từ {inspection.period_start:%d/%m/%Y} đến "
        f"{inspection.period_end:%d/%m/%Y}."
    )
    document.heading("I. KẾT QUẢ KIỂM TRA THEO NỘI DUNG")
    for block in ins.subject_sheet(inspection):
        document.paragraph(block["organization"].name, bold=True)
        rows = []
        for n, row in enumerate(block["rows"], start=1):
            finding = row["finding"]
            result = ""
            if finding is not None:
                result = "Đạt" if finding.result == Finding.Result.MET else "Chưa đạt"
            rows.append(
                [
                    str(n),
                    row["item"].text,
                    finding.figure if finding is not None and finding.figure else row["figure"],
                    result,
                    finding.note if finding is not None else "",
                ]
            )
        document.table(
            ["STT", "Nội dung", "Số liệu", "Kết quả", "Ghi chú"],
            rows,
            widths=[1.1, 6.0, 2.8, 2.0, 4.6],
            size=11,
        )
    document.heading("II. KẾT LUẬN")
    document.text(inspection.conclusion or "(Chưa kết luận.)")
    document.heading("III. KIẾN NGHỊ")
    recommendations = list(inspection.recommendations.select_related("organization"))
    if not recommendations:
        document.paragraph("Không.")
    for n, rec in enumerate(recommendations, start=1):
        document.paragraph(
            f"{n}. {rec.organization.name}: {rec.text} Thời hạn hoàn thành: "
            f"{rec.deadline:%d/%m/%Y}."
        )
    recipients = [f"- {s.name}," for s in inspection.subjects.all()] + ["- Lưu Văn phòng."]
    document.close(signature(issuer=issuer, recipients=recipients))
    return document.to_bytes()
