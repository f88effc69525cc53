"""Interchange files: the party-member database layout out and back in; a cell's study
sessions as .ics and JSON behind a secret link, with no one's personal data."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from llct.api.interchange import PARTY_DB_HEADERS
from llct.api.models import StudyFeed
from llct.api.services import feed_renew
from llct.api.tests.factories import bearer, make_token
from llct.core.models import Role
from llct.courses.models import Course
from llct.organizations.models import MembershipStage, Person, TheoryLevel
from llct.organizations.tests.factories import make_person


@pytest.fixture
def members(world):
    Person.objects.filter(pk=world.person_a.pk).delete()
    return [
        make_person(
            world.org_a1,
            "Nguyễn Văn Một",
            stage=MembershipStage.FULL,
            date_of_birth=dt.date(1980, 1, 2),
            party_card_no="11111111",
            theory_level=TheoryLevel.TRUNG_CAP,
        ),
        make_person(
            world.org_a1,
            "Lê Thị Hai",
            stage=MembershipStage.PROBATIONARY,
            date_of_birth=dt.date(1999, 3, 4),
            admitted_on=dt.date(2026, 1, 15),
        ),
    ]


def sheet_rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_has_the_party_member_database_columns(client, world, members):
    client.force_login(world.officer_a)
    response = client.get(f"/ket-noi/trao-doi/?organization={world.org_a.pk}")
    assert response.status_code == 200
    rows = sheet_rows(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert rows[0] == PARTY_DB_HEADERS
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["Nguyễn Văn Một"][2:8] == [
        "02/01/1980",
        "19/05/2020",
        "19/05/2021",
        "11111111",
        "Trung cấp",
        "A1",
    ]
    assert set(by_name) == {"Nguyễn Văn Một", "Lê Thị Hai"}


def test_an_officer_exports_nothing_outside_their_subtree(client, world, members):
    client.force_login(world.officer_b)
    response = client.get(f"/ket-noi/trao-doi/?organization={world.org_a.pk}")
    assert response.status_code == 422
    assert "11111111" not in response.text


def test_the_export_comes_back_in_unchanged(client, world, members):
    _token, raw = make_token(world, can_write=True, personal_data=True)
    exported = client.get(
        f"/api/v1/interchange/people.xlsx?organization_id={world.org_a.pk}", headers=bearer(raw)
    )
    assert exported.status_code == 200
    response = client.post(
        "/api/v1/interchange/people.xlsx",
        {
            "organization_id": world.org_a.pk,
            "file": io.BytesIO(exported.content),
        },
        headers={**bearer(raw), "Idempotency-Key": "round-trip"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "dry_run": False,
        "rejected": [],
    }


def test_a_file_from_the_party_member_database_updates_levels_all_or_nothing(
    client, world, members
):
    from llct.core.spreadsheets import write_xlsx

    _token, raw = make_token(world, can_write=True, personal_data=True)
    good = ["1", "Nguyễn Văn Một", "02/01/1980", "", "", "11111111", "Cao cấp", "A1"]
    bad = ["2", "Người Sai", "32/13/1990", "", "", "", "", "A1"]

    def send(rows, key):
        content = write_xlsx(PARTY_DB_HEADERS, rows)
        return client.post(
            "/api/v1/interchange/people.xlsx",
            {"organization_id": world.org_a.pk, "file": io.BytesIO(content)},
            headers={**bearer(raw), "Idempotency-Key": key},
        )

    refused = send([good, bad], "k1")
    assert refused.status_code == 422
    assert [r["row"] for r in refused.json()["error"]["details"]["rejected"]] == [3]
    members[0].refresh_from_db()
    assert members[0].theory_level == TheoryLevel.TRUNG_CAP
    assert send([good], "k2").json()["updated"] == 1
    members[0].refresh_from_db()
    assert members[0].theory_level == TheoryLevel.CAO_CAP


def test_a_file_that_is_not_a_workbook_is_refused(client, world):
    _token, raw = make_token(world, can_write=True, personal_data=True)
    response = client.post(
        "/api/v1/interchange/people.xlsx",
        {"organization_id": world.org_a.pk, "file": io.BytesIO(b"not a workbook")},
        headers={**bearer(raw), "Idempotency-Key": "k"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_file"


# --- Study sessions -------------------------------------------------------------------------


@pytest.fixture
def feed(world, data):
    Course.objects.filter(pk=data.course.pk).update(
        starts_on=dt.date.today(), ends_on=dt.date.today() + dt.timedelta(days=5)
    )
    for n, session in enumerate(data.sessions):
        session.date = dt.date.today() + dt.timedelta(days=n)
        session.save()
    return feed_renew(organization=world.org_a1, actor=world.officer_a)


def test_a_cells_sessions_as_json_behind_its_secret_link(client, world, data, feed):
    response = client.get(f"/api/v1/feeds/{feed.code}/sessions.json")
    assert response.status_code == 200
    body = response.json()
    assert body["organization"]["code"] == "A1"
    assert [s["course"]["code"] for s in body["sessions"]] == ["LOP-A"] * 3
    text = response.content.decode()
    assert world.person_a.full_name not in text and "date_of_birth" not in text


def test_a_cells_sessions_as_a_calendar(client, world, data, feed):
    response = client.get(f"/api/v1/feeds/{feed.code}/sessions.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.count(b"BEGIN:VEVENT") == 3
    assert b"Asia/Ho_Chi_Minh" in response.content


def test_a_new_link_stops_the_old_one(client, world, data, feed):
    old = feed.code
    feed_renew(organization=world.org_a1, actor=world.officer_a)
    assert client.get(f"/api/v1/feeds/{old}/sessions.ics").status_code == 404
    assert StudyFeed.objects.get().code != old


def test_a_token_reads_the_sessions_of_an_organization_in_its_scope(client, world, data, feed):
    _token, raw = make_token(world)
    ok = client.get(f"/api/v1/organizations/{world.org_a1.pk}/sessions.json", headers=bearer(raw))
    assert ok.status_code == 200 and len(ok.json()["sessions"]) == 3


def test_officers_make_links_only_within_their_subtree(client, world):
    client.force_login(world.officer_b)
    response = client.post("/ket-noi/lich-hoc/", {"organization": world.org_a1.pk})
    assert response.status_code == 422
    assert not StudyFeed.objects.exists()
    client.force_login(world.officer_a)
    page = client.post("/ket-noi/lich-hoc/", {"organization": world.org_a1.pk}, follow=True)
    feed = StudyFeed.objects.get()
    assert feed.code in page.text
    client.force_login(world.officer_b)
    assert feed.code not in client.get("/ket-noi/lich-hoc/").text


@pytest.mark.parametrize("who", ["leader", "learner"])
def test_others_make_no_links(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get("/ket-noi/lich-hoc/").status_code == 403


def test_the_connections_menu_is_for_the_department_and_officers(client, world):
    for user, shown in ((world.department, True), (world.officer_a, True), (world.leader, False)):
        client.force_login(user)
        assert ('href="/ket-noi/"' in client.get("/").text) == shown
    client.force_login(world.officer_a)
    page = client.get("/ket-noi/").text
    assert "/ket-noi/lich-hoc/" in page and "/ket-noi/khoa-api/" not in page


def test_verification_answers_what_the_public_page_shows(client, world, data):
    _token, raw = make_token(world, role=Role.ORG_OFFICER, organization=world.org_a)
    code = data.certificate_b.code
    response = client.get(f"/api/v1/certificates/verify?code={code}", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["status"] == "valid"
    assert response.json()["holder_name"] == world.person_b.full_name
    missing = client.get("/api/v1/certificates/verify?code=nope", headers=bearer(raw))
    assert missing.status_code == 404
