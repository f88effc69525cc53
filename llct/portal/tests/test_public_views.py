import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from llct.portal import services
from llct.portal.tests.factories import jpeg_upload, make_article, make_category

pytestmark = pytest.mark.django_db


def test_signed_out_visitor_reads_the_portal_and_an_article(client, world):
    article = make_article(actor=world.department, featured=True)
    index = client.get(reverse("portal:index"))
    assert index.status_code == 200
    assert article.title in index.text
    page = client.get(f"/tin-tuc/{article.slug}/")
    assert page.status_code == 200
    assert "Sáng nay, Ban Thường vụ tổ chức hội nghị." in page.text
    assert "Minh Anh" in page.text
    assert 'property="og:title" content="Hội nghị quán triệt Nghị quyết"' in page.text
    assert 'property="og:type" content="article"' in page.text
    assert "Đăng xuất" not in page.text


def test_unpublished_and_scheduled_articles_answer_404(client, world):
    draft = make_article(actor=world.department, title="Bản nháp", publish=False)
    later = make_article(
        actor=world.department,
        title="Đăng sau",
        published_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert client.get(f"/tin-tuc/{draft.slug}/").status_code == 404
    assert client.get(f"/tin-tuc/{later.slug}/").status_code == 404
    assert "Đăng sau" not in client.get(reverse("portal:index")).text


def test_a_scheduled_article_appears_on_time_despite_the_cache(client, world):
    at = timezone.now() + dt.timedelta(minutes=30)
    make_article(actor=world.department, title="Bài hẹn giờ", published_at=at)
    assert "Bài hẹn giờ" not in client.get(reverse("portal:index")).text
    with time_machine.travel(at + dt.timedelta(seconds=1), tick=False):
        assert "Bài hẹn giờ" in client.get(reverse("portal:index")).text


def test_pages_are_served_from_the_cache_and_a_write_invalidates_them(client, world):
    article = make_article(actor=world.department)
    url = reverse("portal:index")
    assert client.get(url).get("X-Cache") is None
    assert client.get(url).get("X-Cache") == "hit"
    services.article_withdraw(article=article, actor=world.department)
    response = client.get(url)
    assert response.get("X-Cache") is None
    assert article.title not in response.text


def test_signed_in_editor_is_never_served_from_the_cache(client, world):
    make_article(actor=world.department)
    client.get(reverse("portal:index"))
    client.force_login(world.department)
    assert client.get(reverse("portal:index")).get("X-Cache") is None


def test_search_ignores_diacritics_and_case(client, world):
    make_article(actor=world.department, title="Học tập và làm theo tư tưởng Hồ Chí Minh")
    make_article(actor=world.department, title="Kết quả công tác tuyên giáo")
    page = client.get(reverse("portal:search"), {"q": "HO CHI minh"})
    assert "Học tập và làm theo tư tưởng Hồ Chí Minh" in page.text
    assert "Kết quả công tác tuyên giáo" not in page.text


def test_category_page_lists_its_articles(client, world, django_assert_max_num_queries):
    other = make_category("Xây dựng Đảng", actor=world.department)
    for i in range(5):
        make_article(actor=world.department, title=f"Tin chính trị {i}")
    make_article(actor=world.department, title="Tin xây dựng Đảng", category=other)
    # Categories, the category, the next scheduled time, the count, the page.
    with django_assert_max_num_queries(5):
        page = client.get("/tin-tuc/chuyen-muc/chinh-tri/")
    assert "Tin chính trị 4" in page.text
    assert "Tin xây dựng Đảng" not in page.text


def test_index_query_count_is_pinned(client, world, django_assert_max_num_queries):
    for i in range(15):
        make_article(actor=world.department, title=f"Tin {i}", featured=i < 3)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("portal:index")).status_code == 200


def test_rss_and_atom_feeds(client, world):
    article = make_article(actor=world.department)
    rss = client.get(reverse("portal:rss"))
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert article.title in rss.text
    assert f"/tin-tuc/{article.slug}/" in rss.text
    atom = client.get(reverse("portal:atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "Minh Anh" in atom.text


def test_sitemap_lists_published_articles_only(client, world):
    shown = make_article(actor=world.department, title="Đã đăng")
    hidden = make_article(actor=world.department, title="Chưa đăng", publish=False)
    xml = client.get("/sitemap.xml").text
    assert f"/tin-tuc/{shown.slug}/" in xml
    assert f"/tin-tuc/{hidden.slug}/" not in xml


def test_images_of_unpublished_articles_are_for_editors_only(client, world):
    article = make_article(actor=world.department, publish=False)
    image = services.article_image_add(
        article=article, upload=jpeg_upload(), actor=world.department
    )
    url = reverse("portal:image", args=[image.pk, "thumb"])
    assert client.get(url).status_code == 404
    services.article_submit(article=article, actor=world.department)
    services.article_publish(article=article, now=timezone.now(), actor=world.department)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "max-age" in response["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
