import datetime as dt

import pytest

from llct.corps import followups
from llct.corps.models import FollowUp, FollowUpCriterion
from llct.corps.tests.factories import make_finished_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(world):
    make_finished_course(world.province, [world.person_a, world.person_b], dt.date(2025, 5, 30))
    followups.followups_open(today=dt.date(2026, 12, 5))
    return FollowUp.objects.get(enrolment__person=world.person_a)


def test_officer_fills_the_form(client, world, asked):
    client.force_login(world.officer_a)
    page = client.get("/doi-ngu/sau-khoa-hoc/").text
    assert "Nguyễn Văn An" in page and "Trần Thị Bình" not in page
    data = {}
    for c in FollowUpCriterion.objects.all():
        data[f"score_{c.pk}"] = "4"
        data[f"note_{c.pk}"] = "Tích cực"
    response = client.post(f"/doi-ngu/sau-khoa-hoc/{asked.pk}/", data)
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.average == 4


def test_officer_of_another_branch_gets_404(client, world, asked):
    client.force_login(world.officer_b)
    assert client.get(f"/doi-ngu/sau-khoa-hoc/{asked.pk}/").status_code == 404
    assert client.post(f"/doi-ngu/sau-khoa-hoc/{asked.pk}/", {}).status_code == 404


def test_only_the_department_asks_and_reminds(client, world, asked):
    client.force_login(world.officer_a)
    assert client.post("/doi-ngu/sau-khoa-hoc/mo/").status_code == 403
    assert client.post("/doi-ngu/sau-khoa-hoc/nhac/").status_code == 403
    assert client.get("/doi-ngu/sau-khoa-hoc/cai-dat/").status_code == 403
    client.force_login(world.department)
    assert client.post("/doi-ngu/sau-khoa-hoc/nhac/").status_code == 302


def test_pages_query_counts(client, world, asked, django_assert_max_num_queries):
    client.force_login(world.department)
    with django_assert_max_num_queries(10):
        assert client.get("/doi-ngu/sau-khoa-hoc/").status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            client.get("/doi-ngu/sau-khoa-hoc/tong-hop/?year=2025&by=lecturer").status_code == 200
        )
