"""The token pages: the department issues (the secret shown once), reads the use log and
revokes; nobody else may."""

import datetime as dt

import pytest
from django.utils import timezone

from llct.api.models import ApiRequest, ApiToken
from llct.api.tests.factories import make_token
from llct.core.models import Role


def issue(client, world, **fields):
    data = {
        "name": "Sổ tay đảng viên",
        "organization": world.org_a.pk,
        "role": Role.ORG_OFFICER,
        "expires_on": (timezone.localdate() + dt.timedelta(days=90)).strftime("%d/%m/%Y"),
        "rate_limit": 60,
        **fields,
    }
    return client.post("/ket-noi/khoa-api/tao/", data)


def test_the_department_issues_a_token_and_sees_it_once(client, world):
    client.force_login(world.department)
    response = issue(client, world, can_write="on")
    assert response.status_code == 200
    token = ApiToken.objects.get()
    raw = response.context["raw"]
    assert raw in response.text and token.can_write and not token.personal_data
    detail = client.get(f"/ket-noi/khoa-api/{token.pk}/")
    assert raw not in detail.text and token.prefix in detail.text


def test_a_refused_token_form_says_why(client, world):
    client.force_login(world.department)
    response = issue(client, world, role=Role.DEPARTMENT)
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_others_may_not_issue_or_read_tokens(client, world, who):
    token, _raw = make_token(world)
    client.force_login(getattr(world, who))
    assert client.get("/ket-noi/khoa-api/").status_code == 403
    assert issue(client, world).status_code == 403
    assert client.get(f"/ket-noi/khoa-api/{token.pk}/").status_code == 404
    assert client.post(f"/ket-noi/khoa-api/{token.pk}/thu-hoi/").status_code == 404
    assert ApiToken.objects.count() == 1


def test_the_department_revokes_a_token(client, world):
    token, _raw = make_token(world)
    client.force_login(world.department)
    response = client.post(f"/ket-noi/khoa-api/{token.pk}/thu-hoi/", follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Đã thu hồi" in response.text


def test_the_token_pages_use_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for n in range(5):
        token, _raw = make_token(world, name=f"Hệ thống {n}")
        ApiRequest.objects.bulk_create(
            ApiRequest(token=token, method="GET", path="/api/v1/people", status=200)
            for _ in range(20)
        )
    client.force_login(world.department)
    with django_assert_max_num_queries(8):
        assert client.get("/ket-noi/khoa-api/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/ket-noi/khoa-api/{token.pk}/").status_code == 200
