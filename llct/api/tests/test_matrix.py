"""Endpoint × role × scope: a token reads what a user of its role in its organization reads in
the UI, never more, and writes only what that user may write."""

import pytest

from llct.api.tests.factories import bearer, make_token
from llct.assessment.models import Result
from llct.core.models import Role
from llct.courses.models import Attendance
from llct.organizations.models import Person

ROLES = ["department", "leader", "officer_a", "officer_b"]


def token_for(world, who, **kw):
    if who == "department":
        return make_token(world, role=Role.DEPARTMENT, **kw)
    if who == "leader":
        return make_token(world, role=Role.LEADER, **kw)
    organization = world.org_a if who == "officer_a" else world.org_b
    return make_token(world, role=Role.ORG_OFFICER, organization=organization, **kw)


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def expected(world, data, who):
    """What each role sees in each list, as the UI shows it."""
    everyone = {
        "organizations": {o.pk for o in (world.province, world.org_a, world.org_a1)}
        | {world.org_b.pk, world.org_b1.pk},
        "people": {world.person_a.pk, world.person_b.pk},
        "enrolments": {data.enrolment_a.pk, data.enrolment_b.pk},
        "certificates": {data.certificate_a.pk, data.certificate_b.pk},
        "nominations": {data.nomination_a.pk, data.nomination_b.pk},
    }
    if who in ("department", "leader"):
        return everyone
    if who == "officer_a":
        return {
            "organizations": {world.org_a.pk, world.org_a1.pk},
            "people": {world.person_a.pk},
            "enrolments": {data.enrolment_a.pk},
            "certificates": {data.certificate_a.pk},
            "nominations": {data.nomination_a.pk},
        }
    return {
        "organizations": {world.org_b.pk, world.org_b1.pk},
        "people": {world.person_b.pk},
        "enrolments": {data.enrolment_b.pk},
        "certificates": {data.certificate_b.pk},
        "nominations": {data.nomination_b.pk},
    }


@pytest.mark.parametrize("who", ROLES)
def test_lists_show_exactly_the_roles_scope(client, world, data, who):
    _token, raw = token_for(world, who)
    want = expected(world, data, who)
    h = bearer(raw)
    course = data.course.pk
    assert ids(client.get("/api/v1/organizations", headers=h)) == want["organizations"]
    assert ids(client.get("/api/v1/people", headers=h)) == want["people"]
    assert ids(client.get(f"/api/v1/courses/{course}/enrolments", headers=h)) == want["enrolments"]
    assert ids(client.get("/api/v1/certificates", headers=h)) == want["certificates"]
    assert ids(client.get("/api/v1/nominations", headers=h)) == want["nominations"]
    # Courses are not personal data: every role that reads rolls sees them (as in the UI).
    assert ids(client.get("/api/v1/courses", headers=h)) == {course}
    marks = client.get(f"/api/v1/courses/{course}/attendance", headers=h).json()["items"]
    assert {m["enrolment_id"] for m in marks} == want["enrolments"]
    results = client.get(f"/api/v1/courses/{course}/results", headers=h).json()["items"]
    assert {r["enrolment_id"] for r in results} == want["enrolments"]


@pytest.mark.parametrize("who", ["officer_a", "officer_b"])
def test_one_object_outside_the_scope_is_not_found(client, world, data, who):
    _token, raw = token_for(world, who)
    other_person = world.person_b if who == "officer_a" else world.person_a
    other_certificate = data.certificate_b if who == "officer_a" else data.certificate_a
    other_org = world.org_b1 if who == "officer_a" else world.org_a1
    for url in (
        f"/api/v1/people/{other_person.pk}",
        f"/api/v1/certificates/{other_certificate.pk}",
        f"/api/v1/organizations/{other_org.pk}",
        f"/api/v1/people?organization_id={other_org.pk}",
        f"/api/v1/organizations/{other_org.pk}/sessions.json",
    ):
        response = client.get(url, headers=bearer(raw))
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who,status", [("department", 200), ("leader", 200), ("officer_a", 403)])
def test_plans_are_for_the_department_and_leaders(client, world, data, who, status):
    _token, raw = token_for(world, who)
    response = client.get("/api/v1/plans", headers=bearer(raw))
    assert response.status_code == status
    detail = client.get(f"/api/v1/plans/{data.plan.pk}", headers=bearer(raw))
    assert detail.status_code == status


def mark(client, raw, data, enrolment, status="excused", key="k1"):
    return client.post(
        f"/api/v1/sessions/{data.sessions[1].pk}/attendance",
        # The session was in March: a mark now is a correction, with its reason.
        {"marks": [{"enrolment_id": enrolment.pk, "status": status}], "reason": "Bổ sung"},
        content_type="application/json",
        headers={**bearer(raw), "Idempotency-Key": key},
    )


