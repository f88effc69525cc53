import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from llct.portal.tests.factories import make_document
from llct.studies import campaigns, contests
from llct.studies.models import Campaign, Contest, Question, QuestionBank

HEADER = ["Câu hỏi", "Phương án A", "Phương án B", "Phương án C", "Phương án D", "Đáp án"]


def make_campaign(
    world: Any,
    *,
    organization: Any = None,
    stages: list[str] | None = None,
    starts_on: dt.date = dt.date(2026, 1, 5),
    deadline: dt.date = dt.date(2026, 3, 31),
    positions: str = "",
) -> Campaign:
    document = make_document(actor=world.department, number=f"NQ-{Campaign.objects.count() + 1}")
    return campaigns.campaign_create(
        title="Học tập, quán triệt Nghị quyết Đại hội",
        document=document,
        organization=organization or world.province,
        stages=stages or [],
        positions=positions,
        starts_on=starts_on,
        deadline=deadline,
        actor=world.department,
    )


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("cau-hoi.xlsx", buffer.getvalue())


def make_bank(world: Any, *, questions: int = 30) -> QuestionBank:
    document = make_document(
        actor=world.department, number=f"KH-{QuestionBank.objects.count() + 1}"
    )
    bank = contests.bank_create(
        document=document, title="Ngân hàng câu hỏi", actor=world.department
    )
    Question.objects.bulk_create(
        Question(
            bank=bank, text=f"Câu hỏi số {i}", options=["A", "B", "C", "D"], answer=i % 4, row=i
        )
        for i in range(questions)
    )
    return bank


def make_contest(world: Any, *, bank: QuestionBank | None = None, **fields: Any) -> Contest:
    now = timezone.now()
    values: dict[str, Any] = {
        "title": "Thi tìm hiểu Nghị quyết",
        "bank": bank or make_bank(world),
        "organization": world.province,
        "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=30),
    }
    values.update(fields)
    return contests.contest_create(actor=world.department, **values)
