"""Issuing, using and revoking tokens: stored as a digest, shown once, scoped by a principal
that cannot sign in, expiring, revocable, rate limited, and every use audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from llct.api.models import ApiRequest, ApiToken
from llct.api.services import digest, token_issue, token_revoke
from llct.api.tests.factories import bearer, make_token
from llct.core.models import AuditEntry, Role


def test_only_a_digest_of_the_token_is_stored(world):
    token, raw = make_token(world)
    assert raw.startswith(f"llct_{token.prefix}_")
    assert token.digest == digest(raw) and raw not in token.digest
    row = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert raw not in str(row)


def test_the_principal_has_the_tokens_role_and_cannot_sign_in(client, world):
    token, _raw = make_token(world, organization=world.org_a)
    principal = token.principal
    assert principal.role == Role.ORG_OFFICER and principal.organization == world.org_a
    assert not principal.is_active and not principal.has_usable_password()
    assert not client.login(username=principal.username, password="")


def test_only_the_department_issues_tokens(world):
    with pytest.raises(PermissionDenied):
        token_issue(
            name="X",
            organization=world.org_a,
            role=Role.ORG_OFFICER,
            expires_on=timezone.localdate() + dt.timedelta(days=30),
            actor=world.officer_a,
            today=timezone.localdate(),
        )


def test_a_department_token_must_cover_the_whole_tree(world):
    with pytest.raises(ValidationError) as error:
        make_token(world, role=Role.DEPARTMENT, organization=world.org_a)
    assert "organization" in error.value.message_dict


def test_an_expiry_in_the_past_or_too_far_is_refused(world):
    today = timezone.localdate()
    for expires_on in (today, today + dt.timedelta(days=4 * 365)):
        with pytest.raises(ValidationError) as error:
            make_token(world, expires_on=expires_on)
        assert "expires_on" in error.value.message_dict


def test_a_request_without_a_token_is_refused_in_json(client, world):
    response = client.get("/api/v1/people")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_made_up_token_is_refused(client, world):
    _token, raw = make_token(world)
    forged = raw[:-4] + "AAAA"
    assert client.get("/api/v1/people", headers=bearer(forged)).status_code == 401
    assert client.get("/api/v1/people", headers=bearer("llct_x_y")).status_code == 401


def test_an_expired_token_is_refused(client, world):
    token, raw = make_token(world)
    ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.localdate() - dt.timedelta(1))
    response = client.get("/api/v1/people", headers=bearer(raw))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_a_revoked_token_stops_working_at_once(client, world):
    token, raw = make_token(world)
    assert client.get("/api/v1/people", headers=bearer(raw)).status_code == 200
    token_revoke(token=token, actor=world.department, now=timezone.now())
    response = client.get("/api/v1/people", headers=bearer(raw))
    assert response.json()["error"]["code"] == "token_revoked"
    assert AuditEntry.objects.filter(action="revoke", object_id=token.pk).exists()


def test_each_use_is_audited_without_the_query_string(client, world):
    token, raw = make_token(world)
    client.get("/api/v1/people?q=Nguyễn", headers=bearer(raw))
    client.get("/api/v1/people/999999", headers=bearer(raw))
    rows = list(ApiRequest.objects.filter(token=token).order_by("at", "id"))
    assert [(r.method, r.path, r.status) for r in rows] == [
        ("GET", "/api/v1/people", 200),
        ("GET", "/api/v1/people/999999", 404),
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_rate_limit_answers_429_with_retry_after(client, world):
    _token, raw = make_token(world, rate_limit=3)
    statuses = [client.get("/api/v1/people", headers=bearer(raw)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/people", headers=bearer(raw))
    assert response.json()["error"]["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_rate_limit_counts_per_token(client, world):
    _token, first = make_token(world, rate_limit=1)
    _token, second = make_token(world, rate_limit=1)
    assert client.get("/api/v1/people", headers=bearer(first)).status_code == 200
    assert client.get("/api/v1/people", headers=bearer(second)).status_code == 200


def test_errors_speak_vietnamese_with_a_stable_code(client, world):
    _token, raw = make_token(world)
    body = client.get("/api/v1/people/999999", headers=bearer(raw)).json()
    assert body["error"]["code"] == "not_found"
    assert "Không tìm thấy" in body["error"]["message"]


def test_a_malformed_query_is_invalid_request(client, world):
    _token, raw = make_token(world)
    response = client.get("/api/v1/people?updated_since=yesterday", headers=bearer(raw))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_cursor_pagination_walks_every_row_once(client, world):
    from llct.organizations.tests.factories import make_person

    for n in range(7):
        make_person(world.org_a1, f"Người Thứ {n}")
    _token, raw = make_token(world)
    seen, cursor = [], None
    for _ in range(10):
        url = "/api/v1/people?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=bearer(raw)).json()
        seen += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 8 and len(set(seen)) == 8 and seen == sorted(seen)


def test_a_made_up_cursor_is_refused(client, world):
    _token, raw = make_token(world)
    response = client.get("/api/v1/people?cursor=MTIz", headers=bearer(raw))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_cursor"


def test_organizations_as_of_a_date_show_the_old_name(client, world):
    from llct.organizations.services import organization_rename

    organization_rename(
        organization=world.org_a1,
        name="Chi bộ A1 mới",
        effective_on=dt.date(2025, 6, 1),
        today=timezone.localdate(),
        actor=world.department,
    )
    _token, raw = make_token(world)
    url = f"/api/v1/organizations?as_of=2025-01-01&parent_id={world.org_a.pk}"
    old = client.get(url, headers=bearer(raw)).json()["items"]
    assert [o["name"] for o in old] == ["Chi bộ A1"]
    today = client.get(f"/api/v1/organizations/{world.org_a1.pk}", headers=bearer(raw)).json()
    assert today["name"] == "Chi bộ A1 mới"


def test_an_unknown_address_under_the_api_answers_json(client, world):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