@pytest.mark.parametrize(
    "who,status", [("department", 200), ("officer_a", 200), ("officer_b", 403), ("leader", 403)]
)
def test_attendance_is_written_by_the_courses_managers_only(client, world, data, who, status):
    _token, raw = token_for(world, who, can_write=True)
    response = mark(client, raw, data, data.enrolment_a)
    assert response.status_code == status
    written = Attendance.objects.filter(session=data.sessions[1]).exists()
    assert written == (status == 200)
    if written:
        assert Attendance.objects.get(session=data.sessions[1]).method == Attendance.Method.API


def test_an_officer_cannot_mark_a_learner_of_another_branch(client, world, data):
    _token, raw = token_for(world, "officer_a", can_write=True)
    response = mark(client, raw, data, data.enrolment_b)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"enrolment_ids": [data.enrolment_b.pk]}
    assert not Attendance.objects.filter(session=data.sessions[1]).exists()


def score(client, raw, data, enrolment, value="9.5", key="s1"):
    return client.post(
        f"/api/v1/courses/{data.course.pk}/scores",
        {"scores": [{"enrolment_id": enrolment.pk, "field": "essay_score", "value": value}]},
        content_type="application/json",
        headers={**bearer(raw), "Idempotency-Key": key},
    )


@pytest.mark.parametrize(
    "who,status", [("department", 200), ("officer_a", 200), ("officer_b", 403), ("leader", 403)]
)
def test_scores_are_written_by_those_who_enter_results(client, world, data, who, status):
    _token, raw = token_for(world, who, can_write=True)
    response = score(client, raw, data, data.enrolment_a)
    assert response.status_code == status
    expected_score = "9.5" if status == 200 else "8.0"
    assert str(Result.objects.get(enrolment=data.enrolment_a).essay_score) == expected_score


def test_an_officer_cannot_score_a_learner_of_another_branch(client, world, data):
    _token, raw = token_for(world, "officer_a", can_write=True)
    response = score(client, raw, data, data.enrolment_b)
    assert response.status_code == 422
    assert str(Result.objects.get(enrolment=data.enrolment_b).essay_score) == "6.5"


@pytest.mark.parametrize(
    "who,org,status",
    [
        ("department", "org_b1", 200),
        ("officer_a", "org_a1", 200),
        ("officer_a", "org_b1", 404),
        ("leader", "org_b1", 403),
    ],
)
def test_people_are_written_only_within_the_roles_reach(client, world, who, org, status):
    _token, raw = token_for(world, who, can_write=True)
    response = client.post(
        "/api/v1/people/bulk",
        {"organization_id": getattr(world, org).pk, "rows": [{"full_name": "Lê Văn Mới"}]},
        content_type="application/json",
        headers={**bearer(raw), "Idempotency-Key": "p1"},
    )
    assert response.status_code == status
    assert Person.objects.filter(full_name="Lê Văn Mới").exists() == (status == 200)


def test_a_read_only_token_writes_nothing(client, world, data):
    _token, raw = token_for(world, "department")
    assert mark(client, raw, data, data.enrolment_a).json()["error"]["code"] == "read_only"
    assert score(client, raw, data, data.enrolment_a).status_code == 403
    assert not Attendance.objects.filter(session=data.sessions[1]).exists()


def test_personal_data_only_with_the_permission(client, world):
    Person.objects.filter(pk=world.person_a.pk).update(party_card_no="123456")
    _token, plain = token_for(world, "officer_a")
    _token, personal = token_for(world, "officer_a", personal_data=True)
    url = f"/api/v1/people/{world.person_a.pk}"
    assert client.get(url, headers=bearer(plain)).json()["party_card_no"] is None
    assert client.get(url, headers=bearer(personal)).json()["party_card_no"] == "123456"
    export = f"/api/v1/interchange/people.xlsx?organization_id={world.org_a.pk}"
    denied = client.get(export, headers=bearer(plain))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "personal_data_forbidden"


@pytest.mark.parametrize("who", ["department", "officer_a"])
def test_indicators_are_counts_within_the_scope(client, world, data, who):
    _token, raw = token_for(world, who)
    h = bearer(raw)
    codes = [i["code"] for i in client.get("/api/v1/indicators", headers=h).json()]
    assert "pass_rate" in codes
    url = f"/api/v1/indicators/pass_rate/values?organization_id={world.org_a.pk}&children=true"
    items = client.get(url, headers=h).json()["items"]
    assert [i["organization_id"] for i in items] == [world.org_a1.pk]
    outside = f"/api/v1/indicators/pass_rate/values?organization_id={world.org_b.pk}"
    assert client.get(outside, headers=h).status_code == (200 if who == "department" else 404)
    assert (
        client.get("/api/v1/indicators/nope/values?organization_id=1", headers=h).status_code == 404
    )
