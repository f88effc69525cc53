"""Writes with an Idempotency-Key: a retry writes once and hears the first answer."""

import datetime as dt

from django.utils import timezone

from llct.api.models import IdempotencyRecord
from llct.api.tests.factories import bearer, make_token
from llct.core.models import Role
from llct.organizations.models import Person

ROWS = {"rows": [{"full_name": "Phạm Văn Một"}, {"full_name": "Phạm Thị Hai"}]}


def post(client, raw, world, body=None, key="lan-1"):
    headers = {**bearer(raw)}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(
        "/api/v1/people/bulk",
        {"organization_id": world.org_a1.pk, **(body or ROWS)},
        content_type="application/json",
        headers=headers,
    )


def test_a_retry_with_the_same_key_writes_once(client, world):
    _token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    first = post(client, raw, world)
    second = post(client, raw, world)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["created"] == 2
    assert second["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(full_name__startswith="Phạm").count() == 2


def test_a_new_key_is_a_new_write_that_matches_the_same_people(client, world):
    _token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    post(client, raw, world)
    again = post(client, raw, world, key="lan-2")
    assert again.json()["unchanged"] == 2 and again.json()["created"] == 0


def test_the_same_key_for_another_request_is_refused(client, world):
    _token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    post(client, raw, world)
    other = post(client, raw, world, body={"rows": [{"full_name": "Khác"}]})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert not Person.objects.filter(full_name="Khác").exists()


def test_a_write_without_a_key_is_refused(client, world):
    _token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    response = post(client, raw, world, key=None)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    assert not Person.objects.filter(full_name__startswith="Phạm").exists()


def test_a_key_still_running_answers_409(client, world):
    token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    first = post(client, raw, world)
    IdempotencyRecord.objects.filter(token=token).update(status=None)
    response = post(client, raw, world)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_in_progress"
    assert first.status_code == 200


def test_a_refusal_is_replayed_too(client, world):
    _token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    body = {"rows": [{"full_name": "Ngày Sai", "admitted_on": "31/02/2020"}]}
    first = post(client, raw, world, body=body)
    second = post(client, raw, world, body=body)
    assert first.status_code == second.status_code == 422
    assert first.json() == second.json()


def test_keys_are_per_token(client, world):
    _token, first = make_token(world, role=Role.DEPARTMENT, can_write=True)
    _token, second = make_token(world, role=Role.DEPARTMENT, can_write=True)
    post(client, first, world)
    assert "Idempotent-Replayed" not in post(client, second, world)


def test_a_key_is_forgotten_after_its_retention(client, world, settings):
    token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    post(client, raw, world)
    IdempotencyRecord.objects.filter(token=token).update(
        created_at=timezone.now() - dt.timedelta(hours=settings.API_IDEMPOTENCY_HOURS + 1)
    )
    again = post(client, raw, world)
    assert "Idempotent-Replayed" not in again and again.json()["unchanged"] == 2


def test_writes_need_no_csrf_token_the_bearer_token_is_the_proof(world):
    from django.test import Client

    _token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    response = post(Client(enforce_csrf_checks=True), raw, world)
    assert response.status_code == 200
