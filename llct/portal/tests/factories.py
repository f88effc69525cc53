import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from llct.core.models import User
from llct.portal import documents as docs
from llct.portal import services
from llct.portal.models import AccessLevel, Article, Category, Document


def make_category(name: str = "Chính trị", *, actor: User) -> Category:
    existing = Category.objects.filter(name=name).first()
    return existing or services.category_create(name=name, actor=actor)


def make_article(
    *,
    actor: User,
    title: str = "Hội nghị quán triệt Nghị quyết",
    category: Category | None = None,
    body: str = "<p>Sáng nay, Ban Thường vụ tổ chức hội nghị.</p>",
    published_at: dt.datetime | None = None,
    publish: bool = True,
    featured: bool = False,
) -> Article:
    article = services.article_create(
        title=title,
        category=category or make_category(actor=actor),
        lead="Hội nghị trực tuyến đến 120 điểm cầu.",
        body=body,
        author_name="Minh Anh",
        featured=featured,
        actor=actor,
    )
    if publish:
        now = timezone.now()
        services.article_submit(article=article, actor=actor)
        services.article_publish(article=article, at=published_at, now=now, actor=actor)
    return article


def jpeg_upload(name: str = "anh.jpg", size: tuple[int, int] = (1600, 900)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF whose text layer holds `text` (WeasyPrint, as the app's PDFs)."""
    from weasyprint import HTML

    html = f'<html><body style="font-family: DejaVu Sans">{text}</body></html>'
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def make_document(
    *,
    actor: User,
    number: str = "131-KH/ĐUK",
    access: str = AccessLevel.PUBLIC,
    subject: str = "Kế hoạch học tập, quán triệt Nghị quyết",
    kind: str = Document.Kind.PLAN,
    issued_on: dt.date = dt.date(2025, 9, 15),
    issuer: str = "Đảng ủy các cơ quan Đảng tỉnh",
) -> Document:
    return docs.document_save(
        kind=kind,
        number=number,
        issuer=issuer,
        issued_on=issued_on,
        subject=subject,
        access=access,
        actor=actor,
    )


def attach_pdf(document: Document, text: str, *, actor: User, name: str = "van-ban.pdf") -> Any:
    upload = SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")
    return docs.document_file_add(document=document, upload=upload, actor=actor)
