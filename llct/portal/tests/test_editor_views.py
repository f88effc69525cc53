import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from llct.portal.models import Article
from llct.portal.tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db


def test_department_writes_submits_and_schedules_an_article(client, world):
    category = make_category(actor=world.department)
    client.force_login(world.department)
    response = client.post(
        reverse("portal:create"),
        {
            "title": "Tin mới",
            "category": category.pk,
            "lead": "Tóm tắt",
            "body": "<p>Thân bài</p><script>x()</script>",
            "author_name": "Lan",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert "script" not in article.body
    client.post(reverse("portal:submit", args=[article.pk]))
    later = timezone.localtime() + dt.timedelta(days=1)
    client.post(
        reverse("portal:publish", args=[article.pk]), {"at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None and article.published_at > timezone.now()
    assert "Đã lên lịch" in client.get(reverse("portal:editor")).text


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_others_may_not_open_the_editor(client, world, who):
    article = make_article(actor=world.department, publish=False)
    client.force_login(getattr(world, who))
    assert client.get(reverse("portal:editor")).status_code == 403
    assert client.get(reverse("portal:edit", args=[article.pk])).status_code == 404
    assert client.post(reverse("portal:submit", args=[article.pk])).status_code == 404
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_editor_list_query_count(client, world, django_assert_max_num_queries):
    for i in range(10):
        make_article(actor=world.department, title=f"Bài {i}")
    client.force_login(world.department)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("portal:editor")).status_code == 200


def test_preview_shows_a_draft_to_the_editor(client, world):
    article = make_article(actor=world.department, publish=False)
    client.force_login(world.department)
    assert article.title in client.get(reverse("portal:preview", args=[article.pk])).text


def test_department_adds_a_category_others_may_not(client, world):
    from llct.portal.models import Category

    client.force_login(world.department)
    client.post(reverse("portal:categories"), {"name": "Đối ngoại", "rank": 3})
    assert Category.objects.get().slug == "doi-ngoai"
    assert (
        client.post(reverse("portal:categories"), {"name": "Đối ngoại", "rank": 1}).status_code
        == 422
    )
    client.force_login(world.officer_a)
    assert client.get(reverse("portal:categories")).status_code == 403
