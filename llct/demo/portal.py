"""Demo portal: categories, a dozen articles of the kind a provincial department publishes
(one scheduled for tomorrow), and the library's project, plan and resolution documents with
their relations and a PDF each (text searchable)."""

import datetime as dt
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from llct.core.models import User
from llct.core.pdf import html_to_pdf
from llct.portal import documents as docs
from llct.portal import services
from llct.portal.models import (
    AccessLevel,
    Article,
    ArticleImage,
    Category,
    Document,
    DocumentRelation,
)

CATEGORIES = [
    "Chính trị",
    "Xây dựng Đảng",
    "Giáo dục lý luận chính trị",
    "Học tập và làm theo Bác",
    "Thời sự",
]

ARTICLES = [
    (
        "Chính trị",
        "Hội nghị quán triệt Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XVI",
        "Sáng nay, Ban Thường vụ Tỉnh ủy tổ chức hội nghị trực tuyến học tập, quán triệt "
        "Nghị quyết Đại hội đến 168 điểm cầu cơ sở.",
        True,
    ),
    (
        "Giáo dục lý luận chính trị",
        "Khai giảng lớp bồi dưỡng lý luận chính trị cho đảng viên mới",
        "72 đảng viên dự bị của Đảng ủy các cơ quan Đảng tỉnh tham gia lớp học trong 8 ngày.",
        True,
    ),
    (
        "Xây dựng Đảng",
        "Nâng cao chất lượng sinh hoạt chi bộ ở cơ sở",
        "Nhiều chi bộ đã đổi mới nội dung sinh hoạt chuyên đề, gắn với nhiệm vụ chính trị "
        "của đơn vị.",
        False,
    ),
    (
        "Học tập và làm theo Bác",
        "Lan tỏa những mô hình hay học tập và làm theo tư tưởng Hồ Chí Minh",
        "Năm 2025, toàn tỉnh có 312 tập thể, cá nhân điển hình được biểu dương.",
        True,
    ),
    (
        "Giáo dục lý luận chính trị",
        "Sơ kết 6 tháng công tác giáo dục lý luận chính trị",
        "Trong 6 tháng đầu năm, toàn tỉnh mở 46 lớp bồi dưỡng với 3.870 lượt học viên.",
        False,
    ),
    (
        "Chính trị",
        "Phát động cuộc thi trực tuyến tìm hiểu Nghị quyết Đại hội XIV của Đảng",
        "Cuộc thi diễn ra trong ba tuần, mỗi người được dự thi tối đa ba lượt mỗi tuần.",
        False,
    ),
    (
        "Xây dựng Đảng",
        "Kết nạp 215 đảng viên mới trong quý III",
        "Công tác phát triển đảng viên trong khối doanh nghiệp có nhiều chuyển biến tích cực.",
        False,
    ),
    (
        "Thời sự",
        "Ra mắt cổng thông tin giáo dục lý luận chính trị của tỉnh",
        "Cổng thông tin cung cấp tin tức, văn bản và tài liệu tự học cho cán bộ, đảng viên.",
        False,
    ),
    (
        "Giáo dục lý luận chính trị",
        "Bồi dưỡng nghiệp vụ cho báo cáo viên cấp cơ sở",
        "Hơn 120 báo cáo viên được cập nhật kỹ năng truyền đạt nghị quyết đến đảng viên.",
        False,
    ),
    (
        "Học tập và làm theo Bác",
        "Chi bộ thôn Đồng Tâm: điểm sáng làm theo lời Bác",
        "Từ phong trào hiến đất làm đường, thôn đã hoàn thành tiêu chí nông thôn mới nâng cao.",
        False,
    ),
    (
        "Chính trị",
        "Triển khai Kế hoạch 131-KH/ĐUK về học tập, quán triệt Nghị quyết",
        "Đảng ủy các cơ quan Đảng tỉnh yêu cầu 100% đảng viên hoàn thành bài thu hoạch trước hạn.",
        False,
    ),
    (
        "Thời sự",
        "Tổng kết 5 năm thực hiện Đề án 06-ĐA/TU",
        "Tỷ lệ cán bộ chủ chốt cấp cơ sở có trình độ trung cấp lý luận trở lên đạt 96,4%.",
        False,
    ),
]

