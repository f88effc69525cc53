import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from llct.core.models import AuditEntry
from llct.portal import selectors, services
from llct.portal.models import Article
from llct.portal.sanitize import sanitize_html, slug_from
from llct.portal.tests.factories import jpeg_upload, make_article, make_category

pytestmark = pytest.mark.django_db


def test_slug_is_ascii_folded_from_the_vietnamese_title():
    assert slug_from("Hội nghị quán triệt Nghị quyết") == "hoi-nghi-quan-triet-nghi-quyet"
    assert slug_from("Đảng ủy Khối: Đại hội lần thứ X!") == "dang-uy-khoi-dai-hoi-lan-thu-x"


def test_two_articles_with_one_title_get_distinct_addresses(world):
    first = make_article(actor=world.department, publish=False)
    second = make_article(actor=world.department, publish=False)
    assert first.slug == "hoi-nghi-quan-triet-nghi-quyet"
    assert second.slug == "hoi-nghi-quan-triet-nghi-quyet-2"


def test_sanitizer_strips_scripts_handlers_and_styles():
    dirty = (
        '<p onclick="steal()" style="color:red">Xin chào<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">x</a><img src="https://evil.example/x.png" onerror="y()">'
        '<iframe src="/"></iframe><h2>Tiêu đề</h2><img src="/tin-tuc/anh/1/page/" alt="Ảnh">'
    )
    clean = sanitize_html(dirty)
    for bad in ("script", "alert", "onclick", "style=", "javascript:", "evil", "onerror", "iframe"):
        assert bad not in clean
    assert "<p>Xin chào</p>" in clean
    assert "<h2>Tiêu đề</h2>" in clean
    assert '<img src="/tin-tuc/anh/1/page/" alt="Ảnh">' in clean


def test_the_body_is_sanitized_when_saved(world):
    article = make_article(
        actor=world.department, body="<p>Nội dung</p><script>alert('x')</script>", publish=False
    )
    assert "script" not in article.body
    assert "noi dung" in article.search_text


def test_draft_submitted_published_and_every_step_audited(world):
    now = timezone.now()
    article = make_article(actor=world.department, publish=False)
    assert article.status == Article.Status.DRAFT
    assert not selectors.published_articles(now=now).filter(pk=article.pk).exists()
    services.article_submit(article=article, actor=world.department)
    assert not selectors.published_articles(now=now).filter(pk=article.pk).exists()
    services.article_publish(article=article, now=now, actor=world.department)
    assert article.status == Article.Status.PUBLISHED
    assert selectors.published_articles(now=now).filter(pk=article.pk).exists()
    actions = set(AuditEntry.objects.filter(object_id=article.pk).values_list("action", flat=True))
    assert {"created", "submitted", "published"} <= actions


def test_a_draft_cannot_be_published_without_review(world):
    article = make_article(actor=world.department, publish=False)
    with pytest.raises(ValidationError):
        services.article_publish(article=article, now=timezone.now(), actor=world.department)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_returned_article_goes_back_to_draft_with_the_note(world):
    article = make_article(actor=world.department, publish=False)
    services.article_submit(article=article, actor=world.department)
    services.article_return(article=article, note="Bổ sung ảnh", actor=world.department)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.review_note == "Bổ sung ảnh"


def test_scheduled_article_is_invisible_until_its_time(world):
    now = timezone.now()
    later = now + dt.timedelta(hours=2)
    article = make_article(actor=world.department, published_at=later)
    assert article.status == Article.Status.PUBLISHED
    assert not selectors.published_articles(now=now).filter(pk=article.pk).exists()
    assert selectors.published_articles(now=later).filter(pk=article.pk).exists()


def test_publication_time_in_the_past_is_refused(world):
    article = make_article(actor=world.department, publish=False)
    services.article_submit(article=article, actor=world.department)
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.article_publish(
            article=article, at=now - dt.timedelta(days=1), now=now, actor=world.department
        )


def test_withdrawn_article_leaves_the_portal(world):
    article = make_article(actor=world.department)
    services.article_withdraw(article=article, actor=world.department)
    assert not selectors.published_articles(now=timezone.now()).filter(pk=article.pk).exists()


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_only_the_department_writes_articles(world, who):
    category = make_category(actor=world.department)
    with pytest.raises(PermissionDenied):
        services.article_create(
            title="T",
            category=category,
            lead="L",
            body="B",
            author_name="A",
            actor=getattr(world, who),
        )
    assert not Article.objects.exists()


def test_uploaded_image_is_resized_with_a_thumbnail(world):
    article = make_article(actor=world.department, publish=False)
    image = services.article_image_add(
        article=article,
        upload=jpeg_upload(size=(3000, 2000)),
        caption="Quang cảnh",
        actor=world.department,
    )
    from PIL import Image

    with Image.open(image.image.path) as page, Image.open(image.thumbnail.path) as thumb:
        assert page.width == 1200
        assert thumb.width == 480
    article.refresh_from_db()
    assert article.cover_id == image.pk


def test_a_file_that_is_not_an_image_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    article = make_article(actor=world.department, publish=False)
    with pytest.raises(ValidationError):
        services.article_image_add(
            article=article,
            upload=SimpleUploadedFile("x.jpg", b"not an image"),
            actor=world.department,
        )
