"""People in bulk: the roster import's reading and rules, all or nothing, every rejected row
with its reasons; personal data only with the permission."""

import datetime as dt

from llct.api.tests.factories import bearer, make_token
from llct.core.models import Role
from llct.organizations.models import MembershipStage, Person, TheoryLevel, Transfer


def bulk(client, raw, organization, rows, key="k", dry_run=False):
    return client.post(
        "/api/v1/people/bulk",
        {"organization_id": organization.pk, "rows": rows, "dry_run": dry_run},
        content_type="application/json",
        headers={**bearer(raw), "Idempotency-Key": key},
    )


def writer(world, **kw):
    return make_token(world, role=Role.DEPARTMENT, can_write=True, personal_data=True, **kw)[1]


def test_rows_are_read_as_a_roster_reads_them(client, world):
    raw = writer(world)
    rows = [
        {
            "full_name": "NGUYỄN VĂN CƯỜNG",
            "sex": "Nam",
            "date_of_birth": "1990-06-05",
            "admitted_on": "19/05/2015",
            "full_member_on": "19/05/2016",
            "party_card_no": "79001234",
            "theory_level": "Trung cấp LLCT",
            "organization": "A1",
        }
    ]
    response = bulk(client, raw, world.org_a, rows)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    person = Person.objects.get(party_card_no="79001234")
    assert person.full_name == "Nguyễn Văn Cường" and person.organization == world.org_a1
    assert person.date_of_birth == dt.date(1990, 6, 5)
    assert person.stage == MembershipStage.FULL and person.theory_level == TheoryLevel.TRUNG_CAP


def test_one_bad_row_writes_nothing_and_every_bad_row_says_why(client, world):
    raw = writer(world)
    rows = [
        {"full_name": "Đúng Một"},
        {"full_name": "Sai Ngày", "date_of_birth": "31/02/1990"},
        {"full_name": "", "theory_level": "Thạc sĩ"},
        {"full_name": "Sai Đơn Vị", "organization": "B1"},
    ]
    response = bulk(client, raw, world.org_a, rows)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "rows_rejected"
    rejected = {r["row"]: r["reason"] for r in error["details"]["rejected"]}
    assert set(rejected) == {2, 3, 4}
    assert "ngày sinh" in rejected[2].lower() and "1990" not in rejected[2]
    assert "Thạc sĩ" in rejected[3]
    assert not Person.objects.filter(full_name="Đúng Một").exists()


def test_a_row_updates_the_person_it_matches_and_a_blank_says_nothing(client, world):
    raw = writer(world)
    Person.objects.filter(pk=world.person_a.pk).update(position="Bí thư")
    response = bulk(
        client, raw, world.org_a, [{"full_name": "Nguyễn Văn An", "theory_level": "SC"}]
    )
    assert response.json()["updated"] == 1
    world.person_a.refresh_from_db()
    assert world.person_a.theory_level == TheoryLevel.SO_CAP and world.person_a.position == "Bí thư"


def test_a_dry_run_writes_nothing(client, world):
    raw = writer(world)
    response = bulk(client, raw, world.org_a, [{"full_name": "Thử Xem"}], dry_run=True)
    assert response.json()["created"] == 1 and response.json()["dry_run"] is True
    assert not Person.objects.filter(full_name="Thử Xem").exists()


def test_personal_fields_need_the_permission(client, world):
    _token, raw = make_token(world, role=Role.DEPARTMENT, can_write=True)
    response = bulk(
        client, raw, world.org_a, [{"full_name": "Có Ngày", "date_of_birth": "1990-01-01"}]
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "personal_data_forbidden"
    ok = bulk(client, raw, world.org_a, [{"full_name": "Không Ngày"}], key="k2")
    assert ok.status_code == 200


def test_a_move_between_cells_is_a_transfer(client, world):
    raw = writer(world)
    from llct.organizations.tests.factories import make_org

    a2 = make_org("Chi bộ A2", parent=world.org_a, code="A2")
    response = bulk(
        client, raw, world.org_a, [{"full_name": "Nguyễn Văn An", "organization": "A2"}]
    )
    assert response.json()["updated"] == 1
    transfer = Transfer.objects.get(person=world.person_a)
    assert (transfer.from_organization, transfer.to_organization) == (world.org_a1, a2)


def test_a_leader_token_may_not_write_people(client, world):
    _token, raw = make_token(world, role=Role.LEADER, can_write=True)
    assert bulk(client, raw, world.province, [{"full_name": "Không Được"}]).status_code == 403