BODY = (
    "<p>{lead}</p>"
    "<p>Phát biểu tại hội nghị, đồng chí Trưởng Ban Tuyên giáo và Dân vận Tỉnh ủy nhấn mạnh: "
    "các cấp ủy cần tổ chức học tập nghiêm túc, gắn với xây dựng chương trình hành động cụ thể; "
    "mỗi cán bộ, đảng viên viết bài thu hoạch, liên hệ với nhiệm vụ được giao.</p>"
    "<h2>Những kết quả nổi bật</h2>"
    "<ul><li>100% chi bộ tổ chức sinh hoạt chuyên đề.</li>"
    "<li>Tỷ lệ đảng viên tham gia học tập đạt trên 97%.</li>"
    "<li>Nhiều mô hình được nhân rộng trong toàn tỉnh.</li></ul>"
    "{image}"
    "<p>Hội nghị được tổ chức theo hình thức trực tiếp kết hợp trực tuyến, bảo đảm thiết thực, "
    "hiệu quả, tiết kiệm.</p>"
)

AUTHORS = ["Minh Anh", "Thu Hà", "Quang Huy", "Ban Tuyên giáo và Dân vận", "Hoàng Lan"]

DOCUMENTS = [
    # key, kind, number, issuer, issued_on, subject, access
    (
        "project",
        Document.Kind.PROJECT,
        "06-ĐA/TU",
        "Tỉnh ủy",
        dt.date(2021, 6, 10),
        "Đề án nâng cao chất lượng công tác giáo dục lý luận chính trị giai đoạn 2021–2025",
        AccessLevel.PUBLIC,
    ),
    (
        "resolution",
        Document.Kind.RESOLUTION,
        "01-NQ/ĐH",
        "Đại hội đại biểu Đảng bộ tỉnh",
        dt.date(2025, 10, 2),
        "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XVI, nhiệm kỳ 2025–2030",
        AccessLevel.PUBLIC,
    ),
    (
        "plan",
        Document.Kind.PLAN,
        "131-KH/ĐUK",
        "Đảng ủy các cơ quan Đảng tỉnh",
        dt.date(2025, 11, 12),
        "Kế hoạch học tập, quán triệt và triển khai thực hiện Nghị quyết Đại hội Đảng bộ tỉnh",
        AccessLevel.MEMBERS,
    ),
    (
        "plan_old",
        Document.Kind.PLAN,
        "98-KH/BTG",
        "Ban Tuyên giáo Tỉnh ủy",
        dt.date(2024, 2, 20),
        "Kế hoạch bồi dưỡng lý luận chính trị năm 2024",
        AccessLevel.PUBLIC,
    ),
    (
        "plan_new",
        Document.Kind.PLAN,
        "12-KH/BTGDV",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        dt.date(2025, 12, 28),
        "Kế hoạch bồi dưỡng lý luận chính trị năm 2026",
        AccessLevel.PUBLIC,
    ),
    (
        "report",
        Document.Kind.OTHER,
        "05-BC/BTGDV",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        dt.date(2025, 7, 8),
        "Báo cáo sơ kết 6 tháng công tác giáo dục lý luận chính trị",
        AccessLevel.INTERNAL,
    ),
]


def _pdf(title: str, body: str) -> bytes:
    html = (
        '<html><body style="font-family: DejaVu Serif; font-size: 12pt">'
        f"<p style='text-align:center'><b>ĐẢNG CỘNG SẢN VIỆT NAM</b></p><h1>{title}</h1>"
        f"<p>{body}</p></body></html>"
    )
    return html_to_pdf(html)


def _image(rng: random.Random) -> SimpleUploadedFile:
    """A generated banner (no photo ships with the demo): red and gold bands."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 900), (150, 20, 20))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        y = rng.randint(0, 900)
        draw.rectangle([0, y, 1600, y + rng.randint(20, 90)], fill=(200, 160 + i * 10, 40))
    draw.ellipse([650, 250, 950, 550], fill=(250, 210, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("banner.jpg", buffer.getvalue(), content_type="image/jpeg")


def portal_demo(
    *, rng: random.Random, actor: User, now: dt.datetime | None = None
) -> dict[str, Any]:
    now = now or timezone.now()
    categories = {
        name: services.category_create(name=name, rank=i, actor=actor)
        for i, name in enumerate(CATEGORIES)
    }
    articles = []
    for i, (category, title, lead, featured) in enumerate(ARTICLES):
        article = services.article_create(
            title=title,
            category=categories[category],
            lead=lead,
            body=BODY.format(lead=lead, image=""),
            author_name=AUTHORS[i % len(AUTHORS)],
            featured=featured,
            actor=actor,
        )
        if i < 6:
            image = services.article_image_add(
                article=article, upload=_image(rng), caption="Quang cảnh hội nghị", actor=actor
            )
            figure = (
                f'<figure><img src="/tin-tuc/anh/{image.pk}/page/" alt="Quang cảnh">'
                "<figcaption>Quang cảnh hội nghị</figcaption></figure>"
            )
            services.article_update(
                article=article,
                title=title,
                category=categories[category],
                lead=lead,
                body=BODY.format(lead=lead, image=figure),
                author_name=article.author_name,
                featured=featured,
                actor=actor,
            )
        if i == len(ARTICLES) - 1:
            continue  # the last one stays a draft
        services.article_submit(article=article, actor=actor)
        if i == len(ARTICLES) - 2:
            services.article_publish(
                article=article, at=now + dt.timedelta(days=1), now=now, actor=actor
            )
            continue
        services.article_publish(article=article, now=now, actor=actor)
        # Spread the publication times over the past weeks.
        Article.objects.filter(pk=article.pk).update(
            published_at=now - dt.timedelta(days=i * 3 + 1, hours=rng.randint(0, 8))
        )
        articles.append(article)
    documents = {}
    for key, kind, number, issuer, issued_on, subject, access in DOCUMENTS:
        document = docs.document_save(
            kind=kind,
            number=number,
            issuer=issuer,
            issued_on=issued_on,
            subject=subject,
            summary=subject,
            access=access,
            actor=actor,
        )
        body = (
            f"{subject}. Mục tiêu: 100% đảng viên mới được bồi dưỡng lý luận chính trị "
            "trong thời gian dự bị; 100% cán bộ chủ chốt cấp cơ sở đạt trình độ trung cấp."
        )
        upload = SimpleUploadedFile(f"{number.replace('/', '-')}.pdf", _pdf(number, body))
        docs.document_file_add(document=document, upload=upload, actor=actor)
        documents[key] = document
    rel = DocumentRelation.Kind
    docs.document_relate(
        source=documents["plan"], target=documents["resolution"], kind=rel.IMPLEMENTS, actor=actor
    )
    docs.document_relate(
        source=documents["plan_new"], target=documents["project"], kind=rel.IMPLEMENTS, actor=actor
    )
    docs.document_relate(
        source=documents["plan_new"], target=documents["plan_old"], kind=rel.REPLACES, actor=actor
    )
    return {
        "articles": Article.objects.count(),
        "documents": len(documents),
        "images": ArticleImage.objects.count(),
        "documents_by_key": documents,
    }


def portal_demo_reset() -> None:
    Article.objects.update(cover=None)
    ArticleImage.objects.all().delete()
    Article.objects.all().delete()
    Category.objects.all().delete()
    Document.objects.all().delete()
